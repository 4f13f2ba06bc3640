"""Demo of the learners' families and the stakeholders of Lyceum No. 8 (F11, F30, F36).

Every welder of ЭГС-23 placed in 2024–2025 has the legal representative who consented to the WBL
list (п. 56 item 5) on record; the father of the learner `pl8.student` signs in as `pl8.parent` and
sees his son's placement, diary and the consent given. The Red Crescent's volunteer coordinator
signs in as `pl8.volunteer` and sees the volunteering of the lyceum's learners with that
organisation. The published report of 2024–2025 has its improvement measures, and the stakeholders
were told of them (the notice kept, not mailed: the demo's addresses are made up). Idempotent.
"""

import datetime

from django.db.models import Q
from django.utils import timezone

from kesip.core.demo import DEMO_PASSWORD
from kesip.core.models import Membership, Student, StudentRepresentative, User
from kesip.core.roles import Role
from kesip.wbl import report_measures
from kesip.wbl.models import AnnualReport, EmployerPerson, ImprovementMeasure, Placement, VolunteerRecognition

D = datetime.date
MEASURES = [
    ("Насаатчылар үчүн «Жумуш ордунда окутуунун методикасы» 24 сааттык квалификацияны жогорулатуу курсу.",
     "Практикалык окутуунун жетекчиси У. Токтосунов", D(2025, 11, 28), "done", D(2025, 11, 28)),
    ("Өндүрүштүк практиканын программасына жарым автоматтык ширетүү боюнча 24 саат кошуу.",
     "Окуу бөлүмү", D(2026, 1, 31), "in_progress", None),
    ("«Караван Агро Сервис» менен ширетүү жабдуусун жаңылоо боюнча макулдашуу түзүү.",
     "Директор Б. Кыпчаков", D(2026, 3, 1), "planned", None),
]  # fmt: skip


def _account(username, role, first, last, institution, employer=None):
    user, created = User.objects.get_or_create(
        username=username, defaults=dict(first_name=first, last_name=last, email=f"{username}@demo.kesip.kg")
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    Membership.objects.get_or_create(user=user, role=role, institution=institution, defaults=dict(employer=employer))
    return user


def _representatives(pl8):
    """The representatives named on the placements (the consent on paper), one record per learner."""
    named = (
        Placement.objects.filter(institution=pl8, consent_by="representative")
        .exclude(legal_representative="")
        .select_related("student")
        .order_by("student_id", "pk")
    )
    known = set(StudentRepresentative.objects.filter(institution=pl8).values_list("student_id", flat=True))
    for i, p in enumerate(named):
        if p.student_id in known:
            continue
        known.add(p.student_id)
        name = p.legal_representative.replace(" (атасы)", "").strip()
        StudentRepresentative.objects.create(
            institution=pl8, student=p.student, full_name=name, relation="father", phone=f"+996 772 41{i:02d} {30 + i:02d}"
        )


def load(pl8):
    logins = []
    _representatives(pl8)
    student = Student.objects.filter(institution=pl8, user__username="pl8.student").first()
    rep = StudentRepresentative.objects.filter(student=student).first() if student else None
    if rep is not None:
        first = rep.full_name.split(" ")[1] if " " in rep.full_name else rep.full_name
        parent = _account("pl8.parent", Role.LEGAL_REPRESENTATIVE, first, student.last_name, pl8)
        if rep.user_id is None:
            rep.user, rep.email = parent, parent.email
            rep.save(update_fields=["user", "email", "updated_at"])
        logins.append(("pl8.parent", Role.LEGAL_REPRESENTATIVE.label, f"{pl8} — {student}"))
    volunteering = VolunteerRecognition.objects.filter(institution=pl8).select_related("organisation").first()
    if volunteering is not None:
        _account("pl8.volunteer", Role.VOLUNTEER_CONTACT, "Айгерим", "Бакирова", pl8, employer=volunteering.organisation)
        logins.append(("pl8.volunteer", Role.VOLUNTEER_CONTACT.label, str(volunteering.organisation)))
    base_mentor = EmployerPerson.objects.filter(institution=pl8, user__username="pl8.workshop").select_related("employer").first()
    if base_mentor is not None:  # the mentor of the lyceum's own workshop (demo_bases)
        logins.append(("pl8.workshop", Role.MENTOR.label, str(base_mentor.employer)))
    report = AnnualReport.objects.filter(institution=pl8, academic_year=2024, status=AnnualReport.Status.PUBLISHED).first()
    if report is not None and not report.measures.exists():
        # The host employers' heads and representatives give an address for the notification list.
        people = EmployerPerson.objects.filter(institution=pl8, email="").filter(Q(is_head=True) | Q(is_representative=True))
        for person in people:
            person.email = f"{person.employer_id}.{person.pk}@employers.demo.kesip.kg"
            person.save(update_fields=["email", "updated_at"])
        for text, responsible, due, status, done in MEASURES:
            report_measures.save_measure(
                ImprovementMeasure(report=report, text=text, responsible=responsible, due_on=due, status=status, done_on=done),
                None,
                today=D(2025, 12, 1),
            )
        report_measures.notify(
            report,
            None,
            extra="uo.kyzyl-kiya@demo.kesip.kg\nata-eneler.pl8@demo.kesip.kg",
            now=timezone.make_aware(datetime.datetime(2025, 12, 2, 10, 0)),
            deliver=False,
        )
    return logins
