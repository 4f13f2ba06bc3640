"""The employer's side of WBL: its people (head, authorised representative, mentors), its local documents,
and its workplaces with their capacity.

Queries the other parts of WBL call:

* `free_places(workplace, starts_on, ends_on, exclude_placement=None) -> int` — the workplace's places
  minus the most placements (not cancelled) held there on one day of the period, both ends included;
* `mentor_load(person, starts_on, ends_on, form=None, exclude_placement=None) -> int` — the most
  placements (of one form, e.g. apprenticeship, when `form` is given) the person mentors at once;
* `with_capacity(workplaces, starts_on=None, ends_on=None)` and `with_current_load(people, on=None)` —
  the same numbers as SQL annotations on a queryset, for lists.

Steps (one transaction each; a refused step raises `RuleViolation` / `WblInvalid` and changes nothing):
`save_person`, `delete_person`, `save_document`, `delete_document`, `save_workplace`, `delete_workplace`.
`user=None` is the system (the demo loader). The institution's WBL settings: `kesip.wbl.open_questions`.
"""

import datetime
from pathlib import Path

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Case, Count, DateField, F, IntegerField, OuterRef, ProtectedError, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kesip.core import access
from kesip.core.models import Employer, Membership
from kesip.core.roles import EMPLOYER_ROLES, Role
from kesip.core.rules import RuleViolation
from kesip.wbl.common import WblInvalid, raise_all, rulebook
from kesip.wbl.models import Assessment, Briefing, EmployerPerson, Placement, WblForm, Workplace
from kesip.wbl.models.employers import UPLOAD_EXTENSIONS

S = Placement.Status
# "Under way now": referred by order, briefed or active, with dates that cover the day.
CURRENT_STATUSES = (S.ORDERED, S.BRIEFED, S.ACTIVE)
# A placement that still needs its mentor and its place: everything before completion that is not cancelled.
LIVE_STATUSES = (S.PLANNED, S.ROSTER_AGREED, S.ORDERED, S.BRIEFED, S.ACTIVE)

PERSON_FIELDS = [
    "last_name",
    "first_name",
    "patronymic",
    "position",
    "phone",
    "email",
    "is_head",
    "is_representative",
    "is_mentor",
    "qualification",
    "experience_years",
    "is_active",
    "user",
]
DOCUMENT_FIELDS = ["kind", "title", "summary", "file", "approved_on", "must_acknowledge"]
WORKPLACE_FIELDS = [
    "title",
    "specialty",
    "profession",
    "address",
    "places",
    "available_from",
    "available_to",
    "equipment",
    "work_environment",
    "has_simulator",
    "is_training_workplace",
    "safety_compliant",
    "safety_checked_on",
    "harmful_conditions",
    "accessible",
    "is_active",
]


# --- Files --------------------------------------------------------------------------------------------

UPLOAD_MAX_BYTES = getattr(django_settings, "KESIP_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
_ZIP = (b"PK\x03\x04",)
UPLOAD_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "docx": _ZIP,
    "odt": _ZIP,
}


def validate_upload(upload):
    """A PDF, picture or text document (UPLOAD_EXTENSIONS) of at most 10 MB whose content is what its name says."""
    if not isinstance(upload, UploadedFile):
        return  # a file already stored is not checked again
    if upload.size > UPLOAD_MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": UPLOAD_MAX_BYTES // (1024 * 1024)}, code="file_too_large"
        )
    suffix = Path(upload.name or "").suffix.lower().lstrip(".")
    if suffix not in UPLOAD_EXTENSIONS:
        raise ValidationError(
            _("Upload a file of one of these types: %(types)s.") % {"types": ", ".join(t.upper() for t in UPLOAD_EXTENSIONS)},
            code="file_type",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in UPLOAD_SIGNATURES[suffix]):
        raise ValidationError(_("The file is not a readable %(type)s.") % {"type": suffix.upper()}, code="file_content")


UPLOAD_HELP = gettext_lazy("PDF, JPEG, PNG, DOC, DOCX or ODT, at most 10 MB.")


# --- Who may change -----------------------------------------------------------------------------------


