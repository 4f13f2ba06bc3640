"""Curriculum demo data: the classifier's qualifications and two designed programmes.

- Lyceum No. 8, 7212 “Electric and gas welder”: the hour structure of the accreditation report
  (programme-accreditation-kg.md §6.12): general education 1768 h, professional cycle 388 h,
  industrial training 412 h, production practice 432 h, 3000 h in all; registered.
- Almaty Polytechnic College, 07150100 “Welding” after grade 9: 180 credits with the 60-credit
  general-education module, three basic modules and professional modules for two worker
  qualifications; registered. Its software programme stays a draft, so the checks show.
- The qualifications the 2022 classifier change removed (educational-process-kz.md T4), valid
  for existing cohorts until 15.07.2025.
- Approved 2024–2025 calendar schedules: Lyceum No. 8's ЭГС-23 (year 2, industrial training and
  production practice as the working curriculum lays them out) and APC's ДС-24-1 (year 1).

Loaded by `load_demo` after the core demo; idempotent.
"""

import datetime
from decimal import Decimal

from django.db import transaction

from kesip.core.models import Employer, Institution, Programme, Specialty
from kesip.curriculum.models import Competency, Component, Module, Qualification

REMOVED_ON = datetime.date(2025, 7, 15)
REMOVAL_BASIS = "Order No. 500 of 27.09.2018 as amended; Law No. 141-VII of 14.07.2022"

# (jurisdiction, specialty code, code, kind, ky, ru, kk, en, in force)
QUALIFICATIONS = [
    ("KG", "7212", "7212.2-3", "worker", "Электр жана газ менен ширетүүчү, 2–3-разряд", "Электрогазосварщик 2–3 разряда",
     "Электргазбен дәнекерлеуші, 2–3 разряд", "Electric and gas welder, grade 2–3", True),
    ("KG", "7531", "7531.2-3", "worker", "Тигүүчү, 2–3-разряд", "Швея 2–3 разряда", "Тігінші, 2–3 разряд",
     "Seamstress, grade 2–3", True),
    ("KG", "7231", "7231.2-3", "worker", "Автоунааларды оңдоочу слесарь, 2–3-разряд", "Слесарь по ремонту автомобилей 2–3 разряда",
     "Автомобильдерді жөндеу слесарі, 2–3 разряд", "Car-repair fitter, grade 2–3", True),
    ("KG", "5120", "5120.3", "worker", "Ашпоз, 3-разряд", "Повар 3 разряда", "Аспаз, 3 разряд", "Cook, grade 3", True),
    ("KG", "2514", "2514.T", "mid_level", "Техник-программист", "Техник-программист", "Техник-бағдарламашы",
     "Software technician", True),
    ("KZ", "07150100", "3W07150101", "worker", "Электр-газ ширетүүчү", "Электрогазосварщик", "Электргазбен дәнекерлеуші",
     "Electric and gas welder", True),
    ("KZ", "07150100", "3W07150102", "worker", "Жарым автоматтык ширетүүчү", "Сварщик полуавтоматической сварки",
     "Жартылай автоматты дәнекерлеуші", "Semi-automatic welder", True),
    ("KZ", "07150100", "4S07150103", "mid_level", "Техник-механик", "Техник-механик", "Техник-механик",
     "Mechanical technician", True),
    ("KZ", "06130100", "3W06130101", "worker", "ЭЭМ оператору", "Оператор ЭВМ", "ЭЕМ операторы", "Computer operator", True),
    ("KZ", "06130100", "4S06130103", "mid_level", "Программалык камсыздоо боюнча техник", "Техник программного обеспечения",
     "Бағдарламалық қамтамасыз ету технигі", "Software technician", True),
    # Removed in 2022 (educational-process-kz.md §6, T4).
    ("KZ", "01120100", "3W01120101", "worker", "Тарбиячынын жардамчысы", "Помощник воспитателя", "Тәрбиешінің көмекшісі",
     "Educator's assistant", False),
    ("KZ", "01130200", "4S01130203", "mid_level", "Билим берүү уюмунун насаатчысы", "Вожатый организации образования",
     "Білім беру ұйымының тәлімгері", "Mentor of an educational organisation", False),
]  # fmt: skip

