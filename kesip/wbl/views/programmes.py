"""Pages of the WBL programmes: the list, the programme as a readable nine-section document with its
checks and steps, the editors of its passport and sections and of the tables of sections 5, 7 and 9,
the WBL % table, and the programme as PDF and DOCX.

Every page reads through `for_user`: another institution's programme or row answers 404. Only a
draft is edited; the page offers only the steps open to the user now. Each page reads a fixed
number of queries whatever the number of rows.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from kesip.core import access, documents
from kesip.core.forms import add_violation
from kesip.core.models import Programme
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import require_perm
from kesip.curriculum.models import Competency
from kesip.curriculum.views.common import scoped_or_404 as _get
from kesip.wbl import programme_rules as pr
from kesip.wbl import programmes as services
from kesip.wbl.common import WblInvalid
from kesip.wbl.events import held_by_semester
from kesip.wbl.models import ContentRow, LoadRow, PracticeType, RubricItem, WblForm, WblProgramme, WblSettings
from kesip.wbl.programme_forms import (
    PART_TITLES,
    PARTS,
    AgreementForm,
    ContentRowForm,
    LoadRowForm,
    RevisionForm,
    RubricItemForm,
    WblProgrammeForm,
)

W = WblProgramme
SELECT = ("institution", "programme__specialty", "co_developer", "approved_by")


# Helpers -----------------------------------------------------------------------------------------


def _programme(user, pk, action="view"):
    return _get(W, user, pk, action, SELECT)


def _with_source(v):
    return f"{v.message} ({_('source')}: {v.source})" if v.source else v.message


def _detail_url(wp, anchor=""):
    return reverse("wbl:wblprogramme_detail", args=[wp.pk]) + (f"#{anchor}" if anchor else "")


def _list_url(**params):
    url = reverse("wbl:wblprogramme_list")
    return f"{url}?{urlencode(params)}" if params else url


def _not_draft(request, wp):
    messages.error(request, _("Only a draft is changed: reopen the programme first."))
    return HttpResponseRedirect(_detail_url(wp))


def _show_invalid(form, error):
    for v in getattr(error, "violations", [error]):
        add_violation(form, v)


# The list ----------------------------------------------------------------------------------------


@login_required
def wblprogramme_list(request):
    """The WBL programmes the user may see; filter by programme, form, status and year; the WBL % of each."""
    require_perm(request.user, "view_wbl")
    visible = W.objects.for_user(request.user, "view")
    qs = visible.select_related("institution", "programme__specialty", "co_developer").order_by(
        "-academic_year", "programme__specialty__code", "pk"
    )
    chosen = {}
    programme = request.GET.get("programme", "")
    if programme.isdigit():
        qs, chosen["programme"] = qs.filter(programme_id=int(programme)), programme
    for name, choices in (("form", WblForm), ("status", W.Status)):
        value = request.GET.get(name, "")
        if value in choices.values:
            qs, chosen[name] = qs.filter(**{name: value}), value
    year = request.GET.get("year", "")
    if year.isdigit():
        qs, chosen["year"] = qs.filter(academic_year=int(year)), year
    page = Paginator(pr.with_percent(qs), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    denominators = dict(
        WblSettings.objects.filter(institution_id__in={wp.institution_id for wp in rows}).values_list(
            "institution_id", "wbl_percent_denominator"
        )
    )
    for wp in rows:
        wp.percent = pr.listed_percent(wp, denominators)
        wp.counted_of = denominators.get(wp.institution_id, WblSettings.Denominator.ALL_HOURS)
    programmes = list(
        Programme.objects.filter(pk__in=visible.values("programme_id")).select_related("specialty").order_by("specialty__code")
    )
    change = access.scope_for(request.user, W, "change")
    return render(
        request,
        "wbl/wblprogramme_list.html",
        {
            "title": _("WBL programmes"),
            "page": page,
            "rows": rows,
            "programmes": programmes,
            "years": sorted(set(visible.values_list("academic_year", flat=True)), reverse=True),
            "forms": WblForm.choices,
            "statuses": W.Status.choices,
            "chosen": chosen,
            "query": urlencode(chosen),
            "can_add": change.everything or bool(change.institution_ids),
            "many_institutions": len({wp.institution_id for wp in rows}) > 1,
        },
    )


# The programme -----------------------------------------------------------------------------------


def _tables(snapshot):
    """Section 5 total; section 7 grouped by type with totals; section 9 grouped by method."""
    load_total = sum(r.hours for r in snapshot.load_rows)
    credit_total = sum((r.credits for r in snapshot.load_rows), 0)
    content = {}
    for row in snapshot.content_rows:
        group = content.setdefault(
            row.practice_type,
            {
                "label": PracticeType(row.practice_type).label if row.practice_type in PracticeType.values else row.practice_type,
                "rows": [],
                "hours": 0,
            },
        )
        group["rows"].append(row)
        group["hours"] += row.hours or 0
    rubric = {}
    for item in snapshot.rubric:
        group = rubric.setdefault(
            item.method, {"label": item.get_method_display(), "items": [], "regulation": item.method in pr.REGULATION_METHODS}
        )
        group["items"].append(item)
    return {
        "load_total": load_total,
        "credit_total": credit_total,
        "content_groups": list(content.values()),
        "content_total": sum(g["hours"] for g in content.values()),
        "rubric_groups": list(rubric.values()),
    }


def _detail(request, wp, status=200, **extra):
    snapshot = pr.load(wp)
    hard, soft = pr.violations(wp, snapshot)
    percent = pr.wbl_percent(wp, book=snapshot.book)
    user = request.user
    steps = services.allowed_steps(wp, user, hard)
    staff = services.is_staff(user, wp.institution_id)
    editable = wp.is_editable and services.may_edit(user, wp)
    sections_rule = snapshot.book.get(pr.SECTIONS_RULE)
    descriptor_rule = snapshot.book.get(pr.DESCRIPTOR_RULE)
    context = {
        "wp": wp,
        "title": str(wp),
        "snapshot": snapshot,
        "hard": hard,
        "soft": soft,
        "marks": pr.section_marks(snapshot, hard, soft),
        "percent": percent,
        "events_held": held_by_semester(wp, snapshot.load_rows),
        "steps": steps,
        "can_edit": editable,
        "can_passport": editable and staff,
        "can_delete": wp.is_editable and staff,
        "send_blocked": wp.is_editable and staff and bool(hard),
        "sections_rule": sections_rule,
        "descriptor_rule": descriptor_rule,
        "passport_hard": [v for v in hard if pr.section_of(v.field) is None and v.field != "accessibility"],
        "access_violations": [v for v in (*hard, *soft) if v.field == "accessibility"],
        "agreement_form": extra.pop("agreement_form", None) or AgreementForm(),
        "revision_form": extra.pop("revision_form", None) or RevisionForm(wp=wp),
        "versions": services.versions(wp),
        # The link to the educational programme only for whom its page opens (the page's own check).
        "can_open_programme": Programme.objects.for_user(request.user, "view").filter(pk=wp.programme_id).exists(),
        "languages": [("ky", "Кыргызча"), ("ru", "Русский"), ("kk", "Қазақша"), ("en", "English")],
        **_tables(snapshot),
    }
    context.update(extra)
    return render(request, "wbl/wblprogramme_detail.html", context, status=status)


@login_required
def wblprogramme_detail(request, pk):
    """The programme as a document of nine sections, each with its completeness and its broken rules."""
    return _detail(request, _programme(request.user, pk))


def _programme_form(request, wp, part, title):
    if part is not None and part not in PARTS:
        raise Http404
    if request.method == "POST":
        form = WblProgrammeForm(request.POST, instance=wp, user=request.user, part=part)
        if form.is_valid():
            outcomes = list(form.cleaned_data["outcomes"]) if "outcomes" in form.fields else None
            try:
                services.save_programme(form.instance, request.user, outcomes=outcomes)
            except (WblInvalid, RuleViolation) as error:
                _show_invalid(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                anchor = f"section-{part}" if part and part.isdigit() else ""
                return HttpResponseRedirect(_detail_url(form.instance, anchor))
        status = 400
    else:
        form = WblProgrammeForm(instance=wp, user=request.user, part=part)
        status = 200
    return render(
        request,
        "wbl/wblprogramme_form.html",
        {"form": form, "wp": wp if wp.pk else None, "title": title, "part": part, "part_title": PART_TITLES.get(part)},
        status=status,
    )


@login_required
def wblprogramme_add(request):
    require_perm(request.user, "view_wbl")
    change = access.scope_for(request.user, W, "change")
    if not (change.everything or change.institution_ids):
        raise PermissionDenied  # the employer's side co-develops a programme the institution opened
    return _programme_form(request, W(), None, _("New WBL programme"))


@login_required
def wblprogramme_edit(request, pk):
    wp = _programme(request.user, pk, "change")
    if not wp.is_editable:
        return _not_draft(request, wp)
    part = request.GET.get("section") or None
    title = _("Edit: %(object)s") % {"object": PART_TITLES[part] if part in PART_TITLES else wp}
    return _programme_form(request, wp, part, title)


@login_required
def wblprogramme_delete(request, pk):
    wp = _programme(request.user, pk, "change")
    if not (wp.is_editable and services.is_staff(request.user, wp.institution_id)):
        messages.error(request, _("Only a draft is deleted, by the institution."))
        return HttpResponseRedirect(_detail_url(wp))
    if request.method == "POST":
        try:
            services.delete_programme(wp, request.user)
        except RuleViolation as violation:
            messages.error(request, _with_source(violation))
            return HttpResponseRedirect(_detail_url(wp))
        messages.success(request, _("Deleted: %(object)s") % {"object": wp})
        return HttpResponseRedirect(_list_url())
    return render(
        request,
        "core/confirm_delete.html",
        {"object": wp, "cancel_url": _detail_url(wp), "title": _("Delete")},
    )


@login_required
def wblprogramme_step(request, pk, name):
    """Send to the employer, record the employer's agreement, approve, reopen — each a POST."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    wp = _programme(request.user, pk)
    if name not in services.STEPS:
        raise Http404
    offered = {s.name: s for s in services.allowed_steps(wp, request.user)}
    if name not in offered and not (name in ("send", "approve") and _blocked_only_by_rules(wp, request.user, name)):
        messages.error(request, _("This step is not open for the programme now."))
        return HttpResponseRedirect(_detail_url(wp))
    agreed_by, agreed_on, form = "", None, None
    if name == "agree" and offered[name].needs_input:
        form = AgreementForm(request.POST)
        if not form.is_valid():
            return _detail(request, wp, status=400, agreement_form=form, open_agreement=True)
        agreed_by, agreed_on = form.cleaned_data["employer_agreed_by"], form.cleaned_data["employer_agreed_on"]
    reason, report = "", None
    if name == "revise":
        form = RevisionForm(request.POST, wp=wp)
        if not form.is_valid():
            return _detail(request, wp, status=400, revision_form=form, open_revision=True)
        reason, report = form.cleaned_data["revision_reason"], form.cleaned_data["revised_from_report"]
    try:
        result = services.take_step(wp, name, request.user, agreed_by, agreed_on, reason, report)
    except (WblInvalid, RuleViolation) as error:
        if form is not None and name == "revise":
            _show_invalid(form, error)
            return _detail(request, wp, status=400, revision_form=form, open_revision=True)
        if form is not None:
            _show_invalid(form, error)
            return _detail(request, wp, status=400, agreement_form=form, open_agreement=True)
        found = getattr(error, "violations", [error])
        messages.error(
            request,
            ngettext(
                "The step is refused: %(count)s rule is broken.", "The step is refused: %(count)s rules are broken.", len(found)
            )
            % {"count": len(found)},
        )
        for v in found:
            messages.error(request, _with_source(v))
        return HttpResponseRedirect(_detail_url(wp))
    done = {
        "send": _("The programme is sent to %(employer)s for review."),
        "agree": _("The employer's agreement is recorded."),
        "approve": _("The programme is approved."),
        "reopen": _("The programme is a draft again."),
        "publish": _("The programme is published."),
        "revise": _("Version %(version)s is open as a draft: change it and take it through review and approval."),
    }[name]
    messages.success(request, done % {"employer": wp.co_developer, "version": getattr(result, "version", "")})
    return HttpResponseRedirect(_detail_url(result if name == "revise" else wp))


