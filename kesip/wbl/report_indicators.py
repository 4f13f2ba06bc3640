"""The indicators of the annual WBL report (requirement extract §8.2), computed in SQL.

`indicators(institutions, academic_year)` gives the figures of an academic year (1 September
`academic_year` – 31 August of the next year; a placement counts in the year its `starts_on`
falls) for one institution or many, summed; `consolidated` gives them per institution and in
total, for an authority. Every figure is an aggregate grouped by institution (conditional counts
and sums, correlated subqueries), so the number of queries is the same for two placements or two
thousand, for one institution or all of a ministry's. The result is plain JSON — choice codes, not
labels — so a final report freezes it as it was and shows it in any language later.

What the figures measure, where the data cannot say more:

* WBL share of hours (K1): Σ hours of the year's placements of the learners of each group ÷ (the
  hours the group's approved working curriculum plans for that year of study × the learners of
  the group placed), over the groups that have such a curriculum. The hours planned are all hours,
  or practice and industrial-training hours only, as the institution's WBL settings say (п. 53 §5).
* Graduates' employment (K14): the graduates of the year (status graduated, by a graduation order
  dated in the year) with an employment record (`GraduateEmployment`, п. 56 item 13): working
  (employed or self-employed), in the profession studied, and at a host employer of their WBL
  (`is_host_employer`, worked out from their placements, never typed); by the outcome of their
  latest record, and by employer. Next to it, the promise: graduates whose dual-training placement
  recorded that employment after graduation was agreed with the host employer (п. 19), and of
  them those who do work at that employer (the promise kept).
* Qualification upgrading of teachers and mentors (K18, п. 56 item 14): programmes starting in the
  year, the people enrolled (not dropped) and those who completed; training needs of the year.
* Apprentices per mentor (K7, п. 48): the largest number of apprentices one mentor had at the
  same time (counted on the first day of each apprenticeship of the year), against the rulebook's
  maximum where the rule applies.
* Diary (K9): entries graded ÷ entries submitted or graded; the lag is from submission to the
  mentor's grade, in days, against the institution's own days for grading.
* Briefings (K10): placements that reached “briefed” or later with all three briefings recorded
  (the institution's, the employer's safety briefing, the employer's local documents).
* Assessments: a mark passes when its band on the country's default grading scale passes.
"""

import datetime
import functools
import operator

from django.db.models import (
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kesip.core.models import Employer, Institution, Rule, Specialty, Student, StudyGroup
from kesip.curriculum.models import Component, CurriculumEntry, GradeBand, Movement, WorkingCurriculum
from kesip.wbl import event_report, partnership, report_kpis
from kesip.wbl.models import (
    Agreement,
    Assessment,
    Briefing,
    Certificate,
    DiaryEntry,
    EmployerPerson,
    GraduateEmployment,
    MonitoringVisit,
    Placement,
    PracticeType,
    TrainingNeed,
    UpgradingEnrolment,
    UpgradingProgramme,
    VolunteerRecognition,
    WblForm,
    WblSettings,
    Workplace,
)

MAX_APPRENTICES_RULE = "wbl.mentor.max_apprentices"
SHARE_METHOD = "placement_hours_over_planned_curriculum_hours"

S = Placement.Status
COUNTED = ~Q(status=S.CANCELLED)
REACHED_BRIEFED = (S.BRIEFED, S.ACTIVE, S.COMPLETED, S.ASSESSED, S.CLOSED)
FINISHED = (S.COMPLETED, S.ASSESSED, S.CLOSED)
IN_FORCE_DURING = (Agreement.Status.SIGNED, Agreement.Status.ACTIVE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED)
PRACTICE_KINDS = (Component.Kind.PRACTICE, Component.Kind.INDUSTRIAL_TRAINING)


def period(academic_year):
    """The first and last day of an academic year: 1 September – 31 August."""
    return datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31)


def academic_year_of(day):
    return day.year if day.month >= 9 else day.year - 1


def past_academic_year(today=None):
    """The academic year that ended last (on 31 August before `today`)."""
    return academic_year_of(today or timezone.localdate()) - 1


class Days(Func):
    """A date or a moment as a number of days (with the fraction of a day), the same on SQLite and PostgreSQL.

    The difference of two `Days` is the time between them in days, so averages of lags are
    computed by the database on both engines without interval arithmetic.
    """

    output_field = FloatField()
    arity = 1

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="julianday(%(expressions)s)", **extra)

    def as_sql(self, compiler, connection, template=None, **extra):
        template = template or "(EXTRACT(EPOCH FROM %(expressions)s) / 86400.0)::double precision"
        return super().as_sql(compiler, connection, template=template, **extra)


def _pct(part, whole):
    return round(100.0 * part / whole, 1) if whole else None


def _avg(total, count, digits=1):
    return round(float(total) / count, digits) if count else None


