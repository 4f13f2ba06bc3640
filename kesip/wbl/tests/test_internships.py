"""Internships (п. 34–43): the programme agreed before the referral (VR-28), its justification (VR-30), the sites
(VR-31 warns), the outcome from the last day, the page with its orders and steps, the API, scoping and query budgets."""

import datetime
import re
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import common, internships
from kesip.wbl import internship_rules as rules
from kesip.wbl.models import EmployerPerson, InternshipSite, Order, Placement, Workplace

pytestmark = pytest.mark.django_db

P = Placement
START, END = datetime.date(2025, 6, 2), datetime.date(2025, 6, 13)


def college(jurisdiction="KG"):
    inst = f.InstitutionFactory(jurisdiction=jurisdiction, head="Кыпчаков Б. Т.", legal_address="Ош ш., Ленин к. 1")
    programme = f.ProgrammeFactory(institution=inst)
    group = f.GroupFactory(institution=inst, programme=programme)
    employer = f.EmployerFactory(institution=inst, name="ОсОО «Ширетүү»", address="Бишкек ш., Чүй пр. 5", sector="manufacturing")
    Workplace.objects.create(safety_compliant=True,
        institution=inst, employer=employer, title="Цех", specialty=programme.specialty, places=3,
        available_from=datetime.date(2025, 1, 1), available_to=datetime.date(2025, 12, 31),
    )  # fmt: skip
    EmployerPerson.objects.create(
        institution=inst, employer=employer, last_name="Башчы", first_name="Бакыт", position="Директор", is_head=True
    )
    return SimpleNamespace(
        institution=inst,
        programme=programme,
        group=group,
        employer=employer,
        staff=f.StaffFactory(institution=inst, last_name="Мугалимов", patronymic="Токтогулович", position="Мастер"),
        student=f.StudentFactory(institution=inst, group=group, last_name="Стажеров"),
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
    )


def internship(t, teacher=True, **kwargs):
    values = dict(
        institution=t.institution,
        form="internship",
        employer=t.employer,
        starts_on=START,
        ends_on=END,
        hours=72,
        intern_category="teacher" if teacher else "graduating",
        internship_type="production",
        internship_mode="targeted",
        individual_programme="1. Жаңы ширетүү аппараты менен таанышуу — натыйжа: өз алдынча иштейт.",
        intern_education="Орто кесиптик",
        intern_experience="5 жыл",
        intern_position="Өндүрүштүк окутуунун мастери",
        internship_goals="Квалификациялык разрядды жогорулатуу",
        duration_reason="Эки жума: жаңы жабдуу",
    )
    if teacher:
        values["intern_staff"] = t.staff
    else:
        values["student"], values["group"] = t.student, t.group
    values.update(kwargs)
    return P.objects.create(**values)


def referral(t, placement, status="signed", kind="internship_referral"):
    order = Order.objects.create(
        institution=t.institution,
        kind=kind,
        employer=t.employer if kind == "internship_admission" else None,
        year=2025,
        number=f"{Order.objects.count() + 1}-С" if status == "signed" else "",
        dated=datetime.date(2025, 5, 25),
        title="Стажировкага жөнөтүү",
        status=status,
    )
    order.lines.create(institution=t.institution, placement=placement, learner_name=str(placement.learner))
    return order


def codes(caught):
    return {v.code for v in caught.value.violations}


# --- The programme: agreed before the referral (VR-28) -----------------------------------------------------------


def test_the_enterprise_agrees_the_programme_and_who_agreed_is_kept():
    t = college()
    p = internship(t)
    done = internships.agree_programme(p, datetime.date(2025, 5, 20), "Башчы Б., директор", t.admin)
    assert done.programme_agreed_on == datetime.date(2025, 5, 20)
    assert internships.programme_agreement(done) == "Башчы Б., директор"


