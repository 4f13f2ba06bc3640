"""Agreements: one function per step of the life of an agreement (KG Regulation on WBL, п. 2, 9, 12, 19, 31, 44).

draft → negotiation (every Hard rule of `agreement_rules` holds) → signed (every party has signed,
a scan uploaded or the paper marked signed outside Kesip) → active (on or after its first day,
automatically) → expired (after its last day, automatically) / terminated. A signed or active
agreement changes only by a numbered amendment, which keeps what it changed.

Each step runs in one transaction on the agreement's locked row and checks the status it starts
from, the user's right and the rules; a refused step raises `RuleViolation` or `WblInvalid` and
changes nothing. `user=None` is the system (the demo loader, the expiry command). An employer's
representative sees and signs the agreements of its own employer; the institution sets their
kind, form and professions (п. 8).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.db.models import Max, ProtectedError
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from kesip.core import access
from kesip.core.models import Specialty, Student
from kesip.core.rules import RuleViolation
from kesip.wbl import agreement_rules
from kesip.wbl.common import (
    WblInvalid,
    atomic_step,
    expect_status,
    locked,
    may,
    raise_all,
    refuse_out_of_scope,
    require,
    rulebook,
    settings_for,
)
from kesip.wbl.models import (
    Agreement,
    AgreementAmendment,
    AgreementRosterEntry,
    AgreementSignature,
    NumberRegister,
    Placement,
    WblProgramme,
)
from kesip.wbl.models.employers import UPLOAD_EXTENSIONS

A = Agreement

# What a user types for an agreement (page and API); professions (`specialties`) are passed apart.
AGREEMENT_FIELDS = [
    "kind",
    "employer",
    "number",
    "concluded_on",
    "form",
    "starts_on",
    "ends_on",
    "places",
    "theory_percent",
    "practice_percent",
    "agreed_programme",
    "wbl_programme",
    "obligations",
    "learner",
    "legal_representative",
    "employer_is_customer",
    "curriculum_agreed_on",
    "individual_schedule",
    "employment_clause",
]
# Set by the institution only (п. 8; VR-53): the employer's side cannot change them.
INSTITUTION_ONLY = ("kind", "form", "employer", "learner", "specialties")
# What an amendment may change; `specialties` and `roster` are lists of ids.
AMENDABLE = [
    "ends_on",
    "places",
    "theory_percent",
    "practice_percent",
    "agreed_programme",
    "wbl_programme",
    "obligations",
    "legal_representative",
    "individual_schedule",
    "employment_clause",
    "specialties",
    "roster",
]
STEPS = ("negotiate", "activate", "terminate")
MAX_UPLOAD = 10 * 1024 * 1024
SCAN_SIGNATURES = {
    "pdf": (b"%PDF",),
    "png": (b"\x89PNG",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "doc": (b"\xd0\xcf\x11\xe0",),
    "docx": (b"PK\x03\x04",),
    "odt": (b"PK\x03\x04",),
}
NUMBER_SERIES = "AGR"


def _today(today=None):
    return today or datetime.date.today()


def employer_side(user, agreement):
    """True for a user who reaches the agreement only through its employer (an employer's representative)."""
    return user is not None and not may(user, Agreement, "change", agreement.institution_id)


def _institution_only(user, agreement, field="status"):
    """Steps of the institution: an employer's representative may not take them."""
    if employer_side(user, agreement):
        raise RuleViolation("wbl.permission", _("Only the institution takes this step."), "", field)


def _lock(agreement):
    return locked(
        Agreement,
        agreement.pk,
        "institution",
        "employer",
        "learner__group__programme__specialty",
        "wbl_programme",
    )


def _violations_from(exc):
    """A model ValidationError as RuleViolations, each beside its field."""
    found = []
    for field, messages in exc.message_dict.items():
        for message in messages:
            found.append(RuleViolation("wbl.agreement.invalid", message, "", None if field == "__all__" else field))
    return found


def _day(value):
    return value.strftime("%d.%m.%Y") if value else "—"


def check_scan(scan, field="signed_scan"):
    """A signed copy: PDF, image or document, at most 10 MB, whose content matches its name."""
    if not scan:
        return
    name = getattr(scan, "name", "") or ""
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in UPLOAD_EXTENSIONS:
        raise RuleViolation(
            "wbl.upload.type",
            _("Upload the signed copy as %(types)s.") % {"types": ", ".join(e.upper() for e in UPLOAD_EXTENSIONS)},
            "",
            field,
        )
    if scan.size > MAX_UPLOAD:
        raise RuleViolation("wbl.upload.size", _("The file is larger than 10 MB."), "", field)
    head = scan.read(8)
    scan.seek(0)
    if not any(head.startswith(sig) for sig in SCAN_SIGNATURES.get(ext, (b"",))):
        raise RuleViolation("wbl.upload.type", _("The file is not a real %(type)s file.") % {"type": ext.upper()}, "", field)


def _normalise(agreement):
    if agreement.kind == A.Kind.APPRENTICESHIP:
        agreement.form = "apprenticeship"
    elif agreement.kind == A.Kind.VOLUNTEER:
        agreement.form = ""


def _withdraw_signatures(agreement):
    """The text changed after some parties signed it: their signatures no longer hold and are withdrawn."""
    withdrawn = list(AgreementSignature.objects.filter(agreement=agreement))
    for signature in withdrawn:
        signature.delete()
    return withdrawn


def _value(agreement, name):
    """A field's value for comparing two versions (the id of a related record)."""
    return getattr(agreement, f"{name}_id" if name in ("employer", "learner", "wbl_programme") else name)


def _ids(records):
    return {getattr(r, "pk", r) for r in records}


def _text_changed(current, agreement, specialties):
    if any(_value(current, n) != _value(agreement, n) for n in AGREEMENT_FIELDS):
        return True
    return specialties is not None and _ids(current.specialties.all()) != _ids(specialties)


# --------------------------------------------------------------------------------------------
# Draft and negotiation


@atomic_step
def save_agreement(agreement, user, specialties=None):
    """Create a draft, or change a draft or an agreement under negotiation; `specialties` (list) replaces the professions.

    Raises WblInvalid listing every broken field, RuleViolation for a step not open. A change of
    the text after some parties signed withdraws their signatures (`agreement.withdrawn` lists them).
    """
    if not agreement.employer_id:
        raise WblInvalid([RuleViolation("wbl.agreement.employer", _("Choose the employer."), "", "employer")])
    if agreement.employer.is_own_base:
        message = _("%(base)s is the institution's own WBL base: learners are placed there without an agreement (п. 3).")
        raise WblInvalid([RuleViolation("wbl.agreement.employer", message % {"base": agreement.employer}, "", "employer")])
    institution = agreement.employer.institution
    rules = rulebook(institution)
    specialties = list(specialties) if specialties is not None else None
    agreement.withdrawn = []
    if agreement.pk is None:
        agreement.institution = institution
        if user is not None and not may(user, Agreement, "change", institution.pk):
            if agreement.employer_id in access.scope_for(user, Agreement, "change").employer_ids:
                raise agreement_rules.forms_violation(rules, "kind")
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "employer")
        refuse_out_of_scope(institution, "employer", rules)
        agreement.status = A.Status.DRAFT
        current = None
    else:
        current = _lock(agreement)
        require(user, Agreement, "change", current)
        expect_status(current, A.EDITABLE, _("The agreement is signed: change it by an amendment."))
        if employer_side(user, current):
            if current.status != A.Status.NEGOTIATION:
                raise RuleViolation(
                    "wbl.permission",
                    _("The employer's side changes an agreement only while it is under negotiation."),
                    "",
                    "status",
                )
            for name in INSTITUTION_ONLY:
                if name == "specialties":
                    if specialties is not None and _ids(current.specialties.all()) != _ids(specialties):
                        raise agreement_rules.forms_violation(rules, "specialties")
                elif _value(current, name) != _value(agreement, name):
                    raise agreement_rules.forms_violation(rules, name)
        # What only the steps change stays as it is.
        for name in ("status", "signed_scan", "signed_outside", "signed_on", "terminated_on", "termination_reason"):
            setattr(agreement, name, getattr(current, name))
        agreement.institution_id = current.institution_id
    _normalise(agreement)
    found = []
    try:
        agreement.full_clean()
    except ValidationError as exc:
        found += _violations_from(exc)
    if agreement.wbl_programme_id and not found:
        programme = WblProgramme.objects.filter(pk=agreement.wbl_programme_id).first()
        if programme is None or programme.institution_id != agreement.institution_id:
            found.append(
                RuleViolation("wbl.agreement.programme", _("Choose a WBL programme of this institution."), "", "wbl_programme")
            )
    if specialties is not None and not found:
        agreement.institution = institution
        found += agreement_rules.specialty_violations(agreement, specialties)
    raise_all(found)
    changed = current is None or _text_changed(current, agreement, specialties)
    try:
        with transaction.atomic():
            agreement.save()
    except IntegrityError:  # the same number given at the same moment
        raise WblInvalid(
            [
                RuleViolation(
                    "wbl.agreement.number", _("This institution already has an agreement with this number."), "", "number"
                )
            ]
        ) from None
    if specialties is not None:
        agreement.specialties.set(specialties)
    if current is not None and changed:
        agreement.withdrawn = _withdraw_signatures(agreement)
    return agreement


