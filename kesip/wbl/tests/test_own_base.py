"""Placements at the institution's own WBL base (F1; п. 3, п. 10): the base's host record, no agreement,
practice only, the base's places at their boundary (also under concurrent requests on PostgreSQL), its
mentors from the institution's staff, the mentor appointment signed by the head of the base, the
registry and the report that do not count the base as an employer, and its pages and API."""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from kesip.core.models import Employer, Membership
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import agreements, bases, employers, order_documents, orders, reports
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import Agreement, AnnualReport, EmployerPerson, Order, Placement, WblBase, Workplace
from kesip.wbl.tests.placement_setup import FIRST, LAST, college, values

pytestmark = pytest.mark.django_db


def with_base(t, places=2, **kwargs):
    """The college's welding workshop (a base of its own) with a workplace of 10 places and one staff mentor."""
    head = f.StaffFactory(institution=t.institution, last_name="Сыдыков", first_name="Кубанычбек", position="Устат")
    base = bases.save_base(
        WblBase(institution=t.institution, kind="workshop", name="Ширетүү устаканасы", head=head, places=places,
                address="Окуу корпусу, 1-кабат", **kwargs),
        t.admin,
        [t.specialty],
    )  # fmt: skip
    t.base, t.head_staff, t.host = base, head, base.host
    t.base_workplace = Workplace.objects.create(
        institution=t.institution, employer=base.host, title="Ширетүү посттору", places=10,
        available_from=datetime.date(2025, 1, 1), available_to=datetime.date(2025, 12, 31), safety_compliant=True,
    )  # fmt: skip
    t.mentor_user = f.member(Role.TEACHER, institution=t.institution)
    t.mentor_staff = f.StaffFactory(institution=t.institution, last_name="Орозбаев", user=t.mentor_user)
    t.base_mentor = bases.add_mentor(base, t.mentor_staff, t.admin, qualification="5-разряд")
    return t


def client_for(user):
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def at_base(t, **kwargs):
    found = dict(employer=t.host, workplace=t.base_workplace, mentor=t.base_mentor, practice_type="educational",
                 component=t.other_component)  # fmt: skip
    found.update(kwargs)
    return values(t, **found)


def check(t, step=rules.SAVE, **kwargs):
    p = Placement(**at_base(t, **kwargs))
    services.prepare(p)
    hard, soft = services.check(p, step)
    return [v.code for v in hard], [v.code for v in soft], hard, soft


def practice_period(t):
    """The other (educational) component gets the same approved period, so both practices are in the calendar."""
    t.calendar.periods.filter(pk=t.period.pk).update(component=None)


# ------------------------------------------------------------------ the host record


def test_the_base_gets_a_host_record_kept_in_step_and_out_of_the_employer_registry():
    t = with_base(college())
    host = Employer.objects.get(pk=t.base.host_id)
    assert host.kind == Employer.Kind.OWN_BASE and host.name == "Ширетүү устаканасы" and host.contact_person == str(t.head_staff)
    t.base.name, t.base.address, t.base.is_active = "Ширетүү устаканасы №1", "Жаңы корпус", False
    bases.save_base(t.base, t.admin)
    host.refresh_from_db()
    assert (host.name, host.address, host.is_active) == ("Ширетүү устаканасы №1", "Жаңы корпус", False)
    assert Employer.objects.filter(kind="own_base").count() == 1  # kept, not duplicated

    client = client_for(t.admin)
    listing = client.get(reverse("core:employers_list"))
    assert listing.status_code == 200 and "Ширетүү устаканасы" not in listing.content.decode()
    assert client.get(reverse("core:employers_detail", args=[host.pk])).status_code == 404
    api = client.get("/api/v1/employers/")
    assert host.pk not in [row["id"] for row in api.json()["results"]]
    refused = client.post(
        "/api/v1/employers/", {"name": "Жасалма база", "kind": "own_base", "sector": "education"}, content_type="application/json"
    )
    assert refused.status_code == 400 and "kind" in refused.json()
    base_api = client.get(f"/api/v1/wbl-bases/{t.base.pk}/").json()
    assert base_api["host"] == host.pk


