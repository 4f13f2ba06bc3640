"""Generic registry pages: list, detail, create, edit, delete, history and XLSX export.

Each registry (staff, students, …) is declared once in `registries.py`; these views read it.
Every queryset starts from `Model.objects.for_user(user, action)`, so another institution's
record answers 404.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import View

from kesip.core import access
from kesip.core.exports import xlsx_response
from kesip.core.forms import add_violation
from kesip.core.rules import RuleViolation


@dataclass
class Column:
    label: str
    accessor: str
    sort: str | None = None
    link: bool = False

    def value(self, obj):
        return resolve(obj, self.accessor)


def resolve(obj, path):
    """Follow a dotted path of attributes, calling methods such as `get_status_display`."""
    for part in path.split("."):
        if obj is None:
            return ""
        obj = getattr(obj, part)
        if callable(obj):
            obj = obj()
    if obj is True:
        return _("yes")
    if obj is False:
        return _("no")
    return "" if obj is None else obj


@dataclass
class Registry:
    """What the generic pages need to know about one kind of record."""

    key: str
    model: type
    form_class: type
    columns: list
    search_fields: list = field(default_factory=list)
    filters: list = field(default_factory=list)
    select_related: list = field(default_factory=list)
    default_sort: str | None = None
    importer: object = None
    icon: str = "list"
    add_perm: str | None = None  # defaults to change_<area>
    addable: bool = True  # False where records come from elsewhere (memberships come from invitations)
    namespace: str = "core"
    detail_route: str | None = None  # a richer page than the generic detail (a programme's design)
    page_link: tuple | None = None  # (route, label, icon): another app's page about the record (a group's students)
    links: tuple = ()  # more (route, label, icon) pages about the record, each taking its pk (a group's calendar schedules)
    exclude: dict = field(default_factory=dict)  # rows kept by another register (the hosts of the own WBL bases)

    @property
    def area(self):
        return getattr(self.model, "access_area", self.model._meta.model_name)

    @property
    def title(self):
        return self.model._meta.verbose_name_plural

    @property
    def prefix(self):
        return f"{self.namespace}:{self.key}"

    @property
    def detail_name(self):
        return self.detail_route or f"{self.prefix}_detail"

    def url(self, name, *args):
        if name == "detail":
            return reverse(self.detail_name, args=args)
        return reverse(f"{self.prefix}_{name}", args=args)

    def queryset(self, user, action="view"):
        qs = self.model.objects.for_user(user, action)
        if self.exclude:
            qs = qs.exclude(**self.exclude)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs

    def get_object(self, user, pk, action="view"):
        try:
            return self.queryset(user, action).get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404 from None


def require_perm(user, perm):
    if not access.has_perm(user, perm):
        raise PermissionDenied


class RegistryView(LoginRequiredMixin, View):
    registry: Registry = None

    def context(self, **extra):
        r = self.registry
        user = self.request.user
        ctx = {
            "registry": r,
            "title": r.title,
            "can_change": access.has_perm(user, f"change_{r.area}"),
            "can_add": r.addable and access.has_perm(user, r.add_perm or f"change_{r.area}"),
            "list_url": r.url("list"),
        }
        ctx.update(extra)
        return ctx


class ListFilter:
    """A filter on one model field: choices (TextChoices, booleans) or related records in scope."""

    def __init__(self, registry, name, user):
        self.name = name
        model_field = registry.model._meta.get_field(name)
        self.label = model_field.verbose_name
        if model_field.is_relation:
            related = model_field.related_model.objects.for_user(user, "view")
            self.choices = [(str(o.pk), str(o)) for o in related[:500]]
        elif model_field.get_internal_type() == "BooleanField":
            self.choices = [("1", _("yes")), ("0", _("no"))]
        else:
            hidden = registry.exclude.get(name)
            self.choices = [(str(k), v) for k, v in model_field.choices if k != hidden]
        self.value = ""

    def apply(self, qs, raw):
        if raw in ("", None):
            return qs, None
        if raw not in {k for k, _ in self.choices}:
            return qs, _("“%(value)s” is not a valid choice for %(field)s; the filter was ignored.") % {
                "value": raw,
                "field": self.label,
            }
        self.value = raw
        if raw in ("1", "0") and self.choices[0][0] == "1" and len(self.choices) == 2:
            return qs.filter(**{self.name: raw == "1"}), None
        return qs.filter(**{self.name: raw}), None


def filtered(registry, request):
    """The registry queryset for the request's search, filters and sort; also the filter widgets."""
    qs = registry.queryset(request.user, "view")
    q = request.GET.get("q", "").strip()
    if q and registry.search_fields:
        cond = Q()
        for f in registry.search_fields:
            cond |= Q(**{f"{f}__icontains": q})
        qs = qs.filter(cond)
    filters, errors = [], []
    for name in registry.filters:
        flt = ListFilter(registry, name, request.user)
        qs, error = flt.apply(qs, request.GET.get(name, ""))
        if error:
            errors.append(error)
        filters.append(flt)
    sorts = {c.sort for c in registry.columns if c.sort}
    sort = request.GET.get("sort", "")
    if sort.lstrip("-") in sorts:
        qs = qs.order_by(sort, "pk")
    elif registry.default_sort:
        qs = qs.order_by(registry.default_sort, "pk")
    else:
        qs = qs.order_by(*(qs.model._meta.ordering or []), "pk")
    return qs, q, filters, errors, sort