@atomic_step
def delete_agreement(agreement, user):
    """Delete a draft (with its roster); an agreement under negotiation or signed is kept."""
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement)
    _institution_only(user, agreement)
    expect_status(agreement, (A.Status.DRAFT,), _("Only a draft can be deleted."))
    try:
        with transaction.atomic():
            agreement.delete()
    except ProtectedError:
        raise RuleViolation(
            "wbl.agreement.in_use", _("Placements refer to the agreement: it cannot be deleted."), "", "status"
        ) from None


@atomic_step
def to_negotiation(agreement, user):
    """Send a complete draft to the other parties: every Hard rule must hold (WblInvalid lists what does not)."""
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement)
    _institution_only(user, agreement)
    expect_status(agreement, (A.Status.DRAFT,), _("Only a draft is sent for negotiation."))
    raise_all(agreement_rules.signing_violations(agreement))
    agreement.status = A.Status.NEGOTIATION
    agreement.save()
    return agreement


# --------------------------------------------------------------------------------------------
# The roster


def _students(ids, institution_id):
    ids = [getattr(s, "pk", s) for s in ids]
    try:
        ids = [int(i) for i in ids]
    except (TypeError, ValueError):
        raise WblInvalid([RuleViolation("wbl.agreement.roster", _("Choose students from the list."), "", "roster")]) from None
    if len(set(ids)) != len(ids):
        raise WblInvalid([RuleViolation("wbl.agreement.roster", _("A student appears twice in the roster."), "", "roster")])
    found = {
        s.pk: s
        for s in Student.objects.filter(pk__in=ids, institution_id=institution_id).select_related("group__programme__specialty")
    }
    if len(found) != len(ids):
        raise WblInvalid([RuleViolation("wbl.agreement.roster", _("Choose students of this institution."), "", "roster")])
    return [found[i] for i in ids]


