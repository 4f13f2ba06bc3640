"""Official documents through the API: the very file the page serves, for a caller signed in by session or token.

`GET …/{id}/document/?format=pdf|docx&lang=ky|ru|kk|en` answers the PDF or DOCX that the record's page
link answers — built by the same function, kept in the issued-documents archive the same way (a signed
order, a signed agreement, a published report answer their first print byte for byte), with the same
extract for an outsider. Another institution's record answers 404 before anything is built.

DRF reads `?format=` to choose a renderer, so each document action accepts the formats `pdf` and
`docx`; the renderers only ever render an error (a 404 as JSON), the document itself is the page's.
"""

import json

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.decorators import action
from rest_framework.renderers import BaseRenderer, JSONRenderer

from kesip.core.documents import DOCUMENT_LANGUAGES


class _FileRenderer(BaseRenderer):
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes | str):
            return data
        return json.dumps(data, ensure_ascii=False).encode()  # an error answered to a document request


class PdfRenderer(_FileRenderer):
    media_type = "application/pdf"
    format = "pdf"


class DocxRenderer(_FileRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    format = "docx"


PARAMETERS = [
    OpenApiParameter("format", str, enum=["pdf", "docx"], description="pdf (the default) or docx."),
    OpenApiParameter(
        "lang", str, enum=list(DOCUMENT_LANGUAGES), description="The language of the document (the reader's by default)."
    ),
]
FILE = OpenApiResponse(description="The document: application/pdf, or the Word document type for docx.")


def document_action(view, name, url_path, summary):
    """A detail action `name` at `{id}/{url_path}/` answering what the page `view(request, pk)` answers."""

    def serve(self, request, pk=None, format=None):
        self.get_object()  # outside the caller's scope: 404 here
        page_request = request._request
        page_request.user = request.user  # a token caller is known to DRF only
        if format:  # `…/document.docx` asks as `?format=docx` does
            page_request.GET = page_request.GET.copy()
            page_request.GET["format"] = format
        return view(page_request, int(pk))

    serve.__name__ = name
    serve.__doc__ = summary
    decorated = action(
        detail=True, methods=["get"], url_path=url_path, renderer_classes=[PdfRenderer, DocxRenderer, JSONRenderer]
    )(serve)
    return extend_schema(parameters=PARAMETERS, responses={200: FILE, 404: OpenApiResponse(description="Not found.")})(decorated)