def _num(value):
    """A database number as JSON can hold it (Decimal sums become floats; None stays 0 for counts)."""
    if value is None:
        return 0
    if isinstance(value, int):
        return value
    value = float(value)
    return int(value) if value.is_integer() else round(value, 4)


def _rows(qs, key="institution_id"):
    return {row.pop(key): {k: _num(v) for k, v in row.items()} for row in qs}


def _ids(institutions):
    if hasattr(institutions, "values_list"):
        if institutions.model is Institution:
            return list(institutions.order_by().values_list("pk", flat=True))
        return list(institutions.order_by().values_list("institution_id", flat=True))
    return [getattr(i, "pk", i) for i in institutions]


# --- The queries: each one aggregate grouped by institution -------------------------------------


def _by_choice(field, choices, base, distinct_field=None):
    """{code: Count(...)} annotations, one per choice of `field` (conditional counts)."""
    out = {}
    for code in choices:
        cond = base & Q(**{field: code})
        out[f"{field}__{code}"] = (
            Count(distinct_field, distinct=True, filter=cond) if distinct_field else Count("pk", filter=cond)
        )
    return out


def _briefed(kind, before_start=False):
    qs = Briefing.objects.filter(placement=OuterRef("pk"), kind=kind)
    if before_start:
        qs = qs.filter(held_on__lte=OuterRef("starts_on"))
    return Exists(qs)


def _placement_figures(ids, start, end):
    kinds = Briefing.Kind.values
    all_briefings = functools.reduce(operator.and_, (Q(_briefed(k)) for k in kinds))
    before_start = functools.reduce(operator.and_, (Q(_briefed(k, True)) for k in kinds))
    reached = COUNTED & Q(status__in=REACHED_BRIEFED)
    finished = Q(status__in=FINISHED)
    internship = COUNTED & Q(form=WblForm.INTERNSHIP)
    apprenticeship = COUNTED & Q(form=WblForm.APPRENTICESHIP)
    aggregates = {
        "placements": Count("pk"),
        "counted": Count("pk", filter=COUNTED),
        "learners": Count("student", distinct=True, filter=COUNTED),
        "teachers": Count("intern_staff", distinct=True, filter=COUNTED),
        "employers": Count("employer", distinct=True, filter=COUNTED & ~Q(employer__kind=Employer.Kind.OWN_BASE)),
        "own_base_learners": Count("student", distinct=True, filter=COUNTED & Q(employer__kind=Employer.Kind.OWN_BASE)),
        "own_bases": Count("employer", distinct=True, filter=COUNTED & Q(employer__kind=Employer.Kind.OWN_BASE)),
        "with_mentor": Count("pk", filter=COUNTED & Q(mentor__isnull=False)),
        "with_supervisor": Count("pk", filter=COUNTED & Q(supervisor__isnull=False)),
        "at_workplace": Count("pk", filter=COUNTED & Q(workplace__isnull=False)),
        "without_hours": Count("pk", filter=COUNTED & Q(hours__isnull=True)),
        "reached_briefed": Count("pk", filter=reached),
        "briefed_all": Count("pk", filter=reached & all_briefings),
        "briefed_before_start": Count("pk", filter=reached & before_start),
        "finished": Count("pk", filter=finished),
        "documented": Count("pk", filter=finished & ~Q(review="") & ~Q(characterisation="")),
        "internships": Count("pk", filter=internship),
        "internship_days": Sum(Days("ends_on") - Days("starts_on") + 1, filter=internship),
        "internships_successful": Count("pk", filter=internship & Q(outcome=Placement.Outcome.SUCCESSFUL)),
        "certificates": Count(
            "pk", filter=internship & Q(Exists(Certificate.objects.filter(placement=OuterRef("pk"), revoked_on__isnull=True)))
        ),
        "apprenticeships": Count("pk", filter=apprenticeship),
        "apprenticeships_outside": Count("pk", filter=apprenticeship & Q(outside_wbl_programme=True)),
        **_by_choice("status", S.values, Q()),
        **_by_choice("form", WblForm.values, COUNTED & Q(student__isnull=False), "student"),
        **_by_choice("practice_type", PracticeType.values, COUNTED & Q(form=WblForm.PRACTICE), "student"),
        **_by_choice("intern_category", Placement.InternCategory.values, internship),
        **_by_choice("internship_type", Placement.InternshipType.values, internship),
        **_by_choice("apprenticeship_form", Placement.ApprenticeshipForm.values, apprenticeship),
    }
    qs = (
        Placement.objects.filter(institution_id__in=ids, starts_on__range=(start, end))
        .order_by()
        .values("institution_id")
        .annotate(**aggregates)
    )
    return _rows(qs)


def _gender_figures(ids, start, end):
    """Placements by the learner's profession (the specialty of the group's programme) and sex (K19)."""
    qs = (
        Placement.objects.filter(COUNTED, institution_id__in=ids, starts_on__range=(start, end), student__isnull=False)
        .order_by()
        .values("institution_id", "group__programme__specialty_id", "student__sex")
        .annotate(n=Count("pk"))
    )
    out = {}
    for row in qs:
        out.setdefault(row["institution_id"], []).append((row["group__programme__specialty_id"], row["student__sex"], row["n"]))
    return out