def _apply_roster(agreement, wanted):
    """Make the roster exactly `wanted` (Student objects); returns (added, removed) ids. History is kept row by row."""
    current = {e.student_id: e for e in AgreementRosterEntry.objects.filter(agreement=agreement)}
    wanted_ids = {s.pk for s in wanted}
    removed = [sid for sid in current if sid not in wanted_ids]
    for sid in removed:
        current[sid].delete()
    added = [s for s in wanted if s.pk not in current]
    bulk_create_with_history(
        [AgreementRosterEntry(institution_id=agreement.institution_id, agreement=agreement, student=s) for s in added],
        AgreementRosterEntry,
    )
    return [s.pk for s in added], removed


def _change_roster(agreement, user, compute):
    """Lock, check and apply a roster change; `compute(current students)` returns the roster wanted."""
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement, "roster")
    if employer_side(user, agreement):
        raise RuleViolation(
            "wbl.permission", _("The institution compiles the roster; the employer agrees it by signing."), "", "roster"
        )
    expect_status(agreement, A.EDITABLE, _("The agreement is signed: change its roster by an amendment."), "roster")
    current = agreement_rules.roster_students(agreement)
    wanted = compute(current)
    added = {s.pk for s in wanted} - {s.pk for s in current}
    raise_all(agreement_rules.roster_violations(agreement, wanted, rulebook(agreement.institution), added))
    added_ids, removed = _apply_roster(agreement, wanted)
    agreement.withdrawn = _withdraw_signatures(agreement) if (added_ids or removed) else []
    agreement.save(update_fields=["updated_at"])
    agreement.roster_added, agreement.roster_removed = added_ids, removed
    return agreement


