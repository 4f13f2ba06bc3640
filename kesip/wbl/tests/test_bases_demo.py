"""The demo: Lyceum No. 8 has its welding workshop as a WBL base, where ЭГС-23 did its industrial training
(without an agreement, its mentor appointed by the head of the workshop, the grades in the journal), and its
WBL programme is published."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_demo_has_the_lyceums_workshop_and_a_published_programme():
    from kesip.core import demo
    from kesip.core.models import Institution
    from kesip.curriculum import demo as curriculum_demo
    from kesip.curriculum import demo_journal
    from kesip.curriculum.demo_exams import demo_exams
    from kesip.curriculum.demo_students import demo_students
    from kesip.curriculum.models import ComponentGrade
    from kesip.wbl import demo as wbl_demo
    from kesip.wbl.models import Order, Placement, WblBase, WblProgramme

    demo.load()
    curriculum_demo.load()
    demo_students()
    demo_journal.load()
    demo_exams()
    wbl_demo.load()
    pl8 = Institution.objects.get(inn="00307199510011")
    workshop = WblBase.objects.get(institution=pl8)
    assert workshop.kind == WblBase.Kind.WORKSHOP and workshop.places == 14 and workshop.head is not None
    assert workshop.specialties.count() == 1 and workshop.host.kind == "own_base"
    at_workshop = Placement.objects.filter(employer=workshop.host)
    assert at_workshop.count() == 13 and set(at_workshop.values_list("status", flat=True)) == {"closed"}
    assert not at_workshop.exclude(agreement=None).exists()
    appointment = Order.objects.get(employer=workshop.host, kind="mentor", status="signed")
    assert appointment.signatory_name == str(workshop.head) and appointment.signed_outside
    grades = ComponentGrade.objects.filter(component__code="ӨО", student__group__name="ЭГС-23")
    assert grades.count() == 13 and set(grades.values_list("place", flat=True)) == {workshop.name}
    programme = WblProgramme.objects.get(institution=pl8)
    assert (programme.status, programme.version) == (WblProgramme.Status.PUBLISHED, 1) and programme.published_on
