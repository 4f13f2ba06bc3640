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

from kesip.core.models import Employer
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
        _keep_host(base)
    return base


def _keep_host(base):
    """Create the base's host record (kind "own base") or keep it in step: name, address, in use, head as contact."""
    host = (
        Employer.objects.select_for_update().get(pk=base.host_id)
        if base.host_id
        else Employer(institution_id=base.institution_id)
    )
    host.kind, host.sector = Employer.Kind.OWN_BASE, Employer.Sector.EDUCATION
    host.name, host.address, host.is_active = base.name, base.address, base.is_active
    head = base.head if base.head_id else None
    host.contact_person = str(head) if head else ""
    host.contact_position = head.position if head else ""
    host.phone, host.email = (head.phone, head.email) if head else ("", "")
    host.save()
    if base.host_id != host.pk:
        base.host = host
        base.save(update_fields=["host", "updated_at"])


def base_of(employer):
    """The institution's own base the employer record hosts, or None (a partner employer). No query for a partner."""
    if employer is None or employer.kind != Employer.Kind.OWN_BASE:
        return None
    try:
        return employer.own_base
    except WblBase.DoesNotExist:
        return None


def add_mentor(base, staff, user, qualification="", experience_years=None):
    """Register one of the institution's staff as a mentor of its own base (п. 10; VR-38). Returns the EmployerPerson.

    The person is the base's host's employee linked to the staff member. When the staff member has a Kesip
    account that is no one's employee yet, it is linked and given the mentor's role at the base, so the mentor
    signs in and sees their learners; a mentor role they hold at another base of the institution is kept.
    """
    from kesip.core.models import Membership
    from kesip.core.roles import Role
    from kesip.wbl import employers
    from kesip.wbl.models import EmployerPerson

    with transaction.atomic():
        base = locked(WblBase, base.pk)
        if not may_manage(user, base.institution_id):
            raise WblInvalid(
                [RuleViolation("wbl.permission", _("You may not register the bases of this institution."), "", None)]
            )
        if not base.host_id:
            _keep_host(base)
        problems = []
        if staff is None or staff.institution_id != base.institution_id or not staff.is_active:
            problems.append(RuleViolation("wbl.invalid", _("Choose a working staff member of this institution."), "", "staff"))
        elif EmployerPerson.objects.filter(employer_id=base.host_id, staff=staff).exists():
            problems.append(
                RuleViolation("wbl.invalid", _("%(staff)s is already a mentor of this base.") % {"staff": staff}, "", "staff")
            )
        raise_all(problems)
        person = EmployerPerson(
            employer_id=base.host_id,
            institution_id=base.institution_id,
            staff=staff,
            last_name=staff.last_name,
            first_name=staff.first_name,
            patronymic=staff.patronymic,
            position=staff.position,
            phone=staff.phone,
            email=staff.email,
            is_mentor=True,
            qualification=qualification,
            experience_years=experience_years,
        )
        if staff.user_id and not EmployerPerson.objects.filter(user_id=staff.user_id).exists():
            role = Membership.objects.filter(user_id=staff.user_id, role=Role.MENTOR, institution_id=base.institution_id).first()
            if role is None:
                Membership.objects.create(
                    user_id=staff.user_id, role=Role.MENTOR, institution_id=base.institution_id, employer_id=base.host_id
                )
                person.user_id = staff.user_id
            elif role.employer_id == base.host_id:
                if not role.is_active:
                    role.is_active = True
                    role.save(update_fields=["is_active"])
                person.user_id = staff.user_id
        return employers.save_person(person, user)
