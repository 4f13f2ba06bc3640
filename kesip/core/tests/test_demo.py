"""The demo data is real-shaped and valid: every record passes the same checks as typed input."""

import pytest

from kesip.core import demo
from kesip.core.models import Employer, Institution, Membership, StaffMember, Student, StudyGroup

pytestmark = pytest.mark.django_db


def test_demo_loads_twice_and_every_record_is_valid():
    logins = demo.load()
    demo.load()
    assert {role for _, role, _ in logins} >= {
        "System administrator",
        "Authority analyst",
        "Institution administrator",
        "Head of institution",
        "Teacher or master",
        "Student",
        "Mentor",
        "Employer representative",
        "Accreditation expert",
        "Career counsellor",
        "Head of practical training",
    }
    for model in (Institution, StaffMember, Student, StudyGroup, Employer):
        for obj in model.objects.all():
            obj.full_clean()


def test_lyceum_no_8_matches_the_accreditation_report():
    demo.load()
    pl8 = Institution.objects.get(inn="00307199510011")
    assert pl8.okpo == "02563871" and pl8.founding_year == 1958
    group = StudyGroup.objects.get(institution=pl8, name="ЭГС-23")
    assert group.programme.specialty.code == "7212" and group.programme.total_hours == 3000
    assert group.programme.duration_months == 24 and group.students.count() == 13
    staff = StaffMember.objects.filter(institution=pl8)
    assert staff.filter(category="teacher", employment="full_time").count() == 12
    assert staff.filter(category="master").count() == 1 and staff.filter(employment="part_time").count() == 1
    assert pl8.licences.get().number == "LS240001011"


def test_demo_logins_work(client):
    demo.load()
    for username in ("admin", "analyst", "pl8.admin", "pl8.mentor", "pl8.student", "apc.admin"):
        response = client.post("/accounts/login/", {"username": username, "password": demo.DEMO_PASSWORD})
        assert response.status_code == 302, username
        assert client.get("/").status_code == 200
        client.logout()
    assert Membership.objects.count() >= 15
