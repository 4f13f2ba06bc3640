"""A student's life in the institution: movements by order, individual curricula, remote-study exemptions."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.core.models.base import ScopedQuerySet


class Movement(InstitutionScoped):
    """One change of a student's status or group, made by an order of the institution."""

    class Kind(models.TextChoices):
        ENROLMENT = "enrolment", _("Enrolment")
        TRANSFER = "transfer", _("Transfer to another group")
        ACADEMIC_LEAVE = "academic_leave", _("Academic leave")
        RETURN = "return", _("Return from academic leave")
        EXPULSION = "expulsion", _("Expulsion")
        REINSTATEMENT = "reinstatement", _("Reinstatement")
        GRADUATION = "graduation", _("Graduation")

    student = models.ForeignKey("core.Student", on_delete=models.CASCADE, related_name="movements", verbose_name=_("student"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    on = models.DateField(_("effective from"))
    order_number = models.CharField(_("order number"), max_length=32)
    order_date = models.DateField(_("order date"))
    from_group = models.ForeignKey(
        "core.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("from group")
    )
    to_group = models.ForeignKey(
        "core.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("to group")
    )
    leave_until = models.DateField(_("leave until"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "student"

    class Meta:
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        ordering = ["student", "on", "pk"]
        indexes = [models.Index(fields=["institution", "kind", "on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.on:%d.%m.%Y} ({self.order_number})"


class IndividualCurriculum(InstitutionScoped):
    """The special or individual curriculum of a student with special educational needs (KZ §12, R-45)."""

    class Kind(models.TextChoices):
        SPECIAL = "special", _("Special curriculum (intellectual disability)")
        INDIVIDUAL = "individual", _("Individual curriculum and plan (intact intellect, physical impairment)")

    student = models.OneToOneField(
        "core.Student", on_delete=models.CASCADE, related_name="individual_curriculum", verbose_name=_("student")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    basis = models.CharField(_("basis document"), max_length=255, help_text=_("The conclusion or order the curriculum rests on."))
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "student"

    class Meta:
        verbose_name = _("individual curriculum")
        verbose_name_plural = _("individual curricula")

    def __str__(self):
        return f"{self.student} — {self.get_kind_display()}"


class IndividualEntry(InstitutionScoped):
    """Hours of one component in one semester for this student, replacing the working curriculum's."""

    plan = models.ForeignKey(
        IndividualCurriculum, on_delete=models.CASCADE, related_name="entries", verbose_name=_("individual curriculum")
    )
    component = models.ForeignKey("curriculum.Component", on_delete=models.PROTECT, related_name="+", verbose_name=_("component"))
    year = models.PositiveSmallIntegerField(_("year of study"), validators=[MinValueValidator(1), MaxValueValidator(6)])
    semester = models.PositiveSmallIntegerField(_("semester"), validators=[MinValueValidator(1), MaxValueValidator(2)])
    hours = models.PositiveIntegerField(_("academic hours"), validators=[MaxValueValidator(10000)])
    distance_hours = models.PositiveIntegerField(_("of them remotely"), default=0)

    objects = ScopedQuerySet.as_manager()
    access_area = "student"

    class Meta:
        verbose_name = _("individual curriculum entry")
        verbose_name_plural = _("individual curriculum entries")
        ordering = ["plan", "year", "semester", "component"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "component", "year", "semester"], name="individual_entry_unique"),
            models.CheckConstraint(condition=Q(distance_hours__lte=models.F("hours")), name="individual_entry_distance_le_hours"),
        ]


class DistanceExemption(InstitutionScoped):
    """Leave to study remotely beyond the 20 % cap (KZ §7: special needs, temporary limitation, competitions)."""

    class Reason(models.TextChoices):
        SPECIAL_NEEDS = "special_needs", _("Special educational needs")
        TEMPORARY_LIMITATION = "temporary", _("Temporary limitation of health")
        COMPETITION = "competition", _("Participation in competitions or championships")

    student = models.ForeignKey(
        "core.Student", on_delete=models.CASCADE, related_name="distance_exemptions", verbose_name=_("student")
    )
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    document = models.CharField(
        _("granting document"), max_length=255, help_text=_("Number and title of the order or certificate.")
    )
    document_date = models.DateField(_("document date"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    scan = models.FileField(_("scan"), upload_to="exemptions/%Y/", blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "student"

    class Meta:
        verbose_name = _("remote-study exemption")
        verbose_name_plural = _("remote-study exemptions")
        ordering = ["student", "-valid_from"]
        constraints = [
            models.CheckConstraint(condition=Q(valid_until__gte=models.F("valid_from")), name="distance_exemption_dates_ordered")
        ]

    def __str__(self):
        return f"{self.get_reason_display()}: {self.document}"

    def clean(self):
        if self.valid_from and self.valid_until and self.valid_until < self.valid_from:
            raise ValidationError({"valid_until": _("An exemption cannot end before it starts.")})