def may_change(user, employer):
    """Whether the user may change the employer's WBL records: the institution's admin and head of practical
    training, the system admin, and the employer's own representative. `None` is the system."""
    if user is None:
        return True
    scope = access.scope_for(user, EmployerPerson, "change")
    return scope.everything or employer.institution_id in scope.institution_ids or employer.pk in scope.employer_ids


def changeable_employers(user):
    """Employers whose WBL records the user may change (one query when evaluated)."""
    scope = access.scope_for(user, EmployerPerson, "change")
    if scope.everything:
        return Employer.objects.all()
    return Employer.objects.filter(Q(institution_id__in=scope.institution_ids) | Q(pk__in=scope.employer_ids))


def _require(user, employer, field=None):
    if not may_change(user, employer):
        raise RuleViolation("wbl.permission", _("You may not change this employer's records."), "", field)


def _locked_employer(employer):
    """The employer's row locked: changes of its head and representative queue behind each other."""
    return Employer.objects.select_for_update().select_related("institution").get(pk=employer.pk)


# --- Queries other parts call ----------------------------------------------------------------------------


def _pk(obj):
    return getattr(obj, "pk", obj)


def held_to():
    """The last day a placement holds its place and its mentor: its end, or the day it was completed if earlier."""
    early = Q(completed_on__isnull=False, completed_on__gte=F("starts_on"), completed_on__lt=F("ends_on"))
    return Case(When(early, then=F("completed_on")), default=F("ends_on"), output_field=DateField())


def holding(**filters):
    """Placements that hold a place or a mentor (all but cancelled ones), each with `held_to`."""
    return Placement.objects.counting().annotate(held_to=held_to()).filter(**filters)


def peak(intervals, starts_on, ends_on):
    """The most of the (first day, last day) intervals that meet on one day of [starts_on, ends_on], ends included."""
    events = []
    for first, last in intervals:
        first, last = max(first, starts_on), min(last, ends_on)
        if first <= last:
            events += [(first, 1), (last + datetime.timedelta(days=1), -1)]
    best = now = 0
    for _day, delta in sorted(events):
        now += delta
        best = max(best, now)
    return best


def _held(qs, starts_on, ends_on, exclude_placement):
    qs = qs.filter(starts_on__lte=ends_on, held_to__gte=starts_on)
    if exclude_placement is not None:
        qs = qs.exclude(pk=_pk(exclude_placement))
    return peak(qs.values_list("starts_on", "held_to"), starts_on, ends_on)


def free_places(workplace, starts_on, ends_on, exclude_placement=None):
    """Places at the workplace still free on every day of [starts_on, ends_on]: its places minus the most placements
    held there on one day of the period. A placement holds its place from its first to its last day (or the day it
    was completed early), both included, unless it is cancelled: one that ends on the period's first day or starts
    on its last day counts, one that ends the day before or starts the day after does not. Never below 0; one query.

    To add a placement race-free, call it inside the transaction after locking the workplace row
    (`common.locked(Workplace, pk)`); `exclude_placement` (a placement or its pk) leaves out the one being changed.
    """
    used = _held(holding(workplace_id=_pk(workplace)), starts_on, ends_on, exclude_placement)
    return max(workplace.places - used, 0)


def mentor_load(person, starts_on, ends_on, form=None, exclude_placement=None):
    """The most placements the person mentors at once on one day of [starts_on, ends_on] (held as in `free_places`);
    with `form` (e.g. `WblForm.APPRENTICESHIP`, for п. 48's two apprentices) only those of that form. One query."""
    qs = holding(mentor_id=_pk(person))
    if form:
        qs = qs.filter(form=form)
    return _held(qs, starts_on, ends_on, exclude_placement)