def _diary_figures(ids, start, end):
    E = DiaryEntry.Status
    default_days = WblSettings._meta.get_field("diary_grading_days").default
    graded = Q(status=E.GRADED, graded_at__isnull=False, submitted_at__isnull=False)
    qs = (
        DiaryEntry.objects.filter(institution_id__in=ids, placement__starts_on__range=(start, end))
        .exclude(placement__status=S.CANCELLED)
        .annotate(
            lag=Days("graded_at") - Days("submitted_at"),
            # One second of slack: julianday() differences of whole days are not always exact floats.
            allowed=ExpressionWrapper(
                Coalesce(F("institution__wbl_settings__diary_grading_days"), Value(default_days)) + Value(1 / 86400),
                output_field=FloatField(),
            ),
        )
        .order_by()
        .values("institution_id")
        .annotate(
            entries=Count("pk"),
            asked=Count("pk", filter=Q(status__in=(E.SUBMITTED, E.GRADED))),
            graded=Count("pk", filter=Q(status=E.GRADED)),
            waiting=Count("pk", filter=Q(status=E.SUBMITTED)),
            returned=Count("pk", filter=Q(status=E.RETURNED)),
            drafts=Count("pk", filter=Q(status=E.DRAFT)),
            lag_count=Count("pk", filter=graded),
            lag_sum=Sum("lag", filter=graded),
            lag_max=Max("lag", filter=graded),
            late=Count("pk", filter=graded & Q(lag__gt=F("allowed"))),
        )
    )
    return _rows(qs)


def _assessment_figures(ids, start, end):
    """Assessments of the year's placements; passed when the mark's band on the country's default scale passes."""
    band_passed = Subquery(
        GradeBand.objects.filter(
            scale__is_default=True, scale__jurisdiction=OuterRef("institution__jurisdiction"), min_value__lte=OuterRef("value")
        )
        .order_by("-min_value")
        .values("passed")[:1]
    )
    qs = (
        Assessment.objects.filter(institution_id__in=ids, placement__starts_on__range=(start, end))
        .exclude(placement__status=S.CANCELLED)
        .annotate(ok=band_passed)
        .order_by()
        .values("institution_id")
        .annotate(count=Count("pk"), total=Sum("value"), passed=Count("pk", filter=Q(ok=True)))
    )
    return _rows(qs)


def _agreement_figures(ids, start, end):
    """Agreements in force at some time of the year (K3), by kind and form, two- or three-party (п. 12)."""
    three = Q(learner__isnull=False) | ~Q(legal_representative="")
    qs = (
        Agreement.objects.filter(institution_id__in=ids, status__in=IN_FORCE_DURING, starts_on__lte=end, ends_on__gte=start)
        .exclude(terminated_on__lt=start)
        .order_by()
        .values("institution_id")
        .annotate(
            agreements=Count("pk"),
            agreement_employers=Count("employer", distinct=True),
            three_party=Count("pk", filter=three),
            two_party=Count("pk", filter=~three),
            **_by_choice("kind", Agreement.Kind.values, Q()),
            **_by_choice("form", WblForm.values, Q(kind=Agreement.Kind.WBL)),
        )
    )
    return _rows(qs)


def _workplace_figures(ids, start, end):
    qs = (
        Workplace.objects.filter(institution_id__in=ids, available_from__lte=end, available_to__gte=start)
        .order_by()
        .values("institution_id")
        .annotate(workplaces=Count("pk"), places_offered=Sum("places"))
    )
    return _rows(qs)


def _mentor_figures(ids, start, end):
    """Mentors of the year's placements and how many learners each had (K6, K7)."""
    mentored = Placement.objects.filter(COUNTED, mentor=OuterRef("pk"), starts_on__range=(start, end))
    learners = Subquery(
        mentored.order_by()
        .values("mentor")
        .annotate(c=Count("student", distinct=True) + Count("intern_staff", distinct=True))
        .values("c")
    )
    qs = (
        EmployerPerson.objects.filter(Exists(mentored), institution_id__in=ids)
        .annotate(n=learners)
        .order_by()
        .values("institution_id")
        .annotate(
            mentors=Count("pk"),
            links=Sum("n"),
            most=Max("n"),
            load_1=Count("pk", filter=Q(n=1)),
            load_2=Count("pk", filter=Q(n=2)),
            load_3_5=Count("pk", filter=Q(n__gte=3, n__lte=5)),
            load_6=Count("pk", filter=Q(n__gt=5)),
        )
    )
    return _rows(qs)


