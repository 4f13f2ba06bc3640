"""Orders of WBL: prepared as drafts from placements or groups, signed (numbered from the register), cancelled.

    draft ──sign──▶ signed ──cancel──▶ cancelled        (a draft is also cancelled, or deleted)

Five kinds (`Order.Kind`). The institution's head signs the appointment of heads of practical
training to groups (п. 10, п. 56 item 7; VR-41), the referral to practice — every learner with
employer, type and dates (п. 29; VR-20) — and the referral to internship (п. 41). The employer's
head signs the appointment of mentors for the whole term (п. 2, п. 10; VR-38, VR-39) and the
admission to internship (п. 41); a mentor may instead be appointed by the head of the institution's
production department (п. 10), and any order signed on paper is recorded with its signatory.

Signing takes the number from the register (`numbering`), copies what each line states (learner,
employer, type, dates) so the signed order never changes, and in the same transaction moves the
placements on: a signed referral marks its placements ordered; an internship is ordered once its
referral and its admission are both signed (VR-29). Cancelling a signed order moves its placements
back to “roster agreed” — and is refused while any of them is already beyond “ordered”.

Each step is one function, in one transaction, on the locked order and placements; a refused step
changes nothing (`WblInvalid` lists every broken rule). `user=None` is the system (the demo).
Returned orders carry `warnings` (soft rules, for the page and the API) and, after signing or
cancelling, `moved` (the placements whose status changed).
"""

import datetime
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core import access
from kesip.core.models import Employer, StaffMember, StudyGroup
from kesip.core.roles import EMPLOYER_ROLES, PERMISSIONS, Role
from kesip.core.rules import RuleViolation
from kesip.wbl import bases, common, numbering
from kesip.wbl import order_rules as rules
from kesip.wbl.models import EmployerPerson, Order, OrderLine, Placement, WblForm

K = Order.Kind
S = Placement.Status
DRAFT, SIGNED, CANCELLED = Order.Status.DRAFT, Order.Status.SIGNED, Order.Status.CANCELLED

# What signing copies into each line, so that the signed order reads the same forever.
COPIED = ["learner_name", "employer_name", "practice_type", "form_label", "starts_on", "ends_on", "group", "supervisor", "mentor"]
LINE_SELECT = (
    "placement__student",
    "placement__intern_staff",
    "placement__group",
    "placement__employer",
    "placement__supervisor",
    "placement__mentor",
    "placement__agreement",
    "group__programme",
    "supervisor",
    "mentor",
)
PLACEMENT_SELECT = ("student", "intern_staff", "group", "employer", "supervisor", "mentor", "agreement", "institution")
# Ways of signing: the head (or the employer's representative) in Kesip; a paper signature recorded;
# a mentor appointment by the head of the institution's production department (п. 10).
KESIP, PAPER, PRODUCTION = "kesip", "paper", "production"


def today():
    return datetime.date.today()


def _fail(code, message, field="status", source=""):
    raise RuleViolation(code, message, source, field)


# --- Who may do what ------------------------------------------------------------------------------------------------


def _holds(user, perm, institution_id):
    """The user holds `perm` through a membership of the institution itself (not an employer's or an authority's)."""
    if access.is_system_admin(user):
        return True
    return any(
        m.institution_id == institution_id
        and not m.authority_id
        and m.role not in EMPLOYER_ROLES
        and perm in PERMISSIONS.get(m.role, set())
        for m in access.memberships(user)
    )


def is_representative(user, employer_id):
    """The user is the employer's representative in Kesip (who signs and prepares the employer's orders)."""
    if user is None or access.is_system_admin(user):
        return True
    return any(m.role == Role.EMPLOYER_REP and m.employer_id == employer_id for m in access.memberships(user))


def is_head_login(user, employer_id):
    """The user is the employer's head in Kesip: the login linked to its head among its people, working for it."""
    if user is None or not getattr(user, "pk", None) or not employer_id:
        return False
    if not any(m.employer_id == employer_id and m.role in EMPLOYER_ROLES for m in access.memberships(user)):
        return False
    return EmployerPerson.objects.filter(employer_id=employer_id, is_head=True, is_active=True, user_id=user.pk).exists()


def may_prepare(user, institution_id, employer_id=None):
    """Institution staff who change WBL records prepare any order; an employer's representative, its own orders."""
    if user is None or common.may(user, Order, "change", institution_id):
        return True
    return bool(employer_id) and is_representative(user, employer_id)


def _require_prepare(user, institution_id, employer_id=None):
    if not may_prepare(user, institution_id, employer_id):
        _fail("wbl.permission", _("You may not prepare this order."))


