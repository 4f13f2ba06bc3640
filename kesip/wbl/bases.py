"""The institution's own WBL bases (F1; п. 3, п. 10): training workshops, educational-production
complexes and combines, business incubators, start-ups, technoparks, where WBL is organised without an
outside employer.

Only the institution's WBL staff (`change_wbl`) register and change its bases. The head is one of
the institution's staff; the professions are of the institution's jurisdiction. One transaction;
a refused save changes nothing and names each field.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation
from kesip.wbl.common import WblInvalid, locked, may, raise_all, refuse_out_of_scope
from kesip.wbl.models import WblBase

BASE_FIELDS = ["kind", "name", "head", "address", "places", "equipment", "specialties", "is_active"]


def may_manage(user, institution_id):
    return may(user, WblBase, "change", institution_id)


def save_base(base, user, specialties=None):
    """Create or change a base; `specialties` (professions) replaces its list when given. Returns the base."""
    with transaction.atomic():
        if base.pk is not None:
            current = locked(WblBase, base.pk)
            base.institution_id = current.institution_id
        if not base.institution_id or not may_manage(user, base.institution_id):
            raise WblInvalid(
                [RuleViolation("wbl.permission", _("You may not register the bases of this institution."), "", None)]
            )
        if base.pk is None:
            refuse_out_of_scope(base.institution, "institution")
        problems = []
        if base.head_id and base.head.institution_id != base.institution_id:
            problems.append(RuleViolation("wbl.invalid", _("Choose a staff member of this institution."), "", "head"))
        if specialties is not None:
            jurisdiction = base.institution.jurisdiction
            if any(s.jurisdiction != jurisdiction for s in specialties):
                problems.append(
                    RuleViolation("wbl.invalid", _("Choose professions of the institution's classifier."), "", "specialties")
                )
        try:
            base.full_clean(exclude=["institution", "head"], validate_unique=False)
        except ValidationError as error:
            problems += [RuleViolation("wbl.invalid", m, "", f) for f, ms in error.message_dict.items() for m in ms]
        wanted = (base.name or "").strip().casefold()
        # Compared in Python: SQLite folds the case of ASCII letters only, and a name is usually Cyrillic.
        taken = WblBase.objects.filter(institution_id=base.institution_id).exclude(pk=base.pk).values_list("name", flat=True)
        if wanted and any(n.strip().casefold() == wanted for n in taken):
            problems.append(RuleViolation("wbl.invalid", _("The institution already has a base of this name."), "", "name"))
        raise_all(problems)
        base.name = base.name.strip()
        try:
            with transaction.atomic():
                base.save()
        except IntegrityError:
            raise WblInvalid(
                [RuleViolation("wbl.invalid", _("The institution already has a base of this name."), "", "name")]
            ) from None
        if specialties is not None:
            base.specialties.set(specialties)
    return base
