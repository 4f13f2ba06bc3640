"""Agreements: the written WBL agreement (KG п. 2, 9, 12, 19), the apprenticeship training agreement
under the Labour Code (п. 44) and the cooperation memorandum with a volunteer organisation (п. 31).

draft → negotiation → signed (every party has signed: a scan uploaded or marked signed outside
Kesip) → active → expired / terminated. Amendments are numbered and keep what they changed; the
record's history keeps every version.
"""

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.wbl.models.employers import UPLOAD_EXTENSIONS, same_institution


class WblForm(models.TextChoices):
    """The four forms of WBL (п. 15)."""

    DUAL = "dual", _("Dual training")
    PRACTICE = "practice", _("Practice")
    INTERNSHIP = "internship", _("Internship")
    APPRENTICESHIP = "apprenticeship", _("Apprenticeship")


class PracticeType(models.TextChoices):
    """The five types of practice (п. 24), each with the names the regulation gives it."""

    EDUCATIONAL = "educational", _("Educational practice")
    PRODUCTION = "production", _("Production (professional, pedagogical) practice")
    PRE_DIPLOMA = "pre_diploma", _("Pre-diploma (pre-qualification) practice")
    SPECIALISED = "specialised", _("Specialised (in-depth) practice")
    RESEARCH = "research", _("Research practice")