def _apprentice_figures(ids, start, end, limits):
    """The peak of apprentices a mentor had at once: at each apprenticeship's first day, those of the mentor under way."""
    under_way = Placement.objects.filter(
        COUNTED,
        form=WblForm.APPRENTICESHIP,
        mentor=OuterRef("mentor"),
        starts_on__lte=OuterRef("starts_on"),
        ends_on__gte=OuterRef("starts_on"),
    )
    at_once = Subquery(under_way.order_by().values("mentor").annotate(c=Count("student", distinct=True)).values("c"))
    aggregates = {"peak": Max("at_once"), "apprentice_mentors": Count("mentor", distinct=True)}
    if limits:
        over = functools.reduce(operator.or_, (Q(institution__jurisdiction=j, at_once__gt=limit) for j, limit in limits.items()))
        aggregates["over"] = Count("mentor", distinct=True, filter=over)
    qs = (
        Placement.objects.filter(
            COUNTED,
            institution_id__in=ids,
            form=WblForm.APPRENTICESHIP,
            mentor__isnull=False,
            starts_on__range=(start, end),
        )
        .annotate(at_once=at_once)
        .order_by()
        .values("institution_id")
        .annotate(**aggregates)
    )
    return _rows(qs)


def _share_figures(ids, academic_year, start, end):
    """K1 per institution: placement hours of each group's learners against the hours its curriculum plans that year."""
    placed = Placement.objects.filter(COUNTED, group=OuterRef("pk"), student__isnull=False, starts_on__range=(start, end))
    entries = CurriculumEntry.objects.filter(
        curriculum__programme=OuterRef("programme"),
        curriculum__intake_year=OuterRef("intake_year"),
        curriculum__status=WorkingCurriculum.Status.APPROVED,
        year=Value(academic_year + 1, output_field=IntegerField()) - OuterRef("intake_year"),
    ).order_by()

    def planned(qs):
        return Subquery(qs.values("curriculum").annotate(s=Sum("hours")).values("s"))

    default = WblSettings._meta.get_field("wbl_percent_denominator").default
    chosen = Case(
        When(method=WblSettings.Denominator.PRACTICE_HOURS, then=F("planned_practice")),
        default=F("planned_all"),
        output_field=IntegerField(),
    )
    qs = (
        StudyGroup.objects.filter(Exists(placed), institution_id__in=ids)
        .annotate(
            wbl_hours=Coalesce(Subquery(placed.order_by().values("group").annotate(s=Sum("hours")).values("s")), 0),
            placed=Subquery(placed.order_by().values("group").annotate(c=Count("student", distinct=True)).values("c")),
            planned_all=planned(entries),
            planned_practice=planned(entries.filter(component__kind__in=PRACTICE_KINDS)),
            method=Coalesce(F("institution__wbl_settings__wbl_percent_denominator"), Value(default)),
        )
        .annotate(plan=chosen)
        .order_by()
        .values("institution_id")
        .annotate(
            groups=Count("pk"),
            groups_without_plan=Count("pk", filter=Q(plan__isnull=True) | Q(plan=0)),
            share_hours=Sum("wbl_hours", filter=Q(plan__gt=0)),
            share_planned=Sum(F("plan") * F("placed"), filter=Q(plan__gt=0)),
            practice_only=Count("pk", filter=Q(method=WblSettings.Denominator.PRACTICE_HOURS)),
        )
    )
    return _rows(qs)


WORKING = (GraduateEmployment.Outcome.EMPLOYED, GraduateEmployment.Outcome.SELF_EMPLOYED)


def _graduates_of_year(ids, start, end):
    graduation = Movement.objects.filter(student=OuterRef("pk"), kind=Movement.Kind.GRADUATION, on__range=(start, end))
    return Student.objects.filter(Exists(graduation), institution_id__in=ids, status=Student.Status.GRADUATED)


def _graduate_figures(ids, start, end):
    """Graduates of the year (K14): their employment records, and the dual placements' promises of employment."""
    dual = Placement.objects.filter(COUNTED, student=OuterRef("pk"), form=WblForm.DUAL)
    employment = GraduateEmployment.objects.filter(student=OuterRef("pk"))
    working = employment.filter(outcome__in=WORKING)
    at_promiser = GraduateEmployment.objects.filter(
        student=OuterRef("student"), employer=OuterRef("employer"), outcome__in=WORKING
    )
    latest = Subquery(employment.order_by("-starts_on", "-pk").values("outcome")[:1])
    qs = (
        _graduates_of_year(ids, start, end)
        .annotate(latest=latest)
        .order_by()
        .values("institution_id")
        .annotate(
            graduates=Count("pk"),
            graduates_dual=Count("pk", filter=Q(Exists(dual))),
            graduates_promised=Count("pk", filter=Q(Exists(dual.filter(employment_promised=True)))),
            graduates_promise_kept=Count(
                "pk", filter=Q(Exists(dual.filter(employment_promised=True).filter(Exists(at_promiser))))
            ),
            graduates_recorded=Count("pk", filter=Q(Exists(employment))),
            graduates_employed=Count("pk", filter=Q(Exists(working))),
            graduates_in_profession=Count("pk", filter=Q(Exists(working.filter(in_profession=True)))),
            graduates_host=Count("pk", filter=Q(Exists(working.filter(is_host_employer=True)))),
            **{f"outcome__{code}": Count("pk", filter=Q(latest=code)) for code in GraduateEmployment.Outcome.values},
        )
    )
    return _rows(qs)