@atomic_step
def set_roster(agreement, students, user, group=None):
    """Make the roster exactly `students` (Students or ids) — or, with `group`, only that group's part of it.

    All or nothing: a student of another institution, one not studying, more learners than the
    agreement's workplaces (VR-43) or a learner outside primary vocational education on an
    apprenticeship agreement (VR-33) and nothing changes. The row lock makes two simultaneous
    changes wait for each other, so the places cannot be exceeded.
    """
    group_id = getattr(group, "pk", group)

    def compute(current):
        chosen = _students(students, agreement.institution_id)
        if group_id is None:
            return chosen
        stray = [s for s in chosen if s.group_id != group_id]
        if stray:
            raise WblInvalid(
                [
                    RuleViolation(
                        "wbl.agreement.roster", _("%(student)s is not in this group.") % {"student": stray[0]}, "", "roster"
                    )
                ]
            )
        kept = [s for s in current if s.group_id != group_id]
        return kept + chosen

    return _change_roster(agreement, user, compute)


@atomic_step
def add_to_roster(agreement, students, user):
    """Add `students` to the roster (the ones already on it stay); refused past the agreement's workplaces."""

    def compute(current):
        chosen = _students(students, agreement.institution_id)
        known = {s.pk for s in current}
        return current + [s for s in chosen if s.pk not in known]

    return _change_roster(agreement, user, compute)


# --------------------------------------------------------------------------------------------
# Signing


def _next_number(agreement, year):
    """The next free number of the institution's agreement register for the year (“12/2025”)."""
    fields = {"institution_id": agreement.institution_id, "employer": None, "year": year, "series": NUMBER_SERIES}
    try:
        with transaction.atomic():
            register, _created = NumberRegister.objects.select_for_update().get_or_create(**fields)
    except IntegrityError:  # created at the same moment by another step: it exists now
        register = NumberRegister.objects.select_for_update().get(**fields)
    while True:
        register.last_number += 1
        number = f"{register.last_number}/{year}"
        if not Agreement.objects.filter(institution_id=agreement.institution_id, number=number).exists():
            register.save(update_fields=["last_number"])
            return number


