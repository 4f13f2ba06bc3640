"""Employers' needs, employers' evaluations of WBL, and the gender-stereotype flag (F6, F34, F33; п. 4, 6, 57 items 8, 14).

* A need: how many specialists of one profession an employer needs in an academic year, and how
  many learners it can take for WBL (one record per employer × profession × year). The analysis
  page sets them against the learners in WBL of that profession and the year's graduates (K27).
* An evaluation: the employer scores a fixed set of criteria 1–5 on how the WBL programme was
  carried out at its base (п. 57 item 8); the mean is computed. The regulation gives no standard
  form (§9.5 question 9): the criteria are Kesip's, listed on the rulebook page as an open question.
  Only the employer's people (its head, representative or a mentor with a login) or the
  institution's WBL staff on the employer's behalf fill it in.
* The gender flag: a profession (or employer) whose placements are more than the rulebook's
  share of one sex is marked as possibly stereotyped (п. 57 item 14; the number is inferred).

Every step runs in one transaction and raises `WblInvalid` listing every broken rule; nothing is half-saved.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.models import Specialty
from kesip.core.rules import RuleViolation
from kesip.wbl import common
from kesip.wbl.models import EmployerEvaluation, EmployerNeed, EmployerPerson, Placement

NEED_FIELDS = ["employer", "specialty", "academic_year", "headcount", "wbl_places", "expectations", "source", "collected_on"]
EVALUATION_FIELDS = ["employer", "programme", "academic_year", "filled_by", "filled_on", "strengths", "problems", "proposals"]

# Kesip's evaluation form (the regulation has none, §9.5 question 9): the criteria and the 1–5 scale.
EVALUATION_CRITERIA = [
    ("programme_relevance", gettext_lazy("Relevance of the WBL programme to the work at the employer")),
    ("learners_preparation", gettext_lazy("Learners' preparation before WBL")),
    ("cooperation", gettext_lazy("Cooperation with the institution")),
    ("supervisor_support", gettext_lazy("Support from the institution's head of practical training")),
    ("organisation", gettext_lazy("Organisation of briefings and documents")),
    ("results", gettext_lazy("Results the learners achieved")),
]
CRITERIA_CODES = [code for code, _label in EVALUATION_CRITERIA]
SCORE_MIN, SCORE_MAX = 1, 5
STEREOTYPE_SHARE = "wbl.gender.stereotype_share"
EVALUATION_QUESTION = gettext_lazy(
    "Does the employer's monitoring and evaluation of the WBL programme (п. 57 item 8) need a standard form? The "
    "regulation gives none (§9.5, question 9): Kesip asks %(count)s fixed criteria scored %(low)s–%(high)s, and their mean."
)


def criterion_label(code):
    return dict(EVALUATION_CRITERIA).get(code, code)


def today():
    return datetime.date.today()


def period(academic_year):
    return datetime.date(academic_year, 9, 1), datetime.date(academic_year + 1, 8, 31)


def _refuse(message, field=None):
    raise RuleViolation("wbl.permission", message, "", field)


def _model_errors(obj, exclude=("institution",)):
    try:
        obj.full_clean(exclude=list(exclude), validate_constraints=False)
    except ValidationError as exc:
        return [
            RuleViolation(f"wbl.{obj._meta.model_name}.{field}", message, "", None if field == "__all__" else field)
            for field, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


# --- Who acts ---------------------------------------------------------------------------------------------


def people_of(user):
    from kesip.wbl.engagement import people_of as found

    return found(user)


def staff_of(user, model, institution_id):
    """The institution's own WBL staff (change_wbl over the institution, not an employer's people)."""
    return common.may(user, model, "change", institution_id)


def person_at(user, employer_id, *, mentor=True):
    """The user's employee record at the employer that may speak for it (head, representative; a mentor if allowed)."""
    for p in people_of(user):
        if p.employer_id == employer_id and (p.is_head or p.is_representative or (mentor and p.is_mentor)):
            return p
    return None


