"""The rules of a placement (KG Regulation on WBL, п. 16–57) as plain functions: what blocks a step, what only warns.

`violations(placement)` returns `(hard, soft)`, two lists of RuleViolation, each naming its field and
its clause. Every regulatory rule is read from the rulebook of the institution's country and a code
absent there does not apply (KZ institutions have almost no WBL rules); checks of plain data (dates
in order, a learner placed twice at once, a workplace with no place left, a component of another
programme) apply everywhere.

Some rules bind a later step than planning: the mentor (VR-40), the group's head of practical
training appointed by a signed order (VR-41) and the internship programme agreed with the enterprise
(VR-28) only warn while the placement is planned and block the referral order (`step=ORDER`).

`pending` lets one call check many unsaved placements at once (the bulk placement of a group): the
placements listed there are counted like saved ones for places, roster, mentor load and overlaps.
"""

import datetime

from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core.models import Employer, Specialty, Student
from kesip.core.rules import RuleViolation
from kesip.wbl import labour_rules
from kesip.wbl.common import rulebook
from kesip.wbl.models import Agreement, AgreementRosterEntry, Order, OrderLine, Placement, WblForm, WblProgramme
from kesip.wbl.models.agreements import PracticeType

SAVE, AGREE, ORDER = "save", "agree", "order"

# Rulebook codes (wbl-regulation-kg.json and its continuation wbl-regulation-kg.placements.json).
SPECIALISED = "wbl.practice.specialised"  # VR-16, п. 24
WITHIN_CALENDAR = "wbl.practice.dates.within_calendar"  # VR-17, п. 27
MIN_SUPERVISORS = "wbl.practice.min_supervisors"  # VR-19, п. 28
OWN_WORKPLACE = "wbl.practice.own_workplace"  # VR-21, п. 30
DUAL_OWN_WORKPLACE = "wbl.dual.own_workplace"  # VR-25, п. 21
DUAL_TRAINING_WORKPLACE = "wbl.dual.training_workplace"  # VR-23, п. 16
DUAL_SCHEDULE = "wbl.dual.individual_schedule"  # VR-23, п. 19
DUAL_TIMETABLE = "wbl.dual.enterprise_timetable"  # VR-23, п. 20
DUAL_EMPLOYMENT = "wbl.dual.employment"  # п. 19 (warning)
INTERN_CATEGORY = "wbl.internship.category"  # VR-26, п. 35, 41
INTERN_MODE = "wbl.internship.mode"  # п. 36
INTERN_VENUE = "wbl.internship.venue"  # VR-27, п. 38
INTERN_PROGRAMME = "wbl.internship.programmes_per_intern"  # VR-28, п. 40, 42
INTERN_AGREED = "wbl.internship.programme_agreed"  # VR-28, п. 39
INTERN_JUSTIFICATION = "wbl.internship.justification"  # VR-30, п. 40
PRIMARY_VOCATIONAL = "wbl.apprenticeship.primary_vocational"  # VR-33, п. 44
TRAINING_AGREEMENT = "wbl.apprenticeship.training_agreement"  # VR-33, п. 44
APPRENTICESHIP_FORM = "wbl.apprenticeship.form"  # VR-34, п. 45
MAX_APPRENTICES = "wbl.mentor.max_apprentices"  # VR-35, п. 48
GROUP_FORM_MENTOR = "wbl.apprenticeship.group_form.max_apprentices_per_mentor"  # VR-36, п. 48
OUTSIDE_PROGRAMME = "wbl.apprenticeship.outside_programme"  # VR-37, п. 47
MENTOR = "wbl.mentor.min_per_learner_or_group"  # VR-40, п. 57 item 7
GROUP_SUPERVISOR = "wbl.supervisor.min_per_group"  # VR-41, п. 10, 56 item 7
CONSENT = "wbl.placement.consent"  # VR-42, п. 56 item 5
MINOR_AGE = "wbl.placement.consent.minor_age"  # VR-42
ROSTER = "wbl.placement.roster"  # VR-43, п. 56 item 6, п. 57 item 3
WORKPLACES = "wbl.placement.workplaces"  # VR-43, п. 57 items 4, 5
ACCOMMODATIONS = "wbl.placement.accommodations"  # VR-54, п. 54 (warning)
ACCESSIBLE = "wbl.placement.accessible_workplace"  # F32, п. 54 (warning)
SEASON = "wbl.placement.season"  # VR-57, п. 53 §5 (warning)
WORKPLACE_SAFETY = "wbl.placement.workplace_safety"  # F3, п. 57 item 10 (warning)
HARMFUL_WORK = "wbl.labour.minor_no_harmful_work"  # F37, п. 11
OWN_BASE_PRACTICE = "wbl.own_base.practice_only"  # F1, п. 3, 16, 19, 38, 41, 44

IN_PROGRESS = (Placement.Status.ORDERED, Placement.Status.BRIEFED, Placement.Status.ACTIVE)


def day(value):
    return date_format(value, "d.m.Y") if value else "—"


def age_on(born, on):
    """Full years of age on a day."""
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def is_pedagogical(specialty):
    """Whether a specialty belongs to a pedagogical field (п. 21): the classifier's flag."""
    return specialty is not None and specialty.is_pedagogical