def sign_modes(order, user):
    """The ways this user may sign the draft now: in Kesip, recording a paper signature, by the production department."""
    if order.status != DRAFT:
        return []
    base = own_base(order)
    if base is not None:
        # The institution's own base has no employer's head: the head of the base appoints its mentors (п. 10).
        if order.kind != K.MENTOR:
            return []
        if user is None or common.may(user, Order, "change", order.institution_id):
            return [PRODUCTION]
        return [PRODUCTION] if base.head_id and base.head.user_id == user.pk else []
    if user is None:
        return [KESIP, PAPER] + ([PRODUCTION] if order.kind == K.MENTOR else [])
    staff = common.may(user, Order, "change", order.institution_id)
    head = _holds(user, "sign_order", order.institution_id)
    modes = []
    if order.issued_by_employer:
        rep = is_representative(user, order.employer_id)
        head_login = is_head_login(user, order.employer_id)
        # VR-38: the employer's head issues its orders; the institution's settings say whether its representative
        # signs them in Kesip in the head's name or only the head's own login does.
        if head_login or (rep and common.settings_for(order.institution).employer_order_signer == "representative"):
            modes.append(KESIP)
        if rep or staff or head_login:
            modes.append(PAPER)
        if order.kind == K.MENTOR and (staff or head):
            modes.append(PRODUCTION)
    else:
        if head:
            modes.append(KESIP)
        if head or staff:
            modes.append(PAPER)
    return modes


def may_cancel(order, user):
    """A draft: whoever may prepare it. A signed order: whoever may sign such an order (or record its paper cancellation)."""
    if order.status == DRAFT:
        return may_prepare(user, order.institution_id, order.employer_id if order.issued_by_employer else None)
    if order.status != SIGNED:
        return False
    if user is None:
        return True
    staff = common.may(user, Order, "change", order.institution_id)
    if order.issued_by_employer:
        return staff or is_representative(user, order.employer_id)
    return staff or _holds(user, "sign_order", order.institution_id)


def allowed_steps(order, user):
    """What this user may do with the order now, for the buttons: edit, sign, cancel, delete."""
    steps = set()
    if order.status == DRAFT:
        if may_prepare(user, order.institution_id, order.employer_id if order.issued_by_employer else None):
            steps |= {"edit", "delete", "cancel"}
        if sign_modes(order, user):
            steps.add("sign")
    elif order.status == SIGNED and may_cancel(order, user):
        steps.add("cancel")
    return steps


# --- What a user sees ------------------------------------------------------------------------------------------------


def _outsider(scope):
    return bool(
        scope.employer_ids
        or scope.mentor_user_ids
        or scope.mentor_employer_ids
        or scope.student_user_ids
        or scope.represented_student_ids
    )


def visible_orders(user):
    """The orders the user may read.

    The institution's people read its orders. An employer's people read the employer's own orders
    (mentor appointments, admissions) and, of the institution's orders, the signed or cancelled ones
    naming a placement they see (their learners); a student, the signed orders naming them. An
    outsider reads only those lines of an institution's order (an extract): see `restricted`.
    """
    scope = access.scope_for(user, Order, "view")
    if scope.everything:
        return Order.objects.all()
    q = scope.q("institution", Order)
    if _outsider(scope):
        mine = Placement.objects.for_user(user, "view").values("pk")
        q |= Q(status__in=[SIGNED, CANCELLED], pk__in=OrderLine.objects.filter(placement__in=mine).values("order_id"))
    return Order.objects.filter(q)


def visible_lines(user):
    """The order lines the user may read: all lines of orders read in full, else the lines of their own placements."""
    scope = access.scope_for(user, OrderLine, "view")
    if scope.everything:
        return OrderLine.objects.all()
    q = scope.q("institution", OrderLine)
    if _outsider(scope):
        mine = Placement.objects.for_user(user, "view").values("pk")
        q |= Q(order__status__in=[SIGNED, CANCELLED], placement__in=mine)
    return OrderLine.objects.filter(q)


def restricted(user, order):
    """Whether the user reads only an extract of the order (the lines of their own placements)."""
    scope = access.scope_for(user, Order, "view")
    if scope.everything or order.institution_id in scope.institution_ids:
        return False
    employers = set(scope.employer_ids) | set(scope.mentor_employer_ids)
    return not (order.employer_id and order.employer_id in employers)


def lines_of(order, user=None):
    """The order's lines as they read now (a draft's from its placements, unsaved), in order; an extract for outsiders."""
    qs = order.lines.select_related(*LINE_SELECT).order_by("position", "pk")
    if user is not None and restricted(user, order):
        qs = qs.filter(placement__in=Placement.objects.for_user(user, "view").values("pk"))
    lines = list(qs)
    if order.status == DRAFT:
        prior = _mentor_prior(lines, order.pk) if order.kind == K.MENTOR else {}
        for line in lines:
            line.first_appointment = line.placement_id not in prior
            line.order = order
            _fill(line, order.kind)
    return lines


# --- Lines ----------------------------------------------------------------------------------------------------------


def _fill(line, kind):
    """What the line states, from its placement as it is now (a mentor line keeps its first day when it replaces)."""
    p = line.placement
    if p is None:
        return line
    line.learner_name = str(rules.learner_of(p))
    line.employer_name = p.employer.name if p.employer_id else ""
    line.group = p.group if p.group_id else None
    line.practice_type = p.practice_type if p.form == WblForm.PRACTICE else ""
    line.form_label = rules.form_label(p)
    line.supervisor = p.supervisor if p.supervisor_id else None
    line.mentor = p.mentor if p.mentor_id else None
    if kind == K.MENTOR:
        line.ends_on = p.ends_on
        if getattr(line, "first_appointment", False) or line.starts_on is None:
            line.starts_on = p.starts_on
    else:
        line.starts_on, line.ends_on = p.starts_on, p.ends_on
    return line