def employer_ids_of(user, *, mentor=True):
    return {p.employer_id for p in people_of(user) if p.is_head or p.is_representative or (mentor and p.is_mentor)}


def may_record_need(user, need):
    """The institution's WBL staff, or the head or representative of the need's employer."""
    if user is None:
        return True
    if staff_of(user, EmployerNeed, need.institution_id):
        return True
    return bool(need.employer_id) and person_at(user, need.employer_id, mentor=False) is not None


def may_evaluate(user, evaluation):
    """The employer's people (head, representative, mentor) or the institution's staff on its behalf."""
    if user is None:
        return True
    if staff_of(user, EmployerEvaluation, evaluation.institution_id):
        return True
    return bool(evaluation.employer_id) and person_at(user, evaluation.employer_id) is not None


def visible_needs(user):
    return EmployerNeed.objects.for_user(user, "view")


def visible_evaluations(user):
    return EmployerEvaluation.objects.for_user(user, "view")


# --- Needs (п. 4, 6; F6) ----------------------------------------------------------------------------------


def _unique_need(need):
    return RuleViolation(
        "wbl.employer_need.unique",
        _("%(employer)s already has a need for %(profession)s in %(year)s–%(next)s: edit that record instead.")
        % {"employer": need.employer, "profession": need.specialty, "year": need.academic_year, "next": need.academic_year + 1},
        "п. 4",
        "specialty",
    )


def _need_errors(need):
    found = _model_errors(need)
    if found:
        return found
    if need.specialty_id and need.employer_id and need.academic_year:
        twins = EmployerNeed.objects.filter(
            employer_id=need.employer_id, specialty_id=need.specialty_id, academic_year=need.academic_year
        )
        if twins.exclude(pk=need.pk).exists():
            found.append(_unique_need(need))
    return found


def save_need(need, user):
    """Record an employer's need, or change it. The same employer × profession × year twice is refused, not a crash."""
    with transaction.atomic():
        if need.employer_id and not need.institution_id:
            need.institution_id = need.employer.institution_id
        if need.pk:
            stored = common.locked(EmployerNeed, need.pk)
            if stored.institution_id != need.institution_id or not may_record_need(user, stored):
                _refuse(_("You may not take this step."), "employer")
        if not may_record_need(user, need):
            _refuse(_("The institution's WBL staff or the employer's head or representative record its needs."), "employer")
        common.raise_all(_need_errors(need))
        try:
            with transaction.atomic():
                need.save()
        except IntegrityError:  # a simultaneous twin passed the check first
            raise common.WblInvalid([_unique_need(need)]) from None
    return need


@common.atomic_step
def delete_need(need, user):
    current = common.locked(EmployerNeed, need.pk)
    if not may_record_need(user, current):
        _refuse(_("You may not take this step."))
    current.delete()


def _known_ids(institution_ids):
    return sorted(set(institution_ids))


def needs_analysis(institution_ids, academic_year):
    """K27 for the year, per profession: [{specialty, code, name, employers, needed, places, learners, graduates, gap,
    state}] and the totals. Four fixed queries whatever the data."""
    from kesip.wbl.report_indicators import _graduates_of_year

    ids = _known_ids(institution_ids)
    start, end = period(academic_year)
    rows = {}

    def row(sid):
        return rows.setdefault(sid, {"specialty": sid, "employers": 0, "needed": 0, "places": 0, "learners": 0, "graduates": 0})

    needs = (
        EmployerNeed.objects.filter(institution_id__in=ids, academic_year=academic_year)
        .order_by()
        .values("specialty_id")
        .annotate(employers=Count("employer", distinct=True), needed=Sum("headcount"), places=Sum("wbl_places"))
    )
    for n in needs:
        r = row(n["specialty_id"])
        r.update(employers=n["employers"], needed=n["needed"] or 0, places=n["places"] or 0)
    learners = (
        Placement.objects.filter(
            ~Q(status=Placement.Status.CANCELLED),
            institution_id__in=ids,
            starts_on__lte=end,
            ends_on__gte=start,
            student__isnull=False,
            group__programme__specialty__isnull=False,
        )
        .order_by()
        .values("group__programme__specialty_id")
        .annotate(n=Count("student", distinct=True))
    )
    for n in learners:
        row(n["group__programme__specialty_id"])["learners"] = n["n"]
    graduates = (
        _graduates_of_year(ids, start, end)
        .filter(group__programme__specialty__isnull=False)
        .order_by()
        .values("group__programme__specialty_id")
        .annotate(n=Count("pk"))
    )
    for n in graduates:
        row(n["group__programme__specialty_id"])["graduates"] = n["n"]
    names = {s.pk: s for s in Specialty.objects.filter(pk__in=list(rows))}
    out = []
    for sid, r in rows.items():
        s = names.get(sid)
        r["code"], r["name"] = (s.code, str(s)) if s else ("", "")
        out.append(imbalance(r))
    out.sort(key=lambda r: (r["code"], r["specialty"]))
    total = imbalance({k: sum(r[k] for r in out) for k in ("employers", "needed", "places", "learners", "graduates")})
    return out, total