def effective_end(starts_on, ends_on, completed_on=None):
    """The last day a placement holds a place: its end, or the day it was completed if earlier."""
    if completed_on and starts_on <= completed_on < ends_on:
        return completed_on
    return ends_on


def peak(intervals, starts_on, ends_on):
    """The most intervals (first day, last day, both inclusive) that meet on one day of starts_on..ends_on.

    Returns (count, the first day it is reached); (0, None) when none meet the range.
    """
    events = []
    for first, last in intervals:
        first, last = max(first, starts_on), min(last, ends_on)
        if first <= last:
            events.append((first, 1))
            events.append((last + datetime.timedelta(days=1), -1))
    events.sort(key=lambda e: (e[0], e[1]))
    best, best_day, now = 0, None, 0
    for when, delta in events:
        now += delta
        if now > best:
            best, best_day = now, when
    return best, best_day


class Check:
    """Collects the hard and soft violations of one placement, with the clause of each from the rulebook."""

    def __init__(self, book):
        self.book = book
        self.hard = []
        self.soft = []

    def applies(self, code):
        return code in self.book

    def source(self, code):
        found = self.book.get(code)
        return found.source if found is not None else ""

    def value(self, code, default=None):
        found = self.book.get(code)
        return found.value if found is not None else default

    def add(self, code, message, field=None, soft=False):
        (self.soft if soft else self.hard).append(RuleViolation(code, message, self.source(code), field))

    def raised(self, violation, soft=False):
        (self.soft if soft else self.hard).append(violation)


def specialty_of(placement):
    """The specialty the placement trains for: the group's programme's (None for a teacher's internship)."""
    group = placement.group if placement.group_id else None
    return group.programme.specialty if group is not None else None


def appointed_supervisors(group_ids, starts_on=None, ends_on=None):
    """{group id: [staff]}: heads of practical training appointed by a signed supervisor order (VR-41).

    With dates, only appointments whose period (when the line states one) meets starts_on..ends_on.
    """
    qs = OrderLine.objects.filter(
        group_id__in=[g for g in group_ids if g],
        supervisor__isnull=False,
        order__kind=Order.Kind.SUPERVISOR,
        order__status=Order.Status.SIGNED,
    )
    if ends_on is not None:
        qs = qs.filter(Q(starts_on__isnull=True) | Q(starts_on__lte=ends_on))
    if starts_on is not None:
        qs = qs.filter(Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on))
    found = {}
    for line in qs.select_related("supervisor").order_by("group_id", "-order__signed_on", "pk"):
        staff = found.setdefault(line.group_id, [])
        if line.supervisor not in staff:
            staff.append(line.supervisor)
    return found


def _intervals(qs, exclude_pk):
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return [(s, effective_end(s, e, c)) for s, e, c in qs.values_list("starts_on", "ends_on", "completed_on")]


def _pending_intervals(pending, match):
    return [(p.starts_on, p.ends_on) for p in pending if p.starts_on and p.ends_on and match(p)]


def violations(placement, settings=None, *, step=SAVE, book=None, pending=(), today=None, cache=None):
    """Every rule the placement breaks: (hard, soft), each a list of RuleViolation naming its field and clause.

    `step` is the step being taken: SAVE (plan or edit), AGREE (the roster agreed with the employer) or
    ORDER (the referral order signed). `pending` are unsaved placements of the same call, counted like
    saved ones; `cache` is a dict shared by the calls of one bulk placement; `book` the country's rulebook
    when the caller holds it. `settings` (the institution's WblSettings) is accepted for callers that pass
    it: no placement rule depends on an institution's own setting.
    """
    p = placement
    book = book if book is not None else rulebook(p.institution)
    today = today or datetime.date.today()
    cache = cache if cache is not None else {}
    c = Check(book)
    dates = _dates(c, p)
    _learner(c, p)
    if dates:
        _overlap(c, p, pending)
    _component(c, p)
    base = own_base_of(p, cache)
    if dates:
        _calendar(c, p)
        if base is None:
            _agreement(c, p, pending, cache)
        _workplace(c, p, pending)
    if base is not None:
        _own_base(c, p, base, dates, pending)
    _supervision(c, p, step, cache)
    _consent(c, p, today, step)
    if dates:
        found = labour_rules.planned_violation(p, c.book)  # F37, п. 11
        if found is not None:
            c.raised(found)
    _own_workplace(c, p, today)
    # A form refused at the institution's own base (`_own_base`): its employer-side particulars do not matter.
    if base is None or p.form == WblForm.PRACTICE or not c.applies(OWN_BASE_PRACTICE):
        _form_rules(c, p, step, today, dates, pending)
    if p.form != WblForm.APPRENTICESHIP and p.outside_wbl_programme:
        c.add(
            "wbl.placement.form",
            _("Only an apprenticeship can be run by the employer outside a WBL programme."),
            "outside_wbl_programme",
        )
    _programme(c, p, cache)
    return c.hard, c.soft


def _form_rules(c, p, step, today, dates, pending):
    if p.form == WblForm.PRACTICE:
        _practice(c, p)
    elif p.form == WblForm.DUAL:
        _dual(c, p)
    elif p.form == WblForm.INTERNSHIP:
        _internship(c, p, step, today)
    elif p.form == WblForm.APPRENTICESHIP:
        _apprenticeship(c, p, dates, pending)


