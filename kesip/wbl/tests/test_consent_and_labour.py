"""Consent asked and answered in Kesip (F11, VR-42), the legal representative's and the volunteer contact's
roles (F36), and the working time of minors (F37): each rule at its boundary."""

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse

from kesip.core.models import Invitation, Membership, Student, StudentRepresentative
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import consent, labour_rules
from kesip.wbl import placement_rules as rules
from kesip.wbl import placements as services
from kesip.wbl.common import WblInvalid, rulebook
from kesip.wbl.models import DiaryEntry, Placement, VolunteerRecognition
from kesip.wbl.tests.placement_setup import FIRST, college, plan, values

pytestmark = pytest.mark.django_db
MINOR = datetime.date(2008, 6, 1)  # 16 on the first day of the period (03.03.2025)


def minor(student, born=MINOR):
    Student.objects.filter(pk=student.pk).update(birth_date=born)
    student.refresh_from_db()
    return student


def representative(t, student, **kwargs):
    user = f.member(Role.LEGAL_REPRESENTATIVE, institution=t.institution, email="ata@example.kg")
    rep = StudentRepresentative.objects.create(
        institution=t.institution,
        student=student,
        full_name="Асанова Гүлнара",
        relation="mother",
        email="ata@example.kg",
        user=user,
        **kwargs,
    )
    return user, rep


def check(t, step=rules.SAVE, **kwargs):
    p = Placement(**values(t, **kwargs))
    services.prepare(p)
    hard, soft = services.check(p, step)
    return [v.code for v in hard], [v.code for v in soft], hard, soft


# ------------------------------------------------------------------ VR-42 with the consent asked in Kesip


def test_consent_asked_in_kesip_warns_while_planned_and_blocks_the_roster_agreement():
    t = college()
    hard, soft, _, found = check(t, consent_by="requested", consent_on=None)
    assert hard == [] and soft == [rules.CONSENT] and "п. 56" in found[0].source
    hard, *_ = check(t, rules.AGREE, consent_by="requested", consent_on=None)
    assert rules.CONSENT in hard
    hard, *_ = check(t, consent_by="refused", consent_on=datetime.date(2025, 2, 1))
    assert hard == [rules.CONSENT]