@atomic_step
def sign(agreement, party, signatory, signed_on, user, scan=None, signed_outside=False, today=None):
    """Record one party's signature; once every required party has signed, the agreement is signed (active from its first day).

    One signature per party: the institution and the employer, and the learner (or the legal
    representative) of a 3-party agreement. The agreement must satisfy every Hard rule when
    signed. The last signature needs the signed copy (`scan`) or `signed_outside`. An employer's
    representative signs for the employer only. Returns the AgreementSignature.
    """
    today = _today(today)
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement, "party")
    if employer_side(user, agreement) and party != AgreementSignature.Party.EMPLOYER:
        raise RuleViolation("wbl.permission", _("You sign for your employer only."), "", "party")
    expect_status(
        agreement,
        A.EDITABLE,
        _("The agreement is already signed by every party.")
        if agreement.status in A.IN_FORCE
        else _("The agreement is no longer in force and cannot be signed."),
        "party",
    )
    found = []
    required = agreement_rules.required_parties(agreement)
    if party not in AgreementSignature.Party.values:
        found.append(RuleViolation("wbl.agreement.party", _("Choose the party that signs."), "", "party"))
    elif party not in required:
        found.append(
            RuleViolation(
                "wbl.agreement.party",
                _("The agreement has two parties, the institution and the employer: the learner does not sign it."),
                "",
                "party",
            )
        )
    signed = set(AgreementSignature.objects.filter(agreement=agreement).values_list("party", flat=True))
    if party in signed:
        found.append(
            RuleViolation(
                "wbl.agreement.signed_twice",
                _("%(party)s has already signed the agreement.") % {"party": AgreementSignature.Party(party).label},
                "",
                "party",
            )
        )
    if not (signatory or "").strip():
        found.append(RuleViolation("wbl.agreement.signatory", _("Who signed? Give the name and position."), "", "signatory"))
    if signed_on is None:
        found.append(RuleViolation("wbl.agreement.signed_on", _("Give the date of the signature."), "", "signed_on"))
    elif signed_on > today:
        found.append(RuleViolation("wbl.agreement.signed_on", _("A signature cannot be dated in the future."), "", "signed_on"))
    elif signed_on > agreement.ends_on:
        found.append(
            RuleViolation(
                "wbl.agreement.signed_on",
                _("The agreement ends on %(date)s: it cannot be signed after that.") % {"date": _day(agreement.ends_on)},
                "",
                "signed_on",
            )
        )
    completes = not found and signed | {party} >= set(required)
    if completes and not (scan or agreement.signed_scan or signed_outside or agreement.signed_outside):
        found.append(
            RuleViolation(
                "wbl.agreement.scan",
                _("This is the last signature: upload the signed copy, or mark that it was signed on paper outside Kesip."),
                "",
                "scan",
            )
        )
    raise_all(found)
    check_scan(scan, "scan")
    raise_all(agreement_rules.signing_violations(agreement))
    if agreement.status == A.Status.DRAFT:
        agreement.status = A.Status.NEGOTIATION
    signature = AgreementSignature.objects.create(
        institution_id=agreement.institution_id,
        agreement=agreement,
        party=party,
        signatory=signatory.strip(),
        signed_on=signed_on,
        user=user,
    )
    if scan:
        agreement.signed_scan = scan
    if signed_outside:
        agreement.signed_outside = True
    if completes:
        dates = list(AgreementSignature.objects.filter(agreement=agreement).values_list("signed_on", flat=True))
        agreement.signed_on = max(dates)
        agreement.concluded_on = agreement.concluded_on or agreement.signed_on
        if not agreement.number:
            agreement.number = _next_number(agreement, agreement.signed_on.year)
        agreement.status = A.Status.SIGNED
        _refresh(agreement, today)
    agreement.save()
    return signature


def _refresh(agreement, today):
    """Signed → active from the first day; signed/active → expired after the last day (the caller saves)."""
    if agreement.status in A.IN_FORCE and agreement.ends_on < today:
        agreement.status = A.Status.EXPIRED
    elif agreement.status == A.Status.SIGNED and agreement.starts_on <= today:
        agreement.status = A.Status.ACTIVE
    return agreement


@atomic_step
def activate(agreement, user, today=None):
    """A signed agreement becomes active on or after its first day (`expire_due` does it for every agreement)."""
    today = _today(today)
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement)
    _institution_only(user, agreement)
    expect_status(agreement, (A.Status.SIGNED,), _("Only an agreement signed by every party becomes active."))
    if agreement.starts_on > today:
        raise RuleViolation(
            "wbl.agreement.not_started",
            _("The agreement is valid from %(date)s: it becomes active on that day.") % {"date": _day(agreement.starts_on)},
            "",
            "starts_on",
        )
    if agreement.ends_on < today:
        raise RuleViolation(
            "wbl.agreement.ended",
            _("The agreement ended on %(date)s: it has expired.") % {"date": _day(agreement.ends_on)},
            "",
            "ends_on",
        )
    agreement.status = A.Status.ACTIVE
    agreement.save()
    return agreement


