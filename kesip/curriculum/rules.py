"""The curriculum rules of the regulations, as plain functions over a programme's module tree.

Every number comes from the rulebook of the programme's jurisdiction (`rules.in_force`); a code
that is absent there does not apply in that country (KG programmes are counted in hours, KZ
programmes in credits). `programme_violations` lists every broken rule at once, each naming its
clause, so a page can show them all and the draft stays as it is.
"""

from decimal import ROUND_HALF_UP, ROUND_UP, Decimal

from django.utils.translation import gettext as _

from kesip.core import rules
from kesip.core.models import Programme
from kesip.core.rules import RuleViolation

PREFIXES = ("curriculum.", "wbl.practice.")
CREDIT_HOURS = "curriculum.credit.academic_hours"
CENT = Decimal("0.01")


def rulebook_for(jurisdiction, on=None):
    return rules.in_force(jurisdiction, PREFIXES, on)


def _n(x):
    return f"{Decimal(x).normalize():f}"


def hours_per_credit(book):
    r = book.get(CREDIT_HOURS)
    return r.value if r else None


def convert(book, credits, hours, field_prefix=""):
    """Fill the missing one of credits and hours from the other; refuse a pair that disagrees.

    Where the jurisdiction has no credit rule (KG counts hours) hours are required and credits
    are free. Returns (credits, hours); raises RuleViolation naming the credit rule.
    """
    per_credit = hours_per_credit(book)
    if per_credit is None:
        if hours is None:
            raise RuleViolation("curriculum.hours.required", _("Give the academic hours."), "", field_prefix + "hours")
        return credits, hours
    r = book[CREDIT_HOURS]
    if credits is None and hours is None:
        raise RuleViolation(CREDIT_HOURS, _("Give the credits or the academic hours."), r.source, field_prefix + "credits")
    if hours is None:
        exact = Decimal(credits) * per_credit
        if exact != exact.to_integral_value():
            raise RuleViolation(
                CREDIT_HOURS,
                _("%(credits)s credits are %(hours)s academic hours, not a whole number (1 credit = %(per)s hours).")
                % {"credits": _n(credits), "hours": _n(exact), "per": _n(per_credit)},
                r.source,
                field_prefix + "credits",
            )
        return Decimal(credits), int(exact)
    derived = (Decimal(hours) / per_credit).quantize(CENT, ROUND_HALF_UP)
    if credits is None:
        return derived, hours
    if Decimal(credits).quantize(CENT) != derived:
        raise RuleViolation(
            CREDIT_HOURS,
            _("%(credits)s credits do not match %(hours)s academic hours: 1 credit = %(per)s academic hours.")
            % {"credits": _n(credits), "hours": hours, "per": _n(per_credit)},
            r.source,
            field_prefix + "hours",
        )
    return Decimal(credits), hours


def programme_kind(qualifications):
    """The level the programme trains for: its highest qualification."""
    from kesip.curriculum.models import Qualification

    kinds = {q.kind for q in qualifications}
    for kind in (Qualification.Kind.APPLIED_BACHELOR, Qualification.Kind.MID_LEVEL):
        if kind in kinds:
            return kind
    return Qualification.Kind.WORKER


ENTRY_BASE_CODES = {
    Programme.EntryBase.GRADE_9: "basic_secondary",
    Programme.EntryBase.GRADE_11: "general_secondary",
}


def load_tree(programme):
    """The programme with modules, components and qualifications fetched in a fixed number of queries."""
    from django.db.models import Prefetch

    from kesip.curriculum.models import Component, Module

    modules = list(
        Module.objects.filter(programme=programme)
        .select_related("qualification", "integrated_into")
        .prefetch_related(Prefetch("components", queryset=Component.objects.order_by("position", "pk")))
        .order_by("position", "pk")
    )
    qualifications = list(programme.qualifications.all())
    return modules, qualifications