def with_capacity(workplaces, starts_on=None, ends_on=None):
    """Annotate `used_places` (the most placements held on one day of the period) and `free_places`, over the
    period or, without one, over each workplace's own availability — as `free_places` counts, in SQL: the busiest
    day is the start of the period or of a placement, so each placement meeting the period proposes its first day
    there and the most placements held on any of those days is taken. The list's query count does not grow."""
    start = Value(starts_on, output_field=DateField()) if starts_on else OuterRef("available_from")
    end = Value(ends_on, output_field=DateField()) if ends_on else OuterRef("available_to")
    on_that_day = (
        holding(workplace=OuterRef("workplace"), starts_on__lte=OuterRef("day"), held_to__gte=OuterRef("day"))
        .order_by()
        .values("workplace")
        .annotate(n=Count("pk"))
        .values("n")
    )
    busiest = (
        holding(workplace=OuterRef("pk"))
        .filter(starts_on__lte=end, held_to__gte=start)
        .annotate(day=Greatest(F("starts_on"), start, output_field=DateField()))
        .annotate(n=Subquery(on_that_day, output_field=IntegerField()))
        .order_by("-n")
        .values("n")[:1]
    )
    return workplaces.annotate(used_places=Coalesce(Subquery(busiest, output_field=IntegerField()), 0)).annotate(
        free_places=Greatest(F("places") - F("used_places"), Value(0), output_field=IntegerField())
    )


def with_current_load(people, on=None):
    """Annotate `current_placements` (referred, briefed or active placements whose dates cover `on`) and, of
    them, `current_apprentices`."""
    on = on or datetime.date.today()
    now = Q(mentored__status__in=CURRENT_STATUSES, mentored__starts_on__lte=on, mentored__ends_on__gte=on)
    return people.annotate(
        current_placements=Count("mentored", filter=now, distinct=True),
        current_apprentices=Count("mentored", filter=now & Q(mentored__form=WblForm.APPRENTICESHIP), distinct=True),
    )


# --- Rules -------------------------------------------------------------------------------------------------


def kind_violation(employer, rules):
    """VR-5 (Hard): the employer is an enterprise, an organisation or an individual entrepreneur (п. 2)."""
    r = rules.get("wbl.employer.kinds")
    if r is None or employer.kind in Employer.Kind.values:
        return None
    return RuleViolation(
        r.code,
        _("Say on the employer's card whether it is an enterprise, an organisation or an individual entrepreneur."),
        r.source,
        None,
    )


def coordinator_warning(mentor_count, representative_count, rules):
    """VR-56 (Soft): an employer with mentors has an authorised representative who coordinates them (п. 49)."""
    r = rules.get("wbl.mentor.coordinators_per_employer")
    if r is None or mentor_count == 0 or representative_count >= r.value:
        return None
    return RuleViolation(
        r.code,
        ngettext(
            "The employer has %(count)s mentor but no authorised representative to coordinate the mentors.",
            "The employer has %(count)s mentors but no authorised representative to coordinate the mentors.",
            mentor_count,
        )
        % {"count": mentor_count},
        r.source,
        "is_representative",
    )


def employer_warnings(people, rules):
    """The soft warnings of the employer page, from the employer's people (already read)."""
    active = [p for p in people if p.is_active]
    warning = coordinator_warning(sum(p.is_mentor for p in active), sum(p.is_representative for p in active), rules)
    return [warning] if warning else []


def mentor_limit(rules):
    """The most apprentices a mentor takes at a time (п. 48), or None where the rule does not apply."""
    r = rules.get("wbl.mentor.max_apprentices")
    return r.value if r is not None else None


def _host_rule(rules):
    r = rules.get("wbl.mentor.host_employee")
    return (r.code, r.source) if r is not None else ("wbl.mentor.host_employee", "")


# --- People --------------------------------------------------------------------------------------------------


def _own_base_violations(person, rules):
    """At the institution's own base (п. 10): its mentors are the institution's staff; the base's head is on its card."""
    out = []
    if not person.employer.is_own_base:
        if person.staff_id:
            out.append(
                RuleViolation("wbl.person.staff", _("Only a mentor of the institution's own base is one of its staff."), "", None)
            )
        return out
    if person.is_head or person.is_representative:
        out.append(
            RuleViolation(
                "wbl.person.own_base",
                _("The head of the institution's own base is named on the base's card; it has no authorised representative."),
                "",
                "is_head" if person.is_head else "is_representative",
            )
        )
    if person.is_mentor and not person.staff_id:
        code, source = _host_rule(rules)
        out.append(
            RuleViolation(
                code,
                _("A mentor of the institution's own base is one of the institution's staff: add them from the base's page."),
                source,
                "is_mentor",
            )
        )
    if person.staff_id and person.staff.institution_id != person.institution_id:
        out.append(RuleViolation("wbl.person.staff", _("Choose a staff member of this institution."), "", None))
    return out


