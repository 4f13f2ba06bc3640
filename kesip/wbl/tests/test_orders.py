"""The orders' workflow: prepare a draft, sign it with a number from the register, move the placements, cancel.

`college()` builds a small KG college with its own records (a group ЭГС-23 of welders, a host
employer with its head and two mentors, an active agreement, placements whose roster is agreed),
so each test tells its own story without depending on the shared world's statuses.
"""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import translation

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import common, numbering, order_rules, orders
from kesip.wbl.models import Agreement, EmployerPerson, Order, OrderLine, Placement

pytestmark = pytest.mark.django_db

K = Order.Kind
S = Placement.Status
START, END = datetime.date(2027, 2, 1), datetime.date(2027, 2, 26)
WELDERS = ["Абдыкадыров", "Бакиров", "Жумабеков", "Исаков", "Кадыров", "Мамытов", "Осмонов", "Рысбеков", "Садыков",
           "Токтогулов", "Уметалиев", "Чыныбеков", "Эсенов", "Юсупов", "Ысаков", "Алиев", "Борубаев", "Жээнбеков",
           "Калыев", "Мырзаев"]  # fmt: skip


def college(jurisdiction="KG", learners=3, status=S.ROSTER_AGREED, group_name="ЭГС-23"):
    inst = f.InstitutionFactory(
        jurisdiction=jurisdiction,
        full_name_ky="Кызыл-Кыя шаарындагы №8 кесиптик лицей",
        full_name_ru="Профессиональный лицей №8 города Кызыл-Кыя",
        full_name_kk="Қызыл-Қия қаласының №8 кәсіптік лицейі",
        full_name_en="Vocational Lyceum No. 8 of Kyzyl-Kiya",
        legal_address="Баткен обл., Кызыл-Кыя ш., Кыпчаков көч. 29",
        head="Кыпчаков Бакытбек Жеңишбекович",
    )
    programme = f.ProgrammeFactory(institution=inst)
    staff = f.StaffFactory(institution=inst, last_name="Асанова", first_name="Гүлзат", position="Өндүрүштүк окутуунун чебери")
    other_staff = f.StaffFactory(institution=inst, last_name="Бекова", first_name="Айнура")
    group = f.GroupFactory(institution=inst, programme=programme, name=group_name, curator=staff)
    # The group's approved calendar has its practice in spring 2027 (VR-17).
    calendar = group.calendars.create(
        institution=inst, academic_year=2026, year_of_study=1, practice_mode="continuous", status="approved"
    )
    calendar.periods.create(
        institution=inst, kind="practice", starts_on=datetime.date(2027, 1, 4), ends_on=datetime.date(2027, 6, 30)
    )
    employer = f.EmployerFactory(institution=inst, name="ОсОО «Кызыл-Кыя Курулуш»", address="Кызыл-Кыя ш., Ленин көч. 5")
    head = EmployerPerson.objects.create(
        institution=inst, employer=employer, last_name="Төрөкулов", first_name="Марат", position="Директор", is_head=True
    )
    rep_user = f.member(Role.EMPLOYER_REP, institution=inst, employer=employer)
    rep = EmployerPerson.objects.create(
        institution=inst,
        employer=employer,
        last_name="Садырова",
        first_name="Нургүл",
        position="Кадрлар бөлүмүнүн башчысы",
        is_representative=True,
        user=rep_user,
    )
    mentor = EmployerPerson.objects.create(
        institution=inst, employer=employer, last_name="Устатов", first_name="Нурлан", position="Ширетүүчү-устат", is_mentor=True
    )
    mentor2 = EmployerPerson.objects.create(
        institution=inst, employer=employer, last_name="Жолдошев", first_name="Азамат", position="Ширетүүчү", is_mentor=True
    )
    agreement = Agreement.objects.create(
        institution=inst,
        employer=employer,
        kind="wbl",
        form="practice",
        number="ЖО-7",
        concluded_on=datetime.date(2026, 9, 1),
        starts_on=datetime.date(2026, 9, 1),
        ends_on=datetime.date(2027, 8, 31),
        theory_percent=40,
        practice_percent=60,
        agreed_programme="Өндүрүштүк практика",
        status="active",
        signed_on=datetime.date(2026, 9, 5),
    )
    t = SimpleNamespace(
        institution=inst,
        programme=programme,
        staff=staff,
        other_staff=other_staff,
        group=group,
        employer=employer,
        head_person=head,
        rep=rep,
        mentor=mentor,
        mentor2=mentor2,
        agreement=agreement,
        rep_user=rep_user,
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
        head=f.member(Role.HEAD, institution=inst, first_name="Бакытбек", last_name="Кыпчаков"),
        practice=f.member(Role.HEAD_OF_PRACTICE, institution=inst),
        teacher=f.member(Role.TEACHER, institution=inst),
        mentor_user=f.member(Role.MENTOR, institution=inst, employer=employer),
    )
    mentor.user = t.mentor_user
    mentor.save(update_fields=["user"])
    t.placements = [placement(t, name, status=status) for name in WELDERS[:learners]]
    return t


