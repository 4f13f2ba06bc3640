"""The internship certificate (п. 43, VR-32), its PDF with the QR link, the public verification page, revocation,
and the apprenticeship outside a programme that gets a notice instead (п. 47, VR-37)."""

import datetime
import hashlib
import re
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import common, internships
from kesip.wbl import internship_rules as rules
from kesip.wbl.models import Certificate, InternshipSite, NumberRegister, Placement
from kesip.wbl.tests.test_internships import END, START, college, internship

pytestmark = pytest.mark.django_db

P = Placement
ISSUED = END + datetime.timedelta(days=1)


def pdf_text(data):
    """The text a PDF shows, decoded through its fonts' ToUnicode maps (WeasyPrint embeds Identity-H fonts)."""
    streams = []
    for m in re.finditer(rb"stream\r?\n", data):
        raw = data[m.end() : data.find(b"endstream", m.end())]
        try:
            streams.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            continue
    cmaps = []
    for s in streams:
        mapping = {}
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                mapping[src.decode().upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be", "replace")
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for lo, hi, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                first = ord(bytes.fromhex(dst.decode()).decode("utf-16-be")[0])
                for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    mapping[f"{code:0{len(lo)}X}"] = chr(first + i)
        if mapping:
            cmaps.append(mapping)
    shown = []
    for s in streams:
        if b"Tj" in s or b"TJ" in s:
            hexes = b"".join(re.findall(rb"<([0-9A-Fa-f]+)>", s)).decode().upper()
            for mapping in cmaps:
                width = len(next(iter(mapping)))
                shown.append("".join(mapping.get(hexes[i : i + width], "") for i in range(0, len(hexes), width)))
    return "\n".join(shown)


def shows(data, *texts):
    """Whether the PDF shows each text (line breaks and spaces aside: lines are drawn one by one)."""
    flat = re.sub(r"\s+", "", pdf_text(data))
    return all(re.sub(r"\s+", "", t) in flat for t in texts)


def successful(t, **kwargs):
    values = {"status": "completed", "outcome": "successful", "programme_agreed_on": datetime.date(2025, 5, 20)}
    values.update(kwargs)
    return internship(t, **values)


def issue(t, p, letterhead="institution", issued_on=ISSUED, user=None, **kwargs):
    return internships.issue_certificate(p, letterhead, issued_on, user or t.admin, base_url="https://kesip.example.kg", **kwargs)


# --- Issue (VR-32) -------------------------------------------------------------------------------------------------


def test_a_certificate_is_numbered_from_the_register_printed_once_and_closes_a_completed_internship():
    t = college()
    p = successful(t)
    c = issue(t, p, language="ky")
    assert c.number == "1-СЕР/2025" and c.issued_on == ISSUED and len(c.token) == 32
    assert NumberRegister.objects.get(institution=t.institution, year=2025, series="СЕР").last_number == 1
    language, data = internships.stored_original(c)
    assert language == "ky" and data.startswith(b"%PDF") and hashlib.sha256(data).hexdigest() == c.sha256
    p.refresh_from_db()
    assert p.status == "closed" and p.closed_on == ISSUED
    second = issue(t, successful(t, intern_staff=f.StaffFactory(institution=t.institution)))
    assert second.number == "2-СЕР/2025"


def test_an_active_internship_keeps_its_status_for_its_review():
    t = college()
    p = successful(t, status="active")
    issue(t, p)
    p.refresh_from_db()
    assert p.status == "active"


@pytest.mark.parametrize("outcome", ["unsuccessful", ""])
def test_no_certificate_without_a_successful_outcome(outcome):
    t = college()
    p = successful(t, outcome=outcome)
    with pytest.raises(common.WblInvalid) as caught:
        issue(t, p)
    v = caught.value.violations[0]
    assert v.code == rules.CERTIFICATE_SUCCESSFUL and "п. 43" in v.source and v.field == "outcome"
    assert not Certificate.objects.exists() and not NumberRegister.objects.exists()


def test_a_certificate_is_issued_once():
    t = college()
    p = successful(t)
    first = issue(t, p)
    with pytest.raises(common.WblInvalid) as caught:
        issue(t, p)
    assert "1-СЕР/2025" in caught.value.violations[0].message
    assert Certificate.objects.get() == first
    assert NumberRegister.objects.get().last_number == 1  # the refused one took no number


def test_the_enterprise_letterhead_needs_the_enterprises_address():
    t = college()
    p = successful(t)
    t.employer.address = ""
    t.employer.save()
    with pytest.raises(common.WblInvalid) as caught:
        issue(t, p, letterhead="employer")
    assert caught.value.violations[0].code == rules.CERTIFICATE_LETTERHEAD
    with pytest.raises(common.WblInvalid):
        issue(t, p, letterhead="stamp")


def test_the_date_of_issue_is_from_the_last_day_to_today():
    t = college()
    p = successful(t)
    with pytest.raises(common.WblInvalid) as caught:
        issue(t, p, issued_on=END - datetime.timedelta(days=1))
    assert caught.value.violations[0].field == "issued_on"
    with pytest.raises(common.WblInvalid):
        issue(t, p, issued_on=datetime.date.today() + datetime.timedelta(days=1))
    assert issue(t, p, issued_on=END).issued_on == END


def test_only_the_institution_issues_it():
    t = college()
    p = successful(t)
    rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.employer)
    with pytest.raises(RuleViolation):
        issue(t, p, user=rep)


