"""The regulation's rules for orders, as plain functions: each takes the lines of an order and returns
the RuleViolations it finds (an empty list when there are none).

A rule drawn from the regulation applies where the institution's rulebook holds its code (a code
absent for a country does not apply there: Kazakh institutions have almost none of these).
What the workflow itself needs — the placement's status, the same institution, a mentor chosen
on the placement, one signed order of a kind per placement — holds everywhere; where the
regulation speaks of it too, its source is named.

    VR-20  a referral states, for every learner, the employer, the type of practice and the dates (п. 29)
    VR-28  an internship is referred only with its individual programme agreed (п. 39, 40, 42)
    VR-29  an internship is ordered once both its referral and its admission are signed (п. 41; the placements'
           workflow orders it, in either country)
    VR-38  a mentor is the host employer's mentor; the order is signed by its head or by the head of
           the institution's production department (п. 2, 10, 48)
    VR-39  a mentor's appointment runs over the whole term; a replacement is a new order (п. 2)
    VR-41  each group has a head of practical training appointed by the head's order (п. 10, п. 56 item 7)
"""

import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation
from kesip.wbl.models import Order, OrderLine, Placement, WblForm

LINE_PARTICULARS = "wbl.order.referral.line_particulars"
INSTITUTION_SIGNATORY = "wbl.order.institution.signatory"
MENTOR_SIGNATORY = "wbl.order.mentor.signatory"
MENTOR_HOST = "wbl.mentor.host_employee"
MENTOR_TERM = "wbl.order.mentor.whole_term"
MENTOR_REQUIRED = "wbl.mentor.min_per_learner_or_group"
SUPERVISOR_PER_GROUP = "wbl.supervisor.min_per_group"
INTERNSHIP_ORDERS = "wbl.internship.orders.min"
INTERNSHIP_PROGRAMME = "wbl.internship.programme_agreed"
ONE_PER_KIND = "wbl.order.placement.max_signed_per_kind"

K = Order.Kind
S = Placement.Status

# The statuses a placement may be in to stand on a new order of each kind.
OPEN_FOR = {
    K.REFERRAL: (S.ROSTER_AGREED,),
    K.INTERNSHIP_REFERRAL: (S.ROSTER_AGREED,),
    K.INTERNSHIP_ADMISSION: (S.ROSTER_AGREED,),
    K.MENTOR: (S.PLANNED, S.ROSTER_AGREED, S.ORDERED, S.BRIEFED, S.ACTIVE),
}
# A placement beyond “ordered”: briefed, under way, or finished. An order it stands on is not withdrawn.
BEYOND_ORDERED = (S.BRIEFED, S.ACTIVE, S.COMPLETED, S.ASSESSED, S.CLOSED)
# Kinds a placement stands on at most once (signed, not cancelled). Mentors are replaced by a new order.
ONCE_PER_PLACEMENT = (K.REFERRAL, K.INTERNSHIP_REFERRAL, K.INTERNSHIP_ADMISSION)


def day(value):
    return date_format(value, "d.m.Y") if value else "—"


def source(book, *codes):
    """The legal source of the first of `codes` the rulebook holds ("" when none applies)."""
    for code in codes:
        if code in book:
            return book[code].source
    return ""


def _applies(book, code):
    return code in book


def learner_of(placement):
    return placement.student or placement.intern_staff


def form_label(placement):
    """What the learner undergoes, as the order names it: the type of practice, else the form of WBL."""
    if placement.form == WblForm.PRACTICE and placement.practice_type:
        return placement.get_practice_type_display()
    if placement.form == WblForm.INTERNSHIP and placement.internship_type:
        return placement.get_internship_type_display()
    return placement.get_form_display()


def field_of(line):
    """The name a line's violations carry, so a page shows them on the line's row."""
    if line.placement_id:
        return f"placement-{line.placement_id}"
    return f"group-{line.group_id}" if line.group_id else "lines"


