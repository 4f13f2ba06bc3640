"""Tenancy: authorities, institutions, users and their memberships."""

import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core import identifiers
from kesip.core.models.base import LocalizedName, ScopedQuerySet, localized
from kesip.core.roles import AUTHORITY_ROLES, Role


class Jurisdiction(models.TextChoices):
    KG = "KG", _("Kyrgyz Republic")
    KZ = "KZ", _("Republic of Kazakhstan")


class User(AbstractUser):
    """A person who logs in. What they may see comes from their memberships."""

    language = models.CharField(
        _("language"),
        max_length=5,
        blank=True,
        choices=[("ky", "Кыргызча"), ("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")],
    )
    patronymic = models.CharField(_("patronymic"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def display_name(self):
        full = " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)
        return full or self.username


class AuthorityQuerySet(models.QuerySet):
    def for_user(self, user, action="view"):
        from kesip.core import access

        if access.is_system_admin(user):
            return self
        if action != "view":
            return self.none()
        roots = {m.authority_id for m in access.memberships(user) if m.authority_id}
        return self.filter(pk__in=Authority.subtree_ids(roots)) if roots else self.none()


class Authority(LocalizedName):
    """A ministry, accreditation agency or regional department; authorities form a tree."""

    class Kind(models.TextChoices):
        MINISTRY = "ministry", _("Ministry")
        AGENCY = "agency", _("Accreditation agency")
        REGIONAL = "regional", _("Regional department")
        OTHER = "other", _("Other authority")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    website = models.URLField(_("website"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = AuthorityQuerySet.as_manager()
    access_area = "authority"

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["jurisdiction", "name_ru"]

    def clean(self):
        if not (self.name_ru or self.name_ky or self.name_kk or self.name_en):
            raise ValidationError({"name_ru": _("Give the name in at least one language.")})
        node, seen = self.parent, set()
        while node is not None:
            if node.pk == self.pk and self.pk is not None or node.pk in seen:
                raise ValidationError({"parent": _("An authority cannot be placed under itself.")})
            seen.add(node.pk)
            node = node.parent

    @staticmethod
    def subtree_ids(root_ids):
        """The given authorities and all below them (breadth-first, one query per level)."""
        found = set(root_ids)
        frontier = set(root_ids)
        while frontier:
            frontier = set(Authority.objects.filter(parent_id__in=frontier).values_list("id", flat=True)) - found
            found |= frontier
        return found

    def get_absolute_url(self):
        return reverse("core:authority_edit", args=[self.pk])


class InstitutionQuerySet(ScopedQuerySet):
    scope_field = "pk"

    def for_user(self, user, action="view"):
        from kesip.core import access

        scope = access.scope_for(user, self.model, action)
        if scope.everything:
            return self
        return self.filter(pk__in=scope.institution_ids)


class Institution(models.Model):
    """A vocational lyceum, college or university: the tenant."""

    class Type(models.TextChoices):
        LYCEUM = "lyceum", _("Vocational lyceum")
        COLLEGE = "college", _("College")
        UNIVERSITY = "university", _("University")
        OTHER = "other", _("Other")

    authority = models.ForeignKey(
        Authority,
        on_delete=models.PROTECT,
        related_name="institutions",
        verbose_name=_("authority"),
        help_text=_("The ministry or department the institution reports to."),
    )
    full_name_ky = models.CharField(_("full name (Kyrgyz)"), max_length=500, blank=True)
    full_name_ru = models.CharField(_("full name (Russian)"), max_length=500, blank=True)
    full_name_kk = models.CharField(_("full name (Kazakh)"), max_length=500, blank=True)
    full_name_en = models.CharField(_("full name (English)"), max_length=500, blank=True)
    short_name_ky = models.CharField(_("short name (Kyrgyz)"), max_length=120, blank=True)
    short_name_ru = models.CharField(_("short name (Russian)"), max_length=120, blank=True)
    short_name_kk = models.CharField(_("short name (Kazakh)"), max_length=120, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=120, blank=True)
    type = models.CharField(_("type"), max_length=16, choices=Type.choices)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    legal_address = models.CharField(_("legal address"), max_length=500, blank=True)
    registration_number = models.CharField(_("registration number"), max_length=64, blank=True)
    okpo = models.CharField(
        _("OKPO code"),
        max_length=10,
        blank=True,
        validators=[RegexValidator(r"^\d{8,10}$", _("The OKPO code is 8 to 10 digits."))],
    )
    inn = models.CharField(_("INN (Kyrgyzstan)"), max_length=14, blank=True, validators=[identifiers.validate_kg_inn])
    bin = models.CharField(_("BIN (Kazakhstan)"), max_length=12, blank=True, validators=[identifiers.validate_kz_bin])
    founding_year = models.PositiveSmallIntegerField(
        _("founding year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1800), MaxValueValidator(2100)],
    )
    head = models.CharField(_("head"), max_length=255, blank=True, help_text=_("Full name of the director or rector."))
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    email = models.EmailField(_("email"), blank=True)
    military_state_body = models.BooleanField(
        _("educational organisation of a state body with military service"),
        default=False,
        help_text=_(
            "Such organisations are outside the regulation on work-based learning (KG, п. 1): "
            "no WBL agreements, placements or programmes are run for them."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    objects = InstitutionQuerySet.as_manager()
    access_area = "institution"

    # The passport, as edited on the page and through the API.
    PASSPORT_FIELDS = [
        "authority", "type", "jurisdiction",
        "full_name_ky", "full_name_ru", "full_name_kk", "full_name_en",
        "short_name_ky", "short_name_ru", "short_name_kk", "short_name_en",
        "legal_address", "registration_number", "okpo", "inn", "bin", "founding_year", "head", "website", "phone", "email",
        "military_state_body",
    ]  # fmt: skip

    class Meta:
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        ordering = ["short_name_ru", "id"]
        indexes = [models.Index(fields=["jurisdiction", "type"])]
        constraints = [
            models.UniqueConstraint(fields=["inn"], condition=~Q(inn=""), name="institution_inn_unique"),
            models.UniqueConstraint(fields=["bin"], condition=~Q(bin=""), name="institution_bin_unique"),
        ]

    @property
    def full_name(self):
        return localized(self, "full_name")

    @property
    def short_name(self):
        return localized(self, "short_name") or self.full_name

    @property
    def institution_id(self):
        return self.pk

    def __str__(self):
        return self.short_name or "—"

    def clean(self):
        errors = {}
        state = "ky" if self.jurisdiction == Jurisdiction.KG else "kk"
        if self.jurisdiction and not getattr(self, f"full_name_{state}"):
            errors[f"full_name_{state}"] = _("The full name in the state language is required.")
        if not self.full_name_ru:
            errors["full_name_ru"] = _("The full name in Russian is required.")
        if self.jurisdiction == Jurisdiction.KG and self.bin:
            errors["bin"] = _("A BIN is a Kazakh identifier; an institution in Kyrgyzstan has an INN.")
        if self.jurisdiction == Jurisdiction.KZ and self.inn:
            errors["inn"] = _("An INN is a Kyrgyz identifier; an institution in Kazakhstan has a BIN.")
        if self.authority_id and self.jurisdiction and self.authority.jurisdiction != self.jurisdiction:
            errors["authority"] = _("The authority belongs to another country.")
        if self.military_state_body and self.pk and self.runs_wbl():
            errors["military_state_body"] = _(
                "The institution already runs work-based learning (agreements, placements or WBL programmes); "
                "an educational organisation of a state body with military service is outside the WBL regulation (п. 1). "
                "Cancel or remove its WBL records first."
            )
        if errors:
            raise ValidationError(errors)

    def runs_wbl(self):
        """Whether any WBL agreement, placement or WBL programme is recorded for the institution (three short queries)."""
        from django.apps import apps

        if not apps.is_installed("kesip.wbl"):
            return False
        return any(
            apps.get_model("wbl", name).objects.filter(institution_id=self.pk).exists()
            for name in ("Agreement", "Placement", "WblProgramme")
        )

    def get_absolute_url(self):
        return reverse("core:institutions_detail", args=[self.pk])


class Licence(models.Model):
    """A licence for educational activity, as listed in the institution's passport."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="licences", verbose_name=_("institution"))
    number = models.CharField(_("licence number"), max_length=64)
    issued_on = models.DateField(_("date of issue"))
    issuing_order = models.CharField(
        _("issuing order"), max_length=255, blank=True, help_text=_("Number and date of the order that granted the licence.")
    )
    issued_by = models.CharField(_("issued by"), max_length=255, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True, help_text=_("Empty for an unlimited licence."))
    scope = models.CharField(_("scope"), max_length=500, blank=True)
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "institution"

    class Meta:
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        ordering = ["-issued_on"]
        constraints = [models.UniqueConstraint(fields=["institution", "number"], name="licence_number_unique")]

    def clean(self):
        if self.valid_until and self.issued_on and self.valid_until < self.issued_on:
            raise ValidationError({"valid_until": _("A licence cannot expire before it is issued.")})

    def __str__(self):
        return self.number


class MembershipQuerySet(ScopedQuerySet):
    pass


class Membership(models.Model):
    """A user's role in one institution or one authority (or system-wide for a system admin)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    institution = models.ForeignKey(
        Institution, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("institution")
    )
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("authority")
    )
    employer = models.ForeignKey(
        "core.Employer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("employer"),
        help_text=_("For mentors and employer representatives: whose records they see."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    history = HistoricalRecords()

    objects = MembershipQuerySet.as_manager()
    access_area = "member"

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(role="system_admin", institution__isnull=True, authority__isnull=True)
                    | Q(role__in=sorted(r.value for r in AUTHORITY_ROLES), institution__isnull=True, authority__isnull=False)
                    | (
                        ~Q(role__in=["system_admin", *sorted(r.value for r in AUTHORITY_ROLES)])
                        & Q(institution__isnull=False, authority__isnull=True)
                    )
                ),
                name="membership_role_matches_scope",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "institution"],
                condition=Q(institution__isnull=False),
                name="membership_unique_in_institution",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "authority"],
                condition=Q(authority__isnull=False),
                name="membership_unique_in_authority",
            ),
        ]

    def __str__(self):
        where = self.institution or self.authority or _("system")
        return f"{self.user.display_name()} — {self.get_role_display()} ({where})"


def _invitation_token():
    return secrets.token_urlsafe(32)


def _invitation_expiry():
    return timezone.now() + timedelta(days=14)


class Invitation(models.Model):
    """An invitation for a person to join an institution with a role; accepted through a link."""

    institution = models.ForeignKey(
        Institution,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("institution"),
    )
    authority = models.ForeignKey(
        Authority,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("authority"),
        help_text=_("For analysts and accreditation experts of a ministry or agency."),
    )
    email = models.EmailField(_("email"))
    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    employer = models.ForeignKey(
        "core.Employer",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        verbose_name=_("employer"),
        help_text=_("Required for mentors and employer representatives."),
    )
    token = models.CharField(max_length=64, unique=True, default=_invitation_token, editable=False)
    invited_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("invited by"))
    expires_at = models.DateTimeField(_("expires"), default=_invitation_expiry)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    access_area = "member"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(institution__isnull=True, authority__isnull=False)
                | Q(institution__isnull=False, authority__isnull=True),
                name="invitation_to_institution_or_authority",
            )
        ]

    @property
    def place(self):
        return self.institution or self.authority

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @property
    def is_open(self):
        return self.accepted_at is None and self.expires_at > timezone.now()