def test_planning_with_the_consent_asked_mails_the_learner_of_age_and_each_representative(django_capture_on_commit_callbacks):
    t = college()
    learner = t.students[0]
    Student.objects.filter(pk=learner.pk).update(email="student@example.kg")
    learner.refresh_from_db()
    StudentRepresentative.objects.create(
        institution=t.institution, student=learner, full_name="Асанов Бакыт", relation="father", email="ata@example.kg"
    )
    StudentRepresentative.objects.create(
        institution=t.institution, student=learner, full_name="Жок", relation="other", email="off@example.kg", is_active=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        p = plan(t, consent_by="requested", consent_on=None)
    assert p.consent_requested_at is not None and p.consent_on is None
    assert sorted(m.to[0] for m in mail.outbox) == ["ata@example.kg", "student@example.kg"]
    assert "/wbl/consent/" in mail.outbox[0].body and str(learner) in mail.outbox[0].body


def test_a_minors_consent_mail_goes_to_the_representative_only(django_capture_on_commit_callbacks):
    t = college()
    learner = minor(t.students[0])
    Student.objects.filter(pk=learner.pk).update(email="student@example.kg")
    representative(t, learner)
    with django_capture_on_commit_callbacks(execute=True):
        plan(t, consent_by="requested", consent_on=None)
    assert [m.to[0] for m in mail.outbox] == ["ata@example.kg"]


def test_the_learner_of_age_gives_the_consent_and_the_roster_can_then_be_agreed():
    t = college()
    user = f.member(Role.STUDENT, institution=t.institution)
    learner = t.students[0]
    Student.objects.filter(pk=learner.pk).update(user=user)
    p = plan(t, consent_by="requested", consent_on=None)
    assert list(consent.for_user(user)) == [p]
    consent.answer(p, user, consent.GIVE, today=datetime.date(2025, 2, 12))
    p.refresh_from_db()
    assert (p.consent_by, p.consent_on, p.consent_user) == ("learner", datetime.date(2025, 2, 12), user)
    services.agree_roster([p], datetime.date(2025, 2, 13), t.admin)
    p.refresh_from_db()
    assert p.status == "roster_agreed"


def test_a_minor_does_not_answer_for_themself_and_the_representative_does():
    t = college()
    learner = minor(t.students[0])
    own = f.member(Role.STUDENT, institution=t.institution)
    Student.objects.filter(pk=learner.pk).update(user=own)
    p = plan(t, consent_by="requested", consent_on=None)
    with pytest.raises(RuleViolation) as refused:
        consent.answer(p, own, consent.GIVE)
    assert refused.value.code == rules.MINOR_AGE and "п. 56" in refused.value.source
    parent, rep = representative(t, learner)
    consent.answer(p, parent, consent.GIVE, today=datetime.date(2025, 2, 12))
    p.refresh_from_db()
    assert (p.consent_by, p.legal_representative, p.consent_user) == ("representative", rep.full_name, parent)
    assert rules.violations(p, step=rules.AGREE)[0] == []


def test_a_refusal_blocks_the_placement_until_it_is_asked_again():
    t = college()
    learner = minor(t.students[0])
    parent, _rep = representative(t, learner)
    p = plan(t, consent_by="requested", consent_on=None)
    consent.answer(p, parent, consent.REFUSE, today=datetime.date(2025, 2, 12))
    p.refresh_from_db()
    assert p.consent_by == "refused"
    with pytest.raises(WblInvalid) as blocked:
        services.agree_roster([p], datetime.date(2025, 2, 13), t.admin)
    assert rules.CONSENT in [v.code for v in blocked.value.violations]
    # Asked again, the coordinator's save warns only.
    p.consent_by = "requested"
    assert [v.code for v in services.save_placement(p, t.admin)] == [rules.CONSENT]


def test_only_the_linked_representative_answers_and_only_while_planned():
    t = college()
    learner = minor(t.students[0])
    p = plan(t, consent_by="requested", consent_on=None)
    stranger = f.member(Role.LEGAL_REPRESENTATIVE, institution=t.institution)
    assert list(consent.for_user(stranger)) == []
    with pytest.raises(RuleViolation):
        consent.answer(p, stranger, consent.GIVE)
    parent, rep = representative(t, learner)
    with pytest.raises(RuleViolation):
        consent.answer(p, parent, "maybe")
    rep.is_active = False
    rep.save()
    assert list(consent.for_user(f.UserFactory())) == []
    Placement.objects.filter(pk=p.pk).update(status="cancelled")
    assert list(consent.for_user(parent)) == []


def test_the_coordinator_cannot_record_a_refusal_through_the_api(client):
    t = college()
    client.force_login(t.admin)
    data = {**{k: getattr(v, "pk", v) for k, v in values(t).items()}, "consent_by": "refused"}
    data = {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data.items()}
    response = client.post("/api/v1/placements/", data, content_type="application/json")
    assert response.status_code == 400 and "consent_by" in response.json()
    assert not Placement.objects.exists()


# ------------------------------------------------------------------ The legal representative's view (F36)


def test_a_representative_sees_only_the_learners_linked_to_them_and_answers_on_the_page(client):
    t = college()
    learner = minor(t.students[0])
    other = minor(t.students[1])
    parent, _rep = representative(t, learner)
    mine = plan(t, consent_by="requested", consent_on=None)
    theirs = plan(t, student=other, consent_by="representative", consent_on=FIRST, legal_representative="Башка")
    assert list(Placement.objects.for_user(parent)) == [mine]
    client.force_login(parent)
    page = client.get(reverse("wbl:consent"))
    assert page.status_code == 200 and str(learner) in page.content.decode() and str(other) not in page.content.decode()
    assert client.post(reverse("wbl:consent_answer", args=[theirs.pk]), {"answer": "give"}).status_code == 404
    assert client.get(reverse("wbl:placement_detail", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("wbl:consent_answer", args=[mine.pk]), {"answer": "give"})
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.consent_by == "representative" and mine.consent_user == parent
    assert client.get(reverse("wbl:dashboard")).url == reverse("wbl:consent")


def test_the_api_answers_the_consent_and_refuses_another_learner():
    from rest_framework.test import APIClient

    t = college()
    learner = minor(t.students[0])
    parent, _rep = representative(t, learner)
    p = plan(t, consent_by="requested", consent_on=None)
    other = plan(t, student=t.students[1], consent_by="requested", consent_on=None)
    api = APIClient()
    api.force_authenticate(parent)
    assert api.post(f"/api/v1/placements/{other.pk}/consent/", {"answer": "give"}, format="json").status_code == 404
    bad = api.post(f"/api/v1/placements/{p.pk}/consent/", {"answer": "later"}, format="json")
    assert bad.status_code == 400
    ok = api.post(f"/api/v1/placements/{p.pk}/consent/", {"answer": "refuse"}, format="json")
    assert ok.status_code == 200 and ok.json()["consent_by"] == "refused"


def test_the_institution_keeps_representatives_and_an_accepted_invitation_links_the_account(client):
    t = college()
    learner = t.students[0]
    client.force_login(t.admin)
    url = reverse("wbl:student_representatives", args=[learner.pk])
    bad = client.post(url, {"full_name": "", "relation": "mother", "email": "not-an-email"})
    assert bad.status_code == 400 and not StudentRepresentative.objects.exists()
    assert client.post(url, {"full_name": "Асанова Гүлнара", "relation": "mother", "email": "Ata@Example.kg"}).status_code == 302
    twice = client.post(url, {"full_name": "Экинчи", "relation": "father", "email": "ata@example.kg"})
    assert twice.status_code == 400 and StudentRepresentative.objects.count() == 1
    rep = StudentRepresentative.objects.get()
    client.post(reverse("wbl:student_representative_invite", args=[learner.pk, rep.pk]))
    invitation = Invitation.objects.get(role=Role.LEGAL_REPRESENTATIVE)
    assert mail.outbox and mail.outbox[-1].to == ["ata@example.kg"]
    client.logout()
    accepted = client.post(
        reverse("core:accept_invitation", args=[invitation.token]),
        {"username": "gulnara", "password1": "Kesip-parent-2026!", "password2": "Kesip-parent-2026!"},
    )
    assert accepted.status_code == 302
    rep.refresh_from_db()
    assert rep.user is not None and rep.user.username == "gulnara"
    assert Membership.objects.filter(user=rep.user, role=Role.LEGAL_REPRESENTATIVE, institution=t.institution).exists()


def test_the_api_invites_a_representative_and_refuses_without_an_e_mail():
    from rest_framework.test import APIClient

    t = college()
    learner = t.students[0]
    rep = StudentRepresentative.objects.create(institution=t.institution, student=learner, full_name="Асанов Бакыт",
                                               relation="father", email="ata@example.kg")  # fmt: skip
    api = APIClient()
    api.force_authenticate(t.admin)
    made = api.post(f"/api/v1/student-representatives/{rep.pk}/invite/", format="json")
    invitation = Invitation.objects.get(email="ata@example.kg", role=Role.LEGAL_REPRESENTATIVE)
    assert made.status_code == 200 and made.json()["link"].endswith(reverse("core:accept_invitation", args=[invitation.token]))
    again = api.post(f"/api/v1/student-representatives/{rep.pk}/invite/", format="json")
    assert again.status_code == 200 and Invitation.objects.filter(email="ata@example.kg").count() == 1  # the same one
    silent = StudentRepresentative.objects.create(institution=t.institution, student=learner, full_name="Асанова Айгүл",
                                                  relation="mother")  # fmt: skip
    refused = api.post(f"/api/v1/student-representatives/{silent.pk}/invite/", format="json")
    assert refused.status_code == 400 and refused.json()["field"] == "email"
    stranger = APIClient()
    stranger.force_authenticate(college().admin)
    assert stranger.post(f"/api/v1/student-representatives/{rep.pk}/invite/", format="json").status_code == 404


def test_another_institutions_learner_answers_404_on_the_representatives_page(client):
    t, other = college(), college()
    client.force_login(t.admin)
    assert client.get(reverse("wbl:student_representatives", args=[other.students[0].pk])).status_code == 404
    assert client.get(reverse("wbl:student_representatives", args=[t.students[0].pk])).status_code == 200


# ------------------------------------------------------------------ The volunteer organisation's contact (F36)


def test_the_volunteer_contact_uploads_evidence_of_its_own_volunteers_only(client):
    t = college()
    contact = f.member(Role.VOLUNTEER_CONTACT, institution=t.institution, employer=t.employer)
    other_org = f.EmployerFactory(institution=t.institution)
    base = dict(institution=t.institution, student=t.students[0], activity="Уход за пожилыми", hours=40)
    base.update(starts_on=datetime.date(2025, 1, 10), ends_on=datetime.date(2025, 2, 10), practice_type="educational")
    ours = VolunteerRecognition.objects.create(organisation=t.employer, **base)
    theirs = VolunteerRecognition.objects.create(organisation=other_org, **base)
    client.force_login(contact)
    assert client.get(reverse("wbl:volunteer_detail", args=[ours.pk])).status_code == 200
    assert client.get(reverse("wbl:volunteer_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("wbl:volunteer_edit", args=[ours.pk])).status_code == 200
    assert client.get(reverse("wbl:dashboard")).url == reverse("wbl:volunteer_list")
    from kesip.wbl import internships

    assert internships.may_submit(contact, ours) and not internships.may_submit(contact, theirs)
    assert "recognise" not in internships.volunteer_steps(ours, contact)


# ------------------------------------------------------------------ F37: working time of minors (п. 11)


def test_a_minors_placement_holds_to_36_hours_a_week_at_the_boundary():
    t = college()
    learner = minor(t.students[0])
    kwargs = dict(
        component=None,
        starts_on=datetime.date(2025, 3, 3),
        ends_on=datetime.date(2025, 3, 30),  # 28 days: four weeks
        consent_by="representative",
        legal_representative="Асанова",
    )
    assert labour_rules.MINOR_WEEK not in check(t, hours=144, **kwargs)[0]
    hard, _, found, _ = check(t, hours=145, **kwargs)
    assert labour_rules.MINOR_WEEK in hard
    v = next(v for v in found if v.code == labour_rules.MINOR_WEEK)
    assert v.field == "hours" and "п. 11" in v.source and "36" in v.message and "144" in v.message
    # A learner of age on the first day is not held to it.
    minor(learner, born=datetime.date(2007, 3, 3))  # 18 on 03.03.2025
    adult = {**kwargs, "consent_by": "learner", "legal_representative": ""}
    assert labour_rules.MINOR_WEEK not in check(t, hours=145, **adult)[0]


def test_a_learner_under_16_holds_to_24_hours_a_week_and_5_a_working_day_in_a_short_placement():
    t = college()
    minor(t.students[0], born=datetime.date(2009, 3, 11))  # 15 until 11.03.2025
    kwargs = dict(component=None, consent_by="representative", legal_representative="Асанова")
    four_weeks = dict(starts_on=datetime.date(2025, 3, 3), ends_on=datetime.date(2025, 3, 30))
    assert labour_rules.YOUNG_WEEK not in check(t, hours=96, **kwargs, **four_weeks)[0]
    assert labour_rules.YOUNG_WEEK in check(t, hours=97, **kwargs, **four_weeks)[0]
    # Wednesday to Monday: 4 working days (Wed–Sat, 20 h) in one week and 1 (5 h) in the next; Sunday is off.
    split = dict(starts_on=datetime.date(2025, 3, 5), ends_on=datetime.date(2025, 3, 10))
    assert labour_rules.YOUNG_WEEK not in check(t, hours=25, **kwargs, **split)[0]
    assert labour_rules.YOUNG_WEEK in check(t, hours=26, **kwargs, **split)[0]


def test_the_diary_warns_of_a_minors_day_over_7_hours_and_a_week_over_36():
    t = college()
    learner = minor(t.students[0])
    p = plan(t, consent_by="representative", legal_representative="Асанова")
    book = rulebook(t.institution)

    def entry(on, hours):
        DiaryEntry.objects.create(
            institution=t.institution, placement=p, date=on, task="Сварка", work_done="Шов", hours=Decimal(hours)
        )

    monday = datetime.date(2025, 3, 3)
    entry(monday, "7")
    assert labour_rules.diary_warnings(p, book) == []
    entry(monday, "0.5")
    found = labour_rules.diary_warnings(p, book)
    assert [v.code for v in found] == [labour_rules.MINOR_DAY] and "03.03.2025 (7.5)" in found[0].message
    for i in range(1, 5):
        entry(monday + datetime.timedelta(days=i), "7")  # 7.5 + 28 = 35.5 in the week
    assert [v.code for v in labour_rules.diary_warnings(p, book)] == [labour_rules.MINOR_DAY]
    entry(monday + datetime.timedelta(days=5), "1")  # 36.5
    assert [v.code for v in labour_rules.diary_warnings(p, book)] == [labour_rules.MINOR_DAY, labour_rules.MINOR_WEEK]
    Student.objects.filter(pk=learner.pk).update(birth_date=datetime.date(2000, 1, 1))
    p.student.refresh_from_db()
    assert labour_rules.diary_warnings(p, book) == []


def test_a_minor_is_not_placed_where_the_work_is_heavy_or_harmful_and_an_adult_is():
    from kesip.wbl.models import Workplace

    t = college()
    Workplace.objects.filter(pk=t.workplace.pk).update(harmful_conditions=True)
    t.workplace.refresh_from_db()
    learner = minor(t.students[0], born=datetime.date(2007, 3, 4))  # 17 on 03.03.2025, 18 the next day
    hard, _, found, _ = check(t, consent_by="representative", legal_representative="Асанова")
    v = next(v for v in found if v.code == rules.HARMFUL_WORK)
    assert v.field == "workplace" and "п. 11" in v.source and "17" in v.message
    minor(learner, born=datetime.date(2007, 3, 3))  # 18 on the first day
    assert rules.HARMFUL_WORK not in check(t)[0]


def test_a_workplace_not_confirmed_safe_only_warns():
    from kesip.wbl.models import Workplace

    t = college()
    Workplace.objects.filter(pk=t.workplace.pk).update(safety_compliant=False)
    t.workplace.refresh_from_db()
    hard, soft, _, found = check(t)
    assert hard == [] and soft == [rules.WORKPLACE_SAFETY] and "п. 57" in found[0].source


def test_the_api_keeps_representatives_of_the_institutions_learners_only():
    from rest_framework.test import APIClient

    t, other = college(), college()
    api = APIClient()
    api.force_authenticate(t.admin)
    url = "/api/v1/student-representatives/"
    made = api.post(url, {"student": t.students[0].pk, "full_name": "Асанова Гүлнара", "relation": "mother",
                          "email": "Ata@Example.kg"}, format="json")  # fmt: skip
    assert made.status_code == 201 and made.json()["institution"] == t.institution.pk and made.json()["email"] == "ata@example.kg"
    twice = api.post(url, {"student": t.students[0].pk, "full_name": "Экинчи", "relation": "father", "email": "ata@example.kg"},
                     format="json")  # fmt: skip
    assert twice.status_code == 400 and StudentRepresentative.objects.count() == 1
    foreign = api.post(url, {"student": other.students[0].pk, "full_name": "X", "relation": "father"}, format="json")
    assert foreign.status_code == 400 and "student" in foreign.json()
    bad = api.post(url, {"student": t.students[0].pk, "full_name": "Y", "relation": "aunt"}, format="json")
    assert bad.status_code == 400 and "relation" in bad.json()
    theirs = StudentRepresentative.objects.create(
        institution=other.institution, student=other.students[0], full_name="Башка", relation="father"
    )
    assert api.get(f"{url}{theirs.pk}/").status_code == 404
    assert [r["full_name"] for r in api.get(url).json()["results"]] == ["Асанова Гүлнара"]


def test_the_coordinator_asks_the_consent_of_a_planned_placement_and_asks_again_after_a_refusal(
    client, django_capture_on_commit_callbacks
):
    t = college()
    learner = minor(t.students[0])
    parent, _rep = representative(t, learner)
    p = plan(t, consent_by="representative", legal_representative="Асанова")
    client.force_login(t.admin)
    page = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert 'id="step-ask-consent"' not in page  # given already: not asked again
    with pytest.raises(RuleViolation):
        consent.ask(p, t.admin)
    other = plan(t, student=t.students[1], consent_by="requested", consent_on=None)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("wbl:placement_ask_consent", args=[other.pk]))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.consent_by == "requested" and other.consent_requested_at is not None
    # Refused, then asked again.
    Placement.objects.filter(pk=p.pk).update(consent_by="refused", consent_on=datetime.date(2025, 2, 1), consent_user=parent)
    with django_capture_on_commit_callbacks(execute=True):
        consent.ask(p, t.admin)
    p.refresh_from_db()
    assert (p.consent_by, p.consent_on, p.consent_user) == ("requested", None, None)
    assert "ata@example.kg" in [m.to[0] for m in mail.outbox]
    # Not by an employer's person, nor once the roster is agreed.
    with pytest.raises(RuleViolation):
        consent.ask(p, t.rep)
    Placement.objects.filter(pk=p.pk).update(status="roster_agreed")
    with pytest.raises(RuleViolation):
        consent.ask(p, t.admin)


def test_a_representative_reads_the_placement_without_links_to_pages_they_may_not_open(client):
    t = college()
    learner = minor(t.students[0])
    parent, _rep = representative(t, learner)
    p = plan(t, consent_by="representative", legal_representative="Асанова")
    client.force_login(parent)
    page = client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    assert t.employer.name in page and reverse("wbl:employer_detail", args=[t.employer.pk]) not in page
    client.force_login(t.admin)
    assert (
        reverse("wbl:employer_detail", args=[t.employer.pk])
        in client.get(reverse("wbl:placement_detail", args=[p.pk])).content.decode()
    )