def imbalance(r):
    """The gap of one row (graduates − needed): a shortage when the employers need more than graduate, a surplus when fewer."""
    r["gap"] = r["graduates"] - r["needed"]
    r["state"] = "shortage" if r["gap"] < 0 else "surplus" if r["gap"] > 0 and r["needed"] else "balanced" if r["needed"] else ""
    if r["gap"] > 0 and not r["needed"]:
        r["state"] = "no_need"
    return r


STATE_LABELS = {
    "shortage": gettext_lazy("Shortage: employers need more than graduate"),
    "surplus": gettext_lazy("Surplus: more graduates than employers need"),
    "balanced": gettext_lazy("Balanced"),
    "no_need": gettext_lazy("Graduates, no need recorded"),
}


# --- Evaluations (п. 57 item 8; F34, K15) -----------------------------------------------------------------


def answer_violations(answers):
    """Every criterion answered with a whole score from 1 to 5; no unknown criterion."""
    found = []
    answers = answers if isinstance(answers, dict) else {}
    for code, label in EVALUATION_CRITERIA:
        value = answers.get(code)
        if value in (None, ""):
            found.append(
                RuleViolation("wbl.evaluation.answer", _("Score “%(criterion)s”.") % {"criterion": label}, "п. 57, item 8", code)
            )
            continue
        if isinstance(value, bool) or not isinstance(value, int | str) or not str(value).strip().lstrip("-").isdigit():
            score = None
        else:
            score = int(str(value).strip())
        if score is None or not SCORE_MIN <= score <= SCORE_MAX:
            found.append(
                RuleViolation(
                    "wbl.evaluation.answer",
                    _("“%(criterion)s” is scored with a whole number from %(low)s to %(high)s.")
                    % {"criterion": label, "low": SCORE_MIN, "high": SCORE_MAX},
                    "п. 57, item 8",
                    code,
                )
            )
    for code in answers:
        if code not in CRITERIA_CODES:
            found.append(
                RuleViolation(
                    "wbl.evaluation.answer", _("“%(criterion)s” is not a criterion of the form.") % {"criterion": code}, "", code
                )
            )
    return found


