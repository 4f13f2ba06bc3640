"""Qualification and demonstration exams of a group: plan, record the results, mark held, award, reopen.

planned → results recorded (any number of times, the whole table at once) → held: each student who
passed an exam that awards (the qualification exam, the final demonstration exam) is awarded the
exam's qualification on the exam day → reopened to planned: the awards of the exam are withdrawn,
their history kept. Each step runs in one transaction and checks the rules of `exam_rules`; a step
that fails changes nothing. `user=None` is a system job (the demo), which needs no membership.
"""

import datetime
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.rules import RuleViolation
from kesip.curriculum import exam_rules
from kesip.curriculum.rules import rulebook_for

# The fields a user plans; the group comes from the page (or, in the API, is fixed at creation).
EXAM_FIELDS = ["kind", "qualification", "form", "venue_kind", "venue", "held_on", "experts", "scale"]
STEPS = ("close", "reopen")


class ExamInvalid(Exception):
    """The exam or its results break rules; `violations` lists every one of them."""

    def __init__(self, violations):
        super().__init__("; ".join(v.message for v in violations))
        self.violations = violations


@dataclass
class Outcome:
    exam: object
    awarded: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # RuleViolations: students who already hold the qualification
    warnings: list = field(default_factory=list)  # RuleViolations (soft): VR-48, the board names no employer


def may_change(user, institution_id):
    from kesip.curriculum.models import QualificationExam

    return user is None or access.scope_for(user, QualificationExam, "change").allows_institution(institution_id)


def _permission(user, exam, field="status"):
    if not may_change(user, exam.institution_id):
        raise RuleViolation("curriculum.exam.permission", _("You may not take this step."), "", field)


def _planned(exam, message):
    from kesip.curriculum.models import QualificationExam

    if exam.status != QualificationExam.Status.PLANNED:
        raise RuleViolation("curriculum.exam.held", message, "", "status")


def _locked(exam):
    """The exam row locked for the step, with what the rules read."""
    from kesip.curriculum.models import QualificationExam

    locked = (
        QualificationExam.objects.select_for_update(of=("self",))
        .select_related("group__institution", "group__programme", "qualification", "scale")
        .get(pk=exam.pk)
    )
    prefetch_related_objects([locked.scale], "bands")
    return locked


def allowed_steps(exam, user, result_count, today=None):
    """What this user may do with the exam now, for the buttons: edit, results, close, delete, reopen."""
    from kesip.curriculum.models import QualificationExam

    if not may_change(user, exam.institution_id):
        return set()
    if exam.status == QualificationExam.Status.HELD:
        return {"reopen"}
    steps = {"edit", "results", "delete"}
    if result_count and exam.held_on <= (today or datetime.date.today()):
        steps.add("close")
    return steps


def save_exam(exam, user, employers=None):
    """Plan a new exam for its group, or change a planned one; raises ExamInvalid listing every broken rule.

    `employers` (a list) replaces the employers named on the attestation board; None keeps them. Returns
    the exam; `exam_rules.board_warnings(exam)` then tells whether the board names no employer (VR-48).
    """
    from kesip.core.models import StudyGroup
    from kesip.curriculum.models import GradingScale, QualificationExam

    group = StudyGroup.objects.select_related("institution", "programme").get(pk=exam.group_id)
    exam.group, exam.institution = group, group.institution
    if exam.scale_id is None:
        exam.scale = GradingScale.default_for(group.institution.jurisdiction)
    _permission(user, exam, "group")
    with transaction.atomic():
        if exam.pk:
            current = _locked(exam)
            _planned(current, _("The exam is held: reopen it before changing it."))
            if current.group_id != exam.group_id:
                raise RuleViolation("curriculum.exam.group", _("An exam stays with the group it was planned for."), "", "group")
            if current.scale_id != exam.scale_id and current.results.exists():
                raise ExamInvalid(
                    [
                        RuleViolation(
                            "curriculum.exam.scale",
                            _("The results are marked on the scale “%(scale)s”: clear them before changing the scale.")
                            % {"scale": current.scale},
                            "",
                            "scale",
                        )
                    ]
                )
            exam.status = current.status
        else:
            exam.status = QualificationExam.Status.PLANNED
        violations = exam_rules.plan_violations(exam)
        if employers is not None:
            employers = list(employers)
            violations = violations + exam_rules.employer_violations(exam, employers)
        if violations:
            raise ExamInvalid(violations)
        try:
            with transaction.atomic():
                exam.save()
                if employers is not None:
                    exam.employer_members.set(employers)
        except IntegrityError:  # planned at the same moment by someone else
            raise ExamInvalid(
                exam_rules.plan_violations(exam)
                or [
                    RuleViolation(
                        "curriculum.exam.duplicate",
                        _("The exam conflicts with another exam of the group; nothing was saved."),
                        "",
                        "qualification",
                    )
                ]
            ) from None
    return exam