def test_no_agreement_is_concluded_with_the_institutions_own_base():
    t = with_base(college())
    a = Agreement(institution=t.institution, employer=t.host, kind="wbl", form="practice",
                  starts_on=datetime.date(2025, 1, 1), ends_on=datetime.date(2025, 12, 31))  # fmt: skip
    with pytest.raises(WblInvalid) as refused:
        agreements.save_agreement(a, t.admin)
    assert refused.value.violations[0].field == "employer" and "п. 3" in refused.value.violations[0].message


# ------------------------------------------------------------------ the rules of a placement at the base


def test_practice_at_the_base_needs_no_agreement_while_an_employer_without_one_is_refused():
    t = with_base(college())
    practice_period(t)
    hard, soft, *_ = check(t)
    assert hard == [] and soft == []
    Agreement.objects.filter(pk=t.agreement.pk).update(status="draft")
    hard, *_ = check(t, employer=t.employer, workplace=t.workplace, mentor=t.mentor)
    assert "wbl.agreement.required" in hard
    hard, *_ = check(t, agreement=t.agreement)
    assert "wbl.agreement.required" in hard  # (and the model says the agreement is with another employer)


@pytest.mark.parametrize("form", ["dual", "internship", "apprenticeship"])
def test_only_practice_takes_place_at_the_base(form):
    t = with_base(college())
    practice_period(t)
    hard, _soft, found, _ = check(t, form=form, practice_type="")
    assert rules.OWN_BASE_PRACTICE in hard
    violation = next(v for v in found if v.code == rules.OWN_BASE_PRACTICE)
    assert "п. 3" in violation.source and violation.field == "employer"
    # its employer-side particulars (training workplace, training agreement…) are not asked for as well
    assert not {rules.DUAL_TRAINING_WORKPLACE, rules.TRAINING_AGREEMENT} & set(hard)


def test_the_bases_places_hold_at_their_boundary():
    t = with_base(college(students=4), places=2)
    practice_period(t)
    for s in t.students[:2]:
        services.save_placement(Placement(**at_base(t, student=s)), t.admin)
    with pytest.raises(WblInvalid) as refused:
        services.save_placement(Placement(**at_base(t, student=t.students[2])), t.admin)
    assert [v.code for v in refused.value.violations] == ["wbl.own_base.places"]
    assert "2" in refused.value.violations[0].message
    # one day later than the others end, the third place is free again
    Placement.objects.filter(employer=t.host).update(ends_on=FIRST + datetime.timedelta(days=6))
    services.save_placement(Placement(**at_base(t, student=t.students[2], starts_on=FIRST + datetime.timedelta(days=7))), t.admin)


def test_a_bulk_placement_counts_its_own_rows_against_the_bases_places():
    t = with_base(college(students=3), places=2)
    practice_period(t)
    common = {"form": "practice", "practice_type": "educational", "component": t.other_component, "starts_on": FIRST,
              "ends_on": LAST, "consent_by": "learner", "consent_on": datetime.date(2025, 2, 10),
              "supervisor": t.supervisor}  # fmt: skip
    rows = [{"student": s, "employer": t.host, "workplace": t.base_workplace, "mentor": t.base_mentor} for s in t.students]
    with pytest.raises(services.BulkInvalid):
        services.place_group(t.group, rows, t.admin, common)
    assert not Placement.objects.filter(employer=t.host).exists()  # all or nothing
    placed, _ = services.place_group(t.group, rows[:2], t.admin, common)
    assert len(placed) == 2


def test_a_base_out_of_use_a_learners_own_workplace_and_another_profession():
    t = with_base(college())
    practice_period(t)
    WblBase.objects.filter(pk=t.base.pk).update(is_active=False)
    hard, *_ = check(t)
    assert hard == ["wbl.own_base.in_use"]
    WblBase.objects.filter(pk=t.base.pk).update(is_active=True)
    hard, *_ = check(t, at_own_workplace=True)
    assert "wbl.placement.form" in hard
    t.base.specialties.set([f.SpecialtyFactory(jurisdiction="KG")])
    hard, soft, *_ = check(t)
    assert hard == [] and soft == ["wbl.own_base.profession"]


# ------------------------------------------------------------------ mentors of the base