def placement(t, last_name="Асанов", status=S.ROSTER_AGREED, **kwargs):
    student = f.StudentFactory(institution=t.institution, group=t.group, last_name=last_name, first_name="Бакыт")
    values = {
        "institution": t.institution,
        "form": "practice",
        "practice_type": "production",
        "student": student,
        "group": t.group,
        "employer": t.employer,
        "agreement": t.agreement,
        "starts_on": START,
        "ends_on": END,
        "supervisor": t.staff,
        "mentor": t.mentor,
        "status": status,
        "consent_by": "learner",
        "consent_on": datetime.date(2026, 11, 2),
        "roster_agreed_on": datetime.date(2026, 11, 20),
    }
    values.update(kwargs)
    return Placement.objects.create(**values)


def internship(t, **kwargs):
    """A teacher's production internship at the employer, programme agreed, roster agreed."""
    if not Agreement.objects.filter(employer=t.employer, form="internship").exists():
        Agreement.objects.create(
            institution=t.institution,
            employer=t.employer,
            kind="wbl",
            form="internship",
            number="ЖО-8",
            starts_on=datetime.date(2026, 9, 1),
            ends_on=datetime.date(2027, 8, 31),
            theory_percent=20,
            practice_percent=80,
            agreed_programme="Стажировка",
            status="active",
            signed_on=datetime.date(2026, 9, 5),
        )
    values = {
        "institution": t.institution,
        "form": "internship",
        "intern_staff": f.StaffFactory(institution=t.institution, last_name="Токтосунов"),
        "employer": t.employer,
        "starts_on": datetime.date(2027, 3, 1),
        "ends_on": datetime.date(2027, 3, 12),
        "mentor": t.mentor,
        "status": S.ROSTER_AGREED,
        "intern_category": "teacher",
        "internship_type": "production",
        "internship_mode": "targeted",
        "individual_programme": "Жаңы ширетүү жабдууларын өздөштүрүү",
        "programme_agreed_on": datetime.date(2026, 11, 25),
        "intern_education": "Орто кесиптик",
        "intern_experience": "6 жыл",
        "intern_position": "Өндүрүштүк окутуунун чебери",
        "internship_goals": "Квалификацияны жогорулатуу",
        "duration_reason": "Программанын көлөмү",
    }
    values.update(kwargs)
    return Placement.objects.create(**values)


def supervise(t, group=None, staff=None):
    """The group's head of practical training appointed by a signed order (VR-41)."""
    order = orders.prepare_supervisor([(group or t.group, staff or t.staff)], t.practice)
    return orders.sign(order, t.head)


def referral(t, placements=None, signed=True):
    order = orders.prepare_referral(placements or t.placements, t.practice)
    return orders.sign(order, t.head) if signed else order


def refresh(objs):
    for o in objs:
        o.refresh_from_db()
    return objs


# --- Numbering ------------------------------------------------------------------------------------------------------


def test_numbers_run_per_institution_year_and_series_and_employer_registers_are_separate():
    a, b = college(learners=0), college(learners=0, group_name="ТБ-24")
    assert numbering.next_number(a.institution, 2027, "П") == "1-П"
    assert numbering.next_number(a.institution, 2027, "П") == "2-П"
    assert numbering.next_number(a.institution, 2027, "ПО") == "1-ПО"  # another series
    assert numbering.next_number(a.institution, 2028, "П") == "1-П"  # another year
    assert numbering.next_number(b.institution, 2027, "П") == "1-П"  # a second institution starts at 1
    assert numbering.next_number(a.institution, 2027, "Н", employer=a.employer) == "1-Н"  # the employer's own register
    assert numbering.next_number(a.institution, 2027, "Н") == "1-Н"
    assert numbering.next_number(a.institution, 2027, "Н", employer=a.employer) == "2-Н"
    assert numbering.peek(a.institution, 2027, "П") == "3-П"


def test_a_register_continues_after_numbers_entered_before_it():
    t = college(learners=0)
    Order.objects.create(
        institution=t.institution, kind=K.REFERRAL, year=2027, number="17-П", dated=START, title="Paper", status="signed"
    )
    assert numbering.peek(t.institution, 2027, "П") == "18-П"
    assert numbering.next_number(t.institution, 2027, "П") == "18-П"


def test_signing_numbers_orders_and_the_employer_counts_its_own():
    t = college(learners=2)
    first = supervise(t)
    second = referral(t)
    mentors = orders.sign(orders.prepare_mentor(t.employer, t.placements, t.rep_user), t.rep_user)
    year = datetime.date.today().year
    assert (first.number, first.year) == ("1-ПО", year)
    assert second.number == "1-П" and mentors.number == "1-Н" and mentors.employer == t.employer
    assert second.dated == second.signed_on == datetime.date.today()


