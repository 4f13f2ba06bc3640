"""Demo of part-time work, rewards and mentors' requests at Vocational Lyceum No. 8 (ЭГС-23 welders, 2024–2025).

Through the same services as the pages, as the people who would act (`user=None` is the system acting
for the person named on the record): the mentor Эсенов asks the director Султанов to involve the
labour-protection engineer Абдиева in his learners' practice (approved, so she shows on their
placement pages, п. 58 item 9); Эсенов proposes a gratitude for one of his learners and the
director approves it (п. 58 item 11); and that learner works at the company in the summer vacation,
18 hours a week (п. 13, within the limit for a minor too), within the holidays of the group's approved calendar.
"""

import datetime

from kesip.wbl import engagement
from kesip.wbl.models import Decision, EmployerPerson, Incentive, MentorRequest, PartTimeJob, Placement

D = datetime.date
COMPANY = "ОсОО «Кызыл-Кыя Металл Курулуш»"


def load_engagement(pl8):
    """Once per lyceum: nothing is loaded again when the company already has a mentor's request."""
    people = {p.last_name: p for p in EmployerPerson.objects.filter(institution=pl8, employer__name=COMPANY)}
    mentor, head, engineer = people.get("Эсенов"), people.get("Султанов"), people.get("Абдиева")
    if not (mentor and head and engineer) or MentorRequest.objects.filter(mentor=mentor).exists():
        return
    request = engagement.save_request(
        MentorRequest(
            kind=MentorRequest.Kind.SPECIALIST,
            mentor=mentor,
            specialist=engineer,
            scope="Бийиктикте жана жабык идиштерде ширетүү иштеринде эмгекти коргоо боюнча практикалык сабактар; "
            "газ баллондору менен иштөөнү көрсөтүү.",
        ),
        None,
        on=D(2025, 2, 18),
    )
    engagement.decide_request(request, Decision.APPROVED, None, note="Макул, жумасына бир жолу.", on=D(2025, 2, 19), head=head)

    placement = (
        Placement.objects.filter(institution=pl8, mentor=mentor, form="practice")
        .select_related("student", "employer")
        .order_by("student__last_name", "pk")
        .first()
    )
    if placement is None:
        return
    reward = engagement.propose(
        Incentive(
            kind=Incentive.Kind.MORAL_REWARD,
            placement=placement,
            proposed_by=mentor,
            reason="Практика учурунда металл конструкциялардын тигиштерин сапаттуу жана тыкан аткарганы, эмгек тартибин "
            "так сактаганы үчүн ыраазычылык кат.",
        ),
        None,
        on=D(2025, 5, 12),
    )
    engagement.decide(reward, Decision.APPROVED, None, note="Ыраазычылык кат тапшырылсын.", on=D(2025, 5, 14), head=head)

    engagement.save_job(
        PartTimeJob(
            institution=pl8,
            student=placement.student,
            employer=placement.employer,
            position="Электр-газ ширетүүчүнүн жардамчысы",
            contract_number="ТЭ-07/2025",
            when=PartTimeJob.When.VACATION,
            starts_on=D(2025, 7, 1),
            ends_on=D(2025, 8, 15),
            hours_per_week=18,
            paid=True,
        ),
        None,
    )
