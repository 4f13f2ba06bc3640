"""Pages of the orders: the register, an order's page, preparing each kind, editing a draft, signing, cancelling,
the printed document (PDF, DOCX) and the history.

Every page reads through `orders.visible_orders` (built on `for_user`): another institution's order,
placement, group or employer answers 404. The institution's staff prepare orders; its head signs
them (or staff record a signature on paper); an employer's representative prepares and signs the
employer's own orders and reads the institution's orders that concern its learners as extracts.
Each page reads a fixed number of queries whatever the number of orders or lines.
"""

import datetime
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from kesip.core import access
from kesip.core.forms import DATE
from kesip.core.models import Employer, StaffMember, StudyGroup
from kesip.core.pdf import DOCUMENT_LANGUAGES
from kesip.core.rules import RuleViolation
from kesip.core.views.generic import history_entries, require_perm
from kesip.wbl import common, numbering, order_documents, orders
from kesip.wbl import order_rules as rules
from kesip.wbl.models import Order, OrderLine, Placement, WblForm

K = Order.Kind
S = Placement.Status
CANDIDATE_LIMIT = 300
LANGUAGE_NAMES = {"ky": "Кыргызча", "ru": "Русский", "kk": "Қазақша", "en": "English"}


def _with_source(violation):
    return f"{violation.message} ({_('source')}: {violation.source})" if violation.source else violation.message


def _refused(request, refusal):
    """Every broken rule of a refused step as an error message (the first names the count when there are several)."""
    found = getattr(refusal, "violations", None) or [refusal]
    for v in found:
        messages.error(request, _with_source(v))


def _by_field(violations):
    found = {}
    for v in violations:
        found.setdefault(v.field, []).append(_with_source(v))
    return found


def _named(lines):
    """Each line knows the name its rule violations carry (so its row shows them)."""
    for line in lines:
        line.field_name = rules.field_of(line)
        line.kind_text = order_documents.kind_label(line)
    return lines