def is_due(agreement, today=None):
    """Whether `expire_due` would change the agreement today (past its last day, or signed and begun)."""
    today = _today(today)
    return (agreement.status in A.IN_FORCE and agreement.ends_on < today) or (
        agreement.status == A.Status.SIGNED and agreement.starts_on <= today <= agreement.ends_on
    )


def expire_due(today=None, agreements=None):
    """Signed/active agreements past their last day expire; signed ones whose first day has come become active.

    `agreements` limits it to a queryset (the institutions a page shows). Returns (expired, activated) counts.
    History is kept for each agreement changed.
    """
    today = _today(today)
    base = agreements if agreements is not None else Agreement.objects.all()
    with transaction.atomic():
        due = list(
            Agreement.objects.select_for_update()
            .filter(pk__in=base.filter(status__in=A.IN_FORCE, ends_on__lt=today).values("pk"))
            .order_by("pk")
        )
        for a in due:
            a.status = A.Status.EXPIRED
        if due:
            bulk_update_with_history(due, Agreement, ["status", "updated_at"])
        starting = list(
            Agreement.objects.select_for_update()
            .filter(pk__in=base.filter(status=A.Status.SIGNED, starts_on__lte=today, ends_on__gte=today).values("pk"))
            .order_by("pk")
        )
        for a in starting:
            a.status = A.Status.ACTIVE
        if starting:
            bulk_update_with_history(starting, Agreement, ["status", "updated_at"])
    return len(due), len(starting)


@atomic_step
def _refuse_ended(agreement, today):
    """An agreement past its last day has expired, whether or not a page has recorded it yet: no step changes it."""
    if agreement.ends_on < today:
        raise RuleViolation(
            "wbl.agreement.status",
            _("The agreement ended on %(day)s: it has expired and is no longer amended or terminated.")
            % {"day": agreement.ends_on.strftime("%d.%m.%Y")},
            "",
            "status",
        )


def terminate(agreement, on, reason, user, today=None):
    """End a signed or active agreement early, on `on` (not in the future), for a reason; returns warnings.

    The warnings name placements under the agreement that run past the termination.
    """
    today = _today(today)
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement)
    _institution_only(user, agreement)
    expect_status(agreement, A.IN_FORCE, _("Only a signed or active agreement can be terminated."))
    _refuse_ended(agreement, today)
    found = []
    if not (reason or "").strip():
        found.append(RuleViolation("wbl.agreement.reason", _("Give the reason for the termination."), "", "reason"))
    if on is None:
        found.append(RuleViolation("wbl.agreement.terminated_on", _("Give the day of the termination."), "", "on"))
    elif on > today:
        found.append(
            RuleViolation(
                "wbl.agreement.terminated_on",
                _("Record the termination on the day it takes effect, not in advance."),
                "",
                "on",
            )
        )
    elif agreement.signed_on and on < agreement.signed_on:
        found.append(
            RuleViolation(
                "wbl.agreement.terminated_on",
                _("The agreement was signed on %(date)s: it cannot end before that.") % {"date": _day(agreement.signed_on)},
                "",
                "on",
            )
        )
    elif on > agreement.ends_on:
        found.append(
            RuleViolation(
                "wbl.agreement.terminated_on",
                _("The agreement ends on %(date)s anyway: it expires then.") % {"date": _day(agreement.ends_on)},
                "",
                "on",
            )
        )
    raise_all(found)
    agreement.status = A.Status.TERMINATED
    agreement.terminated_on = on
    agreement.termination_reason = reason.strip()
    agreement.save()
    running = (
        Placement.objects.filter(agreement=agreement, ends_on__gt=on)
        .exclude(status__in=[Placement.Status.CLOSED, Placement.Status.CANCELLED])
        .select_related("student")
        .order_by("starts_on", "pk")
    )
    return [
        RuleViolation(
            "wbl.agreement.required",
            _("The placement of %(learner)s (%(start)s – %(end)s) runs past the termination: it needs another agreement.")
            % {"learner": p.student or p.intern_staff or "—", "start": _day(p.starts_on), "end": _day(p.ends_on)},
            "",
            "status",
        )
        for p in running
    ]


