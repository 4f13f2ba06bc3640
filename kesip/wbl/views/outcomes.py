"""Pages of graduates' employment (F28) and of the qualification upgrading of teachers and mentors (F31, F13).

Every page reads through `for_user`: another institution's record answers 404 (GET and POST). A
learner sees their own employment record; an employer's people see the graduates working for
their employer and the needs and upgrading of their own mentors. Only the institution's staff
record; a refused step shows its rule beside the field, with its clause, and changes nothing.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kesip.core import access
from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, Institution, StaffMember, Student, StudyGroup
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum.views.common import scoped_or_404
from kesip.wbl import common, outcome_rules, outcomes
from kesip.wbl.models import (
    EmployerPerson,
    GraduateEmployment,
    Placement,
    TrainingNeed,
    UpgradingEnrolment,
    UpgradingProgramme,
)

E = GraduateEmployment
N = TrainingNeed
UP = UpgradingProgramme
EN = UpgradingEnrolment


def _violations_to_form(form, error):
    for v in getattr(error, "violations", [error]):
        add_violation(form, v)


def _flash(request, error):
    for v in getattr(error, "violations", [error]):
        messages.error(request, f"{v.message} ({_('source')}: {v.source})" if v.source else v.message)


def _year(raw):
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2100 else None


def _recording_institution(user):
    """The institution a new record goes to: the first one whose WBL records the user changes (not an employer's)."""
    scope = access.scope_for(user, E, "change")
    if scope.everything:
        return Institution.objects.order_by("pk").first()
    if scope.institution_ids:
        return Institution.objects.filter(pk__in=scope.institution_ids).order_by("pk").first()
    return None


def _fill(form):
    """Put the form's values on its instance without the model's own checks: the service makes them, with clauses."""
    from django.forms.models import construct_instance

    form.instance = construct_instance(form, form.instance, form._meta.fields, form._meta.exclude)


def _this_academic_year():
    t = datetime.date.today()
    return t.year if t.month >= 9 else t.year - 1


# --- Graduates' employment ---------------------------------------------------------------------------


class EmploymentForm(forms.ModelForm):
    class Meta:
        model = E
        fields = outcomes.EMPLOYMENT_FIELDS
        widgets = {
            "starts_on": DATE,
            "ends_on": DATE,
            "checked_on": DATE,
            "adaptation_note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution_id = institution.pk
        self.fields["student"].queryset = (
            Student.objects.filter(institution_id=institution.pk, status=Student.Status.GRADUATED)
            .select_related("group")
            .order_by("last_name", "first_name")
        )
        self.fields["student"].help_text = _("A graduate of the institution (status “graduated” by order).")
        self.fields["employer"].queryset = Employer.objects.partners().filter(institution_id=institution.pk).order_by("name")
        self.fields["employer"].help_text = _(
            "From the register — then Kesip works out whether it hosted the graduate's WBL; or type the name below."
        )

    def _post_clean(self):  # the service checks the record (with its clauses) in its transaction
        _fill(self)


def _employment(user, pk, action="view"):
    return scoped_or_404(E, user, pk, action, ("institution", "student__group", "employer"))


@login_required
def employment_list(request):
    """Graduates' employment (п. 56 item 13), filtered in SQL; the groups with graduates lead to the group table."""
    require_perm(request.user, "view_wbl")
    qs = E.objects.for_user(request.user).select_related("student__group", "employer", "institution").order_by("-starts_on", "pk")
    chosen = {}
    value = request.GET.get("outcome", "")
    if value in E.Outcome.values:
        qs, chosen["outcome"] = qs.filter(outcome=value), value
    for name, field in (("host", "is_host_employer"), ("profession", "in_profession")):
        value = request.GET.get(name, "")
        if value in ("yes", "no"):
            qs, chosen[name] = qs.filter(**{field: value == "yes"}), value
    group = request.GET.get("group", "")
    if group.isdigit():
        qs, chosen["group"] = qs.filter(student__group_id=int(group)), group
    year = _year(request.GET.get("year", ""))
    if year:
        qs, chosen["year"] = qs.filter(starts_on__year=year), str(year)
    search = request.GET.get("q", "").strip()[:100]
    if search:
        qs = qs.filter(
            Q(student__last_name__icontains=search) | Q(employer__name__icontains=search) | Q(employer_name__icontains=search)
        )
        chosen["q"] = search
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    can_record = _recording_institution(request.user) is not None
    groups = []
    if can_record:
        groups = list(
            StudyGroup.objects.for_user(request.user, "change")
            .annotate(graduates=Count("students", filter=Q(students__status=Student.Status.GRADUATED)))
            .filter(graduates__gt=0)
            .order_by("-intake_year", "name")[:100]
        )
    this_year = datetime.date.today().year
    return render(
        request,
        "wbl/employment_list.html",
        {
            "title": _("Graduates' employment"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "outcomes": E.Outcome.choices,
            "groups": groups,
            "years": list(range(this_year, this_year - 8, -1)),
            "can_record": can_record,
            "many_institutions": len({r.institution_id for r in page.object_list}) > 1,
        },
    )


def _employment_form(request, record, institution, title, status=200):
    if request.method == "POST":
        status = 400
        form = EmploymentForm(request.POST, instance=record, institution=institution)
        if form.is_valid():
            try:
                saved = outcomes.save_employment(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        form = EmploymentForm(instance=record, institution=institution)
    return render(
        request,
        "wbl/employment_form.html",
        {"title": title, "form": form, "record": record if record.pk else None},
        status=status,
    )


@login_required
def employment_add(request):
    institution = _recording_institution(request.user)
    student_id = request.GET.get("student", "")
    student = None
    if student_id.isdigit():
        student = Student.objects.for_user(request.user).filter(pk=int(student_id)).select_related("institution").first()
        if student is None:
            raise Http404
        institution = student.institution
    if institution is None or not outcomes.may_record(request.user, institution.pk):
        raise PermissionDenied
    record = E(institution_id=institution.pk, student=student) if student else E(institution_id=institution.pk)
    return _employment_form(request, record, institution, _("Record a graduate's employment"))


@login_required
def employment_detail(request, pk):
    record = _employment(request.user, pk)
    steps = outcomes.employment_steps(record, request.user)
    promised = outcomes.promises([record.student_id])
    placements = list(
        Placement.objects.for_user(request.user)
        .filter(student_id=record.student_id)
        .exclude(status=Placement.Status.CANCELLED)
        .select_related("employer")
        .order_by("-starts_on", "pk")[:20]
    )
    others = list(
        E.objects.for_user(request.user)
        .filter(student_id=record.student_id)
        .exclude(pk=record.pk)
        .select_related("employer")
        .order_by("-starts_on", "pk")
    )
    return render(
        request,
        "wbl/employment_detail.html",
        {
            "title": str(record),
            "record": record,
            "steps": steps,
            "promised": promised,
            "placements": placements,
            "others": others,
        },
    )


@login_required
def employment_edit(request, pk):
    record = _employment(request.user, pk, "change")
    if "edit" not in outcomes.employment_steps(record, request.user):
        raise Http404
    return _employment_form(request, record, record.institution, _("Edit: %(object)s") % {"object": record})


@login_required
def employment_delete(request, pk):
    record = _employment(request.user, pk, "change")
    if "delete" not in outcomes.employment_steps(record, request.user):
        raise Http404
    if request.method == "POST":
        try:
            outcomes.delete_employment(record, request.user)
        except RuleViolation as error:
            messages.error(request, error.message)
            return HttpResponseRedirect(record.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": record})
        return HttpResponseRedirect(reverse("wbl:employment_list"))
    return render(
        request, "core/confirm_delete.html", {"object": record, "cancel_url": record.get_absolute_url(), "title": _("Delete")}
    )


@login_required
def employment_history(request, pk):
    record = _employment(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": record, "entries": history_entries(record), "title": _("Graduates' employment"),
         "list_url": reverse("wbl:employment_list")},
    )  # fmt: skip


class BulkRowForm(forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("Outcome"), required=False)
    employer = forms.ModelChoiceField(label=gettext_lazy("Employer"), queryset=Employer.objects.none(), required=False)
    employer_name = forms.CharField(label=gettext_lazy("or its name"), max_length=255, required=False)
    position = forms.CharField(label=gettext_lazy("Position"), max_length=255, required=False)
    in_profession = forms.BooleanField(label=gettext_lazy("In the profession"), required=False)
    starts_on = forms.DateField(label=gettext_lazy("Since"), required=False, widget=DATE)

    def __init__(self, *args, employers=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = [("", "—"), *E.Outcome.choices]
        self.fields["employer"].queryset = employers
        for name, field in self.fields.items():
            field.widget.attrs["aria-label"] = str(field.label)
            css = (
                "form-check-input"
                if name == "in_profession"
                else ("form-select form-select-sm" if name in ("outcome", "employer") else "form-control form-control-sm")
            )
            field.widget.attrs["class"] = css


@login_required
def employment_bulk(request, group_pk):
    """The graduates of a group in one table: fill every outcome at once; all rows are saved, or none."""
    group = scoped_or_404(StudyGroup, request.user, group_pk, "change", ("institution", "programme"))
    if not outcomes.may_record(request.user, group.institution_id):
        raise Http404
    students = outcomes.graduates(group)
    existing = outcomes.latest_records([s.pk for s in students])
    hosts = outcomes.host_employer_ids([s.pk for s in students])
    employers = Employer.objects.partners().filter(institution_id=group.institution_id).order_by("name")
    employer_list = list(employers)
    host_names = {}
    by_id = {e.pk: e for e in employer_list}
    for sid, ids in hosts.items():
        host_names[sid] = sorted(by_id[i].name for i in ids if i in by_id)

    def initial(record):
        if record is None:
            return {}
        return {name: getattr(record, name) for name in outcomes.BULK_FIELDS}

    status = 200
    rows = []
    if request.method == "POST":
        status = 400
        forms_by_student = {s.pk: BulkRowForm(request.POST, prefix=f"s{s.pk}", employers=employers) for s in students}
        if all(f.is_valid() for f in forms_by_student.values()):
            data = {sid: dict(f.cleaned_data) for sid, f in forms_by_student.items()}
            try:
                saved = outcomes.save_group_outcomes(group, data, request.user)
            except outcomes.BulkInvalid as error:
                for sid, (_student, violations) in error.rows.items():
                    for v in violations:
                        add_violation(forms_by_student[sid], v)
                messages.error(request, _("Nothing was saved: correct the rows marked below."))
            except (common.WblInvalid, RuleViolation) as error:
                _flash(request, error)
            else:
                messages.success(
                    request, _("Saved the outcomes of %(n)s graduates of %(group)s.") % {"n": len(saved), "group": group}
                )
                return HttpResponseRedirect(reverse("wbl:employment_list") + f"?group={group.pk}")
        else:
            messages.error(request, _("Nothing was saved: correct the rows marked below."))
    else:
        forms_by_student = {
            s.pk: BulkRowForm(initial=initial(existing.get(s.pk)), prefix=f"s{s.pk}", employers=employers) for s in students
        }
    for s in students:
        rows.append(
            {"student": s, "form": forms_by_student[s.pk], "record": existing.get(s.pk), "hosts": host_names.get(s.pk, [])}
        )
    return render(
        request,
        "wbl/employment_bulk.html",
        {"title": _("Outcomes of the graduates of %(group)s") % {"group": group}, "group": group, "rows": rows},
        status=status,
    )


# --- Training needs ------------------------------------------------------------------------------------


class NeedForm(forms.ModelForm):
    class Meta:
        model = N
        fields = outcomes.NEED_FIELDS
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, institution=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution_id = institution.pk
        staff_ok = common.may(user, N, "change", institution.pk)
        if staff_ok:
            self.fields["staff"].queryset = StaffMember.objects.filter(
                institution_id=institution.pk, category__in=outcome_rules.UPGRADED_CATEGORIES, is_active=True
            ).order_by("last_name", "first_name")
            mentors = EmployerPerson.objects.filter(institution_id=institution.pk, is_mentor=True)
        else:
            del self.fields["staff"]
            mentors = EmployerPerson.objects.for_user(user).filter(is_mentor=True)
        self.fields["mentor"].queryset = mentors.select_related("employer").order_by("last_name", "first_name")
        self.fields["mentor"].label_from_instance = lambda p: f"{p} — {p.employer.name}"
        self.fields["academic_year"].help_text = _("The first calendar year: 2025 for 2025–2026.")
        if not self.instance.pk and not self.initial.get("academic_year"):
            self.initial["academic_year"] = _this_academic_year()

    def _post_clean(self):
        _fill(self)


def _need(user, pk, action="view"):
    return scoped_or_404(N, user, pk, action, ("institution", "staff", "mentor__employer", "programme"))


def _open_programmes(user, ids):
    """Of the upgrading programmes `ids`, those whose page (`upgrading_detail`) opens for the user, in one query."""
    ids = {pk for pk in ids if pk}
    if not ids:
        return set()
    return set(UP.objects.for_user(user, "view").filter(pk__in=ids).values_list("pk", flat=True))


def _needs_filtered(request, qs):
    chosen = {}
    year = _year(request.GET.get("year", ""))
    if year:
        qs, chosen["year"] = qs.filter(academic_year=year), str(year)
    status = request.GET.get("status", "")
    if status in N.Status.values:
        qs, chosen["status"] = qs.filter(status=status), status
    kind = request.GET.get("kind", "")
    if kind in ("staff", "mentor"):
        qs, chosen["kind"] = qs.filter(**{f"{kind}__isnull": False}), kind
    search = request.GET.get("q", "").strip()[:100]
    if search:
        qs, chosen["q"] = qs.filter(topic__icontains=search), search
    return qs, chosen


def _need_institution(user):
    inst = _recording_institution(user)
    if inst is not None:
        return inst
    scope = access.scope_for(user, N, "change")
    if scope.employer_ids:
        employer = Employer.objects.filter(pk__in=scope.employer_ids).select_related("institution").order_by("pk").first()
        return employer.institution if employer else None
    return None


@login_required
def trainingneed_list(request):
    """Training needs of teachers, masters and mentors (п. 56 item 14): choose open ones to build a programme on."""
    require_perm(request.user, "view_wbl")
    qs = N.objects.for_user(request.user).select_related("staff", "mentor__employer", "programme", "institution")
    qs, chosen = _needs_filtered(request, qs)
    page = Paginator(qs.order_by("-academic_year", "topic", "pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = _this_academic_year()
    return render(
        request,
        "wbl/trainingneed_list.html",
        {
            "title": _("Training needs"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "statuses": N.Status.choices,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "can_add": _need_institution(request.user) is not None,
            "can_plan": _recording_institution(request.user) is not None,
            "open_programmes": _open_programmes(request.user, {n.programme_id for n in page.object_list}),
        },
    )


@login_required
def trainingneed_analysis(request):
    """The needs grouped by topic, with counts (one GROUP BY query): a topic leads to a programme built on it."""
    require_perm(request.user, "view_wbl")
    year = _year(request.GET.get("year", "")) or _this_academic_year()
    qs = N.objects.for_user(request.user).filter(academic_year=year)
    rows = outcomes.analysis(qs)
    this_year = _this_academic_year()
    return render(
        request,
        "wbl/trainingneed_analysis.html",
        {
            "title": _("Analysis of training needs"),
            "rows": rows,
            "year": year,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "totals": {k: sum(r[k] for r in rows) for k in ("total", "staff", "mentors", "open", "planned", "met")},
            "can_plan": _recording_institution(request.user) is not None,
        },
    )


def _need_form(request, need, institution, title):
    status = 200
    if request.method == "POST":
        status = 400
        form = NeedForm(request.POST, instance=need, institution=institution, user=request.user)
        if form.is_valid():
            try:
                saved = outcomes.save_need(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(reverse("wbl:trainingneed_detail", args=[saved.pk]))
    else:
        form = NeedForm(instance=need, institution=institution, user=request.user)
    return render(request, "wbl/trainingneed_form.html", {"title": title, "form": form, "need": need if need.pk else None},
                  status=status)  # fmt: skip


@login_required
def trainingneed_add(request):
    institution = _need_institution(request.user)
    if institution is None:
        raise PermissionDenied
    need = N(institution_id=institution.pk)
    for name, model in (("staff", StaffMember), ("mentor", EmployerPerson)):
        raw = request.GET.get(name, "")
        if raw.isdigit():
            person = model.objects.for_user(request.user).filter(pk=int(raw), institution_id=institution.pk).first()
            if person is not None:
                setattr(need, name, person)
    return _need_form(request, need, institution, _("Add a training need"))


@login_required
def trainingneed_detail(request, pk):
    need = _need(request.user, pk)
    can_change = need.status == N.Status.OPEN and outcomes.may_need(request.user, need)
    return render(
        request,
        "wbl/trainingneed_detail.html",
        {
            "title": str(need),
            "need": need,
            "can_change": can_change,
            "open_programmes": _open_programmes(request.user, {need.programme_id}),
        },
    )


@login_required
def trainingneed_edit(request, pk):
    need = _need(request.user, pk, "change")
    if need.status != N.Status.OPEN or not outcomes.may_need(request.user, need):
        raise Http404
    return _need_form(request, need, need.institution, _("Edit: %(object)s") % {"object": need})


@login_required
def trainingneed_delete(request, pk):
    need = _need(request.user, pk, "change")
    if need.status != N.Status.OPEN or not outcomes.may_need(request.user, need):
        raise Http404
    if request.method == "POST":
        try:
            outcomes.delete_need(need, request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _flash(request, error)
            return HttpResponseRedirect(reverse("wbl:trainingneed_detail", args=[need.pk]))
        messages.success(request, _("Deleted: %(object)s") % {"object": need})
        return HttpResponseRedirect(reverse("wbl:trainingneed_list"))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": need, "cancel_url": reverse("wbl:trainingneed_detail", args=[need.pk]), "title": _("Delete")},
    )


@login_required
def trainingneed_history(request, pk):
    need = _need(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": need, "entries": history_entries(need), "title": _("Training needs"),
         "list_url": reverse("wbl:trainingneed_list")},
    )  # fmt: skip


# --- Upgrading programmes ------------------------------------------------------------------------------


class ProgrammeForm(forms.ModelForm):
    class Meta:
        model = UP
        fields = outcomes.PROGRAMME_FIELDS
        widgets = {"starts_on": DATE, "ends_on": DATE, "content": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, institution=None, with_needs=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution_id = institution.pk
        self.fields["places"].help_text = _("Empty: no limit.")
        if with_needs:
            self.fields["needs"] = forms.ModelMultipleChoiceField(
                label=_("Training needs the programme answers"),
                queryset=N.objects.filter(institution_id=institution.pk, status=N.Status.OPEN)
                .select_related("staff", "mentor")
                .order_by("-academic_year", "topic", "pk"),
                widget=forms.CheckboxSelectMultiple,
                required=False,
                help_text=_("Open needs of teachers, masters and mentors (п. 56 item 14)."),
            )

    def _post_clean(self):
        _fill(self)


def _programme(user, pk, action="view"):
    return scoped_or_404(UP, user, pk, action, ("institution",))


def _programme_institution(user):
    inst = _recording_institution(user)
    if inst is None or not common.may(user, UP, "change", inst.pk):
        return None
    return inst


@login_required
def upgrading_list(request):
    """Upgrading programmes of teachers, masters and mentors, with the people in them (counted in SQL)."""
    require_perm(request.user, "list_wbl")
    R = EN.Result
    qs = (
        UP.objects.for_user(request.user)
        .select_related("institution")
        .annotate(
            enrolled=Count("enrolments", distinct=True, filter=Q(enrolments__result__in=(R.ENROLLED, R.COMPLETED))),
            completed=Count("enrolments", distinct=True, filter=Q(enrolments__result=R.COMPLETED)),
            need_count=Count("needs", distinct=True),
        )
        .order_by("-starts_on", "title", "pk")
    )
    chosen = {}
    audience = request.GET.get("audience", "")
    if audience in UP.Audience.values:
        qs, chosen["audience"] = qs.filter(audience=audience), audience
    year = _year(request.GET.get("year", ""))
    if year:
        qs, chosen["year"] = qs.filter(starts_on__year=year), str(year)
    search = request.GET.get("q", "").strip()[:100]
    if search:
        qs, chosen["q"] = qs.filter(Q(title__icontains=search) | Q(provider__icontains=search)), search
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    this_year = datetime.date.today().year
    return render(
        request,
        "wbl/upgrading_list.html",
        {
            "title": _("Qualification upgrading"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "audiences": UP.Audience.choices,
            "years": list(range(this_year + 1, this_year - 6, -1)),
            "can_add": _programme_institution(request.user) is not None,
        },
    )


@login_required
def upgrading_add(request):
    """A programme built on open training needs: chosen on the needs list or a topic of the analysis."""
    institution = _programme_institution(request.user)
    if institution is None:
        raise PermissionDenied
    programme = UP(institution_id=institution.pk)
    status = 200
    if request.method == "POST":
        status = 400
        form = ProgrammeForm(request.POST, instance=programme, institution=institution, with_needs=True)
        if form.is_valid():
            needs = [n.pk for n in form.cleaned_data.get("needs") or []]
            try:
                saved = outcomes.create_programme(form.instance, needs, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        open_needs = N.objects.filter(institution_id=institution.pk, status=N.Status.OPEN)
        picked = [int(v) for v in request.GET.getlist("need") if v.isdigit()]
        topic = request.GET.get("topic", "").strip()
        year = _year(request.GET.get("year", ""))
        if topic:
            chosen = outcomes.open_needs_of_topic(open_needs.filter(academic_year=year) if year else open_needs, topic)
            picked += list(chosen.values_list("pk", flat=True))
            first = chosen.first()
            if first is not None:
                programme.title = first.topic
        counts = open_needs.filter(pk__in=picked).aggregate(
            staff=Count("pk", filter=Q(staff__isnull=False)), mentors=Count("pk", filter=Q(mentor__isnull=False))
        )
        if counts["staff"] or counts["mentors"]:
            programme.audience = (
                UP.Audience.BOTH
                if counts["staff"] and counts["mentors"]
                else (UP.Audience.TEACHERS if counts["staff"] else UP.Audience.MENTORS)
            )
        form = ProgrammeForm(instance=programme, institution=institution, with_needs=True, initial={"needs": picked})
    return render(request, "wbl/upgrading_form.html", {"title": _("New upgrading programme"), "form": form, "programme": None},
                  status=status)  # fmt: skip


class EnrolForm(forms.Form):
    staff = forms.ModelChoiceField(label=gettext_lazy("Teacher or master"), queryset=StaffMember.objects.none(), required=False)
    mentor = forms.ModelChoiceField(label=gettext_lazy("Mentor"), queryset=EmployerPerson.objects.none(), required=False)

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        inst = programme.institution_id
        if programme.audience == UP.Audience.MENTORS:
            del self.fields["staff"]
        else:
            self.fields["staff"].queryset = StaffMember.objects.filter(
                institution_id=inst, category__in=outcome_rules.UPGRADED_CATEGORIES, is_active=True
            ).order_by("last_name", "first_name")
        if programme.audience == UP.Audience.TEACHERS:
            del self.fields["mentor"]
        else:
            self.fields["mentor"].queryset = (
                EmployerPerson.objects.filter(institution_id=inst, is_mentor=True, is_active=True)
                .select_related("employer")
                .order_by("last_name", "first_name")
            )
            self.fields["mentor"].label_from_instance = lambda p: f"{p} — {p.employer.name}"


class CompleteForm(forms.Form):
    certificate_number = forms.CharField(label=gettext_lazy("Certificate number"), max_length=64)
    completed_on = forms.DateField(label=gettext_lazy("Completed on"), widget=DATE)


@login_required
def upgrading_detail(request, pk, enrol_form=None, status=200):
    programme = _programme(request.user, pk)
    can_change = common.may(request.user, UP, "change", programme.institution_id)
    enrolments = list(
        EN.objects.for_user(request.user)
        .filter(programme_id=programme.pk)
        .select_related("staff", "mentor__employer")
        .order_by("pk")
    )
    needs = list(
        N.objects.for_user(request.user)
        .filter(programme_id=programme.pk)
        .select_related("staff", "mentor__employer")
        .order_by("pk")
    )
    taken = sum(1 for e in enrolments if e.result != EN.Result.DROPPED)
    return render(
        request,
        "wbl/upgrading_detail.html",
        {
            "title": str(programme),
            "programme": programme,
            "enrolments": enrolments,
            "needs": needs,
            "taken": taken,
            "full": programme.places is not None and taken >= programme.places,
            "candidates": outcomes.candidates(programme) if can_change else [],
            "can_change": can_change,
            "enrol_form": enrol_form or (EnrolForm(programme=programme) if can_change else None),
            "complete_form": CompleteForm(initial={"completed_on": programme.ends_on}),
        },
        status=status,
    )


@login_required
def upgrading_edit(request, pk):
    programme = _programme(request.user, pk, "change")
    if not common.may(request.user, UP, "change", programme.institution_id):
        raise Http404
    status = 200
    if request.method == "POST":
        status = 400
        form = ProgrammeForm(request.POST, instance=programme, institution=programme.institution)
        if form.is_valid():
            try:
                saved = outcomes.save_programme(form.instance, request.user)
            except (common.WblInvalid, RuleViolation) as error:
                _violations_to_form(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(saved.get_absolute_url())
    else:
        form = ProgrammeForm(instance=programme, institution=programme.institution)
    return render(request, "wbl/upgrading_form.html",
                  {"title": _("Edit: %(object)s") % {"object": programme}, "form": form, "programme": programme},
                  status=status)  # fmt: skip


@login_required
def upgrading_delete(request, pk):
    programme = _programme(request.user, pk, "change")
    if not common.may(request.user, UP, "change", programme.institution_id):
        raise Http404
    if request.method == "POST":
        try:
            outcomes.delete_programme(programme, request.user)
        except (common.WblInvalid, RuleViolation) as error:
            _flash(request, error)
            return HttpResponseRedirect(programme.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": programme})
        return HttpResponseRedirect(reverse("wbl:upgrading_list"))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": programme, "cancel_url": programme.get_absolute_url(), "title": _("Delete")},
    )


@login_required
@require_POST
def upgrading_enrol(request, pk):
    programme = _programme(request.user, pk, "change")
    if not common.may(request.user, UP, "change", programme.institution_id):
        raise Http404
    form = EnrolForm(request.POST, programme=programme)
    if form.is_valid():
        try:
            enrolment = outcomes.enrol(
                programme, request.user, staff=form.cleaned_data.get("staff"), mentor=form.cleaned_data.get("mentor")
            )
        except (common.WblInvalid, RuleViolation) as error:
            _violations_to_form(form, error)
        else:
            messages.success(request, _("Enrolled: %(person)s") % {"person": enrolment.person})
            return HttpResponseRedirect(programme.get_absolute_url())
    return upgrading_detail(request, pk, enrol_form=form, status=400)


@login_required
@require_POST
def upgrading_needs(request, pk):
    """Answer more open needs with the programme."""
    programme = _programme(request.user, pk, "change")
    if not common.may(request.user, UP, "change", programme.institution_id):
        raise Http404
    ids = [int(v) for v in request.POST.getlist("need") if v.isdigit()]
    try:
        outcomes.add_needs(programme, ids, request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash(request, error)
    else:
        messages.success(request, _("The needs are answered by the programme."))
    return HttpResponseRedirect(programme.get_absolute_url())


@login_required
def upgrading_history(request, pk):
    programme = _programme(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": programme, "entries": history_entries(programme), "title": _("Qualification upgrading"),
         "list_url": reverse("wbl:upgrading_list")},
    )  # fmt: skip


def _enrolment(user, pk):
    enrolment = scoped_or_404(EN, user, pk, "change", ("programme",))
    if not common.may(user, EN, "change", enrolment.institution_id):
        raise Http404
    return enrolment


@login_required
@require_POST
def enrolment_complete(request, pk):
    enrolment = _enrolment(request.user, pk)
    form = CompleteForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for e in errors:
                messages.error(request, e)
        return HttpResponseRedirect(enrolment.programme.get_absolute_url())
    try:
        outcomes.complete(enrolment, form.cleaned_data["certificate_number"], form.cleaned_data["completed_on"], request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash(request, error)
    else:
        messages.success(request, _("Completed: %(person)s") % {"person": enrolment.person})
    return HttpResponseRedirect(enrolment.programme.get_absolute_url())


@login_required
@require_POST
def enrolment_drop(request, pk):
    enrolment = _enrolment(request.user, pk)
    try:
        outcomes.drop(enrolment, request.user)
    except (common.WblInvalid, RuleViolation) as error:
        _flash(request, error)
    else:
        messages.success(request, _("Did not complete: %(person)s") % {"person": enrolment.person})
    return HttpResponseRedirect(enrolment.programme.get_absolute_url())


@login_required
def staff_upgrading(request, pk):
    """A teacher's or master's training needs and qualification-upgrading history."""
    staff = scoped_or_404(StaffMember, request.user, pk, "view", ("institution",))
    require_perm(request.user, "view_wbl")
    return render(
        request,
        "wbl/staff_upgrading.html",
        {
            "title": str(staff),
            "staff": staff,
            "can_add": common.may(request.user, N, "change", staff.institution_id),
            **outcomes.upgrading_of(request.user, staff=staff),
        },
    )


urlpatterns = [
    path("employment/", employment_list, name="employment_list"),
    path("employment/add/", employment_add, name="employment_add"),
    path("employment/groups/<int:group_pk>/", employment_bulk, name="employment_bulk"),
    path("employment/<int:pk>/", employment_detail, name="employment_detail"),
    path("employment/<int:pk>/edit/", employment_edit, name="employment_edit"),
    path("employment/<int:pk>/delete/", employment_delete, name="employment_delete"),
    path("employment/<int:pk>/history/", employment_history, name="employment_history"),
    path("training-needs/", trainingneed_list, name="trainingneed_list"),
    path("training-needs/analysis/", trainingneed_analysis, name="trainingneed_analysis"),
    path("training-needs/add/", trainingneed_add, name="trainingneed_add"),
    path("training-needs/<int:pk>/", trainingneed_detail, name="trainingneed_detail"),
    path("training-needs/<int:pk>/edit/", trainingneed_edit, name="trainingneed_edit"),
    path("training-needs/<int:pk>/delete/", trainingneed_delete, name="trainingneed_delete"),
    path("training-needs/<int:pk>/history/", trainingneed_history, name="trainingneed_history"),
    path("upgrading/", upgrading_list, name="upgrading_list"),
    path("upgrading/add/", upgrading_add, name="upgrading_add"),
    path("upgrading/<int:pk>/", upgrading_detail, name="upgrading_detail"),
    path("upgrading/<int:pk>/edit/", upgrading_edit, name="upgrading_edit"),
    path("upgrading/<int:pk>/delete/", upgrading_delete, name="upgrading_delete"),
    path("upgrading/<int:pk>/enrol/", upgrading_enrol, name="upgrading_enrol"),
    path("upgrading/<int:pk>/needs/", upgrading_needs, name="upgrading_needs"),
    path("upgrading/<int:pk>/history/", upgrading_history, name="upgrading_history"),
    path("enrolments/<int:pk>/complete/", enrolment_complete, name="enrolment_complete"),
    path("enrolments/<int:pk>/drop/", enrolment_drop, name="enrolment_drop"),
    path("staff/<int:pk>/upgrading/", staff_upgrading, name="staff_upgrading"),
]