def test_a_draft_referral_does_not_block_but_a_signed_one_does():
    t = college()
    p = internship(t)
    order = referral(t, p, status="draft")
    assert internships.agree_programme(p, datetime.date(2025, 5, 20), "Башчы Б.", t.admin).programme_agreed_on
    P.objects.filter(pk=p.pk).update(programme_agreed_on=None)
    order.status, order.number = "signed", "7-С"
    order.save()
    with pytest.raises(common.WblInvalid) as caught:
        internships.agree_programme(p, datetime.date(2025, 5, 20), "Башчы Б.", t.admin)
    v = next(v for v in caught.value.violations if v.code == rules.PROGRAMME_AGREED)
    assert "before the referral" in v.message and "п. 39" in v.source
    p.refresh_from_db()
    assert p.programme_agreed_on is None


@pytest.mark.parametrize("status", ["ordered", "active", "closed"])
def test_an_internship_past_the_referral_is_not_agreed(status):
    t = college()
    p = internship(t, status=status)
    with pytest.raises(common.WblInvalid) as caught:
        internships.agree_programme(p, datetime.date(2025, 5, 20), "Башчы Б.", t.admin)
    assert rules.PROGRAMME_AGREED in codes(caught)


@pytest.mark.parametrize(
    "field",
    ["individual_programme", "intern_education", "internship_goals", "intern_experience", "intern_position", "duration_reason"],
)
def test_a_programme_without_its_tasks_or_the_grounds_of_its_duration_is_not_agreed(field):
    t = college()
    p = internship(t, **{field: "  "})
    with pytest.raises(common.WblInvalid) as caught:
        internships.agree_programme(p, datetime.date(2025, 5, 20), "Башчы Б.", t.admin)
    assert [v.field for v in caught.value.violations] == [field]
    assert "п. 40" in caught.value.violations[0].source


def test_the_agreement_date_is_not_in_the_future_nor_after_the_start():
    t = college()
    p = internship(t)
    with pytest.raises(common.WblInvalid) as caught:
        internships.agree_programme(p, START + datetime.timedelta(days=1), "Башчы Б.", t.admin)
    assert caught.value.violations[0].field == "agreed_on"
    assert internships.agree_programme(p, START, "Башчы Б.", t.admin).programme_agreed_on == START
    future = internship(
        t,
        starts_on=datetime.date.today() + datetime.timedelta(days=30),
        ends_on=datetime.date.today() + datetime.timedelta(days=40),
    )
    with pytest.raises(common.WblInvalid) as caught:
        internships.agree_programme(future, datetime.date.today() + datetime.timedelta(days=1), "Башчы Б.", t.admin)
    assert "future" in caught.value.violations[0].message


def test_changing_an_agreed_programme_clears_the_agreement():
    t = college()
    p = internship(t, programme_agreed_on=datetime.date(2025, 5, 20))
    p.individual_programme += "\n2. Жаңы тапшырма."
    saved, reagree = internships.save_internship(p, t.admin)
    assert reagree and saved.programme_agreed_on is None
    referral(t, p)
    p.intern_position = "Мастер"
    with pytest.raises(common.WblInvalid):
        internships.save_internship(p, t.admin)


def test_a_teacher_is_an_intern_of_the_teacher_category_only():
    t = college()
    p = internship(t)
    p.intern_category = "graduate"
    with pytest.raises(common.WblInvalid) as caught:
        internships.save_internship(p, t.admin)
    assert caught.value.violations[0].field == "intern_category"


def test_another_form_is_not_an_internship():
    t = college()
    practice = P.objects.create(
        institution=t.institution, form="practice", practice_type="production", student=t.student, group=t.group,
        employer=t.employer, starts_on=START, ends_on=END,
    )  # fmt: skip
    with pytest.raises(RuleViolation):
        internships.agree_programme(practice, START, "x", t.admin)


def test_the_employer_representative_agrees_for_its_own_enterprise_only():
    t = college()
    p = internship(t)
    rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.employer)
    assert internships.agree_programme(p, datetime.date(2025, 5, 20), "Башчы Б.", rep).programme_agreed_on
    other = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    q = internship(t)
    with pytest.raises(RuleViolation):
        internships.agree_programme(q, datetime.date(2025, 5, 20), "x", other)


# --- The outcome, from the last day ---------------------------------------------------------------------------


def test_the_outcome_is_recorded_from_the_last_day_and_not_the_day_before():
    t = college()
    p = internship(t, status="active")
    with pytest.raises(common.WblInvalid) as caught:
        internships.record_outcome(p, "successful", t.admin, on=END - datetime.timedelta(days=1))
    assert "13.06.2025" in caught.value.violations[0].message
    assert internships.record_outcome(p, "successful", t.admin, on=END).outcome == "successful"