def _new_line(order, placement=None, position=0, **values):
    line = OrderLine(institution_id=order.institution_id, placement=placement, position=position, **values)
    line.order = order
    return line


def _sorted(placements):
    return sorted(
        placements,
        key=lambda p: (
            p.group.name if p.group_id else "",
            (rules.learner_of(p).last_name or "").lower(),
            (rules.learner_of(p).first_name or "").lower(),
            p.pk,
        ),
    )


def _load_placements(placements):
    """The placements (objects or ids) with what an order states about them, in the order's order."""
    ids = []
    for p in placements:
        pk = p.pk if isinstance(p, Placement) else p
        try:
            pk = int(pk)
        except (TypeError, ValueError):
            _fail("wbl.order.placements", _("Choose placements from the list."), "placements")
        if pk not in ids:
            ids.append(pk)
    if not ids:
        _fail("wbl.order.placements", _("Choose at least one placement."), "placements")
    found = list(Placement.objects.filter(pk__in=ids).select_related(*PLACEMENT_SELECT))
    if len(found) != len(ids):
        _fail("wbl.order.placements", _("Some of the chosen placements no longer exist."), "placements")
    return _sorted(found)


def _one_institution(records):
    institutions = {r.institution_id for r in records}
    if len(institutions) > 1:
        _fail("wbl.order.institution", _("An order is of one institution: choose records of one institution."), "placements")
    return records[0].institution


def _title(order, lines):
    """How the order is named in the register: its kind and whom it concerns."""
    if order.kind in (K.MENTOR, K.INTERNSHIP_ADMISSION) and order.employer_id:
        names = [order.employer.name]
    elif order.kind in (K.REFERRAL, K.SUPERVISOR):
        names = sorted({str(line.group) for line in lines if line.group is not None})
    else:
        names = []
    if not names and lines:
        names = [ngettext("%(count)s learner", "%(count)s learners", len(lines)) % {"count": len(lines)}]
    shown = ", ".join(names[:4]) + (" …" if len(names) > 4 else "")
    return f"{order.get_kind_display()}: {shown}"[:500] if shown else str(order.get_kind_display())


# --- Checking a draft ------------------------------------------------------------------------------------------------


@dataclass
class Draft:
    """An order as it would be prepared: the unsaved order and lines, what blocks it, what only warns."""

    order: Order
    lines: list
    violations: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def errors_by_field(self):
        found = {}
        for v in self.violations:
            found.setdefault(v.field, []).append(v.message)
        return found

    def warnings_by_field(self):
        found = {}
        for v in self.warnings:
            found.setdefault(v.field, []).append(v.message)
        return found


def _mentor_prior(lines, exclude_order=None):
    ids = [line.placement_id for line in lines if line.placement_id]
    return rules.latest_by_placement(rules.signed_lines(K.MENTOR, ids, exclude_order))


def check_lines(order, lines, book, signing=False):
    """(violations, warnings) of the order's lines, for its kind."""
    kind, exclude = order.kind, order.pk
    hard, soft = [], []
    if kind == K.SUPERVISOR:
        hard += rules.supervisor_violations(lines, order.institution_id, book)
        return hard, soft
    if not lines:
        hard.append(RuleViolation("wbl.order.lines", _("The order names nobody: add at least one line."), "", "lines"))
        return hard, soft
    ids = [line.placement_id for line in lines]
    if kind in (K.INTERNSHIP_REFERRAL, K.INTERNSHIP_ADMISSION):
        hard += rules.internship_violations(lines)
    elif kind == K.REFERRAL:
        hard += [
            RuleViolation(
                "wbl.order.internship",
                _("%(learner)s: an internship is referred by an order of its own.")
                % {"learner": rules.learner_of(line.placement)},
                "",
                rules.field_of(line),
            )
            for line in lines
            if line.placement.form == WblForm.INTERNSHIP
        ]
    if order.issued_by_employer:
        hard += rules.employer_violations(order, lines, book)
    hard += rules.status_violations(kind, lines)
    if kind == K.MENTOR:
        hard += rules.mentor_violations(order, lines, _mentor_prior(lines, exclude), book)
        return hard, soft
    hard += rules.particulars_violations(kind, lines, book)
    if kind in (K.REFERRAL, K.INTERNSHIP_ADMISSION):
        hard += rules.mentor_chosen_violations(lines, book)
    if kind == K.INTERNSHIP_REFERRAL:
        hard += rules.programme_violations(lines, book)
        for line in lines:
            if not line.placement.mentor_id:
                soft.append(
                    RuleViolation(
                        rules.MENTOR_REQUIRED,
                        _("%(learner)s has no mentor yet: the internship is ordered only once the enterprise names one.")
                        % {"learner": rules.learner_of(line.placement)},
                        rules.source(book, rules.MENTOR_REQUIRED),
                        rules.field_of(line),
                    )
                )
    signed = {line.placement_id: line for line in rules.signed_lines(kind, ids, exclude)}
    hard += rules.once_violations(kind, lines, signed, book)
    if kind == K.REFERRAL:
        appointed = rules.appointed_supervisors({line.placement.group_id for line in lines})
        vr41 = rules.supervisor_appointed_violations(lines, appointed, book)
        (hard if signing else soft).extend(vr41)
        soft += rules.supervisor_mismatch_warnings(lines, appointed)
    if not signing:
        drafts = rules.pending_drafts(kind, ids, exclude)
        soft += [
            RuleViolation(
                "wbl.order.draft_elsewhere",
                _("%(learner)s is also on another draft (%(title)s).")
                % {"learner": rules.learner_of(line.placement), "title": drafts[line.placement_id].title},
                "",
                rules.field_of(line),
            )
            for line in lines
            if line.placement_id in drafts
        ]
    return hard, soft


