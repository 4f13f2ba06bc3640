"""Outcomes beyond the placement: graduates' employment (F28) and the qualification upgrading of teachers and mentors (F31).

Employment (п. 4, п. 19, п. 56 item 13). The institution records, for each graduate (a student whose
status is “graduated” by order), what they did after graduation: employed or self-employed at one
employer — from the register or by name (`wbl.employment.employer`) — or studying on, serving, on
leave, seeking work, abroad. Whether the employer is a host employer of the graduate's WBL is never
typed: `is_host_employer` is worked out here from the graduate's placements (not cancelled) every
time the record is saved. A dual-training placement that recorded `employment_promised` (п. 19) is
shown with whether the promise was kept: the graduate works at that employer. The adaptation at the
workplace is followed up: the day of the check, how it goes, a note. A graduating group's graduates
are filled in one table (`save_group_outcomes`): all rows are saved, or none.

Upgrading (п. 56 item 14). Needs of teachers and masters (StaffMember) and of employers' mentors
(EmployerPerson with `is_mentor`) are collected per academic year; the analysis groups them by topic
(in SQL). A programme is created from at least one open need (`wbl.upgrading.needs`): the needs
become “programme planned”. People are enrolled up to the programme's places — the programme row is
locked while counting, so two simultaneous enrolments cannot both take the last place. Completing
with a certificate number marks the person's needs answered by the programme “met”.

Every step runs in one transaction and raises `WblInvalid` listing every broken rule; nothing is
half-saved. Only the institution's own staff take these steps (an employer's representative may
also record the needs of the employer's own mentors); `user=None` is the system (the demo).
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, Min, OuterRef, Q
from django.db.models.functions import Lower, Trim
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.models import Student
from kesip.core.rules import RuleViolation
from kesip.wbl import common
from kesip.wbl import outcome_rules as rules
from kesip.wbl.models import (
    GraduateEmployment,
    Placement,
    TrainingNeed,
    UpgradingEnrolment,
    UpgradingProgramme,
    WblForm,
)

E = GraduateEmployment
N = TrainingNeed
UP = UpgradingProgramme
EN = UpgradingEnrolment

EMPLOYMENT_FIELDS = [
    "student",
    "outcome",
    "employer",
    "employer_name",
    "position",
    "in_profession",
    "starts_on",
    "ends_on",
    "adaptation",
    "adaptation_note",
    "checked_on",
]
BULK_FIELDS = ["outcome", "employer", "employer_name", "position", "in_profession", "starts_on"]
NEED_FIELDS = ["staff", "mentor", "topic", "reason", "academic_year"]
PROGRAMME_FIELDS = ["title", "audience", "provider", "hours", "starts_on", "ends_on", "places", "content"]


def today():
    return datetime.date.today()


def _refuse(code, message, field):
    raise common.WblInvalid([RuleViolation(code, message, "", field)])


def may_record(user, institution_id):
    """The institution's own staff who change WBL records (not an employer's people, not a learner)."""
    return common.may(user, E, "change", institution_id)


def _require_institution(user, model, institution_id, field):
    if not common.may(user, model, "change", institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution takes this step."), "", field)


def _clean(obj, exclude=()):
    """The model's own checks (types, choices, lengths, same institution) as RuleViolations beside their fields."""
    try:
        obj.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        found = []
        for field, messages in exc.message_dict.items():
            for message in messages:
                found.append(
                    RuleViolation(f"wbl.{obj._meta.model_name}.invalid", message, "", None if field == "__all__" else field)
                )
        return found
    return []


# --- Graduates' employment ---------------------------------------------------------------------------


def graduates(group):
    """The graduates of a group (status graduated), in the order of their records."""
    return list(
        Student.objects.filter(group_id=group.pk, status=Student.Status.GRADUATED).order_by("last_name", "first_name", "pk")
    )


def host_employer_ids(student_ids):
    """{student id: employer ids that hosted one of the learner's placements (not cancelled)} in one query."""
    out = {sid: set() for sid in student_ids}
    rows = (
        Placement.objects.filter(student_id__in=list(student_ids))
        .exclude(status=Placement.Status.CANCELLED)
        .values_list("student_id", "employer_id")
        .distinct()
    )
    for sid, eid in rows:
        out.setdefault(sid, set()).add(eid)
    return out