def _employer_figures(ids, start, end):
    """The year's graduates who work, by employer (the register's or a name typed): one GROUP BY query."""
    graduated = _graduates_of_year(ids, start, end).values("pk")
    qs = (
        GraduateEmployment.objects.filter(institution_id__in=ids, outcome__in=WORKING, student__in=graduated)
        .order_by()
        .values("institution_id", "employer_id", "employer__name", "employer_name")
        .annotate(
            n=Count("student", distinct=True),
            host=Count("student", distinct=True, filter=Q(is_host_employer=True)),
            profession=Count("student", distinct=True, filter=Q(in_profession=True)),
        )
    )
    out = {}
    for row in qs:
        name = row["employer__name"] or row["employer_name"] or ""
        out.setdefault(row["institution_id"], []).append(
            {"employer": row["employer_id"], "name": name, "graduates": row["n"], "host": row["host"],
             "in_profession": row["profession"]}
        )  # fmt: skip
    return out


def _upgrading_figures(ids, start, end):
    """K18: upgrading programmes starting in the year, the people in them, and who completed."""
    E = UpgradingEnrolment.Result
    inside = Q(enrolments__result__in=(E.ENROLLED, E.COMPLETED))
    qs = (
        UpgradingProgramme.objects.filter(institution_id__in=ids, starts_on__range=(start, end))
        .order_by()
        .values("institution_id")
        .annotate(
            upgrading_programmes=Count("pk", distinct=True),
            upgrading_from_needs=Count(
                "pk", distinct=True, filter=Q(Exists(TrainingNeed.objects.filter(programme=OuterRef("pk"))))
            ),
            upgrading_enrolled=Count("enrolments", filter=inside),
            upgrading_completed=Count("enrolments", filter=Q(enrolments__result=E.COMPLETED)),
            upgrading_teachers=Count("enrolments__staff", distinct=True, filter=inside),
            upgrading_mentors=Count("enrolments__mentor", distinct=True, filter=inside),
        )
    )
    return _rows(qs)


def _need_figures(ids, academic_year):
    S = TrainingNeed.Status
    qs = (
        TrainingNeed.objects.filter(institution_id__in=ids, academic_year=academic_year)
        .order_by()
        .values("institution_id")
        .annotate(
            needs=Count("pk"),
            needs_staff=Count("pk", filter=Q(staff__isnull=False)),
            needs_mentors=Count("pk", filter=Q(mentor__isnull=False)),
            needs_planned=Count("pk", filter=Q(status=S.PLANNED)),
            needs_met=Count("pk", filter=Q(status=S.MET)),
        )
    )
    return _rows(qs)


def _volunteer_figures(ids, start, end):
    V = VolunteerRecognition.Status
    qs = (
        VolunteerRecognition.objects.filter(institution_id__in=ids, starts_on__range=(start, end))
        .order_by()
        .values("institution_id")
        .annotate(
            volunteer_submitted=Count("pk", filter=Q(status=V.SUBMITTED)),
            volunteer_recognised=Count("pk", filter=Q(status=V.RECOGNISED)),
            volunteer_rejected=Count("pk", filter=Q(status=V.REJECTED)),
            volunteer_hours=Sum("hours", filter=Q(status=V.RECOGNISED)),
        )
    )
    return _rows(qs)


def _visit_figures(ids, start, end):
    qs = (
        MonitoringVisit.objects.filter(institution_id__in=ids, visited_on__range=(start, end))
        .order_by()
        .values("institution_id")
        .annotate(visits=Count("pk"), visited_employers=Count("employer", distinct=True))
    )
    return _rows(qs)


def _rules(jurisdictions, on):
    """{jurisdiction: max apprentices per mentor} where the rule applies (one query)."""
    found = {}
    qs = Rule.objects.filter(code=MAX_APPRENTICES_RULE, jurisdiction__in=jurisdictions, effective_from__lte=on)
    for r in qs.exclude(effective_to__lt=on).order_by("jurisdiction", "-effective_from"):
        found.setdefault(r.jurisdiction, int(r.value))
    return found


def _pass_marks(jurisdictions):
    """{jurisdiction: the lowest mark that passes on the country's default scale} (one query)."""
    rows = (
        GradeBand.objects.filter(scale__is_default=True, scale__jurisdiction__in=jurisdictions, passed=True)
        .order_by()
        .values("scale__jurisdiction")
        .annotate(m=Min("min_value"))
    )
    return {r["scale__jurisdiction"]: _num(r["m"]) for r in rows}


