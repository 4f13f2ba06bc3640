"""The curriculum demo: the real hour structure of Lyceum No. 8 and a KZ programme in credits, both rule-clean."""

import pytest

from kesip.core import demo as core_demo
from kesip.core.models import Programme
from kesip.curriculum import demo
from kesip.curriculum.models import Competency, Component, Module, Qualification
from kesip.curriculum.rules import programme_violations

pytestmark = pytest.mark.django_db


def test_demo_programmes_are_registered_and_break_no_rule():
    core_demo.load()
    welding_kg, welding_kz = demo.load()
    demo.load()  # idempotent
    assert welding_kg.status == welding_kz.status == "registered"
    assert programme_violations(welding_kg) == [] and programme_violations(welding_kz) == []
    hours = {}
    for c in Component.objects.filter(module__programme=welding_kg):
        key = "general" if c.module.kind == "general" else c.kind
        hours[key] = hours.get(key, 0) + c.hours
    assert hours == {"general": 1768, "subject": 388, "industrial_training": 412, "practice": 432}
    assert sum(c.credits for c in Component.objects.filter(module__programme=welding_kz)) == 180
    assert Module.objects.filter(programme=welding_kz, kind="basic").count() == 3
    removed = Qualification.objects.get(code="3W01120101")
    assert not removed.is_active and str(removed.valid_until) == "2025-07-15"
    drafts = Programme.objects.filter(status="draft", institution=welding_kz.institution)
    assert drafts.exists() and all(programme_violations(p) for p in drafts)
    from kesip.curriculum.rules import curriculum_violations

    for p in (welding_kg, welding_kz):
        wc = p.working_curricula.get()
        assert wc.status == "approved" and curriculum_violations(wc) == [], [v.message for v in curriculum_violations(wc)]
    for model in (Qualification, Module, Component, Competency):
        for obj in model.objects.all():
            obj.full_clean()
