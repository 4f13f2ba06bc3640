"""Tenancy: nothing of institution A is readable or writable by institution B, page or API.

The page walk covers every URL pattern registered under the `core` namespace and every API
route, so a new page or endpoint is checked the day it is added.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from kesip.core.api_urls import router
from kesip.core.models import Authority, Institution

pytestmark = pytest.mark.django_db

# Routes that need no login.
PUBLIC = {"core:accept_invitation", "core:set_language", "wbl:certificate_verify"}


def _walk(patterns, prefix="", namespace=None):
    for p in patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace or namespace
            yield from _walk(p.url_patterns, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{namespace}:{p.name}" if namespace else p.name), prefix + str(p.pattern)


# The apps whose pages hold tenant data; each one's every URL pattern is walked.
APP_NAMESPACES = ("core:", "curriculum:", "wbl:")


def core_routes():
    return [(name, route) for name, route in _walk(get_resolver().url_patterns) if name.startswith(APP_NAMESPACES)]


def api_routes():
    return [(name, route) for name, route in _walk(get_resolver().url_patterns) if route.startswith("api/v1/")]


def objects_of(t):
    """The object of tenant `t` that each URL key's <pk> stands for."""
    return {
        "institutions": t.institution,
        "programmes": t.programme,
        "groups": t.group,
        "staff": t.staff,
        "students": t.student,
        "employers": t.employer,
        "members": t.institution.memberships.first(),
        "licence": t.licence,
        "specialties": t.specialty,
        "authorities": t.institution.authority,
        "qualifications": t.qualification,
        "programme": t.programme,
        "module": t.module,
        "component": t.component,
        "competency": t.competency,
        "curriculum": t.working_curriculum,
        "calendar": t.calendar,
        "calendar_period": t.calendar_period,
        "lesson": t.lesson,
        "transcript": t.student,
        "exam": t.exam,
        "group": t.group,
        "student": t.student,
        "individual": t.individual_curriculum,
        "exemption": t.exemption,
        **wbl_objects_of(t),
    }


def wbl_objects_of(t):
    """WBL pages: a URL named `wbl:<key>_<verb>` takes the <int:pk> of the key's record."""
    return {
        "employer": t.employer,
        "person": t.person,
        "localdoc": t.localdoc,
        "workplace": t.workplace,
        "agreement": t.agreement,
        "amendment": t.amendment,
        "signature": t.signature,
        "roster": t.roster,
        "wblprogramme": t.wblprogramme,
        "loadrow": t.loadrow,
        "contentrow": t.contentrow,
        "rubricitem": t.rubricitem,
        "placement": t.placement,
        "briefing": t.briefing,
        "diaryentry": t.diaryentry,
        "assessment": t.assessment,
        "order": t.order,
        "orderline": t.orderline,
        "visit": t.visit,
        "volunteer": t.volunteer,
        "internship": t.internship,
        "certificate": t.certificate,
        "report": t.report,
        "reportagreement": t.reportagreement,
        "measure": t.measure,
        "representative": t.representative,
        "settings": t.settings,
        "event": t.event,
        "juror": t.juror,
        "parttime": t.parttime,
        "incentive": t.incentive,
        "mentor_request": t.mentor_request,
        "employment": t.employment,
        "trainingneed": t.trainingneed,
        "upgrading": t.upgrading,
        "enrolment": t.enrolment,
        "need": t.need,
        "evaluation": t.evaluation,
        "base": t.base,
        "evidence": t.institution,  # the QA / accreditation evidence ZIP of an institution (F35)
    }


# Other records a WBL route names by `<int:<key>_pk>`.
NESTED_PKS = {
    "employer_pk": "employer",
    "placement_pk": "placement",
    "agreement_pk": "agreement",
    "wblprogramme_pk": "wblprogramme",
    "order_pk": "order",
    "report_pk": "report",
    "measure_pk": "measure",
    "rep_pk": "representative",
    "student_pk": "student",
    "staff_pk": "staff",
    "internship_pk": "internship",
    "calendar_pk": "calendar",
}