# Specialties of the removed qualifications, and the removed specialty itself.
KZ_SPECIALTIES = [
    ("01120100", "secondary_vocational", "Мектепке чейинки тарбия жана окутуу", "Дошкольное воспитание и обучение",
     "Мектепке дейінгі тәрбие және оқыту", "Preschool education and training", True),
    ("01130200", "secondary_vocational", "Кошумча билим берүү", "Дополнительное образование", "Қосымша білім беру",
     "Additional education", True),
    ("01140400", "secondary_vocational", "Өзүн-өзү таануу", "Самопознание", "Өзін-өзі тану", "Self-cognition", False),
]  # fmt: skip


def _names(ky, ru, kk, en):
    return {"name_ky": ky, "name_ru": ru, "name_kk": kk, "name_en": en}


def _classifier():
    for code, level, ky, ru, kk, en, active in KZ_SPECIALTIES:
        Specialty.objects.get_or_create(
            jurisdiction="KZ",
            code=code,
            defaults=dict(
                level=level,
                is_active=active,
                valid_until=None if active else REMOVED_ON,
                removal_basis="" if active else "Law No. 141-VII of 14.07.2022, para. 38",
                **_names(ky, ru, kk, en),
            ),
        )
    found = {}
    for jur, spec, code, kind, ky, ru, kk, en, active in QUALIFICATIONS:
        specialty = Specialty.objects.get(jurisdiction=jur, code=spec)
        q, _ = Qualification.objects.get_or_create(
            specialty=specialty,
            code=code,
            defaults=dict(
                kind=kind,
                is_active=active,
                valid_until=None if active else REMOVED_ON,
                removal_basis="" if active else REMOVAL_BASIS,
                **_names(ky, ru, kk, en),
            ),
        )
        found[code] = q
    return found


def _build(programme, qualifications, competencies, modules):
    """Fill an empty programme with its competencies and modules (left alone once it has any)."""
    programme.qualifications.add(*qualifications)
    if programme.modules.exists():
        return
    inst = programme.institution
    comp = {}
    for code, kind, text in competencies:
        comp[code], _ = Competency.objects.get_or_create(
            programme=programme, code=code, defaults=dict(institution=inst, kind=kind, description=text)
        )
    for position, (kind, code, names, extra, parts) in enumerate(modules):
        extra = dict(extra)
        links = extra.pop("competencies", [])
        m = Module.objects.create(
            institution=inst, programme=programme, kind=kind, code=code, position=position, **_names(*names), **extra
        )
        m.competencies.set([comp[c] for c in links])
        for i, (pkind, pcode, pnames, hours, credits, more) in enumerate(parts):
            Component.objects.create(
                institution=inst,
                module=m,
                kind=pkind,
                code=pcode,
                hours=hours,
                credits=credits,
                position=i,
                **_names(*pnames),
                **more,
            )


def _subject(code, ky, ru, kk, en, hours, credits=None, elective=False):
    return ("subject", code, (ky, ru, kk, en), hours, credits, {"is_elective": elective})