def _dates(c, p):
    if not p.starts_on or not p.ends_on:
        c.add("wbl.placement.dates", _("Give the first and the last day of the placement."), "starts_on")
        return False
    if p.ends_on < p.starts_on:
        c.add("wbl.placement.dates", _("A placement cannot end before it starts."), "ends_on")
        return False
    return True


def _learner(c, p):
    if p.student_id:
        s = p.student
        if p.form != WblForm.INTERNSHIP and s.status != Student.Status.ENROLLED:
            c.add(
                "wbl.placement.learner",
                _("%(student)s is not a studying student (%(status)s).") % {"student": s, "status": s.get_status_display()},
                "student",
            )
        if p.group_id and s.group_id and s.group_id != p.group_id:
            c.add(
                "wbl.placement.learner",
                _("%(student)s studies in group %(group)s, not %(other)s.") % {"student": s, "group": s.group, "other": p.group},
                "student",
            )
    elif not p.intern_staff_id:
        c.add("wbl.placement.learner", _("Choose the learner."), "student")


def _overlap(c, p, pending):
    if p.student_id:
        qs, same = Placement.objects.filter(student_id=p.student_id), lambda o: o.student_id == p.student_id
    elif p.intern_staff_id:
        qs, same = Placement.objects.filter(intern_staff_id=p.intern_staff_id), lambda o: o.intern_staff_id == p.intern_staff_id
    else:
        return
    qs = qs.counting().overlapping(p.starts_on, p.ends_on).select_related("employer")
    if p.pk:
        qs = qs.exclude(pk=p.pk)
    other = qs.order_by("starts_on").first()
    if other is None:
        other = next((o for o in pending if same(o) and o.starts_on <= p.ends_on and o.ends_on >= p.starts_on), None)
    if other is not None:
        c.add(
            "wbl.placement.overlap",
            _("%(who)s already has a placement at %(employer)s from %(start)s to %(end)s.")
            % {"who": p.learner, "employer": other.employer, "start": day(other.starts_on), "end": day(other.ends_on)},
            "starts_on",
        )


def _component(c, p):
    if not p.component_id:
        return
    component = p.component
    if not component.is_practice:
        c.add("wbl.placement.component", _("Choose a practice or industrial-training component."), "component")
        return
    group = p.group if p.group_id else None
    if group is not None and component.module.programme_id != group.programme_id:
        c.add(
            "wbl.placement.component",
            _("%(component)s is not a component of the programme of group %(group)s.") % {"component": component, "group": group},
            "component",
        )
    if p.form == WblForm.PRACTICE and p.practice_type and component.practice_type and component.practice_type != p.practice_type:
        c.add(
            "wbl.placement.component",
            _("%(component)s is %(kind)s in the curriculum; the placement says %(type)s.")
            % {"component": component, "kind": component.get_practice_type_display(), "type": p.get_practice_type_display()},
            "practice_type",
        )


def _calendar(c, p):
    """VR-17: the dates lie within an approved practice period of the group's calendar (for the component).

    A learner's practice with no component named is held to the group's practice periods all the same.
    """
    if not p.group_id or not (p.component_id or p.form == WblForm.PRACTICE):
        return
    from kesip.curriculum.calendar_rules import practice_window

    try:
        practice_window(p.group, p.starts_on, p.ends_on, p.component if p.component_id else None)
    except RuleViolation as refusal:
        c.raised(refusal)


def covering_for(p):
    """The agreement that covers the placement (VR-2), or None; an apprenticeship prefers its training agreement."""
    from kesip.wbl import agreement_rules

    if not p.employer_id or not p.starts_on or not p.ends_on:
        return None
    specialty = specialty_of(p)
    if p.form == WblForm.APPRENTICESHIP and p.student_id:
        own = (
            agreement_rules.covering_queryset(p.employer, p.form, p.starts_on, p.ends_on, specialty)
            .filter(kind=Agreement.Kind.APPRENTICESHIP, learner_id=p.student_id)
            .first()
        )
        if own is not None:
            return own
    return agreement_rules.covering(p.employer, p.form, p.starts_on, p.ends_on, specialty)


def _agreement(c, p, pending, cache):
    """VR-2 (a signed agreement covers the form, profession and period) and VR-43 (roster, agreed workplaces)."""
    from kesip.wbl import agreement_rules

    if not p.employer_id:
        return
    specialty = specialty_of(p)
    agreement = p.agreement if p.agreement_id else None
    if agreement is not None:
        covers = agreement_rules.covering_queryset(p.employer, p.form, p.starts_on, p.ends_on, specialty).filter(pk=agreement.pk)
        if not covers.exists():
            c.add(
                "wbl.agreement.required",
                _(
                    "%(agreement)s does not cover this placement: it must be signed, for %(form)s, "
                    "valid from %(start)s to %(end)s and for the learner's profession."
                )
                % {"agreement": agreement, "form": p.get_form_display(), "start": day(p.starts_on), "end": day(p.ends_on)},
                "agreement",
            )
            return
    else:
        try:
            agreement = agreement_rules.require_covering(p.employer, p.form, p.starts_on, p.ends_on, specialty)
        except RuleViolation as refusal:
            c.raised(refusal)
            return
        if agreement is None:
            return
    if p.student_id and c.applies(ROSTER):
        key = ("roster", agreement.pk)
        if key not in cache:
            cache[key] = set(AgreementRosterEntry.objects.filter(agreement=agreement).values_list("student_id", flat=True))
        roster = cache[key]
        if roster and p.student_id not in roster:
            c.add(
                ROSTER,
                _("%(student)s is not on the roster of %(agreement)s agreed with the employer (%(count)s learners).")
                % {"student": p.student, "agreement": agreement, "count": len(roster)},
                "student",
            )
    if agreement.places:
        taken = _intervals(Placement.objects.counting().overlapping(p.starts_on, p.ends_on).filter(agreement=agreement), p.pk)
        taken += _pending_intervals(pending, lambda o: o.agreement_id == agreement.pk)
        count, when = peak([*taken, (p.starts_on, p.ends_on)], p.starts_on, p.ends_on)
        if count > agreement.places:
            c.add(
                WORKPLACES,
                ngettext(
                    "%(agreement)s agrees %(places)s workplace; on %(day)s %(count)s learners would be placed under it.",
                    "%(agreement)s agrees %(places)s workplaces; on %(day)s %(count)s learners would be placed under it.",
                    agreement.places,
                )
                % {"agreement": agreement, "places": agreement.places, "day": day(when), "count": count},
                "agreement",
            )