def test_a_staff_member_becomes_the_bases_mentor_with_the_mentor_role_at_the_base():
    t = with_base(college())
    m = t.base_mentor
    assert (m.employer_id, m.staff_id, m.user_id, m.is_mentor) == (t.host.pk, t.mentor_staff.pk, t.mentor_user.pk, True)
    assert Membership.objects.filter(user=t.mentor_user, role=Role.MENTOR, employer=t.host, is_active=True).exists()
    with pytest.raises(WblInvalid) as twice:
        bases.add_mentor(t.base, t.mentor_staff, t.admin)
    assert twice.value.violations[0].field == "staff"
    stranger = f.StaffFactory()  # of another institution
    with pytest.raises(WblInvalid) as other:
        bases.add_mentor(t.base, stranger, t.admin)
    assert other.value.violations[0].field == "staff"
    teacher = f.member(Role.TEACHER, institution=t.institution)
    with pytest.raises(WblInvalid):
        bases.add_mentor(t.base, f.StaffFactory(institution=t.institution), teacher)  # no right to register the base's people


def test_the_bases_people_are_its_staff_mentors_and_it_has_no_head_or_representative_of_its_own():
    t = with_base(college())
    typed = EmployerPerson(employer=t.host, last_name="Асанов", first_name="Бакыт", position="Устат", is_mentor=True)
    with pytest.raises(WblInvalid) as refused:
        employers.save_person(typed, t.admin)
    assert {v.code for v in refused.value.violations} == {"wbl.mentor.host_employee"}
    head = EmployerPerson(employer=t.host, last_name="Асанов", first_name="Бакыт", position="Башчы", is_head=True)
    with pytest.raises(WblInvalid) as refused:
        employers.save_person(head, t.admin)
    assert refused.value.violations[0].field == "is_head"
    specialist = EmployerPerson(employer=t.host, last_name="Асанов", first_name="Бакыт", position="Лаборант")
    employers.save_person(specialist, t.admin)  # a specialist of the base may be recorded
    at_partner = EmployerPerson(employer=t.employer, last_name="Бекова", first_name="Айгүл", position="Устат", staff=t.head_staff)
    with pytest.raises(WblInvalid):
        employers.save_person(at_partner, t.admin)


# ------------------------------------------------------------------ the mentor appointment by the head of the base


def _ordered_at_base(t):
    practice_period(t)
    p = Placement(**at_base(t))
    services.save_placement(p, t.admin)
    return orders.prepare_mentor(t.host, [p], t.admin, dated=datetime.date(2025, 2, 20))


def test_the_bases_mentor_is_appointed_by_the_head_of_the_base():
    t = with_base(college())
    order = _ordered_at_base(t)
    assert orders.sign_modes(order, t.admin) == [orders.PRODUCTION]
    assert orders.sign_modes(order, t.rep) == []  # another employer's representative has nothing to sign here
    with pytest.raises(RuleViolation) as refused:
        orders.sign(order, t.admin, signed_on=datetime.date(2025, 2, 20))  # "in Kesip" as an employer's head
    assert "п. 10" in refused.value.message
    order = orders.sign(order, t.admin, signed_on=datetime.date(2025, 2, 20), production_head=True)
    assert order.status == Order.Status.SIGNED and order.signatory_name == str(t.head_staff)
    assert order.signatory_position == f"Head of {t.base.name}" and order.number
    doc = order_documents.build(order, list(order.lines.all()), "ru")
    assert doc.letterhead_lines[1] == t.base.name and doc.letterhead_lines[2] == t.base.address


def test_the_head_of_the_base_may_sign_the_appointment_in_kesip_itself():
    t = with_base(college())
    head_user = f.member(Role.TEACHER, institution=t.institution)
    t.head_staff.user = head_user
    t.head_staff.save(update_fields=["user"])
    order = _ordered_at_base(t)
    assert orders.sign_modes(Order.objects.select_related("employer").get(pk=order.pk), head_user) == [orders.PRODUCTION]
    assert orders.sign_modes(order, f.member(Role.TEACHER, institution=t.institution)) == []


# ------------------------------------------------------------------ the report, the pages, another institution


def test_the_report_counts_the_bases_learners_apart_from_the_employers():
    from kesip.wbl import report_indicators

    t = with_base(college(students=3), places=5)
    practice_period(t)
    services.save_placement(Placement(**at_base(t, student=t.students[0])), t.admin)
    services.save_placement(Placement(**values(t, student=t.students[1])), t.admin)
    ind = report_indicators.indicators([t.institution.pk], 2024)
    assert ind["employers"]["hosting"] == 1 and ind["employers"]["own_bases"] == 1
    assert ind["employers"]["own_base_learners"] == 1 and ind["learners"]["total"] == 2
    report = AnnualReport.objects.create(institution=t.institution, academic_year=2024)
    assert list(reports.hosting_employers(report)) == [t.employer]  # the base does not agree the report