def delete_exam(exam, user):
    """Delete a planned exam with its recorded results; a held one is reopened first."""
    with transaction.atomic():
        exam = _locked(exam)
        _permission(user, exam)
        _planned(exam, _("The exam is held: reopen it before deleting it."))
        exam.delete()


def record_results(exam, marks, user, close=False, on=None):
    """Replace the exam's results with the table `marks` ({student id: mark or None}); with `close`, mark it held.

    The whole table is checked first: one bad row and nothing is saved (ExamInvalid names each row).
    A student left without a mark has no result (absent). Returns an Outcome.
    """
    from kesip.core.models import Student
    from kesip.curriculum.models import ExamResult

    with transaction.atomic():
        exam = _locked(exam)
        _permission(user, exam)
        _planned(exam, _("The exam is held: reopen it to change its results."))
        enrolled = {
            s.pk: s for s in Student.objects.filter(group_id=exam.group_id, status=Student.Status.ENROLLED).order_by("pk")
        }
        violations = exam_rules.result_violations(exam, marks, enrolled)
        if violations:
            raise ExamInvalid(violations)
        values = {sid: exam_rules.parse_mark(raw) for sid, raw in marks.items()}
        values = {sid: v for sid, v in values.items() if v is not None}
        existing = {r.student_id: r for r in ExamResult.objects.filter(exam=exam)}
        ExamResult.objects.filter(exam=exam).exclude(student_id__in=list(values)).delete()
        new, changed = [], []
        for sid, value in values.items():
            ok = exam_rules.passed(exam.scale, value)
            result = existing.get(sid)
            if result is None:
                new.append(ExamResult(institution_id=exam.institution_id, exam=exam, student_id=sid, value=value, passed=ok))
            elif (result.value, result.passed) != (value, ok):
                result.value, result.passed = value, ok
                changed.append(result)
        ExamResult.objects.bulk_create(new)
        ExamResult.objects.bulk_update(changed, ["value", "passed", "updated_at"])
        exam.save(update_fields=["updated_at"])  # the exam's history records who saved the results, and when
        if close:
            return _close(exam, user, on)
    return Outcome(exam)


def close_exam(exam, user, on=None):
    """Mark the exam held (on or after its day, with results) and award the qualification to those who passed."""
    with transaction.atomic():
        exam = _locked(exam)
        _permission(user, exam)
        _planned(exam, _("The exam is already held."))
        return _close(exam, user, on)


