"""Pages of the exams: the list, planning an exam for a group, its page, the results table, the steps.

Every page reads through `for_user`: another institution's exam or group answers 404. Teachers and
heads of practical training change exams (area "journal"); heads and analysts read them. Each page
reads a fixed number of queries whatever the number of exams or students.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q, prefetch_related_objects
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from kesip.core import access
from kesip.core.forms import DATE, add_violation
from kesip.core.models import Employer, Student, StudyGroup
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.curriculum import exam_rules, exams
from kesip.curriculum.models import AwardedQualification, ExamResult, GradingScale, QualificationExam
from kesip.curriculum.rules import rulebook_for
from kesip.curriculum.views.common import scoped_or_404 as _get

E = QualificationExam


class QualificationChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} ({obj.get_kind_display()})"


class ExamForm(forms.ModelForm):
    """An exam of one group: the group and institution come from the page, never from the post."""

    class Meta:
        model = QualificationExam
        fields = [*exams.EXAM_FIELDS, "employer_members"]
        field_classes = {"qualification": QualificationChoice}
        widgets = {
            "held_on": DATE,
            "experts": forms.Textarea(attrs={"rows": 4}),
            "employer_members": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        }

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.instance.group, self.instance.institution = group, group.institution
        self.fields["qualification"].queryset = group.programme.qualifications.select_related("specialty").order_by("code")
        self.fields["scale"].queryset = GradingScale.objects.filter(jurisdiction=group.institution.jurisdiction)
        chosen = list(self.instance.employer_members.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["employer_members"].queryset = Employer.objects.filter(
            Q(is_active=True) | Q(pk__in=chosen), institution_id=group.institution_id
        ).order_by("name")
        if not self.instance.pk:
            default = GradingScale.default_for(group.institution.jurisdiction)
            if default and not self.initial.get("scale"):
                self.initial["scale"] = default.pk


def _exam(user, pk, action="view"):
    return _get(E, user, pk, action, ("group__institution", "group__programme", "qualification__specialty", "scale"))


def _list_url(**params):
    url = reverse("curriculum:exam_list")
    return f"{url}?{urlencode(params)}" if params else url


@login_required
def exam_list(request):
    """The exams of the user's institutions, newest first; filter by group, kind and status."""
    require_perm(request.user, "view_journal")
    plan = request.GET.get("plan")
    if plan:
        return HttpResponseRedirect(reverse("curriculum:exam_add", args=[plan]) if plan.isdigit() else _list_url())
    groups = list(
        StudyGroup.objects.for_user(request.user, "view")
        .filter(is_active=True)
        .select_related("institution")
        .order_by("name")[:500]
    )
    change = access.scope_for(request.user, E, "change")
    plannable = [g for g in groups if change.allows_institution(g.institution_id)]
    qs = (
        E.objects.for_user(request.user, "view")
        .select_related("group", "qualification", "institution")
        .annotate(result_count=Count("results"), passed_count=Count("results", filter=Q(results__passed=True)))
        .order_by("-held_on", "group__name", "pk")
    )
    chosen = {}
    group = request.GET.get("group", "")
    if group.isdigit():
        qs, chosen["group"] = qs.filter(group_id=int(group)), group
    for name, choices in (("kind", E.Kind), ("status", E.Status)):
        value = request.GET.get(name, "")
        if value in choices.values:
            qs, chosen[name] = qs.filter(**{name: value}), value
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "curriculum/exam_list.html",
        {
            "title": _("Exams"),
            "page": page,
            "groups": groups,
            "plannable": plannable,
            "chosen": chosen,
            "query": urlencode(chosen),
            "kinds": E.Kind.choices,
            "statuses": E.Status.choices,
            "many_institutions": len({g.institution_id for g in groups}) > 1,
        },
    )


def _group_to_plan(user, group_pk):
    """A group the user may plan exams for (else 404)."""
    group = _get(StudyGroup, user, group_pk, "view", ("institution", "programme"))
    if not exams.may_change(user, group.institution_id):
        raise Http404
    return group


