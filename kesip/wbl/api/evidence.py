"""F35 through the API: the QA / accreditation evidence ZIP of an institution and an academic year (п. 60)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.response import Response

from kesip.core.models import Institution
from kesip.core.pdf import document_language
from kesip.wbl import evidence
from kesip.wbl.views.evidence import _year, zip_response


class EvidenceViewSet(viewsets.ViewSet):
    """GET /api/wbl-evidence/{institution id}/?year=2024&lang=ru — one ZIP; another institution answers 404."""

    permission_classes = [permissions.IsAuthenticated]
    queryset = Institution.objects.none()  # what it is about, for the schema and the tenancy walk; read in `evidence`

    @extend_schema(
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="institutions whose evidence the user may export")}
    )
    def list(self, request):
        """The institutions whose evidence the user may export: id and name, with the link to each ZIP."""
        rows = [
            {"id": i.pk, "name": str(i), "url": request.build_absolute_uri(f"{request.path}{i.pk}/")}
            for i in evidence.exportable(request.user)
        ]
        return Response({"count": len(rows), "results": rows})

    @extend_schema(
        parameters=[
            OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="institution"),
            OpenApiParameter("year", OpenApiTypes.INT, description="academic year (its first calendar year)"),
            OpenApiParameter("lang", OpenApiTypes.STR, enum=["ky", "ru", "kk", "en"]),
        ],
        responses={(200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="the evidence ZIP")},
    )
    def retrieve(self, request, pk=None):
        institution = evidence.institution_for(request.user, pk)
        return zip_response(institution, _year(request.query_params.get("year")), document_language(request))


def register(router):
    router.register("wbl-evidence", EvidenceViewSet, basename="wbl-evidence")