# --- Preparing a referral (VR-20) -------------------------------------------------------------------------------------


def test_a_referral_names_each_learner_with_employer_type_dates_head_and_mentor():
    t = college(learners=3)
    order = orders.prepare_referral(t.placements, t.practice)
    assert (order.kind, order.status, order.number, order.employer) == (K.REFERRAL, "draft", "", None)
    assert order.title.endswith("ЭГС-23") and order.created_by == t.practice
    lines = list(order.lines.order_by("position"))
    assert [line.learner_name.split()[0] for line in lines] == WELDERS[:3]
    line = lines[0]
    assert (line.employer_name, line.practice_type, line.starts_on, line.ends_on) == (t.employer.name, "production", START, END)
    assert (line.group, line.supervisor, line.mentor) == (t.group, t.staff, t.mentor)
    assert t.placements[0].status == S.ROSTER_AGREED  # a draft moves nobody


def test_a_line_without_practice_type_refuses_the_whole_referral():
    t = college(learners=3)
    Placement.objects.filter(pk=t.placements[1].pk).update(practice_type="")
    with pytest.raises(common.WblInvalid) as refusal:
        orders.prepare_referral(t.placements, t.practice)
    [v] = refusal.value.violations
    assert v.code == order_rules.LINE_PARTICULARS and "type of practice" in v.message and "п. 29" in v.source
    assert v.field == f"placement-{t.placements[1].pk}"
    assert not Order.objects.filter(kind=K.REFERRAL).exists()


def test_a_line_without_dates_or_employer_is_refused_by_the_rule():
    t = college(learners=2)
    book = common.rulebook(t.institution)
    draft = orders.referral_draft(t.placements, t.practice)
    assert order_rules.particulars_violations(K.REFERRAL, draft.lines, book) == []
    draft.lines[0].starts_on = None
    draft.lines[1].employer_name = ""
    found = order_rules.particulars_violations(K.REFERRAL, draft.lines, book)
    assert [v.field for v in found] == [f"placement-{p.pk}" for p in t.placements]
    assert "the dates" in found[0].message and "the employer" in found[1].message


def test_the_particulars_rule_does_not_apply_in_kazakhstan():
    t = college("KZ", learners=1)
    Placement.objects.filter(pk=t.placements[0].pk).update(practice_type="")
    order = orders.prepare_referral(t.placements, t.practice)
    assert order.lines.get().practice_type == ""


def test_only_roster_agreed_placements_of_one_institution_are_referred():
    t = college(learners=2)
    planned = placement(t, "Planned", status=S.PLANNED)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.prepare_referral([*t.placements, planned], t.practice)
    assert [v.field for v in refusal.value.violations] == [f"placement-{planned.pk}"]
    other = college(learners=1, group_name="ТБ-24")
    with pytest.raises(RuleViolation):
        orders.prepare_referral([t.placements[0], other.placements[0]], t.practice)
    with pytest.raises(RuleViolation):
        orders.prepare_referral([t.placements[0], internship(t)], t.practice)


def test_a_teacher_cannot_prepare_and_an_employer_prepares_only_its_own_orders():
    t = college(learners=1)
    with pytest.raises(RuleViolation) as refusal:
        orders.prepare_referral(t.placements, t.teacher)
    assert refusal.value.code == "wbl.permission"
    with pytest.raises(RuleViolation):
        orders.prepare_referral(t.placements, t.rep_user)
    assert orders.prepare_mentor(t.employer, t.placements, t.rep_user).employer == t.employer


# --- Signing: who may sign ---------------------------------------------------------------------------------------------


def test_a_teacher_cannot_sign_the_head_can_and_staff_record_a_paper_signature():
    t = college(learners=1)
    supervise(t)
    draft = referral(t, signed=False)
    for user in (t.teacher, t.practice, t.rep_user):
        with pytest.raises(RuleViolation) as refusal:
            orders.sign(draft, user)
        assert refusal.value.code == "wbl.order.signatory"
    assert "п. 29" in refusal.value.source  # the rule's source: the head of the institution signs (п. 10, 29, 41)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", "")
    signed = orders.sign(draft, t.head)
    assert (signed.status, signed.signed_by, signed.signed_outside) == ("signed", t.head, False)
    assert signed.signatory_name == t.head.display_name()


