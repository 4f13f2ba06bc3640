"""An institution's answers to the questions the WBL regulation leaves open (extract §9.5).

The regulation gives no number for these; each is a choice of the institution, with a default
that the rulebook page shows beside the clause it answers. The regulatory numbers themselves
(40 hours, 2 apprentices, 2–3 parties) stay in the rulebook.
"""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from kesip.core.models.base import ScopedQuerySet


class WblSettings(models.Model):
    class Denominator(models.TextChoices):
        ALL_HOURS = "all_hours", _("All hours of the curriculum (theory and practice)")
        PRACTICE_HOURS = "practice_hours", _("Practice and industrial-training hours only")

    institution = models.OneToOneField(
        "core.Institution", on_delete=models.CASCADE, related_name="wbl_settings", verbose_name=_("institution")
    )
    wbl_percent_denominator = models.CharField(
        _("WBL share is counted of"),
        max_length=16,
        choices=Denominator.choices,
        default=Denominator.ALL_HOURS,
        help_text=_("п. 53 section 5 is ambiguous: “of the total classroom hours (of practice)”."),
    )
    parties_dual = models.PositiveSmallIntegerField(
        _("parties to a dual-training agreement"), default=3, validators=[MinValueValidator(2), MaxValueValidator(3)]
    )
    parties_practice = models.PositiveSmallIntegerField(
        _("parties to a practice agreement"), default=2, validators=[MinValueValidator(2), MaxValueValidator(3)]
    )
    parties_internship = models.PositiveSmallIntegerField(
        _("parties to an internship agreement"), default=2, validators=[MinValueValidator(2), MaxValueValidator(3)]
    )
    parties_apprenticeship = models.PositiveSmallIntegerField(
        _("parties to an apprenticeship agreement"), default=3, validators=[MinValueValidator(2), MaxValueValidator(3)]
    )
    diary_grading_days = models.PositiveSmallIntegerField(
        _("a diary entry is graded within (days)"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("п. 58: the mentor enters grades “in a timely manner”; later entries show as overdue."),
    )
    review_days = models.PositiveSmallIntegerField(
        _("the mentor's review is written within (days after the end)"),
        default=10,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
    )
    agreement_warning_days = models.PositiveSmallIntegerField(
        _("warn about an agreement's expiry (days before)"), default=30, validators=[MinValueValidator(1), MaxValueValidator(365)]
    )
    briefing_before_start = models.BooleanField(
        _("a placement starts only after every briefing"),
        default=True,
        help_text=_("п. 56 item 4 and п. 57 items 6, 11 require the briefings without saying “before”."),
    )
    report_due_days = models.PositiveSmallIntegerField(
        _("the annual report is final within (days after the academic year)"),
        default=61,
        validators=[MinValueValidator(1), MaxValueValidator(365)],
        help_text=_("п. 56 item 12 sets no deadline; a report final later is not “on time” (K26). 61 days: by 31 October."),
    )
    dual_min_practice_percent = models.PositiveSmallIntegerField(
        _("dual training: practice share at least (%)"),
        default=51,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("п. 18: practical forms are primary. A lower share only warns."),
    )
    employer_order_signer = models.CharField(
        _("an employer's order is signed in Kesip by"),
        max_length=16,
        choices=[
            ("representative", _("the employer's authorised representative, in the head's name, or the head")),
            ("head", _("only the head's own login")),
        ],
        default="representative",
        help_text=_(
            "VR-38: the employer's head issues its orders (п. 2, 10, 48). With “only the head”, the head's login "
            "signs in Kesip and the representative records a signature on paper instead."
        ),
    )
    history = HistoricalRecords()

    objects = ScopedQuerySet.as_manager()
    access_area = "wbl"

    class Meta:
        verbose_name = _("WBL settings")
        verbose_name_plural = _("WBL settings")

    def __str__(self):
        return str(self.institution)

    def parties_for(self, form):
        return getattr(self, f"parties_{form}", 2)

    @classmethod
    def of(cls, institution):
        """The institution's settings; the defaults when it has not changed any (not saved until changed)."""
        found = cls.objects.filter(institution=institution).first()
        return found or cls(institution=institution)
