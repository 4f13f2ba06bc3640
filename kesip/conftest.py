"""Test setup shared by every app: a world of two institutions with a record of every kind."""

import os
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from kesip.core.roles import Role


@pytest.fixture(autouse=True)
def _english_default(settings):
    """Tests read messages in English unless they switch language on purpose."""
    settings.LANGUAGE_CODE = "en"
    settings.AXES_ENABLED = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = os.environ.get("KESIP_TEST_MEDIA", "/tmp/kesip-test-media")


def _tenant(jurisdiction, authority=None):
    from kesip.core.tests import factories as f
    from kesip.curriculum.tests import factories as cf

    kwargs = {"jurisdiction": jurisdiction}
    if authority is not None:
        kwargs["authority"] = authority
    institution = f.InstitutionFactory(**kwargs)
    programme = f.ProgrammeFactory(institution=institution)
    staff = f.StaffFactory(institution=institution)
    group = f.GroupFactory(institution=institution, programme=programme, curator=staff)
    student = f.StudentFactory(institution=institution, group=group)
    employer = f.EmployerFactory(institution=institution)
    admin = f.member(Role.INSTITUTION_ADMIN, institution=institution)
    licence = institution.licences.create(number=f"L-{institution.pk}", issued_on="2024-02-20")
    qualification = cf.QualificationFactory(specialty=programme.specialty)
    programme.qualifications.add(qualification)
    competency = cf.CompetencyFactory(programme=programme)
    module = cf.ModuleFactory(programme=programme, kind="professional", qualification=qualification)
    component = cf.ComponentFactory(module=module, kind="practice", practice_type="production", hours=48, credits=2)
    working_curriculum = programme.working_curricula.create(institution=institution, intake_year=2024)
    working_curriculum.entries.create(institution=institution, component=component, year=1, semester=2, hours=48)
    lesson = cf.LessonFactory(group=group, component=component)
    lesson.marks.create(institution=institution, student=student, value=4)
    assignment = cf.TeachingAssignment.objects.create(
        institution=institution, group=group, component=component, teacher=staff, academic_year=2024
    )
    grade = cf.ComponentGrade.objects.create(
        institution=institution,
        student=student,
        component=component,
        scale=cf.GradingScale.default_for(jurisdiction),
        value=4 if jurisdiction == "KG" else 80,
        academic_year=2024,
        graded_on="2025-01-10",
    )
    from kesip.curriculum.models import AwardedQualification, QualificationExam

    exam = QualificationExam.objects.create(
        institution=institution,
        group=group,
        qualification=qualification,
        venue_kind="workshop",
        held_on="2025-06-20",
        experts="Эксперт Э. Э.",
        scale=cf.GradingScale.default_for(jurisdiction),
        status="held",
    )
    exam_result = exam.results.create(institution=institution, student=student, value=exam.scale.max_value, passed=True)
    award = AwardedQualification.objects.create(
        institution=institution, student=student, qualification=qualification, exam=exam, awarded_on=exam.held_on
    )
    calendar = group.calendars.create(institution=institution, academic_year=2024, year_of_study=1, practice_mode="continuous")
    calendar_period = calendar.periods.create(
        institution=institution, kind="practice", starts_on=date(2025, 3, 3), ends_on=date(2025, 3, 29), component=component
    )
    movement = student.movements.create(
        institution=institution, kind="enrolment", on="2024-09-01", order_number="12-к", order_date="2024-08-25", to_group=group
    )
    from kesip.curriculum.models import IndividualCurriculum

    individual_curriculum = IndividualCurriculum.objects.create(
        institution=institution, student=student, kind="individual", basis="ПМПК № 7"
    )
    individual_curriculum.entries.create(institution=institution, component=component, year=1, semester=2, hours=40)
    exemption = student.distance_exemptions.create(
        institution=institution,
        reason="competition",
        document="Приказ № 5",
        document_date="2024-10-01",
        valid_from="2024-10-01",
        valid_until="2024-12-31",
    )
    t = SimpleNamespace(
        movement=movement,
        individual_curriculum=individual_curriculum,
        exemption=exemption,
        calendar=calendar,
        calendar_period=calendar_period,
        exam=exam,
        exam_result=exam_result,
        award=award,
        lesson=lesson,
        assignment=assignment,
        grade=grade,
        working_curriculum=working_curriculum,
        qualification=qualification,
        competency=competency,
        module=module,
        component=component,
        institution=institution,
        programme=programme,
        staff=staff,
        group=group,
        student=student,
        employer=employer,
        admin=admin,
        licence=licence,
        specialty=programme.specialty,
    )
    from kesip.wbl.tests.world import add_wbl

    return add_wbl(t)


@pytest.fixture
def world(db):
    """Institution A (KG, under a ministry's department) and B (KZ), each with one record of every kind."""
    from kesip.core.tests import factories as f

    ministry = f.AuthorityFactory(jurisdiction="KG")
    department = f.AuthorityFactory(jurisdiction="KG", parent=ministry, kind="regional")
    a = _tenant("KG", authority=department)
    b = _tenant("KZ")
    analyst = f.member(Role.AUTHORITY_ANALYST, authority=ministry)
    sysadmin = f.member(Role.SYSTEM_ADMIN)
    return SimpleNamespace(a=a, b=b, ministry=ministry, department=department, analyst=analyst, sysadmin=sysadmin)


@pytest.fixture
def login(client):
    def _login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return _login


# Browser tests (marked `browser`): Debian's Chromium driven by Playwright.
CHROMIUM = os.environ.get("KESIP_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("KESIP_ARTIFACTS", Path(__file__).resolve().parents[1] / "test-artifacts"))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are safe here.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


TEST_PASSWORD = "Kesip-test-2026"  # the factories' password


def browser_session(browser, live_server, user, width=1280, password=TEST_PASSWORD):
    """(context, page) of `user` signed in through the login page, in a viewport `width` wide (390: a phone)."""
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-US")
    pg = context.new_page()
    pg.goto(live_server.url + "/accounts/login/")
    pg.fill("#id_username", user.username)
    pg.fill("#id_password", password)
    pg.click("form button[type=submit].btn-primary")
    pg.wait_for_load_state()
    return context, pg


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    pg = context.new_page()
    yield pg
    context.close()
