"""Pages of WBL events (F24): the list with its filters and counts, the form, the event with its attendance sheet and jury.

Every page reads through `for_user` (another institution's event answers 404, GET and POST); the
steps are POST buttons shown only when possible; a refused step shows its rule beside the field,
with its clause, and changes nothing. A learner sees the events they attended; an employer's
people see their employer's events.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kesip.core import access, documents
from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, Institution, StaffMember, Student, StudyGroup
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.models import Component
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import common, event_rules, events
from kesip.wbl.internships import student_of
from kesip.wbl.models import EventAttendance, EventJuror, WblEvent

E = WblEvent
SELECT = ("institution", "group", "component", "employer", "organiser")


def _violations_to_form(form, error):
    for v in getattr(error, "violations", [error]):
        add_violation(form, v)


def _with_source(v):
    return f"{v.message} ({_('source')}: {v.source})" if v.source else v.message


def _flash(request, error):
    for v in getattr(error, "violations", [error]):
        messages.error(request, _with_source(v))


def _event(user, pk, action="view"):
    return scoped_or_404(E, user, pk, action, SELECT)


def _date(value):
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


# --- The list ----------------------------------------------------------------------------------------


@login_required
def event_list(request):
    """Events filtered in SQL by stage, form, group, status and dates, with the counts of what is shown."""
    require_perm(request.user, "view_wbl")
    user = request.user
    own = student_of(user)
    qs = E.objects.for_user(user)
    if own is not None and not access.has_perm(user, "list_wbl"):
        qs = qs.filter(attendance__student__user=user, attendance__present=True)
    chosen = {}
    for name, choices in (("stage", E.Stage), ("kind", E.Kind), ("status", E.Status)):
        value = request.GET.get(name, "")
        if value in choices.values:
            qs, chosen[name] = qs.filter(**{name: value}), value
    group = request.GET.get("group", "")
    if group.isdigit():
        qs, chosen["group"] = qs.filter(group_id=int(group)), group
    start, end = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
    if start:
        qs, chosen["from"] = qs.filter(starts_on__gte=start), start.isoformat()
    if end:
        qs, chosen["to"] = qs.filter(starts_on__lte=end), end.isoformat()
    search = request.GET.get("q", "").strip()[:100]
    if search:
        qs = qs.filter(Q(title__icontains=search) | Q(employer__name__icontains=search) | Q(venue__icontains=search))
        chosen["q"] = search
    held = Q(status=E.Status.HELD)
    counts = qs.order_by().aggregate(
        total=Count("pk"),
        held=Count("pk", filter=held),
        planned=Count("pk", filter=Q(status=E.Status.PLANNED)),
        hours_held=Sum("hours", filter=held),
        **{f"stage_{i}": Count("pk", filter=held & Q(stage=s)) for i, s in enumerate(E.Stage.values)},
    )
    by_stage = [(label, counts[f"stage_{i}"]) for i, (_v, label) in enumerate(E.Stage.choices)]
    listed = events.with_counts(qs.select_related(*SELECT)).order_by("-starts_on", "pk")
    page = Paginator(listed, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    scope = access.scope_for(user, E, "change")
    can_add = scope.everything or bool(scope.institution_ids)
    groups = (
        list(StudyGroup.objects.for_user(user).filter(is_active=True).order_by("name").only("pk", "name"))
        if access.has_perm(user, "list_wbl")
        else []
    )
    return render(
        request,
        "wbl/event_list.html",
        {
            "title": _("WBL events"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "stages": E.Stage.choices,
            "kinds": E.Kind.choices,
            "statuses": E.Status.choices,
            "groups": groups,
            "counts": counts,
            "by_stage": by_stage,
            "can_add": can_add,
            "own": own,
            "many_institutions": len({e.institution_id for e in page.object_list}) > 1,
        },
    )


# --- The form ----------------------------------------------------------------------------------------


class EventForm(forms.ModelForm):
    class Meta:
        model = E
        fields = events.EVENT_FIELDS
        widgets = {"starts_on": DATE, "ends_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        inst = institution.pk
        self.instance.institution_id = inst
        self.fields["group"].queryset = StudyGroup.objects.filter(institution_id=inst).order_by("-is_active", "name")
        self.fields["component"].queryset = (
            Component.objects.filter(institution_id=inst).select_related("module").order_by("module__programme_id", "code")
        )
        self.fields["employer"].queryset = Employer.objects.partners().filter(institution_id=inst).order_by("name")
        self.fields["organiser"].queryset = StaffMember.objects.filter(institution_id=inst).order_by("last_name", "first_name")
        self.fields["stage"].required = False
        self.fields["stage"].help_text = _("Follows the form (п. 7.1, 7.2): chosen here only for an event of another form.")
        self.fields["component"].help_text = _(
            "A discipline of the group's working curriculum: the event's hours belong to it (п. 53, section 5)."
        )
        self.fields["employer"].help_text = _("The employer who gives, hosts or judges the event.")
        self.fields["hours"].help_text = _("Academic hours the learners spend; they count in the WBL share.")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind and kind != E.Kind.OTHER:
            data["stage"] = event_rules.stage_for(kind)
            self.instance.stage = data["stage"]
        return data


def _add_institution(request):
    scope = access.scope_for(request.user, E, "change")
    if scope.everything:
        raw = request.GET.get("institution", "")
        return Institution.objects.filter(pk=int(raw)).first() if raw.isdigit() else Institution.objects.order_by("pk").first()
    if not scope.institution_ids:
        return None
    return Institution.objects.filter(pk__in=scope.institution_ids).order_by("pk").first()


def _form_page(request, event, institution, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = EventForm(request.POST, instance=event, institution=institution)
        if form.is_valid():
            try:
                saved, warnings = events.save_event(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                for w in warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        initial = {}
        if event.pk is None:
            initial = {"starts_on": datetime.date.today()}
            raw = request.GET.get("group", "")
            if raw.isdigit():
                initial["group"] = int(raw)
        form = EventForm(instance=event, institution=institution, initial=initial)
    return render(
        request, "wbl/event_form.html", {"title": title, "form": form, "event": event if event.pk else None}, status=status
    )


@login_required
def event_add(request):
    institution = _add_institution(request)
    if institution is None or not events.may_manage(request.user, institution.pk):
        raise PermissionDenied
    return _form_page(request, E(institution_id=institution.pk), institution, _("New WBL event"))


@login_required
def event_edit(request, pk):
    event = _event(request.user, pk)
    if "edit" not in events.steps(event, request.user):
        raise Http404
    return _form_page(request, event, event.institution, _("Edit: %(object)s") % {"object": event.title})


# --- The event ---------------------------------------------------------------------------------------


class HeldForm(forms.Form):
    acknowledge = forms.BooleanField(
        label=gettext_lazy("I have read the warnings and mark the event held anyway"), required=False
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Why it is cancelled"), max_length=90, widget=forms.Textarea(attrs={"rows": 2}))


class JurorForm(forms.ModelForm):
    class Meta:
        model = EventJuror
        fields = events.JUROR_FIELDS

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employer"].queryset = Employer.objects.partners().filter(institution_id=institution.pk).order_by("name")


def _may_sheet(user, event):
    """The institution's staff and the employer's representative print the sheet; a learner or a mentor does not."""
    return events.may_manage(user, event.institution_id) or access.has_perm(user, "list_wbl")


def _context(request, event, **given):
    user = request.user
    steps = events.steps(event, user)
    book = common.rulebook(event.institution, event.starts_on)
    attendance = list(
        EventAttendance.objects.for_user(user)
        .filter(event_id=event.pk)
        .select_related("student__group")
        .order_by("student__last_name", "student__first_name", "pk")
    )
    jurors = list(
        EventJuror.objects.for_user(user).filter(event_id=event.pk).select_related("employer").order_by("full_name", "pk")
    )
    all_jurors = len(jurors) if "jury" in steps else events.juror_count(event)
    warnings = event_rules.jury_warnings(event, book, all_jurors) if event.status != E.Status.CANCELLED else []
    sheet = events.sheet_students(event) if "attendance" in steps else []
    held_warnings = given.pop("held_warnings", None)
    return {
        "title": event.title,
        "event": event,
        "can_sheet": _may_sheet(user, event),
        "steps": steps,
        "attendance": attendance,
        "present": sum(1 for a in attendance if a.present),
        "jurors": jurors,
        "judged": event.kind in event_rules.JUDGED_KINDS,
        "warnings": warnings,
        "acknowledged": events.acknowledgement(event) if warnings else None,
        "cancel_reason": events.cancellation_reason(event),
        "sheet": sheet,
        "sheet_default": not attendance,
        "held_form": given.pop("held_form", None) or HeldForm(),
        "held_errors": given.pop("held_errors", []),
        "held_warnings": held_warnings,
        "cancel_form": given.pop("cancel_form", None) or CancelForm(),
        "juror_form": given.pop("juror_form", None)
        or JurorForm(institution=event.institution, initial={"employer": event.employer_id}),
        "attendance_errors": given.pop("attendance_errors", []),
        "attendance_rule": book.get(event_rules.ATTENDANCE),
        "jury_rule": book.get(event_rules.JURY),
        **given,
    }


def _detail(request, event, status=200, **given):
    return render(request, "wbl/event_detail.html", _context(request, event, **given), status=status)


@login_required
def event_detail(request, pk):
    """The event: what, when, for whom; the attendance sheet, the jury, the steps."""
    return _detail(request, _event(request.user, pk))


def _step_event(request, pk, step):
    event = _event(request.user, pk)
    if step not in events.steps(event, request.user):
        raise Http404
    return event


@login_required
@require_POST
def event_held(request, pk):
    event = _step_event(request, pk, "held")
    form = HeldForm(request.POST)
    form.is_valid()
    acknowledge = bool(form.cleaned_data.get("acknowledge"))
    try:
        _held, soft = events.mark_held(event, request.user, acknowledge=acknowledge)
    except (common.WblInvalid, RuleViolation) as error:
        violations = getattr(error, "violations", [error])
        hard = [v for v in violations if not event_rules.is_soft(v)]
        soft = [v for v in violations if event_rules.is_soft(v)]
        return _detail(request, event, 400, held_form=form, held_errors=hard, held_warnings=soft)
    messages.success(request, _("The event is marked held."))
    for w in soft:
        messages.warning(request, _("Acknowledged: %(warning)s") % {"warning": _with_source(w)})
    return HttpResponseRedirect(event.get_absolute_url())


@login_required
@require_POST
def event_cancel(request, pk):
    event = _step_event(request, pk, "cancel")
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            events.cancel(event, form.cleaned_data["reason"], request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _violations_to_form(form, error)
        else:
            messages.success(request, _("The event is cancelled."))
            return HttpResponseRedirect(event.get_absolute_url())
    return _detail(request, event, 400, cancel_form=form)


@login_required
@require_POST
def event_attendance(request, pk):
    """The attendance sheet of the whole group in one form: every learner shown, the ticked ones present."""
    event = _step_event(request, pk, "attendance")
    ids = [int(v) for v in request.POST.getlist("student") if v.isdigit()]
    present = {int(v) for v in request.POST.getlist("present") if v.isdigit()}
    students = {s.pk: s for s in Student.objects.filter(pk__in=ids, institution_id=event.institution_id).select_related("group")}
    errors = []
    if len(students) != len(set(ids)) or len(ids) != len(request.POST.getlist("student")):
        errors.append(RuleViolation("wbl.event.attendance", _("The sheet names a learner who is not found."), "", "attendance"))
    entries = [(students[i], i in present, request.POST.get(f"note-{i}", "").strip()) for i in ids if i in students]
    if not errors:
        try:
            events.record_attendance(event, entries, request.user)
        except (common.WblInvalid, RuleViolation) as error:
            errors = getattr(error, "violations", [error])
    if errors:
        return _detail(request, event, 400, attendance_errors=errors)
    messages.success(
        request,
        _("Attendance recorded: %(present)s of %(total)s present.")
        % {"present": sum(1 for e in entries if e[1]), "total": len(entries)},
    )
    return HttpResponseRedirect(event.get_absolute_url() + "#attendance")


@login_required
def event_sheet(request, pk):
    """The attendance sheet as an official document (PDF or DOCX) with a column for the signatures."""
    event = _event(request.user, pk)
    if not _may_sheet(request.user, event):
        raise Http404
    return documents.render(lambda lang: events.sheet_official(event, lang), request, f"event-{event.pk}-attendance")


@login_required
def event_juroradd(request, pk):
    """Add a member of the employers' jury."""
    event = _step_event(request, pk, "jury")
    return _juror_form(request, event, EventJuror(event=event, institution_id=event.institution_id))