def mean_score(answers):
    values = [int(answers[code]) for code in CRITERIA_CODES]
    return (Decimal(sum(values)) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _evaluation_errors(ev):
    found = _model_errors(ev, exclude=("institution", "answers"))
    found += answer_violations(ev.answers)
    if ev.programme_id and ev.programme.institution_id != ev.institution_id:
        found.append(RuleViolation("wbl.evaluation.programme", _("Choose a WBL programme of the institution."), "", "programme"))
    if ev.filled_by_id and ev.filled_by.employer_id != ev.employer_id:
        found.append(
            RuleViolation("wbl.evaluation.filled_by", _("The person who fills it in works for the employer."), "", "filled_by")
        )
    if not found:
        twins = EmployerEvaluation.objects.filter(
            employer_id=ev.employer_id, academic_year=ev.academic_year, programme_id=ev.programme_id
        ).exclude(pk=ev.pk)
        if twins.exists():
            found.append(_unique_evaluation(ev))
    return found


def _unique_evaluation(ev):
    return RuleViolation(
        "wbl.evaluation.unique",
        _("%(employer)s has already evaluated this programme in %(year)s–%(next)s: edit that evaluation instead.")
        % {"employer": ev.employer, "year": ev.academic_year, "next": ev.academic_year + 1},
        "п. 57, item 8",
        "programme",
    )


def save_evaluation(ev, user):
    """Record the employer's evaluation (or change it): every criterion 1–5, the mean computed; one per employer ×
    programme × year. An employer's person filling it in is named as the one who filled it."""
    with transaction.atomic():
        if ev.employer_id and not ev.institution_id:
            ev.institution_id = ev.employer.institution_id
        if ev.pk:
            stored = common.locked(EmployerEvaluation, ev.pk)
            if stored.institution_id != ev.institution_id or not may_evaluate(user, stored):
                _refuse(_("You may not take this step."), "employer")
        if not may_evaluate(user, ev):
            _refuse(_("The employer's people, or the institution's WBL staff on its behalf, fill in its evaluation."), "employer")
        if user is not None and not staff_of(user, EmployerEvaluation, ev.institution_id):
            ev.filled_by = person_at(user, ev.employer_id)
        # Serialise the evaluations of one employer: the uniqueness of a programme-less one is not a DB constraint.
        from kesip.core.models import Employer

        Employer.objects.select_for_update().filter(pk=ev.employer_id).first()
        common.raise_all(_evaluation_errors(ev))
        ev.answers = {code: int(ev.answers[code]) for code in CRITERIA_CODES}
        ev.score = mean_score(ev.answers)
        try:
            with transaction.atomic():
                ev.save()
        except IntegrityError:
            raise common.WblInvalid([_unique_evaluation(ev)]) from None
    return ev


@common.atomic_step
def delete_evaluation(ev, user):
    current = common.locked(EmployerEvaluation, ev.pk)
    if not may_evaluate(user, current):
        _refuse(_("You may not take this step."))
    current.delete()


def criterion_rows(ev):
    return [(code, label, (ev.answers or {}).get(code)) for code, label in EVALUATION_CRITERIA]


def evaluation_figures(ids, start=None, end=None, academic_year=None):
    """Per institution: the count of evaluations of the year, the sum of their mean scores, and per criterion the sum
    and count of the scores — one GROUP BY query (the means are computed from the sums, so totals merge exactly)."""
    aggregates = {"evaluations": Count("pk"), "score_sum": Sum("score")}
    for code in CRITERIA_CODES:
        aggregates[f"c_{code}_sum"] = Sum(Cast(KT(f"answers__{code}"), IntegerField()))
        aggregates[f"c_{code}_n"] = Count("pk", filter=Q(answers__has_key=code))
    qs = (
        EmployerEvaluation.objects.filter(institution_id__in=list(ids), academic_year=academic_year)
        .order_by()
        .values("institution_id")
        .annotate(**aggregates)
    )
    return {r.pop("institution_id"): r for r in qs}


def evaluation_summary(institution_ids, academic_year):
    """For the pages: {count, mean, criteria: [(code, label, mean, n)]} over the institutions (one query)."""
    rows = evaluation_figures(institution_ids, academic_year=academic_year).values()
    total = {"evaluations": 0, "score_sum": Decimal(0)}
    for r in rows:
        for key, value in r.items():
            total[key] = total.get(key, 0) + (value or 0)
    return finish_evaluations(compose_evaluations(total))


def compose_evaluations(src):
    return {
        "count": src.get("evaluations", 0) or 0,
        "score_sum": float(src.get("score_sum") or 0),
        "criteria": {
            code: {"sum": src.get(f"c_{code}_sum", 0) or 0, "n": src.get(f"c_{code}_n", 0) or 0} for code in CRITERIA_CODES
        },
    }


def finish_evaluations(ev):
    ev["mean"] = round(ev["score_sum"] / ev["count"], 2) if ev["count"] else None
    for c in ev["criteria"].values():
        c["mean"] = round(c["sum"] / c["n"], 2) if c["n"] else None
    return ev


# --- The annual report (K27, K15) --------------------------------------------------------------------------


def report_figures(ids, academic_year):
    """Per institution, the report's partnership section before merging: needs vs graduates per profession (rows
    keyed by specialty id as text) and the evaluations' sums. Five fixed queries."""
    from kesip.wbl.report_indicators import _graduates_of_year

    start, end = period(academic_year)
    out = {}

    def row(iid, sid):
        part = out.setdefault(iid, {"needs": {}, "evaluations": None})
        return part["needs"].setdefault(
            str(sid), {"specialty": sid, "employers": 0, "needed": 0, "places": 0, "learners": 0, "graduates": 0}
        )

    for n in (
        EmployerNeed.objects.filter(institution_id__in=ids, academic_year=academic_year)
        .order_by()
        .values("institution_id", "specialty_id")
        .annotate(employers=Count("employer", distinct=True), needed=Sum("headcount"), places=Sum("wbl_places"))
    ):
        row(n["institution_id"], n["specialty_id"]).update(
            employers=n["employers"], needed=n["needed"] or 0, places=n["places"] or 0
        )
    needed_ids = EmployerNeed.objects.filter(institution_id__in=ids, academic_year=academic_year).values("specialty_id")
    for n in (
        Placement.objects.filter(
            ~Q(status=Placement.Status.CANCELLED),
            institution_id__in=ids,
            starts_on__lte=end,
            ends_on__gte=start,
            student__isnull=False,
            group__programme__specialty_id__in=needed_ids,
        )
        .order_by()
        .values("institution_id", "group__programme__specialty_id")
        .annotate(n=Count("student", distinct=True))
    ):
        row(n["institution_id"], n["group__programme__specialty_id"])["learners"] = n["n"]
    for n in (
        _graduates_of_year(ids, start, end)
        .filter(group__programme__specialty__isnull=False)
        .order_by()
        .values("institution_id", "group__programme__specialty_id")
        .annotate(n=Count("pk"))
    ):
        row(n["institution_id"], n["group__programme__specialty_id"])["graduates"] = n["n"]
    sids = {int(k) for part in out.values() for k in part["needs"]}
    names = {
        s.pk: {"code": s.code, "names": {lang: getattr(s, f"name_{lang}") for lang in ("ky", "ru", "kk", "en")}}
        for s in Specialty.objects.filter(pk__in=sids)
    }
    for part in out.values():
        for r in part["needs"].values():
            r.update(names.get(r["specialty"], {"code": "", "names": {}}))
    evaluations = evaluation_figures(ids, academic_year=academic_year)
    for iid in ids:
        part = out.setdefault(iid, {"needs": {}, "evaluations": None})
        part["evaluations"] = compose_evaluations(evaluations.get(iid, {}))
    return out


def empty_report():
    return {"needs": {}, "evaluations": compose_evaluations({})}


def merge_report(into, other):
    """Sum the partnership section of another institution into `into` (needs by profession, evaluations' sums)."""
    for key, r in other.get("needs", {}).items():
        mine = into["needs"].get(key)
        if mine is None:
            into["needs"][key] = dict(r)
        else:
            for k in ("employers", "needed", "places", "learners", "graduates"):
                mine[k] += r[k]
    a, b = into["evaluations"], other["evaluations"]
    a["count"] += b["count"]
    a["score_sum"] += b["score_sum"]
    for code, c in b["criteria"].items():
        mine = a["criteria"].setdefault(code, {"sum": 0, "n": 0})
        mine["sum"] += c["sum"]
        mine["n"] += c["n"]


def finish_report(part):
    rows = sorted(part["needs"].values(), key=lambda r: (r.get("code") or "~", r["specialty"] or 0))
    part["rows"] = [imbalance(r) for r in rows]
    part["total"] = imbalance({k: sum(r[k] for r in rows) for k in ("employers", "needed", "places", "learners", "graduates")})
    finish_evaluations(part["evaluations"])
    return part


# --- Gender stereotypes (п. 57 item 14; F33) ----------------------------------------------------------------


def stereotype_thresholds(jurisdictions, on=None):
    """{jurisdiction: the rulebook's share (a float, percent)} of the countries (one query)."""
    from kesip.core.models import Rule

    on = on or today()
    qs = Rule.objects.filter(code=STEREOTYPE_SHARE, jurisdiction__in=list(jurisdictions), effective_from__lte=on).exclude(
        effective_to__lt=on
    )
    found = {}
    for r in qs.order_by("jurisdiction", "-effective_from"):
        found.setdefault(r.jurisdiction, float(r.value))
    return found


def stereotyped(female, male, threshold):
    """Whether one sex is MORE than `threshold` % of the learners whose sex is known (the threshold itself is not flagged)."""
    known = (female or 0) + (male or 0)
    if threshold is None or not known:
        return False
    return max(female or 0, male or 0) * 100 > threshold * known


def threshold_for(user, on=None):
    """The rulebook's share for the user's country (KG when several or none) — one query."""
    jurisdictions = {m.institution.jurisdiction for m in access.memberships(user) if m.institution_id}
    jurisdiction = jurisdictions.pop() if len(jurisdictions) == 1 else "KG"
    return stereotype_thresholds([jurisdiction], on).get(jurisdiction)


def flagged_employers(placements, academic_year, threshold, limit=10):
    """For the dashboard: the employers whose placements of the year are more than `threshold` % one sex (F33), with
    their counts — one GROUP BY query over the given (scoped) placements."""
    if threshold is None:
        return []
    start, end = period(academic_year)
    qs = (
        placements.filter(~Q(status=Placement.Status.CANCELLED), starts_on__lte=end, ends_on__gte=start)
        .filter(student__isnull=False, employer__isnull=False)
        .order_by()
        .values("employer_id", "employer__name")
        .annotate(female=Count("pk", filter=Q(student__sex="F")), male=Count("pk", filter=Q(student__sex="M")))
        .annotate(known=F("female") + F("male"))
        .filter(known__gt=0)
        .filter(Q(female__gt=F("known") * threshold / 100.0) | Q(male__gt=F("known") * threshold / 100.0))
        .order_by("-known", "employer__name")
    )
    return [
        {"employer": r["employer_id"], "name": r["employer__name"], "female": r["female"], "male": r["male"]}
        for r in qs[:limit]
        if stereotyped(r["female"], r["male"], threshold)
    ]


def people_choices(employer):
    """The employer's active people who may fill in an evaluation."""
    return EmployerPerson.objects.filter(employer=employer, is_active=True).filter(
        Q(is_head=True) | Q(is_representative=True) | Q(is_mentor=True)
    )


def employer_panel(employer, user):
    """For the employer's page: its needs and evaluations (latest first) and what the user may add. Two queries."""
    # What the user's scope shows (a career counsellor sees the employer, not its WBL records).
    needs = list(
        EmployerNeed.objects.for_user(user, "view")
        .filter(employer=employer)
        .select_related("specialty")
        .order_by("-academic_year")[:10]
    )
    evaluations = list(
        EmployerEvaluation.objects.for_user(user, "view")
        .filter(employer=employer)
        .select_related("programme")
        .order_by("-academic_year")[:10]
    )
    probe_need = EmployerNeed(institution_id=employer.institution_id, employer=employer)
    probe_ev = EmployerEvaluation(institution_id=employer.institution_id, employer=employer)
    return {
        "needs": needs,
        "evaluations": evaluations,
        "may_add_need": may_record_need(user, probe_need),
        "may_evaluate": may_evaluate(user, probe_ev),
    }


def scope_institution_ids(user, model):
    """The institutions whose figures the user reads in full (staff, authorities), as a list; None for everything."""
    scope = access.scope_for(user, model, "view")
    if scope.everything:
        return None
    return sorted(scope.institution_ids)
