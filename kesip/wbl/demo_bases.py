"""Demo of Vocational Lyceum No. 8's own WBL base (F1; п. 3, п. 10) and the published WBL programme (§9.4).

Through the services, as a user would: the welding workshop of the lyceum, headed by its master of
industrial training, for the welders' profession; the approved WBL programme of ЭГС-23 published.
In November–December 2024 the whole group does its industrial training (ӨО) at the workshop, with
no agreement (п. 3): the welding-technology teacher is the base's mentor (`pl8.workshop`), appointed
by the head of the workshop (п. 10); the placements run to the grade in the journal.
"""

import datetime

from kesip.core.models import StaffMember
from kesip.wbl import bases, programmes
from kesip.wbl.models import WblBase


def load(pl8, admin, wbl_programme):
    head = (
        StaffMember.objects.filter(institution=pl8, category=StaffMember.Category.MASTER, is_active=True)
        .order_by("last_name", "pk")
        .first()
    )
    workshop = WblBase(
        institution=pl8,
        kind=WblBase.Kind.WORKSHOP,
        name="Ширетүү окуу-өндүрүштүк устаканасы",
        head=head,
        address="Кызыл-Кыя ш., лицейдин окуу корпусу, 1-кабат",
        places=14,
        equipment=(
            "14 орун: 12 ширетүү посту (инвертордук аппараттар), 2 жарым автомат, газ менен кесүүчү пост, "
            "желдеткич системасы, жеке коргонуу каражаттары"
        ),
    )
    bases.save_base(workshop, admin, [wbl_programme.programme.specialty])
    programmes.publish(wbl_programme, admin, on=datetime.date(2025, 1, 31))
    return workshop


TRAINING_FROM, TRAINING_TO = datetime.date(2024, 11, 4), datetime.date(2024, 12, 14)
BASE_DOCUMENTS = [
    ("internal_rules", "Устакананын ички тартип эрежелери",
     "Сабак 8:00–14:00, ар бир постто жеке коргонуу каражаттары менен гана иштөө."),
    ("safety", "Устаканада ширетүү иштериндеги эмгекти коргоо боюнча нускама",
     "Электр коопсуздугу, желдетүү, өрткө каршы чаралар."),
]  # fmt: skip
REVIEW = (
    "{name} устаканадагы өндүрүштүк окутуунун программасын аткарды: постту даярдоо, электрод тандоо, "
    "пластиналарды төмөнкү абалда учма-уч жана бурчтук тигиш менен ширетүү. Коопсуздук эрежелерин сактады."
)
CHARACTERISATION = "{name} сабакка үзгүлтүксүз катышты, тапшырмаларды тыкан аткарат, жабдууга аяр мамиле кылат."


