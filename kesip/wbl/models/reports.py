"""The annual WBL report for the past academic year (п. 56 item 12, п. 57 item 16).

draft (indicators computed live) → recommendations written → sent to the host employers → agreed
by every employer asked → final (the indicators are frozen as they were on that day) → published
to stakeholders (п. 56 item 15).
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped


class AnnualReport(InstitutionScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent to the employers for agreement")
        FINAL = "final", _("Agreed and final")
        PUBLISHED = "published", _("Published to stakeholders")

    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)], help_text=_("2024 for 2024–2025.")
    )
    summary = models.TextField(_("how WBL went"), blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    recommendations = models.TextField(_("recommendations for the WBL process and programme"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    finalised_on = models.DateField(_("final on"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    indicators = models.JSONField(_("indicators as agreed"), default=dict, blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "agreements__employer"  # an employer asked to agree reads the report

    class Meta:
        verbose_name = _("annual WBL report")
        verbose_name_plural = _("annual WBL reports")
        ordering = ["-academic_year", "institution"]
        constraints = [models.UniqueConstraint(fields=["institution", "academic_year"], name="annual_report_unique")]

    def __str__(self):
        return f"{self.academic_year}–{self.academic_year + 1}"

    def get_absolute_url(self):
        return reverse("wbl:report_detail", args=[self.pk])


class ReportAgreement(InstitutionScoped):
    """An employer's agreement to the annual report (п. 57 item 16), or its remarks."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        AGREED = "agreed", _("Agreed")
        REMARKS = "remarks", _("Remarks made")

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("report"))
    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("employer"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    agreed_on = models.DateField(_("answered on"), null=True, blank=True)
    agreed_by = models.CharField(_("answered by"), max_length=255, blank=True)
    remarks = models.TextField(_("remarks"), blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("employer's agreement of the report")
        verbose_name_plural = _("employers' agreement of the report")
        ordering = ["report", "employer__name"]
        constraints = [models.UniqueConstraint(fields=["report", "employer"], name="report_agreement_unique")]

    def __str__(self):
        return f"{self.employer}: {self.get_status_display()}"


class ImprovementMeasure(InstitutionScoped):
    """A measure the institution takes to improve WBL after the annual report, made known to stakeholders (п. 56 item 15)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("Under way")
        DONE = "done", _("Done")

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="measures", verbose_name=_("report"))
    text = models.TextField(_("measure"), max_length=4000)
    responsible = models.CharField(_("responsible"), max_length=255)
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "report__agreements__employer"

    class Meta:
        verbose_name = _("improvement measure")
        verbose_name_plural = _("improvement measures")
        ordering = ["report", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", done_on__isnull=False)
                | (~models.Q(status="done") & models.Q(done_on__isnull=True)),
                name="improvement_measure_done_dated",
            )
        ]

    def __str__(self):
        return self.text[:80]


class StakeholderNotice(InstitutionScoped):
    """The stakeholders told of the published report and its improvement measures (п. 56 item 15): to whom, when, what."""

    report = models.ForeignKey(AnnualReport, on_delete=models.CASCADE, related_name="notices", verbose_name=_("report"))
    sent_at = models.DateTimeField(_("sent at"))
    sent_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("sent by")
    )
    recipients = models.JSONField(_("recipients"), default=list)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))

    access_area = "wbl"

    class Meta:
        verbose_name = _("notice to stakeholders")
        verbose_name_plural = _("notices to stakeholders")
        ordering = ["-sent_at", "-pk"]

    def __str__(self):
        return f"{self.report} — {self.sent_at:%d.%m.%Y}"
