"""An institution's core registries: programmes, groups, staff, students, employers.

The specialty classifier is national (per jurisdiction), shared by every institution.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kesip.core import identifiers
from kesip.core.models.base import InstitutionScoped, LocalizedName, ScopedQuerySet
from kesip.core.models.tenancy import Jurisdiction


class InstructionLanguage(models.TextChoices):
    KY = "ky", _("Kyrgyz")
    RU = "ru", _("Russian")
    KK = "kk", _("Kazakh")
    UZ = "uz", _("Uzbek")
    EN = "en", _("English")


class Sex(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")


class ClassifierQuerySet(models.QuerySet):
    """The national classifier: everyone signed in reads it; only a system admin changes it."""

    def for_user(self, user, action="view"):
        from kesip.core import access

        if action == "view" and getattr(user, "is_authenticated", False):
            return self
        return self if access.is_system_admin(user) else self.none()


class Specialty(LocalizedName):
    """A specialty or occupation of the national classifier (e.g. KG 7212 “Electric and gas welder”)."""

    class Level(models.TextChoices):
        PRIMARY_VOCATIONAL = "primary_vocational", _("Primary vocational (worker qualification)")
        SECONDARY_VOCATIONAL = "secondary_vocational", _("Secondary vocational (mid-level specialist)")
        APPLIED_BACHELOR = "applied_bachelor", _("Applied bachelor")
        HIGHER = "higher", _("Higher education")

    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    code = models.CharField(
        _("code"),
        max_length=16,
        validators=[RegexValidator(r"^[0-9A-Za-z.\-]{2,16}$", _("A classifier code is 2–16 digits, letters, dots or dashes."))],
    )

    class Direction(models.TextChoices):
        SOCIAL_HUMANITARIAN = "social_humanitarian", _("Social and humanitarian")
        NATURAL_MATHEMATICAL = "natural_mathematical", _("Natural sciences and mathematics")
        ART = "art", _("Art")

    level = models.CharField(_("level"), max_length=24, choices=Level.choices)
    direction = models.CharField(
        _("general-education direction"), max_length=24, choices=Direction.choices, blank=True,
        help_text=_("Decides the general-education subjects (KZ)."),
    )  # fmt: skip
    is_military = models.BooleanField(
        _("military specialty"), default=False, help_text=_("Basic modules may not be merged into professional modules.")
    )
    reduced_general_education = models.BooleanField(
        _("reduced general-education module"),
        default=False,
        help_text=_("KZ “Choreography art”: the general-education module has its own, smaller volume."),
    )
    is_pedagogical = models.BooleanField(
        _("pedagogical field"),
        default=False,
        help_text=_("Its learners may do dual training at their own place of work (KG WBL regulation, п. 21)."),
    )
    is_medical = models.BooleanField(
        _("medical field"),
        default=False,
        help_text=_("At the higher level: specialised (in-depth) practice at health-care organisations (п. 24)."),
    )
    is_active = models.BooleanField(_("in force"), default=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    removal_basis = models.CharField(_("basis of removal"), max_length=255, blank=True)
    history = HistoricalRecords()

    objects = ClassifierQuerySet.as_manager()
    access_area = "programme"

    class Meta:
        verbose_name = _("specialty")
        verbose_name_plural = _("specialties")
        ordering = ["jurisdiction", "code"]
        constraints = [models.UniqueConstraint(fields=["jurisdiction", "code"], name="specialty_code_unique")]

    def __str__(self):
        return f"{self.code} {self.name}"


class Programme(InstitutionScoped, LocalizedName):
    """An educational programme an institution designs for a specialty.

    Its module tree, validation and status flow live in the curriculum app; the status changes
    only through `kesip.curriculum.services`.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        APPROVED = "approved", _("Approved by the institution")
        SUBMITTED = "submitted", _("Submitted for expertise")
        REGISTERED = "registered", _("Included in the register")
        RETURNED = "returned", _("Returned by the experts")

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    class EntryBase(models.TextChoices):
        GRADE_9 = "grade9", _("After grade 9 (basic secondary)")
        GRADE_11 = "grade11", _("After grade 11 (general secondary)")
        VOCATIONAL = "vocational", _("On a prior vocational base")

    class StudyForm(models.TextChoices):
        FULL_TIME = "full_time", pgettext_lazy("form of study", "Full-time")
        PART_TIME = "part_time", pgettext_lazy("form of study", "Part-time")
        EVENING = "evening", _("Evening")
        DUAL = "dual", _("Dual")

    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="programmes", verbose_name=_("specialty"))
    entry_base = models.CharField(_("entry base"), max_length=16, choices=EntryBase.choices)
    study_form = models.CharField(_("form of study"), max_length=16, choices=StudyForm.choices, default=StudyForm.FULL_TIME)
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), validators=[MinValueValidator(1), MaxValueValidator(72)]
    )
    total_hours = models.PositiveIntegerField(_("total hours"), null=True, blank=True, validators=[MaxValueValidator(20000)])
    total_credits = models.PositiveSmallIntegerField(
        _("total credits"), null=True, blank=True, validators=[MaxValueValidator(600)]
    )
    language = models.CharField(_("language of instruction"), max_length=2, choices=InstructionLanguage.choices)
    qualifications = models.ManyToManyField(
        "curriculum.Qualification", blank=True, related_name="programmes", verbose_name=_("qualifications")
    )
    co_developers = models.ManyToManyField(
        "core.Employer", blank=True, related_name="co_developed_programmes", verbose_name=_("co-developing employers")
    )
    standard = models.CharField(
        _("educational standard"), max_length=255, blank=True, help_text=_("The state standard the programme rests on.")
    )
    professional_standard = models.CharField(_("professional standard"), max_length=255, blank=True)
    worldskills_standard = models.CharField(_("WorldSkills standard"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    approved_on = models.DateField(_("approved on"), null=True, blank=True)
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    conclusion_on = models.DateField(_("date of the expert conclusion"), null=True, blank=True)
    expert_conclusion = models.TextField(_("expert conclusion"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    access_area = "programme"

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["specialty__code", "name_ru"]
        indexes = [models.Index(fields=["institution", "is_active"]), models.Index(fields=["institution", "status"])]

    @property
    def is_editable(self):
        return self.status in self.EDITABLE

    def clean(self):
        if not (self.name_ru or self.name_ky or self.name_kk or self.name_en):
            raise ValidationError({"name_ru": _("Give the name in at least one language.")})
        if self.specialty_id and self.institution_id and self.specialty.jurisdiction != self.institution.jurisdiction:
            raise ValidationError({"specialty": _("The specialty belongs to another country's classifier.")})
        if self.pk and not self.is_editable:
            stored = Programme.objects.filter(pk=self.pk).values(*self.FROZEN_FIELDS).first() or {}
            if any(stored.get(f) != getattr(self, f if f != "specialty" else "specialty_id") for f in self.FROZEN_FIELDS):
                raise ValidationError(
                    _("The programme is “%(status)s”: open a new revision before changing it.")
                    % {"status": self.get_status_display()}
                )

    # What the design fixes once the programme is approved (archiving it stays possible).
    FROZEN_FIELDS = ["specialty", "entry_base", "study_form", "duration_months", "total_hours", "total_credits", "language"]

    def clean_related(self, qualifications=None, co_developers=None):
        """Checks of the many-to-many choices, shared by the form and the API."""
        errors = {}
        if qualifications is not None:
            current = set(self.qualifications.values_list("pk", flat=True)) if self.pk else set()
            for q in qualifications:
                if self.specialty_id and q.specialty_id != self.specialty_id:
                    errors.setdefault("qualifications", []).append(_("%(q)s is a qualification of another specialty.") % {"q": q})
                elif not q.usable_for_new() and q.pk not in current:
                    errors.setdefault("qualifications", []).append(
                        _("%(q)s was removed from the classifier and cannot be chosen for a programme.") % {"q": q}
                    )
            if self.pk and not self.is_editable and {q.pk for q in qualifications} != current:
                errors.setdefault("qualifications", []).append(_("Open a new revision before changing the qualifications."))
        if co_developers is not None:
            for e in co_developers:
                if e.institution_id != self.institution_id:
                    errors.setdefault("co_developers", []).append(_("Choose an employer of this institution."))
                    break
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("curriculum:programme", args=[self.pk])


class Person(InstitutionScoped):
    """A natural person of an institution, identified by the national personal number."""

    last_name = models.CharField(_("last name"), max_length=100)
    first_name = models.CharField(_("first name"), max_length=100)
    patronymic = models.CharField(_("patronymic"), max_length=100, blank=True)
    national_id = models.CharField(_("personal number"), max_length=14, help_text=_("KG: 14-digit PIN; KZ: 12-digit IIN."))
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("user account")
    )

    PERSON_FIELDS = ["last_name", "first_name", "patronymic", "national_id", "birth_date", "sex", "phone", "email"]

    class Meta:
        abstract = True

    def __str__(self):
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def clean(self):
        clean_person(self)


class StaffMember(Person):
    """A teacher, master of industrial training or other employee of the institution."""

    class Category(models.TextChoices):
        TEACHER = "teacher", _("Teacher")
        MASTER = "master", _("Master of industrial training")
        MANAGEMENT = "management", _("Management")
        SUPPORT = "support", _("Teaching support")
        OTHER = "other", _("Other")

    class Employment(models.TextChoices):
        FULL_TIME = "full_time", pgettext_lazy("employment", "Full-time")
        PART_TIME = "part_time", _("Part-time (external)")
        INTERNAL_PART_TIME = "internal_part_time", _("Part-time (internal)")

    position = models.CharField(_("position"), max_length=255)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    employment = models.CharField(_("employment"), max_length=24, choices=Employment.choices, default=Employment.FULL_TIME)
    education = models.CharField(_("education"), max_length=255, blank=True)
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    is_active = models.BooleanField(_("working"), default=True)
    history = HistoricalRecords()

    access_area = "staff"

    class Meta:
        verbose_name = _("staff member")
        verbose_name_plural = _("staff")
        ordering = ["last_name", "first_name"]
        constraints = [models.UniqueConstraint(fields=["institution", "national_id"], name="staff_national_id_unique")]
        indexes = [models.Index(fields=["institution", "is_active"]), models.Index(fields=["institution", "category"])]

    def get_absolute_url(self):
        return reverse("core:staff_detail", args=[self.pk])


class StudyGroup(InstitutionScoped):
    """A study group (cohort) of a programme."""

    name = models.CharField(_("group name"), max_length=32)
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="groups", verbose_name=_("programme"))
    intake_year = models.PositiveSmallIntegerField(
        _("intake year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    year_of_study = models.PositiveSmallIntegerField(
        _("year of study"), default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    language = models.CharField(_("language of instruction"), max_length=2, choices=InstructionLanguage.choices)
    curator = models.ForeignKey(
        StaffMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="curated_groups", verbose_name=_("curator")
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    access_area = "group"

    class Meta:
        verbose_name = _("study group")
        verbose_name_plural = _("study groups")
        ordering = ["-intake_year", "name"]
        constraints = [models.UniqueConstraint(fields=["institution", "name"], name="group_name_unique")]
        indexes = [models.Index(fields=["institution", "is_active"])]

    def __str__(self):
        return self.name

    def clean(self):
        errors = {}
        if self.programme_id and self.institution_id and self.programme.institution_id != self.institution_id:
            errors["programme"] = _("Choose a programme of this institution.")
        if self.curator_id and self.institution_id and self.curator.institution_id != self.institution_id:
            errors["curator"] = _("Choose a staff member of this institution.")
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("core:groups_detail", args=[self.pk])


class Student(Person):
    """A learner enrolled at the institution."""

    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("Studying")
        ACADEMIC_LEAVE = "academic_leave", _("Academic leave")
        EXPELLED = "expelled", _("Expelled")
        GRADUATED = "graduated", _("Graduated")

    class Funding(models.TextChoices):
        BUDGET = "budget", _("State budget")
        CONTRACT = "contract", _("Contract (paid)")
        EMPLOYER = "employer", _("Employer-sponsored")

    student_number = models.CharField(_("record book number"), max_length=32, blank=True)
    group = models.ForeignKey(
        StudyGroup, null=True, blank=True, on_delete=models.PROTECT, related_name="students", verbose_name=_("group")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ENROLLED)
    funding = models.CharField(_("funding"), max_length=16, choices=Funding.choices, default=Funding.BUDGET)
    enrolled_on = models.DateField(_("enrolled on"), null=True, blank=True)
    special_needs = models.BooleanField(_("special educational needs"), default=False)
    history = HistoricalRecords()

    access_area = "student"

    class Meta:
        verbose_name = _("student")
        verbose_name_plural = _("students")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "national_id"], name="student_national_id_unique"),
            models.UniqueConstraint(
                fields=["institution", "student_number"], condition=~Q(student_number=""), name="student_number_unique"
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"])]

    def clean(self):
        super().clean()
        if self.group_id and self.institution_id and self.group.institution_id != self.institution_id:
            raise ValidationError({"group": _("Choose a group of this institution.")})

    def get_absolute_url(self):
        return reverse("core:students_detail", args=[self.pk])


class StudentRepresentative(InstitutionScoped):
    """A learner's legal representative (a parent or guardian of a minor): informed about WBL, consents to the
    WBL list (KG WBL regulation п. 56 items 2, 5) and, with a Kesip account, reads the learner's placements."""

    class Relation(models.TextChoices):
        MOTHER = "mother", _("Mother")
        FATHER = "father", _("Father")
        GUARDIAN = "guardian", _("Guardian or trustee")
        OTHER = "other", _("Other legal representative")

    student = models.ForeignKey(Student, on_delete=models.CASCADE, related_name="representatives", verbose_name=_("learner"))
    full_name = models.CharField(_("full name"), max_length=255)
    relation = models.CharField(_("relation"), max_length=16, choices=Relation.choices)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("email"), blank=True)
    user = models.ForeignKey(
        "core.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="represented_students",
        verbose_name=_("user account"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    access_area = "student"

    class Meta:
        verbose_name = _("legal representative")
        verbose_name_plural = _("legal representatives")
        ordering = ["student", "full_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["student", "email"], condition=~Q(email=""), name="student_representative_email_unique"
            ),
            models.UniqueConstraint(
                fields=["student", "user"], condition=Q(user__isnull=False), name="student_representative_user_unique"
            ),
        ]

    def __str__(self):
        return f"{self.full_name} ({self.get_relation_display()})"


def clean_person(person):
    """Validate the personal number for the institution's country and fill birth date and sex from it."""
    if not person.institution_id or not person.national_id:
        return
    person.national_id = person.national_id.strip()
    try:
        born, sex = identifiers.validate_person_id(
            person.institution.jurisdiction, person.national_id, person.birth_date, person.sex or None
        )
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise
        raise ValidationError({"national_id": exc.messages}) from None
    person.birth_date = person.birth_date or born
    person.sex = person.sex or sex


class EmployerQuerySet(ScopedQuerySet):
    def partners(self):
        """Enterprises, organisations and entrepreneurs: without the host records of the institution's own bases."""
        return self.exclude(kind=Employer.Kind.OWN_BASE)


class Employer(InstitutionScoped):
    """An enterprise, organisation or individual entrepreneur that partners with the institution.

    A record of kind `OWN_BASE` is not a partner: it is the host through which learners are placed at
    one of the institution's own WBL bases (a workshop, a complex; п. 3, п. 10). The base register
    creates and keeps it (`wbl.bases`); the employer registry neither lists nor edits it.
    """

    class Kind(models.TextChoices):
        ENTERPRISE = "enterprise", _("Enterprise")
        ORGANISATION = "organisation", _("Organisation")
        ENTREPRENEUR = "entrepreneur", _("Individual entrepreneur")
        OWN_BASE = "own_base", _("The institution's own WBL base")

    PARTNER_KINDS = (Kind.ENTERPRISE, Kind.ORGANISATION, Kind.ENTREPRENEUR)

    class Sector(models.TextChoices):
        AGRICULTURE = "agriculture", _("Agriculture")
        MINING = "mining", _("Mining")
        MANUFACTURING = "manufacturing", _("Manufacturing")
        ENERGY = "energy", _("Energy and utilities")
        CONSTRUCTION = "construction", _("Construction")
        TRADE = "trade", _("Trade")
        TRANSPORT = "transport", _("Transport and logistics")
        HOSPITALITY = "hospitality", _("Hotels and catering")
        IT = "it", _("Information and communication")
        FINANCE = "finance", _("Finance")
        HEALTH = "health", _("Health care")
        EDUCATION = "education", _("Education")
        PUBLIC = "public", _("Public administration")
        SERVICES = "services", _("Other services")

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro (up to 15 employees)")
        SMALL = "small", _("Small (16–50)")
        MEDIUM = "medium", _("Medium (51–200)")
        LARGE = "large", _("Large (over 200)")

    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    sector = models.CharField(_("sector"), max_length=16, choices=Sector.choices)
    size = models.CharField(_("size"), max_length=8, choices=Size.choices, blank=True)
    tax_id = models.CharField(
        _("INN / BIN"), max_length=14, blank=True, help_text=_("KG: 14-digit INN; KZ: 12-digit BIN (IIN for an entrepreneur).")
    )
    address = models.CharField(_("address"), max_length=500, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=255, blank=True)
    contact_position = models.CharField(_("contact's position"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active partner"), default=True)
    history = HistoricalRecords()

    objects = EmployerQuerySet.as_manager()
    access_area = "employer"
    employer_path = "pk"

    # What a partner record holds, as typed, imported or sent through the API.
    PARTNER_FIELDS = ["name", "kind", "sector", "size", "tax_id", "address", "contact_person", "contact_position",
                      "phone", "email", "website"]  # fmt: skip

    class Meta:
        verbose_name = _("employer")
        verbose_name_plural = _("employers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["institution", "tax_id"], condition=~Q(tax_id=""), name="employer_tax_id_unique")
        ]
        indexes = [models.Index(fields=["institution", "sector"]), models.Index(fields=["institution", "is_active"])]

    def __str__(self):
        return self.name

    @property
    def is_own_base(self):
        return self.kind == self.Kind.OWN_BASE

    def clean(self):
        if not self.tax_id or not self.institution_id:
            return
        self.tax_id = self.tax_id.strip()
        try:
            if (
                self.institution.jurisdiction == Jurisdiction.KZ
                and self.kind == self.Kind.ENTREPRENEUR
                and len(self.tax_id) == 12
                and self.tax_id[6] in "123456"
            ):
                identifiers.validate_kz_iin(self.tax_id)
            else:
                identifiers.validate_org_id(self.institution.jurisdiction, self.tax_id)
        except ValidationError as exc:
            raise ValidationError({"tax_id": exc.messages}) from None

    def get_absolute_url(self):
        return reverse("core:employers_detail", args=[self.pk])
