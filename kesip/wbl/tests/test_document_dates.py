"""An official document writes its dates in the document's language, whatever language the reader's pages are in."""

import datetime
import re

import pytest
from django.conf import settings
from django.urls import reverse

from kesip.core import documents
from kesip.wbl.models import Order
from kesip.wbl.tests.test_orders import college, referral, supervise
from kesip.wbl.tests.test_orders_views import _docx_text

pytestmark = pytest.mark.django_db

ON = datetime.date(2025, 5, 28)
MAY = {"ru": "28 мая 2025", "kk": "28 мамыр 2025", "ky": "28 Май 2025", "en": "28 May 2025"}


@pytest.fixture
def signed_order():
    t = college(learners=1)
    supervise(t)
    order = referral(t)
    Order.objects.filter(pk=order.pk).update(signed_on=ON, dated=ON)
    return t, order


def _dates(text):
    return set(re.findall(r"\b\d{1,2} [^\W\d_]+ 20\d\d\b", text))


@pytest.mark.parametrize("lang", ["ky", "ru", "kk", "en"])
def test_the_order_docx_dates_in_the_documents_language_not_the_pages(client, login, signed_order, lang):
    t, order = signed_order
    login(t.practice)
    for ui in ("ky", "en"):  # the reader's interface language must not leak into the document
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = ui
        response = client.get(reverse("wbl:order_document", args=[order.pk]) + f"?format=docx&lang={lang}")
        assert response.status_code == 200
        text, doc = _docx_text(response)
        assert doc.tables[0].rows[0].cells[0].text.startswith(MAY[lang])
        assert _dates(text) == {MAY[lang]}, (ui, _dates(text))


@pytest.mark.parametrize("lang", ["ky", "ru", "kk", "en"])
def test_the_order_pdf_dates_in_the_documents_language(client, login, signed_order, lang, monkeypatch):
    import weasyprint

    printed = []
    real = weasyprint.HTML

    def spy(*args, **kwargs):
        printed.append(kwargs.get("string", ""))
        return real(*args, **kwargs)

    monkeypatch.setattr(weasyprint, "HTML", spy)
    t, order = signed_order
    login(t.practice)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ky" if lang != "ky" else "en"
    response = client.get(reverse("wbl:order_document", args=[order.pk]) + f"?format=pdf&lang={lang}")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(printed) == 1 and MAY[lang] in printed[0]
    assert _dates(printed[0]) == {MAY[lang]}


def test_day_writes_the_month_of_the_language_given():
    assert [documents.day(ON, lang) for lang in ("ky", "ru", "kk", "en")] == [MAY[x] for x in ("ky", "ru", "kk", "en")]
    assert documents.day(datetime.date(2025, 3, 12), "ru") == "12 марта 2025"
    assert documents.day(None, "ru") == ""
