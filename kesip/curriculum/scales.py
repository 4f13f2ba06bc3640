"""The default grading scales of both countries, as data (issue 3: "grading scales are data").

Installed by migration 0004 and again after every migrate or test-database flush (post_migrate),
so a country always has its default scale. A scale that exists is left as it is: its bands
are data an administrator may correct (see the note on the KZ bands).
"""

from decimal import Decimal as D

KZ_BANDS = [
    # letter, from, to, GPA points, traditional grade
    ("A", 95, 100, "4.00", 5),
    ("A-", 90, 94, "3.67", 5),
    ("B+", 85, 89, "3.33", 4),
    ("B", 80, 84, "3.00", 4),
    ("B-", 75, 79, "2.67", 4),
    ("C+", 70, 74, "2.33", 3),
    ("C", 65, 69, "2.00", 3),
    ("C-", 60, 64, "1.67", 3),
    ("D+", 55, 59, "1.33", 3),
    ("D", 50, 54, "1.00", 3),
    ("F", 0, 49, "0.00", 2),
]
KG_BANDS = [("5", 5, 5, "5.00", 5), ("4", 4, 4, "4.00", 4), ("3", 3, 3, "3.00", 3), ("2", 2, 2, "2.00", 2)]


def install(apps, schema_editor=None):
    Scale = apps.get_model("curriculum", "GradingScale")
    Band = apps.get_model("curriculum", "GradeBand")
    kz, kz_new = Scale.objects.get_or_create(
        code="kz-100-letter",
        defaults=dict(
            jurisdiction="KZ",
            name_en="100-point scale with letter grades and GPA 4.0",
            name_ru="100-балльная шкала с буквенными оценками и GPA 4,0",
            name_ky="Тамгалуу баалар жана GPA 4,0 менен 100 баллдык шкала",
            name_kk="Әріптік бағалары және GPA 4,0 бар 100 балдық шкала",
            min_value=D(0),
            max_value=D(100),
            is_default=True,
            source="MES RK Order No. 125 of 18.03.2008 (typical rules of current control and attestation)",
            note=(
                "The bands follow the letter scale widely published for Kazakhstan's credit technology "
                "(requirement extract 004, Appendix B). They were not verified against the TVET text of "
                "Order 125 as amended; check them against the order in force before relying on them."
            ),
        ),
    )
    kg, kg_new = Scale.objects.get_or_create(
        code="kg-5-point",
        defaults=dict(
            jurisdiction="KG",
            name_en="Five-point scale",
            name_ru="Пятибалльная шкала",
            name_ky="Беш баллдык шкала",
            name_kk="Бес балдық шкала",
            min_value=D(2),
            max_value=D(5),
            is_default=True,
            source="",
            note=(
                "The customary five-point scale (5 excellent, 4 good, 3 satisfactory, 2 fail). None of "
                "Kesip's source documents states it; GPA on this scale is the weighted mean mark."
            ),
        ),
    )
    for scale, bands, new in ((kz, KZ_BANDS, kz_new), (kg, KG_BANDS, kg_new)):
        if not new and scale.bands.exists():
            continue
        for letter, low, high, points, traditional in bands:
            Band.objects.create(
                scale=scale,
                letter=letter,
                min_value=D(low),
                max_value=D(high),
                points=D(points),
                traditional=traditional,
                passed=traditional > 2,
            )


def on_post_migrate(sender, **kwargs):
    from django.apps import apps

    install(apps)
