"""Demo outcomes of Lyceum No. 8: ЭГС-23 graduates and where they went, and the upgrading of masters and mentors.

The curriculum demo has no graduates: ЭГС-23 ends its second (final) year with the qualification
exam of 20.06.2025. Here the head's order of 30.06.2025 graduates those who passed it (through the
same students' service as the pages), and their outcomes are filled in the group's table as the
head of practical training would in September 2025: most work as welders at the employers that
hosted their production practice (Kesip works out the host flag), some elsewhere, one studies on,
one serves, one looks for work; the adaptation of three is followed up in the autumn. The needs of
the lyceum's master and a teacher and of two mentors (п. 56 item 14) lead to one upgrading programme
on mentoring, in October 2025: two complete it with a certificate, one does not. Idempotent.
"""

import datetime

from kesip.core.models import Employer, StaffMember, Student, StudyGroup
from kesip.curriculum import students_services
from kesip.curriculum.models import AwardedQualification, Movement
from kesip.wbl import outcomes
from kesip.wbl.models import EmployerPerson, GraduateEmployment, Placement, TrainingNeed, UpgradingProgramme

D = datetime.date
GRADUATED_ON = D(2025, 6, 30)
WELDER = "Электр-газ ширетүүчү"
# What the graduates did, in the order of their records: (outcome, where, in the profession, since).
PLAN = [
    ("host", True, D(2025, 7, 7)),
    ("host", True, D(2025, 7, 14)),
    ("ОсОО «Баткен Курулуш Сервис»", True, D(2025, 8, 4)),
    ("further_study", False, D(2025, 9, 1)),
    ("host", True, D(2025, 7, 7)),
    ("military", False, D(2025, 7, 21)),
    ("host", True, D(2025, 8, 1)),
    ("ЖИ Мамасалиев — авто оңдоо", False, D(2025, 8, 18)),
    ("seeking", False, D(2025, 7, 1)),
    ("host", True, D(2025, 7, 14)),
    ("host", True, D(2025, 9, 1)),
]
ADAPTATION = [
    ("adapted", D(2025, 10, 15), "Бригадада туруктуу иштейт, 3-разрядды алууга даярданат."),
    ("difficulties", D(2025, 10, 20), "Түнкү сменага көнүү кыйын; насаатчы менен графикти макулдашуу сунушталды."),
    ("adapted", D(2025, 12, 10), "Өз алдынча заказдарды аткарат."),
]
NEEDS = [
    ("staff", "master", "Насаатчылыктын педагогикасы жана методикасы", "Практиканын жетекчиси катары насаатчылар менен иштөө."),
    ("staff", "teacher", "Жарым автоматтык ширетүүнүн (MIG/MAG) заманбап технологиялары",
     "Программага 24 саат кошулат (жылдык отчеттун сунушу)."),
    ("mentor", "Абдыкадыров", "Насаатчылыктын педагогикасы жана методикасы", "Күндөлүккө баа коюу кечигет (жылдык отчет)."),
    ("mentor", "Эсенов", "Насаатчылыктын педагогикасы жана методикасы", "Биринчи жолу насаатчы болуп дайындалды."),
]  # fmt: skip


def load(pl8, user):
    """Graduate ЭГС-23, record its graduates' outcomes, and the needs and upgrading of masters and mentors."""
    if GraduateEmployment.objects.filter(institution=pl8).exists():
        return
    group = StudyGroup.objects.filter(institution=pl8, name="ЭГС-23").select_related("programme").first()
    if group is not None:
        _graduate(pl8, group, user)
        _outcomes(pl8, group, user)
    _upgrading(pl8, user)


def _graduate(pl8, group, user):
    passed = set(AwardedQualification.objects.filter(institution=pl8, student__group=group).values_list("student_id", flat=True))
    for student in Student.objects.filter(group=group, status=Student.Status.ENROLLED, pk__in=passed).order_by("pk"):
        if Movement.objects.filter(student=student, kind=Movement.Kind.GRADUATION).exists():
            continue
        students_services.take_step(
            student, Movement.Kind.GRADUATION, user, order_number="112-к", order_date=GRADUATED_ON, on=GRADUATED_ON,
            today=GRADUATED_ON,
        )  # fmt: skip


def _outcomes(pl8, group, user):
    graduates = outcomes.graduates(group)
    hosts = {}
    for p in Placement.objects.filter(student__in=graduates).exclude(status="cancelled").select_related("employer"):
        hosts.setdefault(p.student_id, p.employer)
    registered = Employer.objects.filter(institution=pl8).order_by("pk").first()
    rows = {}
    for student, (where, profession, since) in zip(graduates, PLAN, strict=False):
        row = {"starts_on": since, "in_profession": profession}
        if where == "host":
            row.update(outcome="employed", employer=hosts.get(student.pk, registered), position=WELDER)
        elif where in GraduateEmployment.Outcome.values:
            row.update(outcome=where)
        else:
            row.update(outcome="employed", employer_name=where, position=WELDER if profession else "Автослесарь")
        rows[student.pk] = row
    records = outcomes.save_group_outcomes(group, rows, user, on=D(2025, 9, 15))
    working = [r for r in records if r.outcome == "employed"]
    for record, (adaptation, checked_on, note) in zip(working, ADAPTATION, strict=False):
        record = GraduateEmployment.objects.get(pk=record.pk)
        record.adaptation, record.checked_on, record.adaptation_note = adaptation, checked_on, note
        outcomes.save_employment(record, user, on=D(2025, 12, 31))


def _upgrading(pl8, user):
    staff = {
        "master": StaffMember.objects.filter(institution=pl8, category="master").order_by("pk").first(),
        "teacher": StaffMember.objects.filter(institution=pl8, category="teacher").order_by("last_name", "pk").first(),
    }
    needs = []
    for kind, who, topic, reason in NEEDS:
        if kind == "staff":
            person = {"staff": staff[who]}
        else:
            person = {"mentor": EmployerPerson.objects.filter(institution=pl8, last_name=who, is_mentor=True).first()}
        if not next(iter(person.values())):
            continue
        need = TrainingNeed(institution=pl8, topic=topic, reason=reason, academic_year=2025, **person)
        needs.append(outcomes.save_need(need, user))
    mentoring = [n for n in needs if n.topic.startswith("Насаатчылыктын")]
    if not mentoring:
        return
    programme = UpgradingProgramme(
        institution=pl8, title="Насаатчылыктын педагогикасы жана методикасы", audience=UpgradingProgramme.Audience.BOTH,
        provider="Баткен облустук квалификацияны жогорулатуу борбору", hours=36, starts_on=D(2025, 10, 13),
        ends_on=D(2025, 10, 24), places=12,
        content="Насаатчынын милдеттери (п. 58); тапшырмаларды берүү жана баалоо; электрондук күндөлүк; "
                "пикир жана мүнөздөмө жазуу; жаш адистин ыңгайлашуусу.",
    )  # fmt: skip
    outcomes.create_programme(programme, [n.pk for n in mentoring], user)
    enrolments = []
    for n in mentoring:
        enrolments.append(outcomes.enrol(programme, user, staff=n.staff, mentor=n.mentor))
    for number, e in enumerate(enrolments[:2], 1):
        outcomes.complete(e, f"КЖ-2025/{number:03d}", programme.ends_on, user)
    for e in enrolments[2:]:
        outcomes.drop(e, user)
