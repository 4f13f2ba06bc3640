"""The institution's partnership with employers beyond single placements.

* Employers' needs (п. 4, п. 6): how many specialists of which profession an employer needs, and
  what it expects of them — planning input and the needs-versus-graduates imbalance indicator.
* Employers' evaluation (п. 57 item 8): the employer monitors and evaluates how the WBL programme
  is carried out; the regulation gives no standard form, so Kesip asks a fixed set of criteria.
* The institution's own WBL bases (п. 3, п. 10): workshops, educational-production complexes,
  business incubators, technoparks, where WBL can be organised without an outside employer.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.wbl.models.employers import same_institution

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class EmployerNeed(InstitutionScoped):
    """An employer's need for specialists of one profession in one academic year (п. 4, п. 6)."""

    class Source(models.TextChoices):
        SURVEY = "survey", _("Survey of the employer")
        MEETING = "meeting", _("Meeting or round table")
        REQUEST = "request", _("Letter or request of the employer")
        AGREEMENT = "agreement", _("Under an agreement")

    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="needs", verbose_name=_("employer"))
    specialty = models.ForeignKey("core.Specialty", on_delete=models.PROTECT, related_name="+", verbose_name=_("profession"))
    academic_year = models.PositiveSmallIntegerField(
        _("academic year (first calendar year)"), validators=YEAR_VALIDATORS, help_text=_("2025 for 2025–2026.")
    )
    headcount = models.PositiveSmallIntegerField(_("specialists needed"), validators=[MaxValueValidator(10000)])
    wbl_places = models.PositiveSmallIntegerField(
        _("WBL places offered"), default=0, validators=[MaxValueValidator(10000)], help_text=_("Learners it can take for WBL.")
    )
    expectations = models.TextField(_("skills and qualities expected"), blank=True)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.SURVEY)
    collected_on = models.DateField(_("collected on"))
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("employer's need")
        verbose_name_plural = _("employers' needs")
        ordering = ["-academic_year", "specialty__code", "employer"]
        indexes = [models.Index(fields=["institution", "academic_year"])]
        constraints = [models.UniqueConstraint(fields=["employer", "specialty", "academic_year"], name="employer_need_unique")]

    def __str__(self):
        return f"{self.employer} — {self.specialty}: {self.headcount}"

    def get_absolute_url(self):
        return reverse("wbl:need_detail", args=[self.pk])

    def clean(self):
        errors = {}
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        if errors:
            raise ValidationError(errors)


class EmployerEvaluation(InstitutionScoped):
    """The employer's evaluation of how a WBL programme was carried out (п. 57 item 8).

    `answers` holds a score 1–5 per criterion code (the criteria are listed in the rulebook note
    and in kesip/wbl/partnership.py); `score` is their mean, computed, not typed.
    """

    employer = models.ForeignKey(
        "core.Employer", on_delete=models.PROTECT, related_name="evaluations", verbose_name=_("employer")
    )
    programme = models.ForeignKey(
        "wbl.WblProgramme",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=_("WBL programme"),
    )
    academic_year = models.PositiveSmallIntegerField(_("academic year (first calendar year)"), validators=YEAR_VALIDATORS)
    filled_by = models.ForeignKey(
        "wbl.EmployerPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("filled in by")
    )
    filled_on = models.DateField(_("filled in on"))
    answers = models.JSONField(_("scores by criterion"), default=dict)
    score = models.DecimalField(_("mean score"), max_digits=3, decimal_places=2, null=True, blank=True, editable=False)
    strengths = models.TextField(_("what worked well"), blank=True)
    problems = models.TextField(_("problems found"), blank=True)
    proposals = models.TextField(_("proposals to the institution"), blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("employer's evaluation")
        verbose_name_plural = _("employers' evaluations")
        ordering = ["-academic_year", "employer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["employer", "programme", "academic_year"], name="employer_evaluation_unique")
        ]

    def __str__(self):
        return f"{self.employer} — {self.academic_year}"

    def get_absolute_url(self):
        return reverse("wbl:evaluation_detail", args=[self.pk])


class WblBase(InstitutionScoped):
    """A base of the institution itself where WBL is organised (п. 3, п. 10).

    Learners are placed at a base through its `host`: an Employer record of kind "own base" that the
    base register creates and keeps in step with the base (name, address, in use). Through it the
    base has workplaces, mentors (the institution's staff, appointed by the base's head; п. 10),
    local documents and placements like any employer — but no agreement (п. 3).
    """

    class Kind(models.TextChoices):
        PRODUCTION_COMPLEX = "production_complex", _("Educational-production complex")
        WORKSHOP = "workshop", _("Training workshop")
        INCUBATOR = "incubator", _("Business incubator")
        STARTUP = "startup", _("Start-up")
        TECHNOPARK = "technopark", _("Technopark")
        SCIENCE_COMPLEX = "science_complex", _("Educational-scientific-production complex")
        COMBINE = "combine", _("Educational-production combine")

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=255)
    head = models.ForeignKey(
        "core.StaffMember", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("head")
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    places = models.PositiveSmallIntegerField(_("places for learners"), default=0, validators=[MaxValueValidator(5000)])
    equipment = models.TextField(_("equipment"), blank=True)
    specialties = models.ManyToManyField("core.Specialty", blank=True, related_name="+", verbose_name=_("professions"))
    is_active = models.BooleanField(_("in use"), default=True)
    host = models.OneToOneField(
        "core.Employer",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="own_base",
        verbose_name=_("host record for placements"),
    )
    history = HistoricalRecords(m2m_fields=[specialties])

    access_area = "wbl"

    class Meta:
        verbose_name = _("institution's WBL base")
        verbose_name_plural = _("institution's WBL bases")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="wbl_base_name_unique")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("wbl:base_detail", args=[self.pk])


class SupportMeasure(InstitutionScoped):
    """A measure of the year's plan to support the educational process, developed with the employers (п. 56 item 1)."""

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("Under way")
        DONE = "done", _("Done")

    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)], help_text=_("2025 = 2025–2026.")
    )
    text = models.TextField(_("measure"), max_length=4000)
    responsible = models.CharField(_("responsible"), max_length=255)
    employer = models.ForeignKey(
        "core.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="support_measures",
        verbose_name=_("developed with the employer"),
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("measure of the plan supporting the educational process")
        verbose_name_plural = _("plan of measures supporting the educational process")
        ordering = ["-academic_year", "due_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="done", done_on__isnull=False)
                | (~models.Q(status="done") & models.Q(done_on__isnull=True)),
                name="support_measure_done_dated",
            )
        ]

    def __str__(self):
        return self.text[:80]

    def get_absolute_url(self):
        return reverse("wbl:support_measure_edit", args=[self.pk])
