"""A link or a button is shown only to a user whom its page opens for (no 403, 404 or a redirect back).

Each page is read as every role of the tenant; every WBL link on it is followed (documents apart) and must answer
200. The staff who may open the pages still get the links, and the pages' queries do not grow with their rows.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kesip.core.models import Membership
from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import models as m

pytestmark = pytest.mark.django_db

HREF = re.compile(r'href="(/wbl/[^"#]*)"')
DOCUMENTS = re.compile(r"format=|/document/|/briefingdoc/|/notice/")


def _links(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    main = response.content.decode().split("<main", 1)[1].split("</main>", 1)[0]  # the page, not the menu
    return {h.replace("&amp;", "&") for h in HREF.findall(main)}


def _broken(client, url):
    """The WBL links of the page that do not open for the client's user, with their status."""
    found = {}
    for href in sorted(_links(client, url)):
        if DOCUMENTS.search(href) and "/evidence/" not in href:
            continue
        status = client.get(href).status_code
        if status != 200 and not (href == "/wbl/" and status == 302):  # the WBL start page sends each role to its own
            found[href] = status
    return found


def _users(world):
    t = world.a
    t.student.user = t.student_user
    t.student.save(update_fields=["user"])
    teacher = f.member(Role.TEACHER, institution=t.institution)
    f.StaffFactory(institution=t.institution, user=teacher, last_name="Мугалим")
    # a teacher who is also a mentor at another host (the demo's lyceum workshop): the workplaces of the institution,
    # the employer's records of their own host only
    workshop = f.member(Role.TEACHER, institution=t.institution)
    Membership.objects.create(
        user=workshop, role=Role.MENTOR, institution=t.institution, employer=f.EmployerFactory(institution=t.institution)
    )
    return {
        "admin": t.admin,
        "workshop": workshop,
        "head": f.member(Role.HEAD, institution=t.institution),
        "teacher": teacher,
        "employer": t.employer_rep_user,
        "mentor": t.mentor_user,
        "student": t.student_user,
        "analyst": world.analyst,
        "counsellor": f.member(Role.CAREER_COUNSELLOR, institution=t.institution),
    }


def _pages(t):
    return {
        "internships": "/wbl/internships/",
        "report": f"/wbl/reports/{t.report.pk}/",
        "briefings": f"/wbl/placements/{t.placement.pk}/briefings/",
        "closed briefings": f"/wbl/placements/{t.closed_placement.pk}/briefings/",
        "needs": "/wbl/needs/",
        "need": f"/wbl/needs/{t.need.pk}/",
        "training needs": "/wbl/training-needs/",
        "training need": f"/wbl/training-needs/{t.trainingneed.pk}/",
        "placement": f"/wbl/placements/{t.placement.pk}/",
        "workplaces": "/wbl/workplaces/",
        "wbl programme": f"/wbl/wblprogrammes/{t.wblprogramme.pk}/",
        "agreement": f"/wbl/agreements/{t.agreement.pk}/",
        "base": f"/wbl/bases/{t.base.pk}/",
        "mentors": "/wbl/mentors/",
        "employer": f"/wbl/employers/{t.employer.pk}/",
    }


@pytest.fixture
def setup(world, login):
    t = world.a
    t.placement.wbl_programme = t.wblprogramme
    t.placement.save(update_fields=["wbl_programme"])
    if t.trainingneed.programme_id is None:
        t.trainingneed.programme = t.upgrading
        t.trainingneed.save(update_fields=["programme"])
    return t, _users(world), login


# The pages that are not the role's (every other page opens for it).
NOT_THEIRS = {
    "teacher": {"workplaces", "employer", "mentors"},
    "workshop": {"employer"},
    "employer": {"base"},
    "mentor": {"base"},
    "student": {"report", "need", "training need", "workplaces", "wbl programme", "agreement", "base", "employer", "mentors"},
    # a career counsellor reads the employers (and their WBL page) and the programmes, not the WBL records
    "counsellor": {"agreement", "base", "briefings", "closed briefings", "internships", "mentors", "need", "needs",
                   "placement", "report", "training need", "training needs", "wbl programme", "workplaces"},
}  # fmt: skip