@pytest.mark.parametrize("status", ["planned", "ordered", "cancelled"])
def test_no_outcome_before_the_internship_took_place(status):
    t = college()
    p = internship(t, status=status)
    with pytest.raises(common.WblInvalid):
        internships.record_outcome(p, "successful", t.admin, on=END)


# --- Sites (п. 37; VR-31 soft) ---------------------------------------------------------------------------------


def test_a_site_lies_within_the_internship_first_and_last_day_included():
    t = college()
    p = internship(t)
    other = f.EmployerFactory(institution=t.institution, sector="manufacturing")
    site, _w = internships.save_site(InternshipSite(placement=p, employer=other, starts_on=START, ends_on=END), t.admin)
    assert site.pk and site.institution_id == t.institution.pk
    for starts, ends, field in (
        (START - datetime.timedelta(days=1), END, "starts_on"),
        (START, END + datetime.timedelta(days=1), "ends_on"),
    ):
        with pytest.raises(common.WblInvalid) as caught:
            internships.save_site(InternshipSite(placement=p, employer=t.employer, starts_on=starts, ends_on=ends), t.admin)
        assert caught.value.violations[0].field == field
    with pytest.raises(common.WblInvalid) as caught:
        internships.save_site(InternshipSite(placement=p, employer=other, starts_on=START, ends_on=START), t.admin)
    assert "already a site" in caught.value.violations[0].message
    assert InternshipSite.objects.count() == 1


def test_an_enterprise_without_a_profession_of_the_institution_is_warned_not_refused():
    t = college()
    p = internship(t)
    stranger = f.EmployerFactory(institution=t.institution, name="ОсОО «Башка»", sector="trade")
    site, warnings = internships.save_site(InternshipSite(placement=p, employer=stranger, starts_on=START, ends_on=END), t.admin)
    assert site.pk and [w.code for w in warnings] == [rules.SITE_PROFILE] and "п. 37" in warnings[0].source
    # A workplace of the programme's specialty links it; so does co-development of a programme.
    Workplace.objects.create(safety_compliant=True,
        institution=t.institution, employer=stranger, title="Дүкөн", specialty=t.programme.specialty, places=1,
        available_from=START, available_to=END,
    )  # fmt: skip
    assert internships.site_warnings_for(p, [site]) == {}
    third = f.EmployerFactory(institution=t.institution)
    t.programme.co_developers.add(third)
    assert rules.profiled_employer_ids(t.institution.pk, [third.pk]) == {third.pk}


def test_a_pedagogical_internship_is_warned_at_a_site_outside_education():
    t = college()
    p = internship(t, internship_type="pedagogical")
    warnings = internships.site_warnings_for(p, [])
    assert "educational organisation" in warnings[t.employer.pk][0].message
    t.employer.sector = "education"
    t.employer.save()
    assert internships.site_warnings_for(p, []) == {}


def test_the_site_rules_do_not_warn_in_kazakhstan():
    t = college("KZ")
    p = internship(t, internship_type="pedagogical")
    assert internships.site_warnings_for(p, []) == {}


def test_sites_are_not_changed_once_the_internship_is_over():
    t = college()
    p = internship(t, status="completed")
    with pytest.raises(RuleViolation):
        internships.save_site(InternshipSite(placement=p, employer=t.employer, starts_on=START, ends_on=END), t.admin)


# --- The page ----------------------------------------------------------------------------------------------------


def test_the_page_shows_the_programme_the_justification_the_orders_and_the_steps(client, login):
    t = college()
    p = internship(t)
    InternshipSite.objects.create(
        institution=t.institution, placement=p, employer=t.employer, starts_on=START, ends_on=END, tasks="Цех"
    )
    order = referral(t, p, status="draft")
    login(t.admin)
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert "Жаңы ширетүү аппараты" in page and "Эки жума: жаңы жабдуу" in page and "Өндүрүштүк окутуунун мастери" in page
    assert str(order.get_kind_display()) in page or "Referral to internship" in page
    assert 'id="agree-form"' in page and 'id="add-site"' in page and 'id="outcome-form"' not in page
    response = client.post(f"/wbl/internships/{p.pk}/agree/", {"agreed_on": "2025-05-20", "agreed_by": "Башчы Б., директор"})
    assert response.status_code == 302
    page = client.get(f"/wbl/internships/{p.pk}/").content.decode()
    assert "Башчы Б., директор" in page and 'id="agree-form"' not in page


