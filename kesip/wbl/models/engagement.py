"""What happens around a placement between the learner, the mentor and the employer's head.

* Part-time work (п. 13): an employer may employ a learner part-time in vacations and free time,
  under labour law.
* Incentives and measures (п. 13, п. 57 item 15, п. 58 item 11): material incentives and moral or
  material rewards for learners and mentors, and disciplinary measures. A mentor only proposes a
  measure on a learner; the employer's head decides.
* Mentor requests (п. 58 items 9–10): a mentor asks to involve another specialist of the employer
  (the head must agree) or asks for conditions to do the work.
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


class Decision(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


class PartTimeJob(InstitutionScoped):
    """A learner's part-time employment contract with an employer, in vacations or free time (п. 13)."""

    class When(models.TextChoices):
        VACATION = "vacation", _("During vacations")
        FREE_TIME = "free_time", _("Outside study hours")

    student = models.ForeignKey(
        "core.Student", on_delete=models.PROTECT, related_name="part_time_jobs", verbose_name=_("learner")
    )
    employer = models.ForeignKey(
        "core.Employer", on_delete=models.PROTECT, related_name="part_time_jobs", verbose_name=_("employer")
    )
    position = models.CharField(_("position"), max_length=255)
    contract_number = models.CharField(_("contract number"), max_length=64, blank=True)
    contract = models.FileField(
        _("contract scan"), upload_to="wbl/part-time/%Y/", blank=True, validators=[FileExtensionValidator(UPLOAD_EXTENSIONS)]
    )
    when = models.CharField(_("when"), max_length=16, choices=When.choices)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    hours_per_week = models.DecimalField(
        _("hours per week"), max_digits=4, decimal_places=1, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    paid = models.BooleanField(_("paid"), default=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"
    student_path = "student"

    class Meta:
        verbose_name = _("part-time work")
        verbose_name_plural = _("part-time work")
        ordering = ["-starts_on", "pk"]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="part_time_dates_ordered")]

    def __str__(self):
        return f"{self.student} — {self.employer}"

    def get_absolute_url(self):
        return reverse("wbl:parttime_detail", args=[self.pk])

    def clean(self):
        errors = {}
        same_institution(errors, self, "student", self.student if self.student_id else None)
        same_institution(errors, self, "employer", self.employer if self.employer_id else None)
        if errors:
            raise ValidationError(errors)


class Incentive(InstitutionScoped):
    """A reward, a material incentive or a disciplinary measure for a learner or a mentor.

    proposed → approved / rejected. A mentor's proposal on a learner is decided by the employer's
    head (п. 58 item 11); the employer (its head) grants rewards to mentors (п. 57 item 15).
    """

    class Kind(models.TextChoices):
        MORAL_REWARD = "moral_reward", _("Moral reward (gratitude, certificate of honour)")
        MATERIAL_REWARD = "material_reward", _("Material reward")
        MATERIAL_INCENTIVE = "incentive", _("Material incentive during WBL")
        DISCIPLINARY = "disciplinary", _("Disciplinary measure")

    kind = models.CharField(_("measure"), max_length=16, choices=Kind.choices)
    employer = models.ForeignKey("core.Employer", on_delete=models.PROTECT, related_name="incentives", verbose_name=_("employer"))
    placement = models.ForeignKey(
        "wbl.Placement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incentives",
        verbose_name=_("learner's placement"),
    )
    mentor = models.ForeignKey(
        "wbl.EmployerPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rewards",
        verbose_name=_("mentor rewarded"),
    )
    reason = models.TextField(_("for what"))
    amount = models.DecimalField(
        _("amount"), max_digits=10, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    proposed_by = models.ForeignKey(
        "wbl.EmployerPerson", on_delete=models.PROTECT, related_name="incentive_proposals", verbose_name=_("proposed by")
    )
    proposed_on = models.DateField(_("proposed on"))
    status = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PROPOSED)
    decided_by = models.ForeignKey(
        "wbl.EmployerPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incentive_decisions",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("decision"), blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "employer"
    mentor_path = "proposed_by"
    student_path = "placement__student"

    class Meta:
        verbose_name = _("reward or measure")
        verbose_name_plural = _("rewards and measures")
        ordering = ["-proposed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(placement__isnull=False) & Q(mentor__isnull=True))
                | (Q(placement__isnull=True) & Q(mentor__isnull=False)),
                name="incentive_one_recipient",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.placement or self.mentor}"

    def get_absolute_url(self):
        return reverse("wbl:incentive_detail", args=[self.pk])


class MentorRequest(InstitutionScoped):
    """A mentor's request: to involve another specialist (п. 58 item 9) or for conditions (item 10)."""

    class Kind(models.TextChoices):
        SPECIALIST = "specialist", _("Involve another specialist")
        CONDITIONS = "conditions", _("Conditions for the work")

    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    mentor = models.ForeignKey("wbl.EmployerPerson", on_delete=models.PROTECT, related_name="requests", verbose_name=_("mentor"))
    placement = models.ForeignKey(
        "wbl.Placement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="mentor_requests",
        verbose_name=_("placement"),
    )
    specialist = models.ForeignKey(
        "wbl.EmployerPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="involvements",
        verbose_name=_("specialist to involve"),
    )
    scope = models.TextField(_("what for"))
    requested_on = models.DateField(_("requested on"))
    status = models.CharField(_("decision"), max_length=16, choices=Decision.choices, default=Decision.PROPOSED)
    decided_by = models.ForeignKey(
        "wbl.EmployerPerson",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="request_decisions",
        verbose_name=_("decided by"),
    )
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    decision_note = models.TextField(_("answer"), blank=True)
    history = HistoricalRecords()

    access_area = "wbl"
    employer_path = "mentor__employer"
    mentor_path = "mentor"

    class Meta:
        verbose_name = _("mentor's request")
        verbose_name_plural = _("mentors' requests")
        ordering = ["-requested_on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.mentor}"

    def get_absolute_url(self):
        return reverse("wbl:mentor_request_detail", args=[self.pk])