def test_the_head_of_practice_records_a_signature_on_paper_with_the_signatory_and_the_day():
    t = college(learners=1)
    supervise(t)
    draft = referral(t, signed=False)
    with pytest.raises(RuleViolation) as refusal:
        orders.sign(draft, t.practice, outside=True, signed_on=datetime.date.today() + datetime.timedelta(days=1))
    assert refusal.value.field == "signed_on"
    day = datetime.date(2026, 11, 28)
    signed = orders.sign(draft, t.practice, outside=True, signed_on=day, signatory_position="Директор")
    assert (signed.signatory_name, signed.signatory_position) == ("Кыпчаков Бакытбек Жеңишбекович", "Директор")
    assert (signed.signed_on, signed.dated, signed.year, signed.signed_by, signed.signed_outside) == (day, day, 2026, None, True)


def test_a_signature_is_dated_today_by_default_and_never_in_the_future():
    t = college(learners=1)
    order = orders.prepare_supervisor([(t.group, t.staff)], t.practice)
    with pytest.raises(RuleViolation) as refusal:
        orders.sign(order, t.head, signed_on=datetime.date.today() + datetime.timedelta(days=1))
    assert refusal.value.field == "signed_on"
    assert orders.sign(order, t.head).signed_on == datetime.date.today()
    replayed = orders.sign(
        orders.prepare_supervisor([(t.group, t.other_staff)], t.practice), t.head, signed_on=datetime.date(2025, 2, 5)
    )
    assert (replayed.signed_on, replayed.year, replayed.number) == (
        datetime.date(2025, 2, 5),
        2025,
        "1-ПО",
    )  # the demo replays past days


def test_the_employer_representative_signs_the_mentor_appointment_in_the_name_of_the_head():
    t = college(learners=2)
    draft = orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    with pytest.raises(RuleViolation) as refusal:
        orders.sign(draft, t.head)  # the institution's head does not sign the employer's order
    assert refusal.value.code == "wbl.order.signatory" and "п. 2" in refusal.value.source
    signed = orders.sign(draft, t.rep_user)
    assert (signed.signatory_name, signed.signatory_position) == (str(t.head_person), "Директор")
    assert signed.signed_by == t.rep_user and not signed.signed_outside


def _head_login(t):
    """The employer's head with a Kesip login of their own, linked to the head among the employer's people."""
    user = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.employer, first_name="Марат", last_name="Төрөкулов")
    t.head_person.user = user
    t.head_person.save()
    return user


def test_with_only_the_head_signing_the_representative_records_paper_and_the_heads_login_signs():
    """VR-38 (п. 2, 10, 48): the institution's setting `employer_order_signer`. The default lets the representative
    sign in the head's name; “head” leaves signing in Kesip to the head's own login."""
    from kesip.wbl.models import WblSettings

    t = college(learners=2)
    head_user = _head_login(t)
    draft = orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    assert orders.sign_modes(draft, t.rep_user) == [orders.KESIP, orders.PAPER]  # the default
    assert orders.sign_modes(draft, head_user) == [orders.KESIP, orders.PAPER]
    WblSettings.objects.create(institution=t.institution, employer_order_signer="head")
    assert orders.sign_modes(draft, t.rep_user) == [orders.PAPER]
    with pytest.raises(RuleViolation) as refusal:
        orders.sign(draft, t.rep_user)
    assert refusal.value.code == "wbl.order.signatory" and "only the employer's head" in refusal.value.message
    assert Order.objects.get(pk=draft.pk).status == "draft"
    # A login that is not linked to the head — or linked to a head no longer in office — does not sign either.
    t.head_person.is_active = False
    t.head_person.save()
    assert orders.sign_modes(draft, head_user) == [orders.PAPER]
    t.head_person.is_active = True
    t.head_person.save()
    signed = orders.sign(draft, head_user)
    assert signed.signed_by == head_user and not signed.signed_outside
    assert (signed.signatory_name, signed.signatory_position) == (str(t.head_person), "Директор")


def test_the_order_says_who_signed_it_in_kesip_for_the_head():
    from kesip.wbl import order_documents

    t = college(learners=1)
    by_rep = orders.sign(orders.prepare_mentor(t.employer, t.placements, t.rep_user), t.rep_user)
    lines = list(by_rep.lines.all())
    with translation.override("en"):
        footer = order_documents.build(by_rep, lines, "en").footer
    assert f"Signed in Kesip by {t.rep_user.display_name()} for {t.head_person}" in footer
    t2 = college(learners=1)
    head_user = _head_login(t2)
    by_head = orders.sign(orders.prepare_mentor(t2.employer, t2.placements, t2.rep_user), head_user)
    with translation.override("en"):
        footer = order_documents.build(by_head, list(by_head.lines.all()), "en").footer
    assert f"Signed in Kesip by {head_user.display_name()} on" in footer and " for " not in footer


