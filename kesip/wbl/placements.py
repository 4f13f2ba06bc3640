"""Placements of learners in the four forms of WBL: plan one, place a whole group at once, agree the roster, cancel.

planned (on the list with the consent of the learner or of a minor's legal representative, п. 56
item 5) → roster agreed (the employer agreed the dates and the named list, п. 56 item 6, п. 57 item 3)
→ ordered (the referral order signed, п. 29, п. 41 — the orders' workflow calls `mark_ordered`) →
briefed → active → completed → assessed → closed (the later steps belong to the briefings, diary
and assessment workflows); cancelled from any step before closed.

Every step runs in one transaction, locks what it counts (the workplace, the agreement, the mentor,
the learner: `select_for_update`), so two coordinators placing at once cannot overfill a workplace
or give a mentor a third apprentice, and checks `placement_rules.violations`. A refused step
changes nothing and names every broken rule. `user=None` is the system (the demo loader).
"""

import datetime

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.models import Employer, Student, StudyGroup
from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.wbl import common as common_rules
from kesip.wbl import consent
from kesip.wbl import placement_rules as rules
from kesip.wbl.common import WblInvalid, expect_status, locked, require, rulebook
from kesip.wbl.models import (
    Agreement,
    Briefing,
    DiaryEntry,
    EmployerPerson,
    Order,
    OrderLine,
    Placement,
    WblBase,
    WblForm,
    Workplace,
)

P = Placement
S = Placement.Status

# The fields a user plans, by form of WBL (the learner, the form and the institution are fixed once created).
COMMON_FIELDS = ["employer", "workplace", "agreement", "wbl_programme", "starts_on", "ends_on", "hours",
                 "supervisor", "mentor", "note"]  # fmt: skip
CONSENT_FIELDS = ["consent_by", "consent_on", "legal_representative"]
OWN_WORKPLACE_FIELDS = ["at_own_workplace", "conformity_note", "conformity_approved_on"]
FORM_FIELDS = {
    WblForm.PRACTICE: ["component", "practice_type", *OWN_WORKPLACE_FIELDS, *CONSENT_FIELDS],
    WblForm.DUAL: [
        "component",
        "individual_schedule",
        "enterprise_timetable",
        "employment_promised",
        *OWN_WORKPLACE_FIELDS,
        *CONSENT_FIELDS,
    ],  # fmt: skip
    WblForm.INTERNSHIP: [
        "intern_category",
        "internship_type",
        "internship_mode",
        "individual_programme",
        "programme_agreed_on",
        "intern_education",
        "intern_experience",
        "intern_position",
        "internship_goals",
        "duration_reason",
        *CONSENT_FIELDS,
    ],  # fmt: skip
    WblForm.APPRENTICESHIP: ["component", "apprenticeship_form", "outside_wbl_programme", *CONSENT_FIELDS],
}
ALL_FORM_FIELDS = sorted({name for names in FORM_FIELDS.values() for name in names})
# Fields of the later steps, never changed by planning.
STEP_FIELDS = ["status", "roster_agreed_on", "review", "characterisation", "recommended_grade", "reviewed_on",
               "completed_on", "closed_on", "cancel_reason", "outcome", "conformity_approved_by",
               "consent_requested_at", "consent_user"]  # fmt: skip

# The bulk placement of a group: values for every row, and what a row may set for its learner.
BULK_FORMS = (WblForm.PRACTICE, WblForm.DUAL, WblForm.APPRENTICESHIP)
BULK_COMMON = ["form", "component", "practice_type", "starts_on", "ends_on", "hours", "supervisor", "wbl_programme",
               "consent_by", "consent_on", "apprenticeship_form", "individual_schedule", "enterprise_timetable",
               "employment_promised"]  # fmt: skip
BULK_ROW = ["student", "employer", "workplace", "mentor", "supervisor", "starts_on", "ends_on", "practice_type",
            "component", "hours", "consent_by", "consent_on", "legal_representative", "note"]  # fmt: skip

STEPS = ("agree_roster", "ask_consent", "cancel")
IN_PROGRESS = rules.IN_PROGRESS
BEFORE_START = (S.PLANNED, S.ROSTER_AGREED, S.ORDERED, S.BRIEFED)
SOON_DAYS = 14  # the dashboard looks this far ahead (placements starting, placements ending)


