"""WBL events: the forms of WBL that are not placements (п. 7, п. 15, п. 53 §5).

Stage 7.1 prepares for WBL (guest lectures of employers, profession fairs, festivals, parades);
stage 7.2 is direct WBL: (a) mastering the profession and the workplace (excursions, master
classes, volunteering, educational-familiarisation practice) and (b) engagement in the profession
(off-site practical classes, training in workshops, laboratories and training grounds, professional
competitions and exhibitions judged by employers, educational projects). Each event belongs to a
discipline, has hours that count in the WBL share, and records who attended.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.wbl.models.employers import same_institution


class WblEvent(InstitutionScoped):
    class Stage(models.TextChoices):
        PREPARATION = "7.1", _("7.1 Preparation for WBL")
        MASTERING = "7.2a", _("7.2 Mastering the profession and the workplace")
        ENGAGEMENT = "7.2b", _("7.2 Engagement in the profession, interaction with the workplace")

    class Kind(models.TextChoices):
        GUEST_LECTURE = "guest_lecture", _("Guest lecture by an employer")
        FAIR = "fair", _("Profession fair")
        FESTIVAL = "festival", _("Festival")
        PARADE = "parade", _("Parade of professions")
        EXCURSION = "excursion", _("Excursion to the workplace")
        MASTER_CLASS = "master_class", _("Master class")
        VOLUNTEERING = "volunteering", _("Volunteering")
        FAMILIARISATION = "familiarisation", _("Educational-familiarisation practice")
        OFFSITE_CLASS = "offsite_class", _("Off-site practical class at the workplace")
        WORKSHOP = "workshop", _("Training in a workshop, laboratory or training ground")
        COMPETITION = "competition", _("Professional competition or exhibition")
        PROJECT = "project", _("Educational project")
        OTHER = "other", _("Other event")

    # The stage each kind belongs to (п. 7.1, п. 7.2).
    STAGE_OF = {
        Kind.GUEST_LECTURE: Stage.PREPARATION,
        Kind.FAIR: Stage.PREPARATION,
        Kind.FESTIVAL: Stage.PREPARATION,
        Kind.PARADE: Stage.PREPARATION,
        Kind.EXCURSION: Stage.MASTERING,
        Kind.MASTER_CLASS: Stage.MASTERING,
        Kind.VOLUNTEERING: Stage.MASTERING,
        Kind.FAMILIARISATION: Stage.MASTERING,
        Kind.OFFSITE_CLASS: Stage.ENGAGEMENT,
        Kind.WORKSHOP: Stage.ENGAGEMENT,
        Kind.COMPETITION: Stage.ENGAGEMENT,
        Kind.PROJECT: Stage.ENGAGEMENT,
    }

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=255)
    kind = models.CharField(_("form"), max_length=16, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=4, choices=Stage.choices)
    starts_on = models.DateField(_("date"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0.5), MaxValueValidator(500)]
    )
    group = models.ForeignKey(
        "core.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="wbl_events", verbose_name=_("group")
    )
    component = models.ForeignKey(
        "curriculum.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wbl_events",
        verbose_name=_("discipline"),
    )
    employer = models.ForeignKey(
        "core.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="wbl_events", verbose_name=_("employer")
    )
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    organiser = models.ForeignKey(
        "core.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("organised by")
    )
    description = models.TextField(_("what learners did"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"
    student_path = "attendance__student"  # a learner sees the events they are on the sheet of

    class Meta:
        verbose_name = _("WBL event")
        verbose_name_plural = _("WBL events")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["institution", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="wbl_event_dates_ordered"
            )
        ]

    def __str__(self):
        return f"{self.title} — {self.starts_on}"

    def get_absolute_url(self):
        return reverse("wbl:event_detail", args=[self.pk])

    def clean(self):
        errors = {}
        for field in ("group", "component", "employer", "organiser"):
            same_institution(errors, self, field, getattr(self, field) if getattr(self, f"{field}_id") else None)
        if errors:
            raise ValidationError(errors)


class EventAttendance(InstitutionScoped):
    """A learner at an event: present or not."""

    event = models.ForeignKey(WblEvent, on_delete=models.CASCADE, related_name="attendance", verbose_name=_("event"))
    student = models.ForeignKey("core.Student", on_delete=models.PROTECT, related_name="wbl_events", verbose_name=_("learner"))
    present = models.BooleanField(_("present"), default=True)
    note = models.CharField(_("note"), max_length=255, blank=True)

    access_area = "wbl"
    employer_path = "event__employer"
    student_path = "student"

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendance")
        ordering = ["event", "student__last_name", "student__first_name"]
        constraints = [models.UniqueConstraint(fields=["event", "student"], name="wbl_event_attendance_unique")]

    def __str__(self):
        return f"{self.event} — {self.student}"


class EventJuror(InstitutionScoped):
    """A member of the employers' jury of a professional competition or exhibition (п. 7.2)."""

    event = models.ForeignKey(WblEvent, on_delete=models.CASCADE, related_name="jury", verbose_name=_("event"))
    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("employer"))
    full_name = models.CharField(_("full name"), max_length=255)
    position = models.CharField(_("position"), max_length=255, blank=True)

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("juror")
        verbose_name_plural = _("jury")
        ordering = ["event", "full_name"]

    def __str__(self):
        return self.full_name