def test_staff_record_the_employer_heads_paper_signature_or_the_production_department_head():
    t = college(learners=1)
    draft = orders.prepare_mentor(t.employer, t.placements, t.practice)
    assert orders.sign_modes(draft, t.practice) == [orders.PAPER, orders.PRODUCTION]
    assert orders.signatory_defaults(draft, t.practice, orders.PAPER) == (str(t.head_person), "Директор")
    with pytest.raises(RuleViolation):
        orders.sign(draft, t.practice)  # not in Kesip: the head of practice is not the employer's representative
    signed = orders.sign(
        draft, t.practice, production_head=True, signatory_name="Мамытов Эркин", signed_on=datetime.date(2026, 11, 30)
    )
    assert signed.signed_outside and signed.signatory_name == "Мамытов Эркин"
    assert signed.signatory_position == "Head of the production department of the institution"
    referral_draft = referral(t, signed=False)
    with pytest.raises(RuleViolation):
        orders.sign(referral_draft, t.practice, production_head=True, signatory_name="X")


# --- Signing moves placements on -----------------------------------------------------------------------------------------


def test_signing_a_referral_copies_the_lines_and_orders_the_placements():
    t = college(learners=3)
    supervise(t)
    draft = referral(t, signed=False)
    signed = orders.sign(draft, t.head)
    assert {p.pk for p in signed.moved} == {p.pk for p in t.placements}
    assert {p.status for p in refresh(t.placements)} == {S.ORDERED}
    # The signed text never changes: a later change of the placement leaves the line as signed.
    p = t.placements[0]
    student = p.student
    student.last_name = "Renamed"
    student.save()
    Placement.objects.filter(pk=p.pk).update(ends_on=datetime.date(2027, 3, 5), mentor=t.mentor2)
    line = OrderLine.objects.get(order=signed, placement=p)
    assert line.learner_name.startswith(WELDERS[0]) and line.ends_on == END and line.mentor == t.mentor
    assert orders.lines_of(signed)[0].learner_name.startswith(WELDERS[0])


def test_a_referral_is_refused_while_the_group_has_no_appointed_head_of_practical_training():
    t = college(learners=2)
    draft = orders.prepare_referral(t.placements, t.practice)
    assert any(w.code == order_rules.SUPERVISOR_PER_GROUP for w in draft.warnings)  # prepared, with a warning
    with pytest.raises(common.WblInvalid) as refusal:
        orders.sign(draft, t.head)
    assert refusal.value.violations[0].code == order_rules.SUPERVISOR_PER_GROUP
    assert {p.status for p in refresh(t.placements)} == {S.ROSTER_AGREED}
    supervise(t)
    assert orders.sign(draft, t.head).status == "signed"


def test_a_supervisor_appointment_with_a_period_covers_only_placements_meeting_it():
    t = college(learners=1)
    order = orders.prepare_supervisor([(t.group, t.staff, datetime.date(2026, 9, 1), datetime.date(2027, 1, 31))], t.practice)
    orders.sign(order, t.head)
    with pytest.raises(common.WblInvalid):
        referral(t)  # the practice starts on 1 February, the day after the appointment ends
    order = orders.prepare_supervisor([(t.group, t.other_staff, START, START)], t.practice)
    orders.sign(order, t.head)  # covers the first day of the practice
    assert referral(t).status == "signed"


def test_a_placement_stands_on_one_signed_referral():
    t = college(learners=2)
    supervise(t)
    first = orders.prepare_referral(t.placements[:1], t.practice)
    second = orders.prepare_referral(t.placements, t.practice)
    assert any(w.code == "wbl.order.draft_elsewhere" for w in second.warnings)
    orders.sign(first, t.head)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.sign(second, t.head)
    codes = {v.code for v in refusal.value.violations}
    assert order_rules.ONE_PER_KIND in codes  # already on a signed referral (and no longer roster agreed)


def test_the_placements_refusal_fails_the_signing_with_nothing_saved():
    t = college(learners=2)
    supervise(t)
    draft = referral(t, signed=False)
    Placement.objects.filter(pk=t.placements[0].pk).update(consent_on=None)  # the placements' rules (VR-42) refuse it
    with pytest.raises(common.WblInvalid):
        orders.sign(draft, t.head)
    draft.refresh_from_db()
    assert (draft.status, draft.number) == ("draft", "")
    assert {p.status for p in refresh(t.placements)} == {S.ROSTER_AGREED}
    assert numbering.peek(t.institution, datetime.date.today().year, "П") == "1-П"  # the number was not used up


# --- Internships: both orders (VR-29) ---------------------------------------------------------------------------------


def test_an_internship_is_ordered_only_once_both_its_orders_are_signed():
    t = college(learners=0)
    intern = internship(t)
    ref = orders.prepare_referral([intern], t.practice)
    assert ref.kind == K.INTERNSHIP_REFERRAL
    signed = orders.sign(ref, t.head)
    assert signed.moved == [] and refresh([intern])[0].status == S.ROSTER_AGREED
    admission = orders.prepare_internship_admission(t.employer, [intern], t.rep_user)
    assert admission.kind == K.INTERNSHIP_ADMISSION and admission.employer == t.employer
    admitted = orders.sign(admission, t.rep_user)
    assert [p.pk for p in admitted.moved] == [intern.pk] and refresh([intern])[0].status == S.ORDERED
    assert admitted.number == "1-СК" and signed.number == "1-С"