# --- Assembling ----------------------------------------------------------------------------------

SOURCES = {
    "p": _placement_figures,
    "d": _diary_figures,
    "a": _assessment_figures,
    "g": _agreement_figures,
    "w": _workplace_figures,
    "m": _mentor_figures,
    "gr": _graduate_figures,
    "v": _volunteer_figures,
    "ev": event_report.event_figures,
    "evi": event_report.event_involvement,
    "mv": _visit_figures,
    "up": _upgrading_figures,
}
# Figures that are a largest value (merged by max), and those that hold for one country only (merged if equal).
MAX_KEYS = {"most", "lag_max", "apprentice_peak"}
SAME_KEYS = {"method", "pass_mark", "apprentice_limit", "gender_flag_percent"}


def _compose(src, gender, specialties, jurisdiction, limit, pass_mark, by_employer=()):
    """The sums of one institution, shaped as the report stores them (choice codes, not labels)."""

    def get(source, name):
        return src.get(source, {}).get(name, 0) or 0

    def choice(source, prefix, codes):
        return {code: get(source, f"{prefix}__{code}") for code in codes}

    p, d, m = (functools.partial(get, s) for s in ("p", "d", "m"))
    professions = {}
    for specialty_id, sex, n in gender:
        row = professions.get(specialty_id or 0)
        if row is None:
            row = professions[specialty_id or 0] = {"specialty": specialty_id, **specialties.get(specialty_id, {})}
            row.update({"F": 0, "M": 0, "unknown": 0})
        row[sex if sex in ("F", "M") else "unknown"] += n
    return {
        "jurisdictions": [jurisdiction] if jurisdiction else [],
        "placements": {"total": p("placements"), "counted": p("counted"), "by_status": choice("p", "status", S.values)},
        "learners": {
            "total": p("learners"),
            "teachers": p("teachers"),
            "by_form": choice("p", "form", WblForm.values),
            "by_practice_type": choice("p", "practice_type", PracticeType.values),
        },
        "employers": {
            "hosting": p("employers"),
            "with_agreements": get("g", "agreement_employers"),
            "own_bases": p("own_bases"),  # the institution's own bases (п. 3), not counted as employers
            "own_base_learners": p("own_base_learners"),
        },
        "agreements": {
            "total": get("g", "agreements"),
            "two_party": get("g", "two_party"),
            "three_party": get("g", "three_party"),
            "by_kind": choice("g", "kind", Agreement.Kind.values),
            "by_form": choice("g", "form", WblForm.values),
        },
        "workplaces": {"workplaces": get("w", "workplaces"), "places": get("w", "places_offered"), "used": p("at_workplace")},
        "share": {
            "method": SHARE_METHOD,
            "wbl_hours": get("s", "share_hours"),
            "planned_hours": get("s", "share_planned"),
            "groups": get("s", "groups"),
            "groups_without_plan": get("s", "groups_without_plan"),
            "practice_only_groups": get("s", "practice_only"),
            "placements_without_hours": p("without_hours"),
        },
        "mentors": {
            "placements": p("counted"),
            "with_mentor": p("with_mentor"),
            "with_supervisor": p("with_supervisor"),
            "mentors": m("mentors"),
            "links": m("links"),
            "most": m("most"),
            "load": {"1": m("load_1"), "2": m("load_2"), "3-5": m("load_3_5"), "6+": m("load_6")},
            "apprentice_mentors": get("ap", "apprentice_mentors"),
            "apprentice_peak": get("ap", "peak"),
            "apprentice_limit": limit,
            "over_limit": get("ap", "over"),
        },
        "diary": {
            "entries": d("entries"),
            "asked": d("asked"),
            "graded": d("graded"),
            "waiting": d("waiting"),
            "returned": d("returned"),
            "drafts": d("drafts"),
            "lag_count": d("lag_count"),
            "lag_sum": d("lag_sum"),
            "lag_max": d("lag_max"),
            "late": d("late"),
        },
        "briefings": {
            "placements": p("reached_briefed"),
            "complete": p("briefed_all"),
            "before_start": p("briefed_before_start"),
        },
        "completion": {"finished": p("finished"), "documented": p("documented")},
        "assessments": {
            "count": get("a", "count"),
            "total": get("a", "total"),
            "passed": get("a", "passed"),
            "pass_mark": pass_mark,
        },
        "gender": sorted(professions.values(), key=lambda r: (r.get("code") or "~", r["specialty"] or 0)),
        "graduates": {
            "graduates": get("gr", "graduates"),
            "dual": get("gr", "graduates_dual"),
            "employment_promised": get("gr", "graduates_promised"),
            "promise_kept": get("gr", "graduates_promise_kept"),
            "recorded": get("gr", "graduates_recorded"),
            "employed": get("gr", "graduates_employed"),
            "in_profession": get("gr", "graduates_in_profession"),
            "host_employer": get("gr", "graduates_host"),
            "by_outcome": choice("gr", "outcome", GraduateEmployment.Outcome.values),
            "by_employer": sorted(by_employer, key=lambda r: (-r["graduates"], r["name"])),
        },
        "upgrading": {
            "programmes": get("up", "upgrading_programmes"),
            "from_needs": get("up", "upgrading_from_needs"),
            "enrolled": get("up", "upgrading_enrolled"),
            "completed": get("up", "upgrading_completed"),
            "teachers": get("up", "upgrading_teachers"),
            "mentors": get("up", "upgrading_mentors"),
            "needs": get("nd", "needs"),
            "needs_staff": get("nd", "needs_staff"),
            "needs_mentors": get("nd", "needs_mentors"),
            "needs_planned": get("nd", "needs_planned"),
            "needs_met": get("nd", "needs_met"),
        },
        "internships": {
            "total": p("internships"),
            "days": p("internship_days"),
            "successful": p("internships_successful"),
            "certificates": p("certificates"),
            "by_category": choice("p", "intern_category", Placement.InternCategory.values),
            "by_type": choice("p", "internship_type", Placement.InternshipType.values),
        },
        "apprenticeships": {
            "total": p("apprenticeships"),
            "outside_wbl": p("apprenticeships_outside"),
            "by_form": choice("p", "apprenticeship_form", Placement.ApprenticeshipForm.values),
        },
        "volunteers": {
            "submitted": get("v", "volunteer_submitted"),
            "recognised": get("v", "volunteer_recognised"),
            "rejected": get("v", "volunteer_rejected"),
            "hours": get("v", "volunteer_hours"),
        },
        "visits": {"count": get("mv", "visits"), "employers": get("mv", "visited_employers")},
        "events": event_report.compose(get),
    }