class Checker:
    """Collects violations instead of stopping at the first one."""

    def __init__(self, book):
        self.book = book
        self.found = []

    def add(self, code, message, field=None, source=None):
        r = self.book.get(code)
        self.found.append(RuleViolation(code, message, source if source is not None else (r.source if r else ""), field))

    def limit(self, code, actual, field=None, what=None):
        """Compare `actual` with the rule `code` if the jurisdiction has it."""
        r = self.book.get(code)
        if r is None:
            return
        actual = Decimal(actual)
        broken = (
            (r.comparison == r.Comparison.MIN and actual < r.value)
            or (r.comparison == r.Comparison.MAX and actual > r.value)
            or (r.comparison == r.Comparison.EQUALS and actual != r.value)
        )
        if broken:
            params = {
                "title": what or r.title,
                "limit": _n(r.value),
                "unit": r.get_unit_display(),
                "actual": _n(actual),
                "how": r.get_comparison_display(),
            }
            self.found.append(
                RuleViolation(
                    code, _("%(title)s: %(how)s %(limit)s %(unit)s required, %(actual)s planned.") % params, r.source, field
                )
            )


def programme_violations(programme, on=None, tree=None):
    """Every rule the programme's design breaks, each with its clause. Empty means it may be approved."""
    from kesip.curriculum.models import Component, Module, Qualification

    jurisdiction = programme.institution.jurisdiction
    book = rulebook_for(jurisdiction, on)
    modules, qualifications = tree or load_tree(programme)
    check = Checker(book)
    per_credit = hours_per_credit(book)
    components = [c for m in modules for c in m.components.all()]

    # Qualifications: at least one, of this specialty, in force for a programme being designed.
    if not qualifications:
        check.add(
            "curriculum.programme.qualifications", _("Choose at least one qualification of the classifier."), "qualifications"
        )
    for q in qualifications:
        if q.specialty_id != programme.specialty_id:
            check.add(
                "curriculum.programme.qualifications",
                _("Qualification %(q)s belongs to another specialty.") % {"q": q},
                "qualifications",
            )
        if programme.is_editable and not q.usable_for_new():
            check.add(
                "curriculum.classifier.removed",
                _("Qualification %(q)s was removed from the classifier and cannot be used for a new programme.") % {"q": q},
                "qualifications",
                source=q.removal_basis,
            )

    # Every module has parts; every component is consistent in credits and hours.
    for m in modules:
        if not m.components.all():
            check.add("curriculum.module.empty", _("Module %(m)s has no subjects or practice yet.") % {"m": m}, f"module-{m.pk}")
    if per_credit is not None:
        for c in components:
            if c.credits is None:
                check.add(CREDIT_HOURS, _("%(c)s: give the credits.") % {"c": c}, f"component-{c.pk}")
            elif (Decimal(c.hours) / per_credit).quantize(CENT, ROUND_HALF_UP) != c.credits:
                check.add(
                    CREDIT_HOURS,
                    _("%(c)s: %(credits)s credits do not match %(hours)s academic hours (1 credit = %(per)s hours).")
                    % {"c": c, "credits": _n(c.credits), "hours": c.hours, "per": _n(per_credit)},
                    f"component-{c.pk}",
                )

    # Totals: the parts add up to what the programme declares.
    total_hours = sum(c.hours for c in components)
    total_credits = sum((c.credits or Decimal(0)) for c in components)
    if programme.total_hours is None:
        check.add("curriculum.programme.total_hours", _("State the programme's total academic hours."), "total_hours")
    elif total_hours != programme.total_hours:
        check.add(
            "curriculum.programme.total_hours",
            _("The components add up to %(sum)s academic hours, but the programme states %(total)s.")
            % {"sum": total_hours, "total": programme.total_hours},
            "total_hours",
        )
    if per_credit is not None:
        if programme.total_credits is None:
            check.add("curriculum.programme.total_credits", _("State the programme's total credits."), "total_credits")
        elif total_credits != programme.total_credits:
            check.add(
                "curriculum.programme.total_credits",
                _("The components add up to %(sum)s credits, but the programme states %(total)s.")
                % {"sum": _n(total_credits), "total": programme.total_credits},
                "total_credits",
            )

    # Credit volume by qualification level and entry base.
    kind = programme_kind(qualifications)
    credits = programme.total_credits if programme.total_credits is not None else total_credits
    level = {Qualification.Kind.WORKER: "worker", Qualification.Kind.MID_LEVEL: "mid_level"}.get(kind)
    if kind == Qualification.Kind.APPLIED_BACHELOR:
        check.limit("curriculum.program.applied_bachelor.min_credits", credits, "total_credits")
        check.limit("curriculum.program.applied_bachelor.max_credits", credits, "total_credits")
    elif programme.entry_base == Programme.EntryBase.VOCATIONAL:
        if kind == Qualification.Kind.MID_LEVEL:
            check.limit("curriculum.program.mid_level.tvet_base.credits", credits, "total_credits")
    else:
        base = ENTRY_BASE_CODES[programme.entry_base]
        check.limit(f"curriculum.program.{level}.{base}.min_credits", credits, "total_credits")
        check.limit(f"curriculum.program.{level}.{base}.max_credits", credits, "total_credits")
    if kind == Qualification.Kind.MID_LEVEL:
        workers = sum(1 for q in qualifications if q.kind == Qualification.Kind.WORKER)
        check.limit("curriculum.program.mid_level.max_worker_qualifications", workers, "qualifications")

    # Professional modules: each qualification has at least one, and only the programme's own.
    programme_qs = {q.pk for q in qualifications}
    with_modules = {m.qualification_id for m in modules if m.kind == Module.Kind.PROFESSIONAL}
    for q in qualifications:
        if q.pk not in with_modules:
            check.add(
                "curriculum.programme.professional_modules",
                _("Qualification %(q)s has no professional module.") % {"q": q},
                "qualifications",
            )
    for m in modules:
        if m.kind == Module.Kind.PROFESSIONAL and m.qualification_id not in programme_qs:
            check.add(
                "curriculum.programme.professional_modules",
                _("Module %(m)s is for a qualification the programme does not award.") % {"m": m},
                f"module-{m.pk}",
            )

    _general_education(check, programme, modules, book)
    _basic_modules(check, programme, modules, kind, book)

    # At least one practice (KG п. 25; KZ schedule of the educational process).
    practice = sum(1 for c in components if c.kind == Component.Kind.PRACTICE)
    practical = sum(1 for c in components if c.is_practice)
    check.limit("wbl.practice.min_types_per_programme", practice, "modules", _("Practice components in the programme"))
    check.limit("curriculum.practice.min_components", practical, "modules", _("Practice or industrial-training components"))
    return check.found