def test_an_apprenticeship_outside_a_programme_gets_no_certificate_but_the_notice(client, login):
    t = college()
    apprentice = P.objects.create(
        institution=t.institution, form="apprenticeship", apprenticeship_form="individual", outside_wbl_programme=True,
        student=t.student, group=t.group, employer=t.employer, starts_on=START, ends_on=END, status="completed",
        outcome="successful",
    )  # fmt: skip
    with pytest.raises(common.WblInvalid) as caught:
        issue(t, apprentice)
    v = caught.value.violations[0]
    assert (
        v.code == rules.OUTSIDE_NOTICE and "Independent Certification and Validation Centre" in v.message and "п. 47" in v.source
    )
    login(t.admin)
    response = client.get(f"/wbl/placements/{apprentice.pk}/notice/?format=pdf&lang=en")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert shows(response.content, "Independent Certification and Validation Centre", "No document on education")
    docx = client.get(f"/wbl/placements/{apprentice.pk}/notice/?format=docx&lang=ky")
    assert docx.status_code == 200
    inside = P.objects.filter(pk=apprentice.pk).update(outside_wbl_programme=False)
    assert inside == 1 and client.get(f"/wbl/placements/{apprentice.pk}/notice/").status_code == 404


# --- The document ----------------------------------------------------------------------------------------------------


def test_the_pdf_served_is_the_issued_one_with_the_number_and_the_qr_link(client, login):
    t = college()
    p = successful(t)
    InternshipSite.objects.create(
        institution=t.institution, placement=p, employer=t.employer, starts_on=START, ends_on=END, tasks="Цех"
    )
    c = issue(t, p, language="en")
    login(t.admin)
    response = client.get(f"/wbl/certificates/{c.pk}/document/")
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == c.sha256
    assert shows(response.content, c.number, "CERTIFICATE OF COMPLETION OF INTERNSHIP", str(t.staff))
    assert shows(response.content, f"https://kesip.example.kg/wbl/certificates/verify/{c.token}/")
    assert not shows(response.content, "2-СЕР/2025")  # the check can fail
    copy = client.get(f"/wbl/certificates/{c.pk}/document/?format=pdf&lang=ru")
    assert copy.status_code == 200 and hashlib.sha256(copy.content).hexdigest() != c.sha256
    assert shows(copy.content, c.sha256)
    docx = client.get(f"/wbl/certificates/{c.pk}/document/?format=docx&lang=ky")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_on_the_enterprise_letterhead_the_enterprise_signs(client, login):
    t = college()
    c = issue(t, successful(t), letterhead="employer", language="en")
    assert shows(internships.stored_original(c)[1], "ОСОО «ШИРЕТҮҮ»", "Бишкек ш., Чүй пр. 5", "Башчы Б.")


# --- The public verification page ----------------------------------------------------------------------------------


def test_the_verification_page_of_a_genuine_certificate_shows_only_what_it_prints(client, django_assert_num_queries):
    t = college()
    p = successful(t)
    c = issue(t, p)
    with django_assert_num_queries(1):
        response = client.get(f"/wbl/certificates/verify/{c.token}/")
    page = response.content.decode()
    assert response.status_code == 200 and "This certificate is genuine" in page
    assert c.number in page
    assert "Мугалимов Бакыт Т." in page and "Токтогулович" not in page
    assert "14.06.2025" in page and "02.06.2025" in page and "13.06.2025" in page
    for secret in (t.staff.national_id, t.staff.position, p.individual_programme, t.employer.name, p.intern_experience):
        assert secret not in page, secret


