"""The demo's outcomes: Lyceum No. 8's graduates of ЭГС-23 with their employment, and one upgrading programme."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_graduates_ezs_23_and_records_their_outcomes_and_the_upgrading():
    from kesip.core import demo
    from kesip.core.models import Institution, Student
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum import demo_journal
    from kesip.curriculum.demo_exams import demo_exams
    from kesip.curriculum.demo_students import demo_students
    from kesip.wbl import demo as wbl_demo
    from kesip.wbl import reports
    from kesip.wbl.models import GraduateEmployment, TrainingNeed, UpgradingEnrolment

    demo.load()
    curriculum_demo.load()
    demo_students()
    demo_journal.load()
    demo_exams()
    wbl_demo.load()
    pl8 = Institution.objects.get(inn="00307199510011")
    graduates = Student.objects.filter(institution=pl8, status="graduated")
    records = GraduateEmployment.objects.filter(institution=pl8)
    assert graduates.count() >= 8 and records.count() == graduates.count()
    assert records.filter(is_host_employer=True).count() >= 5
    assert records.filter(outcome="employed", employer__isnull=True).exclude(employer_name="").exists()
    assert records.exclude(adaptation="").count() == 3
    assert set(TrainingNeed.objects.filter(institution=pl8).values_list("status", flat=True)) >= {"open", "met"}
    assert list(UpgradingEnrolment.objects.filter(institution=pl8).order_by("pk").values_list("result", flat=True)) == [
        "completed",
        "completed",
        "dropped",
    ]
    g = reports.indicators([pl8], 2024)["graduates"]
    assert g["employed"] >= 7 and g["host_employer"] == records.filter(is_host_employer=True).count()
    assert reports.indicators([pl8], 2025)["upgrading"]["completed"] == 2