def _general_education(check, programme, modules, book):
    from kesip.curriculum.models import Module

    ge = [m for m in modules if m.kind == Module.Kind.GENERAL]
    reduced = programme.specialty.reduced_general_education
    prefix = "curriculum.general_education.choreography." if reduced else "curriculum.general_education."
    if not ge:
        # The general-education module is part of a programme on the basic-secondary base (after grade 9).
        if programme.entry_base == Programme.EntryBase.GRADE_9 and f"{prefix}credits" in book:
            check.add(
                f"{prefix}credits",
                _("A programme after grade 9 includes the general-education module."),
                "modules",
            )
        return
    parts = [c for m in ge for c in m.components.all()]
    if f"{prefix}credits" in book:
        check.limit(
            f"{prefix}credits", sum((c.credits or 0) for c in parts), "modules", _("Credits of the general-education module")
        )
    if f"{prefix}academic_hours" in book:
        check.limit(f"{prefix}academic_hours", sum(c.hours for c in parts), "modules", _("Hours of the general-education module"))
    check.limit(
        "curriculum.general_education.min_electives",
        sum(1 for c in parts if c.is_elective),
        "modules",
        _("Elective general-education subjects"),
    )


def _basic_modules(check, programme, modules, kind, book):
    from kesip.curriculum.models import Module, Qualification

    code = "curriculum.basic_modules.mandatory_count"
    if code not in book:
        return  # basic modules are a KZ notion
    basic = [m for m in modules if m.kind == Module.Kind.BASIC]
    present = {m.basic_kind for m in basic}
    required = [Module.BasicKind.PHYSICAL, Module.BasicKind.DIGITAL, Module.BasicKind.ECONOMICS, Module.BasicKind.SOCIAL]
    if kind == Qualification.Kind.WORKER:
        required.remove(Module.BasicKind.SOCIAL)  # studied only when training mid-level specialists
    for basic_kind in required:
        if basic_kind not in present:
            check.add(
                code,
                _("The mandatory basic module “%(name)s” is missing.") % {"name": Module.BasicKind(basic_kind).label},
                "modules",
            )
    for m in basic:
        if m.basic_kind == Module.BasicKind.ADDITIONAL and not m.justification.strip():
            check.add(
                code,
                _("The additional basic module %(m)s needs its justification.") % {"m": m},
                f"module-{m.pk}",
            )
    if programme.specialty.is_military:
        merged = sum(1 for m in basic if m.integrated_into_id)
        check.limit(
            "curriculum.basic_modules.military.max_integrated",
            merged,
            "modules",
            _("Basic modules merged into professional modules of a military specialty"),
        )


