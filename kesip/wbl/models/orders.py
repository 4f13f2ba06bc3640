"""Orders (буйрук) of WBL and the register that numbers them.

The institution's head signs: the appointment of heads of practical training to groups (п. 10,
п. 56 item 7), the organisation of WBL and referral to practice — every learner with employer,
practice type and dates (п. 29) — and the referral to internship (п. 41). The employer's head
signs: the appointment of mentors (п. 2, п. 10, п. 48) and the admission to internship (п. 41).
Numbers come from a register per institution (or employer), year and series, taken under a row
lock so two orders never get one number.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from kesip.core.models import InstitutionScoped
from kesip.core.models.base import ScopedQuerySet
from kesip.wbl.models.agreements import PracticeType
from kesip.wbl.models.employers import same_institution


class NumberRegister(models.Model):
    """The last number given in one series of one year, for an institution or one of its employers."""

    institution = models.ForeignKey("core.Institution", on_delete=models.CASCADE, related_name="+", verbose_name=_("institution"))
    employer = models.ForeignKey(
        "core.Employer", null=True, blank=True, on_delete=models.CASCADE, related_name="+", verbose_name=_("employer")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.CharField(_("series"), max_length=16)
    last_number = models.PositiveIntegerField(_("last number"), default=0)

    objects = ScopedQuerySet.as_manager()
    access_area = "wbl"

    class Meta:
        verbose_name = _("number register")
        verbose_name_plural = _("number registers")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "series"], condition=Q(employer__isnull=True), name="register_institution_unique"
            ),
            models.UniqueConstraint(
                fields=["institution", "employer", "year", "series"],
                condition=Q(employer__isnull=False),
                name="register_employer_unique",
            ),
        ]

    def __str__(self):
        return f"{self.series}/{self.year}: {self.last_number}"


class Order(InstitutionScoped):
    class Kind(models.TextChoices):
        SUPERVISOR = "supervisor", _("Appointment of heads of practical training")
        REFERRAL = "referral", _("Organisation of WBL and referral to practice")
        MENTOR = "mentor", _("Appointment of mentors")
        INTERNSHIP_REFERRAL = "internship_referral", _("Referral to internship")
        INTERNSHIP_ADMISSION = "internship_admission", _("Admission to internship")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SIGNED = "signed", _("Signed")
        CANCELLED = "cancelled", _("Cancelled")

    # Who issues each kind: the institution's head, or the employer's head.
    EMPLOYER_KINDS = (Kind.MENTOR, Kind.INTERNSHIP_ADMISSION)
    SERIES = {
        Kind.SUPERVISOR: "ПО",
        Kind.REFERRAL: "П",
        Kind.MENTOR: "Н",
        Kind.INTERNSHIP_REFERRAL: "С",
        Kind.INTERNSHIP_ADMISSION: "СК",
    }

    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    employer = models.ForeignKey(
        "core.Employer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
        verbose_name=_("issued by the employer"),
        help_text=_("For the employer's orders: mentor appointment, admission to internship."),
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1990), MaxValueValidator(2100)])
    number = models.CharField(_("number"), max_length=32, blank=True)
    dated = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=500)
    preamble = models.TextField(_("basis"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    signatory_name = models.CharField(_("signed by"), max_length=255, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=255, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("signed in Kesip by")
    )
    signed_outside = models.BooleanField(_("signed on paper outside Kesip"), default=False)
    cancel_reason = models.TextField(_("reason for cancelling"), blank=True)
    created_by = models.ForeignKey(
        "core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("prepared by")
    )
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-dated", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "year", "kind", "number"],
                condition=~Q(number="") & Q(employer__isnull=True),
                name="order_number_unique",
            ),
            models.UniqueConstraint(
                fields=["employer", "year", "kind", "number"],
                condition=~Q(number="") & Q(employer__isnull=False),
                name="employer_order_number_unique",
            ),
        ]
        indexes = [models.Index(fields=["institution", "status"]), models.Index(fields=["institution", "kind", "year"])]

    def __str__(self):
        number = f"№ {self.number}" if self.number else _("draft")
        return f"{self.get_kind_display()} {number} ({self.dated:%d.%m.%Y})" if self.dated else str(number)

    @property
    def issued_by_employer(self):
        return self.kind in self.EMPLOYER_KINDS

    def clean(self):
        errors = {}
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        if self.issued_by_employer and not self.employer_id:
            errors["employer"] = _("This order is issued by the employer: choose the employer.")
        if not self.issued_by_employer:
            self.employer = None
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return reverse("wbl:order_detail", args=[self.pk])


class OrderLine(InstitutionScoped):
    """One line of an order: a learner's placement, or a group and its head of practical training."""

    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order"))
    placement = models.ForeignKey(
        "wbl.Placement", null=True, blank=True, on_delete=models.PROTECT, related_name="order_lines", verbose_name=_("placement")
    )
    group = models.ForeignKey(
        "core.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    supervisor = models.ForeignKey(
        "core.StaffMember",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("head of practical training"),
    )
    mentor = models.ForeignKey(
        "wbl.EmployerPerson", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("mentor")
    )
    # What the order states, copied when it is signed so the signed text never changes (п. 29).
    learner_name = models.CharField(_("learner"), max_length=255, blank=True)
    employer_name = models.CharField(_("employer"), max_length=255, blank=True)
    practice_type = models.CharField(_("practice type"), max_length=16, choices=PracticeType.choices, blank=True)
    form_label = models.CharField(_("form"), max_length=255, blank=True)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("to"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(pgettext_lazy("sequence", "order"), default=0)

    access_area = "wbl"
    employer_path = "order__employer"

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "placement"], condition=Q(placement__isnull=False), name="order_line_placement_unique"
            )
        ]

    def __str__(self):
        return self.learner_name or str(self.group or "")
