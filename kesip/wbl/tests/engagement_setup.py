"""A college with an employer's head, two mentors and a specialist (all with logins where they act), two learners
placed with the mentors, and an approved calendar whose summer vacation runs 23.06–31.08.2025."""

import datetime
from types import SimpleNamespace

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.models import CalendarSchedule
from kesip.wbl.models import EmployerPerson, PartTimeJob, Placement

D = datetime.date
SUMMER_FROM, SUMMER_TO = D(2025, 6, 23), D(2025, 8, 31)


def person(t, employer=None, user=None, **kwargs):
    values = dict(last_name="Адисов", first_name="Бек", position="Адис", user=user)
    values.update(kwargs)
    employer = employer or t.employer
    return EmployerPerson.objects.create(institution=employer.institution, employer=employer, **values)


def place(t, student, mentor, status="active", employer=None):
    return Placement.objects.create(
        institution=t.institution,
        form="practice",
        practice_type="production",
        student=student,
        group=student.group,
        employer=employer or t.employer,
        starts_on=D(2025, 3, 3),
        ends_on=D(2025, 3, 29),
        mentor=mentor,
        status=status,
    )


def college(jurisdiction="KG"):
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    programme = f.ProgrammeFactory(institution=inst)
    group = f.GroupFactory(institution=inst, programme=programme)
    student = f.StudentFactory(institution=inst, group=group, last_name="Ширетүүчүев")
    other_student = f.StudentFactory(institution=inst, group=group, last_name="Башкаев")
    employer = f.EmployerFactory(institution=inst, name="ОсОО «Металл»")
    t = SimpleNamespace(institution=inst, programme=programme, group=group, student=student, other_student=other_student)
    t.employer = employer
    t.other_employer = f.EmployerFactory(institution=inst, name="ОсОО «Башка»")
    t.admin = f.member(Role.INSTITUTION_ADMIN, institution=inst)
    t.head_user = f.member(Role.EMPLOYER_REP, institution=inst, employer=employer)
    t.mentor_user = f.member(Role.MENTOR, institution=inst, employer=employer)
    t.other_mentor_user = f.member(Role.MENTOR, institution=inst, employer=employer)
    t.rep_user = f.member(Role.EMPLOYER_REP, institution=inst, employer=employer)
    t.head = person(t, user=t.head_user, last_name="Башчы", position="Директор", is_head=True)
    t.rep = person(t, user=t.rep_user, last_name="Өкүлов", position="Башкы инженер", is_representative=True)
    t.mentor = person(t, user=t.mentor_user, last_name="Устатов", position="Ширетүүчү", is_mentor=True)
    t.other_mentor = person(t, user=t.other_mentor_user, last_name="Экинчиев", position="Ширетүүчү", is_mentor=True)
    t.specialist = person(t, last_name="Технологов", position="Технолог")
    t.stranger = person(t, employer=t.other_employer, last_name="Бөтөнов", position="Технолог")
    t.placement = place(t, student, t.mentor)
    t.other_placement = place(t, other_student, t.other_mentor)
    t.student_user = f.member(Role.STUDENT, institution=inst)
    student.user = t.student_user
    student.save(update_fields=["user"])
    year = CalendarSchedule.objects.create(
        institution=inst, group=group, academic_year=2024, year_of_study=1, practice_mode="continuous", status="approved"
    )
    year.periods.create(institution=inst, kind="theory", starts_on=D(2024, 9, 2), ends_on=D(2024, 12, 28))
    year.periods.create(institution=inst, kind="holidays", starts_on=D(2024, 12, 30), ends_on=D(2025, 1, 5))
    year.periods.create(institution=inst, kind="holidays", starts_on=D(2025, 1, 6), ends_on=D(2025, 1, 12))
    year.periods.create(institution=inst, kind="theory", starts_on=D(2025, 1, 13), ends_on=D(2025, 6, 21))
    year.periods.create(institution=inst, kind="holidays", starts_on=SUMMER_FROM, ends_on=SUMMER_TO)
    following = CalendarSchedule.objects.create(
        institution=inst, group=group, academic_year=2025, year_of_study=2, practice_mode="continuous", status="approved"
    )
    following.periods.create(institution=inst, kind="theory", starts_on=D(2025, 9, 1), ends_on=D(2025, 12, 27))
    t.calendar = year
    return t


def job(t, **kwargs):
    values = dict(
        institution=t.institution,
        student=t.student,
        employer=t.employer,
        position="Ширетүүчүнүн жардамчысы",
        when="vacation",
        starts_on=D(2025, 7, 1),
        ends_on=SUMMER_TO,
        hours_per_week=20,
    )
    values.update(kwargs)
    return PartTimeJob(**values)