def mark_replacements(order, lines):
    """A mentor appointment's lines name the appointment each replaces (`line.replaces`, a text; "" when none)."""
    for line in lines:
        line.replaces = ""
    if order.kind != K.MENTOR or not lines:
        return lines
    earlier = {}
    for a in rules.signed_lines(K.MENTOR, [line.placement_id for line in lines], exclude_order=order.pk):
        if order.status == DRAFT or (a.order.signed_on, a.order_id) < (order.signed_on, order.pk):
            earlier[a.placement_id] = a
    for line in lines:
        a = earlier.get(line.placement_id)
        if a is not None and a.mentor_id != line.mentor_id:
            line.replaces = _("instead of %(mentor)s") % {"mentor": a.mentor}
    return lines


def _draft(order, lines, book):
    hard, soft = check_lines(order, lines, book)
    soft += rules.started_before_warnings(order.kind, lines, order.dated, book)
    return Draft(order, lines, hard, soft)


def _dated(dated):
    dated = dated or today()
    if dated.year < 1990 or dated.year > 2100:
        _fail("wbl.order.dated", _("Give the order's date."), "dated")
    return dated


def _order(institution, kind, user, dated, employer=None):
    dated = _dated(dated)
    return Order(
        institution=institution,
        kind=kind,
        employer=employer,
        year=dated.year,
        dated=dated,
        created_by=user if getattr(user, "pk", None) else None,
    )


def referral_draft(placements, user, dated=None):
    """The referral the chosen placements would stand on (unsaved): practice, dual training and apprenticeship
    placements make a referral to practice (п. 29), internships a referral to internship (п. 41)."""
    placements = _load_placements(placements)
    institution = _one_institution(placements)
    _require_prepare(user, institution.pk)
    forms = {p.form == WblForm.INTERNSHIP for p in placements}
    if len(forms) > 1:
        _fail(
            "wbl.order.kind",
            _("Internships are referred by an order of their own: choose either internships or other placements."),
            "placements",
        )
    kind = K.INTERNSHIP_REFERRAL if forms.pop() else K.REFERRAL
    order = _order(institution, kind, user, dated)
    lines = [_fill(_new_line(order, p, i), kind) for i, p in enumerate(placements, 1)]
    order.title = _title(order, lines)
    return _draft(order, lines, common.rulebook(institution))


def _employer(employer):
    pk = employer.pk if isinstance(employer, Employer) else employer
    try:
        return Employer.objects.select_related("institution").get(pk=int(pk))
    except (Employer.DoesNotExist, TypeError, ValueError):
        _fail("wbl.order.employer", _("Choose the employer."), "employer")


def _employer_placements(employer, placements):
    placements = _load_placements(placements)
    if any(p.institution_id != employer.institution_id for p in placements):
        _fail("wbl.order.institution", _("An order is of one institution: choose records of one institution."), "placements")
    return placements


def mentor_draft(employer, placements, user, dated=None, starts_on=None):
    """The employer's appointment of the mentors chosen on its placements (unsaved; VR-38, VR-39).

    A first appointment runs over the placement's whole term. Where the placement already has a
    signed appointment of another mentor, this one replaces it from `starts_on` (by default today,
    within the term) to the last day of the term.
    """
    employer = _employer(employer)
    _require_prepare(user, employer.institution_id, employer.pk)
    placements = _employer_placements(employer, placements)
    order = _order(employer.institution, K.MENTOR, user, dated, employer=employer)
    prior = rules.latest_by_placement(rules.signed_lines(K.MENTOR, [p.pk for p in placements]))
    lines = []
    for i, p in enumerate(placements, 1):
        line = _new_line(order, p, i)
        before = prior.get(p.pk)
        if before is None:
            line.first_appointment = True
        else:
            takes_over = starts_on or min(max(today(), p.starts_on, before.starts_on), p.ends_on)
            line.starts_on = takes_over
        lines.append(_fill(line, K.MENTOR))
    order.title = _title(order, lines)
    return _draft(order, lines, common.rulebook(employer.institution))