def _welding_kg(pl8, quals):
    p = Programme.objects.get(institution=pl8, specialty__code="7212", duration_months=24)
    s = _subject
    general = [
        s("ЖБ.01", "Кыргыз тили", "Кыргызский язык", "Қырғыз тілі", "Kyrgyz language", 136),
        s("ЖБ.02", "Кыргыз адабияты", "Кыргызская литература", "Қырғыз әдебиеті", "Kyrgyz literature", 136),
        s("ЖБ.03", "Орус тили", "Русский язык", "Орыс тілі", "Russian language", 136),
        s("ЖБ.04", "Орус адабияты", "Русская литература", "Орыс әдебиеті", "Russian literature", 68),
        s("ЖБ.05", "Англис тили", "Английский язык", "Ағылшын тілі", "English", 136),
        s("ЖБ.06", "Математика", "Математика", "Математика", "Mathematics", 272),
        s("ЖБ.07", "Физика", "Физика", "Физика", "Physics", 136),
        s("ЖБ.08", "Химия", "Химия", "Химия", "Chemistry", 102),
        s("ЖБ.09", "Биология", "Биология", "Биология", "Biology", 68),
        s("ЖБ.10", "Кыргызстандын тарыхы", "История Кыргызстана", "Қырғызстан тарихы", "History of Kyrgyzstan", 102),
        s("ЖБ.11", "Дүйнө тарыхы", "Всемирная история", "Дүниежүзі тарихы", "World history", 68),
        s("ЖБ.12", "География", "География", "География", "Geography", 68),
        s("ЖБ.13", "Информатика", "Информатика", "Информатика", "Computer science", 68),
        s("ЖБ.14", "Дене тарбия", "Физическая культура", "Дене шынықтыру", "Physical education", 136),
        s("ЖБ.15", "Аскерге чейинки даярдык", "Допризывная подготовка", "Әскерге дейінгі дайындық", "Pre-conscription training", 68),
        s("ЖБ.16", "Адам жана коом", "Человек и общество", "Адам және қоғам", "Man and society", 68),
    ]  # fmt: skip
    professional = [
        s("КЦ.01", "Материал таануу", "Материаловедение", "Материалтану", "Materials science", 60),
        s("КЦ.02", "Чийме окуу", "Чтение чертежей", "Сызбаларды оқу", "Reading drawings", 60),
        s("КЦ.03", "Электротехниканын негиздери", "Основы электротехники", "Электротехника негіздері", "Electrical engineering basics", 48),
        s("КЦ.04", "Ширетүү технологиясы", "Технология сварочных работ", "Дәнекерлеу технологиясы", "Welding technology", 120),
        s("КЦ.05", "Эмгекти коргоо", "Охрана труда", "Еңбекті қорғау", "Occupational safety", 40),
        s("КЦ.06", "Ширетүү жабдуулары", "Сварочное оборудование", "Дәнекерлеу жабдықтары", "Welding equipment", 60),
        ("industrial_training", "ӨО", ("Өндүрүштүк окутуу (устаканада)", "Производственное обучение (в мастерских)",
         "Өндірістік оқыту (шеберханада)", "Industrial training (workshops)"), 412, None, {}),
        ("practice", "ӨП", ("Өндүрүштүк практика", "Производственная практика", "Өндірістік практика", "Production practice"),
         432, None, {"practice_type": "production"}),
    ]  # fmt: skip
    competencies = [
        ("ЖК1", "general", "Эмгекти коргоонун, өрт коопсуздугунун эрежелерин сактоо"),
        ("КК1", "professional", "Кол менен электр догалык ширетүүнү аткаруу"),
        ("КК2", "professional", "Газ менен ширетүүнү жана кесүүнү аткаруу"),
        ("КК3", "professional", "Чиймелерди окуу жана ширетилген бирикмелердин сапатын текшерүү"),
    ]
    _build(
        p,
        [quals["7212.2-3"]],
        competencies,
        [
            ("general", "ЖБ", ("Жалпы билим берүүчү дисциплиналар", "Общеобразовательные дисциплины",
             "Жалпы білім беретін пәндер", "General-education subjects"), {"competencies": ["ЖК1"]}, general),
            ("professional", "КМ", ("Электр жана газ менен ширетүү", "Электрогазосварочные работы",
             "Электргазбен дәнекерлеу жұмыстары", "Electric and gas welding"),
             {"qualification": quals["7212.2-3"], "competencies": ["КК1", "КК2", "КК3"],
              "learning_outcomes": "Ширетүү постун даярдайт\nТөмөн көмүртектүү болоттон жасалган тетиктерди бардык абалда ширетет\n"
                                   "Газ менен кесүүнү аткарат\nШиретилген тигиштин сапатын көз менен текшерет"},
             professional),
        ],
    )  # fmt: skip
    _settle(
        p,
        standard="Кесиптик башталгыч билим берүүнүн мамлекеттик билим берүү стандарты (2019)",
        approved_on=datetime.date(2023, 6, 20),
        submitted_on=datetime.date(2024, 3, 1),
        conclusion_on=datetime.date(2024, 5, 28),
        conclusion="«Сапаттуу билим» агенттигинин эксперттик тобунун корутундусу: программа стандартка жооп берет, "
        "сааттардын түзүмү (1768 + 388 + 412 + 432 = 3000) окуу планына шайкеш. Реестрге киргизүү сунушталат.",
    )
    p.co_developers.add(*Employer.objects.filter(institution=pl8)[:2])
    return p


