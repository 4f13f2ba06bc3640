"""Pages of work-based learning: one views module per concern, each with its own `urlpatterns`."""

from importlib import import_module

app_name = "wbl"

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
    "consent",
    "employer_briefings",
    "support_measures",
    "glossary",
    "letterheads",
)

urlpatterns = []
for _concern in CONCERNS:
    urlpatterns += import_module(f"kesip.wbl.views.{_concern}").urlpatterns
