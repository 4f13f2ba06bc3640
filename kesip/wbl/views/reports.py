"""Pages of the annual WBL report: the list by year, opening a report, the report with its indicators and charts,
its texts, the steps, the employers' answers, the official document, and the authority's consolidated view.

Every page reads through `for_user`: another institution's report answers 404. The institution's
staff (change_wbl) prepare the report; an employer's representative reads the reports its
employer is asked to agree and answers for its employer; an authority analyst reads the reports
and the consolidated figures of the institutions under its authority. Each page reads a fixed
number of queries, whatever the number of placements or institutions.
"""

from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core import documents as docs
from kesip.core.exports import xlsx_response
from kesip.core.forms import add_violation
from kesip.core.models import Institution
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.wbl import evidence, reports
from kesip.wbl import report_measures as measures
from kesip.wbl import report_tables as tables
from kesip.wbl.common import WblInvalid
from kesip.wbl.models import AnnualReport, ImprovementMeasure, ReportAgreement

R = AnnualReport
RA = ReportAgreement


def _with_source(violation):
    return f"{violation.message} ({_('source')}: {violation.source})" if violation.source else violation.message


def _visible(user):
    """The reports the user may read, each once (an employer's view joins the agreements)."""
    return R.objects.filter(pk__in=R.objects.for_user(user, "view").values("pk"))


