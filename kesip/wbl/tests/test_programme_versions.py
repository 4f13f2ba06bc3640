"""After approval (§9.4): approved → published → revised. A revision is a complete draft copy with the
next version number; the old version stays in force until the revision is approved; one open revision
at a time, also under two simultaneous requests; placements keep their version, new ones are offered
only programmes in force, and a published programme counts as usable as an approved one."""

import datetime
import threading

import pytest
from django.db import connection
from django.urls import reverse

from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import programmes as services
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import AnnualReport, ContentRow, LoadRow, RubricItem, WblProgramme
from kesip.wbl.tests.test_programme_rules import college

pytestmark = pytest.mark.django_db
S = WblProgramme.Status
TODAY = datetime.date.today()


def fresh(wp):
    return WblProgramme.objects.get(pk=wp.pk)


def approved(t, wp=None):
    wp = wp or t.wp
    services.send_to_employer(wp, t.practice_head)
    services.record_agreement(wp, t.practice_head, "Рахманов А., главный инженер", TODAY)
    return services.approve(wp, t.head)


def published(t):
    approved(t)
    return services.publish(t.wp, t.practice_head)


def test_publish_only_an_approved_programme_by_the_institution():
    t = college()
    with pytest.raises(RuleViolation) as refused:
        services.publish(t.wp, t.practice_head)
    assert refused.value.code == "wbl.wblprogramme.status"
    approved(t)
    with pytest.raises(RuleViolation):
        services.publish(t.wp, t.rep)  # the employer does not publish
    with pytest.raises(RuleViolation):
        services.publish(t.wp, t.teacher)
    assert fresh(t.wp).status == S.APPROVED
    services.publish(t.wp, t.practice_head)
    wp = fresh(t.wp)
    assert (wp.status, wp.published_on) == (S.PUBLISHED, TODAY)
    steps = [s.name for s in services.allowed_steps(wp, t.practice_head)]
    assert steps == ["revise"]  # a published programme is not reopened: it is revised
    with pytest.raises(RuleViolation):
        services.reopen(wp, t.practice_head)


def test_a_revision_copies_every_section_outcome_and_row():
    t = college()
    published(t)
    report = AnnualReport.objects.create(institution=t.institution, academic_year=2024, recommendations="Больше часов")
    new = services.revise(t.wp, t.practice_head, "Рекомендации отчёта: больше часов в цехе", report)
    old = fresh(t.wp)
    assert (new.status, new.version, new.previous_id, new.revised_from_report_id) == (S.DRAFT, 2, old.pk, report.pk)
    assert new.revision_reason == "Рекомендации отчёта: больше часов в цехе"
    assert old.status == S.PUBLISHED  # in force until the revision is approved
    for name in services.PASSPORT_FIELDS + services.SECTION_FIELDS:
        attname = WblProgramme._meta.get_field(name).attname
        assert getattr(new, attname) == getattr(old, attname), name
    assert set(new.outcomes.values_list("pk", flat=True)) == set(old.outcomes.values_list("pk", flat=True)) != set()

    def rows(model, fields, wp):
        return sorted(tuple(str(v) for v in r) for r in model.objects.filter(programme=wp).values_list(*fields))

    assert (
        rows(LoadRow, services.LOAD_FIELDS, new) == rows(LoadRow, services.LOAD_FIELDS, old)
        and len(rows(LoadRow, services.LOAD_FIELDS, new)) == 3
    )
    assert rows(ContentRow, services.CONTENT_FIELDS, new) == rows(ContentRow, services.CONTENT_FIELDS, old)
    assert ContentRow.objects.filter(programme=new).count() == 2
    copy = RubricItem.objects.get(programme=new)
    assert (copy.method, copy.level, copy.descriptor) == (t.grade.method, t.grade.level, t.grade.descriptor)
    assert list(copy.competencies.all()) == [t.competencies[0]]
    assert copy.pk != t.grade.pk and LoadRow.objects.filter(programme=old).count() == 3  # the old rows stay
    assert new.institution_id == old.institution_id
    # The new draft is edited while the old version is untouched.
    services.save_content_row(ContentRow(programme=new, practice_type="educational", competency=t.competencies[0],
                              topic="Новая тема", hours=10, environment="Цех", equipment="Станок"), t.practice_head)  # fmt: skip
    assert ContentRow.objects.filter(programme=old).count() == 2