def test_an_internship_order_signed_after_the_first_day_only_warns_on_that_day_and_not_the_day_before():
    """VR-29 (п. 41): the orders come before the internship; one signed later is kept with a warning."""
    t = college(learners=0)
    first, last, agreed = datetime.date(2026, 11, 16), datetime.date(2026, 11, 27), datetime.date(2026, 11, 9)  # all past
    intern = internship(t, starts_on=first, ends_on=last, programme_agreed_on=agreed)
    on_time = orders.sign(orders.prepare_referral([intern], t.practice, dated=agreed), t.head, signed_on=first)
    assert [w.code for w in on_time.warnings] == []  # signed on the first day: not before it started
    other = internship(
        t, intern_staff=f.StaffFactory(institution=t.institution), starts_on=first, ends_on=last, programme_agreed_on=agreed
    )
    late = orders.sign(
        orders.prepare_referral([other], t.practice, dated=agreed), t.head, signed_on=first + datetime.timedelta(days=1)
    )
    assert [w.code for w in late.warnings] == ["wbl.order.late"] and "п. 41" in late.warnings[0].source
    assert late.status == "signed"


def test_the_admission_may_come_first_and_the_referral_completes_the_ordering():
    t = college(learners=0)
    intern = internship(t)
    orders.sign(orders.prepare_internship_admission(t.employer, [intern], t.practice), t.practice, outside=True)
    assert refresh([intern])[0].status == S.ROSTER_AGREED
    done = orders.sign(orders.prepare_referral([intern], t.practice), t.head)
    assert [p.pk for p in done.moved] == [intern.pk]


def test_an_internship_is_referred_only_with_its_programme_agreed():
    t = college(learners=0)
    intern = internship(t, programme_agreed_on=None)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.prepare_referral([intern], t.practice)
    assert refusal.value.violations[0].code == order_rules.INTERNSHIP_PROGRAMME


def test_cancelling_one_internship_order_sends_the_internship_back():
    t = college(learners=0)
    intern = internship(t)
    ref = orders.sign(orders.prepare_referral([intern], t.practice), t.head)
    orders.sign(orders.prepare_internship_admission(t.employer, [intern], t.rep_user), t.rep_user)
    cancelled = orders.cancel(ref, "Стажер оорулуу", t.head)
    assert [p.pk for p in cancelled.moved] == [intern.pk] and refresh([intern])[0].status == S.ROSTER_AGREED


# --- Mentors: VR-38, VR-39 ----------------------------------------------------------------------------------------------


def test_a_mentor_is_appointed_for_the_whole_term_of_the_placement():
    t = college(learners=2)
    signed = orders.sign(orders.prepare_mentor(t.employer, t.placements, t.rep_user), t.rep_user)
    lines = list(signed.lines.order_by("position"))
    assert [(line.mentor, line.starts_on, line.ends_on) for line in lines] == [(t.mentor, START, END)] * 2
    p = t.placements[0]
    assert order_rules.mentor_gaps(p, order_rules.signed_lines(K.MENTOR, [p.pk])) == []


def test_the_same_mentor_is_not_appointed_twice():
    t = college(learners=1)
    orders.sign(orders.prepare_mentor(t.employer, t.placements, t.rep_user), t.rep_user)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    assert refusal.value.violations[0].code == order_rules.ONE_PER_KIND


def test_replacing_a_mentor_needs_a_new_order_from_a_day_of_the_term():
    t = college(learners=1, status=S.ACTIVE)
    p = t.placements[0]
    first = orders.sign(orders.prepare_mentor(t.employer, [p], t.rep_user), t.rep_user)
    Placement.objects.filter(pk=p.pk).update(mentor=t.mentor2)
    for outside in (START - datetime.timedelta(days=1), END + datetime.timedelta(days=1)):
        with pytest.raises(common.WblInvalid) as refusal:
            orders.prepare_mentor(t.employer, [p], t.rep_user, starts_on=outside)
        assert refusal.value.violations[0].code == order_rules.MENTOR_TERM
    for boundary in (START, END):
        draft = orders.mentor_draft(t.employer, [p], t.rep_user, starts_on=boundary)
        assert draft.violations == []
    takes_over = datetime.date(2027, 2, 15)
    second = orders.sign(orders.prepare_mentor(t.employer, [p], t.rep_user, starts_on=takes_over), t.rep_user)
    line = second.lines.get()
    assert (line.mentor, line.starts_on, line.ends_on) == (t.mentor2, takes_over, END)
    appointments = order_rules.signed_lines(K.MENTOR, [p.pk])
    assert order_rules.mentor_gaps(p, appointments) == []
    assert order_rules.mentor_in_charge(p, appointments, takes_over - datetime.timedelta(days=1)).order == first
    assert order_rules.mentor_in_charge(p, appointments, takes_over).order == second
    lines = orders.mark_replacements(second, orders.lines_of(second))
    assert lines[0].replaces == f"instead of {t.mentor}"