def own_base_of(p, cache=None):
    """The institution's own base the placement is at (its employer is the base's host record), or None.

    No query for a partner employer; one for a base, kept in `cache` for the calls of one bulk placement.
    """
    if not p.employer_id or p.employer.kind != Employer.Kind.OWN_BASE:
        return None
    cache = cache if cache is not None else {}
    key = ("own_base", p.employer_id)
    if key not in cache:
        from kesip.wbl.models import WblBase

        cache[key] = WblBase.objects.filter(host_id=p.employer_id).prefetch_related("specialties").first()
    return cache[key]


def _own_base(c, p, base, dates, pending):
    """At the institution's own base (F1, п. 3): no agreement, practice only, in use, within the base's places."""
    if p.agreement_id:
        c.add(
            "wbl.agreement.required",
            _("%(base)s is the institution's own base: a placement there stands on no agreement.") % {"base": base},
            "agreement",
        )
    if p.form != WblForm.PRACTICE and c.applies(OWN_BASE_PRACTICE):
        c.add(
            OWN_BASE_PRACTICE,
            _(
                "At the institution's own base %(base)s learners undergo practice; %(form)s takes place at an enterprise "
                "on an agreement with it."
            )
            % {"base": base, "form": p.get_form_display()},
            "employer",
        )
    if p.at_own_workplace:
        c.add(
            "wbl.placement.form",
            _("Practice at the learner's own workplace is with the learner's employer, not at the institution's base."),
            "at_own_workplace",
        )
    if not base.is_active:
        c.add("wbl.own_base.in_use", _("%(base)s is no longer in use as a WBL base.") % {"base": base}, "employer")
    if dates:
        taken = _intervals(
            Placement.objects.counting().overlapping(p.starts_on, p.ends_on).filter(employer_id=base.host_id), p.pk
        )
        taken += _pending_intervals(pending, lambda o: o.employer_id == base.host_id)
        count, when = peak([*taken, (p.starts_on, p.ends_on)], p.starts_on, p.ends_on)
        if count > base.places:
            c.add(
                "wbl.own_base.places",
                ngettext(
                    "%(base)s takes %(places)s learner at a time; on %(day)s %(count)s learners would be there.",
                    "%(base)s takes %(places)s learners at a time; on %(day)s %(count)s learners would be there.",
                    base.places,
                )
                % {"base": base, "places": base.places, "day": day(when), "count": count},
                "employer",
            )
    specialty = specialty_of(p)
    professions = list(base.specialties.all())
    if professions and specialty is not None and specialty not in professions:
        c.add(
            "wbl.own_base.profession",
            _("%(base)s is registered for %(professions)s, not for the learner's %(specialty)s.")
            % {"base": base, "professions": ", ".join(str(s) for s in professions), "specialty": specialty},
            "employer",
            soft=True,
        )