def _add(into, other):
    for key, value in other.items():
        if key == "jurisdictions":
            into[key] = sorted(set(into[key]) | set(value))
        elif key == "by_employer":
            into[key] = sorted([*into[key], *value], key=lambda r: (-r["graduates"], r["name"]))
        elif key == "partnership":  # needs by profession and evaluations' sums (K27, K15)
            partnership.merge_report(into[key], value)
        elif key == "kpis":  # K2, K5, K8, K12, K13
            report_kpis.merge(into[key], value)
        elif key == "gender":
            rows = {r["specialty"] or 0: r for r in into[key]}
            for r in value:
                mine = rows.get(r["specialty"] or 0)
                if mine is None:
                    rows[r["specialty"] or 0] = dict(r)
                else:
                    for sex in ("F", "M", "unknown"):
                        mine[sex] += r[sex]
            into[key] = sorted(rows.values(), key=lambda r: (r.get("code") or "~", r["specialty"] or 0))
        elif isinstance(value, dict):
            _add(into.setdefault(key, {}), value)
        elif key in SAME_KEYS:
            into[key] = into[key] if into[key] == value else None
        elif key in MAX_KEYS:
            into[key] = max(into[key] or 0, value or 0)
        else:  # a report stored before an indicator existed lacks it: it counts as 0
            into[key] = _num((into.get(key) or 0) + (value or 0))


def _merge(items):
    import copy

    items = list(items)
    if not items:
        return _compose({}, [], {}, None, None, None)
    merged = copy.deepcopy(items[0])
    for item in items[1:]:
        _add(merged, item)
    return merged


