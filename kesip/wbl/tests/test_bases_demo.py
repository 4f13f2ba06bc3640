"""The demo: Lyceum No. 8 has its welding workshop as a WBL base, and its WBL programme is published."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_lyceums_workshop_and_a_published_programme():
    from kesip.core import demo
    from kesip.core.models import Institution
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum import demo_journal
    from kesip.curriculum.demo_exams import demo_exams
    from kesip.curriculum.demo_students import demo_students
    from kesip.wbl import demo as wbl_demo
    from kesip.wbl.models import WblBase, WblProgramme

    demo.load()
    curriculum_demo.load()
    demo_students()
    demo_journal.load()
    demo_exams()
    wbl_demo.load()
    pl8 = Institution.objects.get(inn="00307199510011")
    workshop = WblBase.objects.get(institution=pl8)
    assert workshop.kind == WblBase.Kind.WORKSHOP and workshop.places == 12 and workshop.head is not None
    assert workshop.specialties.count() == 1
    programme = WblProgramme.objects.get(institution=pl8)
    assert (programme.status, programme.version) == (WblProgramme.Status.PUBLISHED, 1) and programme.published_on