def _person_violations(person, old, rules):
    out = [kind_violation(person.employer, rules), *_own_base_violations(person, rules)]
    others = EmployerPerson.objects.filter(employer_id=person.employer_id, is_active=True).exclude(pk=person.pk or 0)
    if person.is_active and person.is_head:
        head = others.filter(is_head=True).first()
        if head:
            out.append(
                RuleViolation(
                    "wbl.employer.one_head",
                    _("%(person)s is already the head of this employer: clear that first.") % {"person": head},
                    "",
                    "is_head",
                )
            )
    if person.is_active and person.is_representative:
        rep = others.filter(is_representative=True).first()
        if rep:
            out.append(
                RuleViolation(
                    "wbl.employer.one_representative",
                    _("%(person)s is already the authorised representative of this employer: clear that first.")
                    % {"person": rep},
                    "",
                    "is_representative",
                )
            )
    if person.user_id:
        holds = Membership.objects.filter(
            user_id=person.user_id, employer_id=person.employer_id, role__in=sorted(EMPLOYER_ROLES), is_active=True
        ).exists()
        if not holds:
            out.append(
                RuleViolation(
                    "wbl.person.user",
                    _("Choose a user who works in Kesip for this employer (a mentor or representative login)."),
                    "",
                    "user",
                )
            )
        twin = EmployerPerson.objects.filter(user_id=person.user_id).exclude(pk=person.pk or 0).first()
        if twin:
            out.append(
                RuleViolation(
                    "wbl.person.user",
                    _("This user account is already linked to %(person)s.") % {"person": twin},
                    "",
                    "user",
                )
            )
    if old is not None and old.is_mentor and old.is_active and not (person.is_mentor and person.is_active):
        live = Placement.objects.filter(mentor_id=person.pk, status__in=LIVE_STATUSES).count()
        if live:
            code, source = _host_rule(rules)
            out.append(
                RuleViolation(
                    code,
                    ngettext(
                        "%(person)s mentors %(count)s placement that is not finished: appoint another mentor to it first.",
                        "%(person)s mentors %(count)s placements that are not finished: appoint another mentor to them first.",
                        live,
                    )
                    % {"person": old, "count": live},
                    source,
                    "is_mentor" if not person.is_mentor else "is_active",
                )
            )
    return [v for v in out if v is not None]


def save_person(person, user):
    """Create or change an employer's employee. Refused: another active head or representative of the employer,
    a user account that does not work for the employer, and (VR-38) un-marking a mentor, or marking them as no
    longer working there, while they mentor placements that are not finished."""
    with transaction.atomic():
        employer = _locked_employer(person.employer)
        _require(user, employer)
        person.employer, person.institution_id = employer, employer.institution_id
        old = EmployerPerson.objects.select_for_update().get(pk=person.pk) if person.pk else None
        if old is not None and old.employer_id != employer.pk:
            raise RuleViolation("wbl.person.employer", _("An employee cannot move to another employer."), "", None)
        raise_all(_person_violations(person, old, rulebook(employer.institution)))
        try:
            with transaction.atomic():
                person.save()
        except IntegrityError:
            # Another request made someone else the head or the representative meanwhile.
            raise WblInvalid(_person_violations(person, old, rulebook(employer.institution)) or [_conflict()]) from None
    return person


def _conflict():
    return RuleViolation("wbl.conflict", _("Someone changed these records at the same time; try again."), "", None)


def in_use_message(obj, protected):
    """“X cannot be deleted: it is still used by placements (2), assessments (1).”"""
    counts = {}
    for o in protected:
        label = str(o._meta.verbose_name_plural)
        counts[label] = counts.get(label, 0) + 1
    users = ", ".join(f"{label} ({n})" for label, n in sorted(counts.items()))
    return _("“%(object)s” cannot be deleted: it is still used by %(users)s. Nothing was deleted.") % {
        "object": obj,
        "users": users,
    }


def _delete(obj, user, extra_uses, hint):
    _require(user, obj.employer)
    try:
        with transaction.atomic():
            locked = type(obj).objects.select_for_update().get(pk=obj.pk)
            uses = extra_uses(locked)
            if uses:
                raise ProtectedError("", set(uses))
            locked.delete()
    except ProtectedError as exc:
        raise RuleViolation("wbl.protected", f"{in_use_message(obj, exc.protected_objects)} {hint}", "", None) from None