def _workplace(c, p, pending):
    """VR-43: within the period the workplace is offered, and never more learners on a day than its places."""
    if not p.workplace_id:
        return
    w = p.workplace
    if not w.is_active:
        c.add(WORKPLACES, _("%(workplace)s is no longer offered by the employer.") % {"workplace": w.title}, "workplace")
    if p.starts_on < w.available_from or p.ends_on > w.available_to:
        c.add(
            WORKPLACES,
            _("%(workplace)s is offered from %(start)s to %(end)s; the placement runs from %(pstart)s to %(pend)s.")
            % {
                "workplace": w.title,
                "start": day(w.available_from),
                "end": day(w.available_to),
                "pstart": day(p.starts_on),
                "pend": day(p.ends_on),
            },
            "workplace",
        )
    taken = _intervals(Placement.objects.counting().overlapping(p.starts_on, p.ends_on).filter(workplace_id=w.pk), p.pk)
    taken += _pending_intervals(pending, lambda o: o.workplace_id == w.pk)
    count, when = peak([*taken, (p.starts_on, p.ends_on)], p.starts_on, p.ends_on)
    if count > w.places:
        c.add(
            WORKPLACES,
            ngettext(
                "%(workplace)s has %(places)s place; on %(day)s %(count)s learners would be there.",
                "%(workplace)s has %(places)s places; on %(day)s %(count)s learners would be there.",
                w.places,
            )
            % {"workplace": w.title, "places": w.places, "day": day(when), "count": count},
            "workplace",
        )
    if not w.safety_compliant and c.applies(WORKPLACE_SAFETY):
        c.add(
            WORKPLACE_SAFETY,
            _("%(workplace)s is not confirmed as meeting sanitary, labour-protection and fire-safety requirements.")
            % {"workplace": w.title},
            "workplace",
            soft=True,
        )
    if w.harmful_conditions and p.student_id and p.student.birth_date and p.starts_on and c.applies(HARMFUL_WORK):
        limit = int(c.value(MINOR_AGE, 18))
        age = age_on(p.student.birth_date, p.starts_on)
        if age < limit:
            c.add(
                HARMFUL_WORK,
                _(
                    "%(student)s is %(age)s on %(day)s: a minor is not placed at %(workplace)s, with heavy work or harmful or "
                    "dangerous conditions."
                )
                % {"student": p.student, "age": age, "day": day(p.starts_on), "workplace": w.title},
                "workplace",
            )
    if p.student_id and p.student.special_needs and not w.accessible and c.applies(ACCESSIBLE):
        c.add(
            ACCESSIBLE,
            _("%(student)s has special educational needs and %(workplace)s is not marked accessible.")
            % {"student": p.student, "workplace": w.title},
            "workplace",
            soft=True,
        )
    specialty = specialty_of(p)
    if w.specialty_id and specialty is not None and w.specialty_id != specialty.pk:
        c.add(
            "wbl.placement.workplace_profession",
            _("%(workplace)s is offered for %(profession)s, not for the learner's %(specialty)s.")
            % {"workplace": w.title, "profession": w.specialty, "specialty": specialty},
            "workplace",
            soft=True,
        )


def _supervision(c, p, step, cache):
    """VR-19 (a supervisor and/or mentor), VR-40 (the mentor, before the order), VR-41 (the group's appointed head)."""
    mentor = p.mentor if p.mentor_id else None
    if mentor is not None and not mentor.is_active:
        c.add(MENTOR, _("%(mentor)s no longer works for the employer: choose another mentor.") % {"mentor": mentor}, "mentor")
    if p.form == WblForm.PRACTICE and c.applies(MIN_SUPERVISORS):
        count = int(bool(p.supervisor_id)) + int(mentor is not None)
        if count < c.value(MIN_SUPERVISORS):
            c.add(
                MIN_SUPERVISORS,
                _("Practice needs a head of practical training of the institution and/or a mentor of the employer."),
                "supervisor",
            )
    if mentor is None and c.applies(MENTOR):
        if step == ORDER:
            c.add(
                MENTOR,
                _("The employer has not named the learner's mentor: a placement is referred only with a mentor."),
                "mentor",
            )
        else:
            c.add(MENTOR, _("Name the mentor before the referral order: every learner has one."), "mentor", soft=True)
    if p.group_id and p.student_id and c.applies(GROUP_SUPERVISOR):
        key = ("appointed", p.group_id, p.starts_on, p.ends_on)
        if key not in cache:
            cache[key] = appointed_supervisors([p.group_id], p.starts_on, p.ends_on).get(p.group_id, [])
        if not cache[key]:
            message = _("Group %(group)s has no head of practical training appointed by a signed order.") % {"group": p.group}
            c.add(GROUP_SUPERVISOR, message, "supervisor", soft=step != ORDER)


def _consent(c, p, today, step=SAVE):
    """VR-42: who consented to the learner's inclusion in the list, and when; a minor through the legal representative.

    Consent asked in Kesip (F11) only warns while the list is being compiled and blocks the roster's
    agreement and the order; a refusal blocks every step until the learner is taken off the list.
    """
    if not p.student_id or not c.applies(CONSENT):
        return
    if p.consent_by == Placement.Consent.REQUESTED:
        c.add(
            CONSENT,
            _("The consent of %(student)s to the WBL list is asked in Kesip and not answered yet.") % {"student": p.student},
            "consent_by",
            soft=step == SAVE,
        )
        return
    if p.consent_by == Placement.Consent.REFUSED:
        c.add(
            CONSENT,
            _("The consent to the WBL list was refused on %(day)s: take %(student)s off the list (cancel the placement).")
            % {"day": day(p.consent_on), "student": p.student},
            "consent_by",
        )
        return
    if not p.consent_by or not p.consent_on:
        c.add(CONSENT, _("Record who consented to the learner's inclusion in the WBL list, and when."), "consent_by")
    if p.consent_on and p.consent_on > today:
        c.add(CONSENT, _("The consent cannot be dated in the future."), "consent_on")
    if p.consent_by == Placement.Consent.REPRESENTATIVE and not p.legal_representative.strip():
        c.add(CONSENT, _("Name the legal representative who consented."), "legal_representative")
    born = p.student.birth_date
    if born and p.starts_on and c.applies(MINOR_AGE):
        limit = int(c.value(MINOR_AGE))
        age = age_on(born, p.starts_on)
        if age < limit and p.consent_by != Placement.Consent.REPRESENTATIVE:
            c.add(
                MINOR_AGE,
                _("%(student)s is %(age)s on %(day)s, under %(limit)s: the legal representative consents.")
                % {"student": p.student, "age": age, "day": day(p.starts_on), "limit": limit},
                "consent_by",
            )