class BulkInvalid(WblInvalid):
    """Rows of a bulk placement break rules: `rows` maps a row's index to its violations; nothing was saved.

    `violations` lists them all, each field named `rows.<index>.<field>` (general ones keep their field).
    """

    def __init__(self, rows, general=()):
        self.rows = {i: list(vs) for i, vs in rows.items() if vs}
        self.general = list(general)
        flat = list(self.general)
        for i, found in sorted(self.rows.items()):
            flat += [RuleViolation(v.code, v.message, v.source, f"rows.{i}.{v.field or 'student'}") for v in found]
        super().__init__(flat)


# ----------------------------------------------------------------------------------------------
# Who may do what


def may_plan(user, institution_id):
    """Institution staff with change_wbl plan, place and cancel (an employer's representative does not)."""
    return user is None or access.scope_for(user, P, "change").allows_institution(institution_id)


def may_agree(user, placement):
    """Institution staff record the employer's agreement; an employer's representative gives it for their employer."""
    if user is None:
        return True
    scope = access.scope_for(user, P, "change")
    return scope.allows_institution(placement.institution_id) or placement.employer_id in scope.employer_ids


def _permission(user, institution_id, field="status"):
    if not may_plan(user, institution_id):
        raise RuleViolation("wbl.permission", _("You may not take this step."), "", field)


def allowed_steps(placement, user):
    """The steps of this workflow the user may take now, for the buttons: edit, delete, agree, cancel, order."""
    steps = set()
    planner = may_plan(user, placement.institution_id)
    if placement.status == S.PLANNED:
        if planner:
            steps |= {"edit", "delete"}
            consent_given = placement.consent_by in (P.Consent.LEARNER, P.Consent.REPRESENTATIVE)
            if placement.student_id and not consent_given:
                steps.add("ask_consent")
        if may_agree(user, placement):
            steps.add("agree")
    if placement.status == S.ROSTER_AGREED and planner:
        steps.add("order")
    if placement.status not in (S.CLOSED, S.CANCELLED) and planner:
        steps.add("cancel")
    return steps


# ----------------------------------------------------------------------------------------------
# Preparing and checking


def fields_for(form):
    return [*COMMON_FIELDS, *FORM_FIELDS.get(form, [])]


def prepare(placement):
    """Fill what follows from the choices: institution and group from the learner, practice type from the
    component, the covering agreement (VR-2), the group's appointed head of practical training; blank the
    fields of other forms."""
    p = placement
    if p.student_id:
        p.institution_id = p.student.institution_id
        if not p.group_id:
            p.group_id = p.student.group_id
    elif p.intern_staff_id:
        p.institution_id = p.intern_staff.institution_id
        p.group = None
    keep = set(fields_for(p.form))
    for name in ALL_FORM_FIELDS:
        if name not in keep:
            setattr(p, name, P._meta.get_field(name).get_default())
    if p.form == WblForm.PRACTICE and not p.practice_type and p.component_id and p.component.practice_type:
        p.practice_type = p.component.practice_type
    if not p.agreement_id and p.institution_id:
        found = rules.covering_for(p)
        if found is not None:
            p.agreement = found
    if not p.supervisor_id and p.group_id and p.student_id:
        appointed = rules.appointed_supervisors([p.group_id], p.starts_on, p.ends_on).get(p.group_id, [])
        if len(appointed) == 1:
            p.supervisor = appointed[0]
    return p


