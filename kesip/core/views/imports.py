"""Import pages: upload, preview with every row's errors, then import all rows at once."""

import secrets
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _

from kesip.core import access
from kesip.core.forms import ImportForm
from kesip.core.imports import ImportFileError, read_table, save_all, validate_rows
from kesip.core.models import Institution
from kesip.core.views.generic import RegistryView


def _import_dir():
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


class _Stored:
    """An uploaded file kept between the preview and the confirmation."""

    def __init__(self, path, name):
        self.path, self.name = Path(path), name
        self.size = self.path.stat().st_size

    def read(self):
        return self.path.read_bytes()


class ImportView(RegistryView):
    def check(self):
        r = self.registry
        if r.importer is None:
            raise Http404
        if not access.has_perm(self.request.user, f"change_{r.area}"):
            raise PermissionDenied

    def get(self, request):
        self.check()
        r = self.registry
        if request.GET.get("template"):
            response = HttpResponse(
                r.importer.template_xlsx(r.form_class),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            response["Content-Disposition"] = f'attachment; filename="{r.key}-template.xlsx"'
            return response
        form = ImportForm(user=request.user, model=r.model)
        return render(request, "core/import.html", self.context(form=form, columns=r.importer.headers(r.form_class)))

    def post(self, request):
        self.check()
        r = self.registry
        token = request.POST.get("token")
        if token:
            return self.confirm(request, token)
        form = ImportForm(request.POST, request.FILES, user=request.user, model=r.model)
        if not form.is_valid():
            return render(
                request, "core/import.html", self.context(form=form, columns=r.importer.headers(r.form_class)), status=400
            )
        uploaded = form.cleaned_data["file"]
        institution = form.cleaned_data["institution"]
        try:
            header, rows = read_table(uploaded)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
            return render(
                request, "core/import.html", self.context(form=form, columns=r.importer.headers(r.form_class)), status=400
            )
        token = secrets.token_urlsafe(16)
        suffix = ".xlsx" if uploaded.name.lower().endswith(".xlsx") else ".csv"
        path = _import_dir() / f"{token}{suffix}"
        uploaded.seek(0)
        path.write_bytes(uploaded.read())
        request.session.setdefault("imports", {})[token] = {
            "path": str(path),
            "name": uploaded.name,
            "institution": institution.pk,
            "registry": r.key,
        }
        request.session.modified = True
        return self.preview(request, token, institution, header, rows)

    def preview(self, request, token, institution, header, rows, status=200):
        r = self.registry
        results, problems, _forms = validate_rows(r.importer, r.form_class, request.user, institution, header, rows)
        bad = [res for res in results if res.errors]
        return render(
            request,
            "core/import_preview.html",
            self.context(
                results=results,
                problems=problems,
                bad_count=len(bad),
                token=token,
                institution=institution,
                fields=r.importer.fields,
                labels=r.importer.headers(r.form_class),
                ok=not bad and not problems and results,
            ),
            status=status,
        )

    def confirm(self, request, token):
        r = self.registry
        stored = request.session.get("imports", {}).get(token)
        if not stored or stored["registry"] != r.key:
            messages.error(request, _("This import has expired; upload the file again."))
            return HttpResponseRedirect(r.url("import"))
        scope = access.scope_for(request.user, r.model, "change")
        if not scope.allows_institution(stored["institution"]):
            raise Http404
        institution = Institution.objects.get(pk=stored["institution"])
        header, rows = read_table(_Stored(stored["path"], stored["name"]))
        results, problems, forms = validate_rows(r.importer, r.form_class, request.user, institution, header, rows)
        if problems or any(res.errors for res in results):
            messages.error(request, _("The data changed since the preview; nothing was imported. Check the errors."))
            return self.preview(request, token, institution, header, rows, status=400)
        saved = save_all(forms)
        Path(stored["path"]).unlink(missing_ok=True)
        request.session["imports"].pop(token, None)
        request.session.modified = True
        messages.success(request, _("Imported %(n)s records.") % {"n": len(saved)})
        return HttpResponseRedirect(r.url("list"))
