"""Pages of graduates' employment and qualification upgrading: who sees what, the group table, the lists' budgets."""

import datetime

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import outcomes
from kesip.wbl.models import EmployerPerson, GraduateEmployment, TrainingNeed, UpgradingEnrolment, UpgradingProgramme
from kesip.wbl.tests.test_outcomes import need, programme, record, setup

pytestmark = pytest.mark.django_db
D = datetime.date


def _employ(t, student, employer):
    return outcomes.save_employment(record(t, student=student, employer=employer), t.admin)


def test_the_list_shows_the_records_with_the_worked_out_host_flag(client, login):
    t = setup()
    _employ(t, t.g1, t.host)
    login(t.admin)
    page = client.get("/wbl/employment/").content.decode()
    assert str(t.g1) in page and "host employer" in page
    assert f"/wbl/employment/groups/{t.group.pk}/" in page  # the group with graduates leads to its table
    assert str(t.g1) not in client.get("/wbl/employment/?host=no").content.decode()


def test_a_student_sees_only_their_own_record_and_the_employer_its_own_graduates(client, login):
    t = setup()
    mine = _employ(t, t.g1, t.host)
    theirs = _employ(t, t.g2, t.other)
    t.g1.user = f.member(Role.STUDENT, institution=t.institution)
    t.g1.save(update_fields=["user"])
    login(t.g1.user)
    page = client.get("/wbl/employment/").content.decode()
    assert str(t.g1) in page and str(t.g2) not in page
    assert client.get(f"/wbl/employment/{mine.pk}/").status_code == 200
    assert client.get(f"/wbl/employment/{theirs.pk}/").status_code == 404
    assert client.get(f"/wbl/employment/{mine.pk}/edit/").status_code == 404
    login(t.rep)
    page = client.get("/wbl/employment/").content.decode()
    assert str(t.g1) in page and str(t.g2) not in page
    assert client.get(f"/wbl/employment/{theirs.pk}/").status_code == 404
    assert client.get(f"/wbl/employment/{mine.pk}/edit/").status_code == 404  # the employer reads, never records


def test_a_refused_record_shows_the_rule_beside_the_field_and_saves_nothing(client, login):
    t = setup()
    login(t.admin)
    response = client.post("/wbl/employment/add/", {"student": t.g1.pk, "outcome": "employed", "starts_on": "2025-07-01"})
    assert response.status_code == 400
    assert "Name the employer" in response.content.decode() and "п. 19" in response.content.decode()
    assert not GraduateEmployment.objects.exists()
    response = client.post(
        "/wbl/employment/add/",
        {"student": t.g1.pk, "outcome": "employed", "employer": t.host.pk, "starts_on": "2025-07-01", "in_profession": "on"},
    )
    assert response.status_code == 302
    assert GraduateEmployment.objects.get().is_host_employer is True


def test_the_group_table_saves_all_rows_or_none(client, login):
    t = setup()
    login(t.admin)
    url = f"/wbl/employment/groups/{t.group.pk}/"
    page = client.get(url).content.decode()
    assert str(t.g1) in page and str(t.g2) in page and str(t.learner) not in page
    bad = {
        f"s{t.g1.pk}-outcome": "employed", f"s{t.g1.pk}-employer": t.host.pk, f"s{t.g1.pk}-starts_on": "2025-07-01",
        f"s{t.g2.pk}-outcome": "employed", f"s{t.g2.pk}-starts_on": "2025-07-01",
    }  # fmt: skip
    response = client.post(url, bad)
    assert response.status_code == 400 and "Nothing was saved" in response.content.decode()
    assert not GraduateEmployment.objects.exists()
    good = {**bad, f"s{t.g2.pk}-employer_name": "ЖИ Бекова"}
    assert client.post(url, good).status_code == 302
    assert GraduateEmployment.objects.count() == 2
    assert client.get(f"/wbl/employment/groups/{t.group.pk}/", follow=False).status_code == 200
    login(t.rep)
    assert client.get(url).status_code == 404


