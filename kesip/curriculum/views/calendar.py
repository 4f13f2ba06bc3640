"""Pages of the calendar schedule of the educational process: a group's academic year in typed periods.

The schedule page shows the year as colleges print it (a strip of weeks with a code per week),
as a calendar of days coloured by period, as a table of periods with their days, and next to them
the practice hours the approved working curriculum plans for the year. Every violation is listed
with its clause; the approve button is offered only to who may approve, and only a draft changes.
Every page reads through `for_user`: another institution's schedule or period answers 404.
"""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET

from kesip.core import access
from kesip.core.forms import add_violation
from kesip.core.models import StudyGroup
from kesip.core.rules import RuleViolation
from kesip.curriculum import calendar_rules, calendar_services, services
from kesip.curriculum.forms import CalendarPeriodForm, CalendarScheduleForm
from kesip.curriculum.models import CalendarPeriod, CalendarSchedule
from kesip.curriculum.views.common import scoped_or_404 as _get

Kind = CalendarPeriod.Kind

# The one-letter codes of a printed calendar academic schedule, one per kind of period.
CODES = {
    Kind.THEORY: pgettext_lazy("calendar code", "T"),
    Kind.PRACTICE: pgettext_lazy("calendar code", "P"),
    Kind.INDUSTRIAL_TRAINING: pgettext_lazy("calendar code", "W"),
    Kind.INTERMEDIATE_ATTESTATION: pgettext_lazy("calendar code", "A"),
    Kind.HOLIDAYS: pgettext_lazy("calendar code", "H"),
    Kind.FINAL_ATTESTATION: pgettext_lazy("calendar code", "F"),
}
ONE_DAY = datetime.timedelta(days=1)


SCHEDULE_SELECT = ("group__programme__institution", "institution", "approved_by")


def _weeks(days):
    return (Decimal(days) / 7).quantize(Decimal("0.1"), ROUND_HALF_UP)


@dataclass
class Day:
    date: datetime.date
    in_year: bool
    period: object = None
    overlap: bool = False

    @property
    def kind(self):
        return self.period.kind if self.period else ""


@dataclass
class Week:
    number: int
    monday: datetime.date
    days: list
    month: datetime.date
    kind: str = ""
    mixed: list = field(default_factory=list)

    @property
    def code(self):
        return CODES.get(self.kind, "")

    @property
    def first(self):
        return next(d.date for d in self.days if d.in_year)

    @property
    def last(self):
        return [d.date for d in self.days if d.in_year][-1]


def year_grid(schedule, periods):
    """The academic year as weeks (Monday to Sunday), each day with its period; months for the header."""
    start, end = schedule.starts_on, schedule.ends_on
    by_day = {}
    for p in periods:
        d, last = max(p.starts_on, start), min(p.ends_on, end)
        while d <= last:
            by_day.setdefault(d, []).append(p)
            d += ONE_DAY
    weeks, monday, number = [], start - datetime.timedelta(days=start.weekday()), 0
    while monday <= end:
        number += 1
        days = []
        for i in range(7):
            d = monday + datetime.timedelta(days=i)
            inside = start <= d <= end
            found = by_day.get(d, []) if inside else []
            days.append(Day(d, inside, found[0] if found else None, len(found) > 1))
        # The week's kind is the one of most of its working days (Monday to Saturday), as printed schedules show it.
        counts = Counter(d.kind for d in days[:6] if d.period)
        thursday = monday + datetime.timedelta(days=3)
        week = Week(number, monday, days, min(max(thursday, start), end))
        if counts:
            week.kind = counts.most_common(1)[0][0]
            week.mixed = [Kind(k).label for k in counts if k != week.kind]
        weeks.append(week)
        monday += datetime.timedelta(days=7)
    months = []
    for w in weeks:
        key = (w.month.year, w.month.month)
        if months and months[-1]["key"] == key:
            months[-1]["weeks"] += 1
        else:
            months.append({"key": key, "date": w.month, "weeks": 1})
    return weeks, months


