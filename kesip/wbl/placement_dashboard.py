"""The numbers of the WBL start page: what the head of practical training must look at today.

Placements by status and the placements needing attention (diaries to control, grades overdue,
briefings missing before the start, no mentor, ending without a review), the groups without a head
of practical training appointed by order (VR-41), agreements expiring soon, recent monitoring
visits and the gender breakdown by profession (п. 57 item 14). Every number is counted in SQL
(conditional counts in a few aggregate queries), so the page reads a fixed number of queries
whatever the number of placements. The page and the API answer the same `numbers()`.
"""

import datetime
from types import SimpleNamespace

from django.db.models import Count, Exists, Max, OuterRef, Q

from kesip.core import access
from kesip.core.models import StudyGroup
from kesip.core.models.base import localized
from kesip.core.models.registries import Sex
from kesip.wbl import placements as services
from kesip.wbl.models import Agreement, DiaryEntry, MonitoringVisit, Order, OrderLine, Placement, WblSettings

S = Placement.Status
ATTENTION = (
    "diary_control",
    "grading_overdue",
    "briefings_missing",
    "no_mentor",
    "ending_no_review",
    "consent_waiting",
    "consent_refused",
)
GROUP_LIMIT = 12
AGREEMENT_LIMIT = 8
VISIT_LIMIT = 6


def academic_year(day):
    """The academic year a day falls in: 2024 for 1 September 2024 – 31 August 2025."""
    return day.year if day.month >= 9 else day.year - 1


def settings_of(user):
    """The institution's WBL settings when the user works in one institution; the defaults otherwise."""
    institutions = {m.institution_id: m.institution for m in access.memberships(user) if m.institution_id}
    if len(institutions) == 1:
        return WblSettings.of(next(iter(institutions.values())))
    return WblSettings()


def scoped_placements(user, mine=False):
    qs = Placement.objects.for_user(user)
    return qs.filter(services.mine_q(user)) if mine else qs


def numbers(user, mine=False, today=None, year=None):
    """Everything the dashboard shows, as a dict (model instances for the agreements and visits)."""
    today = today or datetime.date.today()
    settings = settings_of(user)
    placements = scoped_placements(user, mine)
    counts = {f"status_{s}": Count("pk", filter=Q(status=s)) for s in S.values}
    counts.update({key: Count("pk", filter=services.attention_q(key, today)) for key in ATTENTION})
    counted = placements.aggregate(**counts)
    from kesip.wbl.diary import COUNTED, overdue_q

    entries = DiaryEntry.objects.for_user(user).filter(placement__in=placements.values("pk"))
    diary = entries.aggregate(
        awaiting_control=Count("pk", filter=Q(status__in=COUNTED, checked_at__isnull=True)),
        overdue=Count("pk", filter=overdue_q()),
    )
    result = {
        "mine": mine,
        "today": today,
        "by_status": [{"status": s, "label": label, "count": counted[f"status_{s}"]} for s, label in S.choices],
        "total": sum(counted[f"status_{s}"] for s in S.values),
        "attention": [{"key": k, "label": services.ATTENTION_LABELS[k], "count": counted[k]} for k in ATTENTION],
        "diary": {**diary, "grading_days": settings.diary_grading_days},
        "soon_days": services.SOON_DAYS,
    }
    result["groups_without_head"] = _groups_without_head(user, today)
    result["agreements_expiring"] = _agreements_expiring(user, today, settings.agreement_warning_days)
    result["visits"] = list(
        MonitoringVisit.objects.for_user(user)
        .select_related("employer", "visitor")
        .annotate(seen=Count("placements"))
        .order_by("-visited_on", "-pk")[:VISIT_LIMIT]
    )
    result["year_fallback"] = False
    if year is None:
        # The current academic year; before its first placement, the latest year that had placements (one aggregate).
        year = academic_year(today)
        latest = placements.aggregate(latest=Max("starts_on"))["latest"]
        if latest is not None and academic_year(latest) < year:
            year, result["year_fallback"] = academic_year(latest), True
    result["year"] = year
    result["gender"] = gender_by_profession(placements, year)
    # F33 (п. 57 item 14): professions and employers where one sex is above the rulebook's share.
    from kesip.wbl import partnership

    threshold = partnership.threshold_for(user)
    for r in result["gender"]:
        r["stereotyped"] = partnership.stereotyped(r["female"], r["male"], threshold)
    result["gender_threshold"] = threshold
    result["gender_employers"] = partnership.flagged_employers(placements, year, threshold)
    return result


def _groups_without_head(user, today):
    """Active groups with no head of practical training appointed by a signed supervisor order (VR-41)."""
    if not access.has_perm(user, "view_group"):
        return None
    appointed = OrderLine.objects.filter(
        Q(starts_on__isnull=True) | Q(starts_on__lte=today),
        Q(ends_on__isnull=True) | Q(ends_on__gte=today),
        group=OuterRef("pk"),
        supervisor__isnull=False,
        order__kind=Order.Kind.SUPERVISOR,
        order__status=Order.Status.SIGNED,
    )
    groups = StudyGroup.objects.for_user(user).filter(is_active=True).filter(~Exists(appointed)).order_by("name", "pk")
    return {"count": groups.count(), "groups": list(groups.values("pk", "name")[:GROUP_LIMIT])}


def _agreements_expiring(user, today, days):
    qs = (
        Agreement.objects.for_user(user)
        .filter(status__in=Agreement.IN_FORCE, ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=days))
        .select_related("employer")
        .order_by("ends_on", "pk")
    )
    return {"count": qs.count(), "days": days, "agreements": list(qs[:AGREEMENT_LIMIT])}


def gender_by_profession(placements, year):
    """Learners placed in the academic year by profession and sex (п. 57 item 14; F33), one GROUP BY query."""
    starts, ends = datetime.date(year, 9, 1), datetime.date(year + 1, 8, 31)
    rows = (
        placements.counting()
        .overlapping(starts, ends)
        .filter(student__isnull=False, group__isnull=False)
        .values(
            "group__programme__specialty_id",
            "group__programme__specialty__code",
            "group__programme__specialty__name_ky",
            "group__programme__specialty__name_ru",
            "group__programme__specialty__name_kk",
            "group__programme__specialty__name_en",
        )
        .annotate(
            female=Count("pk", filter=Q(student__sex=Sex.FEMALE)),
            male=Count("pk", filter=Q(student__sex=Sex.MALE)),
            total=Count("pk"),
        )
        .order_by("-total", "group__programme__specialty__code")
    )
    found = []
    for r in rows:
        names = SimpleNamespace(**{f"name_{c}": r[f"group__programme__specialty__name_{c}"] for c in ("ky", "ru", "kk", "en")})
        total = r["total"]
        found.append(
            {
                "specialty_id": r["group__programme__specialty_id"],
                "code": r["group__programme__specialty__code"],
                "name": localized(names, "name"),
                "female": r["female"],
                "male": r["male"],
                "unknown": total - r["female"] - r["male"],
                "total": total,
                "female_percent": round(100 * r["female"] / total) if total else 0,
                "male_percent": round(100 * r["male"] / total) if total else 0,
            }
        )
    return found
