"""Demo of Vocational Lyceum No. 8's own WBL base (F1; п. 3, п. 10) and the published WBL programme (§9.4).

Through the services, as a user would: the welding workshop of the lyceum, headed by its master of
industrial training, for the welders' profession; the approved WBL programme of ЭГС-23 published.
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
        places=12,
        equipment=(
            "12 ширетүү посту (инвертордук аппараттар), 2 жарым автомат, газ менен кесүүчү пост, "
            "желдеткич системасы, жеке коргонуу каражаттары"
        ),
    )
    bases.save_base(workshop, admin, [wbl_programme.programme.specialty])
    programmes.publish(wbl_programme, admin, on=datetime.date(2025, 1, 31))
    return workshop
