"""The credit-modular curriculum: qualifications of the classifier, and a programme's module tree.

A programme (core.Programme) holds modules; a module holds components (subjects, practice,
industrial training). Hours and credits live on components only: a module's and a programme's
totals are sums, so they can never disagree with their parts.
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped, LocalizedName, Specialty
from kesip.core.models.base import ScopedQuerySet
from kesip.core.models.registries import ClassifierQuerySet


class Qualification(LocalizedName):
    """A qualification of the national classifier, awarded within a specialty (KZ 3W01120101, KG grade 2–3 welder)."""

    class Kind(models.TextChoices):
        WORKER = "worker", _("Worker qualification")
        MID_LEVEL = "mid_level", _("Mid-level specialist")
        APPLIED_BACHELOR = "applied_bachelor", _("Applied bachelor")

    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="qualifications", verbose_name=_("specialty"))
    code = models.CharField(
        _("code"),
        max_length=16,
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]{2,16}$", _("A classifier code is 2–16 digits, letters, dots or dashes."))],
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    is_active = models.BooleanField(
        _("in force"), default=True, help_text=_("A removed qualification cannot be chosen for new programmes or intakes.")
    )
    valid_until = models.DateField(
        _("valid until"), null=True, blank=True, help_text=_("Existing cohorts keep a removed qualification until this date.")
    )
    removal_basis = models.CharField(_("basis of removal"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = ClassifierQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")
        ordering = ["specialty__jurisdiction", "code"]
        constraints = [models.UniqueConstraint(fields=["specialty", "code"], name="qualification_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}"

    def clean(self):
        if not (self.name_ru or self.name_ky or self.name_kk or self.name_en):
            raise ValidationError({"name_ru": _("Give the name in at least one language.")})
        if not self.is_active and not self.valid_until:
            raise ValidationError({"valid_until": _("Say until when existing cohorts keep a removed qualification.")})

    def usable_for_new(self):
        """New programmes and intakes may use only qualifications in force."""
        return self.is_active

    def usable_for_cohort(self, on=None):
        """An existing cohort keeps a removed qualification until its `valid_until`."""
        on = on or datetime.date.today()
        return self.is_active or (self.valid_until is not None and on <= self.valid_until)

    def get_absolute_url(self):
        return reverse("curriculum:qualifications_detail", args=[self.pk])


class Competency(InstitutionScoped):
    """A general or professional competency the programme forms; learning outcomes and rubrics point to it."""

    class Kind(models.TextChoices):
        GENERAL = "general", pgettext_lazy("competency", "General")
        PROFESSIONAL = "professional", pgettext_lazy("competency", "Professional")

    programme = models.ForeignKey(
        "core.Programme", on_delete=models.CASCADE, related_name="competencies", verbose_name=_("programme")
    )
    code = models.CharField(_("code"), max_length=16)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.PROFESSIONAL)
    description = models.TextField(_("description"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        ordering = ["programme", "kind", "code"]
        constraints = [models.UniqueConstraint(fields=["programme", "code"], name="competency_code_unique")]

    def __str__(self):
        return f"{self.code} {self.description[:80]}"


class Module(InstitutionScoped, LocalizedName):
    """A module of a programme: general education, basic, or professional (per qualification)."""

    class Kind(models.TextChoices):
        GENERAL = "general", _("General education")
        BASIC = "basic", _("Basic")
        PROFESSIONAL = "professional", _("Professional")

    class BasicKind(models.TextChoices):
        PHYSICAL = "physical", _("Development and improvement of physical qualities")
        DIGITAL = "digital", _("Application of information-communication and digital technologies")
        ECONOMICS = "economics", _("Application of basic economics and the fundamentals of entrepreneurship")
        SOCIAL = "social", _("Application of the fundamentals of social sciences")
        ADDITIONAL = "additional", _("Additional basic module")

    programme = models.ForeignKey("core.Programme", on_delete=models.CASCADE, related_name="modules", verbose_name=_("programme"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    code = models.CharField(_("code"), max_length=16, blank=True)
    basic_kind = models.CharField(_("basic module"), max_length=16, choices=BasicKind.choices, blank=True)
    justification = models.TextField(
        _("justification"),
        blank=True,
        help_text=_("Why the professional modules cannot be mastered without this additional basic module."),
    )
    integrated_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="integrated_modules",
        verbose_name=_("merged into"),
        help_text=_("A basic module taught inside a professional module."),
    )
    qualification = models.ForeignKey(
        Qualification, null=True, blank=True, on_delete=models.PROTECT, related_name="modules", verbose_name=_("qualification")
    )
    learning_outcomes = models.TextField(_("learning outcomes"), blank=True, help_text=_("One outcome per line."))
    competencies = models.ManyToManyField(Competency, blank=True, related_name="modules", verbose_name=_("competencies"))
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["programme", "position", "pk"]
        indexes = [models.Index(fields=["programme", "kind"])]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    @property
    def outcomes(self):
        return [line.strip() for line in self.learning_outcomes.splitlines() if line.strip()]

    def clean(self):
        errors = {}
        if not (self.name_ru or self.name_ky or self.name_kk or self.name_en):
            errors["name_ru"] = _("Give the name in at least one language.")
        if self.programme_id and self.institution_id and self.programme.institution_id != self.institution_id:
            errors["programme"] = _("Choose a programme of this institution.")
        if self.kind == self.Kind.BASIC and not self.basic_kind:
            errors["basic_kind"] = _("Say which basic module this is.")
        if self.kind != self.Kind.BASIC:
            self.basic_kind = ""
            self.integrated_into = None
        if self.kind == self.Kind.PROFESSIONAL and not self.qualification_id:
            errors["qualification"] = _("A professional module belongs to one of the programme's qualifications.")
        if self.kind != self.Kind.PROFESSIONAL:
            self.qualification = None
        if self.integrated_into_id and (
            self.integrated_into.programme_id != self.programme_id or self.integrated_into.kind != self.Kind.PROFESSIONAL
        ):
            errors["integrated_into"] = _("A basic module can be merged only into a professional module of the same programme.")
        if errors:
            raise ValidationError(errors)


class Component(InstitutionScoped, LocalizedName):
    """A part of a module with hours and credits: a subject, practice or industrial training.

    Practice is a component like any other, so placements and their grades (WBL) land in the
    journal and the transcript as the grade of this component.
    """

    class Kind(models.TextChoices):
        SUBJECT = "subject", _("Subject")
        PRACTICE = "practice", _("Practice")
        INDUSTRIAL_TRAINING = "industrial_training", _("Industrial training")

    class PracticeType(models.TextChoices):
        EDUCATIONAL = "educational", _("Educational practice")
        PRODUCTION = "production", _("Production (professional, pedagogical) practice")
        PRE_DIPLOMA = "pre_diploma", _("Pre-diploma (pre-qualification) practice")
        RESEARCH = "research", _("Research practice")

    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="components", verbose_name=_("module"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.SUBJECT)
    practice_type = models.CharField(_("practice type"), max_length=16, choices=PracticeType.choices, blank=True)
    code = models.CharField(_("code"), max_length=16, blank=True)
    credits = models.DecimalField(
        _("credits"),
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("400"))],
    )
    hours = models.PositiveIntegerField(_("academic hours"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    is_elective = models.BooleanField(_("elective"), default=False)
    grade_weight = models.PositiveSmallIntegerField(
        _("weight in the module grade"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("Leave empty to weigh the component by its hours."),
    )
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("component")
        verbose_name_plural = _("components")
        ordering = ["module", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="practice", practice_type__gt="") | (~Q(kind="practice") & Q(practice_type="")),
                name="component_practice_type_iff_practice",
            )
        ]

    def __str__(self):
        return f"{self.code} {self.name}".strip()

    @property
    def is_practice(self):
        return self.kind in (self.Kind.PRACTICE, self.Kind.INDUSTRIAL_TRAINING)

    def clean(self):
        errors = {}
        if not (self.name_ru or self.name_ky or self.name_kk or self.name_en):
            errors["name_ru"] = _("Give the name in at least one language.")
        if self.module_id and self.institution_id and self.module.institution_id != self.institution_id:
            errors["module"] = _("Choose a module of this institution.")
        if self.kind == self.Kind.PRACTICE and not self.practice_type:
            errors["practice_type"] = _("Say which type of practice this is.")
        if self.kind != self.Kind.PRACTICE:
            self.practice_type = ""
        if errors:
            raise ValidationError(errors)


class WorkingCurriculum(InstitutionScoped):
    """The programme laid out by year and semester for one intake: what each cohort actually studies when."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved")

    programme = models.ForeignKey(
        "core.Programme", on_delete=models.PROTECT, related_name="working_curricula", verbose_name=_("programme")
    )
    intake_year = models.PositiveSmallIntegerField(
        _("intake year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("working curriculum")
        verbose_name_plural = _("working curricula")
        ordering = ["programme", "-intake_year"]
        constraints = [models.UniqueConstraint(fields=["programme", "intake_year"], name="working_curriculum_unique")]

    def __str__(self):
        return f"{self.programme} — {self.intake_year}"

    @property
    def years(self):
        """Study years the programme lasts (a started year counts)."""
        return max(1, -(-self.programme.duration_months // 12))

    def get_absolute_url(self):
        return reverse("curriculum:curriculum_layout", args=[self.pk])


class CurriculumEntry(InstitutionScoped):
    """Hours of one component in one semester of a working curriculum, and how many of them are taught remotely."""

    curriculum = models.ForeignKey(
        WorkingCurriculum, on_delete=models.CASCADE, related_name="entries", verbose_name=_("working curriculum")
    )
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="entries", verbose_name=_("component"))
    year = models.PositiveSmallIntegerField(_("year of study"), validators=[MinValueValidator(1), MaxValueValidator(6)])
    semester = models.PositiveSmallIntegerField(_("semester"), validators=[MinValueValidator(1), MaxValueValidator(2)])
    hours = models.PositiveIntegerField(_("academic hours"), validators=[MinValueValidator(1), MaxValueValidator(10000)])
    distance_hours = models.PositiveIntegerField(_("of them remotely"), default=0)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("curriculum entry")
        verbose_name_plural = _("curriculum entries")
        ordering = ["curriculum", "year", "semester", "component"]
        constraints = [
            models.UniqueConstraint(fields=["curriculum", "component", "year", "semester"], name="curriculum_entry_unique"),
            models.CheckConstraint(condition=Q(distance_hours__lte=models.F("hours")), name="curriculum_entry_distance_le_hours"),
        ]