def legend(periods):
    """Each kind with its code and colour, and the days the schedule gives it."""
    days = Counter()
    for p in periods:
        days[p.kind] += p.days
    return [
        {"kind": kind, "label": label, "code": CODES[kind], "days": days.get(kind, 0), "weeks": _weeks(days.get(kind, 0))}
        for kind, label in Kind.choices
    ]


def practice_rows(plan, periods):
    """The practice the working curriculum plans for the year, next to the days the schedule gives it."""
    rows = []
    practice = [p for p in periods if p.is_practice]
    for component, hours in plan.practice.items():
        given = [p for p in practice if p.component_id == component.pk]
        days = sum(p.days for p in given)
        weeks = _weeks(days)
        rows.append(
            {
                "component": component,
                "hours": hours,
                "semesters": sorted(plan.semesters.get(component, ())),
                "periods": given,
                "days": days,
                "weeks": weeks,
                "per_week": (Decimal(hours) / weeks).quantize(Decimal("0.1"), ROUND_HALF_UP) if weeks else None,
            }
        )
    planned = {c.pk for c in plan.practice}
    other = [p for p in practice if p.component_id not in planned]
    return rows, other


def _context(request, schedule, period_form=None):
    user = request.user
    periods = calendar_rules.load_periods(schedule)
    for p in periods:
        p.code, p.weeks = CODES[p.kind], _weeks(p.days)
    plan = calendar_rules.practice_plan(schedule)
    violations = calendar_rules.calendar_violations(schedule, periods=periods, plan=plan)
    weeks, months = year_grid(schedule, periods)
    rows, other_practice = practice_rows(plan, periods)
    can_change = schedule.is_editable and calendar_services.may_change(user, schedule.institution_id)
    may_approve = calendar_services.may_approve(user, schedule.institution_id)
    if can_change and period_form is None:
        period_form = CalendarPeriodForm(schedule=schedule, initial=_next_period_initial(schedule, periods))
    years = calendar_rules.programme_years(schedule.group.programme)
    return {
        "schedule": schedule,
        "group": schedule.group,
        "programme": schedule.group.programme,
        "title": str(schedule),
        "periods": periods,
        "weeks": weeks,
        "months": months,
        "weekdays": [formats.date_format(datetime.date(2024, 1, i), "D") for i in range(1, 8)],
        "legend": legend(periods),
        "total_days": sum(p.days for p in periods),
        "plan": plan,
        "practice_rows": rows,
        "other_practice": other_practice,
        "violations": violations,
        "graduating": schedule.year_of_study == years,
        "programme_years": years,
        "can_change": can_change,
        "can_approve": schedule.is_editable and may_approve,
        "can_reopen": not schedule.is_editable and may_approve,
        "period_form": period_form,
    }


def _next_period_initial(schedule, periods):
    """A new period starts the day after the last one ends."""
    if not periods:
        return {"starts_on": schedule.starts_on}
    after = max(p.ends_on for p in periods) + ONE_DAY
    return {"starts_on": after} if after <= schedule.ends_on else {}


@login_required
@require_GET
def calendar(request, pk):
    schedule = _get(CalendarSchedule, request.user, pk, select=SCHEDULE_SELECT)
    return render(request, "curriculum/calendar.html", _context(request, schedule))


