"""The register of issued documents, their stored originals, and the public check of a file."""

import hashlib

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from kesip.core.views.generic import require_perm
from kesip.documents import archive
from kesip.documents.models import IssuedDocument

MAX_CHECK_BYTES = 20 * 1024 * 1024


@login_required
def register(request):
    """Every issued document the user may read, newest first, filtered by kind and year, paginated."""
    require_perm(request.user, "list_wbl")
    qs = IssuedDocument.objects.for_user(request.user).select_related("institution", "issued_by")
    kind = request.GET.get("kind", "")
    if kind in IssuedDocument.Kind.values:
        qs = qs.filter(kind=kind)
    year = request.GET.get("year", "")
    if year.isdigit() and len(year) == 4:
        qs = qs.filter(created_at__year=int(year))
    page = Paginator(qs.order_by("-created_at", "-pk"), settings.KESIP_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "documents/register.html",
        {"page": page, "kinds": IssuedDocument.Kind.choices, "kind": kind, "year": year, "title": _("Issued documents")},
    )


@login_required
def document_file(request, pk):
    """The stored original, byte for byte."""
    doc = get_object_or_404(IssuedDocument.objects.for_user(request.user), pk=pk)
    name = f"{doc.kind}-{doc.number or doc.object_id}".replace("/", "-").replace(" ", "")
    return archive.response(archive.read(doc), doc.fmt, name, doc.sha256)


class CheckForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("File"), required=False)
    sha256 = forms.CharField(label=gettext_lazy("or its SHA-256"), max_length=64, required=False)

    def clean(self):
        data = super().clean()
        upload, digest = data.get("file"), (data.get("sha256") or "").strip().lower()
        if upload:
            if upload.size > MAX_CHECK_BYTES:
                raise forms.ValidationError(_("The file is larger than 20 MB: no document issued by Kesip is that large."))
            h = hashlib.sha256()
            for chunk in upload.chunks():
                h.update(chunk)
            data["digest"] = h.hexdigest()
        elif digest:
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                self.add_error("sha256", _("A SHA-256 is 64 characters 0–9 and a–f."))
            data["digest"] = digest
        else:
            raise forms.ValidationError(_("Upload the file, or paste its SHA-256."))
        return data


@require_http_methods(["GET", "POST"])
def check(request):
    """Public: is this file a document Kesip issued? The file is hashed and not kept."""
    form = CheckForm(request.POST, request.FILES) if request.method == "POST" else CheckForm()
    found, checked = None, False
    if request.method == "POST" and form.is_valid():
        checked = True
        found = archive.find(form.cleaned_data["digest"])
    return render(
        request,
        "documents/check.html",
        {"form": form, "found": found, "checked": checked, "title": _("Check a document")},
        status=200,
    )


app_name = "documents"
urlpatterns = [
    path("", register, name="register"),
    path("<int:pk>/file/", document_file, name="file"),
    path("check/", check, name="check"),
]
