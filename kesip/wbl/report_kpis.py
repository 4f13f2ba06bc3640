"""More indicators of the annual WBL report (requirement extract §8.2), each one aggregate grouped by institution.

* K2 (п. 9): the mean practice : theory ratio of the agreements in force in the year that state
  both shares (practice % ÷ theory %, averaged over them; the mean shares are given beside it).
* K5 (п. 56 items 5–7): learners on the rosters of the agreements in force in the year, and of them
  those placed (a placement of the year, not cancelled).
* K8 (п. 56 item 7): groups whose learners had placements in the year, and of them those with a
  head of practical training appointed by a signed order (a line of a signed “supervisor” order).
* K12 (п. 20, 53 §6, §9): competency results of the year's assessments: recorded, achieved, by competency.
* K13 (п. 4, 57 item 13): assessments of the year's placements, and of them those with an employer assessor.

* K20 (п. 54): learners with special educational needs placed in the year, and of them those whose
  WBL programme sets out adapted forms of practice, and those at a workplace marked accessible.

K26 (the report on time and agreed) is the report's own state, in `report_measures.timeliness`
(the due day is the institution's setting: the regulation gives none); K11 is `completion` in the
report's indicators.
"""

from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, Sum
from django.db.models.functions import Cast

from kesip.wbl.models import (
    Agreement,
    AgreementRosterEntry,
    Assessment,
    CompetencyResult,
    Order,
    OrderLine,
    Placement,
    WblProgramme,
)

S = Placement.Status
COUNTED = ~Q(status=S.CANCELLED)
IN_FORCE_DURING = (Agreement.Status.SIGNED, Agreement.Status.ACTIVE, Agreement.Status.EXPIRED, Agreement.Status.TERMINATED)


def _in_force(start, end):
    return Q(status__in=IN_FORCE_DURING, starts_on__lte=end, ends_on__gte=start) & ~Q(terminated_on__lt=start)


def _rows(qs):
    from kesip.wbl.report_indicators import _num

    return {row.pop("institution_id"): {k: _num(v) for k, v in row.items()} for row in qs}


def figures(ids, start, end):
    """{institution id: flat sums} for K2, K5, K8, K13, K20 — five queries whatever the data."""
    out = {}

    def put(rows):
        for iid, values in rows.items():
            out.setdefault(iid, {}).update(values)

    stated = Q(theory_percent__isnull=False, practice_percent__isnull=False, theory_percent__gt=0)
    put(
        _rows(
            Agreement.objects.filter(_in_force(start, end), institution_id__in=ids)
            .order_by()
            .values("institution_id")
            .annotate(
                ratio_agreements=Count("pk", filter=stated),
                ratio_sum=Sum(
                    Cast("practice_percent", FloatField()) / Cast("theory_percent", FloatField()),
                    filter=stated,
                    output_field=FloatField(),
                ),
                theory_sum=Sum("theory_percent", filter=stated),
                practice_sum=Sum("practice_percent", filter=stated),
            )
        )
    )
    placed = Placement.objects.filter(COUNTED, student=OuterRef("student"), starts_on__range=(start, end))
    listed = Q(agreement__status__in=IN_FORCE_DURING, agreement__starts_on__lte=end, agreement__ends_on__gte=start) & ~Q(
        agreement__terminated_on__lt=start
    )
    put(
        _rows(
            AgreementRosterEntry.objects.filter(listed, institution_id__in=ids)
            .annotate(placed=Exists(placed))
            .order_by()
            .values("institution_id")
            .annotate(listed=Count("student", distinct=True), placed=Count("student", distinct=True, filter=Q(placed=True)))
        )
    )
    appointed = OrderLine.objects.filter(
        group=OuterRef("group"),
        supervisor__isnull=False,
        order__kind=Order.Kind.SUPERVISOR,
        order__status=Order.Status.SIGNED,
    )
    put(
        _rows(
            Placement.objects.filter(COUNTED, institution_id__in=ids, starts_on__range=(start, end), group__isnull=False)
            .annotate(appointed=Exists(appointed))
            .order_by()
            .values("institution_id")
            .annotate(
                wbl_groups=Count("group", distinct=True), groups_appointed=Count("group", distinct=True, filter=Q(appointed=True))
            )
        )
    )
    employer_assessor = Assessment.employer_assessors.through.objects.filter(assessment_id=OuterRef("pk"))
    put(
        _rows(
            Assessment.objects.filter(institution_id__in=ids, placement__starts_on__range=(start, end))
            .exclude(placement__status=S.CANCELLED)
            .annotate(with_employer=Exists(employer_assessor))
            .order_by()
            .values("institution_id")
            .annotate(assessed=Count("pk"), with_employer=Count("pk", filter=Q(with_employer=True)))
        )
    )
    documented = WblProgramme.objects.filter(
        programme_id=OuterRef("group__programme_id"), form=OuterRef("form"), status__in=WblProgramme.USABLE
    ).exclude(accessibility="")
    own = Q(wbl_programme__isnull=False) & ~Q(wbl_programme__accessibility="")
    put(
        _rows(
            Placement.objects.filter(COUNTED, institution_id__in=ids, starts_on__range=(start, end), student__special_needs=True)
            .annotate(documented=Exists(documented))
            .order_by()
            .values("institution_id")
            .annotate(
                special_learners=Count("student", distinct=True),
                special_adapted=Count("student", distinct=True, filter=own | Q(documented=True)),
                special_accessible=Count("student", distinct=True, filter=Q(workplace__accessible=True)),
            )
        )
    )
    return out


