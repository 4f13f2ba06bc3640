"""Placements: one learner (or, for an internship, one teacher) in one form of WBL with one employer.

planned (on the list, with the consent of the learner or of a minor's legal representative; п. 56
item 5) → roster agreed with the employer (п. 56 item 6, п. 57 item 3) → ordered (the referral
order signed; п. 29, п. 41) → briefed (the institution's and the employer's briefings, the learner's
acknowledgement; п. 56 item 4, п. 57 items 6 and 11) → active (the diary; п. 14) → completed (the
mentor's review and characterisation; п. 14) → assessed (institution and employer assessors;
п. 20, п. 56 item 11) → closed. The grade of the assessment becomes the grade of the practice
component in the journal and transcript.
"""

import uuid

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.core.models.base import ScopedQuerySet
from kesip.wbl.models.agreements import PracticeType, WblForm
from kesip.wbl.models.employers import UPLOAD_EXTENSIONS, same_institution
from kesip.wbl.models.programmes import AssessmentMethod


class PlacementQuerySet(ScopedQuerySet):
    def overlapping(self, starts_on, ends_on):
        """Placements whose dates meet [starts_on, ends_on] (both ends inclusive)."""
        return self.filter(starts_on__lte=ends_on, ends_on__gte=starts_on)

    def counting(self):
        """Placements that hold a place, a roster slot or a mentor: all but cancelled ones."""
        return self.exclude(status=Placement.Status.CANCELLED)


