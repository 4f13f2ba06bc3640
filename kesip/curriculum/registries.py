"""The classifier's qualifications, as a registry of the generic pages."""

from django.utils.translation import gettext_lazy as _

from kesip.core.views.generic import Column, Registry
from kesip.curriculum.forms import QualificationForm
from kesip.curriculum.models import Qualification

QUALIFICATIONS = Registry(
    key="qualifications",
    model=Qualification,
    form_class=QualificationForm,
    icon="award",
    add_perm="change_authority",
    namespace="curriculum",
    columns=[
        Column(_("Code"), "code", sort="code", link=True),
        Column(_("Name"), "name", sort="name_ru"),
        Column(_("Kind"), "get_kind_display", sort="kind"),
        Column(_("Specialty"), "specialty.code", sort="specialty__code"),
        Column(_("Jurisdiction"), "specialty.jurisdiction", sort="specialty__jurisdiction"),
        Column(_("In force"), "is_active"),
        Column(_("Valid until"), "valid_until", sort="valid_until"),
    ],
    search_fields=["code", "name_ky", "name_ru", "name_kk", "name_en", "specialty__code"],
    filters=["kind", "is_active", "specialty"],
    select_related=["specialty"],
)
