"""F35: the QA / accreditation evidence of an institution's WBL in an academic year, as one ZIP (п. 60)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.urls import path

from kesip.core.pdf import document_language
from kesip.wbl import evidence
from kesip.wbl.report_indicators import past_academic_year


def _year(raw):
    if raw in (None, ""):
        return past_academic_year()
    try:
        year = int(raw)
    except (TypeError, ValueError):
        raise Http404 from None
    if not 1990 <= year <= 2100:
        raise Http404
    return year


def zip_response(institution, year, language):
    answer = HttpResponse(evidence.build(institution, year, language), content_type="application/zip")
    answer["Content-Disposition"] = f'attachment; filename="{evidence.filename(institution, year)}"'
    return answer


@login_required
def evidence_export(request, pk):
    """The ZIP (`?year=2024&lang=ru`): programmes, placements by form (K1), the annual report, assessments, diaries."""
    institution = evidence.institution_for(request.user, pk)
    return zip_response(institution, _year(request.GET.get("year")), document_language(request))


urlpatterns = [path("evidence/<int:pk>/", evidence_export, name="evidence_export")]