def _model_violations(p):
    try:
        p.full_clean(validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [
            RuleViolation("wbl.placement.invalid", message, "", None if field == NON_FIELD_ERRORS else field)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def check(p, step=rules.SAVE, **kwargs):
    """The model's own checks and every rule: (hard, soft), without repeating one message on one field."""
    model = _model_violations(p)
    if p.institution_id is None:
        return model, []
    hard, soft = rules.violations(p, step=step, **kwargs)
    seen, merged = set(), []
    for v in [*model, *hard]:
        if (v.field, v.message) not in seen:
            seen.add((v.field, v.message))
            merged.append(v)
    return merged, soft


def lock_resources(placements):
    """Lock, in one order, the rows whose limits the placements count: agreements, workplaces, mentors, learners."""
    for model, attr in (
        (Agreement, "agreement_id"),
        (Workplace, "workplace_id"),
        (EmployerPerson, "mentor_id"),
        (Student, "student_id"),
    ):
        ids = sorted({getattr(p, attr) for p in placements if getattr(p, attr)})
        if ids:
            list(model.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
        if model is Agreement:  # the places of the institution's own bases (no agreement there)
            hosts = sorted({p.employer_id for p in placements if p.employer_id and p.employer.kind == Employer.Kind.OWN_BASE})
            if hosts:
                list(WblBase.objects.select_for_update().filter(host_id__in=hosts).order_by("pk").values_list("pk", flat=True))


# ----------------------------------------------------------------------------------------------
# Steps


def save_placement(placement, user):
    """Plan a placement, or change a planned one. Returns the soft warnings (RuleViolation).

    Raises WblInvalid listing every hard violation, RuleViolation for a refused step (not planned,
    no permission). The form and the learner of a placement do not change once it is created.
    """
    p = placement
    current_pk = p.pk
    previous_consent = None
    with transaction.atomic():
        if p.pk:
            current = locked(P, p.pk)
            previous_consent = current.consent_by
            _permission(user, current.institution_id)
            expect_status(
                current,
                [S.PLANNED],
                _("Only a planned placement can be changed; this one is “%(status)s”.")
                % {"status": current.get_status_display()},
            )
            if current.form != p.form:
                raise RuleViolation(
                    "wbl.placement.form",
                    _("The form of WBL of a placement does not change: cancel it and plan another."),
                    "",
                    "form",
                )
            if (current.student_id, current.intern_staff_id) != (p.student_id, p.intern_staff_id):
                raise RuleViolation(
                    "wbl.placement.learner",
                    _("The learner of a placement does not change: cancel it and plan another."),
                    "",
                    "student",
                )
            for name in STEP_FIELDS:
                setattr(p, name, getattr(current, name))
            p.institution_id = current.institution_id
        else:
            p.status = S.PLANNED
        prepare(p)
        if p.institution_id is None:
            raise WblInvalid([RuleViolation("wbl.placement.learner", _("Choose the learner."), "", "student")])
        _permission(user, p.institution_id, "student")
        if current_pk is None:
            common_rules.refuse_out_of_scope(p.institution, "student")
        lock_resources([p])
        hard, soft = check(p, rules.SAVE)
        if hard:
            raise WblInvalid(hard)
        if p.conformity_approved_on and not p.conformity_approved_by_id and user is not None:
            p.conformity_approved_by = user
        if not p.conformity_approved_on:
            p.conformity_approved_by = None
        if p.consent_by != previous_consent and p.consent_by not in (P.Consent.REQUESTED, P.Consent.REFUSED):
            p.consent_user = None  # recorded by the coordinator (on paper), not answered in Kesip
        ask = p.consent_by == P.Consent.REQUESTED and previous_consent != P.Consent.REQUESTED
        if ask:
            consent.mark_requested(p)
        p.save()
        if ask:
            consent.notify([p])
    return soft


def place_group(group, rows, user, common=None):
    """Place many learners of one group, across several employers, in one transaction: all or nothing.

    `rows` is a list of dicts, one per learner, with values (model instances, dates, strings) of
    BULK_ROW; a value left out or empty comes from `common` (values of BULK_COMMON for every row;
    `form` is practice, dual training or apprenticeship). Every row is checked like a single
    placement, the places of workplaces and agreements, the roster, the mentors' apprentices and the
    learners' other placements counted over the rows of this call as well as the saved placements,
    under row locks. Returns (placements, warnings: {row index: [RuleViolation]}). Raises BulkInvalid
    naming each bad row; nothing is saved.
    """
    common = {k: v for k, v in (common or {}).items() if k in BULK_COMMON and v not in (None, "")}
    form = common.pop("form", WblForm.PRACTICE)
    general = []
    if form not in BULK_FORMS:
        general.append(
            RuleViolation(
                "wbl.placement.form",
                _("Internships are planned one by one: each intern has an individual programme (п. 40)."),
                "",
                "form",
            )
        )
    if not rows:
        general.append(RuleViolation("wbl.placement.rows", _("Choose an employer for at least one learner."), "", "rows"))
    if general:
        raise BulkInvalid({}, general)
    with transaction.atomic():
        group = StudyGroup.objects.select_related("institution", "programme__specialty").get(pk=group.pk)
        _permission(user, group.institution_id, "rows")
        out = common_rules.out_of_scope(group.institution, "rows")
        if out is not None:
            raise BulkInvalid({}, [out])
        enrolled = {s.pk: s for s in Student.objects.filter(group=group, status=Student.Status.ENROLLED)}
        errors, built, seen = {}, [], set()
        for i, row in enumerate(rows):
            values = {**common, **{k: v for k, v in row.items() if k in BULK_ROW and v not in (None, "")}}
            student = values.pop("student", None)
            found = []
            if student is None or student.pk not in enrolled:
                found.append(
                    RuleViolation(
                        "wbl.placement.learner",
                        _("%(student)s is not a studying student of group %(group)s.")
                        % {"student": student or "—", "group": group},
                        "",
                        "student",
                    )
                )
                student = None
            elif student.pk in seen:
                found.append(
                    RuleViolation("wbl.placement.learner", _("%(student)s is in two rows.") % {"student": student}, "", "student")
                )
            else:
                seen.add(student.pk)
                student = enrolled[student.pk]
            p = P(form=form, institution=group.institution, group=group, status=S.PLANNED, student=student, **values)
            if student is not None:
                prepare(p)
            errors[i] = found
            built.append(p)
        lock_resources(built)
        book, cache, warnings = rulebook(group.institution), {}, {}
        for i, p in enumerate(built):
            if p.student_id:
                hard, soft = check(p, rules.SAVE, pending=built[:i], cache=cache, book=book)
                errors[i] += hard
                if soft:
                    warnings[i] = soft
        if any(errors.values()):
            raise BulkInvalid(errors)
        for p in built:
            if p.conformity_approved_on and user is not None:
                p.conformity_approved_by = user
            if p.consent_by == P.Consent.REQUESTED:
                consent.mark_requested(p)
            p.save()
        consent.notify([p for p in built if p.consent_by == P.Consent.REQUESTED])
    return built, warnings


def delete_placement(placement, user):
    """Delete a planned placement that no order names (a plan made by mistake); any other is cancelled instead."""
    with transaction.atomic():
        p = locked(P, placement.pk)
        _permission(user, p.institution_id)
        expect_status(p, [S.PLANNED], _("Only a planned placement can be deleted: cancel this one instead."))
        if OrderLine.objects.filter(placement_id=p.pk).exists():
            raise RuleViolation("wbl.placement.ordered", _("An order names this placement: cancel it instead."), "", "status")
        p.delete()


def agree_roster(placements, on, user):
    """planned → roster agreed: the employer agreed the dates and the named list (п. 56 item 6, п. 57 item 3).

    Institution staff record it, or the employer's representative gives it for their own employer.
    `on` is the day of the agreement (not in the future). All or nothing: raises WblInvalid naming
    every placement that cannot be agreed. Returns the placements.
    """
    today = datetime.date.today()
    on = on or today
    ids = sorted({p.pk for p in placements})
    with transaction.atomic():
        rows = list(P.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
        if not rows:
            raise RuleViolation(
                "wbl.placement.rows", _("Choose the placements whose roster the employer agreed."), "", "placements"
            )
        problems = []
        if on > today:
            problems.append(
                RuleViolation(
                    "wbl.placement.roster_date", _("The roster cannot be agreed in the future."), "", "roster_agreed_on"
                )
            )
        for p in rows:
            if not may_agree(user, p):
                require(user, P, "change", p)
            if p.status != S.PLANNED:
                problems.append(
                    RuleViolation(
                        "wbl.placement.status",
                        _("%(who)s: the roster is agreed for a planned placement; this one is “%(status)s”.")
                        % {"who": p.learner, "status": p.get_status_display()},
                        "",
                        "status",
                    )
                )
                continue
            if p.consent_on and on < p.consent_on:
                problems.append(
                    RuleViolation(
                        "wbl.placement.roster_date",
                        _("%(who)s: the roster is agreed after the consent of %(day)s.")
                        % {"who": p.learner, "day": rules.day(p.consent_on)},
                        "",
                        "roster_agreed_on",
                    )
                )
            hard, _soft = check(p, rules.AGREE)
            problems += [RuleViolation(v.code, f"{p.learner}: {v.message}", v.source, v.field) for v in hard]
        if problems:
            raise WblInvalid(problems)
        for p in rows:
            p.status, p.roster_agreed_on = S.ROSTER_AGREED, on
            p.save(update_fields=["status", "roster_agreed_on", "updated_at"])
    return rows


def cancel(placement, reason, user):
    """Cancel a placement at any step before it is closed; the reason is kept (its order lines stay as signed)."""
    with transaction.atomic():
        p = locked(P, placement.pk)
        _permission(user, p.institution_id)
        if p.status in (S.CLOSED, S.CANCELLED):
            raise RuleViolation("wbl.placement.status", _("A closed or cancelled placement cannot be cancelled."), "", "status")
        reason = (reason or "").strip()
        if not reason:
            raise RuleViolation("wbl.placement.cancel_reason", _("Say why the placement is cancelled."), "", "cancel_reason")
        p.status, p.cancel_reason = S.CANCELLED, reason
        p.save(update_fields=["status", "cancel_reason", "updated_at"])
    return p


REFERRAL_FORMS = {
    Order.Kind.REFERRAL: (WblForm.PRACTICE, WblForm.DUAL, WblForm.APPRENTICESHIP),
    Order.Kind.INTERNSHIP_REFERRAL: (WblForm.INTERNSHIP,),
    Order.Kind.INTERNSHIP_ADMISSION: (WblForm.INTERNSHIP,),
}


def internship_orders_complete(placement, signing=None):
    """Whether the internship has both orders of п. 41 signed: the institution's referral and the enterprise's admission.

    `signing` is an order being signed in the caller's transaction: it counts as signed when the
    placement is on one of its lines.
    """
    kinds = set(
        OrderLine.objects.filter(
            placement_id=placement.pk,
            order__status=Order.Status.SIGNED,
            order__kind__in=[Order.Kind.INTERNSHIP_REFERRAL, Order.Kind.INTERNSHIP_ADMISSION],
        ).values_list("order__kind", flat=True)
    )
    if signing is not None and OrderLine.objects.filter(order_id=signing.pk, placement_id=placement.pk).exists():
        kinds.add(signing.kind)
    return {Order.Kind.INTERNSHIP_REFERRAL, Order.Kind.INTERNSHIP_ADMISSION} <= kinds


def mark_ordered(placements, order):
    """roster agreed → ordered, when a referral order naming the placements is signed (п. 29, п. 41).

    Called by the orders' workflow inside its own transaction, after the order's lines are saved and
    as it signs the order (its status may still be unsaved): if this raises, the signing must fail
    with it. `order` is a REFERRAL order for practice, dual training and apprenticeship, or an
    INTERNSHIP_REFERRAL / INTERNSHIP_ADMISSION order for internships. Each placement must be on a line
    of the order, of the order's institution, in `roster_agreed`, of a form the order refers, with a
    mentor (VR-40), its group's head of practical training appointed by a signed order (VR-41), for an
    internship the individual programme agreed no later than the order's date (VR-28), and break no
    other hard rule. An internship becomes ordered only when both its orders are signed
    (`internship_orders_complete`); until then it stays in `roster_agreed`.

    Returns the placements now ordered. Raises WblInvalid naming every placement refused; none changes.
    """
    ids = sorted({getattr(p, "pk", p) for p in placements})
    with transaction.atomic():
        rows = list(P.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk"))
        problems = []
        if len(rows) != len(ids):
            problems.append(
                RuleViolation("wbl.placement.rows", _("Some placements of the order no longer exist."), "", "placements")
            )
        forms = REFERRAL_FORMS.get(order.kind)
        if forms is None:
            raise RuleViolation("wbl.order.kind", _("This order does not refer learners to WBL."), "", "kind")
        lined = set(OrderLine.objects.filter(order_id=order.pk, placement_id__in=ids).values_list("placement_id", flat=True))
        dated = order.signed_on or order.dated
        for p in rows:
            who = p.learner

            def refuse(code, message, field="status", source="", who=who):
                problems.append(RuleViolation(code, f"{who}: {message}", source, field))

            if p.institution_id != order.institution_id:
                refuse("wbl.placement.institution", _("the placement is of another institution."))
                continue
            if p.pk not in lined:
                refuse("wbl.order.lines", _("the placement is not on a line of the order."))
            if p.form not in forms:
                refuse(
                    "wbl.order.kind", _("a placement of %(form)s is not referred by this order.") % {"form": p.get_form_display()}
                )
            if p.status != S.ROSTER_AGREED:
                refuse(
                    "wbl.placement.status",
                    _("only a placement whose roster the employer agreed is referred; this one is “%(status)s”.")
                    % {"status": p.get_status_display()},
                )
                continue
            hard, _soft = check(p, rules.ORDER)
            for v in hard:
                refuse(v.code, v.message, v.field, v.source)
            if p.form == WblForm.INTERNSHIP and p.programme_agreed_on and dated and p.programme_agreed_on > dated:
                book = rulebook(p.institution)
                if rules.INTERN_AGREED in book:
                    refuse(
                        rules.INTERN_AGREED,
                        _("the individual programme was agreed on %(agreed)s, after the order of %(order)s.")
                        % {"agreed": rules.day(p.programme_agreed_on), "order": rules.day(dated)},
                        "programme_agreed_on",
                        book[rules.INTERN_AGREED].source,
                    )
        if problems:
            raise WblInvalid(problems)
        done = []
        for p in rows:
            if p.form == WblForm.INTERNSHIP and not internship_orders_complete(p, signing=order):
                continue
            p.status = S.ORDERED
            p.save(update_fields=["status", "updated_at"])
            done.append(p)
    return done


# ----------------------------------------------------------------------------------------------
# Reading: the timeline, "my groups", the numbers that need attention


def timeline(placement):
    """Each change of status, oldest first: {status, label, at, by} (one query on the history)."""
    labels = dict(S.choices)
    entries, last = [], None
    for h in placement.history.select_related("history_user").order_by("history_date", "history_id"):
        if h.status != last:
            entries.append(
                {"status": h.status, "label": labels.get(h.status, h.status), "at": h.history_date, "by": h.history_user}
            )
            last = h.status
    return entries


def supervised_groups(user):
    """Ids of the groups whose head of practical training the user is, by a signed supervisor order (a subquery)."""
    return OrderLine.objects.filter(
        order__kind=Order.Kind.SUPERVISOR,
        order__status=Order.Status.SIGNED,
        supervisor__user=user,
        group__isnull=False,
    ).values("group_id")


def mine_q(user):
    """Placements of the user's groups (appointed by order) or that they supervise themselves."""
    return Q(group_id__in=Subquery(supervised_groups(user))) | Q(supervisor__user=user)


def mine_by_default(user):
    """A head of practical training or a teacher starts from their own groups; managers see the institution."""
    if access.is_system_admin(user):
        return False
    roles = {m.role for m in access.memberships(user)}
    return bool(roles & {Role.HEAD_OF_PRACTICE, Role.TEACHER}) and not roles & {Role.INSTITUTION_ADMIN, Role.HEAD}


ATTENTION_LABELS = {
    "diary_control": gettext_lazy("Placements with diary entries to control"),
    "grading_overdue": gettext_lazy("Placements with diary entries overdue for the mentor's grade"),
    "briefings_missing": gettext_lazy("Starting without all briefings"),
    "no_mentor": gettext_lazy("Under way without a mentor"),
    "ending_no_review": gettext_lazy("Ending soon without a review"),
    "consent_waiting": gettext_lazy("Consent asked in Kesip, not answered"),
    "consent_refused": gettext_lazy("Consent refused: to take off the list"),
}


def attention_q(key, today=None):
    """The condition of one dashboard warning, as a filter on placements (the list and the dashboard share it).

    A diary entry is overdue after the diary grading days of its own institution (`WblSettings`).
    """
    today = today or datetime.date.today()
    soon = today + datetime.timedelta(days=SOON_DAYS)
    if key == "diary_control":
        from kesip.wbl.diary import COUNTED

        entries = DiaryEntry.objects.filter(placement=OuterRef("pk"), status__in=COUNTED, checked_at__isnull=True)
        return Q(Exists(entries))
    if key == "grading_overdue":
        from kesip.wbl.diary import overdue_q

        return Q(Exists(DiaryEntry.objects.filter(overdue_q(), placement=OuterRef("pk"))))
    if key == "briefings_missing":
        missing = Q()
        for kind in Briefing.Kind.values:
            missing |= ~Q(Exists(Briefing.objects.filter(placement=OuterRef("pk"), kind=kind)))
        starting = Q(status__in=[S.PLANNED, S.ROSTER_AGREED, S.ORDERED], starts_on__lte=soon, ends_on__gte=today)
        return starting & missing
    if key == "no_mentor":
        return Q(status__in=IN_PROGRESS) & (Q(mentor__isnull=True) | Q(mentor__is_active=False))
    if key == "ending_no_review":
        return Q(status__in=IN_PROGRESS, ends_on__gte=today, ends_on__lte=soon, review="")
    if key == "consent_waiting":
        return Q(status=S.PLANNED, consent_by=P.Consent.REQUESTED)
    if key == "consent_refused":
        return Q(status__in=[S.PLANNED, S.ROSTER_AGREED], consent_by=P.Consent.REFUSED)
    raise KeyError(key)


# ----------------------------------------------------------------------------------------------
# Monitoring visits of the head of practical training to host employers (п. 56 item 10, п. 57 item 8)


def save_visit(visit, placements, user):
    """Record a visit to an employer, or change one: who visited when, the placements seen, findings, actions.

    The visitor is of the employer's institution and the placements seen are at the visited employer.
    Raises WblInvalid naming every problem; nothing is saved then.
    """
    from kesip.wbl.models import MonitoringVisit

    placements = list(placements or [])
    with transaction.atomic():
        if visit.pk:
            current = locked(MonitoringVisit, visit.pk)
            _permission(user, current.institution_id, "employer")
            visit.institution_id = current.institution_id
        elif visit.employer_id:
            visit.institution_id = visit.employer.institution_id
        problems = []
        if not visit.employer_id:
            problems.append(RuleViolation("wbl.visit.employer", _("Choose the employer visited."), "", "employer"))
        else:
            _permission(user, visit.institution_id, "employer")
            if visit.employer.institution_id != visit.institution_id:
                problems.append(RuleViolation("wbl.visit.employer", _("Choose an employer of this institution."), "", "employer"))
        try:
            visit.full_clean(exclude=["institution"], validate_unique=False)
        except ValidationError as exc:
            for field, messages in exc.message_dict.items():
                problems += [
                    RuleViolation("wbl.visit.invalid", m, "", None if field == NON_FIELD_ERRORS else field) for m in messages
                ]
        if visit.visitor_id and visit.visitor.institution_id != visit.institution_id:
            problems.append(RuleViolation("wbl.visit.visitor", _("Choose a staff member of the institution."), "", "visitor"))
        if visit.visited_on and visit.visited_on > datetime.date.today():
            problems.append(RuleViolation("wbl.visit.date", _("A visit is recorded after it took place."), "", "visited_on"))
        for p in placements:
            if p.employer_id != visit.employer_id:
                problems.append(
                    RuleViolation(
                        "wbl.visit.placements", _("%(placement)s is at another employer.") % {"placement": p}, "", "placements"
                    )
                )
        if problems:
            raise WblInvalid(problems)
        visit.save()
        visit.placements.set(placements)
    return visit


def delete_visit(visit, user):
    from kesip.wbl.models import MonitoringVisit

    with transaction.atomic():
        current = locked(MonitoringVisit, visit.pk)
        _permission(user, current.institution_id)
        current.delete()
