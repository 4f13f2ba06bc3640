"""The class journal: who teaches what to which group, the lessons held, attendance and marks."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.core.models.base import ScopedQuerySet


class TeachingAssignment(InstitutionScoped):
    """A teacher teaches a component to a group in an academic year; the hours come from the working curriculum."""

    group = models.ForeignKey("core.StudyGroup", on_delete=models.CASCADE, related_name="assignments", verbose_name=_("group"))
    component = models.ForeignKey(
        "curriculum.Component", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("component")
    )
    teacher = models.ForeignKey(
        "core.StaffMember", on_delete=models.PROTECT, related_name="assignments", verbose_name=_("teacher")
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("teaching assignment")
        verbose_name_plural = _("teaching assignments")
        ordering = ["-academic_year", "group", "component"]
        constraints = [
            models.UniqueConstraint(fields=["group", "component", "academic_year"], name="assignment_group_component_year_unique")
        ]

    def __str__(self):
        return f"{self.group} · {self.component} · {self.teacher}"

    def clean(self):
        errors = {}
        for name in ("group", "teacher"):
            obj = getattr(self, name, None) if getattr(self, f"{name}_id") else None
            if obj is not None and self.institution_id and obj.institution_id != self.institution_id:
                errors[name] = _("Choose one of this institution.")
        if self.group_id and self.component_id and self.component.module.programme_id != self.group.programme_id:
            errors["component"] = _("Choose a component of the group's programme.")
        if errors:
            raise ValidationError(errors)


class Lesson(InstitutionScoped):
    """One lesson (or control event) of a component held with a group: a column of the journal."""

    class Kind(models.TextChoices):
        LESSON = "lesson", _("Lesson")
        CURRENT_CONTROL = "current_control", _("Current control")
        INTERMEDIATE_ATTESTATION = "intermediate_attestation", _("Intermediate attestation")
        FINAL_ATTESTATION = "final_attestation", _("Final attestation")

    ATTESTATION_KINDS = (Kind.INTERMEDIATE_ATTESTATION, Kind.FINAL_ATTESTATION)

    group = models.ForeignKey("core.StudyGroup", on_delete=models.CASCADE, related_name="lessons", verbose_name=_("group"))
    component = models.ForeignKey(
        "curriculum.Component", on_delete=models.PROTECT, related_name="lessons", verbose_name=_("component")
    )
    teacher = models.ForeignKey(
        "core.StaffMember", null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons", verbose_name=_("teacher")
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.LESSON)
    hours = models.PositiveSmallIntegerField(
        _("academic hours"), default=2, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    topic = models.CharField(_("topic"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("lesson")
        verbose_name_plural = _("lessons")
        ordering = ["date", "pk"]
        indexes = [models.Index(fields=["group", "component", "date"])]

    def __str__(self):
        return f"{self.date:%d.%m.%Y} {self.topic}".strip()


class Mark(InstitutionScoped):
    """A student's attendance and mark at one lesson: a cell of the journal."""

    class Attendance(models.TextChoices):
        PRESENT = "present", _("Present")
        ABSENT = "absent", _("Absent")
        EXCUSED = "excused", _("Absent with a valid reason")
        LATE = "late", _("Late")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="marks", verbose_name=_("lesson"))
    student = models.ForeignKey("core.Student", on_delete=models.CASCADE, related_name="marks", verbose_name=_("student"))
    attendance = models.CharField(_("attendance"), max_length=8, choices=Attendance.choices, default=Attendance.PRESENT)
    value = models.DecimalField(_("mark"), max_digits=5, decimal_places=1, null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("mark")
        verbose_name_plural = _("marks")
        constraints = [models.UniqueConstraint(fields=["lesson", "student"], name="mark_lesson_student_unique")]
        indexes = [models.Index(fields=["student", "lesson"])]

    def __str__(self):
        return f"{self.student} {self.lesson}: {self.value if self.value is not None else self.get_attendance_display()}"