def test_a_revoked_certificate_says_so_and_an_unknown_code_is_not_found(client, login):
    t = college()
    c = issue(t, successful(t))
    with pytest.raises(common.WblInvalid):
        internships.revoke_certificate(c, datetime.date.today(), "  ", t.admin)
    internships.revoke_certificate(c, datetime.date.today(), "Ошибка в фамилии", t.admin)
    page = client.get(f"/wbl/certificates/verify/{c.token}/").content.decode()
    assert "revoked on" in page and "This certificate is genuine" not in page and "Ошибка в фамилии" not in page
    missing = client.get("/wbl/certificates/verify/0123456789abcdef0123456789abcdef/")
    assert missing.status_code == 404 and "No certificate with this verification code" in missing.content.decode()
    assert client.get("/wbl/certificates/verify/" + "x" * 100 + "/").status_code == 404
    with pytest.raises(common.WblInvalid):
        internships.revoke_certificate(c, datetime.date.today(), "again", t.admin)
    assert internships.revocation_reason(Certificate.objects.get(pk=c.pk)) == "Ошибка в фамилии"
    # Revoked, the outcome may be corrected.
    p = c.placement
    P.objects.filter(pk=p.pk).update(status="closed")
    assert internships.record_outcome(p, "unsuccessful", t.admin, on=END).outcome == "unsuccessful"


def test_the_outcome_cannot_change_under_a_live_certificate():
    t = college()
    c = issue(t, successful(t, status="active"))
    with pytest.raises(common.WblInvalid) as caught:
        internships.record_outcome(c.placement, "unsuccessful", t.admin, on=END)
    assert c.number in caught.value.violations[0].message


def test_the_uploaded_pdf_is_compared_with_the_issued_one(client):
    t = college()
    c = issue(t, successful(t))
    data = internships.stored_original(c)[1]
    url = f"/wbl/certificates/verify/{c.token}/"
    same = client.post(url, {"file": SimpleUploadedFile("c.pdf", data, content_type="application/pdf")})
    assert same.status_code == 200 and "exactly the certificate issued" in same.content.decode()
    changed = client.post(url, {"file": SimpleUploadedFile("c.pdf", data + b"%", content_type="application/pdf")})
    assert "differs from the certificate issued" in changed.content.decode()
    not_pdf = client.post(url, {"file": SimpleUploadedFile("c.pdf", b"hello", content_type="application/pdf")})
    assert not_pdf.status_code == 400 and "not a readable PDF" in not_pdf.content.decode()


# --- Pages, API, scoping -------------------------------------------------------------------------------------------------


def test_the_certificate_through_the_internship_page(client, login):
    t = college()
    p = successful(t)
    login(t.admin)
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert 'id="certify-form"' in page
    refused = client.post(
        f"/wbl/internships/{p.pk}/certify/", {"letterhead": "institution", "issued_on": "2025-06-01", "language": "ru"}
    )
    assert refused.status_code == 400 and "dated that day or later" in refused.content.decode()
    done = client.post(
        f"/wbl/internships/{p.pk}/certify/", {"letterhead": "institution", "issued_on": "2025-06-14", "language": "ru"}
    )
    assert done.status_code == 302
    c = Certificate.objects.get()
    language, data = internships.stored_original(c)
    assert shows(data, f"http://testserver/wbl/certificates/verify/{c.token}/")
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert c.number in page and 'id="revoke-form"' in page and 'id="certify-form"' not in page
    client.post(f"/wbl/certificates/{c.pk}/revoke/", {"revoked_on": datetime.date.today().isoformat(), "reason": "Дубликат"})
    c.refresh_from_db()
    assert c.revoked_on == datetime.date.today()


