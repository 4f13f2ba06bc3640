"""The glossary (F38): every term in the four languages from the interface's own catalogues, its clause and a
definition in the reader's language; the Kyrgyz term is written out, never the bare “ЖОО”."""

import pytest
from django.test import Client
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import glossary

pytestmark = pytest.mark.django_db


def test_every_term_has_its_four_names_and_the_kyrgyz_one_is_written_out():
    rows = glossary.rows()
    assert [r["code"] for r in rows][:1] == ["wbl"] and len(rows) == len(glossary.TERMS)
    for r in rows:
        assert set(r["names"]) == {"ky", "ru", "kk", "en"} and all(r["names"].values()) and r["clause"].startswith("п.")
    wbl = rows[0]["names"]
    assert wbl["en"] == "Work-based learning" and wbl["ky"] != wbl["en"] and "ЖОО" not in wbl["ky"]
    assert wbl["ru"] != wbl["en"] and wbl["kk"] != wbl["en"]


def test_the_page_shows_the_glossary_and_every_page_links_it():
    user = f.member(Role.TEACHER, institution=f.InstitutionFactory())
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("wbl:glossary"), HTTP_ACCEPT_LANGUAGE="en")
    html = page.content.decode()
    assert page.status_code == 200 and 'id="term-mentor"' in html and 'id="glossary-link"' in html
    assert Client().get(reverse("wbl:glossary")).status_code == 302  # signed-in users only