# --------------------------------------------------------------------------------------------
# Amendments


def _as_json(value):
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "pk"):
        return value.pk
    return value


def _parse(agreement, name, raw):
    """The new value of one amendable field, from a form or JSON; RuleViolation beside the field when it is wrong."""
    model_field = Agreement._meta.get_field(name)
    if raw in ("", None):
        if not model_field.null and not model_field.blank:
            raise RuleViolation("wbl.amendment.value", _("Give the new value."), "", name)
        return "" if not model_field.null else None
    try:
        if name == "wbl_programme":
            pk = getattr(raw, "pk", raw)
            found = WblProgramme.objects.filter(pk=int(pk), institution_id=agreement.institution_id).first()
            if found is None:
                raise ValueError
            return found
        if isinstance(model_field, models.DateField):
            return raw if isinstance(raw, datetime.date) else datetime.date.fromisoformat(str(raw))
        if name in ("places", "theory_percent", "practice_percent"):
            value = int(raw)
            if isinstance(raw, bool) or value < 0:
                raise ValueError
            return value
        return str(raw)
    except (TypeError, ValueError):
        raise RuleViolation(
            "wbl.amendment.value",
            _("“%(value)s” is not a valid value for %(field)s.") % {"value": raw, "field": model_field.verbose_name},
            "",
            name,
        ) from None


