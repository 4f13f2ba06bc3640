"""Building blocks shared by every Kesip model: per-language names and tenant scoping."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from kesip.core import access

LANGUAGE_CODES = ("ky", "ru", "kk", "en")
LANGUAGE_LABELS = {"ky": _("Kyrgyz"), "ru": _("Russian"), "kk": _("Kazakh"), "en": _("English")}


def localized(obj, base, language=None):
    """The value of `<base>_<lang>` in the asked (or active) language, else the first filled one.

    Fallback order: the asked language, Russian (understood across both countries), then the
    state languages and English, so a name is never blank when any language is filled.
    """
    lang = (language or get_language() or "ky").split("-")[0]
    for code in (lang, "ru", "ky", "kk", "en"):
        value = getattr(obj, f"{base}_{code}", "")
        if value:
            return value
    return ""


class LocalizedName(models.Model):
    """A name with one value per UI language (ky, ru, kk, en)."""

    name_ky = models.CharField(_("name (Kyrgyz)"), max_length=255, blank=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=255, blank=True)
    name_kk = models.CharField(_("name (Kazakh)"), max_length=255, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=255, blank=True)

    class Meta:
        abstract = True

    @property
    def name(self):
        return localized(self, "name")

    def __str__(self):
        return self.name or "—"


class ScopedQuerySet(models.QuerySet):
    """`for_user(user, action)` is the one way views and viewsets read tenant data.

    `scope_field` names the path from the model to its institution. Rows of institutions the user
    may not `action` are simply absent, so a foreign id answers 404.
    """

    scope_field = "institution"

    def for_user(self, user, action="view"):
        scope = access.scope_for(user, self.model, action)
        if scope.everything:
            return self
        return self.filter(scope.q(self.scope_field, self.model))


class InstitutionScoped(models.Model):
    """A record that belongs to one institution."""

    institution = models.ForeignKey("core.Institution", on_delete=models.PROTECT, related_name="+", verbose_name=_("institution"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        abstract = True
