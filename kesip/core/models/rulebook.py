"""The rulebook: every regulatory number, once, with its legal source."""

import re

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext
from simple_history.models import HistoricalRecords

from kesip.core.models.base import localized
from kesip.core.models.tenancy import Jurisdiction

# The English words of the rulebook's clause references ("п. 56, items 2, 5"), said in the language of the page.
CLAUSE_WORDS = {
    "Labour Code of the KR": lambda: pgettext("legal clause", "Labour Code of the KR"),
    "column header": lambda: pgettext("legal clause", "column header"),
    "scoring table": lambda: pgettext("legal clause", "scoring table"),
    "sections": lambda: pgettext("legal clause", "sections"),
    "section": lambda: pgettext("legal clause", "section"),
    "items": lambda: pgettext("legal clause", "items"),
    "item": lambda: pgettext("legal clause", "item"),
    "table": lambda: pgettext("legal clause", "table"),
    "column": lambda: pgettext("legal clause", "column"),
    "rows": lambda: pgettext("legal clause", "rows"),
    "row": lambda: pgettext("legal clause", "row"),
    "art.": lambda: pgettext("legal clause", "art."),
    "para.": lambda: pgettext("legal clause", "para."),
    "Ch.": lambda: pgettext("legal clause", "Ch."),
    "and": lambda: pgettext("legal clause", "and"),
}
_CLAUSE_RE = re.compile(r"(?<![\w])(" + "|".join(re.escape(w) for w in CLAUSE_WORDS) + r")(?![\w])")


def localize_clause(clause):
    """A clause reference with its English words in the active language ("п. 56, items 2, 5" → "п. 56, пп. 2, 5")."""
    return _CLAUSE_RE.sub(lambda m: CLAUSE_WORDS[m.group(1)](), clause or "")


class LegalDocument(models.Model):
    """A regulation, guidance letter or report that rules are taken from."""

    key = models.SlugField(_("key"), max_length=64, unique=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    title_ky = models.CharField(_("title (Kyrgyz)"), max_length=500, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=500, blank=True)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=500, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=500, blank=True)
    issuer_ky = models.CharField(_("issuer (Kyrgyz)"), max_length=255, blank=True)
    issuer_ru = models.CharField(_("issuer (Russian)"), max_length=255, blank=True)
    issuer_kk = models.CharField(_("issuer (Kazakh)"), max_length=255, blank=True)
    issuer_en = models.CharField(_("issuer (English)"), max_length=255, blank=True)
    date = models.DateField(_("date"), null=True, blank=True)
    number = models.CharField(_("number"), max_length=64, blank=True)
    seed = models.CharField(_("source file"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("legal document")
        verbose_name_plural = _("legal documents")
        ordering = ["jurisdiction", "key"]

    @property
    def title(self):
        return localized(self, "title")

    @property
    def issuer(self):
        return localized(self, "issuer")

    def __str__(self):
        return self.title


class Rule(models.Model):
    """One regulatory number: code, value, unit, jurisdiction, effective dates and legal source."""

    class Unit(models.TextChoices):
        HOUR = "hour", _("hours")
        ACADEMIC_HOUR = "academic_hour", _("academic hours")
        MINUTE = "minute", _("minutes")
        DAY = "day", _("days")
        WEEK = "week", _("weeks")
        MONTH = "month", _("months")
        YEAR = "year", _("years")
        CREDIT = "credit", _("credits")
        PERCENT = "percent", _("per cent")
        POINT = "point", _("points")
        PERSON = "person", _("persons")
        COUNT = "count", _("count")
        GRADE = "grade", _("grade (class)")
        AGE = "age", _("years of age")

    class Comparison(models.TextChoices):
        MIN = "min", _("at least")
        MAX = "max", _("at most")
        EQUALS = "equals", _("exactly")

    code = models.CharField(_("code"), max_length=120, db_index=True)
    jurisdiction = models.CharField(_("jurisdiction"), max_length=2, choices=Jurisdiction.choices)
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=4)
    unit = models.CharField(_("unit"), max_length=16, choices=Unit.choices)
    comparison = models.CharField(_("comparison"), max_length=8, choices=Comparison.choices)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)
    document = models.ForeignKey(LegalDocument, on_delete=models.PROTECT, related_name="rules", verbose_name=_("legal source"))
    clause = models.CharField(_("clause"), max_length=255)
    title_ky = models.CharField(_("title (Kyrgyz)"), max_length=255, blank=True)
    title_ru = models.CharField(_("title (Russian)"), max_length=255, blank=True)
    title_kk = models.CharField(_("title (Kazakh)"), max_length=255, blank=True)
    title_en = models.CharField(_("title (English)"), max_length=255, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("rule")
        verbose_name_plural = _("rules")
        ordering = ["code", "jurisdiction", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["code", "jurisdiction", "effective_from"], name="rule_version_unique"),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=models.F("effective_from")),
                name="rule_dates_ordered",
            ),
        ]

    @property
    def title(self):
        return localized(self, "title")

    @property
    def source(self):
        """The legal source as one line: document title and clause."""
        return f"{self.document.title}, {localize_clause(self.clause)}"

    def __str__(self):
        return f"{self.code} = {self.value.normalize():f} {self.get_unit_display()} ({self.jurisdiction})"
