"""Demo partnership of Lyceum No. 8: the welders' host employers' needs for 2025–2026 and two evaluations of 2024–2025.

The three employers that hosted ЭГС-23's production practice say how many welders they need next
year and how many learners they can take for WBL (п. 4, 6); two of them evaluate how the 2024–2025
WBL programme was carried out at their base (п. 57 item 8) on Kesip's criteria. Through the same
services as the pages (`user=None`: the system acts; the evaluation names the employer's head). Idempotent.
"""

import datetime

from kesip.core.models import Employer, StudyGroup
from kesip.wbl import partnership
from kesip.wbl.models import EmployerEvaluation, EmployerNeed, EmployerPerson, Placement, WblProgramme

D = datetime.date
# Per host (in the order of their names): specialists needed, WBL places, what they expect, how it was collected.
NEEDS = [
    (4, 3, "MMA жана MIG/MAG ширетүү, чиймени окуу, коопсуздук эрежелери.", "survey"),
    (2, 2, "Түтүктөрдү ширетүү, жоопкерчилик жана тартип.", "meeting"),
    (3, 4, "Айыл чарба техникасын оңдоо, газ менен кесүү.", "request"),
]
EVALUATIONS = [
    ([5, 4, 5, 4, 4, 5], "Билим алуучулар тез үйрөнүштү, насаатчылар менен байланыш жакшы болду.",
     "Эмгекти коргоо боюнча нускамалардын документтери кечигип келди.", "Практиканын башында бир күндүк таанышуу өткөрүү."),
    ([4, 3, 4, 5, 3, 4], "Практиканын жетекчиси ар жумада келип турду.",
     "Айрым билим алуучулар чиймени начар окушат.", "Программага чийме окуу боюнча 6 саат кошуу."),
]  # fmt: skip


def load(pl8):
    if EmployerNeed.objects.filter(institution=pl8).exists():
        return
    group = StudyGroup.objects.filter(institution=pl8, name="ЭГС-23").select_related("programme__specialty").first()
    if group is None:
        return
    specialty = group.programme.specialty
    host_ids = Placement.objects.filter(institution=pl8, group=group, employer__isnull=False).values("employer_id")
    hosts = list(Employer.objects.filter(pk__in=host_ids).order_by("name"))
    for employer, (headcount, places, expectations, source) in zip(hosts, NEEDS, strict=False):
        partnership.save_need(
            EmployerNeed(
                institution=pl8, employer=employer, specialty=specialty, academic_year=2025, headcount=headcount,
                wbl_places=places, expectations=expectations, source=source, collected_on=D(2025, 9, 12),
            ),
            None,
        )  # fmt: skip
    programme = WblProgramme.objects.filter(institution=pl8, academic_year=2024).order_by("pk").first()
    for employer, (scores, strengths, problems, proposals) in zip(hosts, EVALUATIONS, strict=False):
        head = EmployerPerson.objects.filter(employer=employer, is_head=True, is_active=True).first()
        partnership.save_evaluation(
            EmployerEvaluation(
                institution=pl8, employer=employer, programme=programme, academic_year=2024, filled_by=head,
                filled_on=D(2025, 6, 6), answers=dict(zip(partnership.CRITERIA_CODES, scores, strict=True)),
                strengths=strengths, problems=problems, proposals=proposals,
            ),
            None,
        )  # fmt: skip
