"""Load the rulebook from `rulebook_data/*.json` into the database.

The JSON files are the reviewed source of truth (one per legal document, each rule with its
clause); this runs after every `migrate`, so a fresh database always holds the current rulebook.
A rule is identified by (code, jurisdiction, effective_from): changing a value in place updates
it, a new version with a later effective date supersedes the old one from that date, and a rule
removed from its file is removed from the database.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction

DATA_DIR = Path(__file__).resolve().parent / "rulebook_data"
LANGS = ("ky", "ru", "kk", "en")


def read_files(data_dir=DATA_DIR):
    for path in sorted(Path(data_dir).glob("*.json")):
        with open(path, encoding="utf-8") as fh:
            yield path.name, json.load(fh)


def documents(data_dir=DATA_DIR):
    """Each legal document with all its rules. A document's rules may be split over several files
    (`wbl-regulation-kg.json`, `wbl-regulation-kg.orders.json`, …): a file that only continues a
    document names its key and lists more rules; the document's own fields come from the file
    that has its title."""
    merged = {}
    for _name, data in read_files(data_dir):
        key = data["document"]["key"]
        entry = merged.setdefault(key, {"document": None, "rules": []})
        if "title" in data["document"]:
            entry["document"] = data["document"]
        entry["rules"].extend(data["rules"])
    for key, entry in merged.items():
        if entry["document"] is None:
            raise ValueError(f"Rulebook document {key!r} has rules but no file with its title")
        yield entry


@transaction.atomic
def sync_rulebook(data_dir=DATA_DIR):
    """Create or update every document and rule; returns (documents, rules) counts."""
    from kesip.core.models import LegalDocument, Rule

    n_docs = n_rules = 0
    for data in documents(data_dir):
        d = data["document"]
        doc_fields = {
            "jurisdiction": d["jurisdiction"],
            "date": d.get("date") or None,
            "number": d.get("number") or "",
            "seed": d.get("seed") or "",
        }
        for lang in LANGS:
            doc_fields[f"title_{lang}"] = d["title"].get(lang, "")
            doc_fields[f"issuer_{lang}"] = (d.get("issuer") or {}).get(lang, "")
        doc, _ = LegalDocument.objects.update_or_create(key=d["key"], defaults=doc_fields)
        n_docs += 1
        kept = set()
        for r in data["rules"]:
            fields = {
                "value": Decimal(str(r["value"])),
                "unit": r["unit"],
                "comparison": r["comparison"],
                "effective_to": r.get("effective_to") or None,
                "document": doc,
                "clause": r["clause"],
                "note": r.get("note", ""),
            }
            for lang in LANGS:
                fields[f"title_{lang}"] = r["title"].get(lang, "")
            rule, _ = Rule.objects.update_or_create(
                code=r["code"], jurisdiction=r["jurisdiction"], effective_from=r["effective_from"], defaults=fields
            )
            kept.add(rule.pk)
            n_rules += 1
        # A rule taken out of its file is taken out of the rulebook.
        Rule.objects.filter(document=doc).exclude(pk__in=kept).delete()
    return n_docs, n_rules


def on_post_migrate(sender, **kwargs):
    if sender.label == "core":
        sync_rulebook()