def order_label(order):
    return _("order № %(number)s of %(date)s") % {"number": order.number or "—", "date": day(order.signed_on or order.dated)}


# --- Lines of learners: referral, internship referral, admission, mentors ---------------------------------------


def status_violations(kind, lines):
    """Every line's placement is in a status the kind of order takes (the workflow; everywhere)."""
    found = []
    allowed = OPEN_FOR[kind]
    for line in lines:
        p = line.placement
        if p.status in allowed:
            continue
        if kind in (K.REFERRAL, K.INTERNSHIP_REFERRAL) and p.status == S.PLANNED:
            message = _("%(learner)s: the roster is not agreed with the employer yet; only agreed placements are referred.")
        else:
            message = _("%(learner)s: the placement is “%(status)s”, so it cannot stand on this order.")
        found.append(
            RuleViolation(
                f"wbl.order.{kind}.status",
                message % {"learner": learner_of(p), "status": p.get_status_display()},
                "",
                field_of(line),
            )
        )
    return found


def particulars_violations(kind, lines, book):
    """VR-20 (п. 29): each line states the employer, the type of practice (for practice) and the dates; else nothing is signed."""
    if not _applies(book, LINE_PARTICULARS) or kind not in (K.REFERRAL, K.INTERNSHIP_REFERRAL):
        return []
    found = []
    for line in lines:
        missing = []
        if not line.employer_name:
            missing.append(_("the employer"))
        if line.placement.form == WblForm.PRACTICE and not line.practice_type:
            missing.append(_("the type of practice"))
        if not line.starts_on or not line.ends_on:
            missing.append(_("the dates"))
        if missing:
            found.append(
                RuleViolation(
                    LINE_PARTICULARS,
                    _("%(learner)s: the order must state %(missing)s.")
                    % {"learner": line.learner_name or learner_of(line.placement), "missing": ", ".join(missing)},
                    book[LINE_PARTICULARS].source,
                    field_of(line),
                )
            )
    return found


def mentor_chosen_violations(lines, book):
    """The placement has its mentor: the referral moves it on only with one (п. 57 item 7; the placements' rule)."""
    found = []
    for line in lines:
        if not line.placement.mentor_id:
            found.append(
                RuleViolation(
                    MENTOR_REQUIRED,
                    _("%(learner)s has no mentor: the employer chooses the mentor before the learner is referred.")
                    % {"learner": learner_of(line.placement)},
                    source(book, MENTOR_REQUIRED),
                    field_of(line),
                )
            )
    return found


def programme_violations(lines, book):
    """VR-28: an internship is referred only once its individual programme is written and agreed with the enterprise."""
    if not _applies(book, INTERNSHIP_PROGRAMME):
        return []
    found = []
    for line in lines:
        p = line.placement
        if not p.individual_programme.strip() or not p.programme_agreed_on:
            found.append(
                RuleViolation(
                    INTERNSHIP_PROGRAMME,
                    _("%(learner)s: the individual internship programme is not agreed with the enterprise yet.")
                    % {"learner": learner_of(p)},
                    book[INTERNSHIP_PROGRAMME].source,
                    field_of(line),
                )
            )
    return found


def employer_violations(order, lines, book):
    """An employer's order concerns only placements at that employer."""
    found = []
    for line in lines:
        if line.placement.employer_id != order.employer_id:
            found.append(
                RuleViolation(
                    "wbl.order.employer",
                    _("%(learner)s is placed with %(employer)s, not with the employer issuing this order.")
                    % {"learner": learner_of(line.placement), "employer": line.placement.employer},
                    source(book, MENTOR_HOST, MENTOR_SIGNATORY) if order.kind == K.MENTOR else "",
                    field_of(line),
                )
            )
    return found


def internship_violations(lines):
    found = []
    for line in lines:
        if line.placement.form != WblForm.INTERNSHIP:
            found.append(
                RuleViolation(
                    "wbl.order.internship",
                    _("%(learner)s: this placement is not an internship.") % {"learner": learner_of(line.placement)},
                    "",
                    field_of(line),
                )
            )
    return found


