"""The learner's diary (күндөлүк, п. 14, п. 59 item 5): tasks, dates, hours, the mentor's grade of each.

The learner writes an entry and submits it; the mentor grades the completed task (п. 14, п. 58
item 6); the head of practical training controls the diary (п. 56 item 10). A submitted entry
the mentor has not graded within the institution's days shows as overdue.
"""

from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.wbl.models.employers import UPLOAD_EXTENSIONS


class DiaryEntry(InstitutionScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Waiting for the mentor's grade")
        GRADED = "graded", _("Graded by the mentor")
        RETURNED = "returned", _("Returned by the mentor for correction")

    placement = models.ForeignKey("wbl.Placement", on_delete=models.CASCADE, related_name="diary", verbose_name=_("placement"))
    date = models.DateField(_("date"))
    task = models.CharField(_("task"), max_length=500)
    work_done = models.TextField(_("what was done"))
    hours = models.DecimalField(
        _("hours"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(12)]
    )
    attachment = models.FileField(
        _("attachment"),
        upload_to="wbl/diary/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator([*UPLOAD_EXTENSIONS, "heic", "webp"])],
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    grade = models.DecimalField(_("mentor's grade"), max_digits=5, decimal_places=1, null=True, blank=True)
    mentor_comment = models.TextField(_("mentor's comment"), blank=True)
    graded_at = models.DateTimeField(_("graded at"), null=True, blank=True)
    graded_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("graded by")
    )
    checked_at = models.DateTimeField(_("controlled by the head of practical training"), null=True, blank=True)
    checked_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("controlled by")
    )
    supervisor_note = models.TextField(_("note of the head of practical training"), blank=True)
    history = HistoricalRecords()

    access_area = "diary"
    employer_path = "placement__employer"
    mentor_path = "placement__mentor"
    student_path = "placement__student"

    class Meta:
        verbose_name = _("diary entry")
        verbose_name_plural = _("diary")
        ordering = ["placement", "date", "pk"]
        indexes = [
            models.Index(fields=["placement", "date"]),
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["status", "submitted_at"]),
        ]

    def __str__(self):
        return f"{self.date}: {self.task}"
