"""Outcomes beyond the placement: graduates' employment, and the qualification upgrading of the people who teach.

* Employment (п. 4, п. 19, п. 56 item 13): where a graduate went to work, whether it is the host
  employer of their WBL and in their profession, and how the adaptation went.
* Training needs and upgrading (п. 56 item 14): the institution collects the needs of its teachers
  and masters and of the employers' mentors, runs upgrading programmes and enrols people in them.
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


class GraduateEmployment(InstitutionScoped):
    """Where a graduate works (or studies on, or serves) after graduation, and how they adapted."""

    class Outcome(models.TextChoices):
        EMPLOYED = "employed", _("Employed")
        SELF_EMPLOYED = "self_employed", _("Self-employed or entrepreneur")
        FURTHER_STUDY = "further_study", _("Continues studying")
        MILITARY = "military", _("Military service")
        PARENTAL_LEAVE = "parental_leave", _("Parental leave")
        SEEKING = "seeking", _("Looking for work")
        ABROAD = "abroad", _("Left the country")

    class Adaptation(models.TextChoices):
        UNKNOWN = "", _("Not known yet")
        ADAPTED = "adapted", _("Adapted, works in the position")
        DIFFICULTIES = "difficulties", _("Has difficulties")
        LEFT = "left", _("Left the job")

    student = models.ForeignKey("core.Student", on_delete=models.PROTECT, related_name="employment", verbose_name=_("graduate"))
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    employer = models.ForeignKey(
        "core.Employer", null=True, blank=True, on_delete=models.PROTECT, related_name="graduates", verbose_name=_("employer")
    )
    employer_name = models.CharField(
        _("employer (not in the register)"), max_length=255, blank=True, help_text=_("When the employer is not one of ours.")
    )
    position = models.CharField(_("position"), max_length=255, blank=True)
    in_profession = models.BooleanField(_("works in the profession studied"), default=False)
    is_host_employer = models.BooleanField(
        _("at a host employer of their WBL"), default=False, editable=False, help_text=_("Worked out from the placements.")
    )
    starts_on = models.DateField(_("since"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    adaptation = models.CharField(_("adaptation"), max_length=16, choices=Adaptation.choices, blank=True, default="")
    adaptation_note = models.TextField(_("how the adaptation goes"), blank=True)
    checked_on = models.DateField(_("last checked on"), null=True, blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"
    student_path = "student"

    class Meta:
        verbose_name = _("graduate's employment")
        verbose_name_plural = _("graduates' employment")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["institution", "starts_on"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")), name="employment_dates_ordered"
            )
        ]

    def __str__(self):
        return f"{self.student} — {self.employer or self.employer_name or self.get_outcome_display()}"

    def get_absolute_url(self):
        return reverse("wbl:employment_detail", args=[self.pk])

    def clean(self):
        errors = {}
        same_institution(errors, self, "student", self.student if self.student_id else None)
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        if errors:
            raise ValidationError(errors)


class TrainingNeed(InstitutionScoped):
    """A need for qualification upgrading of a teacher or master, or of an employer's mentor (п. 56 item 14)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        PLANNED = "planned", _("Programme planned")
        MET = "met", _("Met")

    staff = models.ForeignKey(
        "core.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_needs",
        verbose_name=_("teacher or master"),
    )
    mentor = models.ForeignKey(
        "wbl.EmployerPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="training_needs",
        verbose_name=_("mentor"),
    )
    topic = models.CharField(_("what to learn"), max_length=255)
    reason = models.TextField(_("why"), blank=True)
    academic_year = models.PositiveSmallIntegerField(
        _("academic year (first calendar year)"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    programme = models.ForeignKey(
        "wbl.UpgradingProgramme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="needs",
        verbose_name=_("programme"),
    )
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "mentor__employer"
    mentor_path = "mentor"

    class Meta:
        verbose_name = _("training need")
        verbose_name_plural = _("training needs")
        ordering = ["-academic_year", "topic", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff__isnull=False) & Q(mentor__isnull=True)) | (Q(staff__isnull=True) & Q(mentor__isnull=False)),
                name="training_need_one_person",
            )
        ]

    def __str__(self):
        return f"{self.staff or self.mentor}: {self.topic}"

    @property
    def person(self):
        return self.staff or self.mentor


class UpgradingProgramme(InstitutionScoped):
    """A qualification-upgrading programme for teachers, masters and mentors."""

    class Audience(models.TextChoices):
        TEACHERS = "teachers", _("Teachers and masters")
        MENTORS = "mentors", _("Employers' mentors")
        BOTH = "both", _("Teachers, masters and mentors")

    title = models.CharField(_("title"), max_length=255)
    audience = models.CharField(_("for"), max_length=16, choices=Audience.choices)
    provider = models.CharField(_("provided by"), max_length=255, blank=True)
    hours = models.PositiveSmallIntegerField(_("hours"), validators=[MinValueValidator(1), MaxValueValidator(2000)])
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    places = models.PositiveSmallIntegerField(
        _("places"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    content = models.TextField(_("content"), blank=True)
    history = HistoricalRecords()

    access_area = "wbl"

    class Meta:
        verbose_name = _("upgrading programme")
        verbose_name_plural = _("upgrading programmes")
        ordering = ["-starts_on", "title"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="upgrading_dates_ordered")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("wbl:upgrading_detail", args=[self.pk])


class UpgradingEnrolment(InstitutionScoped):
    """A teacher, master or mentor enrolled in an upgrading programme, and how it ended."""

    class Result(models.TextChoices):
        ENROLLED = "enrolled", _("Enrolled")
        COMPLETED = "completed", _("Completed")
        DROPPED = "dropped", _("Did not complete")

    programme = models.ForeignKey(
        UpgradingProgramme, on_delete=models.CASCADE, related_name="enrolments", verbose_name=_("programme")
    )
    staff = models.ForeignKey(
        "core.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="upgrading",
        verbose_name=_("teacher or master"),
    )
    mentor = models.ForeignKey(
        "wbl.EmployerPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="upgrading", verbose_name=_("mentor")
    )
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.ENROLLED)
    certificate_number = models.CharField(_("certificate number"), max_length=64, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "mentor__employer"
    mentor_path = "mentor"

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["programme", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(staff__isnull=False) & Q(mentor__isnull=True)) | (Q(staff__isnull=True) & Q(mentor__isnull=False)),
                name="enrolment_one_person",
            ),
            models.UniqueConstraint(
                fields=["programme", "staff"], condition=Q(staff__isnull=False), name="enrolment_staff_unique"
            ),
            models.UniqueConstraint(
                fields=["programme", "mentor"], condition=Q(mentor__isnull=False), name="enrolment_mentor_unique"
            ),
        ]

    def __str__(self):
        return f"{self.staff or self.mentor} — {self.programme}"

    @property
    def person(self):
        return self.staff or self.mentor
