"""End to end in Chromium: design a small programme, see its checks, fix it, approve it."""

import pytest

from kesip.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_design_and_approve_a_programme(live_server, page):
    from kesip.core import demo
    from kesip.core.models import Programme, Specialty, User
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum.models import Qualification

    demo.load()
    curriculum_demo.load()
    User.objects.filter(username="pl8.admin").update(language="en")
    welder = Specialty.objects.get(jurisdiction="KG", code="7212")
    qualification = Qualification.objects.get(code="7212.2-3")

    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "pl8.admin")
    page.fill("#id_password", demo.DEMO_PASSWORD)
    page.click("form button[type=submit].btn-primary")
    page.wait_for_selector("#key-counts")

    # The passport: a 10-month welding course after grade 11, 600 hours.
    page.goto(live_server.url + "/programmes/add/")
    page.select_option("#id_specialty", str(welder.pk))
    page.fill("#id_name_ru", "Электросварщик (короткая программа)")
    page.select_option("#id_qualifications", str(qualification.pk))
    page.select_option("#id_entry_base", "grade11")
    page.fill("#id_duration_months", "10")
    page.fill("#id_total_hours", "600")
    page.select_option("#id_language", "ky")
    page.click("form button[type=submit].btn-primary")

    # The design page lists what is missing, each rule at once.
    page.wait_for_selector("#violations")
    codes = page.locator("#violations li").evaluate_all("items => items.map(i => i.dataset.code)")
    assert "wbl.practice.min_types_per_programme" in codes and "curriculum.programme.total_hours" in codes

    page.click("text=Add a module")
    page.select_option("#id_kind", "professional")
    page.fill("#id_code", "КМ 1")
    page.fill("#id_name_ru", "Ручная дуговая сварка")
    page.select_option("#id_qualification", str(qualification.pk))
    page.fill("#id_learning_outcomes", "Сваривает пластины в нижнем положении")
    page.click("form button[type=submit].btn-primary")

    for kind, name, hours, practice_type in (
        ("subject", "Технология сварки", "240", None),
        ("practice", "Производственная практика", "360", "production"),
    ):
        page.click("text=Add a component")
        page.select_option("#id_kind", kind)
        if practice_type:
            page.select_option("#id_practice_type", practice_type)
        page.fill("#id_name_ru", name)
        page.fill("#id_hours", hours)
        page.click("form button[type=submit].btn-primary")
        page.wait_for_selector("#modules")

    assert page.locator("#sum-hours").inner_text() == "600"
    page.wait_for_selector("#no-violations")
    page.click("button[value=approve]")
    page.wait_for_selector("#programme-status")
    assert page.locator("#programme-status").inner_text() == "Approved by the institution"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "programme-design-en.png"), full_page=True)
    programme = Programme.objects.get(name_ru="Электросварщик (короткая программа)")
    assert programme.status == "approved" and programme.modules.get().components.count() == 2