def _own_workplace(c, p, today):
    """VR-21 (practice at the learner's own workplace) and VR-25 (dual: pedagogical fields only)."""
    if not p.at_own_workplace:
        return
    if p.form not in (WblForm.PRACTICE, WblForm.DUAL):
        c.add(
            "wbl.placement.form",
            _("Only practice and dual training can take place at the learner's own workplace."),
            "at_own_workplace",
        )
        return
    code = OWN_WORKPLACE if p.form == WblForm.PRACTICE else DUAL_OWN_WORKPLACE
    if not c.applies(code):
        return
    if p.form == WblForm.DUAL:
        specialty = specialty_of(p)
        if not is_pedagogical(specialty):
            c.add(
                code,
                _("Dual training at the learner's own workplace is open to pedagogical fields only; %(specialty)s is not one.")
                % {"specialty": specialty or "—"},
                "at_own_workplace",
            )
    if not p.conformity_note.strip():
        c.add(code, _("Describe how the learner's work matches the content of the programme."), "conformity_note")
    if not p.conformity_approved_on:
        c.add(code, _("Record the approval of the conformity check."), "conformity_approved_on")
    elif p.conformity_approved_on > today:
        c.add(code, _("The approval cannot be dated in the future."), "conformity_approved_on")


def _practice(c, p):
    """VR-16: the type is one of the five; specialised practice only for higher medical programmes at health care."""
    if not p.practice_type:
        c.add("wbl.placement.practice_type", _("Say which type of practice this is."), "practice_type")
        return
    if p.practice_type == PracticeType.SPECIALISED and c.applies(SPECIALISED):
        specialty = specialty_of(p)
        higher = specialty is not None and specialty.level == Specialty.Level.HIGHER and specialty.is_medical
        health = p.employer_id and p.employer.sector == Employer.Sector.HEALTH
        if not (higher and health):
            c.add(
                SPECIALISED,
                _(
                    "Specialised (in-depth) practice is for graduates of higher medical education at a health-care "
                    "organisation; here the profession is %(specialty)s and the employer's sector is %(sector)s."
                )
                % {
                    "specialty": specialty or "—",
                    "sector": p.employer.get_sector_display() if p.employer_id else "—",
                },
                "practice_type",
            )


def _dual(c, p):
    """VR-23: a training workplace at the employer, an individual schedule, the enterprise's timetable."""
    if c.applies(DUAL_TRAINING_WORKPLACE):
        if not p.workplace_id:
            c.add(
                DUAL_TRAINING_WORKPLACE,
                _("Dual training takes place at a training workplace of the employer: choose it."),
                "workplace",
            )
        elif not p.workplace.is_training_workplace:
            c.add(
                DUAL_TRAINING_WORKPLACE,
                _("%(workplace)s is not a training workplace created for dual training.") % {"workplace": p.workplace.title},
                "workplace",
            )
    if c.applies(DUAL_SCHEDULE) and not p.individual_schedule.strip():
        c.add(DUAL_SCHEDULE, _("Give the learner's individual training schedule."), "individual_schedule")
    if c.applies(DUAL_TIMETABLE) and not p.enterprise_timetable.strip():
        c.add(DUAL_TIMETABLE, _("Give the timetable of the sessions at the enterprise."), "enterprise_timetable")
    if c.applies(DUAL_EMPLOYMENT) and not p.employment_promised:
        c.add(
            DUAL_EMPLOYMENT,
            _("The employment of the graduate after dual training is not agreed yet."),
            "employment_promised",
            soft=True,
        )


