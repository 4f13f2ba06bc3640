"""The glossary page (F38): the terms of work-based learning in the four languages, with their clauses."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _

from kesip.core.documents import DOCUMENT_LANGUAGES
from kesip.wbl import glossary


@login_required
def glossary_page(request):
    return render(
        request,
        "wbl/glossary.html",
        {"title": _("Glossary of work-based learning"), "rows": glossary.rows(), "languages": DOCUMENT_LANGUAGES},
    )


urlpatterns = [path("glossary/", glossary_page, name="glossary")]