def fill(route, name, t):
    """Turn a route pattern into a URL for tenant t's object."""
    objs = objects_of(t)
    key = name.split(":")[1].rsplit("_", 1)[0]
    obj = objs.get(key)
    route = route.replace("<int:institution_pk>", str(t.institution.pk))
    route = route.replace("<int:programme_pk>", str(t.programme.pk)).replace("<int:module_pk>", str(t.module.pk))
    route = route.replace("<int:group_pk>", str(t.group.pk)).replace("<int:component_pk>", str(t.component.pk))
    route = route.replace("<slug:name>", "approve")
    for param, key in NESTED_PKS.items():
        route = route.replace(f"<int:{param}>", str(objs[key].pk))
    if "<int:pk>" in route:
        if name.startswith("core:licence"):
            obj = t.licence
        elif name == "core:invitation_revoke":
            obj = t.invitation
        if obj is None:
            return None
        route = route.replace("<int:pk>", str(obj.pk))
    route = route.replace("<str:token>", t.certificate.token if name.startswith("wbl:") else getattr(t, "token", "x"))
    route = re.sub(r"\^|\$", "", route)
    return "/" + route


@pytest.fixture
def tenants(world):
    from kesip.core.models import Invitation

    for t in (world.a, world.b):
        t.invitation = Invitation.objects.create(
            institution=t.institution, email="x@example.org", first_name="X", last_name="Y", role="teacher"
        )
        t.token = t.invitation.token
    return world


def test_the_walk_covers_the_registries():
    names = {n for n, _ in core_routes()}
    for key in ("institutions", "programmes", "groups", "staff", "students", "employers", "members", "specialties"):
        assert f"core:{key}_list" in names and f"core:{key}_history" in names
    assert len(api_routes()) >= 20


# Pages of the national classifier, shared by design.
SHARED_PAGES = {
    "core:specialties_detail",
    "core:specialties_history",
    "curriculum:qualifications_detail",
    "curriculum:qualifications_history",
}


def test_pages_of_a_answer_404_to_b(client, tenants, login):
    a, b = tenants.a, tenants.b
    login(b.admin)
    checked = 0
    for name, route in core_routes():
        if not re.search(r"<int:(pk|institution_pk|programme_pk|module_pk|group_pk|{})>".format("|".join(NESTED_PKS)), route):
            continue
        if name in SHARED_PAGES:
            continue  # the national classifier is shared by design
        url = fill(route, name, a)
        if url is None:
            continue
        # 405 answers a method the page does not take (before any lookup); the one it takes answers 404.
        codes = [client.get(url).status_code, client.post(url).status_code]
        assert set(codes) <= {404, 405} and 404 in codes, (name, url, codes)
        checked += 1
    assert checked >= 30
    a.student.refresh_from_db()
    a.licence.refresh_from_db()
    assert a.institution.licences.count() == 1 and Institution.objects.filter(pk=a.institution.pk).exists()


def test_lists_and_exports_of_b_show_nothing_of_a(client, tenants, login):
    a, b = tenants.a, tenants.b
    login(b.admin)
    secrets = [
        a.student.last_name,
        a.staff.last_name,
        a.employer.name,
        a.group.name,
        a.programme.name_ru,
        a.institution.short_name_ru,
        a.admin.last_name,
    ]
    for name, route in core_routes():
        if "<" in route or name in PUBLIC:
            continue
        response = client.get("/" + route)
        assert response.status_code in (200, 403), (name, response.status_code)
        body = response.content
        if route.endswith(".xlsx") and response.status_code == 200:
            from io import BytesIO

            from openpyxl import load_workbook

            ws = load_workbook(BytesIO(body)).active
            body = " ".join(str(c) for row in ws.iter_rows(values_only=True) for c in row).encode()
        for s in secrets:
            assert s.encode() not in body, (name, s)


