"""The rules of a student's life: which groups an intake may use, and each student's share of remote study.

A new intake may use only qualifications in force; an existing cohort keeps a removed
qualification until its `valid_until` (KZ §6). Remote study is capped at 20 % of the hours over the
whole study period (KZ §7), counted on the student's own plan: the working curriculum of the
group's intake, with the individual curriculum's components in place of the working curriculum's.
A remote-study exemption in force on the day of the check (today, within the study period for a
graduate) lifts the cap (SEN, temporary limitation,
competitions). The number comes from the rulebook; where a country has no such rule it does not apply.
"""

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ObjectDoesNotExist
from django.utils.translation import gettext as _

from kesip.core.rules import RuleViolation
from kesip.curriculum import rules

REMOVED = "curriculum.classifier.removed"


def study_years(programme):
    """Study years the programme lasts (a started year counts), as the working curriculum counts them."""
    return max(1, -(-programme.duration_months // 12))


def study_period(group):
    """First and last day of the group's study: from 1 September of the intake for the programme's months."""
    start = datetime.date(group.intake_year, 9, 1)
    years, month = divmod(8 + group.programme.duration_months, 12)
    return start, datetime.date(group.intake_year + years, month + 1, 1) - datetime.timedelta(days=1)


def is_new_intake(group, on):
    """An intake of the year the order takes effect (or later) is a new intake; earlier ones are existing cohorts."""
    return group.intake_year >= on.year


def check_group_open(group, on, qualifications=None, field_name="to_group"):
    """Refuse a group whose programme awards a qualification that is no longer usable for it (KZ §6).

    A new intake may use only qualifications in force (`usable_for_new`); an existing cohort keeps a
    removed one until its `valid_until` (`usable_for_cohort`).
    """
    qualifications = list(group.programme.qualifications.all()) if qualifications is None else qualifications
    book = rules.rulebook_for(group.institution.jurisdiction, on)
    rule = book.get(REMOVED)
    new = is_new_intake(group, on)
    for q in qualifications:
        if new and not q.usable_for_new():
            message = _(
                "Qualification %(q)s was removed from the classifier (%(basis)s) and cannot be used for a new intake; "
                "group %(group)s is an intake of %(year)s."
            ) % {"q": q, "basis": q.removal_basis or _("no basis recorded"), "group": group, "year": group.intake_year}
        elif not new and not q.usable_for_cohort(on):
            message = _(
                "Qualification %(q)s was removed from the classifier (%(basis)s); existing cohorts kept it until %(until)s."
            ) % {"q": q, "basis": q.removal_basis or _("no basis recorded"), "until": f"{q.valid_until:%d.%m.%Y}"}
        else:
            continue
        raise RuleViolation(REMOVED, message, rule.source if rule else q.removal_basis, field_name)


@dataclass
class RemoteCheck:
    """A student's remote study over the whole study period, and whether the cap holds."""

    total: int = 0
    remote: int = 0
    share: object = 0
    cap: object = None  # the Rule, or None where the country has no cap
    on: datetime.date | None = None
    individual: bool = False
    exemption: object = None  # the exemption in force that lifts the cap, when the share is above it
    violations: list = field(default_factory=list)
    has_curriculum: bool = False

    @property
    def over_cap(self):
        return self.cap is not None and self.total > 0 and self.share > self.cap.value


def plan_of(student):
    """The student's individual curriculum, or None (no query when it was selected with the student)."""
    try:
        plan = student.individual_curriculum
    except ObjectDoesNotExist:
        return None
    return plan if plan.pk else None  # a page may hold an unsaved one being drawn up


def effective_cells(wc_entries, plan_entries):
    """(component, year, semester) → (hours, remote): the working curriculum with the individual components in place.

    A component with any individual entry is studied as the individual curriculum says (an entry
    of 0 hours drops it); every other component as the working curriculum lays it out.
    """
    individual = {e.component_id for e in plan_entries}
    cells = {
        (e.component_id, e.year, e.semester): (e.hours, e.distance_hours) for e in wc_entries if e.component_id not in individual
    }
    for e in plan_entries:
        cells[(e.component_id, e.year, e.semester)] = (e.hours, e.distance_hours)
    return cells


def check_date(student, on=None):
    """The day the check speaks of: today, not before the group's study starts, and for a student whose
    study is over (graduated, expelled) not after its end, so a graduate's check stays within it."""
    on = on or datetime.date.today()
    if student.group_id is None:
        return on
    start, end = study_period(student.group)
    on = max(on, start)
    if student.status in (student.Status.GRADUATED, student.Status.EXPELLED):
        on = min(on, end)
    return on


def exemption_in_force(exemptions, on):
    """The exemption valid on `on` that lasts longest, or None."""
    valid = [x for x in exemptions if x.valid_from <= on <= x.valid_until]
    return max(valid, key=lambda x: (x.valid_until, x.pk or 0)) if valid else None


def remote_check(student, wc_entries, plan_entries, exemptions, book, on=None, has_curriculum=True):
    """The student's remote share against the cap, from records already loaded (no query)."""
    cells = effective_cells(wc_entries, plan_entries)
    total = sum(h for h, _d in cells.values())
    remote = sum(d for _h, d in cells.values())
    on = check_date(student, on)
    result = RemoteCheck(
        total=total,
        remote=remote,
        share=rules.remote_share(total, remote),
        cap=book.get(rules.DISTANCE_CAP),
        on=on,
        individual=bool(plan_entries),
        has_curriculum=has_curriculum,
    )
    check = rules.Checker(book)
    rules.check_distance(check, total, remote, _("Share of the student's hours taught remotely"))
    if check.found:
        result.exemption = exemption_in_force(exemptions, on)
        if result.exemption is None:
            result.violations = check.found
    return result


def load_remote_check(student, on=None, plan_entries=None, exemptions=None):
    """`remote_check` for one student, loading the working curriculum and whatever of the rest is not given."""
    from kesip.curriculum.models import CurriculumEntry, WorkingCurriculum

    group = student.group
    wc_entries, has_curriculum = [], False
    if group is not None:
        wc = WorkingCurriculum.objects.filter(programme_id=group.programme_id, intake_year=group.intake_year).first()
        if wc is not None:
            has_curriculum = True
            wc_entries = list(CurriculumEntry.objects.filter(curriculum=wc))
    if plan_entries is None:
        plan = plan_of(student)
        plan_entries = list(plan.entries.all()) if plan is not None else []
    if exemptions is None:
        exemptions = list(student.distance_exemptions.all())
    book = rules.rulebook_for(student.institution.jurisdiction, on)
    return remote_check(student, wc_entries, plan_entries, exemptions, book, on, has_curriculum)


def student_remote_violations(student, on=None):
    """Every rule the student's remote study breaks: the ≤ 20 % cap unless an exemption in force lifts it."""
    return load_remote_check(student, on).violations


def check_exemption(exemption, student):
    """An exemption's own consistency: dates in order, and the SEN ground only for a student with SEN (KZ §7)."""
    book = rules.rulebook_for(student.institution.jurisdiction)
    cap = book.get(rules.DISTANCE_CAP)
    source = cap.source if cap else ""
    if exemption.valid_from and exemption.valid_until and exemption.valid_until < exemption.valid_from:
        raise RuleViolation(
            "curriculum.distance_learning.exemption", _("An exemption cannot end before it starts."), "", "valid_until"
        )
    if exemption.reason == exemption.Reason.SPECIAL_NEEDS and not student.special_needs:
        raise RuleViolation(
            "curriculum.distance_learning.exemption",
            _("The student is not marked as having special educational needs; choose another ground or mark the student first."),
            source,
            "reason",
        )