class Placement(InstitutionScoped):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        ROSTER_AGREED = "roster_agreed", _("Roster agreed with the employer")
        ORDERED = "ordered", _("Referred by order")
        BRIEFED = "briefed", _("Briefed")
        ACTIVE = "active", _("Under way")
        COMPLETED = "completed", _("Completed: review and characterisation written")
        ASSESSED = "assessed", _("Assessed")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    class Consent(models.TextChoices):
        LEARNER = "learner", _("The learner")
        REPRESENTATIVE = "representative", _("The legal representative")
        # F11: asked in Kesip; the learner (of age) or a linked legal representative answers.
        REQUESTED = "requested", _("Asked in Kesip, awaiting the answer")
        REFUSED = "refused", _("Refused")

    # What the coordinator records; a refusal is only the learner's or the representative's answer.
    COORDINATOR_CONSENTS = (Consent.LEARNER, Consent.REPRESENTATIVE, Consent.REQUESTED)
    COORDINATOR_CONSENT_CHOICES = [(c.value, c.label) for c in COORDINATOR_CONSENTS]

    class InternCategory(models.TextChoices):
        GRADUATING = "graduating", _("Learner completing the programme")
        GRADUATE = "graduate", _("Graduate")
        TEACHER = "teacher", _("Teacher sent for qualification upgrading")

    class InternshipType(models.TextChoices):
        PRODUCTION = "production", _("Production internship (at an enterprise)")
        PEDAGOGICAL = "pedagogical", _("Pedagogical internship (at an educational organisation)")

    class InternshipMode(models.TextChoices):
        TARGETED = "targeted", _("Targeted short-term internship")
        MODULAR = "modular", _("Individual modular qualification-upgrading programme")

    class ApprenticeshipForm(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual")
        BRIGADE = "brigade", _("Brigade")
        COURSE = "course", _("Course")

    class Outcome(models.TextChoices):
        SUCCESSFUL = "successful", _("Completed successfully")
        UNSUCCESSFUL = "unsuccessful", _("Not completed successfully")

    form = models.CharField(_("form of WBL"), max_length=16, choices=WblForm.choices)
    student = models.ForeignKey(
        "core.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="placements", verbose_name=_("learner")
    )
    intern_staff = models.ForeignKey(
        "core.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="internships",
        verbose_name=_("intern (teacher)"),
    )
    group = models.ForeignKey(
        "core.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="placements", verbose_name=_("group")
    )
    practice_type = models.CharField(_("practice type"), max_length=16, choices=PracticeType.choices, blank=True)
    component = models.ForeignKey(
        "curriculum.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("curriculum component"),
        help_text=_("The practice of the curriculum this placement fulfils; its grade goes to the journal."),
    )
    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="placements", verbose_name=_("employer"))
    workplace = models.ForeignKey(
        "wbl.Workplace", null=True, blank=True, on_delete=models.PROTECT, related_name="placements", verbose_name=_("workplace")
    )
    agreement = models.ForeignKey(
        "wbl.Agreement", null=True, blank=True, on_delete=models.PROTECT, related_name="placements", verbose_name=_("agreement")
    )
    wbl_programme = models.ForeignKey(
        "wbl.WblProgramme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="placements",
        verbose_name=_("WBL programme"),
    )
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    hours = models.PositiveIntegerField(_("hours"), null=True, blank=True, validators=[MaxValueValidator(5000)])
    supervisor = models.ForeignKey(
        "core.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervised_placements",
        verbose_name=_("head of practical training"),
    )
    mentor = models.ForeignKey(
        "wbl.EmployerPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="mentored", verbose_name=_("mentor")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PLANNED)
    # п. 56 item 5: the list is compiled with the consent of the learner or the legal representative.
    consent_by = models.CharField(_("consent given by"), max_length=16, choices=Consent.choices, blank=True)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    legal_representative = models.CharField(_("legal representative"), max_length=255, blank=True)
    consent_requested_at = models.DateTimeField(_("consent asked at"), null=True, blank=True)
    consent_user = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("answered in Kesip by"),
    )
    roster_agreed_on = models.DateField(_("roster agreed on"), null=True, blank=True)
    # п. 30 (practice) and п. 21 (dual, pedagogical fields): at the learner's own workplace.
    at_own_workplace = models.BooleanField(_("at the learner's own workplace"), default=False)
    conformity_note = models.TextField(_("how the work matches the content of the practice"), blank=True)
    conformity_approved_on = models.DateField(_("conformity approved on"), null=True, blank=True)
    conformity_approved_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("conformity approved by")
    )
    # Dual training (п. 19, 20).
    individual_schedule = models.TextField(_("individual training schedule"), blank=True)
    enterprise_timetable = models.TextField(_("timetable at the enterprise"), blank=True)
    employment_promised = models.BooleanField(_("employment after graduation agreed"), default=False)
    # Internship (п. 34–43).
    intern_category = models.CharField(_("intern category"), max_length=16, choices=InternCategory.choices, blank=True)
    internship_type = models.CharField(_("type of internship"), max_length=16, choices=InternshipType.choices, blank=True)
    internship_mode = models.CharField(_("organised as"), max_length=16, choices=InternshipMode.choices, blank=True)
    individual_programme = models.TextField(_("individual internship programme: tasks and expected results"), blank=True)
    programme_agreed_on = models.DateField(_("programme agreed with the enterprise on"), null=True, blank=True)
    intern_education = models.CharField(_("intern's level of education"), max_length=255, blank=True)
    intern_experience = models.CharField(_("intern's work experience"), max_length=255, blank=True)
    intern_position = models.CharField(_("intern's position"), max_length=255, blank=True)
    internship_goals = models.TextField(_("goals of the internship"), blank=True)
    duration_reason = models.TextField(_("why this duration"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    # Apprenticeship (п. 44–48).
    apprenticeship_form = models.CharField(
        _("form of apprenticeship"), max_length=16, choices=ApprenticeshipForm.choices, blank=True
    )
    outside_wbl_programme = models.BooleanField(
        _("run by the employer outside a WBL programme"),
        default=False,
        help_text=_(
            "No diploma is issued: the apprentice applies to the Independent Certification and Validation Centre (п. 47)."
        ),
    )
    # Completion (п. 14).
    review = models.TextField(_("mentor's review"), blank=True)
    characterisation = models.TextField(_("characterisation of the learner"), blank=True)
    recommended_grade = models.DecimalField(
        _("grade proposed by the mentor"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    reviewed_on = models.DateField(_("review written on"), null=True, blank=True)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = PlacementQuerySet.as_manager()
    access_area = "wbl"
    employer_path = "employer"
    mentor_path = "mentor"
    student_path = "student"

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-starts_on", "student__last_name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="placement_dates_ordered"),
            models.CheckConstraint(
                condition=(Q(student__isnull=False) & Q(intern_staff__isnull=True))
                | (Q(student__isnull=True) & Q(intern_staff__isnull=False) & Q(form="internship")),
                name="placement_one_learner",
            ),
        ]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["employer", "status"]),
            models.Index(fields=["mentor", "status"]),
            models.Index(fields=["group", "status"]),
            models.Index(fields=["institution", "starts_on"]),
        ]

    def __str__(self):
        who = self.student or self.intern_staff
        return f"{who} — {self.employer}" if self.employer_id else str(who)

    @property
    def learner(self):
        return self.student or self.intern_staff

    @property
    def kind_label(self):
        if self.form == WblForm.PRACTICE and self.practice_type:
            return self.get_practice_type_display()
        return self.get_form_display()

    def clean(self):
        errors = {}
        for name in (
            "student",
            "intern_staff",
            "group",
            "employer",
            "workplace",
            "agreement",
            "supervisor",
            "mentor",
            "wbl_programme",
        ):
            related = getattr(self, name) if getattr(self, f"{name}_id") else None
            same_institution(errors, self, name, related)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("A placement cannot end before it starts.")
        if bool(self.student_id) == bool(self.intern_staff_id):
            errors["student"] = _("A placement is of one learner, or (an internship) of one teacher.")
        if self.intern_staff_id and self.form != WblForm.INTERNSHIP:
            errors["intern_staff"] = _("Only an internship can be of a teacher.")
        if self.form == WblForm.PRACTICE and not self.practice_type:
            errors["practice_type"] = _("Say which type of practice this is.")
        if self.workplace_id and self.employer_id and self.workplace.employer_id != self.employer_id:
            errors["workplace"] = _("The workplace belongs to another employer.")
        if self.mentor_id and self.employer_id and self.mentor.employer_id != self.employer_id:
            errors["mentor"] = _("The mentor must work for the host employer (п. 2).")
        if self.mentor_id and not self.mentor.is_mentor:
            errors["mentor"] = _("This employee is not registered as a mentor.")
        if self.agreement_id and self.employer_id and self.agreement.employer_id != self.employer_id:
            errors["agreement"] = _("The agreement is with another employer.")
        if self.component_id and not self.component.is_practice:
            errors["component"] = _("Choose a practice or industrial-training component.")
        if self.student_id and self.group_id is None:
            self.group_id = self.student.group_id
        if errors:
            raise ValidationError(errors)

    @property
    def certificate(self):
        """The certificate in force, else the latest revoked one, else None (prefetch `certificates` in lists)."""
        issued = sorted(self.certificates.all(), key=lambda c: (c.revoked_on is None, c.issued_on, c.pk), reverse=True)
        return issued[0] if issued else None

    def get_absolute_url(self):
        return reverse("wbl:placement_detail", args=[self.pk])