@login_required
def calendar_list(request, pk=None):
    """Every schedule the user may see, newest year first; under a group's address, that group's only."""
    user = request.user
    if not access.has_perm(user, "view_group"):
        raise PermissionDenied
    qs = (
        CalendarSchedule.objects.for_user(user)
        .select_related("group__programme", "institution")
        .annotate(period_count=Count("periods"))
        .order_by("-academic_year", "group__name", "pk")
    )
    params, group = {}, None
    raw_group = pk if pk is not None else request.GET.get("group", "")
    if raw_group:
        group = _get(StudyGroup, user, raw_group, select=("programme",))
        qs = qs.filter(group=group)
        if pk is None:
            params["group"] = group.pk
    raw_year = request.GET.get("academic_year", "")
    if raw_year:
        if raw_year.isdigit():
            qs = qs.filter(academic_year=int(raw_year))
            params["academic_year"] = raw_year
        else:
            messages.warning(request, _("“%(value)s” is not a year; the filter was ignored.") % {"value": raw_year})
    status = request.GET.get("status", "")
    if status:
        if status in CalendarSchedule.Status.values:
            qs = qs.filter(status=status)
            params["status"] = status
        else:
            messages.warning(request, _("“%(value)s” is not a valid status; the filter was ignored.") % {"value": status})
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    scope = access.scope_for(user, CalendarSchedule, "view")
    add_url = reverse("curriculum:calendar_add") + (f"?group={group.pk}" if group else "")
    return render(
        request,
        "curriculum/calendar_list.html",
        {
            "title": _("Calendar schedules"),
            "page": page,
            "group": group,
            "filters": params,
            "statuses": CalendarSchedule.Status.choices,
            "current_year": calendar_rules.academic_year_of(datetime.date.today()),
            "query": urlencode(params),
            "can_add": access.has_perm(user, "change_group"),
            "add_url": add_url,
            "show_institution": scope.everything or len(scope.institution_ids) > 1,
        },
    )


@login_required
def calendar_add(request):
    user = request.user
    if not access.has_perm(user, "change_group"):
        raise PermissionDenied
    if request.method == "POST":
        form = CalendarScheduleForm(request.POST, user=user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                schedule = calendar_services.open_calendar(
                    data["group"],
                    data["academic_year"],
                    data["practice_mode"],
                    user,
                    year_of_study=data["year_of_study"],
                    note=data["note"],
                )
            except RuleViolation as violation:
                add_violation(form, violation)
            except DjangoValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("The schedule is open as a draft: add its periods."))
                return HttpResponseRedirect(schedule.get_absolute_url())
        status = 400
    else:
        today = datetime.date.today()
        initial = {
            "academic_year": calendar_rules.academic_year_of(today),
            "practice_mode": CalendarSchedule.PracticeMode.BY_TYPE,
        }
        raw = request.GET.get("group", "")
        if raw:
            group = _get(StudyGroup, user, raw, "change")
            initial["group"] = group.pk
            computed = calendar_rules.default_year_of_study(group, initial["academic_year"])
            if 1 <= computed <= 6:
                initial["year_of_study"] = computed
        form = CalendarScheduleForm(user=user, initial=initial)
        status = 200
    return render(
        request,
        "curriculum/calendar_form.html",
        {"form": form, "title": _("Open a calendar schedule"), "cancel_url": reverse("curriculum:calendar_list")},
        status=status,
    )


def _add_errors(form, error):
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            for e in errors:
                form.add_error(name if name in form.fields else None, e)
    else:
        for e in error.messages:
            form.add_error(None, e)


def _editable(request, pk):
    """The schedule if the user may change it (else 404) and it is a draft (else a message and a redirect)."""
    schedule = _get(CalendarSchedule, request.user, pk, "change", select=SCHEDULE_SELECT)
    if not schedule.is_editable:
        messages.error(request, _("The schedule is approved: reopen it before changing it."))
        return schedule, HttpResponseRedirect(schedule.get_absolute_url())
    return schedule, None


@login_required
def calendar_edit(request, pk):
    schedule, refused = _editable(request, pk)
    if refused:
        return refused
    if request.method == "POST":
        form = CalendarScheduleForm(request.POST, instance=CalendarSchedule.objects.get(pk=schedule.pk), user=request.user)
        if form.is_valid():
            try:
                calendar_services.change_calendar(
                    schedule, request.user, **{k: form.cleaned_data[k] for k in calendar_services.SCHEDULE_FIELDS}
                )
            except RuleViolation as violation:
                add_violation(form, violation)
            except DjangoValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": schedule})
                return HttpResponseRedirect(schedule.get_absolute_url())
        status = 400
    else:
        form = CalendarScheduleForm(instance=schedule, user=request.user)
        status = 200
    return render(
        request,
        "curriculum/calendar_form.html",
        {"form": form, "schedule": schedule, "title": _("Edit the schedule"), "cancel_url": schedule.get_absolute_url()},
        status=status,
    )