def _order(user, pk):
    try:
        return orders.visible_orders(user).select_related("institution", "employer", "created_by", "signed_by").get(pk=pk)
    except (Order.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def _list_url(**params):
    url = reverse("wbl:order_list")
    return f"{url}?{urlencode(params)}" if params else url


def _may_prepare_somewhere(user, employer_orders=False):
    scope = access.scope_for(user, Order, "change")
    if scope.everything or scope.institution_ids:
        return True
    return employer_orders and bool(scope.employer_ids)


def _institutions_to_prepare(user):
    scope = access.scope_for(user, Order, "change")
    from kesip.core.models import Institution

    return Institution.objects.all() if scope.everything else Institution.objects.filter(pk__in=scope.institution_ids)


def _ids(values):
    """Ids from `?placements=1,2,3` or repeated `placements=` parameters (anything else is ignored)."""
    found = []
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part.isdigit() and int(part) not in found:
                found.append(int(part))
    return found


def _doc_links(order):
    base = reverse("wbl:order_document", args=[order.pk])
    return [
        {
            "lang": lang,
            "name": LANGUAGE_NAMES[lang],
            "pdf": f"{base}?format=pdf&lang={lang}",
            "docx": f"{base}?format=docx&lang={lang}",
        }
        for lang in DOCUMENT_LANGUAGES
    ]


# --- The register ----------------------------------------------------------------------------------------------------


@login_required
def order_list(request):
    """The orders the user may read, newest first; filter by kind, status, year and employer."""
    require_perm(request.user, "view_wbl")
    user = request.user
    qs = (
        orders.visible_orders(user)
        .select_related("institution", "employer")
        .annotate(line_count=Count("lines"))
        .order_by("-dated", "-pk")
    )
    chosen = {}
    for name, choices in (("kind", Order.Kind), ("status", Order.Status)):
        value = request.GET.get(name, "")
        if value in choices.values:
            qs, chosen[name] = qs.filter(**{name: value}), value
    year = request.GET.get("year", "")
    if year.isdigit():
        qs, chosen["year"] = qs.filter(year=int(year)), year
    employer = request.GET.get("employer", "")
    if employer.isdigit():
        qs, chosen["employer"] = qs.filter(employer_id=int(employer)), employer
    page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    visible = orders.visible_orders(user)
    years = sorted(set(visible.values_list("year", flat=True).distinct()[:50]), reverse=True)
    employers = list(Employer.objects.for_user(user, "view").order_by("name").only("pk", "name")[:500])
    institutions = {o.institution_id for o in page.object_list}
    for o in page.object_list:
        o.kind_in_title = o.title.startswith(str(o.get_kind_display()))
    return render(
        request,
        "wbl/order_list.html",
        {
            "title": _("Orders"),
            "page": page,
            "chosen": chosen,
            "query": urlencode(chosen),
            "kinds": Order.Kind.choices,
            "statuses": Order.Status.choices,
            "years": years,
            "employers": employers,
            "many_institutions": len(institutions) > 1,
            "may_prepare": _may_prepare_somewhere(user),
            "may_prepare_employer": _may_prepare_somewhere(user, employer_orders=True),
        },
    )


# --- An order's page -------------------------------------------------------------------------------------------------


def _problems(order, lines):
    """(blocking, warnings) of signing the draft now, by field."""
    if order.status != Order.Status.DRAFT:
        return [], []
    book = common.rulebook(order.institution)
    hard, soft = orders.check_lines(order, lines, book, signing=True)
    return hard, soft


def _preview(order, lines, language):
    with translation.override(language):
        return order_documents.build(order, lines, language)


@login_required
def order_detail(request, pk):
    """The order: its text as it prints, the lines, who signed it and how, its status and the steps open now."""
    user = request.user
    order = _order(user, pk)
    extract = orders.restricted(user, order)
    lines = _named(orders.mark_replacements(order, orders.lines_of(order, user)))
    hard, soft = _problems(order, lines)
    steps = orders.allowed_steps(order, user)
    language = (translation.get_language() or "ru").split("-")[0]
    preview = _preview(order, lines, language if language in DOCUMENT_LANGUAGES else "ru")
    return render(
        request,
        "wbl/order_detail.html",
        {
            "order": order,
            "title": str(order),
            "lines": lines,
            "extract": extract,
            "preview": preview,
            "blocking": hard,
            "warnings": soft,
            "errors": _by_field(hard),
            "warned": _by_field(soft),
            "steps": steps,
            "removable": "edit" in steps,
            "documents": _doc_links(order),
            "history": history_entries(order, limit=5),
            "next_number": numbering.peek(
                order.institution,
                datetime.date.today().year,
                Order.SERIES[order.kind],
                order.employer if order.issued_by_employer else None,
            )
            if order.status == Order.Status.DRAFT
            else "",
        },
    )


@login_required
def order_document(request, pk):
    """The order as PDF or DOCX in ky, ru, kk or en; an outsider gets the extract of their own lines."""
    order = _order(request.user, pk)
    lines = orders.lines_of(order, request.user)
    orders.mark_replacements(order, lines)
    return order_documents.respond(order, lines, request, extract=orders.restricted(request.user, order))


@login_required
def order_history(request, pk):
    order = _order(request.user, pk)
    return render(
        request,
        "core/history.html",
        {"object": order, "entries": history_entries(order), "title": _("Orders"), "list_url": reverse("wbl:order_list")},
    )


# --- Preparing a referral ----------------------------------------------------------------------------------------------


class DatedForm(forms.Form):
    dated = forms.DateField(label=gettext_lazy("Date of the order"), widget=DATE, required=False)


def _candidates(user, kind, employer=None, group=None, limit=CANDIDATE_LIMIT):
    """Placements a new order of `kind` could take, that the user may change (a fixed number of queries)."""
    qs = Placement.objects.for_user(user, "change").filter(status__in=rules.OPEN_FOR[kind])
    if kind == K.REFERRAL:
        qs = qs.exclude(form=WblForm.INTERNSHIP)
    elif kind in (K.INTERNSHIP_REFERRAL, K.INTERNSHIP_ADMISSION):
        qs = qs.filter(form=WblForm.INTERNSHIP)
    if employer is not None:
        qs = qs.filter(employer=employer)
    if group is not None:
        qs = qs.filter(group=group)
    qs = qs.select_related(*orders.PLACEMENT_SELECT).order_by(
        "group__name", "student__last_name", "intern_staff__last_name", "pk"
    )
    return list(qs[:limit])


def _referral_chooser(request):
    user = request.user
    groups = list(StudyGroup.objects.for_user(user, "view").filter(is_active=True).order_by("name")[:500])
    chosen_group = request.GET.get("group", "")
    group = next((g for g in groups if str(g.pk) == chosen_group), None)
    form = request.GET.get("form", "")
    kind = K.INTERNSHIP_REFERRAL if form == WblForm.INTERNSHIP else K.REFERRAL
    candidates = _candidates(user, kind, group=group)
    return render(
        request,
        "wbl/order_referral.html",
        {
            "title": _("Prepare a referral order"),
            "choosing": True,
            "groups": groups,
            "group": group,
            "internships": kind == K.INTERNSHIP_REFERRAL,
            "candidates": candidates,
            "limit": CANDIDATE_LIMIT,
        },
    )


def _scoped_placements(user, ids):
    """The chosen placements, each one the user may change; a foreign or missing id answers 404."""
    found = set(Placement.objects.for_user(user, "change").filter(pk__in=ids).values_list("pk", flat=True))
    if not ids or found != set(ids):
        raise Http404
    return ids


@login_required
def order_referral(request):
    """Prepare the referral for chosen placements (`?placements=1,2,3`, or all roster-agreed ones of `?group=`).

    Without a choice the page lists the placements whose roster is agreed, to tick. The draft is
    shown with what blocks it and what only warns before it is saved.
    """
    user = request.user
    require_perm(user, "view_wbl")
    if not _may_prepare_somewhere(user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else request.GET
    ids = _ids(data.getlist("placements"))
    if not ids and request.method == "GET" and request.GET.get("group", "").isdigit() and request.GET.get("all"):
        group = StudyGroup.objects.for_user(user, "view").filter(pk=int(request.GET["group"])).first()
        if group is None:
            raise Http404
        ids = [p.pk for p in _candidates(user, K.REFERRAL, group=group)]
        if not ids:
            messages.info(request, _("Group %(group)s has no placements whose roster is agreed.") % {"group": group})
            return _referral_chooser(request)
    if not ids:
        if request.method == "POST":
            messages.error(request, _("Choose at least one placement."))
        return _referral_chooser(request)
    ids = _scoped_placements(user, ids)
    dated_form = DatedForm(data if "dated" in data else None)
    dated = dated_form.cleaned_data.get("dated") if dated_form.is_valid() else None
    status = 200
    if request.method == "POST" and dated_form.is_valid():
        try:
            order = orders.prepare_referral(ids, user, dated)
        except (common.WblInvalid, RuleViolation) as refusal:
            _refused(request, refusal)
            status = 400
        else:
            messages.success(
                request, _("The draft is prepared: %(order)s. Check it and pass it to the head to sign.") % {"order": order}
            )
            for w in order.warnings:
                messages.warning(request, _with_source(w))
            return HttpResponseRedirect(order.get_absolute_url())
    elif request.method == "POST":
        status = 400
    try:
        draft = orders.referral_draft(ids, user, dated)
    except RuleViolation as refusal:
        messages.error(request, _with_source(refusal))
        return _referral_chooser(request)
    return render(
        request,
        "wbl/order_referral.html",
        {
            "title": _("Prepare a referral order"),
            "choosing": False,
            "draft": draft,
            "order": draft.order,
            "lines": _named(draft.lines),
            "errors": _by_field(draft.violations),
            "warned": _by_field(draft.warnings),
            "dated_form": dated_form if dated_form.is_bound else DatedForm(initial={"dated": draft.order.dated}),
            "ids": ",".join(str(i) for i in ids),
        },
        status=status,
    )


# --- Heads of practical training ---------------------------------------------------------------------------------------


class SupervisorRow(forms.Form):
    group = forms.ModelChoiceField(label=gettext_lazy("Group"), queryset=StudyGroup.objects.none(), required=False)
    supervisor = forms.ModelChoiceField(
        label=gettext_lazy("Head of practical training"), queryset=StaffMember.objects.none(), required=False
    )
    starts_on = forms.DateField(label=gettext_lazy("From"), widget=DATE, required=False)
    ends_on = forms.DateField(label=gettext_lazy("To"), widget=DATE, required=False)

    def __init__(self, *args, groups=None, staff=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups
        self.fields["supervisor"].queryset = staff

    def clean(self):
        data = super().clean()
        group, staff = data.get("group"), data.get("supervisor")
        if group and not staff:
            self.add_error("supervisor", _("Name the group's head of practical training."))
        if staff and not group:
            self.add_error("group", _("Choose the group."))
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", _("The period cannot end before it starts."))
        return data


SupervisorRows = forms.formset_factory(SupervisorRow, extra=0, min_num=1, max_num=60, validate_max=True)


def _supervisor_choices(user, institution_ids=None):
    groups = StudyGroup.objects.for_user(user, "view").filter(is_active=True).select_related("programme").order_by("name")
    staff = StaffMember.objects.for_user(user, "view").filter(is_active=True).order_by("last_name", "first_name")
    if institution_ids is not None:
        groups, staff = groups.filter(institution_id__in=institution_ids), staff.filter(institution_id__in=institution_ids)
    return groups, staff


@login_required
def order_supervisor(request):
    """Appoint heads of practical training to groups (п. 10, п. 56 item 7): one row per group and its head."""
    user = request.user
    require_perm(user, "view_wbl")
    if not _may_prepare_somewhere(user):
        raise PermissionDenied
    institutions = list(_institutions_to_prepare(user).values_list("pk", flat=True))
    groups, staff = _supervisor_choices(user, institutions)
    rows = min(max(int(request.GET.get("rows", "5")) if request.GET.get("rows", "").isdigit() else 5, 1), 40)
    kwargs = {"form_kwargs": {"groups": groups, "staff": staff}}
    status = 200
    dated_form = DatedForm(request.POST or None)
    if request.method == "POST":
        formset = SupervisorRows(request.POST, **kwargs)
        if formset.is_valid() and dated_form.is_valid():
            pairs = [
                (
                    f.cleaned_data["group"],
                    f.cleaned_data["supervisor"],
                    f.cleaned_data.get("starts_on"),
                    f.cleaned_data.get("ends_on"),
                )
                for f in formset.forms
                if f.cleaned_data.get("group")
            ]
            if not pairs:
                messages.error(request, _("Name at least one group and its head of practical training."))
            else:
                try:
                    order = orders.prepare_supervisor(pairs, user, dated_form.cleaned_data.get("dated"))
                except (common.WblInvalid, RuleViolation) as refusal:
                    _refused(request, refusal)
                else:
                    messages.success(request, _("The draft is prepared: %(order)s.") % {"order": order})
                    return HttpResponseRedirect(order.get_absolute_url())
        status = 400
    else:
        initial = []
        chosen = request.GET.get("group", "")
        if chosen.isdigit():
            group = groups.filter(pk=int(chosen)).first()
            if group is None:
                raise Http404
            initial.append({"group": group.pk, "supervisor": group.curator_id})
        formset = SupervisorRows(initial=initial + [{}] * max(rows - len(initial), 0), **kwargs)
    return render(
        request,
        "wbl/order_supervisor.html",
        {"title": _("Appoint heads of practical training"), "formset": formset, "dated_form": dated_form, "rows": rows},
        status=status,
    )


# --- Mentors and admission: the employer's orders ----------------------------------------------------------------------


def _employer_for(user, request):
    """The employer chosen on the page (`?employer=`), one the user may prepare the orders of; None when not chosen."""
    value = (request.POST or request.GET).get("employer", "")
    employers = Employer.objects.for_user(user, "view")
    if not value:
        only = list(employers[:2])
        scope = access.scope_for(user, Order, "change")
        if len(only) == 1 and not scope.institution_ids and not scope.everything:
            return only[0]
        return None
    if not value.isdigit():
        raise Http404
    employer = employers.select_related("institution").filter(pk=int(value)).first()
    if employer is None or not orders.may_prepare(user, employer.institution_id, employer.pk):
        raise Http404
    return employer


def _appointments(placements):
    """{placement id: the signed mentor appointment in force at the end of its term} (one query)."""
    return rules.latest_by_placement(rules.signed_lines(K.MENTOR, [p.pk for p in placements]))


class MentorForm(DatedForm):
    starts_on = forms.DateField(
        label=gettext_lazy("A replacing mentor takes over on"),
        widget=DATE,
        required=False,
        help_text=gettext_lazy("Only for placements whose mentor was replaced after an earlier order; by default today."),
    )


def _employer_page(request, kind, template, title):
    user = request.user
    require_perm(user, "view_wbl")
    if not _may_prepare_somewhere(user, employer_orders=True):
        raise PermissionDenied
    employer = _employer_for(user, request)
    if employer is None:
        employers = [
            e
            for e in Employer.objects.for_user(user, "view").filter(is_active=True).order_by("name")[:500]
            if orders.may_prepare(user, e.institution_id, e.pk)
        ]
        return render(request, template, {"title": title, "employer": None, "employers": employers})
    form_class = MentorForm if kind == K.MENTOR else DatedForm
    form = form_class(request.POST or None)
    status = 200
    if request.method == "POST":
        ids = _ids(request.POST.getlist("placements"))
        if not ids:
            messages.error(request, _("Choose at least one placement."))
        elif form.is_valid():
            ids = _scoped_placements(user, ids)
            try:
                if kind == K.MENTOR:
                    order = orders.prepare_mentor(
                        employer, ids, user, form.cleaned_data.get("dated"), form.cleaned_data.get("starts_on")
                    )
                else:
                    order = orders.prepare_internship_admission(employer, ids, user, form.cleaned_data.get("dated"))
            except (common.WblInvalid, RuleViolation) as refusal:
                _refused(request, refusal)
            else:
                messages.success(request, _("The draft is prepared: %(order)s.") % {"order": order})
                for w in order.warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(order.get_absolute_url())
        status = 400
    candidates = _candidates(user, kind, employer=employer)
    rows = []
    if kind == K.MENTOR:
        appointed = _appointments(candidates)
        for p in candidates:
            a = appointed.get(p.pk)
            needed = p.mentor_id is not None and (a is None or a.mentor_id != p.mentor_id)
            rows.append({"placement": p, "appointment": a, "needed": needed, "replacement": a is not None and needed})
    else:
        signed = {line.placement_id: line for line in rules.signed_lines(K.INTERNSHIP_ADMISSION, [p.pk for p in candidates])}
        referred = {line.placement_id: line for line in rules.signed_lines(K.INTERNSHIP_REFERRAL, [p.pk for p in candidates])}
        for p in candidates:
            rows.append(
                {
                    "placement": p,
                    "admitted": signed.get(p.pk),
                    "referral": referred.get(p.pk),
                    "needed": p.pk not in signed and p.mentor_id is not None,
                }
            )
    posted = set(_ids(request.POST.getlist("placements"))) if request.method == "POST" else None
    for row in rows:
        row["checked"] = row["placement"].pk in posted if posted is not None else row["needed"]
    return render(
        request,
        template,
        {"title": title, "employer": employer, "rows": rows, "form": form, "limit": CANDIDATE_LIMIT},
        status=status,
    )


@login_required
def order_mentor(request):
    """The employer appoints the mentors chosen on its placements for their whole term (п. 2, 10; VR-38, VR-39)."""
    return _employer_page(request, K.MENTOR, "wbl/order_mentor.html", _("Appoint mentors"))


@login_required
def order_admission(request):
    """The enterprise admits the interns referred to it (п. 41; VR-29)."""
    return _employer_page(request, K.INTERNSHIP_ADMISSION, "wbl/order_admission.html", _("Admit to internship"))


# --- Editing a draft ---------------------------------------------------------------------------------------------------


class DraftForm(forms.ModelForm):
    class Meta:
        model = Order
        fields = ["title", "dated", "preamble"]
        widgets = {"dated": DATE, "preamble": forms.Textarea(attrs={"rows": 3})}
        labels = {"title": gettext_lazy("Title in the register"), "preamble": gettext_lazy("Additional basis")}
        help_texts = {
            "title": gettext_lazy("How the order is named in the list; the document states its subject in its own language."),
            "preamble": gettext_lazy(
                "Printed after the regulation's clauses and the agreements, as typed (for example, a letter of the enterprise)."
            ),
        }


def _draft_or_redirect(request, pk):
    order = _order(request.user, pk)
    if order.status != Order.Status.DRAFT:
        messages.error(request, _("A signed order is not changed; cancel it and prepare a new one."))
        return order, HttpResponseRedirect(order.get_absolute_url())
    if "edit" not in orders.allowed_steps(order, request.user):
        raise Http404
    return order, None


@login_required
def order_edit(request, pk):
    """A draft's title, date and added basis, and its lines: remove some, add placements or groups, change heads."""
    user = request.user
    order, redirect = _draft_or_redirect(request, pk)
    if redirect:
        return redirect
    lines = orders.lines_of(order, user)
    groups, staff = _supervisor_choices(user, [order.institution_id])
    status = 200
    form = DraftForm(request.POST or None, instance=order)
    add_rows = SupervisorRows(
        request.POST or None,
        prefix="add",
        form_kwargs={"groups": groups, "staff": staff},
        initial=[{}] if not request.POST else None,
    )
    if request.method == "POST":
        remove = _ids(request.POST.getlist("remove"))
        add = _ids(request.POST.getlist("add"))
        supervisors, starts = {}, {}
        valid = form.is_valid()
        for line in lines:
            if order.kind == K.SUPERVISOR:
                value = request.POST.get(f"supervisor-{line.pk}", "")
                if value.isdigit() and int(value) != line.supervisor_id:
                    if not staff.filter(pk=int(value)).exists():
                        raise Http404
                    supervisors[line.pk] = int(value)
            if order.kind == K.MENTOR and not line.first_appointment:
                value = request.POST.get(f"starts-{line.pk}", "")
                if value:
                    try:
                        starts[line.pk] = datetime.date.fromisoformat(value)
                    except ValueError:
                        valid = False
                        messages.error(request, _("Enter a valid date."))
        if order.kind == K.SUPERVISOR:
            valid = add_rows.is_valid() and valid
            pairs = [
                (
                    f.cleaned_data["group"],
                    f.cleaned_data["supervisor"],
                    f.cleaned_data.get("starts_on"),
                    f.cleaned_data.get("ends_on"),
                )
                for f in add_rows.forms
                if f.is_valid() and f.cleaned_data.get("group")
            ]
        else:
            pairs = _scoped_placements(user, add) if add else []
        if valid:
            try:
                with transaction.atomic():
                    orders.edit_draft(
                        order, user, form.cleaned_data["title"], form.cleaned_data["preamble"], form.cleaned_data["dated"]
                    )
                    edited = orders.edit_lines(order, user, add=pairs, remove=remove, supervisors=supervisors, starts=starts)
            except (common.WblInvalid, RuleViolation) as refusal:
                _refused(request, refusal)
            else:
                messages.success(request, _("The draft is saved."))
                for w in edited.warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(order.get_absolute_url())
        status = 400
    candidates = []
    if order.kind != K.SUPERVISOR:
        on = {line.placement_id for line in lines}
        employer = order.employer if order.issued_by_employer else None
        candidates = [
            p
            for p in _candidates(user, order.kind, employer=employer)
            if p.pk not in on and p.institution_id == order.institution_id
        ]
    return render(
        request,
        "wbl/order_form.html",
        {
            "title": _("Edit: %(object)s") % {"object": order},
            "order": order,
            "form": form,
            "lines": lines,
            "candidates": candidates,
            "staff": list(staff) if order.kind == K.SUPERVISOR else [],
            "add_rows": add_rows,
        },
        status=status,
    )


@login_required
def orderline_delete(request, pk):
    """Remove one line from a draft (a POST from the order's page)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        line = OrderLine.objects.for_user(request.user, "change").select_related("order").get(pk=pk)
    except (OrderLine.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    order = line.order
    try:
        orders.edit_lines(order, request.user, remove=[line.pk])
    except (common.WblInvalid, RuleViolation) as refusal:
        _refused(request, refusal)
    else:
        messages.success(request, _("The line is removed from the draft."))
    return HttpResponseRedirect(order.get_absolute_url())


@login_required
def order_delete(request, pk):
    order, redirect = _draft_or_redirect(request, pk)
    if redirect:
        return redirect
    if request.method == "POST":
        try:
            orders.delete_draft(order, request.user)
        except RuleViolation as violation:
            messages.error(request, _with_source(violation))
            return HttpResponseRedirect(order.get_absolute_url())
        messages.success(request, _("Deleted: %(object)s") % {"object": order})
        return HttpResponseRedirect(_list_url())
    return render(
        request, "core/confirm_delete.html", {"object": order, "cancel_url": order.get_absolute_url(), "title": _("Delete")}
    )


# --- Signing and cancelling ----------------------------------------------------------------------------------------------


class SignForm(forms.Form):
    signatory_name = forms.CharField(label=gettext_lazy("Signed by"), max_length=255, required=False)
    signatory_position = forms.CharField(label=gettext_lazy("Signatory's position"), max_length=255, required=False)
    signed_on = forms.DateField(label=gettext_lazy("Signed on"), widget=DATE, required=False)

    def __init__(self, *args, mode=None, **kwargs):
        super().__init__(*args, **kwargs)
        if mode == orders.KESIP:
            del self.fields["signed_on"]
        else:
            self.fields["signatory_name"].required = True
            self.fields["signed_on"].required = True
        if mode == orders.PRODUCTION:
            self.fields["signatory_position"].required = True


MODE_LABELS = {
    orders.KESIP: gettext_lazy("Sign in Kesip"),
    orders.PAPER: gettext_lazy("Record a signature on paper"),
    orders.PRODUCTION: gettext_lazy("Appointed by the head of the production department"),
}


@login_required
def order_sign(request, pk):
    """Sign the draft (the head in Kesip), or record that it was signed on paper — with the signatory and the day."""
    user = request.user
    order = _order(user, pk)
    if order.status != Order.Status.DRAFT:
        messages.error(request, _("Only a draft is signed: this order is %(status)s.") % {"status": order.get_status_display()})
        return HttpResponseRedirect(order.get_absolute_url())
    modes = orders.sign_modes(order, user)
    if not modes:
        raise Http404
    mode = (request.POST or request.GET).get("mode", modes[0])
    if mode not in modes:
        mode = modes[0]
    name, position = orders.signatory_defaults(order, user, mode)
    form = SignForm(
        request.POST or None,
        mode=mode,
        initial={"signatory_name": name, "signatory_position": position, "signed_on": datetime.date.today()},
    )
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                signed = orders.sign(
                    order,
                    user,
                    signatory_name=form.cleaned_data.get("signatory_name"),
                    signatory_position=form.cleaned_data.get("signatory_position"),
                    signed_on=form.cleaned_data.get("signed_on"),
                    outside=mode == orders.PAPER,
                    production_head=mode == orders.PRODUCTION,
                )
            except (common.WblInvalid, RuleViolation) as refusal:
                _refused(request, refusal)
            else:
                messages.success(request, _("Signed: %(order)s.") % {"order": signed})
                if signed.moved:
                    messages.success(
                        request,
                        ngettext(
                            "%(count)s placement is now referred by order.",
                            "%(count)s placements are now referred by order.",
                            len(signed.moved),
                        )
                        % {"count": len(signed.moved)},
                    )
                for w in signed.warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(signed.get_absolute_url())
        status = 400
    lines = orders.lines_of(order, user)
    hard, soft = _problems(order, lines)
    day = form.cleaned_data.get("signed_on") if form.is_bound and form.is_valid() else None
    return render(
        request,
        "wbl/order_sign.html",
        {
            "title": _("Sign: %(object)s") % {"object": order},
            "order": order,
            "form": form,
            "mode": mode,
            "modes": [(m, MODE_LABELS[m]) for m in modes],
            "lines": lines,
            "blocking": hard,
            "warnings": soft,
            "next_number": numbering.peek(
                order.institution,
                (day or datetime.date.today()).year,
                Order.SERIES[order.kind],
                order.employer if order.issued_by_employer else None,
            ),
        },
        status=status,
    )


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason for cancelling"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )


@login_required
def order_cancel(request, pk):
    """Cancel a draft or a signed order, with the reason; a signed one is refused while its placements are under way."""
    user = request.user
    order = _order(user, pk)
    if "cancel" not in orders.allowed_steps(order, user):
        if order.status == Order.Status.CANCELLED:
            messages.error(request, _("The order is already cancelled."))
            return HttpResponseRedirect(order.get_absolute_url())
        raise Http404
    form = CancelForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                cancelled = orders.cancel(order, form.cleaned_data["reason"], user)
            except (common.WblInvalid, RuleViolation) as refusal:
                _refused(request, refusal)
            else:
                messages.success(request, _("Cancelled: %(order)s.") % {"order": cancelled})
                if cancelled.moved:
                    messages.info(
                        request,
                        ngettext(
                            "%(count)s placement is back to “roster agreed”.",
                            "%(count)s placements are back to “roster agreed”.",
                            len(cancelled.moved),
                        )
                        % {"count": len(cancelled.moved)},
                    )
                for w in cancelled.warnings:
                    messages.warning(request, _with_source(w))
                return HttpResponseRedirect(cancelled.get_absolute_url())
        status = 400
    return render(
        request,
        "wbl/order_cancel.html",
        {"title": _("Cancel: %(object)s") % {"object": order}, "order": order, "form": form},
        status=status,
    )


urlpatterns = [
    path("orders/", order_list, name="order_list"),
    path("orders/referral/", order_referral, name="order_referral"),
    path("orders/supervisor/", order_supervisor, name="order_supervisor"),
    path("orders/mentor/", order_mentor, name="order_mentor"),
    path("orders/admission/", order_admission, name="order_admission"),
    path("orders/<int:pk>/", order_detail, name="order_detail"),
    path("orders/<int:pk>/edit/", order_edit, name="order_edit"),
    path("orders/<int:pk>/sign/", order_sign, name="order_sign"),
    path("orders/<int:pk>/cancel/", order_cancel, name="order_cancel"),
    path("orders/<int:pk>/delete/", order_delete, name="order_delete"),
    path("orders/<int:pk>/document/", order_document, name="order_document"),
    path("orders/<int:pk>/history/", order_history, name="order_history"),
    path("orders/lines/<int:pk>/delete/", orderline_delete, name="orderline_delete"),
]