def _exam_form(request, group, exam, title):
    if request.method == "POST":
        form = ExamForm(request.POST, instance=exam, group=group)
        if form.is_valid():
            try:
                exams.save_exam(form.instance, request.user, employers=form.cleaned_data["employer_members"])
            except exams.ExamInvalid as invalid:
                for v in invalid.violations:
                    add_violation(form, v)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                for v in exam_rules.board_warnings(form.instance):
                    messages.warning(request, _with_source(v))
                return HttpResponseRedirect(form.instance.get_absolute_url())
        status = 400
    else:
        form = ExamForm(instance=exam, group=group)
        status = 200
    return render(
        request,
        "curriculum/exam_form.html",
        {"form": form, "group": group, "exam": exam if exam.pk else None, "title": title},
        status=status,
    )


@login_required
def exam_add(request, group_pk):
    group = _group_to_plan(request.user, group_pk)
    return _exam_form(request, group, E(group=group, institution=group.institution), _("Plan an exam"))


@login_required
def exam_edit(request, pk):
    exam = _exam(request.user, pk, "change")
    if exam.status != E.Status.PLANNED:
        messages.error(request, _("The exam is held: reopen it before changing it."))
        return HttpResponseRedirect(exam.get_absolute_url())
    return _exam_form(request, exam.group, exam, _("Edit: %(object)s") % {"object": exam})