def test_the_employment_list_answers_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    t = setup()
    _employ(t, t.g1, t.host)
    login(t.admin)
    with django_assert_max_num_queries(14) as few:
        client.get("/wbl/employment/")
    for _ in range(12):
        s = f.StudentFactory(institution=t.institution, group=t.group, status="graduated")
        _employ(t, s, t.other)
    with django_assert_max_num_queries(14) as many:
        assert client.get("/wbl/employment/").status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_needs_list_the_analysis_and_a_programme_built_on_a_topic(client, login):
    t = setup()
    login(t.admin)
    response = client.post(
        "/wbl/training-needs/add/", {"mentor": t.mentor.pk, "topic": "санариптик ширетүү", "academic_year": 2025}
    )
    assert response.status_code == 302
    outcomes.save_need(need(t, staff=t.teacher, topic="Санариптик ширетүү"), t.admin)
    response = client.post("/wbl/training-needs/add/", {"staff": t.manager.pk, "topic": "X", "academic_year": 2025})
    assert response.status_code == 400 and "valid choice" in response.content.decode()  # only teachers and masters offered
    page = client.get("/wbl/training-needs/analysis/?year=2025").content.decode()
    assert "Санариптик ширетүү" in page and "Plan a programme" in page
    form = client.get("/wbl/upgrading/add/?year=2025&topic=Санариптик ширетүү")
    assert form.status_code == 200 and form.context["form"].initial["needs"]
    ids = form.context["form"].initial["needs"]
    assert len(ids) == 2 and form.context["form"].instance.audience == "both"
    data = {"title": "Санариптик ширетүү", "audience": "both", "hours": 24, "starts_on": "2025-10-06", "ends_on": "2025-10-10",
            "places": 1}  # fmt: skip
    refused = client.post("/wbl/upgrading/add/", data)
    assert refused.status_code == 400 and "п. 56 item 14" in refused.content.decode()
    assert not UpgradingProgramme.objects.exists()
    response = client.post("/wbl/upgrading/add/", {**data, "needs": ids})
    assert response.status_code == 302
    p = UpgradingProgramme.objects.get()
    assert set(TrainingNeed.objects.values_list("status", flat=True)) == {"planned"}
    # Enrol the last place, then the next one is refused beside the field.
    assert client.post(f"/wbl/upgrading/{p.pk}/enrol/", {"mentor": t.mentor.pk}).status_code == 302
    refused = client.post(f"/wbl/upgrading/{p.pk}/enrol/", {"staff": t.teacher.pk})
    assert refused.status_code == 400 and "All 1 places" in refused.content.decode()
    e = UpgradingEnrolment.objects.get()
    client.post(f"/wbl/enrolments/{e.pk}/complete/", {"certificate_number": "КЖ-1", "completed_on": "2025-10-10"})
    e.refresh_from_db()
    assert e.result == "completed"
    assert TrainingNeed.objects.get(mentor=t.mentor).status == "met"


def test_the_mentors_and_the_teachers_pages_show_their_upgrading_history(client, login):
    t = setup()
    n = outcomes.save_need(need(t, mentor=t.mentor), t.admin)
    p = outcomes.create_programme(programme(t, title="Насаатчынын педагогикасы"), [n.pk], t.admin)
    e = outcomes.enrol(p, t.admin, mentor=t.mentor)
    outcomes.complete(e, "КЖ-0007", D(2025, 10, 17), t.admin, on=D(2025, 10, 20))
    login(t.rep)
    page = client.get(f"/wbl/people/{t.mentor.pk}/").content.decode()
    assert "Насаатчынын педагогикасы" in page and "КЖ-0007" in page
    assert client.get(f"/wbl/upgrading/{p.pk}/").status_code == 404  # the programme itself is the institution's
    login(t.admin)
    n2 = outcomes.save_need(need(t, staff=t.teacher, topic="Кесиптик стандарттар"), t.admin)
    p2 = outcomes.create_programme(programme(t, title="Стандарттар"), [n2.pk], t.admin)
    outcomes.enrol(p2, t.admin, staff=t.teacher)
    page = client.get(f"/wbl/staff/{t.teacher.pk}/upgrading/").content.decode()
    assert "Стандарттар" in page and "Кесиптик стандарттар" in page
    assert f"/wbl/staff/{t.teacher.pk}/upgrading/" in client.get(f"/staff/{t.teacher.pk}/").content.decode()
    for url in (f"/wbl/upgrading/{p.pk}/", f"/wbl/upgrading/{p.pk}/edit/", f"/wbl/training-needs/{n.pk}/",
                f"/wbl/upgrading/{p.pk}/history/", f"/wbl/upgrading/add/?need={n2.pk}"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client.get(f"/wbl/training-needs/{n.pk}/edit/").status_code == 404  # met: no longer changed


def test_the_graduates_page_shows_whether_the_dual_promise_was_kept(client, login):
    t = setup()
    kept = _employ(t, t.g2, t.host)
    login(t.admin)
    page = client.get(f"/wbl/employment/{kept.pk}/").content.decode()
    assert "Employment promised in dual training" in page and "kept: works there" in page
    assert client.get(f"/wbl/employment/{kept.pk}/edit/").status_code == 200
    assert client.get(f"/wbl/employment/{kept.pk}/history/").status_code == 200
    assert client.post(f"/wbl/employment/{kept.pk}/delete/").status_code == 302
    assert not GraduateEmployment.objects.exists()


def _grow_needs(t, n):
    for k in range(n):
        mentor = EmployerPerson.objects.create(
            institution=t.institution, employer=t.host, last_name=f"Насаатчы{k}", first_name="А", position="М", is_mentor=True
        )
        nd = outcomes.save_need(need(t, mentor=mentor, topic=f"Тема {k}"), t.admin)
        p = outcomes.create_programme(programme(t, title=f"Программа {k}"), [nd.pk], t.admin)
        outcomes.enrol(p, t.admin, mentor=mentor)


@pytest.mark.parametrize("url", ["/wbl/training-needs/", "/wbl/upgrading/", "/wbl/training-needs/analysis/?year=2025"])
def test_the_upgrading_lists_answer_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, url):
    t = setup()
    _grow_needs(t, 1)
    login(t.admin)
    with django_assert_max_num_queries(14) as few:
        client.get(url)
    _grow_needs(t, 10)
    with django_assert_max_num_queries(14) as many:
        assert client.get(url).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
