"""The calendar schedule of the educational process: typed periods of one academic year of one group.

Practice happens in a practice period of an approved schedule (KG WBL regulation п. 27, VR-17), so
a placement's dates are checked against `CalendarPeriod.objects.covering(...)`.
"""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.core.models.base import ScopedQuerySet


class CalendarSchedule(InstitutionScoped):
    """One group's schedule for one academic year (1 September to 31 August)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    class PracticeMode(models.TextChoices):
        CONTINUOUS = "continuous", _("Continuous: one block for all practice")
        BY_TYPE = "by_type", _("Discrete by type: one block per type of practice")
        BY_PERIOD = "by_period", _("Discrete by period: practice alternates with theory")

    group = models.ForeignKey("core.StudyGroup", on_delete=models.PROTECT, related_name="calendars", verbose_name=_("group"))
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"),
        validators=[MinValueValidator(1990), MaxValueValidator(2100)],
        help_text=_("The year the academic year starts in: 2025 for 2025–2026."),
    )
    year_of_study = models.PositiveSmallIntegerField(_("year of study"), validators=[MinValueValidator(1), MaxValueValidator(6)])
    practice_mode = models.CharField(_("practice mode"), max_length=16, choices=PracticeMode.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("approved by"),
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "group"

    class Meta:
        verbose_name = _("calendar schedule")
        verbose_name_plural = _("calendar schedules")
        ordering = ["-academic_year", "group__name"]
        constraints = [models.UniqueConstraint(fields=["group", "academic_year"], name="calendar_group_year_unique")]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self):
        return f"{self.group} — {self.academic_year}–{self.academic_year + 1}"

    @property
    def starts_on(self):
        return datetime.date(self.academic_year, 9, 1)

    @property
    def ends_on(self):
        return datetime.date(self.academic_year + 1, 8, 31)

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    def clean(self):
        if self.group_id and self.institution_id and self.group.institution_id != self.institution_id:
            raise ValidationError({"group": _("Choose a group of this institution.")})

    def get_absolute_url(self):
        return reverse("curriculum:calendar", args=[self.pk])


class CalendarPeriodQuerySet(ScopedQuerySet):
    def practice(self):
        return self.filter(kind__in=CalendarPeriod.PRACTICE_KINDS)

    def approved(self):
        return self.filter(schedule__status=CalendarSchedule.Status.APPROVED)

    def covering(self, group, starts_on, ends_on, component=None):
        """Approved practice periods of the group's calendar that hold the whole date range (VR-17).

        With a component, only periods reserved for that component, or left open to any practice.
        """
        qs = self.approved().practice().filter(schedule__group=group, starts_on__lte=starts_on, ends_on__gte=ends_on)
        if component is not None:
            qs = qs.filter(Q(component=component) | Q(component__isnull=True))
        return qs


class CalendarPeriod(InstitutionScoped):
    """A typed stretch of days in a schedule."""

    class Kind(models.TextChoices):
        THEORY = "theory", _("Theoretical training")
        PRACTICE = "practice", _("Professional practice")
        INDUSTRIAL_TRAINING = "industrial_training", _("Industrial training")
        INTERMEDIATE_ATTESTATION = "intermediate_attestation", _("Intermediate attestation")
        HOLIDAYS = "holidays", _("Holidays")
        FINAL_ATTESTATION = "final_attestation", _("Final attestation")

    PRACTICE_KINDS = (Kind.PRACTICE, Kind.INDUSTRIAL_TRAINING)

    schedule = models.ForeignKey(CalendarSchedule, on_delete=models.CASCADE, related_name="periods", verbose_name=_("schedule"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    component = models.ForeignKey(
        "curriculum.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="calendar_periods",
        verbose_name=_("practice component"),
        help_text=_("The practice or industrial training of the curriculum held in this period."),
    )
    note = models.CharField(_("note"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = CalendarPeriodQuerySet.as_manager()
    access_area = "group"

    class Meta:
        verbose_name = _("calendar period")
        verbose_name_plural = _("calendar periods")
        ordering = ["schedule", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="calendar_period_dates_ordered")
        ]
        indexes = [models.Index(fields=["schedule", "kind", "starts_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.starts_on:%d.%m.%Y}–{self.ends_on:%d.%m.%Y}"

    @property
    def is_practice(self):
        return self.kind in self.PRACTICE_KINDS

    @property
    def days(self):
        return (self.ends_on - self.starts_on).days + 1

    def clean(self):
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A period cannot end before it starts.")
        if self.schedule_id and self.starts_on and self.ends_on:
            if self.starts_on < self.schedule.starts_on or self.ends_on > self.schedule.ends_on:
                errors["starts_on"] = _("A period lies within its academic year, 1 September to 31 August.")
        if self.component_id:
            if not self.is_practice:
                errors["component"] = _("Only a practice or industrial-training period names a component.")
            elif not self.component.is_practice:
                errors["component"] = _("Choose a practice or industrial-training component.")
            elif self.schedule_id and self.component.module.programme_id != self.schedule.group.programme_id:
                errors["component"] = _("Choose a component of the group's programme.")
        if errors:
            raise ValidationError(errors)