@login_required
def calendar_delete(request, pk):
    schedule, refused = _editable(request, pk)
    if refused:
        return refused
    if request.method == "POST":
        try:
            calendar_services.delete_calendar(schedule, request.user)
        except RuleViolation as violation:
            messages.error(request, violation.message)
            return HttpResponseRedirect(schedule.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": schedule})
        return HttpResponseRedirect(reverse("curriculum:group_calendars", args=[schedule.group_id]))
    return render(
        request, "core/confirm_delete.html", {"object": schedule, "cancel_url": schedule.get_absolute_url(), "title": _("Delete")}
    )


@login_required
def calendar_step(request, pk, name):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    schedule = _get(CalendarSchedule, request.user, pk, select=SCHEDULE_SELECT)
    try:
        if name == "approve":
            calendar_services.approve_calendar(schedule, request.user)
            messages.success(request, _("The schedule is approved."))
        elif name == "reopen":
            calendar_services.reopen_calendar(schedule, request.user)
            messages.success(request, _("The schedule is a draft again and open for changes."))
        else:
            raise Http404
    except services.ProgrammeInvalid as invalid:
        messages.error(
            request,
            _("The schedule cannot be approved: %(count)s rules are broken. The draft is kept; see the list below.")
            % {"count": len(invalid.violations)},
        )
    except RuleViolation as violation:
        messages.error(request, violation.message)
    return HttpResponseRedirect(schedule.get_absolute_url())


def _period_form_page(request, schedule, period):
    creating = period.pk is None
    if request.method == "POST":
        form = CalendarPeriodForm(request.POST, instance=period, schedule=schedule)
        if form.is_valid():
            data = {k: form.cleaned_data[k] for k in calendar_services.PERIOD_FIELDS}
            try:
                if creating:
                    saved = calendar_services.add_period(schedule, request.user, **data)
                else:
                    saved = calendar_services.change_period(period, request.user, **data)
            except RuleViolation as violation:
                add_violation(form, violation)
            except DjangoValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(schedule.get_absolute_url() + "#periods")
        if creating and request.POST.get("inline"):
            # The form on the schedule page: show it there again, with its errors.
            return render(request, "curriculum/calendar.html", _context(request, schedule, period_form=form), status=400)
        status = 400
    else:
        form = CalendarPeriodForm(instance=period, schedule=schedule)
        status = 200
    title = _("Add a period") if creating else _("Edit: %(object)s") % {"object": period}
    return render(
        request,
        "curriculum/calendar_form.html",
        {"form": form, "schedule": schedule, "title": title, "cancel_url": schedule.get_absolute_url()},
        status=status,
    )


@login_required
def calendar_addperiod(request, pk):
    schedule, refused = _editable(request, pk)
    if refused:
        return refused
    period = CalendarPeriod(schedule=schedule, institution_id=schedule.institution_id)
    return _period_form_page(request, schedule, period)


def _editable_period(request, pk):
    period = _get(CalendarPeriod, request.user, pk, "change", select=("component",))
    schedule, refused = _editable(request, period.schedule_id)
    period.schedule = schedule
    return period, schedule, refused


@login_required
def calendar_period_edit(request, pk):
    period, schedule, refused = _editable_period(request, pk)
    if refused:
        return refused
    return _period_form_page(request, schedule, period)


@login_required
def calendar_period_delete(request, pk):
    period, schedule, refused = _editable_period(request, pk)
    if refused:
        return refused
    if request.method == "POST":
        try:
            calendar_services.delete_period(period, request.user)
        except RuleViolation as violation:
            messages.error(request, violation.message)
        else:
            messages.success(request, _("Deleted: %(object)s") % {"object": period})
        return HttpResponseRedirect(schedule.get_absolute_url() + "#periods")
    return render(
        request, "core/confirm_delete.html", {"object": period, "cancel_url": schedule.get_absolute_url(), "title": _("Delete")}
    )