class RegistryListView(RegistryView):
    def get(self, request):
        r = self.registry
        require_perm(request.user, f"view_{r.area}")
        from django.conf import settings

        qs, q, filters, errors, sort = filtered(r, request)
        for e in errors:
            messages.warning(request, e)
        page = Paginator(qs, settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
        columns = visible_columns(r, request.user)
        rows = [(obj, [c.value(obj) for c in columns]) for obj in page.object_list]
        params = {k: v for k, v in request.GET.items() if k != "page" and v}
        template = "core/_registry_table.html" if request.headers.get("HX-Request") else "core/registry_list.html"
        return render(
            request,
            template,
            self.context(
                page=page,
                rows=rows,
                columns=columns,
                q=q,
                filters=filters,
                sort=sort,
                query=urlencode(params),
                export_url=r.url("export") + ("?" + urlencode(params) if params else ""),
                can_import=r.importer is not None and access.has_perm(request.user, f"change_{r.area}"),
            ),
        )


def visible_columns(registry, user):
    """Drop the institution column for a user who works in one institution only."""
    scope = access.scope_for(user, registry.model, "view")
    if scope.everything or len(scope.institution_ids) > 1:
        return registry.columns
    return [c for c in registry.columns if c.accessor != "institution"]


class RegistryExportView(RegistryView):
    def get(self, request):
        r = self.registry
        require_perm(request.user, f"view_{r.area}")
        qs, *_ = filtered(r, request)
        headers = [str(c.label) for c in r.columns]
        rows = ([_cell(c.value(o)) for c in r.columns] for o in qs.iterator(chunk_size=2000))
        return xlsx_response(f"{r.key}.xlsx", str(r.title), headers, rows)


def _cell(value):
    """Numbers stay numbers in the spreadsheet; everything else is its display text."""
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


class RegistryDetailView(RegistryView):
    def get(self, request, pk):
        r = self.registry
        obj = r.get_object(request.user, pk, "view")
        fields = []
        for name in r.form_class._meta.fields:
            f = r.model._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            fields.append((f.verbose_name, display() if display else resolve(obj, name)))
        can_edit = r.queryset(request.user, "change").filter(pk=obj.pk).exists()
        return render(request, "core/registry_detail.html", self.context(object=obj, fields=fields, can_edit=can_edit))


class RegistryFormView(RegistryView):
    """Create (no pk) or edit (pk) a record; the save runs in one transaction."""

    def get_object(self, pk):
        if pk is None:
            require_perm(self.request.user, self.registry.add_perm or f"change_{self.registry.area}")
            return self.registry.model()
        return self.registry.get_object(self.request.user, pk, "change")

    def get(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.registry.form_class(instance=obj, user=request.user)
        return render(request, "core/registry_form.html", self.context(form=form, object=obj if pk else None))

    def post(self, request, pk=None):
        obj = self.get_object(pk)
        form = self.registry.form_class(request.POST, instance=obj, user=request.user)
        if form.is_valid():
            try:
                with transaction.atomic():
                    saved = form.save()
            except RuleViolation as violation:
                add_violation(form, violation)
            else:
                messages.success(request, _("Saved: %(object)s") % {"object": saved})
                return HttpResponseRedirect(self.registry.url("detail", saved.pk))
        return render(request, "core/registry_form.html", self.context(form=form, object=obj if pk else None), status=400)


class RegistryDeleteView(RegistryView):
    def get(self, request, pk):
        obj = self.registry.get_object(request.user, pk, "change")
        return render(request, "core/confirm_delete.html", self.context(object=obj))

    def post(self, request, pk):
        obj = self.registry.get_object(request.user, pk, "change")
        try:
            with transaction.atomic():
                obj.delete()
        except ProtectedError as exc:
            used_by = sorted({str(o._meta.verbose_name_plural) for o in exc.protected_objects})
            messages.error(
                request,
                _("“%(object)s” cannot be deleted: it is still used by %(users)s.")
                % {"object": obj, "users": ", ".join(used_by)},
            )
            return HttpResponseRedirect(self.registry.url("detail", obj.pk))
        messages.success(request, _("Deleted: %(object)s") % {"object": obj})
        return HttpResponseRedirect(self.registry.url("list"))


def history_entries(obj, limit=200):
    """The record's history, newest first, each with the fields it changed (old → new)."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[:limit])
    entries = []
    for newer, older in zip(records, records[1:] + [None]):
        changes = []
        if older is not None:
            for change in newer.diff_against(older).changes:
                f = model._meta.get_field(change.field)
                changes.append((f.verbose_name, _display(f, change.old), _display(f, change.new)))
        entries.append({"record": newer, "changes": changes})
    return entries


class HistoryView(RegistryView):
    """Who changed what, when: the record's history with the fields each change touched."""

    def get(self, request, pk):
        obj = self.registry.get_object(request.user, pk, "view")
        return render(request, "core/history.html", self.context(object=obj, entries=history_entries(obj)))


def _display(model_field, value):
    if value in (None, "", []):
        return "—"
    if model_field.many_to_many:  # simple_history keeps the rows of the through table: [{"agreement": 1, "specialty": 4}]
        key = model_field.m2m_reverse_field_name()
        ids = [row.get(key) for row in value if isinstance(row, dict)]
        return ", ".join(str(o) for o in model_field.related_model._base_manager.filter(pk__in=ids).order_by("pk")) or "—"
    if model_field.choices:
        return dict(model_field.flatchoices).get(value, value)
    if model_field.is_relation:
        try:
            return str(model_field.related_model._base_manager.get(pk=value))
        except model_field.related_model.DoesNotExist:
            return f"#{value}"
    return value


def registry_urls(registry, detail=True, delete=True, export=True, history=True):
    from django.urls import path

    k = registry.key
    patterns = [
        path(f"{k}/", RegistryListView.as_view(registry=registry), name=f"{k}_list"),
        path(f"{k}/<int:pk>/edit/", RegistryFormView.as_view(registry=registry), name=f"{k}_edit"),
    ]
    if registry.addable:
        patterns.append(path(f"{k}/add/", RegistryFormView.as_view(registry=registry), name=f"{k}_add"))
    if detail:
        patterns.append(path(f"{k}/<int:pk>/", RegistryDetailView.as_view(registry=registry), name=f"{k}_detail"))
    if delete:
        patterns.append(path(f"{k}/<int:pk>/delete/", RegistryDeleteView.as_view(registry=registry), name=f"{k}_delete"))
    if export:
        patterns.append(path(f"{k}/export.xlsx", RegistryExportView.as_view(registry=registry), name=f"{k}_export"))
    if history:
        patterns.append(path(f"{k}/<int:pk>/history/", HistoryView.as_view(registry=registry), name=f"{k}_history"))
    return patterns