@atomic_step
def amend(agreement, signed_on, effective_from, text, changes, user, number=None, today=None):
    """Record a numbered amendment of a signed or active agreement and apply what it changes.

    `changes` maps amendable fields to their new values (`specialties` and `roster`: lists of ids);
    the amendment keeps old → new of every field that really changed. The changed agreement must
    satisfy the same rules as when it was signed; otherwise WblInvalid and nothing changes.
    """
    today = _today(today)
    agreement = _lock(agreement)
    require(user, Agreement, "change", agreement)
    _institution_only(user, agreement)
    expect_status(agreement, A.IN_FORCE, _("Only a signed or active agreement is amended; change a draft directly."))
    _refuse_ended(agreement, today)
    changes = dict(changes or {})
    found = []
    unknown = [k for k in changes if k not in AMENDABLE]
    if unknown:
        found.append(
            RuleViolation(
                "wbl.amendment.field",
                _("An amendment cannot change %(fields)s.") % {"fields": ", ".join(sorted(map(str, unknown)))},
                "",
                "changes",
            )
        )
    if not (text or "").strip():
        found.append(RuleViolation("wbl.amendment.text", _("Say what the amendment changes."), "", "text"))
    if signed_on is None:
        found.append(RuleViolation("wbl.amendment.signed_on", _("Give the date the amendment was signed."), "", "signed_on"))
    elif signed_on > today:
        found.append(RuleViolation("wbl.amendment.signed_on", _("An amendment cannot be dated in the future."), "", "signed_on"))
    elif agreement.signed_on and signed_on < agreement.signed_on:
        found.append(
            RuleViolation(
                "wbl.amendment.signed_on",
                _("The agreement was signed on %(date)s: an amendment comes after it.") % {"date": _day(agreement.signed_on)},
                "",
                "signed_on",
            )
        )
    if effective_from is None:
        found.append(
            RuleViolation("wbl.amendment.effective_from", _("Give the day the amendment takes effect."), "", "effective_from")
        )
    if number is not None:
        if AgreementAmendment.objects.filter(agreement=agreement, number=number).exists():
            found.append(
                RuleViolation("wbl.amendment.number", _("The agreement already has an amendment with this number."), "", "number")
            )
        elif number < 1:
            found.append(RuleViolation("wbl.amendment.number", _("Number amendments from 1."), "", "number"))
    raise_all(found)
    rules = rulebook(agreement.institution)
    recorded = {}
    for name in [n for n in AMENDABLE if n in changes and n not in ("specialties", "roster")]:
        try:
            new = _parse(agreement, name, changes[name])
        except RuleViolation as violation:
            found.append(violation)
            continue
        old = getattr(agreement, name)
        if _as_json(old) != _as_json(new):
            recorded[name] = [_as_json(old), _as_json(new)]
            setattr(agreement, name, new)
    specialties = None
    if "specialties" in changes:
        try:
            ids = sorted({int(getattr(s, "pk", s)) for s in changes["specialties"] or []})
        except (TypeError, ValueError):
            ids = None
        specialties = list(Specialty.objects.filter(pk__in=ids or [])) if ids is not None else []
        if ids is None or len(specialties) != len(ids):
            found.append(RuleViolation("wbl.amendment.value", _("Choose professions of the classifier."), "", "specialties"))
        else:
            old_ids = sorted(agreement.specialties.values_list("pk", flat=True))
            if old_ids != ids:
                recorded["specialties"] = [old_ids, ids]
                found += agreement_rules.specialty_violations(agreement, specialties)
            else:
                specialties = None
    current = agreement_rules.roster_students(agreement)
    roster = current
    added = set()
    if "roster" in changes:
        try:
            roster = _students(changes["roster"] or [], agreement.institution_id)
        except WblInvalid as invalid:
            found += invalid.violations
            roster = current
        old_ids = sorted(s.pk for s in current)
        new_ids = sorted(s.pk for s in roster)
        if old_ids != new_ids:
            recorded["roster"] = [old_ids, new_ids]
            added = set(new_ids) - set(old_ids)
    raise_all(found)
    try:
        agreement.full_clean()
    except ValidationError as exc:
        found += _violations_from(exc)
    if effective_from is not None and not (agreement.starts_on <= effective_from <= agreement.ends_on):
        found.append(
            RuleViolation(
                "wbl.amendment.effective_from",
                _("The amendment takes effect within the agreement's period, %(start)s – %(end)s.")
                % {"start": _day(agreement.starts_on), "end": _day(agreement.ends_on)},
                "",
                "effective_from",
            )
        )
    found += agreement_rules.party_violations(agreement, rules, settings_for(agreement.institution))
    found += agreement_rules.content_violations(agreement, rules, specialties)
    found += agreement_rules.roster_violations(agreement, roster, rules, added)
    raise_all(found)
    agreement = _refresh(agreement, today)
    agreement.save()
    if specialties is not None:
        agreement.specialties.set(specialties)
    if "roster" in recorded:
        _apply_roster(agreement, roster)
    if number is None:
        number = (AgreementAmendment.objects.filter(agreement=agreement).aggregate(n=Max("number"))["n"] or 0) + 1
    return AgreementAmendment.objects.create(
        institution_id=agreement.institution_id,
        agreement=agreement,
        number=number,
        signed_on=signed_on,
        effective_from=effective_from,
        text=text.strip(),
        changes=recorded,
        created_by=user,
    )


# --------------------------------------------------------------------------------------------
# What the page offers


def allowed_steps(agreement, user, signed_parties=(), today=None):
    """The steps this user may take now, for the buttons: edit, roster, negotiate, sign, activate, amend, terminate, delete."""
    today = _today(today)
    if user is not None and not Agreement.objects.for_user(user, "change").filter(pk=agreement.pk).exists():
        return set()
    status = agreement.status
    if employer_side(user, agreement):
        steps = set()
        if status in A.EDITABLE and AgreementSignature.Party.EMPLOYER not in signed_parties:
            steps.add("sign")
        if status == A.Status.NEGOTIATION:
            steps.add("edit")
        return steps
    steps = set()
    if status in A.EDITABLE:
        steps |= {"edit", "sign"}
        if agreement.kind != A.Kind.VOLUNTEER:
            steps.add("roster")
        if set(agreement_rules.required_parties(agreement)) <= set(signed_parties):
            steps.discard("sign")
    if status == A.Status.DRAFT:
        steps |= {"negotiate", "delete"}
    if status == A.Status.SIGNED and agreement.starts_on <= today <= agreement.ends_on:
        steps.add("activate")
    if status in A.IN_FORCE:
        steps |= {"amend", "terminate"}
    return steps