def delete_person(person, user):
    """Delete an employee nobody refers to. A mentor of placements or order lines, or an assessor, stays (ProtectedError)."""
    _delete(
        person,
        user,
        lambda p: list(Assessment.objects.filter(employer_assessors=p)[:50]),
        _("Clear “works there” instead to keep the records."),
    )


# --- Local documents --------------------------------------------------------------------------------------


def save_document(document, user):
    """Create or change a local document of the employer (the file was checked by the form or serializer)."""
    with transaction.atomic():
        employer = _locked_employer(document.employer)
        _require(user, employer)
        document.employer, document.institution_id = employer, employer.institution_id
        raise_all([kind_violation(employer, rulebook(employer.institution))])
        document.save()
    return document


def delete_document(document, user):
    """Delete a local document no learner has acknowledged (an acknowledgement is a record of a briefing)."""
    _delete(
        document,
        user,
        lambda d: list(Briefing.objects.filter(documents=d)[:50]),
        _("Upload a new version of it instead."),
    )


# --- Workplaces -------------------------------------------------------------------------------------------


def _workplace_violations(workplace, rules):
    out = [kind_violation(workplace.employer, rules)]
    country = workplace.employer.institution.jurisdiction
    if workplace.specialty_id and workplace.specialty.jurisdiction != country:
        out.append(
            RuleViolation(
                "wbl.workplace.specialty",
                _("Choose a profession of the classifier of %(country)s.")
                % {"country": workplace.employer.institution.get_jurisdiction_display()},
                "",
                "specialty",
            )
        )
    r = rules.get("wbl.workplace.capacity")
    if workplace.pk and r is not None:
        held = holding(workplace_id=workplace.pk)
        used = _held(held, workplace.available_from, workplace.available_to, None)
        if used > workplace.places:
            out.append(
                RuleViolation(
                    r.code,
                    ngettext(
                        "%(count)s placement holds a place here on one day of this period: the workplace needs at least "
                        "%(count)s place.",
                        "%(count)s placements hold places here on one day of this period: the workplace needs at least "
                        "%(count)s places.",
                        used,
                    )
                    % {"count": used},
                    r.source,
                    "places",
                )
            )
        outside = (
            held.filter(status__in=LIVE_STATUSES)
            .filter(Q(starts_on__lt=workplace.available_from) | Q(ends_on__gt=workplace.available_to))
            .count()
        )
        if outside:
            out.append(
                RuleViolation(
                    r.code,
                    ngettext(
                        "%(count)s placement that is not finished runs outside this period: move it or keep the period.",
                        "%(count)s placements that are not finished run outside this period: move them or keep the period.",
                        outside,
                    )
                    % {"count": outside},
                    r.source,
                    "available_from",
                )
            )
    return [v for v in out if v is not None]


def save_workplace(workplace, user):
    """Create or change a workplace. Refused: a profession of another country's classifier, and (KG п. 57 items 4–5)
    fewer places than the placements that hold one over the period, or a period that leaves out a placement under way."""
    with transaction.atomic():
        employer = _locked_employer(workplace.employer)
        _require(user, employer)
        workplace.employer, workplace.institution_id = employer, employer.institution_id
        if workplace.pk:
            Workplace.objects.select_for_update().get(pk=workplace.pk)  # queue behind a placement being added here
        raise_all(_workplace_violations(workplace, rulebook(employer.institution)))
        workplace.save()
    return workplace


def delete_workplace(workplace, user):
    """Delete a workplace no placement uses (else ProtectedError: nothing lost)."""
    _delete(workplace, user, lambda w: [], _("Clear “offered” instead to withdraw it and keep the records."))


# --- Invitations ------------------------------------------------------------------------------------------


def invite_role(person):
    """The Kesip role a person is invited with: the representative as employer_rep (which also grades diaries),
    a mentor as mentor; None when there is nobody to invite (no e-mail, already linked, neither role)."""
    if not person.email or person.user_id or not person.is_active:
        return None
    if person.is_representative or person.is_head:
        return Role.EMPLOYER_REP  # the head decides on mentors' proposals and requests (п. 58, items 9–11)
    if person.is_mentor:
        return Role.MENTOR
    return None