def test_a_mentor_of_another_employer_or_none_is_refused():
    t = college(learners=2)
    other = college(learners=0, group_name="ТБ-24")
    foreign = EmployerPerson.objects.create(
        institution=t.institution, employer=f.EmployerFactory(institution=t.institution), last_name="Чет", first_name="Ч",
        position="Устат", is_mentor=True,
    )  # fmt: skip
    Placement.objects.filter(pk=t.placements[0].pk).update(mentor=foreign)
    Placement.objects.filter(pk=t.placements[1].pk).update(mentor=None)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    codes = [v.code for v in refusal.value.violations]
    assert codes == [order_rules.MENTOR_HOST, order_rules.MENTOR_REQUIRED]
    with pytest.raises(RuleViolation):
        orders.prepare_mentor(other.employer, t.placements, t.practice)  # another institution's employer


def test_mentor_gaps_show_days_no_appointment_covers():
    t = college(learners=1)
    p = t.placements[0]
    assert order_rules.mentor_gaps(p, []) == [(START, END)]
    later = SimpleNamespace(starts_on=datetime.date(2027, 2, 10), ends_on=datetime.date(2027, 2, 20))
    assert order_rules.mentor_gaps(p, [later]) == [(START, datetime.date(2027, 2, 9)), (datetime.date(2027, 2, 21), END)]


# --- Cancelling ---------------------------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason_and_a_draft_cancelled_keeps_no_number():
    t = college(learners=1)
    draft = referral(t, signed=False)
    with pytest.raises(RuleViolation) as refusal:
        orders.cancel(draft, "  ", t.practice)
    assert refusal.value.field == "reason"
    cancelled = orders.cancel(draft, "Мөөнөттөр өзгөрдү", t.practice)
    assert (cancelled.status, cancelled.number, cancelled.cancel_reason) == ("cancelled", "", "Мөөнөттөр өзгөрдү")
    with pytest.raises(RuleViolation):
        orders.cancel(cancelled, "again", t.practice)
    with pytest.raises(RuleViolation):
        orders.sign(cancelled, t.head)


def test_cancelling_a_signed_referral_sends_ordered_placements_back():
    t = college(learners=2)
    supervise(t)
    signed = referral(t)
    with pytest.raises(RuleViolation):
        orders.cancel(signed, "X", t.teacher)
    cancelled = orders.cancel(signed, "Иш берүүчү баш тартты", t.head)
    assert {p.pk for p in cancelled.moved} == {p.pk for p in t.placements}
    assert {p.status for p in refresh(t.placements)} == {S.ROSTER_AGREED}
    again = referral(t)  # a new referral may be signed once the first is cancelled
    assert again.status == "signed" and again.number == "2-П"


def test_a_signed_referral_is_not_cancelled_once_a_placement_is_under_way():
    t = college(learners=2)
    supervise(t)
    signed = referral(t)
    Placement.objects.filter(pk=t.placements[1].pk).update(status=S.BRIEFED)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.cancel(signed, "Late", t.head)
    [v] = refusal.value.violations
    assert v.code == "wbl.order.cancel.beyond" and v.field == f"placement-{t.placements[1].pk}"
    signed.refresh_from_db()
    assert signed.status == "signed" and refresh(t.placements)[0].status == S.ORDERED


def test_a_mentor_appointment_of_a_placement_under_way_is_cancelled_only_after_a_replacement():
    t = college(learners=1, status=S.ACTIVE)
    p = t.placements[0]
    first = orders.sign(orders.prepare_mentor(t.employer, [p], t.rep_user), t.rep_user)
    with pytest.raises(common.WblInvalid) as refusal:
        orders.cancel(first, "Mistake", t.rep_user)
    assert refusal.value.violations[0].code == order_rules.MENTOR_TERM
    Placement.objects.filter(pk=p.pk).update(mentor=t.mentor2)
    orders.sign(orders.prepare_mentor(t.employer, [p], t.rep_user, starts_on=START), t.rep_user)
    assert orders.cancel(first, "Replaced from the first day", t.rep_user).status == "cancelled"


def test_cancelling_a_supervisor_appointment_warns_about_groups_left_without_a_head():
    t = college(learners=1)
    appointment = supervise(t)
    referral(t)
    cancelled = orders.cancel(appointment, "Жетекчи алмашты", t.head)
    assert [w.code for w in cancelled.warnings] == [order_rules.SUPERVISOR_PER_GROUP]