def _welding_kz(apc, quals):
    p = Programme.objects.get(institution=apc, specialty__code="07150100")
    s = _subject
    c = Decimal
    general = [
        s("ЖБП 01", "Казак тили", "Казахский язык", "Қазақ тілі", "Kazakh language", 144, c(6)),
        s("ЖБП 02", "Казак адабияты", "Казахская литература", "Қазақ әдебиеті", "Kazakh literature", 96, c(4)),
        s("ЖБП 03", "Орус тили жана адабияты", "Русский язык и литература", "Орыс тілі және әдебиеті", "Russian language and literature", 120, c(5)),
        s("ЖБП 04", "Чет тили", "Иностранный язык", "Шетел тілі", "Foreign language", 120, c(5)),
        s("ЖБП 05", "Математика", "Математика", "Математика", "Mathematics", 192, c(8)),
        s("ЖБП 06", "Информатика", "Информатика", "Информатика", "Computer science", 96, c(4)),
        s("ЖБП 07", "Казакстандын тарыхы", "История Казахстана", "Қазақстан тарихы", "History of Kazakhstan", 96, c(4)),
        s("ЖБП 08", "Дене тарбия", "Физическая культура", "Дене шынықтыру", "Physical education", 144, c(6)),
        s("ЖБП 09", "Алгачкы аскердик жана технологиялык даярдык", "Начальная военная и технологическая подготовка",
          "Алғашқы әскери және технологиялық дайындық", "Initial military and technological training", 96, c(4)),
        s("ЖБП 10", "Физика", "Физика", "Физика", "Physics", 120, c(5), True),
        s("ЖБП 11", "Химия", "Химия", "Химия", "Chemistry", 72, c(3), True),
        s("ЖБП 12", "Графика жана долбоорлоо", "Графика и проектирование", "Графика және жобалау", "Graphics and design", 72, c(3), True),
        s("ЖБП 13", "Дүйнө тарыхы", "Всемирная история", "Дүниежүзі тарихы", "World history", 72, c(3), True),
    ]  # fmt: skip

    def practical(kind, code, names, credits, practice_type=""):
        more = {"practice_type": practice_type} if practice_type else {}
        return (kind, code, names, int(credits * 24), c(credits), more)

    training = ("Өндүрүштүк окутуу", "Производственное обучение", "Өндірістік оқыту", "Industrial training")
    production = ("Өндүрүштүк практика", "Производственная практика", "Өндірістік практика", "Production practice")
    competencies = [
        ("БҚ 1", "general", "Дене қасиеттерін дамыту және салауатты өмір салтын ұстану"),
        ("БҚ 2", "general", "Ақпараттық-коммуникациялық және цифрлық технологияларды қолдану"),
        ("БҚ 3", "general", "Экономиканың базалық білімін және кәсіпкерлік негіздерін қолдану"),
        ("КҚ 1", "professional", "Дәнекерлеу жұмыстарына дайындық жүргізу, сызбаларды оқу"),
        ("КҚ 2", "professional", "Қолмен доғалық дәнекерлеуді орындау"),
        ("КҚ 3", "professional", "Жартылай автоматты дәнекерлеуді орындау"),
    ]
    w1, w2 = quals["3W07150101"], quals["3W07150102"]
    _build(
        p,
        [w1, w2],
        competencies,
        [
            ("general", "ЖБП", ("Жалпы билим берүүчү дисциплиналар", "Общеобразовательные дисциплины",
             "Жалпы білім беретін пәндер", "General-education subjects"), {}, general),
            ("basic", "БМ 01", ("Дене сапаттарын өнүктүрүү жана өркүндөтүү", "Развитие и совершенствование физических качеств",
             "Дене қасиеттерін дамыту және жетілдіру", "Development of physical qualities"),
             {"basic_kind": "physical", "competencies": ["БҚ 1"]},
             [s("БМ 01.1", "Дене тарбия", "Физическая культура", "Дене шынықтыру", "Physical education", 96, c(4))]),
            ("basic", "БМ 02", ("МКТ жана санариптик технологияларды колдонуу", "Применение ИКТ и цифровых технологий",
             "АКТ және цифрлық технологияларды қолдану", "ICT and digital technologies"),
             {"basic_kind": "digital", "competencies": ["БҚ 2"]},
             [s("БМ 02.1", "Кесипкөй иштеги маалыматтык технологиялар", "Информационные технологии в профессиональной деятельности",
                "Кәсіби қызметтегі ақпараттық технологиялар", "Information technology at work", 72, c(3))]),
            ("basic", "БМ 03", ("Экономика жана ишкердик негиздери", "Основы экономики и предпринимательства",
             "Экономика және кәсіпкерлік негіздері", "Economics and entrepreneurship"),
             {"basic_kind": "economics", "competencies": ["БҚ 3"]},
             [s("БМ 03.1", "Экономика жана ишкердик негиздери", "Основы экономики и предпринимательства",
                "Экономика және кәсіпкерлік негіздері", "Economics and entrepreneurship", 72, c(3))]),
            ("professional", "КМ 01", ("Ширетүү иштерине даярдоо", "Подготовка к сварочным работам",
             "Дәнекерлеу жұмыстарына дайындық", "Preparing welding work"),
             {"qualification": w1, "competencies": ["КҚ 1"]},
             [s("КМ 01.1", "Материал таануу", "Материаловедение", "Материалтану", "Materials science", 120, c(5)),
              s("КМ 01.2", "Чийме", "Черчение", "Сызу", "Technical drawing", 96, c(4)),
              s("КМ 01.3", "Электротехника", "Электротехника", "Электротехника", "Electrical engineering", 96, c(4)),
              s("КМ 01.4", "Эмгекти коргоо", "Охрана труда", "Еңбекті қорғау", "Occupational safety", 72, c(3)),
              s("КМ 01.5", "Ширетүү технологиясынын негиздери", "Основы технологии сварки", "Дәнекерлеу технологиясының негіздері",
                "Welding technology basics", 96, c(4)),
              practical("industrial_training", "КМ 01.6", training, 15),
              practical("practice", "КМ 01.7", ("Окуу практикасы", "Учебная практика", "Оқу практикасы", "Educational practice"),
                        5, "educational")]),
            ("professional", "КМ 02", ("Кол менен догалык ширетүү", "Ручная дуговая сварка", "Қолмен доғалық дәнекерлеу",
             "Manual arc welding"), {"qualification": w1, "competencies": ["КҚ 2"]},
             [s("КМ 02.1", "Кол менен догалык ширетүүнүн технологиясы", "Технология ручной дуговой сварки",
                "Қолмен доғалық дәнекерлеу технологиясы", "Manual arc welding technology", 240, c(10)),
              practical("industrial_training", "КМ 02.2", training, 10),
              practical("practice", "КМ 02.3", production, 15, "production")]),
            ("professional", "КМ 03", ("Жарым автоматтык ширетүү", "Полуавтоматическая сварка", "Жартылай автоматты дәнекерлеу",
             "Semi-automatic welding"), {"qualification": w2, "competencies": ["КҚ 3"]},
             [s("КМ 03.1", "Жарым автоматтык ширетүүнүн технологиясы", "Технология полуавтоматической сварки",
                "Жартылай автоматты дәнекерлеу технологиясы", "Semi-automatic welding technology", 240, c(10)),
              practical("industrial_training", "КМ 03.2", training, 10),
              practical("practice", "КМ 03.3", ("Диплом алдындагы практика", "Преддипломная практика", "Диплом алдындағы практика",
                        "Pre-diploma practice"), 15, "pre_diploma")]),
        ],
    )  # fmt: skip
    if p.total_hours is None:
        p.total_hours = 4320
        p.save(update_fields=["total_hours"])
    _settle(
        p,
        standard="МЖМБС, ҚР Оқу-ағарту министрінің 03.08.2022 № 348 бұйрығы",
        professional="«Дәнекерлеу өндірісі» кәсіптік стандарты",
        worldskills="WorldSkills Welding",
        approved_on=datetime.date(2024, 6, 14),
        submitted_on=datetime.date(2024, 6, 20),
        conclusion_on=datetime.date(2024, 8, 5),
        conclusion="Сараптамалық топтың оң қорытындысы: білім беру бағдарламасы МЖМБС талаптарына сәйкес, "
        "180 кредит; Тізілімге енгізуге ұсынылады.",
    )
    p.co_developers.add(*Employer.objects.filter(institution=apc, sector="manufacturing"))
    return p