def admission_draft(employer, placements, user, dated=None):
    """The enterprise's admission to internship of the interns referred to it (unsaved; п. 41, VR-29)."""
    employer = _employer(employer)
    _require_prepare(user, employer.institution_id, employer.pk)
    placements = _employer_placements(employer, placements)
    order = _order(employer.institution, K.INTERNSHIP_ADMISSION, user, dated, employer=employer)
    lines = [_fill(_new_line(order, p, i), order.kind) for i, p in enumerate(placements, 1)]
    order.title = _title(order, lines)
    return _draft(order, lines, common.rulebook(employer.institution))


def _pairs(pairs):
    """[(group, staff, starts_on, ends_on)] from pairs or quadruples of objects or ids (loaded in two queries)."""
    rows = []
    for item in pairs:
        item = tuple(item)
        if len(item) not in (2, 4):
            _fail("wbl.order.lines", _("Name a group and its head of practical training on each line."), "lines")
        group, staff = item[0], item[1]
        starts_on, ends_on = (item[2], item[3]) if len(item) == 4 else (None, None)
        rows.append((getattr(group, "pk", group), getattr(staff, "pk", staff), starts_on, ends_on))
    try:
        group_ids = {int(g) for g, _s, _a, _b in rows if g not in (None, "")}
        staff_ids = {int(s) for _g, s, _a, _b in rows if s not in (None, "")}
    except (TypeError, ValueError):
        _fail("wbl.order.lines", _("Name a group and its head of practical training on each line."), "lines")
    groups = StudyGroup.objects.select_related("programme", "institution").in_bulk(group_ids)
    staff = StaffMember.objects.in_bulk(staff_ids)
    return [
        (
            groups.get(int(g)) if g not in (None, "") else None,
            staff.get(int(s)) if s not in (None, "") else None,
            starts_on,
            ends_on,
        )
        for g, s, starts_on, ends_on in rows
    ]


def supervisor_draft(group_supervisor_pairs, user, dated=None, institution=None):
    """The head's appointment of heads of practical training to groups (unsaved; п. 10, п. 56 item 7; VR-41).

    Each pair is (group, staff member), optionally with the period (group, staff, from, to).
    """
    rows = _pairs(group_supervisor_pairs)
    known = [g for g, _s, _a, _b in rows if g is not None]
    if institution is None:
        if not known:
            _fail("wbl.order.lines", _("Name at least one group and its head of practical training."), "lines")
        institution = _one_institution(known)
    _require_prepare(user, institution.pk)
    order = _order(institution, K.SUPERVISOR, user, dated)
    lines = []
    for i, (group, staff, starts_on, ends_on) in enumerate(
        sorted(rows, key=lambda r: (r[0].name if r[0] else "", str(r[1] or ""))), 1
    ):
        lines.append(_new_line(order, None, i, group=group, supervisor=staff, starts_on=starts_on, ends_on=ends_on))
    order.title = _title(order, lines)
    return _draft(order, lines, common.rulebook(institution))


def _save(draft):
    common.raise_all(draft.violations)
    order = draft.order
    with transaction.atomic():
        order.save()
        for line in draft.lines:
            line.order = order
        OrderLine.objects.bulk_create(draft.lines)
    order.warnings = draft.warnings
    return order


def prepare_referral(placements, user, dated=None):
    """Save the draft referral (to practice, or to internship) with one line per placement; raises WblInvalid."""
    return _save(referral_draft(placements, user, dated))


def prepare_supervisor(group_supervisor_pairs, user, dated=None):
    """Save the draft appointment of heads of practical training to groups; raises WblInvalid."""
    return _save(supervisor_draft(group_supervisor_pairs, user, dated))


def prepare_mentor(employer, placements, user, dated=None, starts_on=None):
    """Save the employer's draft appointment of the placements' mentors for their whole term; raises WblInvalid."""
    return _save(mentor_draft(employer, placements, user, dated, starts_on))


def prepare_internship_admission(employer, placements, user, dated=None):
    """Save the enterprise's draft admission to internship; raises WblInvalid."""
    return _save(admission_draft(employer, placements, user, dated))


# --- Editing a draft -------------------------------------------------------------------------------------------------


def _locked_draft(order, user, message):
    order = common.locked(Order, order.pk, "institution", "employer")
    common.expect_status(order, (DRAFT,), message)
    _require_prepare(user, order.institution_id, order.employer_id if order.issued_by_employer else None)
    return order


def edit_draft(order, user, title=None, preamble=None, dated=None):
    """Change the title in the register, the additional basis, or the date of a draft."""
    with transaction.atomic():
        order = _locked_draft(order, user, _("A signed order is not changed; cancel it and prepare a new one."))
        if title is not None:
            title = title.strip()
            if not title:
                _fail("wbl.order.title", _("Give the order a title."), "title")
            order.title = title[:500]
        if preamble is not None:
            order.preamble = preamble.strip()
        if dated is not None:
            order.dated = _dated(dated)
            order.year = order.dated.year
        order.save()
    return order