def signed_lines(kind, placement_ids, exclude_order=None):
    """The lines of signed orders of `kind` naming these placements, oldest appointment first."""
    qs = OrderLine.objects.filter(order__kind=kind, order__status=Order.Status.SIGNED, placement_id__in=list(placement_ids))
    if exclude_order is not None:
        qs = qs.exclude(order_id=exclude_order)
    return list(qs.select_related("order", "mentor").order_by("placement_id", "starts_on", "order__signed_on", "pk"))


def latest_by_placement(lines):
    """The last signed line of each placement (for mentors: the appointment in force at the end of the term)."""
    latest = {}
    for line in lines:
        latest[line.placement_id] = line
    return latest


def once_violations(kind, lines, signed, book):
    """A placement stands on one signed order of a referral or admission kind (the first is cancelled before another)."""
    if kind not in ONCE_PER_PLACEMENT:
        return []
    found = []
    for line in lines:
        other = signed.get(line.placement_id)
        if other is not None:
            found.append(
                RuleViolation(
                    ONE_PER_KIND,
                    _("%(learner)s already stands on %(order)s; cancel it before ordering again.")
                    % {"learner": learner_of(line.placement), "order": order_label(other.order)},
                    source(book, ONE_PER_KIND),
                    field_of(line),
                )
            )
    return found


def mentor_violations(order, lines, prior, book):
    """VR-38 and VR-39 for each line of a mentor appointment.

    The mentor is the one chosen on the placement, a registered, working mentor of the employer
    issuing the order. The first appointment runs over the placement's whole term; a later one
    (the placement's mentor was replaced) runs from its own first day — not before the appointment
    it replaces — to the last day of the term. Appointing the mentor already appointed is refused.
    """
    found = []
    host = source(book, MENTOR_HOST, MENTOR_SIGNATORY)
    term = source(book, MENTOR_TERM)
    for line in lines:
        p, field = line.placement, field_of(line)
        learner = learner_of(p)
        mentor = p.mentor
        if mentor is None:
            found.append(
                RuleViolation(
                    MENTOR_REQUIRED,
                    _("%(learner)s: choose the mentor on the placement first.") % {"learner": learner},
                    source(book, MENTOR_REQUIRED),
                    field,
                )
            )
            continue
        if mentor.employer_id != order.employer_id or not mentor.is_mentor or not mentor.is_active:
            found.append(
                RuleViolation(
                    MENTOR_HOST,
                    _("%(mentor)s is not a working mentor of %(employer)s.") % {"mentor": mentor, "employer": order.employer},
                    host,
                    field,
                )
            )
        before = prior.get(p.pk)
        if before is not None and before.mentor_id == mentor.pk:
            found.append(
                RuleViolation(
                    ONE_PER_KIND,
                    _("%(mentor)s is already the appointed mentor of %(learner)s (%(order)s).")
                    % {"mentor": mentor, "learner": learner, "order": order_label(before.order)},
                    source(book, ONE_PER_KIND),
                    field,
                )
            )
            continue
        first_day = before.starts_on if before is not None else p.starts_on
        if line.ends_on != p.ends_on or line.starts_on is None:
            found.append(
                RuleViolation(
                    MENTOR_TERM,
                    _("%(learner)s: a mentor is appointed to the last day of the placement (%(to)s).")
                    % {"learner": learner, "to": day(p.ends_on)},
                    term,
                    field,
                )
            )
        elif before is None and line.starts_on != p.starts_on:
            found.append(
                RuleViolation(
                    MENTOR_TERM,
                    _("%(learner)s: the first mentor is appointed for the whole term, from %(from)s to %(to)s.")
                    % {"learner": learner, "from": day(p.starts_on), "to": day(p.ends_on)},
                    term,
                    field,
                )
            )
        elif before is not None and not (first_day <= line.starts_on <= p.ends_on):
            found.append(
                RuleViolation(
                    MENTOR_TERM,
                    _(
                        "%(learner)s: the new mentor takes over on a day from %(from)s (the earlier appointment) to %(to)s "
                        "(the end of the placement)."
                    )
                    % {"learner": learner, "from": day(first_day), "to": day(p.ends_on)},
                    term,
                    field,
                )
            )
    return found