@pytest.mark.parametrize(
    "role", ["admin", "head", "teacher", "workshop", "employer", "mentor", "student", "analyst", "counsellor"]
)
def test_every_link_a_role_is_shown_opens_for_it(setup, role):
    t, users, login = setup
    client = login(users[role])
    broken, not_theirs = {}, set()
    for name, url in _pages(t).items():
        if client.get(url).status_code != 200:
            not_theirs.add(name)
            continue
        for href, status in _broken(client, url).items():
            broken[f"{name}: {href}"] = status
    assert not_theirs == NOT_THEIRS.get(role, set())
    assert broken == {}


def test_the_staff_still_get_the_links(setup):
    t, users, login = setup
    client = login(users["admin"])
    pages = _pages(t)
    assert "/wbl/placements/add/?form=internship" in _links(client, pages["internships"])
    assert any(h.startswith(f"/wbl/evidence/{t.institution.pk}/") for h in _links(client, pages["report"]))
    assert reverse("wbl:group_briefings", args=[t.group.pk, t.employer.pk]) in _links(client, pages["briefings"])
    assert "/wbl/needs/analysis/" in _links(client, pages["needs"])
    assert f"/wbl/needs/analysis/?year={t.need.academic_year}" in _links(client, pages["need"])
    assert t.upgrading.get_absolute_url() in _links(client, pages["training needs"])
    assert t.upgrading.get_absolute_url() in _links(client, pages["training need"])
    placement = _links(client, pages["placement"])
    for url in (
        f"/wbl/agreements/{t.agreement.pk}/",
        f"/wbl/wblprogrammes/{t.wblprogramme.pk}/",
        f"/wbl/placements/{t.placement.pk}/diary/",
        f"/wbl/placements/{t.placement.pk}/complete/",
        f"/wbl/employers/{t.employer.pk}/",
    ):
        assert url in placement
    assert f"/wbl/employers/{t.employer.pk}/" in _links(client, pages["workplaces"])


def test_the_refused_links_are_plain_text(setup):
    t, users, login = setup
    pages = _pages(t)
    employer = login(users["employer"])
    assert "/wbl/placements/add/?form=internship" not in _links(employer, pages["internships"])
    assert employer.get("/wbl/placements/add/?form=internship").status_code == 403
    assert "/wbl/needs/analysis/" not in _links(employer, pages["needs"])
    assert employer.get("/wbl/needs/analysis/").status_code == 403
    assert reverse("wbl:group_briefings", args=[t.group.pk, t.employer.pk]) not in _links(employer, pages["closed briefings"])
    student = login(users["student"])
    placement = student.get(pages["placement"]).content.decode()
    assert f'href="/wbl/agreements/{t.agreement.pk}/"' not in placement and str(t.agreement) in placement
    assert f'href="/wbl/wblprogrammes/{t.wblprogramme.pk}/"' not in placement
    workshop = login(users["workshop"])
    assert t.workplace.title in workshop.get(pages["workplaces"]).content.decode()
    assert f"/wbl/employers/{t.employer.pk}/" not in _links(workshop, pages["workplaces"])
    assert workshop.get(f"/wbl/employers/{t.employer.pk}/").status_code == 404
    analyst = login(users["analyst"])
    links = _links(analyst, pages["placement"])
    assert f"/wbl/placements/{t.placement.pk}/diary/" not in links
    assert f"/wbl/placements/{t.placement.pk}/complete/" not in links
    assert analyst.get(f"/wbl/placements/{t.placement.pk}/complete/").status_code == 302


def _workplace(t, title):
    employer = f.EmployerFactory(institution=t.institution)
    return m.Workplace.objects.create(
        institution=t.institution,
        employer=employer,
        title=title,
        places=2,
        available_from=datetime.date(2025, 1, 1),
        available_to=datetime.date(2025, 12, 31),
        safety_compliant=True,
    )


def _need(t, topic):
    programme = m.UpgradingProgramme.objects.create(
        institution=t.institution, title=topic, hours=24, starts_on=t.upgrading.starts_on, ends_on=t.upgrading.ends_on
    )
    return m.TrainingNeed.objects.create(
        institution=t.institution, staff=t.staff, topic=topic, academic_year=t.trainingneed.academic_year, programme=programme
    )


@pytest.mark.parametrize("role", ["admin", "employer"])
def test_the_lists_check_their_rows_in_one_query(setup, role):
    t, users, login = setup
    client = login(users[role])

    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    before = queries("/wbl/workplaces/"), queries("/wbl/training-needs/")
    for i in range(3):
        _workplace(t, f"Цех {i}")
        _need(t, f"Тема {i}")
    assert (queries("/wbl/workplaces/"), queries("/wbl/training-needs/")) == before