def edit_lines(order, user, add=(), remove=(), supervisors=None, starts=None):
    """Change the lines of a draft: add placements (or, for heads of practical training, group–staff pairs),
    remove lines, change a group's head of practical training (`supervisors` {line id: staff}) or the day a
    replacing mentor takes over (`starts` {line id: date}). The whole draft is checked again; raises WblInvalid."""
    with transaction.atomic():
        order = _locked_draft(order, user, _("A signed order is not changed; cancel it and prepare a new one."))
        book = common.rulebook(order.institution)
        lines = list(order.lines.select_related(*LINE_SELECT).order_by("position", "pk"))
        by_id = {line.pk: line for line in lines}
        remove = {int(pk) for pk in remove}
        if remove - set(by_id):
            _fail("wbl.order.lines", _("That line is not on this order."), "lines")
        old_title = _title(order, [_fill(line, order.kind) for line in lines])
        kept = [line for line in lines if line.pk not in remove]
        for line in kept:
            line.order = order
        changed = set()
        for pk, staff in (supervisors or {}).items():
            line = by_id.get(int(pk))
            if line is None or order.kind != K.SUPERVISOR or line.pk in remove:
                _fail("wbl.order.lines", _("That line is not on this order."), "lines")
            line.supervisor = StaffMember.objects.filter(pk=getattr(staff, "pk", staff)).first()
            changed.add(line.pk)
        for pk, starts_on in (starts or {}).items():
            line = by_id.get(int(pk))
            if line is None or order.kind != K.MENTOR or line.pk in remove:
                _fail("wbl.order.lines", _("That line is not on this order."), "lines")
            line.starts_on = starts_on
            changed.add(line.pk)
        new = _added_lines(order, add, kept)
        every = kept + new
        if order.kind == K.MENTOR:
            prior = _mentor_prior(every, order.pk)
            for line in every:
                line.first_appointment = line.placement_id not in prior
        for line in every:
            _fill(line, order.kind)
        if not every:
            _fail("wbl.order.lines", _("An order keeps at least one line; delete the draft instead."), "lines")
        hard, soft = check_lines(order, every, book)
        common.raise_all(hard)
        OrderLine.objects.filter(order=order, pk__in=remove).delete()
        for i, line in enumerate(every, 1):
            line.position = i
        OrderLine.objects.bulk_create(new)
        OrderLine.objects.bulk_update(kept, ["position", "supervisor", "starts_on"])
        if order.title == old_title:
            order.title = _title(order, every)
        order.save()
    order.warnings = soft
    return order


def _added_lines(order, add, kept):
    add = list(add or ())
    if not add:
        return []
    if order.kind == K.SUPERVISOR:
        return [_new_line(order, None, 0, group=g, supervisor=s, starts_on=a, ends_on=b) for g, s, a, b in _pairs(add)]
    placements = _load_placements(add)
    on = {line.placement_id for line in kept}
    twice = [p for p in placements if p.pk in on]
    if twice:
        _fail(
            "wbl.order.lines",
            _("%(learner)s is already on this order.") % {"learner": rules.learner_of(twice[0])},
            f"placement-{twice[0].pk}",
        )
    if any(p.institution_id != order.institution_id for p in placements):
        _fail("wbl.order.institution", _("An order is of one institution: choose records of one institution."), "placements")
    new = [_new_line(order, p, 0) for p in placements]
    if order.kind == K.MENTOR:
        prior = _mentor_prior(new, order.pk)
        for line in new:
            before = prior.get(line.placement_id)
            if before is not None:
                p = line.placement
                line.starts_on = min(max(today(), p.starts_on, before.starts_on), p.ends_on)
    return new


def delete_draft(order, user):
    """Delete a draft with its lines (it never had a number)."""
    with transaction.atomic():
        order = _locked_draft(order, user, _("A signed order is not deleted; cancel it instead."))
        order.delete()


# --- Signing ---------------------------------------------------------------------------------------------------------


def own_base(order):
    """The institution's own base whose host issues the order, or None (one query, for a base's order only)."""
    if not order.issued_by_employer or not order.employer_id:
        return None
    return bases.base_of(order.employer)


def employer_head(employer_id):
    """The employer's head as registered among its people (signs its orders), or None."""
    return (
        EmployerPerson.objects.filter(employer_id=employer_id, is_head=True, is_active=True).order_by("pk").first()
        if employer_id
        else None
    )


def signatory_defaults(order, user, mode):
    """(name, position) the sign form starts from: the head signing in Kesip, the institution's or employer's head."""
    if order.issued_by_employer and mode != PRODUCTION:
        head = employer_head(order.employer_id)
        if head is not None:
            return str(head), head.position
        if mode == KESIP and user is not None:
            return user.display_name(), ""
        return "", ""
    if mode == PRODUCTION:
        base = own_base(order)
        if base is not None and base.head_id:
            return str(base.head), _("Head of %(base)s") % {"base": base.name}
        return "", _("Head of the production department of the institution")
    if mode == KESIP and user is not None:
        return user.display_name(), ""
    return order.institution.head, ""


