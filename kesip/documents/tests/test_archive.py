"""Issued documents: the first print of a final record is kept with its SHA-256 and answered again byte for byte."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesip.documents.models import IssuedDocument
from kesip.wbl.models import Order
from kesip.wbl.tests.test_orders import college, referral, supervise

pytestmark = pytest.mark.django_db


def order_url(order, fmt="pdf", lang="ru"):
    return reverse("wbl:order_document", args=[order.pk]) + f"?format={fmt}&lang={lang}"


def test_a_signed_order_is_kept_at_first_print_and_answered_again_unchanged(client, login):
    t = college(learners=2)
    supervise(t)
    order = referral(t)
    assert order.status == Order.Status.SIGNED
    login(t.practice)
    first = client.get(order_url(order))
    assert first.status_code == 200 and first.content.startswith(b"%PDF") and first["X-Document-Original"] == "1"
    doc = IssuedDocument.objects.get()
    assert (doc.kind, doc.language, doc.fmt, doc.number, doc.institution_id) == (
        "order",
        "ru",
        "pdf",
        order.number,
        t.institution.pk,
    )
    assert doc.sha256 == hashlib.sha256(first.content).hexdigest() == first["X-Document-SHA256"] and doc.size == len(
        first.content
    )
    # The institution is renamed afterwards: the issued order does not change.
    t.institution.short_name_ru = "Переименованный лицей"
    t.institution.full_name_ru = "Переименованный лицей"
    t.institution.save()
    again = client.get(order_url(order))
    assert again.content == first.content and IssuedDocument.objects.count() == 1
    # Another language or format is its own original.
    assert client.get(order_url(order, "docx", "ky")).status_code == 200
    assert set(IssuedDocument.objects.values_list("language", "fmt")) == {("ru", "pdf"), ("ky", "docx")}


def test_a_draft_is_printed_fresh_and_not_kept(client, login):
    t = college(learners=1)
    supervise(t)
    draft = referral(t, signed=False)
    login(t.practice)
    response = client.get(order_url(draft))
    assert response.status_code == 200 and "X-Document-Original" not in response
    assert not IssuedDocument.objects.filter(object_id=draft.pk, kind="order").exists()


def test_the_register_lists_the_institutions_originals_and_hides_them_from_others(client, login):
    t = college(learners=1)
    supervise(t)
    order = referral(t)
    login(t.practice)
    client.get(order_url(order))
    doc = IssuedDocument.objects.get(kind="order", object_id=order.pk)
    page = client.get(reverse("documents:register") + "?kind=order")
    assert page.status_code == 200 and doc.title in page.content.decode()
    file = client.get(reverse("documents:file", args=[doc.pk]))
    assert file.status_code == 200 and hashlib.sha256(file.content).hexdigest() == doc.sha256
    other = college(learners=0, group_name="ТБ-24")
    login(other.admin)
    assert client.get(reverse("documents:file", args=[doc.pk])).status_code == 404
    assert doc.title not in client.get(reverse("documents:register")).content.decode()


def test_the_register_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    t = college(learners=3)
    supervise(t)
    login(t.practice)
    signed = referral(t)
    for lang in ("ru", "ky", "kk"):
        client.get(order_url(signed, "docx", lang))
    assert IssuedDocument.objects.filter(kind="order").count() == 3
    with django_assert_max_num_queries(12):
        assert client.get(reverse("documents:register")).status_code == 200


def test_anyone_can_check_a_file_or_its_fingerprint(client, login):
    t = college(learners=1)
    supervise(t)
    order = referral(t)
    login(t.practice)
    data = client.get(order_url(order)).content
    client.logout()
    check = reverse("documents:check")
    assert client.get(check).status_code == 200
    genuine = client.post(check, {"file": SimpleUploadedFile("order.pdf", data, content_type="application/pdf")})
    assert genuine.status_code == 200 and genuine.context["found"].object_id == order.pk
    assert "This is exactly a document issued in Kesip." in genuine.content.decode()
    changed = client.post(check, {"file": SimpleUploadedFile("order.pdf", data + b" ", content_type="application/pdf")})
    assert changed.context["checked"] and changed.context["found"] is None
    by_hash = client.post(check, {"sha256": hashlib.sha256(data).hexdigest().upper()})
    assert by_hash.context["found"] is not None
    bad = client.post(check, {"sha256": "xyz"})
    assert not bad.context["checked"] and "64 characters" in bad.content.decode()
    empty = client.post(check, {})
    assert not empty.context["checked"] and "Upload the file, or paste its SHA-256." in empty.content.decode()


def test_the_register_the_original_and_the_check_through_the_api(client, login):
    from rest_framework.test import APIClient

    t = college(learners=2)
    supervise(t)
    order = referral(t)
    login(t.practice)
    first = client.get(order_url(order))
    doc = IssuedDocument.objects.get()
    api = APIClient()
    api.force_authenticate(t.practice)
    listed = api.get("/api/v1/issued-documents/", {"kind": "order"})
    assert listed.status_code == 200 and [r["id"] for r in listed.json()["results"]] == [doc.pk]
    original = api.get(f"/api/v1/issued-documents/{doc.pk}/file/")
    assert original.status_code == 200 and original.content == first.content
    assert original["X-Document-SHA256"] == doc.sha256
    found = api.post("/api/v1/issued-documents/check/", {"sha256": doc.sha256.upper()}, format="json")
    assert found.json()["issued"] is True and found.json()["number"] == order.number
    assert api.post("/api/v1/issued-documents/check/", {"sha256": "0" * 64}, format="json").json() == {"issued": False}
    assert api.post("/api/v1/issued-documents/check/", {"sha256": "xyz"}, format="json").status_code == 400
    stranger = APIClient()
    stranger.force_authenticate(college().practice)
    assert stranger.get(f"/api/v1/issued-documents/{doc.pk}/").status_code == 404
    assert stranger.get(f"/api/v1/issued-documents/{doc.pk}/file/").status_code == 404
