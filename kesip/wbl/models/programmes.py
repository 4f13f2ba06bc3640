"""The WBL programme of a profession: the nine sections of п. 53 (the text says eight; its table lists nine).

1 introduction (code, name, normative base — from the educational programme), 2 goal, 3 form,
4 procedure (zones of responsibility, mentors' duties), 5 load by form and semester with the WBL
share computed from the rows, 6 learning outcomes as competencies, 7 practical-training content
(competency → topic → hours → environment and equipment), 8 safety and labour protection,
9 assessment methods with grade descriptors linked to the competencies of section 6.
draft → employer review → approved by the institution (п. 56 item 1, п. 57 item 2).
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.dates import MONTHS
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.wbl.models.agreements import PracticeType, WblForm
from kesip.wbl.models.employers import same_institution


class WblProgramme(InstitutionScoped):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        EMPLOYER_REVIEW = "employer_review", _("With the employer for review")
        APPROVED = "approved", _("Approved by the institution")
        PUBLISHED = "published", _("Published")
        REVISED = "revised", _("Replaced by a revision")

    programme = models.ForeignKey(
        "core.Programme", on_delete=models.PROTECT, related_name="wbl_programmes", verbose_name=_("educational programme")
    )
    form = models.CharField(_("form of WBL (section 3)"), max_length=16, choices=WblForm.choices)
    co_developer = models.ForeignKey(
        "core.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="wbl_programmes",
        verbose_name=_("co-developing employer"),
    )
    academic_year = models.PositiveSmallIntegerField(
        _("academic year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)], help_text=_("2024 for 2024–2025.")
    )
    normative_base = models.TextField(_("normative base (section 1)"), blank=True)
    goal = models.TextField(_("goal of WBL (section 2)"), blank=True)
    procedure = models.TextField(_("procedure: zones of responsibility of the parties (section 4)"), blank=True)
    mentor_duties = models.TextField(_("duties of mentors at the enterprise (section 4)"), blank=True)
    season_note = models.TextField(_("timing and seasonality of the profession (section 5)"), blank=True)
    season_from_month = models.PositiveSmallIntegerField(
        _("season starts in month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("For a seasonal profession: the first month in which the practice can take place."),
    )
    season_to_month = models.PositiveSmallIntegerField(
        _("season ends in month"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(12)],
        help_text=_("The last month of the season; it may be earlier than the first (a winter season)."),
    )
    outcomes = models.ManyToManyField(
        "curriculum.Competency", blank=True, related_name="wbl_programmes", verbose_name=_("learning outcomes (section 6)")
    )
    safety = models.TextField(_("safety norms and labour protection (section 8)"), blank=True)
    accessibility = models.TextField(
        _("forms for learners with disabilities (п. 54)"), blank=True, help_text=_("Where needed: adapted forms of practice.")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    employer_agreed_on = models.DateField(_("agreed by the employer on"), null=True, blank=True)
    employer_agreed_by = models.CharField(_("agreed by"), max_length=255, blank=True)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    approved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("approved by")
    )
    published_on = models.DateField(_("published on"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    previous = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revision",
        verbose_name=_("revises"),
    )
    revised_from_report = models.ForeignKey(
        "wbl.AnnualReport",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="revised_programmes",
        verbose_name=_("revised after the annual report"),
    )
    revision_reason = models.TextField(_("what the revision changes and why"), blank=True)
    history = HistoricalRecords(m2m_fields=[outcomes])

    access_area = "wbl"
    employer_path = "co_developer"

    class Meta:
        verbose_name = _("WBL programme")
        verbose_name_plural = _("WBL programmes")
        ordering = ["-academic_year", "programme__specialty__code", "pk"]
        indexes = [models.Index(fields=["institution", "status"])]

    def __str__(self):
        return f"{self.programme} — {self.get_form_display()} ({self.academic_year}–{self.academic_year + 1})"

    @property
    def is_editable(self):
        return self.status == self.Status.DRAFT

    def clean(self):
        errors = {}
        same_institution(errors, self, "programme", self.programme if self.programme_id else None)
        same_institution(errors, self, "co_developer", self.co_developer if self.co_developer_id else None)
        if bool(self.season_from_month) != bool(self.season_to_month):
            field = "season_to_month" if self.season_from_month else "season_from_month"
            errors[field] = _("Give both the first and the last month of the season, or neither.")
        if errors:
            raise ValidationError(errors)

    @property
    def season_label(self):
        """“March – May” (section 5), or "" when the profession has no season."""
        if not self.season_from_month or not self.season_to_month:
            return ""
        return f"{MONTHS[self.season_from_month]} – {MONTHS[self.season_to_month]}"

    def get_absolute_url(self):
        return reverse("wbl:wblprogramme_detail", args=[self.pk])


# Approved or published: in force, and named by placements and agreements (§9.4).
WblProgramme.USABLE = (WblProgramme.Status.APPROVED, WblProgramme.Status.PUBLISHED)


class LoadRow(InstitutionScoped):
    """Section 5: a WBL form used in a semester, with its approximate hours and credits (п. 53 §5)."""

    class Activity(models.TextChoices):
        DUAL = "dual", _("Dual training")
        PRACTICE = "practice", _("Practice")
        INTERNSHIP = "internship", _("Internship")
        APPRENTICESHIP = "apprenticeship", _("Apprenticeship")
        GUEST_LECTURE = "guest_lecture", _("Guest lecture by an employer")
        EXCURSION = "excursion", _("Excursion to the workplace")
        MASTER_CLASS = "master_class", _("Master class")
        OFFSITE_CLASS = "offsite_class", _("Off-site practical class at the workplace")
        COMPETITION = "competition", _("Professional competition or exhibition")
        PROJECT = "project", _("Educational project")
        OTHER = "other", _("Other event with the employer")

    programme = models.ForeignKey(
        WblProgramme, on_delete=models.CASCADE, related_name="load_rows", verbose_name=_("WBL programme")
    )
    semester = models.PositiveSmallIntegerField(_("semester"), validators=[MinValueValidator(1), MaxValueValidator(12)])
    activity = models.CharField(_("form"), max_length=16, choices=Activity.choices)
    practice_type = models.CharField(_("practice type"), max_length=16, choices=PracticeType.choices, blank=True)
    component = models.ForeignKey(
        "curriculum.Component", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("discipline")
    )
    hours = models.PositiveIntegerField(_("approximate hours"), validators=[MinValueValidator(1), MaxValueValidator(5000)])
    credits = models.DecimalField(
        _("credits"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0), MaxValueValidator(200)]
    )
    season = models.CharField(_("season or timing"), max_length=255, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)

    access_area = "wbl"
    employer_path = "programme__co_developer"

    class Meta:
        verbose_name = _("load row")
        verbose_name_plural = _("load by form and semester")
        ordering = ["programme", "semester", "position", "pk"]

    def __str__(self):
        return f"{self.semester}: {self.get_activity_display()} — {self.hours}"


class ContentRow(InstitutionScoped):
    """Section 7: for a type of practical training, a refined competency, a topic, its hours and what it needs."""

    programme = models.ForeignKey(
        WblProgramme, on_delete=models.CASCADE, related_name="content_rows", verbose_name=_("WBL programme")
    )
    practice_type = models.CharField(_("type of practical training"), max_length=16, choices=PracticeType.choices)
    competency = models.ForeignKey(
        "curriculum.Competency", on_delete=models.PROTECT, related_name="+", verbose_name=_("refined competency")
    )
    topic = models.CharField(_("topic"), max_length=500)
    hours = models.PositiveIntegerField(_("hours"), validators=[MinValueValidator(1), MaxValueValidator(5000)])
    environment = models.TextField(_("work environment"))
    equipment = models.TextField(_("equipment"))
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)

    access_area = "wbl"
    employer_path = "programme__co_developer"

    class Meta:
        verbose_name = _("content row")
        verbose_name_plural = _("content of practical training")
        ordering = ["programme", "practice_type", "position", "pk"]

    def __str__(self):
        return self.topic


class AssessmentMethod(models.TextChoices):
    """Section 9 methods (п. 53 §9); the list may be extended."""

    PRACTICAL_TASK = "practical_task", _("Practical task at the exam, with a project developed and defended")
    CASE_STUDY = "case_study", _("Analysis of a situation (case study) at the exam")
    VIDEO_INTERVIEW = "video_interview", _("Analysis of a video recording of the work and/or an interview")
    PROJECT_DEFENCE = "project_defence", _("Project defence")
    OBSERVATION = "observation", _("Observation of work at the workplace")


class RubricItem(InstitutionScoped):
    """Section 9: a grade level of an assessment method, described against competencies of section 6."""

    programme = models.ForeignKey(WblProgramme, on_delete=models.CASCADE, related_name="rubric", verbose_name=_("WBL programme"))
    method = models.CharField(_("assessment method"), max_length=24, choices=AssessmentMethod.choices)
    level = models.CharField(_("grade"), max_length=32)
    descriptor = models.TextField(_("description of the grade"))
    competencies = models.ManyToManyField("curriculum.Competency", blank=True, related_name="+", verbose_name=_("competencies"))
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)

    access_area = "wbl"
    employer_path = "programme__co_developer"

    class Meta:
        verbose_name = _("rubric item")
        verbose_name_plural = _("assessment rubric")
        ordering = ["programme", "method", "position", "pk"]

    def __str__(self):
        return f"{self.get_method_display()}: {self.level}"