def competency_figures(ids, start, end):
    """{institution id: [{competency, code, description, results, achieved}]} (K12) — one query."""
    qs = (
        CompetencyResult.objects.filter(institution_id__in=ids, assessment__placement__starts_on__range=(start, end))
        .exclude(assessment__placement__status=S.CANCELLED)
        .order_by()
        .values("institution_id", "competency_id")
        .annotate(
            code=F("competency__code"),
            description=F("competency__description"),
            results=Count("pk"),
            achieved=Count("pk", filter=Q(achieved=True)),
        )
    )
    out = {}
    for row in qs:
        out.setdefault(row["institution_id"], []).append(
            {
                "competency": row["competency_id"],
                "code": row["code"],
                "description": (row["description"] or "")[:200],
                "results": row["results"],
                "achieved": row["achieved"],
            }
        )
    return {iid: sorted(rows, key=lambda r: (r["code"], r["competency"])) for iid, rows in out.items()}


def empty():
    return compose({}, [])


def compose(src, competencies):
    def get(name):
        return src.get(name, 0) or 0

    return {
        "ratio": {
            "agreements": get("ratio_agreements"),
            "ratio_sum": get("ratio_sum"),
            "theory_sum": get("theory_sum"),
            "practice_sum": get("practice_sum"),
        },
        "coverage": {"listed": get("listed"), "placed": get("placed")},
        "groups": {"wbl": get("wbl_groups"), "appointed": get("groups_appointed")},
        "assessors": {"assessed": get("assessed"), "with_employer": get("with_employer")},
        "inclusion": {
            "learners": get("special_learners"),
            "adapted": get("special_adapted"),
            "accessible": get("special_accessible"),
        },
        "competencies": [dict(r) for r in competencies],
    }


def merge(into, other):
    """Add another institution's K-figures to `into` (competencies of two institutions stay apart: their own ids)."""
    for part in ("ratio", "coverage", "groups", "assessors", "inclusion"):
        for key, value in other[part].items():
            if not key.endswith("_percent") and key not in ("mean", "theory", "practice"):
                into[part][key] = round((into[part].get(key) or 0) + (value or 0), 4)
    into["competencies"] = sorted([*into["competencies"], *other["competencies"]], key=lambda r: (r["code"], r["competency"]))


