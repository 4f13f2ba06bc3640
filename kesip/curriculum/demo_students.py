"""Demo movements of Lyceum No. 8's welders (ЭГС-23): enrolment orders, one transfer in, one academic leave.

Recorded through the same services as the pages, by the lyceum's administrator, so the demo obeys
the same rules. Idempotent: a student who already has a movement is left as it is. Not wired into
`load_demo`; the lead calls `demo_students()` after the core and curriculum demos.
"""

import datetime

from django.db import transaction

from kesip.core.models import Institution, Membership, Student, StudyGroup
from kesip.core.roles import Role
from kesip.curriculum import students_services as services

D = datetime.date
ENROLMENT = {"order_number": "112-к", "order_date": D(2023, 8, 28), "on": D(2023, 9, 1)}


@transaction.atomic
def demo_students(user=None):
    """Movements of group ЭГС-23; returns the movements created."""
    pl8 = Institution.objects.get(inn="00307199510011")
    group = StudyGroup.objects.get(institution=pl8, name="ЭГС-23")
    if user is None:
        user = Membership.objects.filter(institution=pl8, role=Role.INSTITUTION_ADMIN).select_related("user").first().user
    students = list(Student.objects.filter(group=group).order_by("student_number", "pk"))
    created = []
    for i, s in enumerate(students):
        if s.movements.exists():
            continue
        if i == len(students) - 1:
            # Came from another lyceum in the second semester of the first year.
            created.append(
                services.take_step(
                    s, "enrolment", user, order_number="7-к", order_date=D(2024, 1, 22), on=D(2024, 1, 23), to_group=group,
                    reason="Переведён из Профессионального лицея № 12 (г. Ош)",
                )
            )  # fmt: skip
            continue
        created.append(services.take_step(s, "enrolment", user, to_group=group, **ENROLMENT))
        if i == 6:
            # Academic leave on a medical conclusion, then back to the group for the second year.
            created.append(
                services.take_step(
                    s, "academic_leave", user, order_number="41-к", order_date=D(2024, 3, 4), on=D(2024, 3, 11),
                    leave_until=D(2024, 8, 31), reason="Заключение ВКК № 58",
                )
            )  # fmt: skip
            created.append(
                services.take_step(s, "return", user, order_number="98-к", order_date=D(2024, 8, 26), on=D(2024, 9, 2))
            )
    return created