def test_a_refused_agreement_is_shown_beside_the_field_and_saves_nothing(client, login):
    t = college()
    p = internship(t, duration_reason="")
    login(t.admin)
    response = client.post(f"/wbl/internships/{p.pk}/agree/", {"agreed_on": "2025-05-20", "agreed_by": "Башчы"})
    assert response.status_code == 400 and "fill in" in response.content.decode()
    p.refresh_from_db()
    assert p.programme_agreed_on is None


def test_the_programme_page_edits_the_programme(client, login):
    t = college()
    p = internship(t)
    login(t.admin)
    assert client.get(f"/wbl/internships/{p.pk}/programme/").status_code == 200
    data = {name: getattr(p, name) for name in internships.PROGRAMME_FIELDS}
    data["individual_programme"] = "1. Жаңы."
    assert client.post(f"/wbl/internships/{p.pk}/programme/", data).status_code == 302
    p.refresh_from_db()
    assert p.individual_programme == "1. Жаңы."
    data["intern_category"] = ""
    assert client.post(f"/wbl/internships/{p.pk}/programme/", data).status_code == 400


def test_sites_through_the_pages(client, login):
    t = college()
    p = internship(t)
    login(t.admin)
    assert client.get(f"/wbl/internships/{p.pk}/site/").status_code == 200
    bad = client.post(
        f"/wbl/internships/{p.pk}/site/", {"employer": t.employer.pk, "starts_on": "2025-06-01", "ends_on": "2025-06-13"}
    )
    assert bad.status_code == 400 and "lies within it" in bad.content.decode()
    assert (
        client.post(
            f"/wbl/internships/{p.pk}/site/", {"employer": t.employer.pk, "starts_on": "2025-06-02", "ends_on": "2025-06-06"}
        ).status_code
        == 302
    )
    site = InternshipSite.objects.get()
    assert (
        client.post(
            f"/wbl/internships/{p.pk}/site/",
            {"site": site.pk, "employer": t.employer.pk, "starts_on": "2025-06-02", "ends_on": "2025-06-09"},
        ).status_code
        == 302
    )
    site.refresh_from_db()
    assert site.ends_on == datetime.date(2025, 6, 9)
    assert client.post(f"/wbl/internships/{p.pk}/site/delete/", {"site": site.pk}).status_code == 302
    assert not InternshipSite.objects.exists()


def test_a_practice_placement_is_not_an_internship_page(client, login):
    t = college()
    practice = P.objects.create(
        institution=t.institution, form="practice", practice_type="production", student=t.student, group=t.group,
        employer=t.employer, starts_on=START, ends_on=END,
    )  # fmt: skip
    login(t.admin)
    assert client.get(f"/wbl/internships/{practice.pk}/").status_code == 404


def test_scoping_of_the_pages(client, login):
    t = college()
    mine = internship(t, teacher=False)
    teachers = internship(t)
    user = f.member(Role.STUDENT, institution=t.institution)
    t.student.user = user
    t.student.save(update_fields=["user"])
    login(user)
    listing = client.get("/wbl/internships/").content.decode()
    assert f"internship-{mine.pk}" in listing and f"internship-{teachers.pk}" not in listing
    page = client.get(f"/wbl/internships/{mine.pk}/").content.decode()
    assert 'id="agree-form"' not in page and 'id="add-site"' not in page
    assert client.post(f"/wbl/internships/{mine.pk}/agree/", {"agreed_on": "2025-05-20", "agreed_by": "x"}).status_code == 404
    b = college("KZ")
    login(b.admin)
    assert client.get(f"/wbl/internships/{mine.pk}/").status_code == 404
    assert client.post(f"/wbl/internships/{mine.pk}/outcome/", {"outcome": "successful"}).status_code == 404
    assert f"internship-{mine.pk}" not in client.get("/wbl/internships/").content.decode()