def test_anonymous_visitors_are_sent_to_login(client, tenants):
    for name, route in core_routes():
        if name in PUBLIC:
            continue
        url = fill(route, name, tenants.a)
        if url is None:
            continue
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], (name, url)
    for prefix, _viewset, _basename in router.registry:
        for url in (f"/api/v1/{prefix}/", f"/api/v1/{prefix}/1/"):
            assert client.get(url).status_code in (401, 403), url


# Endpoints whose records are shared by design: the national classifier, the rulebook and the grading scales.
SHARED_API = {"specialties", "qualifications", "rules", "grading-scales"}


def api_object_of(t, model):
    from kesip.core import models
    from kesip.curriculum import models as curriculum

    return {
        models.Authority: t.institution.authority,
        models.Institution: t.institution,
        models.Programme: t.programme,
        models.StudyGroup: t.group,
        models.StaffMember: t.staff,
        models.Student: t.student,
        models.Employer: t.employer,
        models.Membership: t.institution.memberships.first(),
        curriculum.Module: t.module,
        curriculum.Component: t.component,
        curriculum.Competency: t.competency,
        curriculum.WorkingCurriculum: t.working_curriculum,
        curriculum.CalendarSchedule: t.calendar,
        curriculum.CalendarPeriod: t.calendar_period,
        curriculum.Lesson: t.lesson,
        curriculum.TeachingAssignment: t.assignment,
        curriculum.ComponentGrade: t.grade,
        curriculum.Movement: t.movement,
        curriculum.IndividualCurriculum: t.individual_curriculum,
        curriculum.DistanceExemption: t.exemption,
        curriculum.QualificationExam: t.exam,
        curriculum.ExamResult: t.exam_result,
        curriculum.AwardedQualification: t.award,
        **wbl_api_objects_of(t),
    }.get(model)


def wbl_api_objects_of(t):
    from kesip.core.models import StudentRepresentative
    from kesip.documents.models import IssuedDocument
    from kesip.wbl import models as wbl

    return {
        wbl.EmployerPerson: t.person,
        wbl.LocalDocument: t.localdoc,
        wbl.Workplace: t.workplace,
        wbl.Agreement: t.agreement,
        wbl.AgreementRosterEntry: t.roster,
        wbl.AgreementSignature: t.signature,
        wbl.AgreementAmendment: t.amendment,
        wbl.WblProgramme: t.wblprogramme,
        wbl.LoadRow: t.loadrow,
        wbl.ContentRow: t.contentrow,
        wbl.RubricItem: t.rubricitem,
        wbl.Placement: t.placement,
        wbl.Briefing: t.briefing,
        wbl.DiaryEntry: t.diaryentry,
        wbl.Assessment: t.assessment,
        wbl.Order: t.order,
        wbl.OrderLine: t.orderline,
        wbl.MonitoringVisit: t.visit,
        wbl.VolunteerRecognition: t.volunteer,
        wbl.Certificate: t.certificate,
        wbl.AnnualReport: t.report,
        wbl.ReportAgreement: t.reportagreement,
        wbl.ImprovementMeasure: t.measure,
        StudentRepresentative: t.representative,
        wbl.WblSettings: t.settings,
        wbl.WblEvent: t.event,
        wbl.PartTimeJob: t.parttime,
        wbl.Incentive: t.incentive,
        wbl.MentorRequest: t.mentor_request,
        wbl.GraduateEmployment: t.employment,
        wbl.TrainingNeed: t.trainingneed,
        wbl.UpgradingProgramme: t.upgrading,
        wbl.UpgradingEnrolment: t.enrolment,
        wbl.EmployerNeed: t.need,
        wbl.EmployerEvaluation: t.evaluation,
        wbl.WblBase: t.base,
        wbl.EmployerBriefing: t.employer_briefing,
        wbl.SupportMeasure: t.support_measure,
        wbl.EmployerLetterhead: t.letterhead,
        IssuedDocument: t.issued_document,
    }