def _finish(ind, academic_year, institutions):
    """Add the shares and averages to the sums (they are recomputed from sums, so totals are exact)."""
    start, end = period(academic_year)
    ind.update({"academic_year": academic_year, "starts_on": start.isoformat(), "ends_on": end.isoformat()})
    ind["institutions"] = institutions
    w, s, m, d = ind["workplaces"], ind["share"], ind["mentors"], ind["diary"]
    w["use_percent"] = _pct(w["used"], w["places"])
    s["percent"] = _pct(s["wbl_hours"], s["planned_hours"])
    m["coverage_percent"] = _pct(m["with_mentor"], m["placements"])
    m["supervisor_percent"] = _pct(m["with_supervisor"], m["placements"])
    m["average"] = _avg(m["links"], m["mentors"])
    d["completion_percent"] = _pct(d["graded"], d["asked"])
    d["average_lag"] = _avg(d["lag_sum"], d["lag_count"])
    d["lag_max"] = round(float(d["lag_max"] or 0), 1)
    d["on_time_percent"] = _pct(d["lag_count"] - d["late"], d["lag_count"])
    b, c, a = ind["briefings"], ind["completion"], ind["assessments"]
    b["percent"] = _pct(b["complete"], b["placements"])
    b["before_start_percent"] = _pct(b["before_start"], b["placements"])
    c["percent"] = _pct(c["documented"], c["finished"])
    # Marks of two countries' scales do not average into one number.
    a["average"] = _avg(a["total"], a["count"], 2) if len(ind["jurisdictions"]) <= 1 else None
    a["pass_percent"] = _pct(a["passed"], a["count"])
    female = male = unknown = 0
    flag = ind.get("gender_flag_percent")  # F33: one sex above the rulebook's share (п. 57 item 14)
    for row in ind["gender"]:
        row["female_percent"] = _pct(row["F"], row["F"] + row["M"])
        row["stereotyped"] = partnership.stereotyped(row["F"], row["M"], flag)
        female, male, unknown = female + row["F"], male + row["M"], unknown + row["unknown"]
    ind["gender_total"] = {"F": female, "M": male, "unknown": unknown, "female_percent": _pct(female, female + male)}
    g, i = ind["graduates"], ind["internships"]
    g["percent"] = _pct(g["employment_promised"], g["graduates"])
    g["dual_percent"] = _pct(g["employment_promised"], g["dual"])
    g["promise_kept_percent"] = _pct(g["promise_kept"], g["employment_promised"])
    g["employed_percent"] = _pct(g["employed"], g["graduates"])
    g["in_profession_percent"] = _pct(g["in_profession"], g["graduates"])
    g["host_employer_percent"] = _pct(g["host_employer"], g["graduates"])
    up = ind["upgrading"]
    up["completed_percent"] = _pct(up["completed"], up["enrolled"])
    up["needs_met_percent"] = _pct(up["needs_met"], up["needs"])
    i["average_days"] = _avg(i["days"], i["total"])
    event_report.finish(ind["events"], _pct)
    partnership.finish_report(ind.setdefault("partnership", partnership.empty_report()))
    report_kpis.finish(ind.setdefault("kpis", report_kpis.empty()), _pct)
    return ind


def _compute(ids, academic_year, institutions=None):
    """({institution id: indicators}, indicators of them all) in a fixed number of queries."""
    import copy

    ids = sorted(set(ids))
    if not ids:
        return {}, _finish(_merge([]), academic_year, 0)
    start, end = period(academic_year)
    if institutions is None:
        institutions = list(Institution.objects.filter(pk__in=ids).only("pk", "jurisdiction"))
    jurisdiction = {i.pk: i.jurisdiction for i in institutions}
    countries = sorted(set(jurisdiction.values()))
    limits, marks = _rules(countries, end), _pass_marks(countries)
    found = {name: query(ids, start, end) for name, query in SOURCES.items()}
    found["ap"] = _apprentice_figures(ids, start, end, limits)
    found["s"] = _share_figures(ids, academic_year, start, end)
    found["nd"] = _need_figures(ids, academic_year)
    by_employer = _employer_figures(ids, start, end)
    partners = partnership.report_figures(ids, academic_year)
    kpis, competencies = report_kpis.figures(ids, start, end), report_kpis.competency_figures(ids, start, end)
    flags = partnership.stereotype_thresholds(countries, end)
    gender = _gender_figures(ids, start, end)
    specialty_ids = {sid for rows in gender.values() for sid, _sex, _n in rows if sid}
    specialties = {
        sp.pk: {"code": sp.code, "names": {lang: getattr(sp, f"name_{lang}") for lang in ("ky", "ru", "kk", "en")}}
        for sp in Specialty.objects.filter(pk__in=specialty_ids)
    }
    composed = {}
    for iid in ids:
        j = jurisdiction.get(iid)
        src = {name: rows.get(iid, {}) for name, rows in found.items()}
        composed[iid] = _compose(src, gender.get(iid, []), specialties, j, limits.get(j), marks.get(j), by_employer.get(iid, []))
        composed[iid]["partnership"] = partners.get(iid) or partnership.empty_report()
        composed[iid]["kpis"] = report_kpis.compose(kpis.get(iid, {}), competencies.get(iid, []))
        composed[iid]["gender_flag_percent"] = flags.get(j)
    total = _finish(_merge(composed.values()), academic_year, len(ids))
    return {iid: _finish(copy.deepcopy(c), academic_year, 1) for iid, c in composed.items()}, total


def indicators(institutions, academic_year):
    """The indicators of §8.2 for the institutions (a queryset or ids) in the academic year, summed over them.

    A dict of plain numbers and choice codes (JSON as it is frozen into a final report); shares
    and averages are recomputed from the sums. Whatever the data, the same few queries.

    The WBL share of hours (K1) is Σ hours of the year's placements ÷ the hours the approved
    working curricula of those learners' groups plan for that year of study (per learner placed),
    not the planned WBL % of a WBL programme: it measures what happened, not what was designed.
    """
    return _compute(_ids(institutions), academic_year)[1]


def consolidated(institutions, academic_year):
    """([(institution, its indicators)], the totals): the authority's view across its institutions."""
    ids = _ids(institutions)
    listed = list(Institution.objects.filter(pk__in=ids).order_by("short_name_ru", "pk"))
    per, total = _compute([i.pk for i in listed], academic_year, listed)
    return [(i, per[i.pk]) for i in listed], total