def test_the_old_version_is_revised_only_when_the_new_one_is_approved():
    t = college()
    published(t)
    new = services.revise(t.wp, t.practice_head, "Новая редакция")
    assert fresh(t.wp).status == S.PUBLISHED
    approved(t, new)
    assert fresh(t.wp).status == S.REVISED
    assert [s.name for s in services.allowed_steps(fresh(t.wp), t.practice_head)] == []
    assert services.versions(fresh(new)) == [fresh(t.wp), fresh(new)]
    # Reopening the approved revision puts the old version back in force.
    services.reopen(new, t.practice_head)
    assert fresh(t.wp).status == S.PUBLISHED
    approved(t, new)
    services.publish(new, t.practice_head)
    assert (fresh(t.wp).status, fresh(new).status) == (S.REVISED, S.PUBLISHED)
    third = services.revise(new, t.practice_head, "Третья редакция")
    assert third.version == 3 and [w.version for w in services.versions(fresh(t.wp))] == [1, 2, 3]


def test_one_open_revision_at_a_time_and_only_of_a_programme_in_force():
    t = college()
    with pytest.raises(RuleViolation):
        services.revise(t.wp, t.practice_head, "Черновик не пересматривают")
    approved(t)
    with pytest.raises(WblInvalid) as refused:
        services.revise(t.wp, t.practice_head, "   ")
    assert [v.field for v in refused.value.violations] == ["revision_reason"]
    with pytest.raises(RuleViolation):
        services.revise(t.wp, t.rep, "Работодатель")
    services.revise(t.wp, t.practice_head, "Первая")
    with pytest.raises(WblInvalid) as refused:
        services.revise(t.wp, t.practice_head, "Вторая")
    assert refused.value.violations[0].code == "wbl.wblprogramme.revision"
    assert WblProgramme.objects.filter(previous=t.wp).count() == 1
    assert "revise" not in [s.name for s in services.allowed_steps(fresh(t.wp), t.practice_head)]
    # While a revision is open the approved version is not reopened.
    assert "reopen" not in [s.name for s in services.allowed_steps(fresh(t.wp), t.practice_head)]
    with pytest.raises(RuleViolation):
        services.reopen(t.wp, t.practice_head)


def test_a_report_of_another_institution_is_refused():
    t = college()
    approved(t)
    other = AnnualReport.objects.create(institution=f.InstitutionFactory(), academic_year=2024)
    with pytest.raises(WblInvalid) as refused:
        services.revise(t.wp, t.practice_head, "Чужой отчёт", other)
    assert [v.field for v in refused.value.violations] == ["revised_from_report"]
    assert not WblProgramme.objects.filter(previous=t.wp).exists()


def test_deleting_the_open_revision_frees_the_programme_for_another():
    t = college()
    approved(t)
    new = services.revise(t.wp, t.practice_head, "Первая")
    services.delete_programme(new, t.practice_head)
    assert services.revise(t.wp, t.practice_head, "Снова").version == 2


@pytest.mark.django_db(transaction=True)
def test_two_revisions_at_once_open_one(django_db_blocker):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL")
    t = college()
    approved(t)
    results, barrier = [], threading.Barrier(2)

    def run(reason):
        try:
            barrier.wait()
            services.revise(WblProgramme.objects.get(pk=t.wp.pk), t.practice_head, reason)
            results.append("opened")
        except (RuleViolation, WblInvalid) as error:
            results.append(getattr(error, "violations", [error])[0].code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(r,)) for r in ("A", "B")]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    assert sorted(results) == ["opened", "wbl.wblprogramme.revision"]
    assert WblProgramme.objects.filter(previous_id=t.wp.pk).count() == 1