def _juror_form(request, event, juror):
    status = 200
    form = JurorForm(request.POST or None, instance=juror, institution=event.institution)
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                _saved, warnings = events.save_juror(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("The jury is saved."))
                for w in warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(event.get_absolute_url() + "#jury")
    return render(
        request,
        "wbl/event_juror.html",
        {"title": _("Juror"), "form": form, "event": event, "juror": juror if juror.pk else None},
        status=status,
    )


def _juror(request, pk):
    juror = scoped_or_404(EventJuror, request.user, pk, "view", ("event__institution", "employer"))
    event = _event(request.user, juror.event_id)
    if "jury" not in events.steps(event, request.user):
        raise Http404
    return juror, event


@login_required
def juror_edit(request, pk):
    juror, event = _juror(request, pk)
    return _juror_form(request, event, juror)


@login_required
@require_POST
def juror_delete(request, pk):
    juror, event = _juror(request, pk)
    try:
        warnings = events.delete_juror(juror, request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash(request, error)
    else:
        messages.success(request, _("Removed from the jury: %(name)s") % {"name": juror.full_name})
        for w in warnings:
            messages.warning(request, _with_source(w))
    return HttpResponseRedirect(event.get_absolute_url() + "#jury")


@login_required
def event_history(request, pk):
    event = _event(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": event, "entries": history_entries(event), "title": _("WBL events"), "list_url": reverse("wbl:event_list")},
    )


urlpatterns = [
    path("events/", event_list, name="event_list"),
    path("events/add/", event_add, name="event_add"),
    path("events/<int:pk>/", event_detail, name="event_detail"),
    path("events/<int:pk>/edit/", event_edit, name="event_edit"),
    path("events/<int:pk>/held/", event_held, name="event_held"),
    path("events/<int:pk>/cancel/", event_cancel, name="event_cancel"),
    path("events/<int:pk>/attendance/", event_attendance, name="event_attendance"),
    path("events/<int:pk>/sheet/", event_sheet, name="event_sheet"),
    path("events/<int:pk>/jury/add/", event_juroradd, name="event_juroradd"),
    path("events/<int:pk>/history/", event_history, name="event_history"),
    path("jurors/<int:pk>/edit/", juror_edit, name="juror_edit"),
    path("jurors/<int:pk>/delete/", juror_delete, name="juror_delete"),
]