def _report(user, pk):
    try:
        return _visible(user).select_related("institution").get(pk=pk)
    except (R.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _agreements(report):
    return list(report.agreements.select_related("employer").order_by("employer__name", "pk"))


def _year(raw, default):
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return default, bool(raw)
    return (year, False) if 1990 <= year <= 2100 else (default, True)


# --- The list and opening a report ---------------------------------------------------------------


def _count(status=None):
    qs = RA.objects.filter(report=OuterRef("pk"))
    if status:
        qs = qs.filter(status=status)
    return Coalesce(Subquery(qs.order_by().values("report").annotate(c=Count("pk")).values("c")), 0, output_field=IntegerField())


@login_required
def report_list(request):
    """The reports by academic year: an analyst reads those of its institutions, an employer those it is asked to agree."""
    require_perm(request.user, "view_wbl")
    qs = (
        _visible(request.user)
        .select_related("institution")
        .annotate(asked=_count(), agreed=_count(RA.Status.AGREED), remarks=_count(RA.Status.REMARKS))
        .order_by("-academic_year", "institution__short_name_ru", "pk")
    )
    chosen = {}
    year = request.GET.get("year", "")
    if year.isdigit():
        qs, chosen["year"] = qs.filter(academic_year=int(year)), year
    status = request.GET.get("status", "")
    if status in R.Status.values:
        qs, chosen["status"] = qs.filter(status=status), status
    institution = request.GET.get("institution", "")
    if institution.isdigit():
        qs, chosen["institution"] = qs.filter(institution_id=int(institution)), institution
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    reports_on_page = list(page.object_list)
    answerable = {}
    for a in RA.objects.for_user(request.user, "change").filter(report__in=reports_on_page).select_related("employer"):
        answerable.setdefault(a.report_id, []).append(a)
    institutions = list(reports.institutions_for(request.user).order_by("short_name_ru", "pk")[:500])
    openable = [i for i in institutions if reports.may_manage(request.user, i.pk)]
    for r in reports_on_page:
        # The institution's staff record answers on the report's page; an employer answers from here.
        r.answerable = [] if reports.may_manage(request.user, r.institution_id) else answerable.get(r.pk, [])
        r.badge = tables.status_badge(r.status)
    return render(
        request,
        "wbl/report_list.html",
        {
            "title": _("Annual WBL reports"),
            "page": page,
            "reports": reports_on_page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "statuses": R.Status.choices,
            "institutions": institutions,
            "many_institutions": len(institutions) > 1,
            "can_open": bool(openable),
            "can_consolidate": bool(institutions),
            "past_year": reports.past_academic_year(reports.today_()),
        },
    )


class OpenForm(forms.Form):
    institution = forms.ModelChoiceField(queryset=Institution.objects.none(), label=gettext_lazy("Institution"))
    academic_year = forms.IntegerField(
        label=gettext_lazy("Academic year"),
        min_value=1990,
        max_value=2100,
        help_text=gettext_lazy("The year it starts in: 2024 for 2024–2025. The report covers a year that has ended."),
    )

    def __init__(self, *args, institutions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["institution"].queryset = institutions
        only = list(institutions[:2])
        if len(only) == 1:
            self.fields["institution"].initial = only[0].pk
            self.fields["institution"].widget = forms.HiddenInput()


def _openable(user):
    scope = access.scope_for(user, R, "change")
    qs = Institution.objects.all() if scope.everything else Institution.objects.filter(pk__in=scope.institution_ids)
    return qs.order_by("short_name_ru", "pk")


@login_required
def report_open(request):
    """Open the report of an institution for an academic year that has ended (VR-52); the past year by default."""
    require_perm(request.user, "change_wbl")
    institutions = _openable(request.user)
    if not institutions.exists():
        raise PermissionDenied
    status = 200
    if request.method == "POST":
        form = OpenForm(request.POST, institutions=institutions)
        if form.is_valid():
            try:
                report = reports.open_report(form.cleaned_data["institution"], form.cleaned_data["academic_year"], request.user)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("The report for %(year)s is opened as a draft.") % {"year": report})
                return HttpResponseRedirect(report.get_absolute_url())
        status = 400
    else:
        form = OpenForm(initial={"academic_year": reports.past_academic_year(reports.today_())}, institutions=institutions)
    return render(request, "wbl/report_open.html", {"form": form, "title": _("Open an annual WBL report")}, status=status)


# --- The report ---------------------------------------------------------------------------------


DOCUMENT_LANGUAGES = (("ky", "Кыргызча"), ("ru", "Русский"), ("kk", "Қазақша"), ("en", "English"))


@login_required
def report_detail(request, pk):
    """The report: its state, the indicators as tables and charts (frozen once final), the texts, the employers' answers."""
    report = _report(request.user, pk)
    agreements = _agreements(report)
    ind, frozen = reports.shown_indicators(report)
    steps = reports.allowed_steps(report, request.user, agreements)
    answerable = {a.pk for a in RA.objects.for_user(request.user, "change").filter(report=report)}
    if report.status != R.Status.SENT:
        answerable = set()
    answered = sum(1 for a in agreements if a.status == RA.Status.AGREED)
    staff = reports.may_manage(request.user, report.institution_id)
    timely = measures.timeliness({report.institution_id: report}, [report.institution_id], report.academic_year)
    return render(
        request,
        "wbl/report_detail.html",
        {
            "measures": list(report.measures.order_by("due_on", "pk")),
            "measure_form": MeasureForm(),
            "notices": list(report.notices.select_related("sent_by")[:20]) if staff else [],
            "notification_list": measures.notification_list(report) if staff and report.status == R.Status.PUBLISHED else [],
            "notice_form": NoticeForm(),
            "timely": timely[report.institution_id],
            "report": report,
            "title": _("Annual WBL report %(year)s") % {"year": report},
            "ind": ind,
            "frozen": frozen,
            "frozen_on": reports.parse_day(ind.get("frozen_on")),
            "sections": tables.sections(ind),
            "agreements": agreements,
            "agreed_count": answered,
            "remarks_count": sum(1 for a in agreements if a.status == RA.Status.REMARKS),
            "starts_on": reports.period(report.academic_year)[0],
            "ends_on": reports.period(report.academic_year)[1],
            "answerable": answerable,
            "steps": steps,
            "staff": staff,
            "badge": tables.status_badge(report.status),
            "languages": DOCUMENT_LANGUAGES,
            "may_export": _may_export(request.user, report.institution_id),
        },
    )


def _may_export(user, institution_id):
    """Whether the evidence ZIP of the institution opens for the user: the test of `evidence_export` itself."""
    try:
        evidence.institution_for(user, institution_id)
    except Http404:
        return False
    return True


class MeasureForm(forms.ModelForm):
    class Meta:
        model = ImprovementMeasure
        fields = ["text", "responsible", "due_on", "status", "done_on"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "due_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "done_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def clean(self):
        """The service's own checks, field by field (a field in error is then left out of the model's constraint)."""
        data = super().clean()
        probe = ImprovementMeasure(report=self.instance.report, **{k: data.get(k) for k in self.Meta.fields})
        for v in measures.measure_violations(probe):
            if v.field in self.fields and v.field not in self.errors:
                self.add_error(v.field, v.message)
        return data


class NoticeForm(forms.Form):
    include_list = forms.BooleanField(
        label=gettext_lazy("The heads and representatives of the host employers"), required=False, initial=True
    )
    extra = forms.CharField(
        label=gettext_lazy("Further addresses"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("E-mail addresses of other stakeholders (the authority, the parents' council), one per line."),
    )


@login_required
def measure_save(request, pk, measure_pk=None):
    """Add an improvement measure to the report (or change one): what, who, by when, how far it is."""
    report = _report(request.user, pk)
    if not reports.may_manage(request.user, report.institution_id):
        raise Http404
    measure = ImprovementMeasure(report=report)
    if measure_pk is not None:
        measure = report.measures.filter(pk=measure_pk).first()
        if measure is None:
            raise Http404
    if request.method != "POST":
        form, status = MeasureForm(instance=measure), 200
    else:
        form, status = MeasureForm(request.POST, instance=measure), 400
        if form.is_valid():
            try:
                measures.save_measure(form.instance, request.user)
            except WblInvalid as invalid:
                for v in invalid.violations:
                    add_violation(form, v)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(reverse("wbl:report_detail", args=[report.pk]) + "#measures")
    return render(
        request,
        "wbl/measure_form.html",
        {"report": report, "form": form, "measure": measure, "title": _("Improvement measure")},
        status=status,
    )


@login_required
def measure_delete(request, pk, measure_pk):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = _report(request.user, pk)
    measure = report.measures.filter(pk=measure_pk).first()
    if measure is None or not reports.may_manage(request.user, report.institution_id):
        raise Http404
    try:
        measures.delete_measure(measure, request.user)
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, _("Deleted."))
    return HttpResponseRedirect(reverse("wbl:report_detail", args=[report.pk]) + "#measures")


@login_required
def report_notify(request, pk):
    """Tell the stakeholders of the published report and its improvement measures (п. 56 item 15)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = _report(request.user, pk)
    if not reports.may_manage(request.user, report.institution_id):
        raise Http404
    form = NoticeForm(request.POST)
    back = HttpResponseRedirect(reverse("wbl:report_detail", args=[report.pk]) + "#stakeholders")
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return back
    try:
        notice = measures.notify(report, request.user, form.cleaned_data["extra"], form.cleaned_data["include_list"])
    except WblInvalid as invalid:
        messages.error(request, " ".join(v.message for v in invalid.violations))
    except RuleViolation as violation:
        messages.error(request, violation.message)
    else:
        messages.success(request, _("Sent to %(n)s stakeholders.") % {"n": len(notice.recipients)})
    return back


class TextsForm(forms.Form):
    summary = forms.CharField(
        label=gettext_lazy("How WBL went"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("The forms of WBL held, the learners, the employers, the dates, the results."),
    )
    problems = forms.CharField(
        label=gettext_lazy("Problems found"), required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    recommendations = forms.CharField(
        label=gettext_lazy("Recommendations for the WBL process and programme"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("Required before the report is sent to the employers (п. 56 item 12)."),
    )


@login_required
def report_edit(request, pk):
    """The report's texts, while it is a draft."""
    report = _report(request.user, pk)
    if not reports.may_manage(request.user, report.institution_id):
        raise Http404
    if report.status != R.Status.DRAFT:
        messages.error(request, _("The report is sent or final: reopen it to change its texts."))
        return HttpResponseRedirect(report.get_absolute_url())
    status = 200
    if request.method == "POST":
        form = TextsForm(request.POST)
        if form.is_valid():
            try:
                reports.save_texts(report, **form.cleaned_data, user=request.user)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("The texts of the report are saved."))
                return HttpResponseRedirect(report.get_absolute_url())
        status = 400
    else:
        form = TextsForm(
            initial={"summary": report.summary, "problems": report.problems, "recommendations": report.recommendations}
        )
    return render(
        request,
        "wbl/report_form.html",
        {"form": form, "report": report, "title": _("Texts of the report %(year)s") % {"year": report}},
        status=status,
    )


STEP_DONE = {
    "send": gettext_lazy("The report is sent to the employers for agreement."),
    "finalise": gettext_lazy("The report is final: its indicators are frozen as of today."),
    "reopen": gettext_lazy("The report is a draft again: work in the remarks and send it again."),
    "publish": gettext_lazy("The report is published to stakeholders."),
}


@login_required
def report_step(request, pk, name):
    """Send to the employers, make final, reopen or publish (POST)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    report = _report(request.user, pk)
    if name not in reports.STEPS:
        raise Http404
    if name not in reports.allowed_steps(report, request.user):
        messages.error(request, _("This step is not open for the report now."))
        return HttpResponseRedirect(report.get_absolute_url())
    try:
        reports.take_step(report, name, request.user)
    except WblInvalid as invalid:
        for v in invalid.violations:
            messages.error(request, _with_source(v))
    except RuleViolation as violation:
        messages.error(request, _with_source(violation))
    else:
        messages.success(request, STEP_DONE[name])
    return HttpResponseRedirect(report.get_absolute_url())


@login_required
def report_history(request, pk):
    report = _report(request.user, pk)
    frozen_label = R._meta.get_field("indicators").verbose_name
    entries = history_entries(report)
    for e in entries:
        # The frozen indicators are a large JSON document: say that they changed, not how.
        e["changes"] = [
            (label, "…", _("frozen") if new not in ("—", {}, "{}") else "—") if label == frozen_label else (label, old, new)
            for label, old, new in e["changes"]
        ]
    return render(
        request,
        "core/history.html",
        {"object": report, "entries": entries, "title": _("Annual WBL reports"), "list_url": reverse("wbl:report_list")},
    )


# --- The employer's answer ------------------------------------------------------------------------


class AnswerForm(forms.Form):
    status = forms.ChoiceField(
        label=gettext_lazy("Answer"),
        choices=[(RA.Status.AGREED, gettext_lazy("We agree the report")), (RA.Status.REMARKS, gettext_lazy("We have remarks"))],
        widget=forms.RadioSelect,
    )
    agreed_by = forms.CharField(
        label=gettext_lazy("Answered by"),
        max_length=255,
        required=False,
        help_text=gettext_lazy("Name and position of the employer's representative."),
    )
    remarks = forms.CharField(
        label=gettext_lazy("Remarks"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=gettext_lazy("What the institution must change before the report is final."),
    )


@login_required
def reportagreement_answer(request, pk):
    """The employer's answer to the report: its representative answers, or the institution records an answer on paper."""
    try:
        agreement = RA.objects.for_user(request.user, "change").select_related("report__institution", "employer").get(pk=pk)
    except (RA.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    report = agreement.report
    if report.status != R.Status.SENT:
        messages.error(request, _("The report is not waiting for the employers' agreement."))
        return HttpResponseRedirect(report.get_absolute_url())
    on_paper = reports.may_manage(request.user, report.institution_id)
    status = 200
    if request.method == "POST":
        form = AnswerForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                reports.answer(agreement, data["status"], data["agreed_by"], data["remarks"], request.user)
            except WblInvalid as invalid:
                for v in invalid.violations:
                    add_violation(form, v)
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("The answer of %(employer)s is recorded.") % {"employer": agreement.employer})
                return HttpResponseRedirect(report.get_absolute_url())
        status = 400
    else:
        initial = {"status": agreement.status if agreement.status in reports.ANSWERS else "", "remarks": agreement.remarks}
        initial["agreed_by"] = agreement.agreed_by or ("" if on_paper else request.user.display_name())
        form = AnswerForm(initial=initial)
    return render(
        request,
        "wbl/report_answer.html",
        {
            "form": form,
            "agreement": agreement,
            "report": report,
            "on_paper": on_paper,
            "title": _("Agreement of the report %(year)s") % {"year": report},
        },
        status=status,
    )


# --- The official document ------------------------------------------------------------------------


def build_document(report, agreements, language):
    """The report as an official document: passport, texts, indicators and charts, the employers' answers, the signature."""
    ind, frozen = reports.shown_indicators(report)
    institution = report.institution
    start, end = reports.period(report.academic_year)
    blocks = [
        docs.fields(
            [
                (_("Academic year"), f"{report} ({docs.day(start)} – {docs.day(end)})"),
                (_("Status"), report.get_status_display()),
                (_("Sent to the employers on"), docs.day(report.sent_on)),
                (_("Final on"), docs.day(report.finalised_on)),
                (_("Published on"), docs.day(report.published_on)),
                (
                    _("Indicators"),
                    _("as frozen on %(date)s") % {"date": docs.day(reports.parse_day(ind.get("frozen_on")))}
                    if frozen
                    else _("computed on %(date)s; the report is not final") % {"date": docs.day(reports.today_())},
                ),
            ]
        ),
        docs.heading(_("1. How WBL went")),
        docs.paragraph(report.summary or "—"),
        docs.heading(_("2. Indicators")),
    ]
    for number, section in enumerate(tables.sections(ind), start=1):
        blocks.append(docs.heading(f"2.{number}. {section['title']}"))
        for block in section["blocks"]:
            if block["kind"] == "fields":  # on paper, figures are a table: its rows never split across pages
                block = docs.table([_("Indicator"), _("Value")], block["pairs"], widths=[70, 30])
            blocks.append(block)
        if section["note"]:
            blocks.append(docs.paragraph(section["note"]))
    blocks += [
        docs.heading(_("3. Problems found")),
        docs.paragraph(report.problems or "—"),
        docs.heading(_("4. Recommendations for improving the WBL process and programme")),
        docs.paragraph(report.recommendations or "—"),
        docs.heading(_("5. Agreement of the employers (п. 57 item 16)")),
    ]
    if agreements:
        blocks.append(
            docs.table(
                [_("Employer"), _("Answer"), _("Date"), _("Answered by"), _("Remarks")],
                tables.agreement_rows(agreements),
                widths=[28, 16, 12, 20, 24],
            )
        )
    else:
        blocks.append(docs.paragraph(_("The report has not been sent to the employers yet.")))
    return docs.Official(
        institution=institution,
        title=_("Annual report on work-based learning"),
        subtitle=_("for the academic year %(year)s") % {"year": report},
        dated=report.finalised_on or reports.today_(),
        blocks=blocks,
        signatures=[(_("Head of the institution"), institution.head or "")],
        footer=_("Prepared in Kesip under п. 56 item 12 and п. 57 item 16 of the regulation on WBL programmes."),
        language=language,
    )


@login_required
def report_document(request, pk):
    """The report as PDF or DOCX, in the language asked for (`?format=pdf|docx&lang=ky|ru|kk|en`)."""
    report = _report(request.user, pk)
    agreements = _agreements(report)
    from kesip.documents.archive import Keep

    keep = None
    if report.status == AnnualReport.Status.PUBLISHED:
        keep = Keep(report, "report", str(report), str(report.academic_year))
    return docs.render(
        lambda language: build_document(report, agreements, language),
        request,
        f"wbl-report-{report.academic_year}",
        keep=keep,
    )


# --- The authority's consolidated view ------------------------------------------------------------


@login_required
def report_authority(request):
    """The indicators of one academic year across every institution the user reads: a row each and the totals."""
    require_perm(request.user, "view_wbl")
    if not reports.reads_figures(request.user):
        raise PermissionDenied
    default = reports.past_academic_year(reports.today_())
    year, bad = _year(request.GET.get("year"), default)
    if bad:
        messages.warning(
            request,
            _("“%(value)s” is not an academic year; %(year)s is shown.")
            % {"value": request.GET["year"], "year": f"{year}–{year + 1}"},
        )
    institutions = reports.institutions_for(request.user)
    rows, total = reports.consolidated(institutions, year)
    ids = [i.pk for i, _ind in rows]
    found = {r.institution_id: r for r in R.objects.filter(institution_id__in=ids, academic_year=year)}
    header, body, totals = tables.consolidated_table(rows, total, found)
    header.append(_("On time and agreed by the employers (K26)"))
    timely = measures.timeliness(found, ids, year)
    for row in body:
        row["timely"] = t = timely[row["institution"].pk]
        on_time = {True: _("on time"), False: _("late")}.get(
            t["on_time"], _("due %(date)s") % {"date": t["due_on"].strftime("%d.%m.%Y")}
        )
        row["timely_label"] = f"{on_time}; {t['agreed']}/{t['asked']}" if t["asked"] else on_time
    if request.GET.get("format") == "xlsx":
        cells = [
            [row["institution"].full_name or str(row["institution"]), *row["cells"], row["report_label"], row["timely_label"]]
            for row in body
        ]
        cells.append([_("Total"), *totals, "", ""])
        return xlsx_response(f"wbl-consolidated-{year}.xlsx", f"{year}-{year + 1}", header, cells)
    for row in body:
        row["badge"] = tables.status_badge(row["report"].status) if row["report"] else "text-bg-light"
    learners_chart = docs.chart(_("Learners in WBL by institution"), [(str(i), ind["learners"]["total"]) for i, ind in rows])
    share_chart = docs.chart(
        _("WBL share of the curriculum hours by institution"), [(str(i), ind["share"]["percent"] or 0) for i, ind in rows], "%"
    )
    return render(
        request,
        "wbl/report_authority.html",
        {
            "title": _("WBL across institutions"),
            "year": year,
            "years": list(range(default, default - 6, -1)),
            "header": header,
            "body": body,
            "totals": totals,
            "total": total,
            "charts": [learners_chart, share_chart],
            "sections": tables.sections(total),
            "query": urlencode({"year": year, "format": "xlsx"}),
        },
    )


urlpatterns = [
    path("reports/", report_list, name="report_list"),
    path("reports/open/", report_open, name="report_open"),
    path("reports/consolidated/", report_authority, name="report_authority"),
    path("reports/<int:pk>/", report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", report_edit, name="report_edit"),
    path("reports/<int:pk>/step/<slug:name>/", report_step, name="report_step"),
    path("reports/<int:pk>/document/", report_document, name="report_document"),
    path("reports/<int:pk>/history/", report_history, name="report_history"),
    path("reports/agreements/<int:pk>/answer/", reportagreement_answer, name="reportagreement_answer"),
    path("reports/<int:pk>/measures/", measure_save, name="report_measure_add"),
    path("reports/<int:pk>/measures/<int:measure_pk>/", measure_save, name="report_measure_edit"),
    path("reports/<int:pk>/measures/<int:measure_pk>/delete/", measure_delete, name="report_measure_delete"),
    path("reports/<int:pk>/notify/", report_notify, name="report_notify"),
]