def test_who_sees_a_certificate(client, login):
    t = college()
    learner = successful(t, teacher=False)
    mine = issue(t, learner)
    teacher_cert = issue(t, successful(t))
    user = f.member(Role.STUDENT, institution=t.institution)
    t.student.user = user
    t.student.save(update_fields=["user"])
    login(user)
    assert client.get(f"/wbl/certificates/{mine.pk}/document/").status_code == 200
    assert client.get(f"/wbl/certificates/{teacher_cert.pk}/document/").status_code == 404
    ids = {row["id"] for row in client.get("/api/v1/certificates/").json()["results"]}
    assert ids == {mine.pk}
    assert (
        client.post(
            f"/api/v1/certificates/{mine.pk}/revoke/",
            {"revoked_on": "2025-06-20", "reason": "x"},
            content_type="application/json",
        ).status_code
        == 403
    )
    rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.employer)
    login(rep)
    assert {row["id"] for row in client.get("/api/v1/certificates/").json()["results"]} == {mine.pk, teacher_cert.pk}
    other_rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    login(other_rep)
    assert client.get(f"/wbl/certificates/{mine.pk}/document/").status_code == 404
    b = college("KZ")
    login(b.admin)
    assert client.get(f"/wbl/certificates/{mine.pk}/document/").status_code == 404
    assert client.post(f"/wbl/certificates/{mine.pk}/revoke/", {"revoked_on": "2025-06-20", "reason": "x"}).status_code == 404
    assert client.get(f"/api/v1/certificates/{mine.pk}/").status_code == 404


def test_the_api_issues_and_revokes(client, login):
    t = college()
    p = successful(t)
    login(t.admin)
    refused = client.post(
        f"/api/v1/internships/{p.pk}/certificate/",
        {"letterhead": "institution", "issued_on": "2025-06-01"},
        content_type="application/json",
    )
    assert refused.status_code == 400 and refused.json()["field"] == "issued_on"
    done = client.post(
        f"/api/v1/internships/{p.pk}/certificate/",
        {"letterhead": "employer", "issued_on": "2025-06-14", "language": "en"},
        content_type="application/json",
    )
    assert done.status_code == 201, done.content
    body = done.json()
    assert body["number"] == "1-СЕР/2025" and body["verify_url"] == f"http://testserver/wbl/certificates/verify/{body['token']}/"
    assert len(body["sha256"]) == 64
    again = client.post(
        f"/api/v1/internships/{p.pk}/certificate/",
        {"letterhead": "employer", "issued_on": "2025-06-14"},
        content_type="application/json",
    )
    assert again.status_code == 400 and again.json()["code"] == rules.CERTIFICATE_SUCCESSFUL
    revoked = client.post(
        f"/api/v1/certificates/{body['id']}/revoke/",
        {"revoked_on": datetime.date.today().isoformat(), "reason": "Ката"},
        content_type="application/json",
    )
    assert revoked.status_code == 200 and revoked.json()["revoked_on"] == datetime.date.today().isoformat()
    unsuccessful = successful(t, outcome="unsuccessful", intern_staff=f.StaffFactory(institution=t.institution))
    nope = client.post(
        f"/api/v1/internships/{unsuccessful.pk}/certificate/",
        {"letterhead": "institution", "issued_on": "2025-06-14"},
        content_type="application/json",
    )
    assert nope.status_code == 400 and nope.json()["code"] == rules.CERTIFICATE_SUCCESSFUL


@pytest.mark.parametrize("rows", [2, 20])
def test_the_api_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    for _ in range(rows):
        Certificate.objects.create(
            institution=t.institution, placement=successful(t, intern_staff=f.StaffFactory(institution=t.institution)),
            number=f"{Certificate.objects.count() + 1}-СЕР/2025", issued_on=ISSUED, letterhead="institution",
        )  # fmt: skip
    login(t.admin)
    with django_assert_max_num_queries(5):
        response = client.get("/api/v1/certificates/")
    assert response.status_code == 200 and response.json()["count"] == rows


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_issues_give_one_certificate_and_distinct_numbers():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous requests are exercised on PostgreSQL (CI runs the suite there too)")
    t = college()
    same = successful(t)
    others = [successful(t, intern_staff=f.StaffFactory(institution=t.institution)) for _ in range(3)]

    def race(*steps):
        barrier, outcomes = threading.Barrier(len(steps)), []

        def run(step):
            barrier.wait()
            try:
                outcomes.append(step())
            except (common.WblInvalid, RuleViolation) as refusal:
                outcomes.append(refusal)
            finally:
                connection.close()

        threads = [threading.Thread(target=run, args=(step,)) for step in steps]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes

    outcomes = race(*[lambda: issue(t, same)] * 3)
    assert Certificate.objects.filter(placement=same).count() == 1
    assert sum(isinstance(o, common.WblInvalid) for o in outcomes) == 2
    race(*[lambda p=p: issue(t, p) for p in others])
    numbers = sorted(Certificate.objects.values_list("number", flat=True))
    assert numbers == ["1-СЕР/2025", "2-СЕР/2025", "3-СЕР/2025", "4-СЕР/2025"]
