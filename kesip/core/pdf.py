"""Official documents as PDF: an HTML template rendered in the language asked for, printed by WeasyPrint.

DejaVu fonts (Debian's fonts-dejavu-core) cover the Kyrgyz and Kazakh letters (ң, ө, ү, ә, ғ, қ, ұ, һ, і).
"""

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation

DOCUMENT_LANGUAGES = ("ky", "ru", "kk", "en")


def document_language(request, default=None):
    """The language a document is asked for (`?lang=`), else the user's interface language."""
    lang = (request.GET.get("lang") or default or translation.get_language() or "ru").split("-")[0]
    return lang if lang in DOCUMENT_LANGUAGES else "ru"


def render_pdf(template, context, language, filename):
    """Render `template` in `language` to a PDF response named `filename`."""
    from weasyprint import HTML

    with translation.override(language):
        html = render_to_string(template, {**context, "LANGUAGE_CODE": language})
    pdf = HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
