"""The demo's families and stakeholders: representatives on record, the parent's and the volunteer contact's logins,
the improvement measures of 2024–2025 and the notice to the stakeholders; loading twice adds nothing."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_welders_representatives_the_logins_and_the_measures():
    from kesip.core import demo
    from kesip.core.models import Institution, StudentRepresentative, User
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum import demo_journal
    from kesip.curriculum.demo_exams import demo_exams
    from kesip.curriculum.demo_students import demo_students
    from kesip.wbl import consent
    from kesip.wbl import demo as wbl_demo
    from kesip.wbl.models import ImprovementMeasure, Placement, StakeholderNotice

    demo.load()
    curriculum_demo.load()
    demo_students()
    demo_journal.load()
    demo_exams()
    logins = wbl_demo.load()
    assert [u for u, *_ in logins] == ["pl8.parent", "pl8.volunteer", "pl8.workshop"]
    pl8 = Institution.objects.get(inn="00307199510011")
    represented = Placement.objects.filter(institution=pl8, consent_by="representative").values("student").distinct()
    assert StudentRepresentative.objects.filter(institution=pl8).count() == represented.count() >= 12
    parent = User.objects.get(username="pl8.parent")
    # the son's two placements: the industrial training at the lyceum's workshop, the production practice
    assert [p.student.user.username for p in consent.for_user(parent)] == ["pl8.student", "pl8.student"]
    assert set(Placement.objects.for_user(parent).values_list("student__user__username", flat=True)) == {"pl8.student"}
    volunteer = User.objects.get(username="pl8.volunteer")
    from kesip.wbl.models import VolunteerRecognition

    assert VolunteerRecognition.objects.for_user(volunteer).count() == 1
    assert ImprovementMeasure.objects.filter(institution=pl8).count() == 3
    notice = StakeholderNotice.objects.get(institution=pl8)
    assert len(notice.recipients) >= 4 and "ata-eneler.pl8@demo.kesip.kg" in [r["email"] for r in notice.recipients]
    assert wbl_demo.load() == logins and StakeholderNotice.objects.count() == 1