def _signatory_violation(order, book):
    base = own_base(order)
    if base is not None:
        message = _(
            "At the institution's own base %(base)s the mentors are appointed by the head of the base (п. 10): "
            "sign the order as the head of the base."
        ) % {"base": base}
        return RuleViolation("wbl.order.signatory", message, rules.source(book, rules.MENTOR_SIGNATORY), "signatory_name")
    if order.issued_by_employer and common.settings_for(order.institution).employer_order_signer == "head":
        message = _(
            "The institution's WBL settings let only the employer's head sign its orders in Kesip, with their own login "
            "(VR-38); the employer's representative or the institution may record that the head signed it on paper."
        )
        return RuleViolation("wbl.order.signatory", message, rules.source(book, rules.MENTOR_SIGNATORY), "signatory_name")
    if order.kind == K.MENTOR:
        message = _(
            "A mentor is appointed by the employer's head — signed in Kesip by the employer's representative, or recorded "
            "as signed on paper — or by the head of the institution's production department."
        )
        return RuleViolation("wbl.order.signatory", message, rules.source(book, rules.MENTOR_SIGNATORY), "signatory_name")
    if order.issued_by_employer:
        message = _(
            "The employer's order is signed in Kesip by the employer's representative; the institution may record "
            "that it was signed on paper."
        )
        return RuleViolation("wbl.order.signatory", message, "", "signatory_name")
    message = _("Only the head of the institution signs its orders; a signature on paper may be recorded instead.")
    return RuleViolation("wbl.order.signatory", message, rules.source(book, rules.INSTITUTION_SIGNATORY), "signatory_name")


def _signing_day(signed_on, on):
    """The day of the signature: today by default (the pages and the API give another day only for paper)."""
    signed_on = signed_on or on
    if signed_on > on:
        _fail("wbl.order.signed_on", _("A signature cannot be dated in the future."), "signed_on")
    if signed_on.year < 1990:
        _fail("wbl.order.signed_on", _("Give the day the order was signed."), "signed_on")
    return signed_on


def _lock_placements(order):
    ids = [pk for pk in order.lines.values_list("placement_id", flat=True) if pk]
    return list(Placement.objects.select_for_update(of=("self",)).filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))


def _placement_steps():
    from kesip.wbl import placements

    return placements


def _advance(order, lines):
    """Move the placements the signed order refers on: roster agreed → ordered (`placements.mark_ordered`, in this
    transaction). An internship moves only once its referral and its admission are both signed (VR-29)."""
    if order.kind not in (K.REFERRAL, K.INTERNSHIP_REFERRAL, K.INTERNSHIP_ADMISSION):
        return []
    targets = [line.placement for line in lines if line.placement.status == S.ROSTER_AGREED]
    return list(_placement_steps().mark_ordered(targets, order) or []) if targets else []


def sign(order, user, signatory_name=None, signatory_position=None, signed_on=None, outside=False, production_head=False):
    """Sign the draft: a number from the register, the lines' texts copied, the placements moved on (one transaction).

    In Kesip (`outside=False`) the head of the institution signs its orders and the employer's
    representative the employer's; `outside=True` records a signature on paper (institution staff, or the
    employer's representative) with the signatory's name and the day; `production_head=True` records a
    mentor appointment by the head of the institution's production department (п. 10). Raises
    RuleViolation or WblInvalid; returns the order with `warnings` and `moved`.
    """
    on = today()
    mode = PRODUCTION if production_head else (PAPER if outside else KESIP)
    with transaction.atomic():
        order = common.locked(Order, order.pk, "institution", "employer")
        common.expect_status(
            order, (DRAFT,), _("Only a draft is signed: this order is %(status)s.") % {"status": order.get_status_display()}
        )
        book = common.rulebook(order.institution)
        if mode == PRODUCTION and order.kind != K.MENTOR:
            _fail(
                "wbl.order.signatory",
                _("Only a mentor appointment may be signed by the head of the institution's production department."),
                "signatory_name",
            )
        if mode not in sign_modes(order, user):
            raise _signatory_violation(order, book)
        default_name, default_position = signatory_defaults(order, user, mode)
        name = (signatory_name or "").strip() or (default_name or "").strip()
        position = (signatory_position or "").strip() or (default_position or "").strip()
        if not name:
            _fail("wbl.order.signatory", _("Name who signed the order."), "signatory_name")
        signed_on = _signing_day(signed_on, on)
        _lock_placements(order)
        lines = list(order.lines.select_related(*LINE_SELECT).order_by("position", "pk"))
        if order.kind == K.MENTOR:
            prior = _mentor_prior(lines, order.pk)
            for line in lines:
                line.first_appointment = line.placement_id not in prior
        for line in lines:
            line.order = order
            _fill(line, order.kind)
        hard, soft = check_lines(order, lines, book, signing=True)
        if not lines:
            hard.append(RuleViolation("wbl.order.lines", _("The order names nobody: add at least one line."), "", "lines"))
        common.raise_all(hard)
        soft += rules.started_before_warnings(order.kind, lines, signed_on, book)
        issuer = order.employer if order.issued_by_employer else None
        order.number = numbering.next_number(order.institution, signed_on.year, Order.SERIES[order.kind], employer=issuer)
        order.year, order.dated, order.signed_on = signed_on.year, signed_on, signed_on
        order.status = SIGNED
        order.signatory_name, order.signatory_position = name[:255], position[:255]
        order.signed_by = user if mode == KESIP and getattr(user, "pk", None) else None
        order.signed_outside = mode != KESIP
        order.save()
        OrderLine.objects.bulk_update(lines, COPIED)
        moved = _advance(order, lines)
    order.warnings, order.moved = soft, moved
    return order