def curriculum_violations(wc, on=None):
    """Every rule the working curriculum breaks: layout complete, yearly volume, general education early, distance cap."""
    from kesip.curriculum.models import Component, CurriculumEntry, Module

    programme = wc.programme
    book = rulebook_for(programme.institution.jurisdiction, on)
    check = Checker(book)
    per_credit = hours_per_credit(book)
    components = list(
        Component.objects.filter(module__programme=programme).select_related("module").order_by("module__position", "position")
    )
    entries = list(CurriculumEntry.objects.filter(curriculum=wc))
    laid_out = {}
    for e in entries:
        laid_out[e.component_id] = laid_out.get(e.component_id, 0) + e.hours

    # Every component is laid out in full, no more and no less.
    for c in components:
        got = laid_out.get(c.pk, 0)
        if got != c.hours:
            check.add(
                "curriculum.working.layout",
                _("%(c)s: %(got)s of its %(hours)s academic hours are laid out.") % {"c": c, "got": got, "hours": c.hours},
                f"component-{c.pk}",
            )
    for e in entries:
        if e.year > wc.years:
            check.add(
                "curriculum.working.layout",
                _("Year %(year)s is beyond the programme's %(years)s years of study.") % {"year": e.year, "years": wc.years},
                f"year-{e.year}",
            )
            break

    # The yearly volume: 60 credits, one year may be smaller but at least 36 (KZ §4).
    if per_credit is not None and "curriculum.study_year.credits" in book:
        per_year = {}
        for e in entries:
            per_year[e.year] = per_year.get(e.year, 0) + e.hours
        full = book["curriculum.study_year.credits"].value
        smaller = []
        for year in range(1, wc.years + 1):
            credits = (Decimal(per_year.get(year, 0)) / per_credit).quantize(CENT, ROUND_HALF_UP)
            if credits == full:
                continue
            if credits < full and credits >= book.get("curriculum.study_year.exception.min_credits", full).value:
                smaller.append(year)
                continue
            check.limit("curriculum.study_year.credits", credits, f"year-{year}", _("Credits of year %(year)s") % {"year": year})
        if len(smaller) > 1:
            check.add(
                "curriculum.study_year.exception.min_credits",
                _("Only one study year may have fewer than %(full)s credits; years %(years)s do.")
                % {"full": _n(full), "years": ", ".join(str(y) for y in smaller)},
                f"year-{smaller[1]}",
            )

    # General education only in the first years (KZ §3).
    if "curriculum.general_education.max_study_year" in book:
        general = {c.pk for c in components if c.module.kind == Module.Kind.GENERAL}
        late = sorted({e.year for e in entries if e.component_id in general})
        if late:
            check.limit(
                "curriculum.general_education.max_study_year", late[-1], f"year-{late[-1]}", _("Latest year of general education")
            )

    # Distance learning: at most 20 % of the time over the whole study period (KZ §7).
    check_distance(check, sum(e.hours for e in entries), sum(e.distance_hours for e in entries))
    return check.found


DISTANCE_CAP = "curriculum.distance_learning.max_percent_time"


def remote_share(total, remote):
    """Per cent of the hours taught remotely, rounded up: a cap is never under-reported."""
    return (Decimal(remote) * 100 / Decimal(total)).quantize(CENT, ROUND_UP) if total else Decimal(0)


def check_distance(check, total, remote, what=None):
    """The remote cap over the whole study period, for a working curriculum or one student's plan (KZ §7)."""
    if total and DISTANCE_CAP in check.book:
        check.limit(DISTANCE_CAP, remote_share(total, remote), "distance", what or _("Share of hours taught remotely"))