# --- Drafts --------------------------------------------------------------------------------------------------------------


def test_editing_a_draft_adds_and_removes_lines_and_checks_the_whole_draft():
    t = college(learners=3)
    draft = orders.prepare_referral(t.placements[:2], t.practice)
    first = draft.lines.order_by("position").first()
    edited = orders.edit_lines(draft, t.practice, add=[t.placements[2]], remove=[first.pk])
    assert [line.placement_id for line in edited.lines.order_by("position")] == [t.placements[1].pk, t.placements[2].pk]
    assert list(edited.lines.order_by("position").values_list("position", flat=True)) == [1, 2]
    with pytest.raises(RuleViolation):
        orders.edit_lines(draft, t.practice, remove=list(draft.lines.values_list("pk", flat=True)))
    planned = placement(t, "Planned", status=S.PLANNED)
    with pytest.raises(common.WblInvalid):
        orders.edit_lines(draft, t.practice, add=[planned])
    assert draft.lines.count() == 2
    orders.edit_draft(draft, t.practice, title="Практикага жөнөтүү", preamble="Ишкананын 12.11.2026 катына ылайык")
    draft.refresh_from_db()
    assert (draft.title, draft.preamble) == ("Практикага жөнөтүү", "Ишкананын 12.11.2026 катына ылайык")


def test_a_supervisor_appointment_names_a_group_and_a_working_staff_member_on_each_line():
    t = college(learners=0)
    with pytest.raises(common.WblInvalid):
        orders.prepare_supervisor([(t.group, None)], t.practice)
    with pytest.raises(common.WblInvalid):
        orders.prepare_supervisor([(t.group, t.staff), (t.group, t.staff)], t.practice)
    t.other_staff.is_active = False
    t.other_staff.save()
    with pytest.raises(common.WblInvalid):
        orders.prepare_supervisor([(t.group, t.other_staff)], t.practice)
    order = orders.prepare_supervisor([(t.group, t.staff)], t.practice)
    line = order.lines.get()
    assert (line.group, line.supervisor, line.placement) == (t.group, t.staff, None)
    edited = orders.edit_lines(order, t.practice, supervisors={line.pk: t.staff.pk})
    assert edited.lines.get().supervisor == t.staff


def test_signed_orders_are_neither_edited_nor_deleted():
    t = college(learners=1)
    signed = supervise(t)
    for step in (
        lambda: orders.edit_draft(signed, t.practice, title="X"),
        lambda: orders.edit_lines(signed, t.practice, remove=[]),
        lambda: orders.delete_draft(signed, t.practice),
    ):
        with pytest.raises(RuleViolation):
            step()
    draft = referral(t, signed=False)
    orders.delete_draft(draft, t.practice)
    assert not Order.objects.filter(pk=draft.pk).exists()


def test_the_steps_offered_follow_the_status_and_the_user():
    t = college(learners=1)
    draft = orders.prepare_supervisor([(t.group, t.staff)], t.practice)
    assert orders.allowed_steps(draft, t.practice) == {"edit", "delete", "cancel", "sign"}  # records a paper signature
    assert orders.allowed_steps(draft, t.head) == {"sign"}
    assert orders.allowed_steps(draft, t.teacher) == set()
    signed = orders.sign(draft, t.head)
    assert orders.allowed_steps(signed, t.head) == {"cancel"} and orders.allowed_steps(signed, t.teacher) == set()


# --- Concurrency (PostgreSQL) ----------------------------------------------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_signings_never_get_one_number():
    import threading

    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous signings are exercised on PostgreSQL (CI runs the suite there too)")
    t = college(learners=0)
    drafts = [orders.prepare_supervisor([(t.group, f.StaffFactory(institution=t.institution))], t.practice) for _ in range(8)]
    barrier, outcomes = threading.Barrier(len(drafts)), []

    def run(draft):
        barrier.wait()
        try:
            outcomes.append(orders.sign(draft, t.head))
        except Exception as refusal:  # noqa: BLE001 - any failure is reported by the assertion below
            outcomes.append(refusal)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(d,)) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(isinstance(o, Order) for o in outcomes), outcomes
    numbers = sorted(int(o.number.split("-")[0]) for o in outcomes)
    assert numbers == list(range(1, len(drafts) + 1))
    assert Order.objects.filter(status="signed").values("number").distinct().count() == len(drafts)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_first_numbers_of_a_new_register_race_safely():
    import threading

    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        pytest.skip("simultaneous first numbers are exercised on PostgreSQL")
    inst = f.InstitutionFactory()
    barrier, numbers = threading.Barrier(6), []

    def run():
        barrier.wait()
        try:
            with transaction.atomic():
                numbers.append(numbering.next_number(inst, 2031, "П"))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(numbers, key=lambda n: int(n.split("-")[0])) == [f"{i}-П" for i in range(1, 7)]