def _prepare(record, student, hosts, book, on):
    """The violations of one record, and the record normalised (trimmed name, host flag worked out)."""
    record.employer_name = (record.employer_name or "").strip()
    record.position = (record.position or "").strip()
    found = rules.employment_violations(record, student, book, on)
    if student is not None and student.institution_id != record.institution_id:
        found.append(RuleViolation("wbl.employment.graduate", _("Choose a graduate of this institution."), "", "student"))
    if record.employer_id and record.employer.institution_id != record.institution_id:
        found.append(RuleViolation("wbl.employment.employer", _("Choose an employer of this institution."), "", "employer"))
    found += [v for v in _clean(record, exclude=["student", "employer"]) if v.field not in {f.field for f in found}]
    record.is_host_employer = bool(record.employer_id) and record.employer_id in hosts
    return found


@common.atomic_step
def save_employment(record, user, on=None):
    """Record or change a graduate's employment; `is_host_employer` is worked out from their placements."""
    on = on or today()
    if not may_record(user, record.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution records graduates' employment."), "", "student")
    if record.pk:
        stored = common.locked(E, record.pk)
        if stored.institution_id != record.institution_id:
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "student")
    student = Student.objects.filter(pk=record.student_id).first() if record.student_id else None
    book = common.rulebook(record.institution)
    hosts = host_employer_ids([student.pk]).get(student.pk, set()) if student else set()
    common.raise_all(_prepare(record, student, hosts, book, on))
    record.save()
    return record