# --- Cancelling ------------------------------------------------------------------------------------------------------


def _unorder(placements, reason):
    """Placements the cancelled order had referred go back to “roster agreed” (their history records the reason)."""
    for p in placements:
        p.status = S.ROSTER_AGREED
        p._change_reason = reason[:100]
        p.save(update_fields=["status", "updated_at"])


def cancel(order, reason, user):
    """Cancel a draft, or a signed order (its placements go back to “roster agreed”).

    A signed order whose placement is already beyond “ordered” (briefed, under way, finished) is not
    cancelled: the placement does not move back by itself — cancel or finish the placement first.
    A mentor appointment of a placement under way is cancelled only when a later one covers it.
    """
    reason = (reason or "").strip()
    if not reason:
        _fail("wbl.order.reason", _("Say why the order is cancelled."), "reason")
    with transaction.atomic():
        order = common.locked(Order, order.pk, "institution", "employer")
        common.expect_status(order, (DRAFT, SIGNED), _("The order is already cancelled."))
        if not may_cancel(order, user):
            if order.status == SIGNED:
                raise _signatory_violation(order, common.rulebook(order.institution))
            _fail("wbl.permission", _("You may not take this step."))
        was_signed = order.status == SIGNED
        moved, warnings = [], []
        if was_signed:
            _lock_placements(order)
            book = common.rulebook(order.institution)
            lines = list(order.lines.select_related(*LINE_SELECT).order_by("position", "pk"))
            moved, warnings = _withdraw(order, lines, book)
        order.status = CANCELLED
        order.cancel_reason = reason
        order.save()
        if moved:
            _unorder(moved, reason)
    order.warnings, order.moved = warnings, moved
    return order


def _withdraw(order, lines, book):
    """(placements to move back, warnings) of cancelling the signed order; refuses what cannot be withdrawn."""
    kind = order.kind
    if kind == K.SUPERVISOR:
        groups = {line.group_id for line in lines}
        still = rules.appointed_supervisors(groups, exclude_order=order.pk)
        open_groups = set(
            Placement.objects.filter(group_id__in=groups, status__in=[S.ORDERED, S.BRIEFED, S.ACTIVE]).values_list(
                "group_id", flat=True
            )
        )
        return [], [
            RuleViolation(
                rules.SUPERVISOR_PER_GROUP,
                _("Group %(group)s is left without an appointed head of practical training while its learners are in WBL.")
                % {"group": line.group},
                rules.source(book, rules.SUPERVISOR_PER_GROUP),
                rules.field_of(line),
            )
            for line in lines
            if line.group_id in open_groups and not still.get(line.group_id)
        ]
    if kind == K.MENTOR:
        later = {}
        for a in rules.signed_lines(K.MENTOR, [line.placement_id for line in lines], exclude_order=order.pk):
            later.setdefault(a.placement_id, []).append(a)
        refused = [
            RuleViolation(
                rules.MENTOR_TERM,
                _(
                    "%(learner)s is already under way with this mentor: appoint the new mentor by a new order first "
                    "(the appointment covers the whole term)."
                )
                % {"learner": rules.learner_of(line.placement)},
                rules.source(book, rules.MENTOR_TERM),
                rules.field_of(line),
            )
            for line in lines
            if line.placement.status in rules.BEYOND_ORDERED and not later.get(line.placement_id)
        ]
        common.raise_all(refused)
        return [], []
    beyond = [line for line in lines if line.placement.status in rules.BEYOND_ORDERED]
    if beyond:
        common.raise_all(
            [
                RuleViolation(
                    "wbl.order.cancel.beyond",
                    _(
                        "%(learner)s is already “%(status)s”: the placement does not go back by itself. Cancel or finish "
                        "the placement first; then the order may be cancelled."
                    )
                    % {"learner": rules.learner_of(line.placement), "status": line.placement.get_status_display()},
                    "",
                    rules.field_of(line),
                )
                for line in beyond
            ]
        )
    ordered = [line.placement for line in lines if line.placement.status == S.ORDERED]
    if kind == K.REFERRAL:
        return ordered, []
    # An internship stays ordered only while both its orders are signed.
    still = rules.internship_ready([p.pk for p in ordered], exclude_order=order.pk) if ordered else set()
    return [p for p in ordered if p.pk not in still], []
