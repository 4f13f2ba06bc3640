"""A revoked internship certificate is reissued: a new number from the register, a new verification code and
SHA-256; the old one stays and says it is revoked; one certificate is in force at a time (service and database)."""

import datetime
import hashlib

import pytest
from django.db import IntegrityError, transaction

from kesip.core.tests import factories as f
from kesip.wbl import common, internships
from kesip.wbl import internship_rules as rules
from kesip.wbl.models import Certificate, NumberRegister
from kesip.wbl.tests.test_certificate import ISSUED, issue, successful
from kesip.wbl.tests.test_internships import END, college

pytestmark = pytest.mark.django_db
TODAY = datetime.date.today()


def revoke(t, c, reason="Ошибка в фамилии"):
    return internships.revoke_certificate(c, TODAY, reason, t.admin)


def test_revoke_then_reissue_gives_two_rows_one_in_force():
    t = college()
    p = successful(t)
    first = issue(t, p)
    revoke(t, first)
    second = issue(t, p, language="ru")
    assert Certificate.objects.filter(placement=p).count() == 2
    assert list(Certificate.objects.filter(placement=p, revoked_on__isnull=True)) == [second]
    assert (first.number, second.number) == ("1-СЕР/2025", "2-СЕР/2025")
    assert NumberRegister.objects.get(institution=t.institution, year=2025, series="СЕР").last_number == 2
    assert second.token != first.token and len(second.token) == 32
    language, data = internships.stored_original(second)
    assert language == "ru" and hashlib.sha256(data).hexdigest() == second.sha256 != first.sha256
    p.refresh_from_db()
    assert p.certificate == second and internships.in_force(p) == second


def test_a_second_certificate_while_one_is_in_force_is_refused_by_the_service_and_the_database():
    t = college()
    p = successful(t)
    first = issue(t, p)
    with pytest.raises(common.WblInvalid) as caught:
        issue(t, p)
    v = caught.value.violations[0]
    assert v.code == rules.CERTIFICATE_SUCCESSFUL and first.number in v.message and "Revoke it first" in v.message
    assert NumberRegister.objects.get().last_number == 1  # the refused one took no number
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            institution=t.institution, placement=p, number="99-СЕР/2025", issued_on=ISSUED, letterhead="institution"
        )
    # Revoked rows do not count: the database takes any number of them beside the one in force.
    revoke(t, first)
    Certificate.objects.create(
        institution=t.institution, placement=p, number="98-СЕР/2025", issued_on=ISSUED, letterhead="institution", revoked_on=TODAY
    )
    assert Certificate.objects.filter(placement=p).count() == 2 and internships.in_force(p) is None


def test_the_verification_page_of_each_token(client):
    t = college()
    p = successful(t)
    first = issue(t, p)
    revoke(t, first, reason="Ошибка в фамилии")
    second = issue(t, p)
    old = client.get(f"/wbl/certificates/verify/{first.token}/")
    page = old.content.decode()
    assert old.status_code == 200 and "revoked on" in page and "This certificate is genuine" not in page
    assert first.number in page
    # Nothing of the new certificate, nor the reason, nor any page behind the login.
    assert second.number not in page and second.token not in page and "Ошибка в фамилии" not in page
    assert f"/wbl/internships/{p.pk}/" not in page and f"/wbl/certificates/{second.pk}/" not in page
    new = client.get(f"/wbl/certificates/verify/{second.token}/").content.decode()
    assert "This certificate is genuine" in new and second.number in new and "revoked on" not in new


def test_reissue_through_the_internship_page_which_lists_every_certificate(client, login):
    t = college()
    p = successful(t)
    first = issue(t, p)
    login(t.admin)
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert 'id="certify-form"' not in page and 'id="certificate-list"' not in page
    revoke(t, first)
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert 'id="certify-form"' in page and 'id="reissue-note"' in page and 'id="revoke-form"' not in page
    done = client.post(
        f"/wbl/internships/{p.pk}/certify/", {"letterhead": "institution", "issued_on": ISSUED.isoformat(), "language": "ky"}
    )
    assert done.status_code == 302
    second = Certificate.objects.get(placement=p, revoked_on__isnull=True)
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert 'id="certificate-list"' in page and 'id="certify-form"' not in page and 'id="revoke-form"' in page
    assert f'data-certificate="{first.number}" data-state="revoked"' in page
    assert f'data-certificate="{second.number}" data-state="in-force"' in page
    assert page.index(f'id="certificate-number">№ {second.number}') > 0
    again = client.post(
        f"/wbl/internships/{p.pk}/certify/", {"letterhead": "institution", "issued_on": ISSUED.isoformat(), "language": "ky"}
    )
    assert again.status_code == 400 and Certificate.objects.filter(placement=p).count() == 2


def test_the_outcome_stays_locked_under_the_reissued_certificate():
    t = college()
    p = successful(t, status="active")
    revoke(t, issue(t, p))
    second = issue(t, p)
    with pytest.raises(common.WblInvalid) as caught:
        internships.record_outcome(p, "unsuccessful", t.admin, on=END)
    assert second.number in caught.value.violations[0].message


def test_the_api_shows_the_one_in_force_and_all_of_them_and_reissues(client, login):
    t = college()
    p = successful(t)
    first = issue(t, p)
    login(t.admin)
    refused = client.post(
        f"/api/v1/internships/{p.pk}/certificate/",
        {"letterhead": "institution", "issued_on": ISSUED.isoformat(), "language": "ru"},
        content_type="application/json",
    )
    assert refused.status_code == 400
    assert client.post(
        f"/api/v1/certificates/{first.pk}/revoke/", {"revoked_on": TODAY.isoformat(), "reason": "Дубликат"},
        content_type="application/json",
    ).status_code == 200  # fmt: skip
    made = client.post(
        f"/api/v1/internships/{p.pk}/certificate/",
        {"letterhead": "institution", "issued_on": ISSUED.isoformat(), "language": "ru"},
        content_type="application/json",
    )
    assert made.status_code == 201 and made.json()["number"] == "2-СЕР/2025"
    data = client.get(f"/api/v1/internships/{p.pk}/").json()
    assert data["certificate"]["number"] == "2-СЕР/2025" and data["certificate"]["revoked_on"] is None
    assert [(c["number"], c["revoked_on"]) for c in data["certificates"]] == [
        ("1-СЕР/2025", TODAY.isoformat()),
        ("2-СЕР/2025", None),
    ]


def _reissued(t, n):
    for _ in range(n):
        p = successful(t, intern_staff=f.StaffFactory(institution=t.institution))
        revoke(t, issue(t, p))
        issue(t, p)


@pytest.mark.parametrize("rows", [1, 4])
def test_lists_read_a_fixed_number_of_queries_with_reissued_certificates(client, login, django_assert_max_num_queries, rows):
    t = college()
    _reissued(t, rows)
    login(t.admin)
    with django_assert_max_num_queries(14):
        page = client.get("/wbl/internships/")
    assert page.status_code == 200 and page.content.decode().count("text-bg-danger") == 0
    assert page.content.decode().count("-СЕР/2025") == rows
    with django_assert_max_num_queries(10):
        api = client.get("/api/v1/internships/")
    assert api.status_code == 200
    assert sorted(len(r["certificates"]) for r in api.json()["results"]) == [2] * rows