def _internship(c, p, step, today):
    """VR-26 (category), п. 36 (mode), VR-27 (type and venue), VR-28 (individual programme), VR-30 (justification)."""
    cat = Placement.InternCategory
    if c.applies(INTERN_CATEGORY):
        category = p.intern_category
        if not category:
            c.add(
                INTERN_CATEGORY,
                _("Say who the intern is: a learner completing the programme, a graduate or a teacher."),
                "intern_category",
            )
        elif p.intern_staff_id and category != cat.TEACHER:
            c.add(
                INTERN_CATEGORY,
                _("A teacher is an intern of the category “teacher sent for qualification upgrading”."),
                "intern_category",
            )
        elif p.student_id and category == cat.TEACHER:
            c.add(
                INTERN_CATEGORY,
                _("A learner is an intern as a learner completing the programme or as a graduate."),
                "intern_category",
            )
        elif p.student_id and category == cat.GRADUATING and p.student.status != Student.Status.ENROLLED:
            c.add(
                INTERN_CATEGORY,
                _("%(student)s is not studying (%(status)s): not a learner completing the programme.")
                % {"student": p.student, "status": p.student.get_status_display()},
                "intern_category",
            )
        elif p.student_id and category == cat.GRADUATE and p.student.status != Student.Status.GRADUATED:
            c.add(
                INTERN_CATEGORY,
                _("%(student)s has not graduated (%(status)s).")
                % {"student": p.student, "status": p.student.get_status_display()},
                "intern_category",
            )
    if c.applies(INTERN_MODE) and not p.internship_mode:
        c.add(
            INTERN_MODE,
            _("Say how the internship is organised: targeted short-term or an individual modular programme."),
            "internship_mode",
        )
    if c.applies(INTERN_VENUE):
        if not p.internship_type:
            c.add(INTERN_VENUE, _("Say whether this is a production or a pedagogical internship."), "internship_type")
        elif p.employer_id:
            educational = p.employer.sector == Employer.Sector.EDUCATION
            if p.internship_type == Placement.InternshipType.PRODUCTION and educational:
                c.add(
                    INTERN_VENUE,
                    _("A production internship is held at an enterprise, not at an educational organisation."),
                    "internship_type",
                )
            if p.internship_type == Placement.InternshipType.PEDAGOGICAL and not educational:
                c.add(
                    INTERN_VENUE,
                    _("A pedagogical internship is held at an educational organisation; %(employer)s is in %(sector)s.")
                    % {"employer": p.employer, "sector": p.employer.get_sector_display()},
                    "internship_type",
                )
    if c.applies(INTERN_PROGRAMME) and not p.individual_programme.strip():
        c.add(
            INTERN_PROGRAMME,
            _("Write the intern's individual programme: the tasks in full and the expected results."),
            "individual_programme",
        )
    if c.applies(INTERN_AGREED):
        if not p.programme_agreed_on:
            message = _("The individual programme is not agreed with the enterprise yet: it is agreed before the referral order.")
            c.add(INTERN_AGREED, message, "programme_agreed_on", soft=step != ORDER)
        elif p.programme_agreed_on > today:
            c.add(INTERN_AGREED, _("The agreement of the programme cannot be dated in the future."), "programme_agreed_on")
    if c.applies(INTERN_JUSTIFICATION):
        for name, message in (
            ("intern_education", _("Give the intern's level of education.")),
            ("intern_experience", _("Give the intern's work experience.")),
            ("intern_position", _("Give the intern's position.")),
            ("internship_goals", _("Give the goals of the internship.")),
            ("duration_reason", _("Say why the internship lasts this long: its duration is set individually.")),
        ):
            if not getattr(p, name).strip():
                c.add(INTERN_JUSTIFICATION, message, name)


def _apprenticeship(c, p, dates, pending):
    """VR-33 (primary vocational, training agreement), VR-34 (form), VR-35/36 (mentor load), VR-37 (outside a programme)."""
    from kesip.wbl import agreement_rules

    specialty = specialty_of(p)
    if c.applies(PRIMARY_VOCATIONAL) and p.student_id:
        if specialty is None or specialty.level != Specialty.Level.PRIMARY_VOCATIONAL:
            c.add(
                PRIMARY_VOCATIONAL,
                _("Apprenticeship is conducted within primary vocational education; %(specialty)s is “%(level)s”.")
                % {"specialty": specialty or "—", "level": specialty.get_level_display() if specialty else "—"},
                "student",
            )
    if c.applies(TRAINING_AGREEMENT) and dates and p.employer_id and p.student_id:
        own = (
            agreement_rules.covering_queryset(p.employer, p.form, p.starts_on, p.ends_on, specialty)
            .filter(kind=Agreement.Kind.APPRENTICESHIP, learner_id=p.student_id)
            .exists()
        )
        if not own:
            c.add(
                TRAINING_AGREEMENT,
                _(
                    "There is no signed apprenticeship training agreement of %(employer)s with %(student)s "
                    "valid from %(start)s to %(end)s."
                )
                % {"employer": p.employer, "student": p.student, "start": day(p.starts_on), "end": day(p.ends_on)},
                "agreement",
            )
    group_form = p.apprenticeship_form in (Placement.ApprenticeshipForm.BRIGADE, Placement.ApprenticeshipForm.COURSE)
    if c.applies(APPRENTICESHIP_FORM) and not p.apprenticeship_form:
        c.add(APPRENTICESHIP_FORM, _("Say whether the apprenticeship is individual, brigade or course."), "apprenticeship_form")
    if group_form and not p.mentor_id and c.applies(GROUP_FORM_MENTOR):
        c.add(
            GROUP_FORM_MENTOR,
            _("In a brigade or course apprenticeship each apprentice has a mentor assigned: name them."),
            "mentor",
        )
    code = GROUP_FORM_MENTOR if group_form and c.applies(GROUP_FORM_MENTOR) else MAX_APPRENTICES
    if dates and p.mentor_id and c.applies(code):
        limit = int(c.value(code))
        qs = (
            Placement.objects.counting()
            .overlapping(p.starts_on, p.ends_on)
            .filter(form=WblForm.APPRENTICESHIP, mentor_id=p.mentor_id)
        )
        taken = _intervals(qs, p.pk)
        taken += _pending_intervals(pending, lambda o: o.form == WblForm.APPRENTICESHIP and o.mentor_id == p.mentor_id)
        count, when = peak([*taken, (p.starts_on, p.ends_on)], p.starts_on, p.ends_on)
        if count > limit:
            c.add(
                code,
                ngettext(
                    "%(mentor)s may mentor at most %(limit)s apprentice at a time; on %(day)s they would have %(count)s.",
                    "%(mentor)s may mentor at most %(limit)s apprentices at a time; on %(day)s they would have %(count)s.",
                    limit,
                )
                % {"mentor": p.mentor, "limit": limit, "day": day(when), "count": count},
                "mentor",
            )
    if p.outside_wbl_programme and c.applies(OUTSIDE_PROGRAMME):
        if p.component_id:
            c.add(
                OUTSIDE_PROGRAMME,
                _("An apprenticeship outside a WBL programme gives no diploma: it cannot count as a curriculum component."),
                "component",
            )
        if p.wbl_programme_id:
            c.add(OUTSIDE_PROGRAMME, _("An apprenticeship outside a WBL programme cannot name a WBL programme."), "wbl_programme")