class InternshipSite(InstitutionScoped):
    """An internship may run at several sites of different enterprises (п. 37)."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="sites", verbose_name=_("internship"))
    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("enterprise"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    tasks = models.TextField(_("tasks at this site"), blank=True)

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("internship site")
        verbose_name_plural = _("internship sites")
        ordering = ["placement", "starts_on"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="site_dates_ordered")]

    def __str__(self):
        return str(self.employer)


class Briefing(InstitutionScoped):
    """A briefing of a learner before WBL and the learner's acknowledgement of it."""

    class Kind(models.TextChoices):
        INSTITUTION = "institution", _("Institution: how to undergo WBL (п. 56 item 4)")
        SAFETY = "safety", _("Employer: labour protection and technical safety (п. 57 item 11)")
        LOCAL_DOCUMENTS = "local_documents", _("Employer: charter, internal, sanitary and fire rules (п. 57 item 6)")

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="briefings", verbose_name=_("placement"))
    kind = models.CharField(_("briefing"), max_length=16, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    conducted_by = models.CharField(_("conducted by"), max_length=255)
    acknowledged_at = models.DateTimeField(_("acknowledged by the learner"), null=True, blank=True)
    documents = models.ManyToManyField(
        "wbl.LocalDocument", blank=True, related_name="+", verbose_name=_("documents acknowledged")
    )
    history = HistoricalRecords(m2m_fields=[documents])

    access_area = "wbl"
    employer_path = "placement__employer"
    mentor_path = "placement__mentor"
    student_path = "placement__student"

    class Meta:
        verbose_name = _("briefing")
        verbose_name_plural = _("briefings")
        ordering = ["placement", "held_on", "kind"]
        constraints = [models.UniqueConstraint(fields=["placement", "kind"], name="briefing_once_per_kind")]

    def __str__(self):
        return self.get_kind_display()


class Assessment(InstitutionScoped):
    """The joint assessment of a placement (п. 20, п. 56 item 11, п. 57 item 12) by the methods of section 9."""

    placement = models.OneToOneField(Placement, on_delete=models.CASCADE, related_name="assessment", verbose_name=_("placement"))
    assessed_on = models.DateField(_("assessed on"))
    method = models.CharField(_("assessment method"), max_length=24, choices=AssessmentMethod.choices)
    value = models.DecimalField(_("grade"), max_digits=5, decimal_places=1)
    institution_assessors = models.ManyToManyField(
        "core.StaffMember", related_name="+", verbose_name=_("assessors of the institution")
    )
    employer_assessors = models.ManyToManyField(
        "wbl.EmployerPerson", related_name="+", verbose_name=_("assessors of the employer")
    )
    comment = models.TextField(_("comment"), blank=True)
    artefact = models.FileField(
        _("project, video or other evidence"),
        upload_to="wbl/assessments/%Y/",
        blank=True,
        validators=[FileExtensionValidator([*UPLOAD_EXTENSIONS, "mp4", "webm", "zip"])],
    )
    history = HistoricalRecords(m2m_fields=[institution_assessors, employer_assessors])

    access_area = "wbl"
    employer_path = "placement__employer"
    mentor_path = "placement__mentor"
    student_path = "placement__student"

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")

    def __str__(self):
        return f"{self.placement}: {self.value}"


class CompetencyResult(InstitutionScoped):
    """Whether a competency of the programme was shown in the placement."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="competency_results", verbose_name=_("assessment")
    )
    competency = models.ForeignKey(
        "curriculum.Competency", on_delete=models.PROTECT, related_name="+", verbose_name=_("competency")
    )
    achieved = models.BooleanField(_("achieved"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    access_area = "wbl"
    employer_path = "assessment__placement__employer"
    student_path = "assessment__placement__student"

    class Meta:
        verbose_name = _("competency result")
        verbose_name_plural = _("competency results")
        constraints = [models.UniqueConstraint(fields=["assessment", "competency"], name="competency_result_unique")]


class MonitoringVisit(InstitutionScoped):
    """A visit of the head of practical training to a host employer, with what was found."""

    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="+", verbose_name=_("employer"))
    visited_on = models.DateField(_("visited on"))
    visitor = models.ForeignKey("core.StaffMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("visited by"))
    placements = models.ManyToManyField(Placement, blank=True, related_name="visits", verbose_name=_("placements seen"))
    findings = models.TextField(_("findings"))
    actions = models.TextField(_("actions agreed"), blank=True)
    history = HistoricalRecords(m2m_fields=[placements])

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("monitoring visit")
        verbose_name_plural = _("monitoring visits")
        ordering = ["-visited_on", "pk"]

    def __str__(self):
        return f"{self.employer} — {self.visited_on}"


class VolunteerRecognition(InstitutionScoped):
    """Volunteering recognised as educational or production (pre-diploma) practice (п. 31).

    submitted → evidence verified → recognised / rejected (§9.4). The evidence — at least the rulebook's hours, an agreement
    (memorandum) of the institution with the volunteer organisation, the volunteer's personal book
    and the volunteer agreement.
    """

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        VERIFIED = "verified", _("Evidence verified")
        RECOGNISED = "recognised", _("Recognised as practice")
        REJECTED = "rejected", _("Rejected")

    CREDITABLE = (PracticeType.EDUCATIONAL, PracticeType.PRODUCTION, PracticeType.PRE_DIPLOMA)

    student = models.ForeignKey("core.Student", on_delete=models.PROTECT, related_name="volunteering", verbose_name=_("learner"))
    organisation = models.ForeignKey(
        "core.Employer", on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("volunteer organisation")
    )
    memorandum = models.ForeignKey(
        "wbl.Agreement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_recognitions",
        verbose_name=_("memorandum of cooperation"),
    )
    activity = models.TextField(_("what the volunteer did, for which skills"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hours = models.PositiveIntegerField(_("hours worked"), validators=[MaxValueValidator(5000)])
    book = models.FileField(
        _("volunteer's personal book"),
        upload_to="wbl/volunteer/%Y/",
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
    )
    book_reference = models.CharField(_("personal book number"), max_length=64, blank=True)
    volunteer_agreement = models.FileField(
        _("volunteer agreement"),
        upload_to="wbl/volunteer/%Y/",
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
    )
    volunteer_agreement_reference = models.CharField(_("volunteer agreement number"), max_length=64, blank=True)
    practice_type = models.CharField(_("recognised as"), max_length=16, choices=PracticeType.choices)
    component = models.ForeignKey(
        "curriculum.Component",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("practice component"),
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    verified_on = models.DateField(_("evidence verified on"), null=True, blank=True)
    verified_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("evidence verified by")
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decided_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("decided by")
    )
    decision_note = models.TextField(_("decision"), blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "organisation"
    student_path = "student"

    class Meta:
        verbose_name = _("volunteer practice")
        verbose_name_plural = _("volunteer practice")
        ordering = ["-starts_on", "pk"]
        indexes = [models.Index(fields=["institution", "status"])]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="volunteer_dates_ordered")]

    def __str__(self):
        return f"{self.student} — {self.organisation}"

    def get_absolute_url(self):
        return reverse("wbl:volunteer_detail", args=[self.pk])


def _token():
    return uuid.uuid4().hex


class Certificate(InstitutionScoped):
    """The certificate of a successfully completed internship (п. 43), verifiable by its public QR link."""

    class Letterhead(models.TextChoices):
        INSTITUTION = "institution", _("On the institution's letterhead")
        EMPLOYER = "employer", _("On the enterprise's letterhead")

    placement = models.ForeignKey(Placement, on_delete=models.PROTECT, related_name="certificates", verbose_name=_("internship"))
    number = models.CharField(_("number"), max_length=32)
    issued_on = models.DateField(_("issued on"))
    letterhead = models.CharField(_("letterhead"), max_length=16, choices=Letterhead.choices)
    token = models.CharField(_("verification code"), max_length=32, unique=True, default=_token, editable=False)
    sha256 = models.CharField(_("SHA-256 of the issued PDF"), max_length=64, blank=True)
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "placement__employer"
    student_path = "placement__student"

    class Meta:
        verbose_name = _("internship certificate")
        verbose_name_plural = _("internship certificates")
        ordering = ["-issued_on", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "number"], name="certificate_number_unique"),
            # A revoked certificate may be reissued; only one is in force at a time.
            models.UniqueConstraint(fields=["placement"], condition=Q(revoked_on__isnull=True), name="certificate_one_in_force"),
        ]

    def __str__(self):
        return f"№ {self.number}"

    def get_absolute_url(self):
        return reverse("wbl:certificate_verify", args=[self.token])
