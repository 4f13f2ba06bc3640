"""The four UI catalogues: fill English from the source strings, compile, and check completeness.

Compiling with polib (not msgfmt) keeps `make` free of a gettext system dependency; the .mo files
are committed and a test proves they match their .po sources.
"""

from pathlib import Path

import polib
from django.conf import settings

LANGUAGES = ("ky", "ru", "kk", "en")


def catalogue(lang):
    return Path(settings.LOCALE_PATHS[0]) / lang / "LC_MESSAGES" / "django.po"


def fill_english():
    """English is the source language: every msgstr is its msgid."""
    po = polib.pofile(str(catalogue("en")))
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        else:
            entry.msgstr = entry.msgid
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()


def compile_all():
    for lang in LANGUAGES:
        po = polib.pofile(str(catalogue(lang)))
        po.save_as_mofile(str(catalogue(lang).with_suffix(".mo")))


def problems():
    """Untranslated or fuzzy entries, and .mo files out of date, as readable lines."""
    found = []
    for lang in LANGUAGES:
        path = catalogue(lang)
        po = polib.pofile(str(path))
        untranslated = [e.msgid for e in po.untranslated_entries()]
        fuzzy = [e.msgid for e in po.fuzzy_entries()]
        if untranslated:
            found.append(f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}")
        if fuzzy:
            found.append(f"{lang}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:3]}")
        mo_path = path.with_suffix(".mo")
        if not mo_path.exists():
            found.append(f"{lang}: {mo_path.name} missing")
            continue
        mo = {(e.msgctxt, e.msgid): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(mo_path))}
        for e in po.translated_entries():
            got = mo.get((e.msgctxt, e.msgid))
            want = (e.msgstr, {int(k): v for k, v in e.msgstr_plural.items()} if e.msgstr_plural else {})
            if got is None or (got[0] != want[0]) or ({int(k): v for k, v in got[1].items()} != want[1]):
                found.append(f"{lang}: django.mo is out of date (run `make messages`)")
                break
    return found
