"""A student's life by order of the institution: one function per movement, each in one transaction.

enrolment → studying ⇄ academic leave; studying or on leave → expelled → reinstated (studying);
studying → transferred to another group (still studying); studying in the group's final year →
graduated. Every step writes a `Movement` (the order, its date, the day it takes effect) and
changes the student's status and group; the history is never rewritten. The source (KZ guidance,
§6.12 of the extract) states no procedure for transfer, leave, expulsion or reinstatement: the
preconditions here are the plain ones (a step only from the statuses where it makes sense, a
reason for an expulsion, a return date for a leave), and are said so in each message.
"""

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.models import Student, StudyGroup
from kesip.core.rules import RuleViolation
from kesip.curriculum.models import IndividualCurriculum, IndividualEntry, Movement
from kesip.curriculum.students_rules import check_exemption, check_group_open, study_years

K = Movement.Kind
S = Student.Status


@dataclass(frozen=True)
class Step:
    kind: str
    label: str
    sources: tuple  # the student statuses the step is taken from; () = a student with no recorded life yet
    target: str  # the status after the step
    style: str = "primary"
    to_group: str = ""  # "required", "optional" or "" (not asked)
    needs_reason: bool = False
    needs_leave_until: bool = False


STEPS = {
    s.kind: s
    for s in (
        Step(K.ENROLMENT, gettext_lazy("Enrol"), (), S.ENROLLED, to_group="required"),
        Step(K.TRANSFER, gettext_lazy("Transfer to another group"), (S.ENROLLED,), S.ENROLLED, "outline-primary", "required"),
        Step(K.ACADEMIC_LEAVE, gettext_lazy("Academic leave"), (S.ENROLLED,), S.ACADEMIC_LEAVE, "outline-secondary",
             needs_leave_until=True),
        Step(K.RETURN, gettext_lazy("Return from academic leave"), (S.ACADEMIC_LEAVE,), S.ENROLLED, to_group="optional"),
        Step(K.EXPULSION, gettext_lazy("Expel"), (S.ENROLLED, S.ACADEMIC_LEAVE), S.EXPELLED, "outline-danger", needs_reason=True),
        Step(K.REINSTATEMENT, gettext_lazy("Reinstate"), (S.EXPELLED,), S.ENROLLED, to_group="required"),
        Step(K.GRADUATION, gettext_lazy("Graduate"), (S.ENROLLED,), S.GRADUATED, "success"),
    )
}  # fmt: skip


def may_change(user, institution_id):
    return access.scope_for(user, Movement, "change").allows_institution(institution_id)


def _open_for_enrolment(student, has_movements):
    """A new student, one whose enrolment order was never recorded, or a graduate starting another programme."""
    return student.pk is None or not has_movements or student.status == S.GRADUATED


def is_final_year(group):
    return group is not None and group.year_of_study >= study_years(group.programme)


def allowed(student, user, has_movements=None):
    """The steps this user may take for this student now, in display order; impossible steps are left out."""
    if not may_change(user, student.institution_id):
        return []
    if has_movements is None:
        has_movements = student.pk is not None and student.movements.exists()
    result = []
    for step in STEPS.values():
        if step.kind == K.ENROLMENT:
            if _open_for_enrolment(student, has_movements):
                result.append(step)
        elif student.pk is not None and student.status in step.sources and (has_movements or student.group_id is not None):
            if step.kind == K.GRADUATION and not is_final_year(student.group):
                continue
            result.append(step)
    return result


def _refuse(code, message, field=None, source=""):
    raise RuleViolation(code, message, source, field)


def _target_group(student, group, on, required):
    """The group a step moves the student into: of the student's institution, active, open to the intake."""
    if group is None:
        if required:
            _refuse("curriculum.student.group", _("Choose the group."), "to_group")
        return None
    group = StudyGroup.objects.select_related("programme", "institution").get(pk=group.pk)
    if group.institution_id != student.institution_id:
        _refuse("curriculum.student.group", _("Choose a group of the student's institution."), "to_group")
    if not group.is_active:
        _refuse(
            "curriculum.student.group", _("Group %(group)s is closed; choose an active group.") % {"group": group}, "to_group"
        )
    check_group_open(group, on)
    return group


