"""Demo exams: Lyceum No. 8's welders (ЭГС-23) pass their qualification exam, and APC's ДС-24-1 has one planned.

The held exam goes through the same services as the pages (record the results, mark held, award),
so the awards it makes obey the rules. Idempotent: an exam already there is left as it is; a group
or qualification that is missing is skipped.
"""

import datetime

from django.db import transaction

from kesip.core.models import Student, StudyGroup
from kesip.curriculum import exams
from kesip.curriculum.models import Qualification, QualificationExam

E = QualificationExam
KG_HELD_ON = datetime.date(2025, 6, 20)  # the end of ЭГС-23's second (final) year
# Marks on the five-point scale, in the order of the students' records: most pass, two fail.
KG_MARKS = [5, 4, 3, 2, 4, 5, 4, 3, 4, 2, 5, 4, 3]
KG_EXPERTS = (
    "Абдыкадыров Нурлан — ЖИ «Абдыкадыров Н.», ширетүү устаканасынын ээси, 5-разряддагы ширетүүчү\n"
    "Мамытов Жоробек — башкы инженер, иш берүүчүлөрдүн өкүлү"
)
KG_VENUE = "ПЛ №8, ширетүү устаканасы: Баткен обл., Кызыл-Кыя ш., Караван айылы, Кыпчаков көч. 29"
KZ_EXPERTS = (
    "Омаров Ерлан — «Алматы Металл Конструкция» ЖШС бас инженері, WorldSkills Kazakhstan сарапшысы\n"
    "Сейтқали Асхат — «Дәнекерлеу технологиясы» құзыреті бойынша WorldSkills сарапшысы"
)
KZ_VENUE = "АПК, дәнекерлеу бойынша оқу-өндірістік шеберхана: Алматы қ., Сейфуллин даңғ. 530"


def _group(name, jurisdiction):
    return (
        StudyGroup.objects.filter(name=name, institution__jurisdiction=jurisdiction)
        .select_related("institution", "programme")
        .first()
    )


def _kg_qualification_exam():
    group = _group("ЭГС-23", "KG")
    if group is None:
        return None
    qualification = group.programme.qualifications.filter(code="7212.2-3").first()
    if qualification is None:
        return None
    exam = E.objects.filter(group=group, qualification=qualification, kind=E.Kind.QUALIFICATION).first()
    if exam is None:
        exam = exams.save_exam(
            E(
                group=group,
                qualification=qualification,
                kind=E.Kind.QUALIFICATION,
                form=E.Form.PRACTICAL_WORK,
                venue_kind=E.Venue.WORKSHOP,
                venue=KG_VENUE,
                held_on=KG_HELD_ON,
                experts=KG_EXPERTS,
            ),
            None,
        )
    if exam.status == E.Status.PLANNED:
        students = Student.objects.filter(group=group, status=Student.Status.ENROLLED).order_by("student_number", "pk")
        marks = {s.pk: KG_MARKS[i % len(KG_MARKS)] for i, s in enumerate(students)}
        if marks:
            exams.record_results(exam, marks, None, close=True, on=exam.held_on)
            exam.refresh_from_db()
    return exam


def _kz_demonstration_exam(today):
    group = _group("ДС-24-1", "KZ")
    if group is None:
        return None
    qualification = group.programme.qualifications.filter(kind=Qualification.Kind.WORKER).order_by("code").first()
    if qualification is None:
        return None
    exam = E.objects.filter(group=group, qualification=qualification, kind=E.Kind.DEMO_INTERMEDIATE).first()
    if exam is None:
        exam = exams.save_exam(
            E(
                group=group,
                qualification=qualification,
                kind=E.Kind.DEMO_INTERMEDIATE,
                form=E.Form.DEMONSTRATION,
                venue_kind=E.Venue.WORKSHOP,
                venue=KZ_VENUE,
                held_on=today + datetime.timedelta(days=28),
                experts=KZ_EXPERTS,
            ),
            None,
        )
    return exam


@transaction.atomic
def demo_exams(today=None):
    """The demo's exams; returns those made or found (a missing group gives none)."""
    today = today or datetime.date.today()
    return [e for e in (_kg_qualification_exam(), _kz_demonstration_exam(today)) if e is not None]
