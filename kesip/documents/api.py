"""The API of the register of issued documents: what was issued, its stored original, and the check of a SHA-256.

The register lists only what the caller may read (`for_user`); another institution's document answers
404. The check answers, to anyone signed in, whether Kesip issued a document with that SHA-256 — the
public page `/documents/check/` does the same for a file.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core.api import ScopedPermission
from kesip.documents import archive
from kesip.documents.models import IssuedDocument
from kesip.wbl.api.documents import DocxRenderer, PdfRenderer


class IssuedDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = IssuedDocument
        fields = ["id", "institution", "kind", "title", "number", "revision", "language", "fmt", "sha256", "size",
                  "issued_by", "created_at"]  # fmt: skip


class CheckSerializer(serializers.Serializer):
    sha256 = serializers.RegexField(r"^[0-9a-fA-F]{64}$", help_text="The SHA-256 of the file, 64 hexadecimal characters.")


class IssuedDocumentViewSet(viewsets.ReadOnlyModelViewSet):
    """Every document Kesip issued that you may read, newest first (filter by kind, institution)."""

    queryset = IssuedDocument.objects.all()
    serializer_class = IssuedDocumentSerializer
    permission_classes = [ScopedPermission]
    filterset_fields = ["institution", "kind", "language", "fmt"]

    def get_queryset(self):
        return IssuedDocument.objects.for_user(self.request.user).order_by("-created_at", "-pk")

    @extend_schema(responses={200: OpenApiResponse(description="The stored original, byte for byte (PDF or DOCX).")})
    @action(detail=True, methods=["get"], renderer_classes=[PdfRenderer, DocxRenderer])
    def file(self, request, pk=None):
        """The stored original of the document, byte for byte, with its SHA-256 in `X-Document-SHA256`."""
        doc = self.get_object()
        name = f"{doc.kind}-{doc.number or doc.object_id}".replace("/", "-").replace(" ", "")
        return archive.response(archive.read(doc), doc.fmt, name, doc.sha256)

    @extend_schema(
        request=CheckSerializer,
        responses={200: OpenApiResponse(description="{issued: bool, kind, title, number, institution, created_at}")},
    )
    @action(detail=False, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def check(self, request):
        """Did Kesip issue a document with this SHA-256? Answers what it was, never the file."""
        data = CheckSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        found = archive.find(data.validated_data["sha256"])
        if found is None:
            return Response({"issued": False})
        return Response(
            {
                "issued": True,
                "kind": found.kind,
                "title": found.title,
                "number": found.number,
                "institution": str(found.institution),
                "created_at": found.created_at,
            }
        )
