"""The official documents through the API (token or session): the same PDF and DOCX the pages serve, in each
language; another institution's record answers 404; a wrong format answers 404."""

import pytest
from rest_framework.test import APIClient

from kesip.wbl.tests.placement_setup import college
from kesip.wbl.tests.test_diary import completed, site

pytestmark = pytest.mark.django_db


def api_for(user):
    client = APIClient()
    client.force_authenticate(user)  # as a token does: the page's session is not involved
    return client


def test_the_agreement_and_the_order_come_as_pdf_and_docx_in_each_language():
    t = college()
    api = api_for(t.admin)
    for lang in ("ky", "ru", "kk"):
        pdf = api.get(f"/api/v1/agreements/{t.agreement.pk}/document/", {"format": "pdf", "lang": lang})
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = api.get(f"/api/v1/agreements/{t.agreement.pk}/document/", {"format": "docx"})
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    suffix = api.get(f"/api/v1/agreements/{t.agreement.pk}/document.docx")
    assert suffix.status_code == 200 and suffix.content.startswith(b"PK")
    order = api.get(f"/api/v1/orders/{t.supervisor_order.pk}/document/", {"lang": "ky"})
    assert order.status_code == 200 and order.content.startswith(b"%PDF")
    assert api.get(f"/api/v1/orders/{t.supervisor_order.pk}/document/", {"format": "xls"}).status_code == 404


def test_another_institutions_documents_answer_404():
    t, stranger = college(), college()
    api = api_for(stranger.admin)
    assert api.get(f"/api/v1/agreements/{t.agreement.pk}/document/").status_code == 404
    assert api.get(f"/api/v1/orders/{t.supervisor_order.pk}/document/", {"format": "docx"}).status_code == 404


def test_the_diary_review_and_characterisation_of_a_completed_placement():
    t = site()
    completed(t)
    api = api_for(t.head)
    for path in ("diary/document", "review/document", "characterisation/document", "briefings/document"):
        response = api.get(f"/api/v1/placements/{t.placement.pk}/{path}/", {"format": "docx", "lang": "ru"})
        assert response.status_code == 200 and response.content.startswith(b"PK"), path
    student = api_for(t.student_user)
    assert student.get(f"/api/v1/placements/{t.placement.pk}/diary/document/").status_code == 200
    other = site()
    assert student.get(f"/api/v1/placements/{other.placement.pk}/diary/document/").status_code == 404