def _blocked_only_by_rules(wp, user, name):
    """Send and approve are hidden while rules are broken; a posted one still runs so the rules answer why."""
    if name == "send":
        return wp.status == W.Status.DRAFT and services.is_staff(user, wp.institution_id)
    return wp.status == W.Status.EMPLOYER_REVIEW and services.may_approve(user, wp)


@login_required
def wblprogramme_prefill(request, pk):
    """Build section 5 from the curriculum's practice and section 1's normative base from the programme."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    wp = _programme(request.user, pk, "change")
    if not wp.is_editable:
        return _not_draft(request, wp)
    try:
        outcome = services.prefill(wp, request.user)
    except (WblInvalid, RuleViolation) as error:
        for v in getattr(error, "violations", [error]):
            messages.error(request, _with_source(v))
        return HttpResponseRedirect(_detail_url(wp))
    if outcome.created:
        messages.success(
            request,
            ngettext(
                "%(count)s row is added to section 5 from the curriculum.",
                "%(count)s rows are added to section 5 from the curriculum.",
                len(outcome.created),
            )
            % {"count": len(outcome.created)}
            + (
                " " + _("Semesters from the working curriculum of %(year)s.") % {"year": outcome.curriculum.intake_year}
                if outcome.curriculum
                else ""
            ),
        )
    elif not outcome.notes:
        messages.info(request, _("Section 5 already has a row for every practice of the curriculum."))
    if outcome.normative_base:
        messages.success(request, _("Section 1's normative base is written from the programme's passport: check it."))
    for note in outcome.notes:
        messages.warning(request, note)
    return HttpResponseRedirect(_detail_url(wp, "section-5"))


@login_required
def wblprogramme_history(request, pk):
    wp = _programme(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": wp, "entries": _history(wp), "title": _("WBL programmes"), "list_url": _list_url()},
    )


def _history(wp, limit=200):
    """Who changed what, when; section 6's competencies are shown by their codes."""
    records = list(wp.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    codes = dict(Competency.objects.filter(programme_id=wp.programme_id).values_list("pk", "code"))
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                f = W._meta.get_field(change.field)
                changes.append((f.verbose_name, _shown(f, change.old, codes), _shown(f, change.new, codes)))
        entries.append({"record": newer, "changes": changes})
    return entries


def _shown(model_field, value, codes):
    if value in (None, "", []):
        return "—"
    if model_field.many_to_many:
        ids = [v.get("competency") if isinstance(v, dict) else v for v in value]
        return ", ".join(str(codes.get(i, f"#{i}")) for i in ids) or "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        related = model_field.related_model._base_manager.filter(pk=value).first()
        return str(related) if related else f"#{value}"
    return value


@require_GET
@login_required
def wblprogramme_document(request, pk):
    """The programme as an official document, PDF or DOCX (`?format=`), in the language asked for (`?lang=`)."""
    from kesip.wbl import programme_document

    wp = _programme(request.user, pk)
    snapshot = pr.load(wp)

    def build(language):
        return programme_document.official(wp, snapshot, pr.wbl_percent(wp, book=snapshot.book), language)

    return documents.render(build, request, f"wbl-programme-{wp.pk}")


# The tables of sections 5, 7 and 9 ---------------------------------------------------------------


def _parent(user, wblprogramme_pk):
    return _programme(user, wblprogramme_pk, "change")


def _row_form(request, wp, form_class, row, save, title, anchor, template):
    if request.method == "POST":
        form = form_class(request.POST, instance=row, programme=wp)
        if form.is_valid():
            try:
                save(form)
            except (WblInvalid, RuleViolation) as error:
                _show_invalid(form, error)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": form.instance})
                return HttpResponseRedirect(_detail_url(wp, anchor))
        status = 400
    else:
        form = form_class(instance=row, programme=wp)
        status = 200
    return render(
        request,
        template,
        {"form": form, "wp": wp, "row": row if row.pk else None, "title": title, "anchor": anchor},
        status=status,
    )


def _row(model, user, pk):
    row = _get(
        model, user, pk, "change", ("programme__institution", "programme__programme__specialty", "programme__co_developer")
    )
    return row, row.programme


def _load_save(request):
    return lambda form: services.save_load_row(form.instance, request.user)


@login_required
def loadrow_add(request, wblprogramme_pk):
    wp = _parent(request.user, wblprogramme_pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    row = LoadRow(programme=wp, institution_id=wp.institution_id)
    return _row_form(
        request, wp, LoadRowForm, row, _load_save(request), _("Add a WBL form to section 5"), "section-5", "wbl/loadrow_form.html"
    )


@login_required
def loadrow_edit(request, pk):
    row, wp = _row(LoadRow, request.user, pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    return _row_form(
        request,
        wp,
        LoadRowForm,
        row,
        _load_save(request),
        _("Edit: %(object)s") % {"object": row},
        "section-5",
        "wbl/loadrow_form.html",
    )


def _delete_row(request, model, pk, anchor):
    row, wp = _row(model, request.user, pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    if request.method == "POST":
        try:
            services.delete_row(row, request.user)
        except RuleViolation as violation:
            messages.error(request, _with_source(violation))
        else:
            messages.success(request, _("Deleted: %(object)s") % {"object": row})
        return HttpResponseRedirect(_detail_url(wp, anchor))
    return render(
        request, "core/confirm_delete.html", {"object": row, "cancel_url": _detail_url(wp, anchor), "title": _("Delete")}
    )


@login_required
def loadrow_delete(request, pk):
    return _delete_row(request, LoadRow, pk, "section-5")


def _content_save(request):
    return lambda form: services.save_content_row(form.instance, request.user)


@login_required
def contentrow_add(request, wblprogramme_pk):
    wp = _parent(request.user, wblprogramme_pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    row = ContentRow(programme=wp, institution_id=wp.institution_id)
    initial_type = request.GET.get("practice_type", "")
    if initial_type in PracticeType.values:
        row.practice_type = initial_type
    return _row_form(
        request,
        wp,
        ContentRowForm,
        row,
        _content_save(request),
        _("Add content to section 7"),
        "section-7",
        "wbl/contentrow_form.html",
    )


@login_required
def contentrow_edit(request, pk):
    row, wp = _row(ContentRow, request.user, pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    return _row_form(
        request,
        wp,
        ContentRowForm,
        row,
        _content_save(request),
        _("Edit: %(object)s") % {"object": row},
        "section-7",
        "wbl/contentrow_form.html",
    )


@login_required
def contentrow_delete(request, pk):
    return _delete_row(request, ContentRow, pk, "section-7")


def _rubric_save(request):
    return lambda form: services.save_rubric_item(form.instance, form.cleaned_data["competencies"], request.user)


@login_required
def rubricitem_add(request, wblprogramme_pk):
    wp = _parent(request.user, wblprogramme_pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    row = RubricItem(programme=wp, institution_id=wp.institution_id)
    return _row_form(
        request,
        wp,
        RubricItemForm,
        row,
        _rubric_save(request),
        _("Add a grade to section 9"),
        "section-9",
        "wbl/rubricitem_form.html",
    )


@login_required
def rubricitem_edit(request, pk):
    row, wp = _row(RubricItem, request.user, pk)
    if not wp.is_editable:
        return _not_draft(request, wp)
    return _row_form(
        request,
        wp,
        RubricItemForm,
        row,
        _rubric_save(request),
        _("Edit: %(object)s") % {"object": row},
        "section-9",
        "wbl/rubricitem_form.html",
    )


@login_required
def rubricitem_delete(request, pk):
    return _delete_row(request, RubricItem, pk, "section-9")


urlpatterns = [
    path("wblprogrammes/", wblprogramme_list, name="wblprogramme_list"),
    path("wblprogrammes/add/", wblprogramme_add, name="wblprogramme_add"),
    path("wblprogrammes/<int:pk>/", wblprogramme_detail, name="wblprogramme_detail"),
    path("wblprogrammes/<int:pk>/edit/", wblprogramme_edit, name="wblprogramme_edit"),
    path("wblprogrammes/<int:pk>/delete/", wblprogramme_delete, name="wblprogramme_delete"),
    path("wblprogrammes/<int:pk>/step/<slug:name>/", wblprogramme_step, name="wblprogramme_step"),
    path("wblprogrammes/<int:pk>/prefill/", wblprogramme_prefill, name="wblprogramme_prefill"),
    path("wblprogrammes/<int:pk>/history/", wblprogramme_history, name="wblprogramme_history"),
    path("wblprogrammes/<int:pk>/document/", wblprogramme_document, name="wblprogramme_document"),
    path("wblprogrammes/<int:wblprogramme_pk>/load/add/", loadrow_add, name="loadrow_add"),
    path("wblprogrammes/load/<int:pk>/edit/", loadrow_edit, name="loadrow_edit"),
    path("wblprogrammes/load/<int:pk>/delete/", loadrow_delete, name="loadrow_delete"),
    path("wblprogrammes/<int:wblprogramme_pk>/content/add/", contentrow_add, name="contentrow_add"),
    path("wblprogrammes/content/<int:pk>/edit/", contentrow_edit, name="contentrow_edit"),
    path("wblprogrammes/content/<int:pk>/delete/", contentrow_delete, name="contentrow_delete"),
    path("wblprogrammes/<int:wblprogramme_pk>/rubric/add/", rubricitem_add, name="rubricitem_add"),
    path("wblprogrammes/rubric/<int:pk>/edit/", rubricitem_edit, name="rubricitem_edit"),
    path("wblprogrammes/rubric/<int:pk>/delete/", rubricitem_delete, name="rubricitem_delete"),
]