def mentor_gaps(placement, appointments):
    """VR-39: the days of the placement's term no signed appointment covers, as (from, to) ranges.

    `appointments` are the signed mentor lines of the placement. Each runs from its first day to
    its last; a placement whose dates moved after its appointment shows the uncovered days.
    """
    spans = sorted((a.starts_on, a.ends_on) for a in appointments if a.starts_on and a.ends_on)
    gaps, cursor = [], placement.starts_on
    for start, end in spans:
        if end < cursor:
            continue
        if start > cursor:
            gaps.append((cursor, min(start - datetime.timedelta(days=1), placement.ends_on)))
        cursor = max(cursor, end + datetime.timedelta(days=1))
        if cursor > placement.ends_on:
            break
    if cursor <= placement.ends_on:
        gaps.append((cursor, placement.ends_on))
    return [(a, b) for a, b in gaps if a <= b and a <= placement.ends_on]


def mentor_in_charge(placement, appointments, on):
    """The appointment in force on the day `on`: the latest-starting signed line that has begun by then."""
    current = None
    for a in sorted(appointments, key=lambda a: (a.starts_on, a.order.signed_on or a.order.dated, a.pk)):
        if a.starts_on and a.starts_on <= on <= (a.ends_on or on):
            current = a
    return current


# --- Lines of groups: heads of practical training ------------------------------------------------------------------


def supervisor_violations(lines, institution_id, book):
    """VR-41: each line names a group of the institution and a working staff member as its head of practical training."""
    found = []
    source_ = source(book, SUPERVISOR_PER_GROUP, INSTITUTION_SIGNATORY)
    if not lines:
        found.append(
            RuleViolation(
                SUPERVISOR_PER_GROUP, _("Name at least one group and its head of practical training."), source_, "lines"
            )
        )
    seen = set()
    for line in lines:
        field = field_of(line)
        if line.group is None or line.group.institution_id != institution_id:
            found.append(RuleViolation("wbl.order.group", _("Choose a group of this institution."), "", field))
            continue
        if line.supervisor is None:
            found.append(
                RuleViolation(
                    SUPERVISOR_PER_GROUP,
                    _("Group %(group)s: name its head of practical training.") % {"group": line.group},
                    source_,
                    field,
                )
            )
            continue
        if line.supervisor.institution_id != institution_id or not line.supervisor.is_active:
            found.append(
                RuleViolation(
                    "wbl.order.supervisor",
                    _("%(staff)s is not a working staff member of this institution.") % {"staff": line.supervisor},
                    "",
                    field,
                )
            )
        if (line.group_id, line.supervisor_id) in seen:
            found.append(
                RuleViolation(
                    "wbl.order.supervisor.twice",
                    _("%(staff)s is named twice for group %(group)s.") % {"staff": line.supervisor, "group": line.group},
                    "",
                    field,
                )
            )
        seen.add((line.group_id, line.supervisor_id))
        if line.starts_on and line.ends_on and line.ends_on < line.starts_on:
            found.append(RuleViolation("wbl.order.dates", _("The period cannot end before it starts."), "", field))
    return found


def appointed_supervisors(group_ids, exclude_order=None):
    """{group id: [signed lines appointing its heads of practical training]} (one query)."""
    qs = OrderLine.objects.filter(
        order__kind=K.SUPERVISOR, order__status=Order.Status.SIGNED, group_id__in=[g for g in group_ids if g]
    ).select_related("order", "supervisor")
    if exclude_order is not None:
        qs = qs.exclude(order_id=exclude_order)
    found = {}
    for line in qs.order_by("order__signed_on", "pk"):
        found.setdefault(line.group_id, []).append(line)
    return found