def _settle(p, standard, approved_on, submitted_on, conclusion_on, conclusion, professional="", worldskills=""):
    """The demo programme's passed history: approved, submitted and included in the register."""
    if p.status != Programme.Status.DRAFT:
        return
    p.standard, p.professional_standard, p.worldskills_standard = standard, professional, worldskills
    p.approved_on, p.submitted_on, p.conclusion_on = approved_on, submitted_on, conclusion_on
    p.expert_conclusion = conclusion
    p.status = Programme.Status.REGISTERED
    p.save()


def _layout(programme, intake_year, place):
    """An approved working curriculum for the intake; `place(component)` gives {(year, semester): (hours, remote)}."""
    from kesip.curriculum.models import CurriculumEntry, WorkingCurriculum

    wc, created = WorkingCurriculum.objects.get_or_create(
        programme=programme,
        intake_year=intake_year,
        defaults=dict(institution=programme.institution, status="approved", approved_on=datetime.date(intake_year, 8, 25)),
    )
    if created:
        rows = []
        for c in Component.objects.filter(module__programme=programme).select_related("module"):
            for (year, semester), (hours, remote) in place(c).items():
                rows.append(
                    CurriculumEntry(
                        institution=programme.institution, curriculum=wc, component=c, year=year, semester=semester,
                        hours=hours, distance_hours=remote,
                    )
                )  # fmt: skip
        CurriculumEntry.objects.bulk_create(rows)
    return wc