def link_accepted_invitation(sender, instance, **kwargs):
    """When an employer's invitation is accepted, link the new user to the employee with that e-mail (if just one).

    A post_save receiver of core's Invitation, connected in `WblConfig.ready()`.
    """
    inv = instance
    if not inv.accepted_user_id or not inv.employer_id or inv.role not in EMPLOYER_ROLES:
        return
    matches = list(
        EmployerPerson.objects.filter(employer_id=inv.employer_id, email__iexact=inv.email, user__isnull=True, is_active=True)[:2]
    )
    if len(matches) == 1 and not EmployerPerson.objects.filter(user_id=inv.accepted_user_id).exists():
        person = matches[0]
        person.user_id = inv.accepted_user_id
        person.save(update_fields=["user", "updated_at"])


# --- The institution's briefings of employers and mentors (п. 56 item 4) -----------------------------------------


def may_brief(user, institution_id):
    """The institution's WBL staff record its briefings of employers and mentors (not the employer's side)."""
    from kesip.wbl.common import may
    from kesip.wbl.models import EmployerBriefing

    return may(user, EmployerBriefing, "change", institution_id)


def save_briefing(briefing, user, attendees, today=None):
    """Record (or correct) the institution's briefing of an employer's people on conducting WBL (п. 56 item 4).

    Refused, each beside its field and nothing saved: no permission, a day in the future, no topics, a
    conductor who is not the institution's staff, nobody taking part or someone of another employer.
    """
    from kesip.wbl.models import EmployerBriefing

    today = today or datetime.date.today()
    with transaction.atomic():
        employer = _locked_employer(briefing.employer)
        if briefing.pk:
            current = EmployerBriefing.objects.select_for_update().get(pk=briefing.pk)
            if current.employer_id != employer.pk:
                raise RuleViolation("wbl.briefing.employer", _("A briefing does not move to another employer."), "", "employer")
        if not may_brief(user, employer.institution_id):
            raise RuleViolation("wbl.permission", _("The institution's WBL staff record its briefings."), "", None)
        briefing.employer, briefing.institution_id = employer, employer.institution_id
        problems = []
        if briefing.held_on is None or briefing.held_on > today:
            problems.append(
                RuleViolation("wbl.briefing.date", _("Give the day the briefing was held (not in the future)."), "", "held_on")
            )
        if not (briefing.topics or "").strip():
            problems.append(RuleViolation("wbl.briefing.topics", _("Say what the briefing covered."), "", "topics"))
        if not briefing.conducted_by_id or briefing.conducted_by.institution_id != employer.institution_id:
            problems.append(
                RuleViolation("wbl.briefing.conducted_by", _("Choose a staff member of this institution."), "", "conducted_by")
            )
        people = list({p.pk: p for p in attendees}.values())
        if not people:
            problems.append(RuleViolation("wbl.briefing.attendees", _("Name who of the employer took part."), "", "attendees"))
        elif any(p.employer_id != employer.pk for p in people):
            problems.append(
                RuleViolation(
                    "wbl.briefing.attendees", _("Choose people of %(employer)s.") % {"employer": employer}, "", "attendees"
                )
            )
        raise_all(problems)
        briefing.topics = briefing.topics.strip()
        briefing.save()
        briefing.attendees.set(people)
    return briefing


def delete_briefing(briefing, user):
    from kesip.wbl.models import EmployerBriefing

    with transaction.atomic():
        current = EmployerBriefing.objects.select_for_update().get(pk=briefing.pk)
        if not may_brief(user, current.institution_id):
            raise RuleViolation("wbl.permission", _("The institution's WBL staff record its briefings."), "", None)
        current.delete()


def briefings_of(employer, user, limit=20):
    """The employer's latest briefings by the institution, with who took part (two queries)."""
    from kesip.wbl.models import EmployerBriefing

    return list(
        EmployerBriefing.objects.for_user(user)
        .filter(employer=employer)
        .select_related("conducted_by")
        .prefetch_related("attendees")
        .order_by("-held_on", "-pk")[:limit]
    )