class Agreement(InstitutionScoped):
    class Kind(models.TextChoices):
        WBL = "wbl", _("WBL agreement")
        APPRENTICESHIP = "apprenticeship", _("Apprenticeship training agreement (Labour Code)")
        VOLUNTEER = "volunteer", _("Cooperation memorandum with a volunteer organisation")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        NEGOTIATION = "negotiation", _("Under negotiation")
        SIGNED = "signed", _("Signed by all parties")
        ACTIVE = "active", _("Active")
        EXPIRED = "expired", _("Expired")
        TERMINATED = "terminated", _("Terminated")

    EDITABLE = (Status.DRAFT, Status.NEGOTIATION)
    IN_FORCE = (Status.SIGNED, Status.ACTIVE)

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.WBL)
    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="agreements", verbose_name=_("employer"))
    number = models.CharField(_("number"), max_length=32, blank=True)
    concluded_on = models.DateField(_("concluded on"), null=True, blank=True)
    form = models.CharField(_("form of WBL"), max_length=16, choices=WblForm.choices, blank=True)
    specialties = models.ManyToManyField("core.Specialty", blank=True, related_name="+", verbose_name=_("professions"))
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    places = models.PositiveSmallIntegerField(
        _("workplaces agreed"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(1000)]
    )
    theory_percent = models.PositiveSmallIntegerField(
        _("theory at the institution (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    practice_percent = models.PositiveSmallIntegerField(
        _("practice at the employer (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    agreed_programme = models.TextField(_("agreed training programme"), blank=True)
    wbl_programme = models.ForeignKey(
        "wbl.WblProgramme",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agreements",
        verbose_name=_("WBL programme"),
    )
    obligations = models.TextField(_("obligations of the parties"), blank=True)
    # The third party: the learner, or the legal representative of a minor (п. 12).
    learner = models.ForeignKey(
        "core.Student", null=True, blank=True, on_delete=models.PROTECT, related_name="agreements", verbose_name=_("learner")
    )
    legal_representative = models.CharField(_("legal representative"), max_length=255, blank=True)
    # Dual training (п. 16, 19): the employer as the customer, an individual training schedule, the graduate's employment.
    employer_is_customer = models.BooleanField(
        _("the employer is the customer of the training"),
        default=False,
        help_text=_("Dual training: the employer orders the training of specialists for its own activity (п. 16, 17)."),
    )
    curriculum_agreed_on = models.DateField(
        _("working curriculum and calendar schedule agreed on"),
        null=True,
        blank=True,
        help_text=_("Dual training: the day the employer agreed the working curriculum and the calendar schedule (п. 20)."),
    )
    individual_schedule = models.TextField(_("individual training schedule"), blank=True)
    employment_clause = models.TextField(_("employment of the graduate"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signed_scan = models.FileField(
        _("signed copy"), upload_to="wbl/agreements/%Y/", blank=True, validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)]
    )
    signed_outside = models.BooleanField(_("signed on paper outside Kesip"), default=False)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.TextField(_("reason for termination"), blank=True)
    history = HistoricalRecords(m2m_fields=[specialties])

    access_area = "wbl"
    employer_path = "employer"
    student_path = "learner"

    class Meta:
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        ordering = ["-starts_on", "employer__name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_dates_ordered"),
            models.UniqueConstraint(fields=["institution", "number"], condition=~Q(number=""), name="agreement_number_unique"),
        ]
        indexes = [
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["employer", "status"]),
            models.Index(fields=["institution", "ends_on"]),
        ]

    def __str__(self):
        number = f"№ {self.number}" if self.number else _("no number")
        return f"{self.get_kind_display()} {number} — {self.employer}" if self.employer_id else str(number)

    @property
    def party_count(self):
        return 3 if (self.learner_id or self.legal_representative) else 2

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    def covers(self, on):
        return self.starts_on <= on <= self.ends_on

    def clean(self):
        errors = {}
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        same_institution(errors, self, "learner", self.learner if self.learner_id else None)
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("An agreement cannot end before it starts.")
        if self.kind == self.Kind.WBL and not self.form:
            errors["form"] = _("Say which form of WBL the agreement covers.")
        if self.kind == self.Kind.APPRENTICESHIP:
            self.form = WblForm.APPRENTICESHIP
        if self.kind == self.Kind.VOLUNTEER:
            self.form = ""
        if (self.theory_percent is None) != (self.practice_percent is None):
            errors["practice_percent"] = _("Give both shares, theory and practice.")
        elif self.theory_percent is not None and self.theory_percent + self.practice_percent != 100:
            errors["practice_percent"] = _("Theory and practice together make 100 %.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("wbl:agreement_detail", args=[self.pk])


class AgreementRosterEntry(InstitutionScoped):
    """A learner on the agreement's nominal roster, agreed with the employer (п. 56 item 6, п. 57 item 3)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="roster", verbose_name=_("agreement"))
    student = models.ForeignKey("core.Student", on_delete=models.PROTECT, related_name="+", verbose_name=_("learner"))
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "agreement__employer"
    student_path = "student"

    class Meta:
        verbose_name = _("roster entry")
        verbose_name_plural = _("roster")
        ordering = ["student__last_name", "student__first_name"]
        constraints = [models.UniqueConstraint(fields=["agreement", "student"], name="agreement_roster_unique")]

    def __str__(self):
        return str(self.student)


class AgreementSignature(InstitutionScoped):
    """One party's signature of an agreement (п. 2: a written agreement; п. 12: two or three parties)."""

    class Party(models.TextChoices):
        INSTITUTION = "institution", _("Institution")
        EMPLOYER = "employer", _("Employer")
        LEARNER = "learner", _("Learner or legal representative")

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatures", verbose_name=_("agreement"))
    party = models.CharField(_("party"), max_length=16, choices=Party.choices)
    signatory = models.CharField(_("signed by"), max_length=255)
    signed_on = models.DateField(_("signed on"))
    user = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user")
    )
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "agreement__employer"

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
        ordering = ["agreement", "party"]
        constraints = [models.UniqueConstraint(fields=["agreement", "party"], name="agreement_signature_unique")]

    def __str__(self):
        return f"{self.get_party_display()}: {self.signatory}"


class AgreementAmendment(InstitutionScoped):
    """A numbered amendment: what changed and from when; the agreement's history keeps the values before it."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="amendments", verbose_name=_("agreement"))
    number = models.PositiveSmallIntegerField(_("amendment number"))
    signed_on = models.DateField(_("signed on"))
    effective_from = models.DateField(_("effective from"))
    text = models.TextField(_("what changes"))
    changes = models.JSONField(_("fields changed"), default=dict, blank=True)
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("recorded by")
    )
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "agreement__employer"

    class Meta:
        verbose_name = _("amendment")
        verbose_name_plural = _("amendments")
        ordering = ["agreement", "number"]
        constraints = [models.UniqueConstraint(fields=["agreement", "number"], name="agreement_amendment_unique")]

    def __str__(self):
        return _("Amendment № %(n)s") % {"n": self.number}