def _close(exam, user, on=None):
    from kesip.core.models import Student
    from kesip.curriculum.models import QualificationExam

    on = on or datetime.date.today()
    if exam.held_on > on:
        raise RuleViolation(
            "curriculum.exam.date",
            _("The exam is planned for %(date)s: mark it held on that day or later.") % {"date": exam_rules._day(exam.held_on)},
            "",
            "held_on",
        )
    results = list(exam.results.select_related("student"))
    if not results:
        raise RuleViolation("curriculum.exam.no_results", _("Record the results before marking the exam held."), "", "status")
    gone = [
        RuleViolation(
            "curriculum.exam.student",
            _("%(student)s is no longer a studying student of group %(group)s: save the results again.")
            % {"student": r.student, "group": exam.group},
            "",
            f"student-{r.student_id}",
        )
        for r in results
        if r.student.group_id != exam.group_id or r.student.status != Student.Status.ENROLLED
    ]
    if gone:
        raise ExamInvalid(gone)
    exam.status = QualificationExam.Status.HELD
    exam.save()
    awarded, skipped = award_qualifications(exam, user)
    return Outcome(exam, awarded, skipped, exam_rules.board_warnings(exam))


def award_qualifications(exam, user):
    """Award the exam's qualification, on the exam day, to each studying student of the group who passed.

    Only a held exam that awards does (the qualification exam, the final demonstration exam). It is
    refused when the qualification was removed from the classifier before the exam day. A student
    who already holds the qualification is not awarded it twice: `skipped` names each, with the
    rule (KZ: one qualification exam per worker qualification). Returns (awarded, skipped).
    """
    from kesip.core.models import Student
    from kesip.curriculum.models import AwardedQualification, Qualification, QualificationExam

    if exam.status != QualificationExam.Status.HELD or not exam_rules.awards(exam):
        return [], []
    _permission(user, exam)
    awarded, skipped = [], []
    with transaction.atomic():
        qualification = Qualification.objects.get(pk=exam.qualification_id)  # the classifier as it is now
        removed = exam_rules.removed_violation(qualification, exam.held_on, "qualification")
        if removed:
            raise removed
        book = rulebook_for(exam.institution.jurisdiction, exam.held_on)
        rule = book.get(exam_rules.PER_WORKER)
        passed = [
            r
            for r in exam.results.select_related("student").order_by("student__last_name", "student__first_name", "pk")
            if r.passed and r.student.group_id == exam.group_id and r.student.status == Student.Status.ENROLLED
        ]
        held = {
            a.student_id: a
            for a in AwardedQualification.objects.filter(
                qualification=qualification, student_id__in=[r.student_id for r in passed]
            ).select_related("exam")
        }
        for r in passed:
            award = held.get(r.student_id)
            if award is None:
                try:
                    with transaction.atomic():
                        awarded.append(
                            AwardedQualification.objects.create(
                                institution_id=exam.institution_id,
                                student=r.student,
                                qualification=qualification,
                                exam=exam,
                                awarded_on=exam.held_on,
                            )
                        )
                    continue
                except IntegrityError:  # awarded by another exam at the same moment
                    award = AwardedQualification.objects.get(qualification=qualification, student_id=r.student_id)
            if award.exam_id == exam.pk:
                continue
            skipped.append(
                RuleViolation(
                    exam_rules.PER_WORKER if rule else "curriculum.exam.already_awarded",
                    _("%(student)s already holds qualification %(q)s (awarded on %(date)s): it is not awarded twice.")
                    % {"student": r.student, "q": qualification, "date": exam_rules._day(award.awarded_on)},
                    rule.source if rule else "",
                    f"student-{r.student_id}",
                )
            )
    return awarded, skipped


def reopen_exam(exam, user):
    """Open a held exam again for changes; the qualifications it awarded are withdrawn (their history is kept)."""
    from kesip.curriculum.models import QualificationExam

    with transaction.atomic():
        exam = _locked(exam)
        _permission(user, exam)
        if exam.status != QualificationExam.Status.HELD:
            raise RuleViolation("curriculum.exam.held", _("The exam is not held yet."), "", "status")
        withdrawn = list(exam.awards.all())
        for award in withdrawn:
            award.delete()
        exam.status = QualificationExam.Status.PLANNED
        exam.save()
    return withdrawn
