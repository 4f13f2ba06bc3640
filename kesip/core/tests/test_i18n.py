"""Four languages: complete catalogues, compiled, and per-language names."""

import pytest
from django.utils import translation

from kesip.core import i18n
from kesip.core.models import localized


def test_catalogues_are_complete_and_compiled():
    assert i18n.problems() == []


@pytest.mark.parametrize("lang, word", [("ky", "Студенттер"), ("ru", "Студенты"), ("kk", "Студенттер"), ("en", "Students")])
def test_pages_render_in_each_language(client, world, login, lang, word):
    login(world.a.admin)
    client.post("/language/", {"language": lang, "next": "/"})
    body = client.get("/").content.decode()
    assert f'lang="{lang}"' in body
    with translation.override(lang):
        assert translation.gettext("Students") in body


@pytest.mark.django_db
def test_names_fall_back_when_a_language_is_missing(world):
    inst = world.a.institution
    inst.full_name_en = ""
    assert localized(inst, "full_name", "en") == inst.full_name_ru
    assert localized(inst, "full_name", "ky") == inst.full_name_ky