def test_the_pages_of_the_base_and_its_mentor_form():
    t = with_base(college())
    client = client_for(t.admin)
    page = client.get(reverse("wbl:base_detail", args=[t.base.pk])).content.decode()
    assert reverse("wbl:employer_detail", args=[t.host.pk]) in page and 'id="count-mentors">1<' in page
    wbl_page = client.get(reverse("wbl:employer_detail", args=[t.host.pk])).content.decode()
    assert 'id="own-base-note"' in wbl_page and 'id="agreements"' not in wbl_page and "Орозбаев" in wbl_page
    assert 'id="warning-' not in wbl_page  # no representative is expected of the base (VR-56)
    url = reverse("wbl:base_mentor_add", args=[t.base.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, {"staff": t.mentor_staff.pk})  # already its mentor: not even offered
    assert bad.status_code == 400 and "staff" in bad.context["form"].errors
    newcomer = f.StaffFactory(institution=t.institution, last_name="Жаңыбаев")
    done = client.post(url, {"staff": newcomer.pk, "qualification": "4-разряд", "experience_years": "3"})
    assert done.status_code == 302 and EmployerPerson.objects.filter(employer=t.host, staff=newcomer, is_mentor=True).exists()
    api = client.post(f"/api/v1/wbl-bases/{t.base.pk}/mentors/", {"staff": newcomer.pk}, content_type="application/json")
    assert api.status_code == 400
    other = f.StaffFactory(institution=t.institution, last_name="Апиев")
    made = client.post(f"/api/v1/wbl-bases/{t.base.pk}/mentors/", {"staff": other.pk}, content_type="application/json")
    assert made.status_code == 201 and made.json()["staff"] == other.pk and made.json()["employer"] == t.host.pk


def test_another_institutions_base_answers_404():
    t = with_base(college())
    stranger = college()
    client = client_for(stranger.admin)
    assert client.get(reverse("wbl:base_mentor_add", args=[t.base.pk])).status_code == 404
    assert client.post(reverse("wbl:base_mentor_add", args=[t.base.pk]), {"staff": t.head_staff.pk}).status_code == 404
    assert client.get(reverse("wbl:employer_detail", args=[t.host.pk])).status_code == 404
    assert client.post(f"/api/v1/wbl-bases/{t.base.pk}/mentors/", {"staff": t.head_staff.pk}).status_code == 404


# ------------------------------------------------------------------ concurrent requests (PostgreSQL)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_three_coordinators_filling_the_bases_last_two_places_at_once_leave_two_placements():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL")
    t = with_base(college(students=3), places=2)
    practice_period(t)
    barrier, outcomes = threading.Barrier(3), []

    def run(student):
        barrier.wait()
        try:
            # no workplace and no mentor in common: only the base's own row is there to queue them
            outcomes.append(
                services.save_placement(Placement(**at_base(t, student=student, workplace=None, mentor=None)), t.admin)
            )
        except WblInvalid as refusal:
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(s,)) for s in t.students]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert Placement.objects.filter(employer=t.host).count() == 2
    refused = [o for o in outcomes if isinstance(o, WblInvalid)]
    assert len(refused) == 1 and [v.code for v in refused[0].violations] == ["wbl.own_base.places"]


def _queries(client, url):
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm the per-process caches (content types, the rulebook)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_bases_pages_read_the_same_queries_for_one_mentor_and_placement_or_several():
    t = with_base(college(students=4), places=5)
    practice_period(t)
    services.save_placement(Placement(**at_base(t, student=t.students[0])), t.admin)
    client = client_for(t.admin)
    urls = [reverse("wbl:base_detail", args=[t.base.pk]), reverse("wbl:employer_detail", args=[t.host.pk])]
    before = [_queries(client, url) for url in urls]
    for i, s in enumerate(t.students[1:], 1):
        staff = f.StaffFactory(
            institution=t.institution, last_name=f"Устат{i}", user=f.member(Role.TEACHER, institution=t.institution)
        )
        mentor = bases.add_mentor(t.base, staff, t.admin)
        services.save_placement(Placement(**at_base(t, student=s, mentor=mentor)), t.admin)
    assert [_queries(client, url) for url in urls] == before