# ------------------------------------------------------------------ the pages and the API


def test_the_page_offers_publish_and_revise_and_shows_the_version_chain(client, login):
    t = college()
    approved(t)
    login(t.practice_head)
    url = reverse("wbl:wblprogramme_detail", args=[t.wp.pk])
    body = client.get(url).content.decode()
    assert reverse("wbl:wblprogramme_step", args=[t.wp.pk, "publish"]) in body and 'id="revision-form"' in body
    response = client.post(reverse("wbl:wblprogramme_step", args=[t.wp.pk, "publish"]))
    assert response.status_code == 302 and fresh(t.wp).status == S.PUBLISHED
    body = client.get(url).content.decode()
    assert "step/publish/" not in body and 'id="step-revise"' in body
    # A revision without its reason is refused beside the field and nothing is made.
    response = client.post(reverse("wbl:wblprogramme_step", args=[t.wp.pk, "revise"]), {"revision_reason": ""})
    assert response.status_code == 400 and not WblProgramme.objects.filter(previous=t.wp).exists()
    report = AnnualReport.objects.create(institution=t.institution, academic_year=2024)
    response = client.post(
        reverse("wbl:wblprogramme_step", args=[t.wp.pk, "revise"]),
        {"revision_reason": "По рекомендациям отчёта", "revised_from_report": report.pk},
    )
    new = WblProgramme.objects.get(previous=t.wp)
    assert response.status_code == 302 and response["Location"] == reverse("wbl:wblprogramme_detail", args=[new.pk])
    body = client.get(response["Location"]).content.decode()
    assert 'id="wblprogramme-versions"' in body and "Version 2" in body and "Version 1" in body
    assert "По рекомендациям отчёта" in body
    # The old version no longer offers a revision: one is open.
    assert 'id="step-revise"' not in client.get(url).content.decode()
    assert client.post(reverse("wbl:wblprogramme_step", args=[t.wp.pk, "revise"]), {"revision_reason": "ещё"}).status_code == 302
    assert WblProgramme.objects.filter(previous=t.wp).count() == 1


def test_a_teacher_sees_no_publish_or_revise_and_cannot_post_them(client, login):
    t = college()
    approved(t)
    login(t.teacher)
    body = client.get(reverse("wbl:wblprogramme_detail", args=[t.wp.pk])).content.decode()
    assert "step/publish/" not in body and 'id="step-revise"' not in body
    client.post(reverse("wbl:wblprogramme_step", args=[t.wp.pk, "publish"]))
    assert fresh(t.wp).status == S.APPROVED


def test_publish_and_revise_through_the_api(client, login):
    t = college()
    approved(t)
    login(t.practice_head)
    url = f"/api/v1/wbl-programmes/{t.wp.pk}/step/"
    body = client.post(url, {"step": "publish"}, content_type="application/json").json()
    assert body["status"] == "published" and body["published_on"] == TODAY.isoformat()
    refused = client.post(url, {"step": "revise"}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "revision_reason"
    other = AnnualReport.objects.create(institution=f.InstitutionFactory(), academic_year=2024)
    refused = client.post(
        url, {"step": "revise", "revision_reason": "x", "revised_from_report": other.pk}, content_type="application/json"
    )
    assert refused.status_code == 400 and not WblProgramme.objects.filter(previous=t.wp).exists()
    made = client.post(url, {"step": "revise", "revision_reason": "Новая редакция"}, content_type="application/json")
    assert made.status_code == 201
    body = made.json()
    assert (body["version"], body["previous"], body["status"]) == (2, t.wp.pk, "draft")
    assert client.post(url, {"step": "revise", "revision_reason": "ещё"}, content_type="application/json").status_code == 400
