"""Demo data built from the source documents (see ../shared/requirements/).

Vocational Lyceum No. 8 named after N. Musaev is taken from the accreditation report
(programme-accreditation-kg.md §6): passport, licence, the welding programme 7212 (2 years,
3000 h), 13 second-year students, 12 teachers + 1 master + 1 part-timer. Jalal-Abad State
University issued the WBL regulation, Osh Technological University the staff-qualification
regulation; Sapattuu Bilim is the accreditation agency. People's names are invented; every
personal number is valid for its country. Loading is idempotent: natural keys are looked up first.
"""

import datetime

from django.db import transaction

from kesip.core.identifiers import make_kz_number
from kesip.core.models import (
    Authority,
    Employer,
    Institution,
    Licence,
    Membership,
    Programme,
    Specialty,
    StaffMember,
    Student,
    StudyGroup,
    User,
)
from kesip.core.roles import Role

DEMO_PASSWORD = "Kesip-demo-2026"


def kg_pin(sex, born, serial):
    return f"{1 if sex == 'F' else 2}{born:%d%m%Y}{serial:05d}"


def kz_iin(sex, born, serial):
    century = {18: 1, 19: 3, 20: 5}[born.year // 100] + (1 if sex == "F" else 0)
    for s in range(serial, serial + 50):
        number = make_kz_number(f"{born:%y%m%d}{century}{s % 10000:04d}")
        if number:
            return number
    raise ValueError("no valid IIN")


def kz_bin(registered, serial):
    for s in range(serial, serial + 50):
        number = make_kz_number(f"{registered:%y%m}40{s % 100000:05d}")
        if number:
            return number
    raise ValueError("no valid BIN")


AUTHORITIES = [
    # key, parent key, kind, jurisdiction, ky, ru, kk, en
    (
        "mes_kg",
        None,
        "ministry",
        "KG",
        "Кыргыз Республикасынын Билим берүү жана илим министрлиги",
        "Министерство образования и науки Кыргызской Республики",
        "Қырғыз Республикасының Білім және ғылым министрлігі",
        "Ministry of Education and Science of the Kyrgyz Republic",
    ),
    (
        "dpve_kg",
        "mes_kg",
        "other",
        "KG",
        "Башталгыч кесиптик билим берүү дирекциясы",
        "Дирекция начального профессионального образования",
        "Бастапқы кәсіптік білім беру дирекциясы",
        "Directorate of Primary Vocational Education",
    ),
    (
        "sapattuu",
        None,
        "agency",
        "KG",
        "«Сапаттуу Билим» билим берүү уюмдарын жана программаларын аккредитациялоо агенттиги",
        "Агентство по аккредитации образовательных организаций и программ «Сапаттуу Билим»",
        "«Сапаттуу Билим» білім беру ұйымдары мен бағдарламаларын аккредиттеу агенттігі",
        "Sapattuu Bilim Agency for Accreditation of Educational Organizations and Programmes",
    ),
    (
        "mop_kz",
        None,
        "ministry",
        "KZ",
        "Казакстан Республикасынын Агартуу министрлиги",
        "Министерство просвещения Республики Казахстан",
        "Қазақстан Республикасының Оқу-ағарту министрлігі",
        "Ministry of Enlightenment of the Republic of Kazakhstan",
    ),
    (
        "almaty_edu",
        "mop_kz",
        "regional",
        "KZ",
        "Алматы шаарынын билим берүү башкармалыгы",
        "Управление образования города Алматы",
        "Алматы қаласының білім басқармасы",
        "Almaty City Education Department",
    ),
]

INSTITUTIONS = [
    dict(
        key="pl8",
        authority="dpve_kg",
        type="lyceum",
        jurisdiction="KG",
        full_name_ky="Н.Мусаев атындагы №8 Кесиптик лицейи мекемеси",
        full_name_ru="Учреждение «Профессиональный лицей №8 имени Н. Мусаева»",
        full_name_kk="Н. Мусаев атындағы №8 кәсіптік лицей мекемесі",
        full_name_en="Institution “Vocational Lyceum No. 8 named after N. Musaev”",
        short_name_ky="Н.Мусаев атындагы №8 КЛ",
        short_name_ru="ПЛ №8 им. Н. Мусаева",
        short_name_kk="Н. Мусаев атындағы №8 КЛ",
        short_name_en="Vocational Lyceum No. 8",
        legal_address="Баткен обл., Кызыл-Кыя ш., Караван айылы, Кыпчаков көч. 29",
        registration_number="94815-3309-У-е",
        okpo="02563871",
        inn="00307199510011",
        founding_year=1958,
        head="Кыпчаков Бакытбек Жеңишбекович",
        website="http://pl8.kbb.kg",
        phone="0500 144 600",
        email="karavanpl18@mail.ru",
    ),
    dict(
        key="jasu",
        authority="mes_kg",
        type="university",
        jurisdiction="KG",
        full_name_ky="Б. Осмонов атындагы Жалал-Абад мамлекеттик университети",
        full_name_ru="Жалал-Абадский государственный университет имени Б. Осмонова",
        full_name_kk="Б. Осмонов атындағы Жалал-Абад мемлекеттік университеті",
        full_name_en="Jalal-Abad State University named after B. Osmonov",
        short_name_ky="ЖАМУ",
        short_name_ru="ЖАГУ",
        short_name_kk="ЖАМУ",
        short_name_en="JASU",
        legal_address="Жалал-Абад ш., Ленин көч. 57",
        okpo="02571201",
        inn="01503199310076",
        founding_year=1993,
        head="Асанов Төлөнбек Маматович",
        website="https://jasu.edu.kg",
        phone="+996 3722 5 52 33",
    ),
    dict(
        key="oshtu",
        authority="mes_kg",
        type="university",
        jurisdiction="KG",
        full_name_ky="М.М. Адышев атындагы Ош технологиялык университети",
        full_name_ru="Ошский технологический университет имени М.М. Адышева",
        full_name_kk="М.М. Адышев атындағы Ош технологиялық университеті",
        full_name_en="Osh Technological University named after M. M. Adyshev",
        short_name_ky="ОшТУ",
        short_name_ru="ОшТУ",
        short_name_kk="ОшТУ",
        short_name_en="OshTU",
        legal_address="Ош ш., Исанов көч. 81",
        okpo="02571299",
        inn="02108199110153",
        founding_year=1963,
        head="Ташполотов Ысламидин Ташполотович",
        website="https://oshtu.kg",
        phone="+996 3222 5 08 55",
    ),
    dict(
        key="apc",
        authority="almaty_edu",
        type="college",
        jurisdiction="KZ",
        full_name_ky="Алматы политехникалык колледжи",
        full_name_ru="Алматинский политехнический колледж",
        full_name_kk="Алматы политехникалық колледжі",
        full_name_en="Almaty Polytechnic College",
        short_name_ky="АПК",
        short_name_ru="АПК",
        short_name_kk="АПК",
        short_name_en="APC",
        legal_address="Алматы қ., Сейфуллин даңғ. 530",
        founding_year=1964,
        head="Нұрланова Гүлнар Серікқызы",
        website="https://apc.edu.kz",
        phone="+7 727 272 40 10",
    ),
]

SPECIALTIES = [
    (
        "KG",
        "7212",
        "primary_vocational",
        "Электр жана газ менен ширетүүчү",
        "Электрогазосварщик",
        "Электргазбен дәнекерлеуші",
        "Electric and gas welder",
    ),
    ("KG", "7531", "primary_vocational", "Тигүүчү", "Швея, портной", "Тігінші", "Tailor, seamstress"),
    (
        "KG",
        "7231",
        "primary_vocational",
        "Автоунааларды оңдоочу слесарь",
        "Слесарь по ремонту автомобилей",
        "Автомобильдерді жөндеу слесарі",
        "Car-repair fitter",
    ),
    ("KG", "5120", "primary_vocational", "Ашпоз, кондитер", "Повар, кондитер", "Аспаз, кондитер", "Cook, confectioner"),
    (
        "KG",
        "2514",
        "secondary_vocational",
        "Программалык камсыздоо",
        "Программное обеспечение",
        "Бағдарламалық қамтамасыз ету",
        "Software development",
    ),
    ("KZ", "07150100", "primary_vocational", "Ширетүү иши", "Сварочное дело", "Дәнекерлеу ісі", "Welding"),
    (
        "KZ",
        "06130100",
        "secondary_vocational",
        "Программалык камсыздоо",
        "Программное обеспечение",
        "Бағдарламалық қамтамасыз ету",
        "Software",
    ),
]

KG_FIRST_M = [
    "Азамат",
    "Бакыт",
    "Эрлан",
    "Нурбек",
    "Улан",
    "Тилек",
    "Айбек",
    "Жоомарт",
    "Мирлан",
    "Бектур",
    "Нурсултан",
    "Адилет",
    "Эмир",
]
KG_FIRST_F = ["Айгерим", "Жылдыз", "Гүлнара", "Айнура", "Назгүл", "Чолпон", "Бермет", "Мээрим"]
KG_LAST = [
    "Абдыкадыров",
    "Маматов",
    "Ташиев",
    "Осмонов",
    "Жумабеков",
    "Асанов",
    "Токтосунов",
    "Эргешов",
    "Сыдыков",
    "Орозбаев",
    "Турдубаев",
    "Камчыбеков",
    "Мырзаев",
    "Бообеков",
    "Алиев",
]
KZ_FIRST_M = ["Ерлан", "Данияр", "Нұрлан", "Асхат", "Бауыржан", "Арман"]
KZ_FIRST_F = ["Айгүл", "Динара", "Жанар", "Салтанат"]
KZ_LAST = ["Сейітов", "Омаров", "Жақыпов", "Нұрғалиев", "Бекмұханов", "Қасымов"]


def female(last):
    return last + "а" if last.endswith(("ов", "ев", "ин")) else last


@transaction.atomic
def load():
    """Create the demo institutions, people and logins; returns the logins."""
    authorities = {}
    for key, parent, kind, jur, ky, ru, kk, en in AUTHORITIES:
        a, _ = Authority.objects.get_or_create(
            name_ru=ru,
            jurisdiction=jur,
            defaults=dict(kind=kind, name_ky=ky, name_kk=kk, name_en=en, parent=authorities.get(parent)),
        )
        authorities[key] = a
    institutions = {}
    for data in INSTITUTIONS:
        data = dict(data)
        key = data.pop("key")
        data["authority"] = authorities[data["authority"]]
        inst, _ = Institution.objects.get_or_create(full_name_ru=data["full_name_ru"], defaults=data)
        institutions[key] = inst
    if not institutions["apc"].bin:
        institutions["apc"].bin = kz_bin(datetime.date(1999, 3, 1), 10452)
        institutions["apc"].save()
    Licence.objects.get_or_create(
        institution=institutions["pl8"],
        number="LS240001011",
        defaults=dict(
            issued_on=datetime.date(2024, 2, 20),
            issuing_order="КР Билим берүү жана илим министрлигинин 21.02.2024-ж. №264/1 буйругу "
            "(Лицензиялык кеңештин 16.02.2024-ж. №3-9 протоколу); лицензия бланкы №2024-0104",
            issued_by="Кыргыз Республикасынын Билим берүү жана илим министрлиги",
        ),
    )
    specialties = {}
    for jur, code, level, ky, ru, kk, en in SPECIALTIES:
        s, _ = Specialty.objects.get_or_create(
            jurisdiction=jur, code=code, defaults=dict(level=level, name_ky=ky, name_ru=ru, name_kk=kk, name_en=en)
        )
        specialties[code] = s

    def programme(inst, code, months, hours=None, credits=None, base="grade9", language="ky", **names):
        p, _ = Programme.objects.get_or_create(
            institution=inst,
            specialty=specialties[code],
            duration_months=months,
            entry_base=base,
            defaults=dict(
                total_hours=hours,
                total_credits=credits,
                language=language,
                name_ky=names.get("ky") or specialties[code].name_ky,
                name_ru=names.get("ru") or specialties[code].name_ru,
                name_kk=names.get("kk") or specialties[code].name_kk,
                name_en=names.get("en") or specialties[code].name_en,
            ),
        )
        return p

    pl8 = institutions["pl8"]
    welding = programme(pl8, "7212", 24, hours=3000)
    programme(pl8, "7531", 24)
    programme(pl8, "7231", 10, base="grade11")
    programme(pl8, "5120", 10, base="grade11")
    jasu_prog = programme(institutions["jasu"], "2514", 34, base="grade9", language="ru")
    programme(institutions["oshtu"], "7212", 10, base="grade11", language="ky")
    apc = institutions["apc"]
    apc_weld = programme(apc, "07150100", 34, credits=180, base="grade9", language="kk")
    apc_soft = programme(apc, "06130100", 34, credits=180, base="grade11", language="ru")

    # Staff of the lyceum: 12 teachers, 1 master of industrial training, 1 external part-timer, and the director.
    staff = []
    positions = [
        "Кыргыз тили жана адабияты",
        "Орус тили",
        "Математика",
        "Физика",
        "Химия",
        "Тарых",
        "Англис тили",
        "Информатика",
        "Дене тарбия",
        "Материал таануу",
        "Электротехника",
        "Чийме",
    ]
    for i, subject in enumerate(positions):
        sex = "F" if i % 3 == 0 else "M"
        last = KG_LAST[i % len(KG_LAST)]
        first = (KG_FIRST_F if sex == "F" else KG_FIRST_M)[i % 8]
        born = datetime.date(1968 + i * 2, (i % 12) + 1, 10 + i)
        staff.append(
            dict(
                last_name=female(last) if sex == "F" else last,
                first_name=first,
                sex=sex,
                birth_date=born,
                national_id=kg_pin(sex, born, 10100 + i),
                position=f"Мугалим: {subject}",
                category="teacher",
            )
        )
    born = datetime.date(1975, 6, 3)
    staff.append(
        dict(
            last_name="Сыдыков",
            first_name="Кубанычбек",
            sex="M",
            birth_date=born,
            national_id=kg_pin("M", born, 20011),
            position="Өндүрүштүк окутуу устаты (ширетүү)",
            category="master",
        )
    )
    born = datetime.date(1982, 11, 21)
    staff.append(
        dict(
            last_name="Орозбаев",
            first_name="Талант",
            sex="M",
            birth_date=born,
            national_id=kg_pin("M", born, 20012),
            position="Ширетүү технологиясы (айкалыштыруучу)",
            category="teacher",
            employment="part_time",
        )
    )
    born = datetime.date(1970, 4, 14)
    staff.append(
        dict(
            last_name="Кыпчаков",
            first_name="Бакытбек",
            patronymic="Жеңишбекович",
            sex="M",
            birth_date=born,
            national_id=kg_pin("M", born, 30001),
            position="Директор",
            category="management",
        )
    )
    staff_objs = []
    for s in staff:
        obj, _ = StaffMember.objects.get_or_create(institution=pl8, national_id=s["national_id"], defaults=s)
        staff_objs.append(obj)
    master = staff_objs[12]
    group, _ = StudyGroup.objects.get_or_create(
        institution=pl8,
        name="ЭГС-23",
        defaults=dict(programme=welding, intake_year=2023, year_of_study=2, language="ky", curator=master),
    )
    students = []
    for i in range(13):
        sex = "F" if i in (4, 9) else "M"
        last = KG_LAST[(i + 3) % len(KG_LAST)]
        first = KG_FIRST_F[i % 8] if sex == "F" else KG_FIRST_M[i]
        born = datetime.date(2008, (i % 12) + 1, 3 + i)
        s, _ = Student.objects.get_or_create(
            institution=pl8,
            national_id=kg_pin(sex, born, 40100 + i),
            defaults=dict(
                last_name=female(last) if sex == "F" else last,
                first_name=first,
                sex=sex,
                birth_date=born,
                student_number=f"ЭГС-23-{i + 1:02d}",
                group=group,
                enrolled_on=datetime.date(2023, 9, 1),
            ),
        )
        students.append(s)

    # A group at JASU's college and two at the Kazakh college.
    born = datetime.date(1979, 2, 2)
    jasu_teacher, _ = StaffMember.objects.get_or_create(
        institution=institutions["jasu"],
        national_id=kg_pin("F", born, 50001),
        defaults=dict(
            last_name="Эргешова", first_name="Гүлнара", sex="F", birth_date=born, position="Окутуучу", category="teacher"
        ),
    )
    StudyGroup.objects.get_or_create(
        institution=institutions["jasu"],
        name="ПО-24",
        defaults=dict(programme=jasu_prog, intake_year=2024, year_of_study=2, language="ru", curator=jasu_teacher),
    )
    for i, (first, last) in enumerate(zip(KZ_FIRST_M + KZ_FIRST_F, KZ_LAST * 2)):
        sex = "F" if i >= len(KZ_FIRST_M) else "M"
        born = datetime.date(1975 + i, (i % 12) + 1, 5 + i)
        StaffMember.objects.get_or_create(
            institution=apc,
            national_id=kz_iin(sex, born, 1200 + i * 7),
            defaults=dict(
                last_name=female(last) if sex == "F" else last,
                first_name=first,
                sex=sex,
                birth_date=born,
                position="Оқытушы" if i else "Директор",
                category="teacher" if i else "management",
            ),
        )
    kz_group, _ = StudyGroup.objects.get_or_create(
        institution=apc, name="ДС-24-1", defaults=dict(programme=apc_weld, intake_year=2024, year_of_study=2, language="kk")
    )
    StudyGroup.objects.get_or_create(
        institution=apc, name="ПО-25-1", defaults=dict(programme=apc_soft, intake_year=2025, year_of_study=1, language="ru")
    )
    for i in range(8):
        sex = "F" if i % 4 == 3 else "M"
        born = datetime.date(2008, (i % 12) + 1, 12 + i)
        last = KZ_LAST[i % len(KZ_LAST)]
        Student.objects.get_or_create(
            institution=apc,
            national_id=kz_iin(sex, born, 3400 + i * 11),
            defaults=dict(
                last_name=female(last) if sex == "F" else last,
                first_name=(KZ_FIRST_F if sex == "F" else KZ_FIRST_M)[i % 4],
                sex=sex,
                birth_date=born,
                group=kz_group,
                enrolled_on=datetime.date(2024, 9, 1),
            ),
        )

    employers = {}
    for inst_key, name, kind, sector, size, tax, contact in [
        (
            "pl8",
            "ОсОО «Кызыл-Кыя Металл Курулуш»",
            "enterprise",
            "construction",
            "small",
            "02305201910014",
            "Мамытов Жоробек, башкы инженер",
        ),
        ("pl8", "ОсОО «Караван Агро Сервис»", "enterprise", "agriculture", "micro", "01112201710021", "Ташиев Эркин, директор"),
        (
            "pl8",
            "ЖИ Абдыкадыров Н. — ширетүү устаканасы",
            "entrepreneur",
            "services",
            "micro",
            "21505198510017",
            "Абдыкадыров Нурлан",
        ),
        ("jasu", "ОсОО «Жалал-Абад Жылуулук Энерго»", "enterprise", "energy", "medium", "00911200510032", "Жумабеков Алмаз"),
        ("oshtu", "ОсОО «Ош Техносервис»", "enterprise", "manufacturing", "small", "01402201210045", "Осмонова Айнура"),
        ("apc", "ТОО «Алматы Металл Конструкция»", "enterprise", "manufacturing", "medium", None, "Омаров Ерлан, бас инженер"),
        ("apc", "ТОО «Digital Solutions KZ»", "enterprise", "it", "small", None, "Қасымова Динара"),
    ]:
        inst = institutions[inst_key]
        if tax is None:
            tax = kz_bin(datetime.date(2012 + len(employers), 5, 1), 20000 + len(employers) * 13)
        e, _ = Employer.objects.get_or_create(
            institution=inst,
            name=name,
            defaults=dict(
                kind=kind,
                sector=sector,
                size=size,
                tax_id=tax,
                contact_person=contact,
                address="Кызыл-Кыя ш." if inst_key == "pl8" else "",
            ),
        )
        employers.setdefault(inst_key, []).append(e)

    logins = []

    def account(username, role, first, last, institution=None, authority=None, employer=None, superuser=False, language=""):
        user, created = User.objects.get_or_create(
            username=username,
            defaults=dict(
                first_name=first,
                last_name=last,
                email=f"{username}@demo.kesip.kg",
                is_superuser=superuser,
                is_staff=superuser,
                language=language,
            ),
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        Membership.objects.get_or_create(
            user=user, role=role, institution=institution, authority=authority, defaults=dict(employer=employer)
        )
        where = institution or authority or employer or "—"
        logins.append((username, Role(role).label, str(where)))
        return user

    account("admin", Role.SYSTEM_ADMIN, "Системалык", "Администратор", superuser=True)
    account("analyst", Role.AUTHORITY_ANALYST, "Эркинбек", "Сатыбалдиев", authority=authorities["mes_kg"])
    account("expert", Role.ACCREDITATION_EXPERT, "Назира", "Бейшеналиева", authority=authorities["sapattuu"])
    account("kz.analyst", Role.AUTHORITY_ANALYST, "Асель", "Тұрсынова", authority=authorities["mop_kz"], language="kk")
    account("pl8.admin", Role.INSTITUTION_ADMIN, "Жылдыз", "Маматова", institution=pl8)
    head = account("pl8.head", Role.HEAD, "Бакытбек", "Кыпчаков", institution=pl8)
    account("pl8.practice", Role.HEAD_OF_PRACTICE, "Улан", "Токтосунов", institution=pl8)
    teacher = account("pl8.teacher", Role.TEACHER, "Кубанычбек", "Сыдыков", institution=pl8)
    student_user = account("pl8.student", Role.STUDENT, students[0].first_name, students[0].last_name, institution=pl8)
    account("pl8.employer", Role.EMPLOYER_REP, "Жоробек", "Мамытов", institution=pl8, employer=employers["pl8"][0])
    account("pl8.mentor", Role.MENTOR, "Нурлан", "Абдыкадыров", institution=pl8, employer=employers["pl8"][2])
    account("pl8.counsellor", Role.CAREER_COUNSELLOR, "Чолпон", "Эргешова", institution=pl8)
    account("jasu.admin", Role.INSTITUTION_ADMIN, "Гүлнара", "Эргешова", institution=institutions["jasu"])
    account("oshtu.admin", Role.INSTITUTION_ADMIN, "Айнура", "Осмонова", institution=institutions["oshtu"])
    account("apc.admin", Role.INSTITUTION_ADMIN, "Динара", "Қасымова", institution=apc, language="kk")
    StaffMember.objects.filter(pk=staff_objs[14].pk, user__isnull=True).update(user=head)
    StaffMember.objects.filter(pk=master.pk, user__isnull=True).update(user=teacher)
    Student.objects.filter(pk=students[0].pk, user__isnull=True).update(user=student_user)
    return logins