def covers(appointment, starts_on, ends_on):
    """An appointment with a period covers a placement whose term meets it; one without a period covers any."""
    if appointment.starts_on and appointment.starts_on > ends_on:
        return False
    return not (appointment.ends_on and appointment.ends_on < starts_on)


def supervisor_appointed_violations(lines, appointed, book):
    """VR-41 at the referral: each group it sends has a head of practical training appointed by a signed order."""
    if not _applies(book, SUPERVISOR_PER_GROUP):
        return []
    found, reported = [], set()
    for line in lines:
        p = line.placement
        if not p.group_id or p.group_id in reported:
            continue
        if any(covers(a, p.starts_on, p.ends_on) for a in appointed.get(p.group_id, [])):
            continue
        reported.add(p.group_id)
        found.append(
            RuleViolation(
                SUPERVISOR_PER_GROUP,
                _("Group %(group)s has no head of practical training appointed by a signed order for these dates.")
                % {"group": p.group},
                book[SUPERVISOR_PER_GROUP].source,
                field_of(line),
            )
        )
    return found


def supervisor_mismatch_warnings(lines, appointed):
    """Soft: the placement names a head of practical training other than the one appointed to its group."""
    found = []
    for line in lines:
        p = line.placement
        heads = [a for a in appointed.get(p.group_id, []) if covers(a, p.starts_on, p.ends_on)]
        if heads and p.supervisor_id and p.supervisor_id not in {a.supervisor_id for a in heads}:
            found.append(
                RuleViolation(
                    "wbl.order.supervisor.other",
                    _("%(learner)s: the placement names %(staff)s, but group %(group)s has %(heads)s appointed.")
                    % {
                        "learner": learner_of(p),
                        "staff": p.supervisor,
                        "group": p.group,
                        "heads": ", ".join(str(a.supervisor) for a in heads),
                    },
                    "",
                    field_of(line),
                )
            )
    return found


# --- Internships: both orders (VR-29) -----------------------------------------------------------------------------


def internship_ready(placement_ids, exclude_order=None):
    """The internships whose referral (the institution's) and admission (the enterprise's) are both signed (VR-29).

    The placements' workflow orders an internship only then (`placements.internship_orders_complete`),
    in either country; where the rulebook holds the rule its source is named.
    """
    needed = {K.INTERNSHIP_REFERRAL, K.INTERNSHIP_ADMISSION}
    qs = OrderLine.objects.filter(
        placement_id__in=list(placement_ids), order__status=Order.Status.SIGNED, order__kind__in=list(needed)
    )
    if exclude_order is not None:
        qs = qs.exclude(order_id=exclude_order)
    kinds = {}
    for pid, kind in qs.values_list("placement_id", "order__kind"):
        kinds.setdefault(pid, set()).add(kind)
    return {pid for pid, have in kinds.items() if needed <= have}


def started_before_warnings(kind, lines, signed_on, book):
    """Soft: the order is dated after a learner's placement began (an internship's orders come before it: VR-29)."""
    if kind in (K.MENTOR, K.SUPERVISOR) or not signed_on:
        return []
    found = []
    for line in lines:
        if line.starts_on and line.starts_on < signed_on:
            found.append(
                RuleViolation(
                    "wbl.order.late",
                    _("%(learner)s started on %(from)s, before the order's date.")
                    % {"learner": learner_of(line.placement), "from": day(line.starts_on)},
                    source(book, INTERNSHIP_ORDERS) if line.placement.form == WblForm.INTERNSHIP else "",
                    field_of(line),
                )
            )
    return found


def pending_drafts(kind, placement_ids, exclude_order=None):
    """{placement id: draft order} of other drafts of the kind naming these placements (a soft reminder)."""
    qs = OrderLine.objects.filter(order__kind=kind, order__status=Order.Status.DRAFT, placement_id__in=list(placement_ids))
    if exclude_order is not None:
        qs = qs.exclude(order_id=exclude_order)
    return {line.placement_id: line.order for line in qs.select_related("order")}
