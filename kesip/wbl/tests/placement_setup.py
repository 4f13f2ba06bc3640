"""A small college for the placement tests: a group with an approved practice period, an employer with a
workplace, mentors and a signed agreement, a head of practical training appointed by a signed order.

Records are made directly (not through the other workflows) so each test states exactly the world it needs.
"""

import datetime
from types import SimpleNamespace

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.curriculum.tests import factories as cf
from kesip.wbl import placements as services
from kesip.wbl.models import Agreement, EmployerPerson, Order, Placement, Workplace

# The approved practice period of the group's calendar.
FIRST, LAST = datetime.date(2025, 3, 3), datetime.date(2025, 3, 29)
ADULT = datetime.date(2003, 1, 1)


def college(
    jurisdiction="KG", level="secondary_vocational", students=4, places=3, sector="construction", specialty_name=None, **flags
):
    """`flags`: the specialty's classifier flags (is_pedagogical, is_medical)."""
    inst = f.InstitutionFactory(jurisdiction=jurisdiction)
    specialty = f.SpecialtyFactory(
        jurisdiction=jurisdiction, level=level, **({"name_ru": specialty_name} if specialty_name else {}), **flags
    )
    programme = f.ProgrammeFactory(institution=inst, specialty=specialty)
    group = f.GroupFactory(institution=inst, programme=programme)
    qualification = cf.QualificationFactory(specialty=specialty)
    module = cf.ModuleFactory(programme=programme, kind="professional", qualification=qualification)
    component = cf.ComponentFactory(module=module, kind="practice", practice_type="production", hours=48)
    other_component = cf.ComponentFactory(module=module, kind="practice", practice_type="educational", hours=24)
    calendar = group.calendars.create(
        institution=inst, academic_year=2024, year_of_study=1, practice_mode="continuous", status="approved"
    )
    period = calendar.periods.create(institution=inst, kind="practice", starts_on=FIRST, ends_on=LAST, component=component)
    employer = f.EmployerFactory(institution=inst, sector=sector)
    workplace = Workplace.objects.create(
        institution=inst,
        employer=employer,
        title="Цех №1",
        places=places,
        available_from=datetime.date(2025, 1, 1),
        available_to=datetime.date(2025, 12, 31),
        safety_compliant=True,
    )
    mentors = [
        EmployerPerson.objects.create(
            institution=inst, employer=employer, last_name=f"Устат{i}", first_name="Нурлан", position="Мастер", is_mentor=True
        )
        for i in range(2)
    ]
    agreement = Agreement.objects.create(
        institution=inst,
        employer=employer,
        kind="wbl",
        form="practice",
        number=f"Д-{inst.pk}",
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
        status="active",
        signed_on=datetime.date(2024, 12, 20),
    )
    supervisor_user = f.member(Role.HEAD_OF_PRACTICE, institution=inst)
    supervisor = f.StaffFactory(institution=inst, user=supervisor_user, last_name="Жетекчи")
    order = Order.objects.create(
        institution=inst, kind="supervisor", year=2025, number=f"ПО-{inst.pk}", dated=datetime.date(2025, 1, 10),
        title="Практика жетекчилерин дайындоо", status="signed", signed_on=datetime.date(2025, 1, 10),
    )  # fmt: skip
    order.lines.create(institution=inst, group=group, supervisor=supervisor)
    return SimpleNamespace(
        institution=inst,
        specialty=specialty,
        programme=programme,
        group=group,
        component=component,
        other_component=other_component,
        calendar=calendar,
        period=period,
        employer=employer,
        workplace=workplace,
        mentors=mentors,
        mentor=mentors[0],
        agreement=agreement,
        supervisor=supervisor,
        supervisor_user=supervisor_user,
        supervisor_order=order,
        students=[
            f.StudentFactory(
                institution=inst, group=group, last_name=f"Студент{i:02d}", birth_date=ADULT, sex="F" if i % 2 else "M"
            )
            for i in range(students)
        ],
        admin=f.member(Role.INSTITUTION_ADMIN, institution=inst),
        rep=f.member(Role.EMPLOYER_REP, institution=inst, employer=employer),
    )


FIRST_STUDENT = object()


def values(t, student=FIRST_STUDENT, **kwargs):
    """The fields of a valid practice placement of the first student (override any; `student=None` for a teacher)."""
    found = dict(
        form="practice",
        practice_type="production",
        student=t.students[0] if student is FIRST_STUDENT else student,
        employer=t.employer,
        workplace=t.workplace,
        component=t.component,
        starts_on=FIRST,
        ends_on=LAST,
        supervisor=t.supervisor,
        mentor=t.mentor,
        consent_by="learner",
        consent_on=datetime.date(2025, 2, 10),
    )
    found.update(kwargs)
    return found


def plan(t, user=None, student=FIRST_STUDENT, **kwargs):
    """A planned placement saved through the service (raises WblInvalid when a hard rule breaks)."""
    p = Placement(**values(t, student, **kwargs))
    services.save_placement(p, user or t.admin)
    return p


def raw(t, student=FIRST_STUDENT, **kwargs):
    """A placement written straight to the database (for worlds the rules would refuse to plan)."""
    v = values(t, student, **kwargs)
    v.setdefault("status", "planned")
    return Placement.objects.create(institution=t.institution, group=v["student"].group if v.get("student") else None, **v)