def test_the_list_filters_teachers_and_years(client, login):
    t = college()
    learner = internship(t, teacher=False)
    teacher = internship(t)
    old = internship(t, starts_on=datetime.date(2023, 3, 1), ends_on=datetime.date(2023, 3, 10))
    login(t.admin)
    page = client.get("/wbl/internships/?category=teacher&year=2025").content.decode()
    assert f"internship-{teacher.pk}" in page and f"internship-{learner.pk}" not in page and f"internship-{old.pk}" not in page


@pytest.mark.parametrize("rows", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    for i in range(rows):
        p = internship(t, teacher=i % 2 == 0)
        InternshipSite.objects.create(institution=t.institution, placement=p, employer=t.employer, starts_on=START, ends_on=END)
    login(t.admin)
    with django_assert_max_num_queries(8):
        response = client.get("/wbl/internships/")
    assert response.status_code == 200 and response.content.decode().count('id="internship-') == rows


@pytest.mark.parametrize("sites", [1, 10])
def test_the_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, sites):
    t = college()
    p = internship(t)
    for i in range(sites):
        e = f.EmployerFactory(institution=t.institution)
        InternshipSite.objects.create(
            institution=t.institution, placement=p, employer=e, starts_on=START, ends_on=START + datetime.timedelta(days=i % 5)
        )
    referral(t, p, status="draft")
    login(t.admin)
    with django_assert_max_num_queries(20):
        response = client.get(f"/wbl/internships/{p.pk}/")
    assert response.status_code == 200 and len(re.findall(r'id="site-\d', response.content.decode())) == sites


# --- API ---------------------------------------------------------------------------------------------------------


def test_the_api_agrees_records_the_outcome_and_manages_sites(client, login):
    t = college()
    p = internship(t)
    login(t.admin)
    body = client.get(f"/api/v1/internships/{p.pk}/").json()
    assert body["intern"] == str(t.staff) and body["certificate"] is None and body["sites"] == []
    ok = client.post(
        f"/api/v1/internships/{p.pk}/agree-programme/",
        {"agreed_on": "2025-05-20", "agreed_by": "Башчы"},
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["programme_agreed_on"] == "2025-05-20"
    again = client.post(f"/api/v1/internships/{p.pk}/outcome/", {"outcome": "successful"}, content_type="application/json")
    assert again.status_code == 400 and again.json()["field"] == "outcome"
    stranger = f.EmployerFactory(institution=t.institution, sector="trade")
    site = client.post(
        f"/api/v1/internships/{p.pk}/sites/",
        {"employer": stranger.pk, "starts_on": "2025-06-02", "ends_on": "2025-06-05", "tasks": "x"},
        content_type="application/json",
    )
    assert site.status_code == 200 and site.json()["warnings"][0]["code"] == rules.SITE_PROFILE
    site_id = site.json()["site"]["id"]
    bad = client.post(
        f"/api/v1/internships/{p.pk}/sites/",
        {"id": site_id, "employer": stranger.pk, "starts_on": "2025-05-02", "ends_on": "2025-06-05"},
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["field"] == "starts_on"
    assert (
        client.post(f"/api/v1/internships/{p.pk}/remove-site/", {"id": site_id}, content_type="application/json").status_code
        == 204
    )
    b = college("KZ")
    foreign = client.post(
        f"/api/v1/internships/{p.pk}/sites/",
        {"employer": b.employer.pk, "starts_on": "2025-06-02", "ends_on": "2025-06-05"},
        content_type="application/json",
    )
    assert foreign.status_code == 400 and "employer" in foreign.json()


@pytest.mark.parametrize("rows", [2, 20])
def test_the_api_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    for i in range(rows):
        p = internship(t, teacher=i % 2 == 0)
        InternshipSite.objects.create(institution=t.institution, placement=p, employer=t.employer, starts_on=START, ends_on=END)
    login(t.admin)
    with django_assert_max_num_queries(7):  # session, user, memberships, count, page, certificates, sites
        response = client.get("/api/v1/internships/")
    assert response.status_code == 200 and response.json()["count"] == rows
