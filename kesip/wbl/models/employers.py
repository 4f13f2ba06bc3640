"""An employer's side of work-based learning: its people, its local documents, its workplaces.

The employer itself (name, kind, INN/BIN) is a core registry record. Here it gets a head who signs
its orders, an authorised representative who coordinates mentors (KG WBL regulation п. 49), the
mentors (п. 2), the local documents learners must acknowledge (п. 57 items 6 and 11) and the
workplaces it offers, with places per period (п. 57 item 4).
"""

from django.core.exceptions import ValidationError
from django.core.validators import FileExtensionValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped

UPLOAD_EXTENSIONS = ["pdf", "jpg", "jpeg", "png", "doc", "docx", "odt"]


def same_institution(errors, obj, field, related):
    """Record an error when a related record belongs to another institution than `obj`."""
    if related is not None and obj.institution_id and related.institution_id != obj.institution_id:
        errors[field] = _("Choose a record of this institution.")


class EmployerPerson(InstitutionScoped):
    """Someone who works for an employer: its head, its authorised representative, a mentor, a specialist.

    A mentor is a qualified employee with professional qualities, practical experience and an
    impeccable reputation, appointed by the head's order for the whole WBL term (п. 2, п. 10).
    """

    employer = models.ForeignKey("core.Employer", on_delete=models.CASCADE, related_name="people", verbose_name=_("employer"))
    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    position = models.CharField(_("position"), max_length=255)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="employer_roles",
        verbose_name=_("user account"),
    )
    is_head = models.BooleanField(_("head of the employer"), default=False, help_text=_("Signs the employer's orders."))
    is_representative = models.BooleanField(
        _("authorised representative"), default=False, help_text=_("Coordinates the mentors (п. 49).")
    )
    is_mentor = models.BooleanField(_("mentor"), default=False)
    qualification = models.CharField(_("qualification or grade"), max_length=255, blank=True)
    experience_years = models.PositiveSmallIntegerField(
        _("years of experience"), null=True, blank=True, validators=[MaxValueValidator(70)]
    )
    is_active = models.BooleanField(_("works there"), default=True)
    staff = models.ForeignKey(
        "core.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("staff member of the institution"),
        help_text=_("At the institution's own base: the mentor is one of its staff (п. 10)."),
    )
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("employer's employee")
        verbose_name_plural = _("employer's employees")
        ordering = ["employer", "last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["employer"], condition=Q(is_head=True, is_active=True), name="employer_one_head"),
            models.UniqueConstraint(
                fields=["employer"], condition=Q(is_representative=True, is_active=True), name="employer_one_representative"
            ),
            models.UniqueConstraint(
                fields=["employer", "staff"], condition=Q(staff__isnull=False), name="employer_person_staff_once"
            ),
        ]
        indexes = [models.Index(fields=["employer", "is_mentor"])]

    def __str__(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def short_name(self):
        initials = "".join(f"{p[0]}." for p in (self.first_name, self.patronymic) if p)
        return f"{self.last_name} {initials}".strip()

    def clean(self):
        errors = {}
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        if errors:
            raise ValidationError(errors)


class LocalDocument(InstitutionScoped):
    """A local document of the employer learners are acquainted with before WBL (п. 57 items 6, 11)."""

    class Kind(models.TextChoices):
        CHARTER = "charter", _("Charter")
        INTERNAL_RULES = "internal_rules", _("Internal labour rules")
        SAFETY = "safety", _("Labour protection and safety rules")
        SANITARY = "sanitary", _("Sanitary rules")
        FIRE = "fire", _("Fire safety rules")
        CONDUCT = "conduct", _("Rules of conduct")
        OTHER = "other", _("Other local document")

    employer = models.ForeignKey(
        "core.Employer", on_delete=models.CASCADE, related_name="local_documents", verbose_name=_("employer")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=255)
    summary = models.TextField(_("what the learner must know"), blank=True)
    file = models.FileField(
        _("file"),
        upload_to="wbl/local-documents/%Y/",
        blank=True,
        validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)],
    )
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    must_acknowledge = models.BooleanField(_("learners must acknowledge it"), default=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("local document")
        verbose_name_plural = _("local documents")
        ordering = ["employer", "kind", "title"]

    def __str__(self):
        return self.title


LOGO_MAX_BYTES = 2 * 1024 * 1024
LETTERHEAD_LINES = 4
LETTERHEAD_LINE_LENGTH = 120


def validate_letterhead_details(value):
    """At most four lines of at most 120 characters: what fits under the name on an A4 letterhead."""
    lines = [line for line in (value or "").splitlines() if line.strip()]
    if len(lines) > LETTERHEAD_LINES:
        raise ValidationError(
            _("A letterhead has room for %(n)s lines under the name; this text has %(count)s.")
            % {"n": LETTERHEAD_LINES, "count": len(lines)},
            code="too_many_lines",
        )
    long = next((i for i, line in enumerate(lines, 1) if len(line.strip()) > LETTERHEAD_LINE_LENGTH), None)
    if long is not None:
        raise ValidationError(
            _("Line %(line)s is longer than %(n)s characters.") % {"line": long, "n": LETTERHEAD_LINE_LENGTH},
            code="line_too_long",
        )


def validate_logo(upload):
    """A PNG or JPEG picture of at most 2 MB and 32–5000 pixels a side, whose content is a picture."""
    from django.core.files.uploadedfile import UploadedFile
    from PIL import Image, UnidentifiedImageError

    if not getattr(upload, "_committed", True):  # a model's file field holding a new upload (a form's full_clean)
        upload = upload.file
    if not isinstance(upload, UploadedFile):
        return  # a logo already stored is not checked again
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(_("The logo is larger than 2 MB."), code="file_too_large")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            kind, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError(_("The logo is not a readable PNG or JPEG picture."), code="file_content") from None
    finally:
        upload.seek(0)
    if kind not in ("PNG", "JPEG"):
        raise ValidationError(_("Upload the logo as a PNG or JPEG picture."), code="file_type")
    if min(width, height) < 32 or max(width, height) > 5000:
        raise ValidationError(
            _("The logo is %(width)s × %(height)s pixels; each side must be 32 to 5000 pixels.")
            % {"width": width, "height": height},
            code="file_size",
        )


class EmployerLetterhead(InstitutionScoped):
    """The employer's letterhead (F2): the logo and the lines printed under its name on the documents it issues
    — the internship certificate on the enterprise's letterhead (п. 43), the mentor's review and characterisation,
    the employer's orders."""

    employer = models.OneToOneField(
        "core.Employer", on_delete=models.CASCADE, related_name="letterhead", verbose_name=_("employer")
    )
    logo = models.FileField(
        _("logo"),
        upload_to="wbl/letterheads/",
        blank=True,
        validators=[validate_logo],
        help_text=_("PNG or JPEG, at most 2 MB; printed at the left of the letterhead, 2 cm high."),
    )
    details = models.TextField(
        _("lines under the name"),
        blank=True,
        validators=[validate_letterhead_details],
        help_text=_("Up to four lines: phone, e-mail, bank details, a slogan. The name and address are printed above them."),
    )
    show_tax_id = models.BooleanField(_("print the INN / BIN"), default=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("letterhead")
        verbose_name_plural = _("letterheads")
        ordering = ["employer"]

    def __str__(self):
        return str(_("Letterhead of %(employer)s") % {"employer": self.employer})

    @property
    def detail_lines(self):
        return [line.strip() for line in self.details.splitlines() if line.strip()]


class Workplace(InstitutionScoped):
    """Places an employer offers for WBL in a profession over a period (п. 2, п. 16, п. 57 items 4 and 10)."""

    employer = models.ForeignKey("core.Employer", on_delete=models.CASCADE, related_name="workplaces", verbose_name=_("employer"))
    title = models.CharField(_("workplace"), max_length=255, help_text=_("Workshop, site or unit."))
    specialty = models.ForeignKey(
        "core.Specialty", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("profession")
    )
    profession = models.CharField(_("profession as the employer names it"), max_length=255, blank=True)
    address = models.CharField(_("address"), max_length=500, blank=True)
    places = models.PositiveSmallIntegerField(_("places"), validators=[MinValueValidator(1), MaxValueValidator(500)])
    available_from = models.DateField(_("available from"))
    available_to = models.DateField(_("available to"))
    equipment = models.TextField(_("equipment"), blank=True)
    work_environment = models.TextField(_("work environment"), blank=True)
    has_simulator = models.BooleanField(_("virtual simulation equipment"), default=False)
    is_training_workplace = models.BooleanField(
        _("training workplace (dual training)"),
        default=False,
        help_text=_("Created for students on the employer's premises (п. 16)."),
    )
    safety_compliant = models.BooleanField(_("meets sanitary, labour-protection and fire-safety requirements"), default=False)
    safety_checked_on = models.DateField(_("safety checked on"), null=True, blank=True)
    # F37 (п. 11): the labour law keeps minors from heavy work and work in harmful or dangerous conditions.
    harmful_conditions = models.BooleanField(
        _("heavy work or harmful or dangerous conditions"),
        default=False,
        help_text=_("A learner under the age of majority is not placed here (labour law, п. 11)."),
    )
    accessible = models.BooleanField(_("accessible to learners with disabilities"), default=False)
    is_active = models.BooleanField(_("offered"), default=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("workplace")
        verbose_name_plural = _("workplaces")
        ordering = ["employer", "title", "available_from"]
        indexes = [models.Index(fields=["employer", "is_active"]), models.Index(fields=["institution", "available_from"])]
        constraints = [
            models.CheckConstraint(condition=Q(available_to__gte=models.F("available_from")), name="workplace_dates_ordered"),
            models.CheckConstraint(condition=Q(places__gte=1), name="workplace_places_positive"),
        ]

    def __str__(self):
        return f"{self.title} ({self.employer})" if self.employer_id else self.title

    def clean(self):
        errors = {}
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        if self.available_from and self.available_to and self.available_to < self.available_from:
            errors["available_to"] = _("The period cannot end before it starts.")
        if self.safety_checked_on and not self.safety_compliant:
            errors["safety_compliant"] = _("A safety check was recorded: say whether the workplace meets the requirements.")
        if errors:
            raise ValidationError(errors)


class EmployerBriefing(InstitutionScoped):
    """The institution's briefing of an employer's people — its head, representative, mentors — on conducting WBL
    (п. 56 item 4): when, by whom, on what, and who of the employer took part."""

    employer = models.ForeignKey(
        "core.Employer", on_delete=models.CASCADE, related_name="briefings_received", verbose_name=_("employer")
    )
    held_on = models.DateField(_("held on"))
    conducted_by = models.ForeignKey(
        "core.StaffMember", on_delete=models.PROTECT, related_name="+", verbose_name=_("conducted by")
    )
    topics = models.TextField(_("what the briefing covered"))
    attendees = models.ManyToManyField(EmployerPerson, related_name="briefings_attended", verbose_name=_("who took part"))
    history = HistoricalRecords(m2m_fields=[attendees])

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("briefing of the employer on conducting WBL")
        verbose_name_plural = _("briefings of employers on conducting WBL")
        ordering = ["-held_on", "-pk"]

    def __str__(self):
        return f"{self.employer} — {self.held_on:%d.%m.%Y}"

    def get_absolute_url(self):
        return reverse("wbl:employer_briefing_edit", args=[self.pk])