def training_at_workshop(pl8, workshop, group, students, master, head, user, programme, rng):
    """ЭГС-23's industrial training at the lyceum's workshop, from the list to the grade (п. 3, п. 10, п. 14)."""
    from kesip.core.demo import DEMO_PASSWORD
    from kesip.core.models import Membership, User
    from kesip.core.roles import Role
    from kesip.curriculum.models import Component
    from kesip.wbl import diary, employers, orders, placement_rules, placements
    from kesip.wbl.demo import _aware, _grade, _keep_diary, _parent
    from kesip.wbl.models import AssessmentMethod, Briefing, LocalDocument, Placement, Workplace

    mentor_staff = StaffMember.objects.get(institution=pl8, last_name="Орозбаев", first_name="Талант")
    account, created = User.objects.get_or_create(
        username="pl8.workshop", defaults=dict(first_name="Талант", last_name="Орозбаев", email="pl8.workshop@demo.kesip.kg")
    )
    if created:
        account.set_password(DEMO_PASSWORD)
        account.save()
    Membership.objects.get_or_create(user=account, role=Role.TEACHER, institution=pl8)
    mentor_staff.user = account
    mentor_staff.save(update_fields=["user"])
    mentor = bases.add_mentor(workshop, mentor_staff, user, qualification="Ширетүүчү, 5-разряд", experience_years=14)
    host = workshop.host
    for kind, title, summary in BASE_DOCUMENTS:
        employers.save_document(
            LocalDocument(
                institution=pl8, employer=host, kind=kind, title=title, summary=summary, approved_on=datetime.date(2024, 8, 28)
            ),
            user,
        )
    workplace = Workplace(
        institution=pl8, employer=host, title="Ширетүү посттору", specialty=programme.programme.specialty,
        profession="Электр-газ ширетүүчү", places=14, available_from=datetime.date(2024, 9, 2),
        available_to=datetime.date(2025, 6, 30), safety_compliant=True, safety_checked_on=datetime.date(2024, 8, 30),
        equipment="Инвертордук ширетүү аппараттары, желдеткич, жеке коргонуу каражаттары",
    )  # fmt: skip
    employers.save_workplace(workplace, user)

    order = orders.prepare_supervisor([(group, master, TRAINING_FROM, TRAINING_TO)], user, dated=datetime.date(2024, 10, 28))
    orders.sign(order, head, signed_on=datetime.date(2024, 10, 28))
    component = Component.objects.get(module__programme=group.programme, code="ӨО")
    # The labour law for minors (F37): a learner under 16 trains 4 hours a day, 24 a week; the others 6 and 36.
    young = {s.pk for s in students if s.birth_date and placement_rules.age_on(s.birth_date, TRAINING_FROM) < 16}
    rows = [
        dict(student=s, employer=host, workplace=workplace, mentor=mentor, legal_representative=_parent(s),
             hours=144 if s.pk in young else 216)
        for s in students
    ]  # fmt: skip
    common = dict(
        form="practice", component=component, practice_type="educational", starts_on=TRAINING_FROM, ends_on=TRAINING_TO,
        hours=216, supervisor=master, consent_by="representative", consent_on=datetime.date(2024, 10, 25),
    )  # fmt: skip
    placed, _warnings = placements.place_group(group, rows, user, common)
    placements.agree_roster(placed, datetime.date(2024, 10, 29), user)
    # The head of the workshop appoints its mentor (п. 10); the director refers the group (п. 29).
    appointment = orders.prepare_mentor(host, placed, user, dated=datetime.date(2024, 10, 30))
    orders.sign(appointment, user, signatory_position="Ширетүү окуу-өндүрүштүк устаканасынын башчысы",
                signed_on=datetime.date(2024, 10, 30), production_head=True)  # fmt: skip
    referral = orders.prepare_referral(placed, user, dated=datetime.date(2024, 10, 31))
    orders.sign(referral, head, signed_on=datetime.date(2024, 10, 31))
    docs = list(LocalDocument.objects.filter(employer=host))
    ps = [Placement.objects.get(pk=p.pk) for p in placed]
    for kind, who, hour in ((Briefing.Kind.INSTITUTION, master, 9), (Briefing.Kind.SAFETY, workshop.head, 10)):
        diary.record_group_briefing(ps, kind, user, held_on=TRAINING_FROM, conducted_by=str(who), acknowledged=True,
                                    now=_aware(TRAINING_FROM, hour))  # fmt: skip
    diary.record_group_briefing(ps, Briefing.Kind.LOCAL_DOCUMENTS, user, held_on=TRAINING_FROM, conducted_by=str(workshop.head),
                                documents=docs, acknowledged=True, now=_aware(TRAINING_FROM, 11))  # fmt: skip
    for p in placed:
        p = Placement.objects.get(pk=p.pk)
        if p.status == Placement.Status.ORDERED:
            diary.brief(p, user)
        diary.start(Placement.objects.get(pk=p.pk), user, on=TRAINING_FROM)
    for p in placed:
        p = Placement.objects.select_related("mentor__user", "student").get(pk=p.pk)
        _keep_diary(p, master, rng, hours=4 if p.student_id in young else 6)
        name = f"{p.student.last_name} {p.student.first_name}"
        grade = _grade(p)
        diary.complete(p, account, review=REVIEW.format(name=name), characterisation=CHARACTERISATION.format(name=name),
                       recommended_grade=grade, on=TRAINING_TO)  # fmt: skip
        competencies = diary.competencies_for(p)
        diary.assess(
            Placement.objects.get(pk=p.pk), user, assessed_on=datetime.date(2024, 12, 16), method=AssessmentMethod.PRACTICAL_TASK,
            value=grade, institution_assessors=[master], employer_assessors=[mentor],
            results={c.pk: (True, "") for c in competencies}, today=datetime.date(2024, 12, 16),
            comment="Практикалык тапшырма: пластиналарды төмөнкү абалда ширетүү.",
        )  # fmt: skip
        diary.close(Placement.objects.get(pk=p.pk), user, on=datetime.date(2024, 12, 17))
    return placed