def take_step(student, kind, user, *, order_number, order_date, on, to_group=None, leave_until=None, reason="", today=None):
    """Record one movement of the student by order; raises RuleViolation (nothing saved) when it is not open.

    `student` may be unsaved for an enrolment: the student is created with the movement, in one transaction.
    """
    step = STEPS.get(kind)
    if step is None:
        _refuse("curriculum.student.step", _("Unknown step."), "kind")
    today = today or datetime.date.today()
    if not may_change(user, student.institution_id):
        _refuse("curriculum.student.permission", _("You may not take this step."), "kind")
    order_number = (order_number or "").strip()
    if not order_number:
        _refuse("curriculum.student.order", _("Give the number of the order."), "order_number")
    if order_date is None:
        _refuse("curriculum.student.order", _("Give the date of the order."), "order_date")
    if order_date > today:
        _refuse("curriculum.student.order", _("An order cannot be dated in the future."), "order_date")
    if on is None:
        _refuse("curriculum.student.date", _("Give the date the order takes effect."), "on")
    reason = (reason or "").strip()
    if step.needs_reason and not reason:
        _refuse("curriculum.student.reason", _("Give the reason for the expulsion."), "reason")
    if step.needs_leave_until and (leave_until is None or leave_until <= on):
        _refuse("curriculum.student.leave_until", _("Give the day the academic leave ends, after it starts."), "leave_until")

    with transaction.atomic():
        new = student.pk is None
        if new:
            student.status = S.ENROLLED
            current = student
        else:
            current = (
                Student.objects.select_for_update(of=("self",))
                .select_related("group__programme", "institution")
                .get(pk=student.pk)
            )
        last = None if new else Movement.objects.filter(student=current).order_by("-on", "-pk").first()
        if new and step.kind != K.ENROLMENT:
            _refuse("curriculum.student.status", _("Enrol the student first."), "kind")
        if step.kind == K.ENROLMENT:
            if not _open_for_enrolment(current, last is not None):
                _refuse(
                    "curriculum.student.status",
                    _("The student's enrolment is already recorded; use a transfer or a reinstatement."),
                    "kind",
                )
        elif current.status not in step.sources:
            _refuse(
                "curriculum.student.status",
                _("A student who is “%(status)s” cannot take the step “%(step)s”.")
                % {"status": current.get_status_display(), "step": step.label},
                "kind",
            )
        if last is not None and on < last.on:
            _refuse(
                "curriculum.student.date",
                _("The student's last movement takes effect on %(day)s; a new one cannot take effect earlier.")
                % {"day": f"{last.on:%d.%m.%Y}"},
                "on",
            )
        from_group = None if new else current.group
        if step.kind == K.RETURN and to_group is None:
            to_group = current.group  # back to the same group, if it still takes students
        group = _target_group(current, to_group, on, step.to_group == "required")
        if step.kind == K.TRANSFER and from_group is not None and group.pk == from_group.pk:
            _refuse(
                "curriculum.student.group", _("The student already studies in group %(group)s.") % {"group": group}, "to_group"
            )
        if step.kind == K.GRADUATION and not is_final_year(current.group):
            years = study_years(current.group.programme) if current.group_id else None
            _refuse(
                "curriculum.student.graduation",
                _("Only a student of the final year graduates: the group is in year %(year)s of %(years)s.")
                % {"year": current.group.year_of_study if current.group_id else "—", "years": years or "—"},
                "kind",
            )
        if group is not None:
            current.group = group
        if step.kind == K.ENROLMENT:
            current.enrolled_on = on
        current.status = step.target
        if new:
            current.full_clean()  # the personal number and its uniqueness, as the student form checks them
        current.save()
        movement = Movement.objects.create(
            institution_id=current.institution_id,
            student=current,
            kind=step.kind,
            on=on,
            order_number=order_number,
            order_date=order_date,
            from_group=from_group,
            to_group=group,
            leave_until=leave_until if step.needs_leave_until else None,
            reason=reason,
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
    if not new:
        student.refresh_from_db()
    return movement


def enrol(student, group, user, *, order_number, order_date, on, today=None):
    """Enrol a (new) student into a programme's group by order."""
    return take_step(
        student, K.ENROLMENT, user, order_number=order_number, order_date=order_date, on=on, to_group=group, today=today
    )


def save_individual_curriculum(plan, user):
    """Create or change the header of a student's individual curriculum: only for a student with SEN (KZ §12)."""
    student = plan.student
    if not may_change(user, student.institution_id):
        _refuse("curriculum.student.permission", _("You may not take this step."), "kind")
    if not student.special_needs:
        _refuse(
            "curriculum.individual.special_needs",
            _("An individual curriculum is drawn up only for a student with special educational needs; mark the student first."),
            "kind",
        )
    plan.institution_id = student.institution_id
    with transaction.atomic():
        plan.full_clean()
        plan.save()
    return plan


def save_individual_entries(plan, cells):
    """Replace the plan's entries with `cells`: {(component_id, year, semester): (hours, remote)}; one transaction.

    Components must be of the student's programme; a 0-hour entry drops the component for the student.
    """
    from kesip.curriculum.models import Component

    with transaction.atomic():
        plan = (
            IndividualCurriculum.objects.select_for_update(of=("self",))
            .select_related("student__group__programme")
            .get(pk=plan.pk)
        )
        group = plan.student.group
        if group is None:
            _refuse("curriculum.individual.group", _("The student is in no group, so has no programme to individualise."))
        years = study_years(group.programme)
        own = set(Component.objects.filter(module__programme_id=group.programme_id).values_list("pk", flat=True))
        rows = []
        for (component_id, year, semester), (hours, remote) in sorted(cells.items()):
            if component_id not in own:
                _refuse("curriculum.individual.layout", _("A component of another programme was given."))
            if not (1 <= year <= years and semester in (1, 2)):
                _refuse(
                    "curriculum.individual.layout",
                    _("Year %(year)s is beyond the programme's %(years)s years of study.") % {"year": year, "years": years},
                    f"component-{component_id}",
                )
            if hours < 0 or remote < 0 or hours > 10000 or remote > hours:
                _refuse(
                    "curriculum.individual.distance",
                    _("Remote hours cannot exceed the hours of the semester."),
                    f"component-{component_id}",
                )
            rows.append(
                IndividualEntry(
                    institution_id=plan.institution_id,
                    plan=plan,
                    component_id=component_id,
                    year=year,
                    semester=semester,
                    hours=hours,
                    distance_hours=remote,
                )
            )
        IndividualEntry.objects.filter(plan=plan).delete()
        IndividualEntry.objects.bulk_create(rows)
        plan.save(update_fields=["updated_at"])
    return plan


def save_exemption(exemption, user):
    """Create or change a remote-study exemption (ground, granting document, validity); one transaction."""
    student = exemption.student
    if not may_change(user, student.institution_id):
        _refuse("curriculum.student.permission", _("You may not take this step."), "reason")
    exemption.institution_id = student.institution_id
    check_exemption(exemption, student)
    with transaction.atomic():
        exemption.full_clean()
        exemption.save()
    return exemption
