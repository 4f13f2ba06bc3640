"""Grading scales as data, final grades of components, and the exams that award qualifications."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped, Jurisdiction, LocalizedName
from kesip.core.models.base import ScopedQuerySet


def _plain(value):
    """100, not 1E+2."""
    return f"{Decimal(value).normalize():f}"


class GradingScale(LocalizedName):
    """A grading scale of one country: the range of a mark and the bands that give its letter and GPA points.

    Shared by every institution of the country; a new version is a new scale, so past grades keep theirs.
    """

    code = models.SlugField(_("code"), max_length=32, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    min_value = models.DecimalField(_("lowest mark"), max_digits=5, decimal_places=1)
    max_value = models.DecimalField(_("highest mark"), max_digits=5, decimal_places=1)
    is_default = models.BooleanField(_("default for the country"), default=False)
    source = models.CharField(_("legal source"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("grading scale")
        verbose_name_plural = _("grading scales")
        ordering = ["jurisdiction", "code"]
        constraints = [
            models.UniqueConstraint(fields=["jurisdiction"], condition=Q(is_default=True), name="grading_scale_one_default"),
            models.CheckConstraint(condition=Q(max_value__gt=models.F("min_value")), name="grading_scale_range_ordered"),
        ]

    @classmethod
    def default_for(cls, jurisdiction):
        return cls.objects.prefetch_related("bands").filter(jurisdiction=jurisdiction, is_default=True).first()

    @property
    def has_letters(self):
        """Whether the bands carry letters of their own (A, B+…), not just the mark repeated (5, 4…)."""
        return any(not band.letter.isdigit() for band in self.bands.all())

    def band_for(self, value):
        """The band a mark falls in: the highest band whose lower bound it reaches (bands are prefetched)."""
        if value is None:
            return None
        value = Decimal(value)
        for band in sorted(self.bands.all(), key=lambda b: b.min_value, reverse=True):
            if band.min_value <= value:
                return band
        return None

    def clean_value(self, value):
        if value is not None and not (self.min_value <= Decimal(value) <= self.max_value):
            raise ValidationError(
                _("A mark on this scale lies between %(low)s and %(high)s.")
                % {"low": _plain(self.min_value), "high": _plain(self.max_value)}
            )


class GradeBand(models.Model):
    """A band of a scale: marks from–to give a letter, GPA points and the traditional grade."""

    scale = models.ForeignKey(GradingScale, on_delete=models.CASCADE, related_name="bands", verbose_name=_("grading scale"))
    letter = models.CharField(_("letter"), max_length=4)
    min_value = models.DecimalField(_("from"), max_digits=5, decimal_places=1)
    max_value = models.DecimalField(_("to"), max_digits=5, decimal_places=1)
    points = models.DecimalField(_("GPA points"), max_digits=4, decimal_places=2)
    traditional = models.PositiveSmallIntegerField(
        _("traditional grade"),
        validators=[MinValueValidator(2), MaxValueValidator(5)],
        help_text=_("5 excellent, 4 good, 3 satisfactory, 2 fail."),
    )
    passed = models.BooleanField(_("passed"), default=True)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scale", "-min_value"]
        constraints = [models.CheckConstraint(condition=Q(max_value__gte=models.F("min_value")), name="grade_band_range_ordered")]

    def __str__(self):
        return f"{self.letter} ({_plain(self.min_value)}–{_plain(self.max_value)})"


class ComponentGrade(InstitutionScoped):
    """The final grade of a student for a component (subject, practice, industrial training).

    It comes from the journal's attestation, from a placement's assessment (WBL), or from a record
    transferred from elsewhere; the transcript and GPA read only these.
    """

    class Source(models.TextChoices):
        JOURNAL = "journal", _("Journal attestation")
        PLACEMENT = "placement", _("Assessment of the placement")
        EXAM = "exam", _("Exam")
        TRANSFER = "transfer", _("Transferred record")

    student = models.ForeignKey(
        "core.Student", on_delete=models.CASCADE, related_name="component_grades", verbose_name=_("student")
    )
    component = models.ForeignKey(
        "curriculum.Component", on_delete=models.PROTECT, related_name="grades", verbose_name=_("component")
    )
    scale = models.ForeignKey(GradingScale, on_delete=models.PROTECT, related_name="+", verbose_name=_("grading scale"))
    value = models.DecimalField(_("mark"), max_digits=5, decimal_places=1)
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.JOURNAL)
    graded_on = models.DateField(_("graded on"))
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("graded by")
    )
    place = models.CharField(_("place"), max_length=255, blank=True, help_text=_("Where a practice was held."))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("component grade")
        verbose_name_plural = _("component grades")
        ordering = ["student", "academic_year", "component"]
        constraints = [models.UniqueConstraint(fields=["student", "component"], name="component_grade_unique")]

    def __str__(self):
        return f"{self.student} · {self.component}: {_plain(self.value)}"


class QualificationExam(InstitutionScoped):
    """A qualification exam (after each worker qualification) or a demonstration exam of a group (KZ §13)."""

    class Kind(models.TextChoices):
        QUALIFICATION = "qualification", _("Qualification exam")
        DEMO_INTERMEDIATE = "demo_intermediate", _("Demonstration exam (intermediate attestation)")
        DEMO_FINAL = "demo_final", _("Demonstration exam (final attestation)")

    class Form(models.TextChoices):
        PRACTICAL_WORK = "practical_work", _("Practical work")
        DEMONSTRATION = "demonstration", _("Demonstration exam")

    class Venue(models.TextChoices):
        WORKSHOP = "workshop", _("Training-production workshop")
        LABORATORY = "laboratory", _("Laboratory")
        TRAINING_CENTRE = "training_centre", _("Training centre")
        ENTERPRISE = "enterprise", _("Production site of an enterprise")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        HELD = "held", _("Held")

    group = models.ForeignKey("core.StudyGroup", on_delete=models.PROTECT, related_name="exams", verbose_name=_("group"))
    qualification = models.ForeignKey(
        "curriculum.Qualification", on_delete=models.PROTECT, related_name="exams", verbose_name=_("qualification")
    )
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.QUALIFICATION)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices, default=Form.PRACTICAL_WORK)
    venue_kind = models.CharField(_("venue"), max_length=16, choices=Venue.choices)
    venue = models.CharField(_("venue address"), max_length=255, blank=True)
    held_on = models.DateField(_("date"))
    experts = models.TextField(_("experts"), help_text=_("One expert per line: name, position, organisation."))
    employer_members = models.ManyToManyField(
        "core.Employer",
        blank=True,
        related_name="attestation_boards",
        verbose_name=_("employers represented on the board"),
        help_text=_("The employers whose representatives sit on the attestation board (KG WBL regulation п. 4, 57 (13))."),
    )
    scale = models.ForeignKey(GradingScale, on_delete=models.PROTECT, related_name="+", verbose_name=_("grading scale"))
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PLANNED)
    history = HistoricalRecords(m2m_fields=[employer_members])

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("exam")
        verbose_name_plural = _("exams")
        ordering = ["-held_on", "group"]
        constraints = [
            models.UniqueConstraint(fields=["group", "qualification", "kind"], name="exam_group_qualification_kind_unique")
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.qualification.code} · {self.group}"

    @property
    def expert_list(self):
        return [line.strip() for line in self.experts.splitlines() if line.strip()]

    def get_absolute_url(self):
        return reverse("curriculum:exam", args=[self.pk])


class ExamResult(InstitutionScoped):
    exam = models.ForeignKey(QualificationExam, on_delete=models.CASCADE, related_name="results", verbose_name=_("exam"))
    student = models.ForeignKey("core.Student", on_delete=models.CASCADE, related_name="exam_results", verbose_name=_("student"))
    value = models.DecimalField(_("mark"), max_digits=5, decimal_places=1)
    passed = models.BooleanField(_("passed"))

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("exam result")
        verbose_name_plural = _("exam results")
        constraints = [models.UniqueConstraint(fields=["exam", "student"], name="exam_result_unique")]


class AwardedQualification(InstitutionScoped):
    """A qualification a student was awarded by a passed exam."""

    student = models.ForeignKey(
        "core.Student", on_delete=models.CASCADE, related_name="awarded_qualifications", verbose_name=_("student")
    )
    qualification = models.ForeignKey(
        "curriculum.Qualification", on_delete=models.PROTECT, related_name="awards", verbose_name=_("qualification")
    )
    exam = models.ForeignKey(
        QualificationExam, null=True, blank=True, on_delete=models.PROTECT, related_name="awards", verbose_name=_("exam")
    )
    awarded_on = models.DateField(_("awarded on"))
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "journal"

    class Meta:
        verbose_name = _("awarded qualification")
        verbose_name_plural = _("awarded qualifications")
        ordering = ["student", "awarded_on"]
        constraints = [models.UniqueConstraint(fields=["student", "qualification"], name="awarded_qualification_unique")]
