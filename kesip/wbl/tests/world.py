"""One WBL record of every kind for a test tenant (see `kesip/conftest.py`), and its outside users.

`add_wbl(t)` adds to the tenant namespace `t`: the host employer's head, representative and mentor
(with a mentor login), a local document, a workplace, a signed agreement with its roster,
signatures and an amendment, a WBL programme with a row of each section table, an active practice
placement with a briefing, a diary entry and an assessment, a signed referral order, a monitoring
visit, a volunteer recognition, an internship with its certificate, an annual report with an
employer's agreement and a WBL event (a competition with attendance and a juror); a graduate's employment, a
mentor's training need and an upgrading programme with an enrolment; and logins for the mentor, the employer's
representative and the student.
"""

import datetime
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.documents.models import IssuedDocument
from kesip.wbl import models as m


def add_wbl(t):
    inst, employer, student = t.institution, t.employer, t.student
    t.employer_rep_user = f.member(Role.EMPLOYER_REP, institution=inst, employer=employer)
    t.mentor_user = f.member(Role.MENTOR, institution=inst, employer=employer)
    t.student_user = f.member(Role.STUDENT, institution=inst)
    student.user = t.student_user
    student.save(update_fields=["user"])
    t.head_person = m.EmployerPerson.objects.create(
        institution=inst, employer=employer, last_name="Башчы", first_name="Бакыт", position="Директор", is_head=True
    )
    t.person = m.EmployerPerson.objects.create(
        institution=inst,
        employer=employer,
        last_name="Устатов",
        first_name="Нурлан",
        position="Мастер",
        is_mentor=True,
        is_representative=True,
        user=t.mentor_user,
        experience_years=12,
    )
    t.localdoc = m.LocalDocument.objects.create(institution=inst, employer=employer, kind="safety", title="Коопсуздук эрежелери")
    t.workplace = m.Workplace.objects.create(
        institution=inst,
        employer=employer,
        title="Ширетүү цехи",
        places=5,
        available_from=datetime.date(2025, 2, 1),
        available_to=datetime.date(2025, 6, 30),
        safety_compliant=True,
    )
    t.agreement = m.Agreement.objects.create(
        institution=inst,
        employer=employer,
        kind="wbl",
        form="practice",
        number=f"ЖО-{inst.pk}",
        concluded_on=datetime.date(2025, 1, 15),
        starts_on=datetime.date(2025, 1, 15),
        ends_on=datetime.date(2026, 1, 14),
        places=5,
        theory_percent=40,
        practice_percent=60,
        agreed_programme="Өндүрүштүк практиканын программасы",
        status="active",
        signed_on=datetime.date(2025, 1, 20),
    )
    t.agreement.specialties.add(t.specialty)
    t.roster = t.agreement.roster.create(institution=inst, student=student)
    t.signature = t.agreement.signatures.create(
        institution=inst, party="institution", signatory="Директор", signed_on=datetime.date(2025, 1, 20)
    )
    t.agreement.signatures.create(institution=inst, party="employer", signatory="Башчы Б.", signed_on=datetime.date(2025, 1, 20))
    t.amendment = t.agreement.amendments.create(
        institution=inst,
        number=1,
        signed_on=datetime.date(2025, 2, 1),
        effective_from=datetime.date(2025, 2, 1),
        text="Орундардын саны 5",
        changes={"places": [4, 5]},
    )
    t.wblprogramme = m.WblProgramme.objects.create(
        institution=inst, programme=t.programme, form="practice", co_developer=employer, academic_year=2024, goal="Максат"
    )
    t.wblprogramme.outcomes.add(t.competency)
    t.loadrow = t.wblprogramme.load_rows.create(
        institution=inst, semester=2, activity="practice", practice_type="production", component=t.component, hours=48, credits=2
    )
    t.contentrow = t.wblprogramme.content_rows.create(
        institution=inst,
        practice_type="production",
        competency=t.competency,
        topic="Ширетүү",
        hours=48,
        environment="Цех",
        equipment="Ширетүү аппараты",
    )
    t.rubricitem = t.wblprogramme.rubric.create(institution=inst, method="practical_task", level="5", descriptor="Эң жакшы")
    t.rubricitem.competencies.add(t.competency)
    t.placement = m.Placement.objects.create(
        institution=inst,
        form="practice",
        practice_type="production",
        student=student,
        group=t.group,
        component=t.component,
        employer=employer,
        workplace=t.workplace,
        agreement=t.agreement,
        starts_on=datetime.date(2025, 3, 3),
        ends_on=datetime.date(2025, 3, 29),
        hours=48,
        supervisor=t.staff,
        mentor=t.person,
        status="active",
        consent_by="learner",
        consent_on=datetime.date(2025, 2, 10),
    )
    t.briefing = t.placement.briefings.create(
        institution=inst, kind="institution", held_on=datetime.date(2025, 3, 1), conducted_by="Практика жетекчиси"
    )
    t.diaryentry = t.placement.diary.create(
        institution=inst, date=datetime.date(2025, 3, 4), task="Ширетүү", work_done="Тигиш", hours=6, status="submitted"
    )
    t.visit = m.MonitoringVisit.objects.create(
        institution=inst, employer=employer, visited_on=datetime.date(2025, 3, 12), visitor=t.staff, findings="Баары жакшы"
    )
    t.visit.placements.add(t.placement)
    t.order = m.Order.objects.create(
        institution=inst,
        kind="referral",
        year=2025,
        number="1-П",
        dated=datetime.date(2025, 2, 25),
        title="Практикага жөнөтүү",
        status="signed",
        signed_on=datetime.date(2025, 2, 25),
    )
    t.orderline = t.order.lines.create(
        institution=inst,
        placement=t.placement,
        learner_name=str(student),
        employer_name=employer.name,
        practice_type="production",
        starts_on=t.placement.starts_on,
        ends_on=t.placement.ends_on,
    )
    t.volunteer = m.VolunteerRecognition.objects.create(
        institution=inst,
        student=student,
        organisation=employer,
        activity="Волонтердук иш",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2025, 4, 30),
        hours=40,
        practice_type="educational",
    )
    t.internship = m.Placement.objects.create(
        institution=inst,
        form="internship",
        intern_staff=t.staff,
        employer=employer,
        starts_on=datetime.date(2025, 6, 2),
        ends_on=datetime.date(2025, 6, 13),
        intern_category="teacher",
        internship_type="production",
        internship_mode="targeted",
        individual_programme="Тапшырмалар",
        programme_agreed_on=datetime.date(2025, 5, 20),
        status="closed",
        outcome="successful",
    )
    t.certificate = m.Certificate.objects.create(
        institution=inst,
        placement=t.internship,
        number=f"С-{inst.pk}",
        issued_on=datetime.date(2025, 6, 14),
        letterhead="institution",
    )
    t.closed_placement = m.Placement.objects.create(
        institution=inst,
        form="practice",
        practice_type="educational",
        student=student,
        group=t.group,
        employer=employer,
        starts_on=datetime.date(2024, 11, 4),
        ends_on=datetime.date(2024, 11, 29),
        supervisor=t.staff,
        mentor=t.person,
        status="closed",
        review="Жакшы",
        characterisation="Тартиптүү",
    )
    t.assessment = m.Assessment.objects.create(
        institution=inst, placement=t.closed_placement, assessed_on=datetime.date(2024, 12, 2), method="practical_task", value=4
    )
    t.assessment.institution_assessors.add(t.staff)
    t.assessment.employer_assessors.add(t.person)
    t.report = m.AnnualReport.objects.create(institution=inst, academic_year=2024, recommendations="Сунуштар")
    t.reportagreement = t.report.agreements.create(institution=inst, employer=employer)
    from kesip.core.models import StudentRepresentative

    t.representative = StudentRepresentative.objects.create(
        institution=inst, student=t.placement.student, full_name="Ата-эне", relation="father", email=f"ata{inst.pk}@example.kg"
    )
    t.measure = m.ImprovementMeasure.objects.create(institution=inst, report=t.report, text="Семинар", responsible="Бөлүм")
    t.settings = m.WblSettings.objects.create(institution=inst)
    t.event = m.WblEvent.objects.create(
        institution=inst,
        title="Ширетүүчүлөрдүн сынагы",
        kind="competition",
        stage="7.2b",
        starts_on=datetime.date(2025, 4, 18),
        hours=6,
        group=t.group,
        component=t.component,
        employer=employer,
    )
    t.attendance = t.event.attendance.create(institution=inst, student=student, present=True)
    t.juror = t.event.jury.create(institution=inst, employer=employer, full_name="Башчы Бакыт", position="Директор")
    t.parttime = m.PartTimeJob.objects.create(
        institution=inst,
        student=student,
        employer=employer,
        position="Ширетүүчүнүн жардамчысы",
        when="free_time",
        starts_on=datetime.date(2025, 4, 1),
        ends_on=datetime.date(2025, 4, 30),
        hours_per_week=12,
    )
    t.incentive = m.Incentive.objects.create(
        institution=inst,
        kind="moral_reward",
        employer=employer,
        placement=t.placement,
        reason="Тыкан тигиштер",
        proposed_by=t.person,
        proposed_on=datetime.date(2025, 3, 20),
    )
    t.mentor_request = m.MentorRequest.objects.create(
        institution=inst,
        kind="specialist",
        mentor=t.person,
        placement=t.placement,
        specialist=t.head_person,
        scope="Газ менен кесүү",
        requested_on=datetime.date(2025, 3, 10),
    )
    # Outcomes: a graduate working at the host employer, a mentor's training need, a programme with an enrolment.
    t.graduate = student  # the record is made directly: the fixture needs one per tenant, not another student
    t.employment = m.GraduateEmployment.objects.create(
        institution=inst, student=t.graduate, outcome="employed", employer=employer, position="Ширетүүчү",
        in_profession=True, starts_on=datetime.date(2025, 7, 1),
    )  # fmt: skip
    t.upgrading = m.UpgradingProgramme.objects.create(
        institution=inst, title="Насаатчылык", audience="both", hours=24, starts_on=datetime.date(2025, 10, 6),
        ends_on=datetime.date(2025, 10, 10), places=10,
    )  # fmt: skip
    t.trainingneed = m.TrainingNeed.objects.create(
        institution=inst, mentor=t.person, topic="Насаатчылык", academic_year=2025, status="planned", programme=t.upgrading
    )
    t.enrolment = m.UpgradingEnrolment.objects.create(institution=inst, programme=t.upgrading, mentor=t.person)
    # Partnership: the employer's need for the group's profession, and its evaluation of the WBL programme.
    t.need = m.EmployerNeed.objects.create(
        institution=inst, employer=employer, specialty=t.programme.specialty, academic_year=2025, headcount=4,
        wbl_places=3, collected_on=datetime.date(2025, 9, 15),
    )  # fmt: skip
    t.evaluation = m.EmployerEvaluation.objects.create(
        institution=inst, employer=employer, programme=t.wblprogramme, academic_year=2024, filled_by=t.head_person,
        filled_on=datetime.date(2025, 6, 20), score="4.00",
        answers={"programme_relevance": 4, "learners_preparation": 4, "cooperation": 4, "supervisor_support": 4,
                 "organisation": 4, "results": 4},
    )  # fmt: skip
    # The institution's own WBL base (F1): a training workshop.
    t.base = m.WblBase.objects.create(institution=inst, kind="workshop", name="Окуу устаканасы", places=12)
    t.base.specialties.add(t.programme.specialty)
    # The institution's briefing of the employer's mentor on conducting WBL (п. 56 item 4).
    t.employer_briefing = m.EmployerBriefing.objects.create(
        institution=inst,
        employer=employer,
        held_on=datetime.date(2025, 2, 10),
        conducted_by=t.staff,
        topics="Жумуш ордунда окутуунун тартиби",
    )
    t.employer_briefing.attendees.add(t.person)
    # The employer's letterhead (F2), printed on the documents it issues.
    t.letterhead = m.EmployerLetterhead.objects.create(institution=inst, employer=employer, details="Тел.: 0312 000 000")
    # The year's plan of measures supporting the educational process, developed with the employer (п. 56 item 1).
    t.support_measure = m.SupportMeasure.objects.create(
        institution=inst, academic_year=2024, text="Насаатчылардын семинары", responsible="Методист", employer=employer
    )
    # The first print of the signed order, kept in the register of issued documents.
    printed = b"%PDF-1.4 the order as first printed"
    t.issued_document = IssuedDocument.objects.create(
        institution=inst, kind="order", title="Буйрук", number=t.order.number, language="ru", fmt="pdf",
        content_type=ContentType.objects.get_for_model(m.Order), object_id=t.order.pk,
        file=ContentFile(printed, name="order.pdf"), sha256=hashlib.sha256(printed).hexdigest(), size=len(printed),
    )  # fmt: skip
    return t
