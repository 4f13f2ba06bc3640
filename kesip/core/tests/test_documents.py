"""Official documents: one description printed as PDF and DOCX, in the language asked for."""

import datetime
import io

import pytest
from django.test import RequestFactory

from kesip.core import documents as d
from kesip.core.tests.factories import InstitutionFactory

pytestmark = pytest.mark.django_db


def _official(institution, language):
    return d.Official(
        institution=institution,
        title="Буйрук",
        number="12-П",
        dated=datetime.date(2025, 2, 25),
        place="Кызыл-Кыя",
        blocks=[
            d.heading("Ширетүүчүлөр"),
            d.paragraph("Практикага жөнөтүлсүн:"),
            d.fields([("Топ", "ЭГС-23"), ("Бош", "")]),
            d.table(["№", "Аты-жөнү"], [[1, "Асанов Бакыт"]], widths=[10, 90], total=["", "1"]),
            d.chart("Формалар", [("Практика", 13), ("Дуалдык", 2)]),
        ],
        signatures=[("Директор", "Кыпчаков Б.")],
        qr_url="http://127.0.0.1:8000/wbl/verify/abc/",
        qr_caption="Текшерүү",
        language=language,
    )


def test_the_same_description_prints_as_pdf_and_docx():
    institution = InstitutionFactory(full_name_ky="№8 кесиптик лицей")
    pdf = d.as_bytes(_official(institution, "ky"), "pdf")
    assert pdf.startswith(b"%PDF")
    docx = d.as_bytes(_official(institution, "ky"), "docx")
    from docx import Document

    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "№8 кесиптик лицей" in text and "БУЙРУК" in text and "Текшерүү" in text
    assert "Бош" not in text  # empty fields are left out


def test_render_answers_the_format_and_language_asked_for():
    institution = InstitutionFactory()
    request = RequestFactory().get("/x/", {"format": "docx", "lang": "kk"})
    seen = []

    def build(language):
        seen.append(language)
        return _official(institution, language)

    response = d.render(build, request, "order")
    assert seen == ["kk"] and response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"].endswith('order.docx"') and len(response["X-Document-SHA256"]) == 64
    from django.http import Http404

    with pytest.raises(Http404):
        d.render(build, RequestFactory().get("/x/", {"format": "exe"}), "order")