def _halves(hours, first, second):
    return {first: (hours // 2, 0), second: (hours - hours // 2, 0)}


def _place_kg(c):
    """Lyceum No. 8: general education over both years, the trade from the second semester, practice at the end."""
    if c.module.kind == "general":
        q = c.hours // 4
        return {(1, 1): (q, 0), (1, 2): (q, 0), (2, 1): (q, 0), (2, 2): (c.hours - 3 * q, 0)}
    if c.kind == "practice":
        return {(2, 2): (c.hours, 0)}
    return _halves(c.hours, (1, 2), (2, 1))


def _place_kz(c):
    """APC: general education in year 1 (computer science partly remote), basic and КМ 01–02.1 in year 2, the rest in year 3."""
    if c.module.kind == "general":
        layout = _halves(c.hours, (1, 1), (1, 2))
        if c.code == "ЖБП 06":
            layout[(1, 2)] = (layout[(1, 2)][0], 24)
        return layout
    if c.module.kind == "basic" or c.module.code == "КМ 01" or c.code == "КМ 02.1":
        return _halves(c.hours, (2, 1), (2, 2))
    if c.kind == "practice":
        return {(3, 2): (c.hours, 0)}
    return _halves(c.hours, (3, 1), (3, 2))


@transaction.atomic
def load():
    quals = _classifier()
    pl8 = Institution.objects.get(inn="00307199510011")
    apc = Institution.objects.get(short_name_en="APC")
    welding_kg = _welding_kg(pl8, quals)
    welding_kz = _welding_kz(apc, quals)
    # The other programmes get their qualifications and stay drafts, each with what is still missing.
    software = Programme.objects.get(institution=apc, specialty__code="06130100")
    if not software.qualifications.exists():
        software.qualifications.add(quals["4S06130103"], quals["3W06130101"])
    for p in Programme.objects.filter(institution__in=[pl8, apc]).exclude(pk__in=[welding_kg.pk, welding_kz.pk]):
        if not p.qualifications.exists():
            p.qualifications.add(*[q for q in quals.values() if q.specialty_id == p.specialty_id and q.is_active][:1])
    _layout(welding_kg, 2023, _place_kg)  # group ЭГС-23
    _layout(welding_kz, 2024, _place_kz)  # group ДС-24-1
    _calendars(welding_kg, welding_kz)
    return [welding_kg, welding_kz]


def _d(text):
    day, month, year = text.split(".")
    return datetime.date(int(year), int(month), int(day))


# Lyceum No. 8, ЭГС-23 in its second (graduating) year: industrial training in the workshops in the autumn (206 h of the
# working curriculum's semester 3), production practice in the spring (432 h of semester 4), discrete by type (KG п. 26 a).
KG_CALENDAR = [
    ("theory", "02.09.2024", "02.11.2024", None, ""),
    ("industrial_training", "04.11.2024", "14.12.2024", "ӨО", "Устаканаларда, 6 жума"),
    ("theory", "16.12.2024", "21.12.2024", None, ""),
    ("intermediate_attestation", "23.12.2024", "28.12.2024", None, ""),
    ("holidays", "30.12.2024", "12.01.2025", None, "Кышкы каникул"),
    ("theory", "13.01.2025", "15.02.2025", None, ""),
    ("practice", "17.02.2025", "10.05.2025", "ӨП", "Ишканаларда, 12 жума"),
    ("theory", "12.05.2025", "31.05.2025", None, ""),
    ("final_attestation", "02.06.2025", "21.06.2025", None, "Квалификациялык экзамен"),
    ("holidays", "23.06.2025", "31.08.2025", None, ""),
]  # fmt: skip

# APC, ДС-24-1 in its first year: general education only, so no practice period yet (the curriculum lays practice out later).
KZ_CALENDAR = [
    ("theory", "02.09.2024", "21.12.2024", None, ""),
    ("intermediate_attestation", "23.12.2024", "28.12.2024", None, "Аралық аттестаттау"),
    ("holidays", "30.12.2024", "08.01.2025", None, "Қысқы демалыс"),
    ("theory", "09.01.2025", "07.06.2025", None, ""),
    ("intermediate_attestation", "09.06.2025", "21.06.2025", None, "Аралық аттестаттау"),
    ("holidays", "23.06.2025", "31.08.2025", None, "Жазғы демалыс"),
]  # fmt: skip


def _calendar(group, academic_year, year_of_study, mode, periods, approved_on):
    """An approved schedule for the group's academic year; left as it is once it exists."""
    from kesip.core.models import Membership
    from kesip.curriculum.models import CalendarPeriod, CalendarSchedule

    inst = group.institution
    # The head approves the schedule; where the demo has no head, the institution's administrator.
    approvers = Membership.objects.filter(institution=inst, role__in=["head", "institution_admin"], is_active=True)
    approver = min(approvers.select_related("user"), key=lambda m: (m.role != "head", m.pk), default=None)
    schedule, created = CalendarSchedule.objects.get_or_create(
        group=group,
        academic_year=academic_year,
        defaults=dict(
            institution=inst, year_of_study=year_of_study, practice_mode=mode, status="approved", approved_on=approved_on,
            approved_by=approver.user if approver else None,
        ),
    )  # fmt: skip
    if created:
        components = {c.code: c for c in Component.objects.filter(module__programme=group.programme)}
        for kind, start, end, code, note in periods:
            period = CalendarPeriod(
                institution=inst, schedule=schedule, kind=kind, starts_on=_d(start), ends_on=_d(end),
                component=components[code] if code else None, note=note,
            )  # fmt: skip
            period.full_clean()
            period.save()
    return schedule


def _calendars(welding_kg, welding_kz):
    """Approved 2024–2025 calendar schedules: ЭГС-23 (Lyceum No. 8, year 2) and ДС-24-1 (APC, year 1)."""
    from kesip.core.models import StudyGroup

    kg_group, _ = StudyGroup.objects.get_or_create(
        institution=welding_kg.institution,
        name="ЭГС-23",
        defaults=dict(programme=welding_kg, intake_year=2023, year_of_study=2, language="ky"),
    )
    kz_group, _ = StudyGroup.objects.get_or_create(
        institution=welding_kz.institution,
        name="ДС-24-1",
        defaults=dict(programme=welding_kz, intake_year=2024, year_of_study=2, language="kk"),
    )
    return [
        _calendar(kg_group, 2024, 2, "by_type", KG_CALENDAR, datetime.date(2024, 8, 28)),
        _calendar(kz_group, 2024, 1, "continuous", KZ_CALENDAR, datetime.date(2024, 8, 29)),
    ]