def test_every_api_route_hides_a_from_b(client, tenants, login):
    """Walks the API router: each endpoint is either shared by design or answers 404 for A's object."""
    a, b = tenants.a, tenants.b
    login(b.admin)
    for prefix, viewset, _basename in router.registry:
        if prefix in SHARED_API:
            continue
        obj = api_object_of(a, viewset.queryset.model)
        assert obj is not None, f"add /api/v1/{prefix}/ to the tenancy walk"
        url = f"/api/v1/{prefix}/{obj.pk}/"
        assert client.get(url).status_code in (403, 404), url
        assert client.patch(url, {"phone": "1"}, content_type="application/json").status_code in (403, 404, 405), url
        assert client.delete(url).status_code in (403, 404, 405), url
        listing = client.get(f"/api/v1/{prefix}/?limit=500")
        if listing.status_code == 200:
            assert obj.pk not in {row["id"] for row in listing.json()["results"]}, prefix
    people = client.get("/api/v1/people/").json()["results"]
    assert {p["institution"] for p in people} == {b.institution.pk}
    a.student.refresh_from_db()
    a.institution.refresh_from_db()
    assert a.student.phone == "" and a.institution.phone == ""
    assert type(a.group).objects.filter(pk=a.group.pk).exists()


def test_api_refuses_another_institutions_ids_in_references(client, tenants, login):
    a, b = tenants.a, tenants.b
    login(b.admin)
    response = client.post(
        "/api/v1/students/",
        {
            "institution": b.institution.pk,
            "last_name": "Омаров",
            "first_name": "Ерлан",
            "national_id": b.student.national_id[:-1] + "0",
            "group": a.group.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "group" in response.json()
    response = client.post(
        "/api/v1/employers/",
        {
            "institution": a.institution.pk,
            "name": "X",
            "kind": "enterprise",
            "sector": "it",
        },
        content_type="application/json",
    )
    assert response.status_code == 400 and "institution" in response.json()


def test_authority_analyst_reads_only_institutions_under_its_authority(client, tenants, login):
    login(tenants.analyst)
    ids = {row["id"] for row in client.get("/api/v1/institutions/").json()["results"]}
    assert ids == {tenants.a.institution.pk}
    assert client.get(f"/institutions/{tenants.a.institution.pk}/").status_code == 200
    assert client.get(f"/institutions/{tenants.b.institution.pk}/").status_code == 404
    assert client.get(f"/students/{tenants.a.student.pk}/").status_code == 200
    # Read-only: the analyst may not change the institution's records.
    assert client.get(f"/students/{tenants.a.student.pk}/edit/").status_code == 404
    assert (
        client.patch(f"/api/v1/students/{tenants.a.student.pk}/", {"phone": "1"}, content_type="application/json").status_code
        == 403
    )
    # An authority elsewhere in the tree sees nothing of A.
    other = Authority.objects.create(kind="ministry", jurisdiction="KG", name_ru="Другое")
    from kesip.core.roles import Role
    from kesip.core.tests.factories import member

    login(member(Role.AUTHORITY_ANALYST, authority=other))
    assert client.get("/api/v1/institutions/").json()["results"] == []
    assert client.get(f"/institutions/{tenants.a.institution.pk}/").status_code == 404


def test_mentor_sees_only_own_employer(client, tenants, login):
    from kesip.core.roles import Role
    from kesip.core.tests.factories import EmployerFactory, member

    a = tenants.a
    other = EmployerFactory(institution=a.institution)
    mentor = member(Role.MENTOR, institution=a.institution, employer=a.employer)
    login(mentor)
    ids = {row["id"] for row in client.get("/api/v1/employers/").json()["results"]}
    assert ids == {a.employer.pk}
    assert client.get(f"/employers/{other.pk}/").status_code == 404
    assert client.get("/students/").status_code == 403
    assert client.get(f"/students/{a.student.pk}/").status_code == 404