def finish(k, pct):
    r = k["ratio"]
    n = r["agreements"]
    r["mean"] = round(r["ratio_sum"] / n, 2) if n else None
    r["theory"] = round(r["theory_sum"] / n, 1) if n else None
    r["practice"] = round(r["practice_sum"] / n, 1) if n else None
    k["coverage"]["percent"] = pct(k["coverage"]["placed"], k["coverage"]["listed"])
    k["groups"]["percent"] = pct(k["groups"]["appointed"], k["groups"]["wbl"])
    k["assessors"]["percent"] = pct(k["assessors"]["with_employer"], k["assessors"]["assessed"])
    inc = k.setdefault("inclusion", {"learners": 0, "adapted": 0, "accessible": 0})
    inc["adapted_percent"] = pct(inc["adapted"], inc["learners"])
    inc["accessible_percent"] = pct(inc["accessible"], inc["learners"])
    results = achieved = 0
    for row in k["competencies"]:
        row["percent"] = pct(row["achieved"], row["results"])
        results, achieved = results + row["results"], achieved + row["achieved"]
    k["competency_total"] = {"results": results, "achieved": achieved, "percent": pct(achieved, results)}
    return k


def section(ind, num, pct, dec):
    """The report's section of K2, K5, K8, K12, K13 (for the page and the document), or None for a report frozen before."""
    from django.utils.translation import gettext as _

    from kesip.core import documents as d

    k = ind.get("kpis")
    if not k:
        return None
    r, c, g, a, ct = k["ratio"], k["coverage"], k["groups"], k["assessors"], k["competency_total"]
    blocks = [
        d.fields(
            [
                (
                    _("Mean practice : theory ratio of the agreements in force (K2, п. 9)"),
                    f"{dec(r['mean'], 2)} ({dec(r['practice'])} % : {dec(r['theory'])} %, {num(r['agreements'])})",
                ),
                (
                    _("Learners placed of those on the agreements' rosters (K5)"),
                    f"{num(c['placed'])} / {num(c['listed'])} · {pct(c['percent'])}",
                ),
                (
                    _("Groups in WBL with a head of practical training appointed by order (K8)"),
                    f"{num(g['appointed'])} / {num(g['wbl'])} · {pct(g['percent'])}",
                ),
                (
                    _("Assessments with an employer's assessor (K13)"),
                    f"{num(a['with_employer'])} / {num(a['assessed'])} · {pct(a['percent'])}",
                ),
                (
                    _("Competency results achieved (K12)"),
                    f"{num(ct['achieved'])} / {num(ct['results'])} · {pct(ct['percent'])}",
                ),
                *(
                    [
                        (
                            _("Learners with special educational needs in WBL (K20, п. 54)"),
                            num(k["inclusion"]["learners"]),
                        ),
                        (
                            _("… of them with adapted forms of practice in the WBL programme"),
                            f"{num(k['inclusion']['adapted'])} · {pct(k['inclusion']['adapted_percent'])}",
                        ),
                        (
                            _("… of them at a workplace marked accessible"),
                            f"{num(k['inclusion']['accessible'])} · {pct(k['inclusion']['accessible_percent'])}",
                        ),
                    ]
                    if "inclusion" in k
                    else []
                ),
            ]
        )
    ]
    if k["competencies"]:
        blocks.append(
            d.table(
                [_("Competency"), _("Results"), _("Achieved"), _("Share")],
                [
                    [
                        f"{row['code']} {row['description']}".strip(),
                        num(row["results"]),
                        num(row["achieved"]),
                        pct(row["percent"]),
                    ]
                    for row in k["competencies"]
                ],
                widths=[55, 15, 15, 15],
            )
        )
    return {
        "key": "kpis",
        "title": _("Agreements, coverage, heads of practice, competencies and inclusion (K2, K5, K8, K12, K13, K20)"),
        "note": _(
            "K2 averages practice ÷ theory over the agreements that state both shares; K5 counts each learner once; "
            "K8 counts a group whose head of practical training is named in a signed order."
        ),
        "blocks": blocks,
    }