@login_required
def exam_delete(request, pk):
    exam = _exam(request.user, pk, "change")
    if exam.status != E.Status.PLANNED:
        messages.error(request, _("The exam is held: reopen it before deleting it."))
        return HttpResponseRedirect(exam.get_absolute_url())
    if request.method == "POST":
        try:
            exams.delete_exam(exam, request.user)
        except RuleViolation as violation:
            messages.error(request, violation.message)
            return HttpResponseRedirect(exam.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": exam})
        return HttpResponseRedirect(_list_url(group=exam.group_id))
    return render(
        request,
        "core/confirm_delete.html",
        {"object": exam, "cancel_url": exam.get_absolute_url(), "title": _("Delete")},
    )


def _rows(exam, students, results, holdings):
    """One row per student: the result with its band, and any award of the exam's qualification the student holds."""
    scale = exam.scale
    rows = []
    for student in students:
        result = results.get(student.pk)
        band = scale.band_for(result.value) if result else None
        rows.append({"student": student, "result": result, "band": band, "holds": holdings.get(student.pk)})
    return rows


def _table(exam):
    """The studying students of the group and anyone with a result, their results, and who holds the qualification."""
    enrolled = list(
        Student.objects.filter(group_id=exam.group_id, status=Student.Status.ENROLLED).order_by("last_name", "first_name", "pk")
    )
    results = {r.student_id: r for r in ExamResult.objects.filter(exam=exam).select_related("student")}
    known = {s.pk for s in enrolled}
    students = enrolled + sorted(
        (r.student for sid, r in results.items() if sid not in known), key=lambda s: (s.last_name, s.first_name, s.pk)
    )
    holdings = {
        a.student_id: a
        for a in AwardedQualification.objects.filter(
            qualification_id=exam.qualification_id, student_id__in=[s.pk for s in students]
        ).select_related("exam")
    }
    return enrolled, results, _rows(exam, students, results, holdings)


@login_required
def exam(request, pk):
    """The exam: header, experts, venue, the results with pass or fail, the awarded qualifications, the steps."""
    exam = _exam(request.user, pk)
    prefetch_related_objects([exam.scale], "bands")
    _enrolled, results, rows = _table(exam)
    awards = [(r["student"], r["holds"]) for r in rows if r["holds"] and r["holds"].exam_id == exam.pk]
    board = list(exam.employer_members.order_by("name"))
    return render(
        request,
        "curriculum/exam.html",
        {
            "exam": exam,
            "title": str(exam),
            "rows": rows,
            "awards": awards,
            "awarding": exam_rules.awards(exam),
            "passed_count": sum(1 for r in results.values() if r.passed),
            "result_count": len(results),
            "steps": exams.allowed_steps(exam, request.user, len(results)),
            "board": board,
            "board_warnings": exam_rules.board_warnings(exam, rulebook_for(exam.group.institution.jurisdiction), employers=board),
        },
    )


def _marks_from(post, enrolled):
    """The posted table: `mark-<student id>` for every row; ids outside the group are kept so the rules refuse them."""
    marks = {s.pk: post.get(f"mark-{s.pk}", "") for s in enrolled}
    for key, raw in post.items():
        if key.startswith("mark-") and key[5:].isdigit():
            marks.setdefault(int(key[5:]), raw)
    return marks


@login_required
def exam_results(request, pk):
    """The results table of a planned exam: one mark per studying student; a bad mark anywhere saves nothing."""
    exam = _exam(request.user, pk, "change")
    if exam.status != E.Status.PLANNED:
        messages.error(request, _("The exam is held: reopen it to change its results."))
        return HttpResponseRedirect(exam.get_absolute_url())
    prefetch_related_objects([exam.scale], "bands")
    enrolled, results, rows = _table(exam)
    errors, posted, status = {}, {}, 200
    if request.method == "POST":
        close = request.POST.get("action") == "close"
        marks = _marks_from(request.POST, enrolled)
        try:
            outcome = exams.record_results(exam, marks, request.user, close=close)
        except exams.ExamInvalid as invalid:
            for v in invalid.violations:
                errors.setdefault(v.field, []).append(v.message)
            messages.error(
                request,
                ngettext(
                    "Nothing was saved: %(count)s row needs attention.",
                    "Nothing was saved: %(count)s rows need attention.",
                    len(errors),
                )
                % {"count": len(errors)},
            )
            posted, status = marks, 400
        except RuleViolation as violation:
            messages.error(request, _with_source(violation))
            posted, status = marks, 400
        else:
            _report(request, outcome, close)
            return HttpResponseRedirect(exam.get_absolute_url())
    studying = {s.pk for s in enrolled}
    for row in rows:
        sid, result = row["student"].pk, row["result"]
        row["errors"] = errors.get(f"student-{sid}", [])
        row["value"] = posted.get(sid, "") if posted else (f"{result.value.normalize():f}" if result else "")
        row["editable"] = sid in studying
    shown = {f"student-{r['student'].pk}" for r in rows}
    stray = [msg for f, msgs in errors.items() if f not in shown for msg in msgs]
    return render(
        request,
        "curriculum/exam_results.html",
        {
            "exam": exam,
            "title": _("Results") + f" · {exam}",
            "rows": rows,
            "stray": stray,
            "can_close": exam.held_on <= datetime.date.today(),
        },
        status=status,
    )


def _with_source(violation):
    return f"{violation.message} ({_('source')}: {violation.source})" if violation.source else violation.message


def _report(request, outcome, closed):
    if not closed:
        messages.success(request, _("The results are saved."))
        return
    exam = outcome.exam
    if exam_rules.awards(exam):
        messages.success(
            request,
            ngettext(
                "The exam is held: %(count)s student is awarded qualification %(q)s.",
                "The exam is held: %(count)s students are awarded qualification %(q)s.",
                len(outcome.awarded),
            )
            % {"count": len(outcome.awarded), "q": exam.qualification},
        )
    else:
        messages.success(request, _("The exam is held."))
    for v in [*outcome.skipped, *outcome.warnings]:
        messages.warning(request, _with_source(v))


@login_required
def exam_step(request, pk, name):
    """Mark the exam held (awarding the qualification) or reopen it (withdrawing the awards)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    exam = _exam(request.user, pk)
    if name not in exams.STEPS:
        raise Http404
    result_count = ExamResult.objects.filter(exam=exam).count()
    if name not in exams.allowed_steps(exam, request.user, result_count):
        messages.error(request, _("This step is not open for the exam now."))
        return HttpResponseRedirect(exam.get_absolute_url())
    try:
        if name == "close":
            _report(request, exams.close_exam(exam, request.user), True)
        else:
            withdrawn = exams.reopen_exam(exam, request.user)
            messages.success(
                request,
                ngettext(
                    "The exam is open for changes again; %(count)s awarded qualification is withdrawn.",
                    "The exam is open for changes again; %(count)s awarded qualifications are withdrawn.",
                    len(withdrawn),
                )
                % {"count": len(withdrawn)},
            )
    except exams.ExamInvalid as invalid:
        for v in invalid.violations:
            messages.error(request, v.message)
    except RuleViolation as violation:
        messages.error(request, _with_source(violation))
    return HttpResponseRedirect(exam.get_absolute_url())


@login_required
def exam_history(request, pk):
    exam = _exam(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": exam, "entries": history_entries(exam), "title": _("Exams"), "list_url": reverse("curriculum:exam_list")},
    )
