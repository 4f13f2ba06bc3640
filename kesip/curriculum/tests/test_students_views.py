"""Pages of groups and students: the group's list, a student's life, forms whose bad input leaves everything as it was."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesip.core.models import Student
from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum import students_services as services
from kesip.curriculum.models import DistanceExemption, IndividualCurriculum, IndividualEntry, Movement
from kesip.curriculum.tests.test_students_services import ORDER, enrolled, kz_cohort

pytestmark = pytest.mark.django_db

D = datetime.date
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def group_url(g):
    return reverse("curriculum:group", args=[g.pk])


def student_url(s):
    return reverse("curriculum:student", args=[s.pk])


def order(prefix, **extra):
    data = {"order_number": "31-к", "order_date": "2025-01-10", "on": "2025-01-13", **extra}
    return {f"{prefix}-{k}": v for k, v in data.items()}


# --- the group ------------------------------------------------------------------------------------


def test_group_page_lists_students_with_status_sen_and_remote_share(client, login):
    c = kz_cohort(remote=865)
    first, second = enrolled(c), enrolled(c)
    second.special_needs = True
    second.save()
    services.take_step(second, "academic_leave", c.admin, leave_until=D(2025, 9, 1), **{**ORDER, "on": D(2024, 11, 1)})
    login(c.admin)
    page = client.get(group_url(c.group))
    assert page.status_code == 200
    html = page.content.decode()
    assert student_url(first) in html and student_url(second) in html
    assert "Academic leave" in html and ">SEN<" in html
    assert 'data-share="20.03"' in html and "bi-exclamation-triangle" in html
    assert reverse("curriculum:group_enrol", args=[c.group.pk]) in html
    assert reverse("curriculum:journal", args=[c.group.pk]) in html
    assert reverse("curriculum:group_calendars", args=[c.group.pk]) in html
    assert c.wc.get_absolute_url() in html


@pytest.mark.parametrize("size", [2, 30])
def test_group_page_query_budget_does_not_grow_with_students(client, login, django_assert_max_num_queries, size):
    c = kz_cohort(remote=100)
    for i in range(size):
        s = enrolled(c)
        if i % 2:
            s.special_needs = True
            s.save()
            plan = IndividualCurriculum.objects.create(institution=c.inst, student=s, kind="individual", basis="ПМПК")
            IndividualEntry.objects.create(institution=c.inst, plan=plan, component=c.a, year=1, semester=1, hours=1440)
        DistanceExemption.objects.create(
            institution=c.inst, student=s, reason="competition", document="№ 1", document_date=D(2024, 10, 1),
            valid_from=D(2024, 10, 1), valid_until=D(2025, 10, 1),
        )  # fmt: skip
    login(c.admin)
    with django_assert_max_num_queries(10):
        assert client.get(group_url(c.group)).status_code == 200


def test_a_teacher_reads_the_group_but_is_offered_no_enrolment(client, login):
    c = kz_cohort()
    enrolled(c)
    login(f.member(Role.TEACHER, institution=c.inst))
    html = client.get(group_url(c.group)).content.decode()
    assert reverse("curriculum:group_enrol", args=[c.group.pk]) not in html
    assert client.get(reverse("curriculum:group_enrol", args=[c.group.pk])).status_code == 404


def enrol_data(c, **extra):
    return {
        "last_name": "Сапаров",
        "first_name": "Нурлан",
        "national_id": f.national_id_for(c.inst),
        "funding": "budget",
        "order_number": "112-к",
        "order_date": "2024-08-26",
        "on": "2024-09-01",
        **extra,
    }


def test_enrol_a_new_student_through_the_group_page(client, login):
    c = kz_cohort()
    login(c.admin)
    url = reverse("curriculum:group_enrol", args=[c.group.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, enrol_data(c))
    s = Student.objects.get(last_name="Сапаров")
    assert response.status_code == 302 and response["Location"] == student_url(s)
    assert s.group == c.group and s.status == "enrolled" and s.movements.get().order_number == "112-к"


@pytest.mark.parametrize(
    "extra, message",
    [
        ({"national_id": "123"}, "IIN"),
        ({"order_number": ""}, "required"),
        ({"on": "01.09.2024"}, "valid date"),
        ({"order_date": "2099-01-01"}, "future"),
    ],
)
def test_bad_enrolment_input_saves_nothing(client, login, extra, message):
    c = kz_cohort()
    login(c.admin)
    before = Student.objects.count()
    response = client.post(reverse("curriculum:group_enrol", args=[c.group.pk]), enrol_data(c, **extra))
    assert response.status_code == 400 and message in response.content.decode()
    assert Student.objects.count() == before and not Movement.objects.exists()


def test_enrolment_into_a_new_intake_with_a_removed_qualification_is_refused_with_its_clause(client, login):
    c = kz_cohort()
    c.qualification.is_active, c.qualification.valid_until = False, D(2025, 7, 15)
    c.qualification.removal_basis = "Приказ № 500"
    c.qualification.save()
    login(c.admin)
    response = client.post(reverse("curriculum:group_enrol", args=[c.group.pk]), enrol_data(c))
    text = response.content.decode()
    assert response.status_code == 400 and "removed from the classifier (Приказ № 500)" in text and "§6" in text
    assert not Student.objects.filter(last_name="Сапаров").exists()


# --- the student ----------------------------------------------------------------------------------


def test_student_page_shows_history_open_steps_and_the_remote_check(client, login):
    c = kz_cohort(remote=865)
    s = enrolled(c)
    login(c.admin)
    html = client.get(student_url(s)).content.decode()
    assert 'data-kind="enrolment"' in html and "№ 12-к" in html
    for kind in ("transfer", "academic_leave", "expulsion"):
        assert reverse("curriculum:student_step", args=[s.pk, kind]) in html
    for kind in ("return", "reinstatement", "graduation"):
        assert reverse("curriculum:student_step", args=[s.pk, kind]) not in html
    assert 'id="remote-share">20.03 %' in html and 'data-code="curriculum.distance_learning.max_percent_time"' in html
    x = DistanceExemption.objects.create(
        institution=c.inst, student=s, reason="competition", document="Приказ № 77", document_date=D(2024, 9, 1),
        valid_from=D(2024, 9, 1), valid_until=D(2030, 1, 1),
    )  # fmt: skip
    html = client.get(student_url(s)).content.decode()
    assert 'id="remote-exempted"' in html and "Приказ № 77" in html and 'data-code="curriculum' not in html
    assert reverse("curriculum:exemption_edit", args=[x.pk]) in html


@pytest.mark.parametrize("size", [1, 10])
def test_student_page_query_budget_does_not_grow_with_history(client, login, django_assert_max_num_queries, size):
    c = kz_cohort()
    s = enrolled(c)
    s.special_needs = True
    s.save()
    groups = [f.GroupFactory(institution=c.inst, programme=c.programme, intake_year=2024, name=f"Г-{i}") for i in range(size)]
    for i, g in enumerate(groups):
        Movement.objects.create(
            institution=c.inst, student=s, kind="transfer", on=D(2024, 10, 1 + i), order_number=str(i),
            order_date=D(2024, 10, 1), from_group=c.group, to_group=g, recorded_by=c.admin,
        )  # fmt: skip
        DistanceExemption.objects.create(
            institution=c.inst, student=s, reason="temporary", document=f"№ {i}", document_date=D(2024, 10, 1),
            valid_from=D(2024, 10, 1), valid_until=D(2024, 10, 20 + i),
        )  # fmt: skip
    plan = IndividualCurriculum.objects.create(institution=c.inst, student=s, kind="individual", basis="ПМПК")
    for comp in (c.a, c.b, c.c)[: min(size, 3)]:
        IndividualEntry.objects.create(institution=c.inst, plan=plan, component=comp, year=1, semester=1, hours=100)
    login(c.admin)
    with django_assert_max_num_queries(11):
        assert client.get(student_url(s)).status_code == 200


def test_a_step_through_the_page_and_its_refusals(client, login):
    c = kz_cohort()
    s = enrolled(c)
    other = f.GroupFactory(institution=c.inst, programme=c.programme, intake_year=2024, name="ГР-24-2")
    login(c.admin)
    url = reverse("curriculum:student_step", args=[s.pk, "transfer"])
    bad = client.post(url, order("transfer", order_number="", to_group=other.pk))
    assert bad.status_code == 400 and "This field is required" in bad.content.decode()
    foreign = f.GroupFactory(institution=f.InstitutionFactory(jurisdiction="KZ"))
    bad = client.post(url, order("transfer", to_group=foreign.pk))
    assert bad.status_code == 400 and 'id="step-transfer"' in bad.content.decode()
    s.refresh_from_db()
    assert s.group == c.group and s.movements.count() == 1
    not_open = client.post(reverse("curriculum:student_step", args=[s.pk, "return"]), order("return"), follow=True)
    assert "not open" in not_open.content.decode()
    ok = client.post(url, order("transfer", to_group=other.pk))
    assert ok.status_code == 302
    s.refresh_from_db()
    assert s.group == other and s.movements.last().from_group == c.group
    assert client.get(url).status_code == 405
    leave = client.post(reverse("curriculum:student_step", args=[s.pk, "academic_leave"]), order("academic_leave"))
    assert leave.status_code == 400 and "Leave until" in leave.content.decode()


def test_pages_of_another_institution_answer_404(client, login):
    c = kz_cohort()
    s = enrolled(c)
    x = DistanceExemption.objects.create(
        institution=c.inst, student=s, reason="competition", document="№ 1", document_date=D(2024, 10, 1),
        valid_from=D(2024, 10, 1), valid_until=D(2025, 10, 1),
    )  # fmt: skip
    login(f.member(Role.INSTITUTION_ADMIN, institution=f.InstitutionFactory(jurisdiction="KZ")))
    for url in (
        group_url(c.group),
        reverse("curriculum:group_enrol", args=[c.group.pk]),
        student_url(s),
        reverse("curriculum:student_individual", args=[s.pk]),
        reverse("curriculum:student_exemption", args=[s.pk]),
        reverse("curriculum:exemption_edit", args=[x.pk]),
        reverse("curriculum:exemption_scan", args=[x.pk]),
    ):
        assert client.get(url).status_code == 404, url
    expel = reverse("curriculum:student_step", args=[s.pk, "expulsion"])
    assert client.post(expel, order("expulsion", reason="x")).status_code == 404
    assert client.post(reverse("curriculum:exemption_delete", args=[x.pk])).status_code == 404
    s.refresh_from_db()
    assert s.status == "enrolled" and DistanceExemption.objects.filter(pk=x.pk).exists()


def test_core_group_and_student_pages_link_here(client, login):
    c = kz_cohort()
    s = enrolled(c)
    login(c.admin)
    assert group_url(c.group) in client.get(reverse("core:groups_detail", args=[c.group.pk])).content.decode()
    assert group_url(c.group) in client.get(reverse("core:groups_edit", args=[c.group.pk])).content.decode()
    assert student_url(s) in client.get(reverse("core:students_detail", args=[s.pk])).content.decode()
    assert student_url(s) in client.get(reverse("core:students_edit", args=[s.pk])).content.decode()


# --- individual curriculum ------------------------------------------------------------------------


def plan_post(c, **cells):
    data = {"kind": "individual", "basis": "Заключение ПМПК № 7", "approved_on": "2024-09-10", "note": ""}
    data.update({f"h-{c.a.pk}-1-1": "1440", f"d-{c.a.pk}-1-1": "0", f"h-{c.b.pk}-2-1": "1440", f"h-{c.c.pk}-3-1": "1440"})
    data.update(cells)
    return data


def test_individual_curriculum_page(client, login):
    c = kz_cohort()
    s = enrolled(c)
    login(c.admin)
    url = reverse("curriculum:student_individual", args=[s.pk])
    refused = client.post(url, plan_post(c), follow=True)
    assert "only for a student with special educational needs" in refused.content.decode()
    assert not IndividualCurriculum.objects.exists()
    s.special_needs = True
    s.save()
    assert client.get(url).status_code == 200
    bad = client.post(url, plan_post(c, **{f"d-{c.a.pk}-1-1": "1500"}))
    assert bad.status_code == 400 and "cannot exceed" in bad.content.decode() and 'value="1500"' in bad.content.decode()
    assert not IndividualCurriculum.objects.exists()
    bad = client.post(url, plan_post(c, **{f"h-{c.b.pk}-2-1": "много"}))
    assert bad.status_code == 400 and "not a whole number" in bad.content.decode()
    same = client.post(url, plan_post(c))  # the working curriculum's own hours: no entry needed
    assert same.status_code == 302
    plan = IndividualCurriculum.objects.get(student=s)
    assert plan.basis == "Заключение ПМПК № 7" and not plan.entries.exists()
    changed = client.post(url, plan_post(c, **{f"h-{c.a.pk}-1-1": "1000", f"d-{c.a.pk}-1-1": "300", f"h-{c.c.pk}-3-1": ""}))
    assert changed.status_code == 302
    stored = sorted((e.component_id, e.hours, e.distance_hours) for e in plan.entries.all())
    assert stored == [(c.a.pk, 1000, 300), (c.c.pk, 0, 0)]
    html = client.get(student_url(s)).content.decode()
    assert 'id="individual-entries"' in html and "Counted on the individual curriculum" in html


# --- exemptions -----------------------------------------------------------------------------------


def exemption_post(**extra):
    return {
        "reason": "competition",
        "document": "Приказ № 14",
        "document_date": "2024-10-01",
        "valid_from": "2024-10-01",
        "valid_until": "2025-06-30",
        **extra,
    }


def test_exemption_with_a_scan(client, login, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    c = kz_cohort()
    s = enrolled(c)
    login(c.admin)
    url = reverse("curriculum:student_exemption", args=[s.pk])
    for upload, message in [
        (SimpleUploadedFile("scan.pdf", b"hello, not a pdf"), "not a readable PDF"),
        (SimpleUploadedFile("scan.exe", PDF), "PDF, JPEG or PNG"),
        (SimpleUploadedFile("scan.pdf", PDF + b"0" * (5 * 1024 * 1024)), "larger than 5 MB"),
    ]:
        response = client.post(url, exemption_post(scan=upload))
        assert response.status_code == 400 and message in response.content.decode(), message
    sen = client.post(url, exemption_post(reason="special_needs"))
    assert sen.status_code == 400 and "not marked as having special educational needs" in sen.content.decode()
    dates = client.post(url, exemption_post(valid_until="2024-09-01"))
    assert dates.status_code == 400 and "cannot end before it starts" in dates.content.decode()
    assert not DistanceExemption.objects.exists()
    ok = client.post(url, exemption_post(scan=SimpleUploadedFile("scan.pdf", PDF)))
    assert ok.status_code == 302
    x = DistanceExemption.objects.get()
    download = client.get(reverse("curriculum:exemption_scan", args=[x.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    edit = client.post(reverse("curriculum:exemption_edit", args=[x.pk]), exemption_post(document="Приказ № 15"))
    assert edit.status_code == 302
    x.refresh_from_db()
    assert x.document == "Приказ № 15" and x.scan  # the scan is kept
    client.post(reverse("curriculum:exemption_delete", args=[x.pk]))
    assert not DistanceExemption.objects.exists()