@common.atomic_step
def delete_employment(record, user):
    if not may_record(user, record.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution records graduates' employment."), "", "student")
    E.objects.filter(pk=record.pk).delete()


class BulkInvalid(common.WblInvalid):
    """Rows of the group's table that break rules: `rows` maps a student id to its violations."""

    def __init__(self, rows):
        self.rows = rows
        flat = []
        for _sid, (student, violations) in rows.items():
            flat += [RuleViolation(v.code, f"{student}: {v.message}", v.source, v.field) for v in violations]
        super().__init__(flat)


def latest_records(student_ids):
    """{student id: the graduate's latest employment record} in one query."""
    out = {}
    for r in (
        E.objects.filter(student_id__in=list(student_ids)).select_related("employer").order_by("student_id", "-starts_on", "-pk")
    ):
        out.setdefault(r.student_id, r)
    return out


@common.atomic_step
def save_group_outcomes(group, rows, user, on=None):
    """Fill the outcomes of a graduating group's graduates at once: every row is saved, or none (`BulkInvalid`).

    `rows` is {student id: {outcome, employer, employer_name, position, in_profession, starts_on}};
    a row without an outcome is left as it is. A graduate who has a record gets their latest record
    changed; one without gets a new one. Returns the records saved.
    """
    on = on or today()
    if not may_record(user, group.institution_id):
        raise RuleViolation("wbl.permission", _("Only the institution records graduates' employment."), "", "student")
    students = {s.pk: s for s in graduates(group)}
    unknown = [sid for sid in rows if sid not in students]
    if unknown:
        _refuse("wbl.employment.graduate", _("Only the group's graduates are filled in here."), "student")
    chosen = {sid: row for sid, row in rows.items() if row.get("outcome")}
    if not chosen:
        _refuse("wbl.employment.outcome", _("Fill the outcome of at least one graduate."), "outcome")
    book = common.rulebook(group.institution)
    hosts = host_employer_ids(list(chosen))
    existing = latest_records(list(chosen))
    bad, records = {}, []
    for sid, row in chosen.items():
        student = students[sid]
        record = existing.get(sid) or E(institution_id=group.institution_id, student=student)
        if record.pk:
            record = E.objects.select_for_update().get(pk=record.pk)
        for name in BULK_FIELDS:
            setattr(record, name, row.get(name) if name != "employer_name" else (row.get(name) or ""))
        record.in_profession = bool(row.get("in_profession"))
        record.position = row.get("position") or ""
        found = _prepare(record, student, hosts.get(sid, set()), book, on)
        if found:
            bad[sid] = (student, found)
        records.append(record)
    if bad:
        raise BulkInvalid(bad)
    for record in records:
        record.save()
    return records


def promises(student_ids):
    """Dual placements of the learners with employment after graduation agreed (п. 19), each with `kept`:
    the graduate is employed at that employer (one query)."""
    kept = E.objects.filter(student_id=OuterRef("student_id"), employer_id=OuterRef("employer_id"), outcome__in=rules.WORKING)
    return list(
        Placement.objects.filter(student_id__in=list(student_ids), form=WblForm.DUAL, employment_promised=True)
        .exclude(status=Placement.Status.CANCELLED)
        .select_related("employer")
        .annotate(kept=Exists(kept))
        .order_by("student_id", "-starts_on", "pk")
    )


def employment_steps(record, user):
    return {"edit", "delete"} if user is None or may_record(user, record.institution_id) else set()


# --- Training needs ------------------------------------------------------------------------------------


def may_need(user, need):
    """The institution's staff, or the representative of the mentor's employer (for that employer's mentors)."""
    if user is None or common.may(user, N, "change", need.institution_id):
        return True
    if need.mentor_id and not need.staff_id:
        scope = access.scope_for(user, N, "change")
        return need.mentor.employer_id in scope.employer_ids
    return False


@common.atomic_step
def save_need(need, user):
    """Record or change a training need while it is open."""
    if need.pk:
        stored = common.locked(N, need.pk)
        if stored.status != N.Status.OPEN:
            _refuse(
                "wbl.trainingneed.status",
                _("The need is “%(status)s”: it is no longer changed.") % {"status": stored.get_status_display()},
                "status",
            )
        if stored.institution_id != need.institution_id or not may_need(user, stored):
            raise RuleViolation("wbl.permission", _("You may not take this step."), "", "staff")
        need.status, need.programme_id = stored.status, stored.programme_id
    if not may_need(user, need):
        raise RuleViolation("wbl.permission", _("You may not take this step."), "", "mentor")
    need.topic = normal_topic(need.topic)
    found = rules.person_violations(need)
    if not need.topic:
        found.append(RuleViolation("wbl.trainingneed.topic", _("Say what the person needs to learn."), "", "topic"))
    found += [v for v in _clean(need, exclude=["staff", "mentor", "programme", "status"]) if v.field != "topic"]
    common.raise_all(found)
    need.save()
    return need


@common.atomic_step
def delete_need(need, user):
    current = common.locked(N, need.pk)
    if current.status != N.Status.OPEN or not may_need(user, current):
        _refuse("wbl.trainingneed.status", _("Only an open need is deleted."), "status")
    current.delete()


def normal_topic(topic):
    """One space between words and a capital first letter, so the same topic typed twice is grouped as one
    (SQLite's lower() leaves Cyrillic letters as they are)."""
    topic = " ".join((topic or "").split())
    return topic[:1].upper() + topic[1:]


def topic_key(topic):
    return " ".join((topic or "").split())


def analysis(needs):
    """The needs grouped by topic (case and spaces aside), with counts, largest first — one GROUP BY query."""
    S = N.Status
    return list(
        needs.annotate(key=Lower(Trim("topic")))
        .order_by()
        .values("key")
        .annotate(
            topic=Min("topic"),
            total=Count("pk"),
            staff=Count("pk", filter=Q(staff__isnull=False)),
            mentors=Count("pk", filter=Q(mentor__isnull=False)),
            open=Count("pk", filter=Q(status=S.OPEN)),
            planned=Count("pk", filter=Q(status=S.PLANNED)),
            met=Count("pk", filter=Q(status=S.MET)),
        )
        .order_by("-total", "key")
    )


def open_needs_of_topic(needs, key):
    key = topic_key(key)
    return needs.annotate(key=Lower(Trim("topic"))).filter(Q(key=key) | Q(key=key.lower()), status=N.Status.OPEN)


# --- Upgrading programmes and enrolments -------------------------------------------------------------


def _taken(programme_id):
    return EN.objects.filter(programme_id=programme_id).exclude(result=EN.Result.DROPPED).count()


def _locked_needs(ids, institution_id):
    return list(
        N.objects.select_for_update(of=("self",))
        .filter(pk__in=list(ids), institution_id=institution_id)
        .select_related("staff", "mentor")
        .order_by("pk")
    )


@common.atomic_step
def create_programme(programme, need_ids, user):
    """A programme built on open training needs (п. 56 item 14): the needs become “programme planned”."""
    _require_institution(user, UP, programme.institution_id, "needs")
    needs = _locked_needs(need_ids, programme.institution_id)
    book = common.rulebook(programme.institution)
    found = rules.needs_violations(programme, needs, book)
    if len(needs) < len(set(need_ids)):
        found.append(RuleViolation(rules.NEEDS, _("A chosen need is not found in this institution."), "", "needs"))
    found += rules.programme_violations(programme, 0)
    found += [v for v in _clean(programme) if v.field not in {f.field for f in found}]
    common.raise_all(found)
    programme.save()
    N.objects.filter(pk__in=[n.pk for n in needs]).update(status=N.Status.PLANNED, programme=programme)
    return programme


@common.atomic_step
def add_needs(programme, need_ids, user):
    """More open needs answered by the programme."""
    current = common.locked(UP, programme.pk)
    _require_institution(user, UP, current.institution_id, "needs")
    needs = _locked_needs(need_ids, current.institution_id)
    book = common.rulebook(current.institution)
    found = rules.needs_violations(current, needs, book)
    if len(needs) < len(set(need_ids)):
        found.append(RuleViolation(rules.NEEDS, _("A chosen need is not found in this institution."), "", "needs"))
    common.raise_all(found)
    N.objects.filter(pk__in=[n.pk for n in needs]).update(status=N.Status.PLANNED, programme=current)
    return current


@common.atomic_step
def save_programme(programme, user):
    """Change a programme: the places never below the people already in it; the audience fits them."""
    current = common.locked(UP, programme.pk)
    _require_institution(user, UP, current.institution_id, "title")
    if current.institution_id != programme.institution_id:
        raise RuleViolation("wbl.permission", _("You may not take this step."), "", "title")
    found = rules.programme_violations(programme, _taken(programme.pk))
    people = EN.objects.filter(programme_id=programme.pk).exclude(result=EN.Result.DROPPED)
    linked = N.objects.filter(programme_id=programme.pk)
    if programme.audience == UP.Audience.TEACHERS and (
        people.filter(mentor__isnull=False).exists() or linked.filter(mentor__isnull=False).exists()
    ):
        found.append(
            RuleViolation(
                "wbl.upgrading.audience", _("Mentors are in the programme: it cannot be for teachers only."), "", "audience"
            )
        )
    if programme.audience == UP.Audience.MENTORS and (
        people.filter(staff__isnull=False).exists() or linked.filter(staff__isnull=False).exists()
    ):
        found.append(
            RuleViolation(
                "wbl.upgrading.audience", _("Teachers are in the programme: it cannot be for mentors only."), "", "audience"
            )
        )
    found += [v for v in _clean(programme) if v.field not in {f.field for f in found}]
    common.raise_all(found)
    programme.save()
    return programme


@common.atomic_step
def delete_programme(programme, user):
    current = common.locked(UP, programme.pk)
    _require_institution(user, UP, current.institution_id, "title")
    if EN.objects.filter(programme_id=current.pk).exists():
        _refuse("wbl.upgrading.delete", _("People are enrolled: the programme is not deleted."), "title")
    N.objects.filter(programme_id=current.pk).update(status=N.Status.OPEN, programme=None)
    current.delete()


def enrol(programme, user, *, staff=None, mentor=None):
    """Enrol a teacher, master or mentor: the programme row is locked while the places are counted.

    The N-th person of N places is enrolled; the (N+1)-th is refused — also when two people are
    enrolled at the same moment (the second waits for the first's lock, then counts it).
    """
    try:
        with transaction.atomic():
            current = common.locked(UP, programme.pk)
            _require_institution(user, UP, current.institution_id, "staff" if staff is not None else "mentor")
            existing = EN.objects.filter(programme_id=current.pk)
            existing = existing.filter(staff=staff) if staff is not None else existing.filter(mentor=mentor)
            again = existing.select_for_update().first()
            if again is not None and again.result != EN.Result.DROPPED:
                _refuse(
                    "wbl.upgrading.enrolled",
                    _("%(person)s is already in the programme.") % {"person": staff or mentor},
                    "staff" if staff is not None else "mentor",
                )
            enrolment = again or EN(institution_id=current.institution_id, programme=current, staff=staff, mentor=mentor)
            found = rules.person_violations(enrolment)
            v = rules.audience_violation(current, enrolment)
            if v is not None:
                found.append(v)
            v = rules.places_violation(current, _taken(current.pk))
            if v is not None:
                found.append(v)
            if mentor is not None and not mentor.is_active:
                found.append(
                    RuleViolation(
                        "wbl.upgrading.person",
                        _("%(person)s no longer works for the employer.") % {"person": mentor},
                        "",
                        "mentor",
                    )
                )
            common.raise_all(found)
            enrolment.result, enrolment.certificate_number, enrolment.completed_on = EN.Result.ENROLLED, "", None
            enrolment.save()
            return enrolment
    except IntegrityError:
        raise common.WblInvalid(
            [
                RuleViolation(
                    "wbl.upgrading.enrolled", _("The person was enrolled at the same moment by someone else."), "", "staff"
                )
            ]
        ) from None


@common.atomic_step
def complete(enrolment, certificate_number, completed_on, user, on=None):
    """Completed with a certificate: the person's needs the programme answers are met."""
    current = common.locked(EN, enrolment.pk, "programme")
    _require_institution(user, EN, current.institution_id, "certificate_number")
    common.raise_all(rules.completion_violations(current, current.programme, certificate_number, completed_on, on or today()))
    current.result = EN.Result.COMPLETED
    current.certificate_number = certificate_number.strip()
    current.completed_on = completed_on
    current.save()
    person = Q(staff_id=current.staff_id) if current.staff_id else Q(mentor_id=current.mentor_id)
    N.objects.filter(person, programme_id=current.programme_id).exclude(status=N.Status.MET).update(status=N.Status.MET)
    return current


@common.atomic_step
def drop(enrolment, user):
    """Did not complete: the place is free again; the person's needs stay planned."""
    current = common.locked(EN, enrolment.pk)
    _require_institution(user, EN, current.institution_id, "result")
    if current.result != EN.Result.ENROLLED:
        _refuse(
            "wbl.upgradingenrolment.result",
            _("The enrolment is already “%(result)s”.") % {"result": current.get_result_display()},
            "result",
        )
    current.result = EN.Result.DROPPED
    current.save(update_fields=["result", "updated_at"])
    return current


def candidates(programme):
    """People with a need the programme answers who are not (or no longer) in it (one query)."""
    inside = EN.objects.filter(programme_id=programme.pk).exclude(result=EN.Result.DROPPED)
    return list(
        N.objects.filter(programme_id=programme.pk)
        .exclude(Q(staff__isnull=False) & Q(staff__in=inside.filter(staff__isnull=False).values("staff")))
        .exclude(Q(mentor__isnull=False) & Q(mentor__in=inside.filter(mentor__isnull=False).values("mentor")))
        .select_related("staff", "mentor__employer")
        .order_by("pk")
    )


def upgrading_of(user, *, staff=None, mentor=None):
    """A person's needs and enrolments, for the staff member's and the mentor's pages (two queries)."""
    person = {"staff": staff} if staff is not None else {"mentor": mentor}
    needs = list(N.objects.for_user(user).filter(**person).select_related("programme").order_by("-academic_year", "topic", "pk"))
    enrolments = list(
        EN.objects.for_user(user).filter(**person).select_related("programme").order_by("-programme__starts_on", "pk")
    )
    return {"upgrading_needs": needs, "upgrading_enrolments": enrolments}
