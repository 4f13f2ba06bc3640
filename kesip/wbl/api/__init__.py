"""The WBL API: one module per concern, each registering its viewsets on the project's router."""

from importlib import import_module

CONCERNS = (
    "employers",
    "agreements",
    "programmes",
    "placements",
    "orders",
    "diary",
    "internships",
    "reports",
    "events",
    "engagement",
    "outcomes",
    "partnership",
    "bases",
    "evidence",
    "employer_briefings",
    "support_measures",
    "letterheads",
    "practice_journals",
)


def register(router):
    for concern in CONCERNS:
        import_module(f"kesip.wbl.api.{concern}").register(router)