def _programme(c, p, cache):
    """The WBL programme fits the placement; VR-54: a learner with special needs has accommodations documented."""
    group = p.group if p.group_id else None
    programme = p.wbl_programme if p.wbl_programme_id else None
    if programme is not None:
        if group is not None and programme.programme_id != group.programme_id:
            c.add(
                "wbl.placement.programme",
                _("%(programme)s is not of the group's programme.") % {"programme": programme},
                "wbl_programme",
            )
        if programme.form != p.form:
            c.add(
                "wbl.placement.programme",
                _("%(programme)s is a programme of %(form)s.") % {"programme": programme, "form": programme.get_form_display()},
                "wbl_programme",
            )
        if programme.status == WblProgramme.Status.REVISED:
            c.add(
                "wbl.placement.programme",
                _("%(programme)s (version %(v)s) is replaced by a revision: name the version in force.")
                % {"programme": programme, "v": programme.version},
                "wbl_programme",
                soft=True,
            )
        elif programme.status not in WblProgramme.USABLE:
            c.add(
                "wbl.placement.programme",
                _("%(programme)s is not approved yet (%(status)s).")
                % {"programme": programme, "status": programme.get_status_display()},
                "wbl_programme",
                soft=True,
            )
        _season(c, p, programme)
    if p.student_id and p.student.special_needs and group is not None and c.applies(ACCOMMODATIONS):
        if programme is not None:
            documented = bool(programme.accessibility.strip())
        else:
            key = ("accessibility", group.programme_id, p.form)
            if key not in cache:
                cache[key] = (
                    WblProgramme.objects.filter(programme_id=group.programme_id, form=p.form).exclude(accessibility="").exists()
                )
            documented = cache[key]
        if not documented:
            c.add(
                ACCOMMODATIONS,
                _("%(student)s has special educational needs: the WBL programme sets out no adapted forms of practice (п. 54).")
                % {"student": p.student},
                "wbl_programme",
                soft=True,
            )


def season_months(from_month, to_month):
    """The months of a season, both ends included; a season that wraps the year end (11 → 3) runs through January."""
    if not from_month or not to_month:
        return set(range(1, 13))
    if from_month <= to_month:
        return set(range(from_month, to_month + 1))
    return set(range(from_month, 13)) | set(range(1, to_month + 1))


def months_outside_season(starts_on, ends_on, from_month, to_month):
    """The first days of the months of starts_on..ends_on that lie outside the season (empty: within it)."""
    season = season_months(from_month, to_month)
    outside, year, month = [], starts_on.year, starts_on.month
    for _step in range(13):  # a range of a year or more meets every month
        if (year, month) > (ends_on.year, ends_on.month):
            break
        if month not in season:
            outside.append(datetime.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return outside


def _season(c, p, programme):
    """VR-57: the placement's dates fall within the season the WBL programme names (section 5); a warning."""
    if not c.applies(SEASON) or not programme.season_from_month or not programme.season_to_month:
        return
    if not p.starts_on or not p.ends_on or p.ends_on < p.starts_on:
        return
    outside = months_outside_season(p.starts_on, p.ends_on, programme.season_from_month, programme.season_to_month)
    if outside:
        c.add(
            SEASON,
            _("%(months)s lie outside the season of the profession in %(programme)s: %(first)s to %(last)s (п. 53 §5).")
            % {
                "months": ", ".join(date_format(m, "F Y") for m in outside),
                "programme": programme,
                "first": month_name(programme.season_from_month),
                "last": month_name(programme.season_to_month),
            },
            "starts_on" if p.starts_on.replace(day=1) in outside else "ends_on",
            soft=True,
        )


def month_name(month):
    return date_format(datetime.date(2000, month, 1), "F")


def apprentices_free(mentors, starts_on, ends_on, limit):
    """{mentor id: apprentices the mentor may still take over the whole range} (VR-35), in one query."""
    taken = {}
    rows = (
        Placement.objects.counting()
        .overlapping(starts_on, ends_on)
        .filter(form=WblForm.APPRENTICESHIP, mentor_id__in=[m.pk for m in mentors])
        .values_list("mentor_id", "starts_on", "ends_on", "completed_on")
    )
    for mid, s, e, done in rows:
        taken.setdefault(mid, []).append((s, effective_end(s, e, done)))
    return {m.pk: max(0, limit - peak(taken.get(m.pk, []), starts_on, ends_on)[0]) for m in mentors}


def free_places(workplaces, starts_on, ends_on):
    """{workplace id: places still free over the whole range} for many workplaces, in one query."""
    ids = [w.pk for w in workplaces]
    taken = {}
    rows = (
        Placement.objects.counting()
        .overlapping(starts_on, ends_on)
        .filter(workplace_id__in=ids)
        .values_list("workplace_id", "starts_on", "ends_on", "completed_on")
    )
    for wid, s, e, done in rows:
        taken.setdefault(wid, []).append((s, effective_end(s, e, done)))
    return {w.pk: max(0, w.places - peak(taken.get(w.pk, []), starts_on, ends_on)[0]) for w in workplaces}
