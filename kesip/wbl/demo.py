"""Demo work-based learning of Vocational Lyceum No. 8: the welders of ЭГС-23 in production practice, 2024–2025.

Everything goes through the same services as the pages, as the people who would do it (the head
of practical training plans, the head signs the orders, the employers' representatives agree, the
mentors grade), so the demo obeys every rule. Three host employers take the 13 welders for the
production practice of the approved calendar (17.02–10.05.2025); one learner is an apprentice of a
brigade under the Labour Code; diaries are kept day by day and graded; the assessments become the
practice grades in the journal and the transcript. One placement at the welding workshop is still
under way, with two diary entries waiting for the mentor — what `pl8.mentor` sees on the phone. A
teacher's production internship ends with a certificate, a learner's volunteering is recognised as
educational practice, and the annual report for 2024–2025 is agreed by the employers and published.
Idempotent: once the lyceum has placements, nothing is loaded again.
"""

import datetime
import io
import random

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation

from kesip.core.models import Employer, Institution, Membership, StaffMember, Student, StudyGroup, User
from kesip.core.roles import Role
from kesip.curriculum.models import Component
from kesip.wbl import (
    agreements,
    demo_bases,
    demo_engagement,
    demo_events,
    demo_family,
    demo_outcomes,
    demo_partnership,
    diary,
    employers,
    internships,
    letterheads,
    orders,
    placements,
    programmes,
    reports,
    support_measures,
)
from kesip.wbl.models import (
    Agreement,
    AssessmentMethod,
    Briefing,
    DiaryEntry,
    EmployerBriefing,
    EmployerLetterhead,
    EmployerPerson,
    LocalDocument,
    Placement,
    SupportMeasure,
    VolunteerRecognition,
    WblProgramme,
    Workplace,
)

D = datetime.date
PRACTICE_FROM, PRACTICE_TO = D(2025, 2, 17), D(2025, 5, 10)

# (last, first, patronymic, position, head, representative, mentor, qualification, years, login)
PEOPLE = {
    "ОсОО «Кызыл-Кыя Металл Курулуш»": [
        ("Султанов", "Бакыт", "Асанович", "Директор", True, False, False, "", 22, None),
        ("Мамытов", "Жоробек", "Турсунович", "Башкы инженер", False, True, False, "Инженер-технолог", 18, "pl8.employer"),
        ("Эсенов", "Мирлан", "Токтогулович", "Электр-газ ширетүүчү", False, False, True, "5-разряд", 15, None),
        ("Бекмуратов", "Азамат", "Каныбекович", "Бригадир, ширетүүчү", False, False, True, "6-разряд", 19, None),
        ("Абдиева", "Назгүл", "Бакировна", "Эмгекти коргоо боюнча инженер", False, False, False, "", 9, None),
    ],
    "ЖИ Абдыкадыров Н. — ширетүү устаканасы": [
        ("Абдыкадыров", "Нурлан", "Эрматович", "Жеке ишкер, устакана ээси", True, True, True, "6-разряд", 24, "pl8.mentor"),
    ],
    "ОсОО «Караван Агро Сервис»": [
        ("Ташиев", "Эркин", "Маматович", "Директор", True, True, False, "", 16, None),
        ("Жолдошев", "Улан", "Асылбекович", "Слесарь-ширетүүчү", False, False, True, "5-разряд", 12, None),
    ],
    "Кызыл Жарым Ай коомунун Кызыл-Кыя бөлүмү": [
        ("Абдрахманова", "Гүлзат", "Орозовна", "Бөлүмдүн төрайымы", True, True, False, "", 11, None),
    ],
}

WORKPLACES = {
    "ОсОО «Кызыл-Кыя Металл Курулуш»": [
        dict(
            title="Металл конструкциялар цехи", places=6, address="Кызыл-Кыя ш., Өнөр жай көч., 14",
            equipment="ВДУ-506 инвертордук ширетүү аппараттары (4), жарым автомат ПДГ-500, газ кескич пост, бурчтук жаргыч",
            work_environment="Жабык цех, желдетүү, ширетүү посттору тосмолор менен бөлүнгөн",
        ),
        dict(
            title="Монтаждоо бригадасы №2", places=2, address="Кызыл-Кыя ш., курулуш аянттары",
            equipment="Көчмө ширетүү агрегаты АДД-4004, бийиктикте иштөө үчүн жабдуулар",
            work_environment="Курулуш аянты, ачык аба, бригада курамында",
        ),
    ],
    "ЖИ Абдыкадыров Н. — ширетүү устаканасы": [
        dict(
            title="Ширетүү устаканасы", places=3, address="Кызыл-Кыя ш., Манас көч., 52",
            equipment="ММА ширетүү аппараттары (3), аргон-дуга TIG-200, газ ширетүү жабдуусу",
            work_environment="Чакан устакана, дарбаза, тосмо, тамак-аш буюмдарын ширетүү",
        ),
    ],
    "ОсОО «Караван Агро Сервис»": [
        dict(
            title="Айыл чарба техникасын оңдоо устаканасы", places=3, address="Кызыл-Кыя ш., Ленин көч., 201",
            equipment="ВД-306 ширетүү аппараттары (2), газ кескич, тракторлордун бөлүктөрү",
            work_environment="Оңдоо боксу, көтөргүч, техниканын тетиктерин калыбына келтирүү",
        ),
    ],
}  # fmt: skip

DOCUMENTS = [
    ("charter", "Ишкананын уставы", "Ишкананын максаттары, түзүмү, жетекчилиги."),
    ("internal_rules", "Ички эмгек тартибинин эрежелери", "Иш убактысы 8:00–17:00, тыныгуу 12:00–13:00, келүү-кетүүнү белгилөө."),
    ("safety", "Ширетүү иштериндеги эмгекти коргоо боюнча нускама", "Коргонуу каражаттары, электр коопсуздугу, газ баллондору."),
    ("fire", "Өрткө каршы коопсуздук эрежелери", "Ширетүү иштерин жүргүзүүдө өрт коопсуздугу, өрт өчүргүчтөр."),
]

TASKS = [
    (
        "Ширетүү постун даярдоо, жабдууну жана коргонуу каражаттарын текшерүү",
        "Постту даярдадым, кабелдерди жана кармагычты текшердим.",
    ),
    ("Металл барактарды белгилөө жана кесүү", "8 мм барактарды белгилеп, газ менен кестим, четтерин тазаладым."),
    ("Пластиналардын четтерин ширетүүгө даярдоо", "V түрүндөгү кесилиш жасадым, 30° бурчта."),
    ("Төмөнкү абалда учма-уч тигиш менен ширетүү", "Электрод УОНИ-13/55 менен 4 биримдик ширеттим."),
    ("Тавр биримдигин бурчтук тигиш менен ширетүү", "Катеттери 6 мм болгон бурчтук тигиштерди ширеттим."),
    ("Вертикалдык абалдагы тигиштерди ширетүү", "Төмөндөн өйдө карай ширетүүнү машыктым."),
    ("Түтүктөрдү буруп ширетүү", "Ø57 мм түтүктөрдү учма-уч ширеттим, шлактан тазаладым."),
    ("Металл конструкциянын каркасын жыйноо", "Устун менен тирөөчтөрдү чийме боюнча жыйнап, кармап ширеттим."),
    ("Тигиштердин сапатын сырткы кароо менен текшерүү", "Шаблон менен өлчөп, кемчиликтерди белгиледим."),
    ("Кемчиликтерди оңдоо", "Тешиктерди жана кесилгендерди тазалап, кайра ширеттим."),
    ("Газ менен ширетүү (ацетилен-кычкылтек)", "Жука барактарды газ менен ширеттим, жалынды туураладым."),
    ("Жарым автоматтык ширетүү (MIG/MAG)", "Коргоочу газдын чыгымын тууралап, пластиналарды ширеттим."),
]

REVIEW = (
    "{name} өндүрүштүк практиканын программасын толук аткарды: ширетүү постун даярдоо, металлды кесүү, "
    "учма-уч жана бурчтук тигиштерди ар кандай абалда ширетүү, түтүктөрдү ширетүү, сапатты текшерүү. "
    "Коопсуздук эрежелерин сактады, тапшырмаларды өз убагында аткарды. Практикалык көндүмдөрү "
    "электр-газ ширетүүчүнүн 2–3-разрядына туура келет."
)
CHARACTERISATION = (
    "{name} тартиптүү, жоопкерчиликтүү, кесибине кызыгат. Жамаатта сылык, тажрыйбалуу ширетүүчүлөрдөн "
    "үйрөнүүгө умтулат, жабдууга жана материалдарга аяр мамиле кылат. Иш убактысын сактады, "
    "кечигүү болгон жок."
)


def _user(username):
    return User.objects.filter(username=username).first()


def _first(inst, role):
    m = Membership.objects.filter(institution=inst, role=role, is_active=True).select_related("user").order_by("pk").first()
    return m.user if m else None


def _aware(day, hour=18):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _working_days(start, end):
    day = start
    while day <= end:
        if day.weekday() < 6 and day not in (D(2025, 3, 8), D(2025, 3, 21), D(2025, 3, 22), D(2025, 5, 1), D(2025, 5, 9)):
            yield day
        day += datetime.timedelta(days=1)


@transaction.atomic
def load():
    """Load the WBL demo (idempotent); returns the demo logins it adds, (username, role, where) each."""
    pl8 = Institution.objects.filter(inn="00307199510011").first()
    if pl8 is None:
        return []
    # The texts Kesip writes into the records (order titles, the programme's normative base, reasons) in the lyceum's
    # language, whatever language the command reports in.
    with translation.override("ky"):
        if not Placement.objects.filter(institution=pl8).exists():
            _load(pl8)
        return demo_family.load(pl8)


def _load(pl8):
    rng = random.Random(2025)
    admin, head = _first(pl8, Role.INSTITUTION_ADMIN), _first(pl8, Role.HEAD)
    practice_user = _first(pl8, Role.HEAD_OF_PRACTICE)
    group = StudyGroup.objects.select_related("programme__specialty").get(institution=pl8, name="ЭГС-23")
    programme = group.programme
    component = Component.objects.get(module__programme=programme, code="ӨП")
    master = StaffMember.objects.filter(institution=pl8, user__username="pl8.teacher").first()
    # The intern: the teacher of welding technology (a special subject), else another master or the first teacher.
    teacher_intern = (
        StaffMember.objects.filter(institution=pl8, category="teacher", position__icontains="Ширетүү").first()
        or StaffMember.objects.filter(institution=pl8, category="master").exclude(pk=master.pk).first()
        or StaffMember.objects.filter(institution=pl8, category="teacher").order_by("last_name").first()
    )
    students = list(Student.objects.filter(group=group, status=Student.Status.ENROLLED).order_by("student_number", "pk"))

    hosts = {e.name: e for e in Employer.objects.filter(institution=pl8)}
    red_crescent, _ = Employer.objects.get_or_create(
        institution=pl8,
        name="Кызыл Жарым Ай коомунун Кызыл-Кыя бөлүмү",
        defaults=dict(kind="organisation", sector="services", size="micro", address="Кызыл-Кыя ш., Ленин көч., 45",
                      contact_person="Абдрахманова Гүлзат"),
    )  # fmt: skip
    hosts[red_crescent.name] = red_crescent

    # People of the employers: heads, representatives, mentors (п. 2, п. 49).
    people = {}
    for employer_name, rows in PEOPLE.items():
        employer = hosts[employer_name]
        for last, first, patronymic, position, is_head, is_rep, is_mentor, qualification, years, login in rows:
            person = EmployerPerson(
                institution=pl8, employer=employer, last_name=last, first_name=first, patronymic=patronymic,
                position=position, is_head=is_head, is_representative=is_rep, is_mentor=is_mentor,
                qualification=qualification, experience_years=years, user=_user(login) if login else None,
                phone="+996 3657 5" + str(rng.randint(10000, 99999)),
            )  # fmt: skip
            employers.save_person(person, admin)
            people[last] = person
    for name in ("ОсОО «Кызыл-Кыя Металл Курулуш»", "ЖИ Абдыкадыров Н. — ширетүү устаканасы", "ОсОО «Караван Агро Сервис»"):
        for kind, title, summary in DOCUMENTS:
            document = LocalDocument(
                institution=pl8, employer=hosts[name], kind=kind, title=title, summary=summary, approved_on=D(2023, 1, 10)
            )
            employers.save_document(document, admin)
    # The metal-construction company's letterhead (F2): its logo and requisites on the documents it issues.
    letterheads.save_letterhead(
        EmployerLetterhead(
            employer=hosts["ОсОО «Кызыл-Кыя Металл Курулуш»"], logo=ContentFile(_logo_png("ККМК"), "kkmk-logo.png"),
            details="Тел.: +996 3657 5 12 40 · info@kkmk.kg\nЭсептешүү эсеби 1280016001234567, «Айыл Банк» ААК, БИК 128001",
        ),
        admin,
    )  # fmt: skip
    workplaces = {}
    for employer_name, rows in WORKPLACES.items():
        for row in rows:
            wp = Workplace(
                institution=pl8, employer=hosts[employer_name], specialty=programme.specialty, profession="Электр-газ ширетүүчү",
                available_from=D(2025, 2, 1), available_to=D(2025, 6, 30), safety_compliant=True,
                safety_checked_on=D(2025, 1, 28), **row,
            )  # fmt: skip
            employers.save_workplace(wp, admin)
            workplaces[row["title"]] = wp

    # The WBL programme of the profession, co-developed with the metal-construction company (п. 53, п. 56 item 1).
    wbl_programme = WblProgramme(
        institution=pl8, programme=programme, form="practice", co_developer=hosts["ОсОО «Кызыл-Кыя Металл Курулуш»"],
        academic_year=2024,
        goal="Теориялык билимди ишканада бекемдөө, электр-газ ширетүүчүнүн кесиптик компетенцияларын калыптандыруу жана "
             "иш тажрыйбасына ээ болуу.",
        procedure="Лицей: программаны иштеп чыгат, практикага жөнөтөт, практиканын жетекчисин дайындайт, күндөлүктү көзөмөлдөйт. "
                  "Ишкана: жумуш орундарын берет, насаатчыны дайындайт, коопсуздук боюнча нускама өткөрөт, баалоого катышат. "
                  "Билим алуучу: күндөлүк жүргүзөт, эмгек тартибин сактайт.",
        mentor_duties="Насаатчы тапшырмаларды берет жана көзөмөлдөйт, күндөлүккө өз убагында баа коёт, практиканын жыйынтыгы "
                      "боюнча пикир жана мүнөздөмө жазат.",
        season_note="Өндүрүштүк практика жазгы мезгилде (февраль–май) — курулуш сезону башталганда.",
        season_from_month=2, season_to_month=5,
        safety="Ширетүү иштеринде эмгекти коргоо боюнча нускама, электр коопсуздугу, газ баллондору менен иштөө, өрткө каршы "
               "коопсуздук, жеке коргонуу каражаттары (маска, кол кап, атайын кийим).",
        accessibility="Ден соолугунун мүмкүнчүлүгү чектелген билим алуучулар үчүн практика жеке графикте, жабык цехте өтөт.",
    )  # fmt: skip
    programmes.save_programme(wbl_programme, admin, outcomes=list(programme.competencies.all()))
    programmes.prefill(wbl_programme, admin)
    for row in wbl_programme.load_rows.all():
        if not row.credits:
            # The KG curriculum counts hours; the programme's table also gives credits (30 hours each, ECTS-like).
            row.credits = round(row.hours / 30, 1)
            programmes.save_load_row(row, admin)
    _programme_tables(wbl_programme, programme, admin)
    programmes.take_step(wbl_programme, "send", admin)
    programmes.take_step(wbl_programme, "agree", admin, agreed_by="Мамытов Ж. Т., башкы инженер", agreed_on=D(2025, 1, 24))
    programmes.take_step(wbl_programme, "approve", head)
    workshop_base = demo_bases.load(pl8, admin, wbl_programme)  # the lyceum's welding workshop; the programme published

    # Agreements (п. 2, 12): a 2-party WBL agreement with each host, signed on paper and scanned.
    contracts = {}
    for _i, (name, places) in enumerate(
        [("ОсОО «Кызыл-Кыя Металл Курулуш»", 6), ("ЖИ Абдыкадыров Н. — ширетүү устаканасы", 3), ("ОсОО «Караван Агро Сервис»", 3)]
    ):
        a = Agreement(
            institution=pl8, kind="wbl", employer=hosts[name], form="practice", concluded_on=D(2025, 1, 27),
            starts_on=D(2025, 1, 27), ends_on=D(2026, 1, 26), places=places, theory_percent=30, practice_percent=70,
            wbl_programme=wbl_programme,
            agreed_programme="«Электр-газ ширетүүчү» кесиби боюнча өндүрүштүк практиканын программасы (432 саат)",
        )  # fmt: skip
        agreements.save_agreement(a, admin, specialties=[programme.specialty])
        contracts[name] = a
    memorandum = Agreement(
        institution=pl8, kind="volunteer", employer=red_crescent, concluded_on=D(2024, 9, 16), starts_on=D(2024, 9, 16),
        ends_on=D(2027, 9, 15),
        obligations="Кызыл Жарым Ай коому билим алуучуларды волонтердук ишке тартат, волонтердун өздүк китепчесин жүргүзөт; "
                    "лицей волонтердук ишти практика катары таанууга жардам берет.",
    )  # fmt: skip
    agreements.save_agreement(memorandum, admin)

    kkmk, workshop, agro = (hosts[n] for n in ("ОсОО «Кызыл-Кыя Металл Курулуш»", "ЖИ Абдыкадыров Н. — ширетүү устаканасы",
                                               "ОсОО «Караван Агро Сервис»"))  # fmt: skip
    apprentice = students[3]
    practice_students = [s for s in students if s.pk != apprentice.pk]
    split = {kkmk: practice_students[:6], workshop: practice_students[6:9], agro: practice_students[9:]}
    for employer, learners in split.items():
        agreements.set_roster(contracts[employer.name], learners, admin)
    apprenticeship = Agreement(
        institution=pl8, kind="apprenticeship", employer=kkmk, learner=apprentice,
        legal_representative=_parent(apprentice), concluded_on=D(2025, 2, 3), starts_on=D(2025, 2, 3), ends_on=D(2025, 6, 30),
        places=1, theory_percent=20, practice_percent=80,
        agreed_programme="Бригадалык окуучулук: металл конструкцияларды монтаждоодо ширетүү (КР Эмгек кодекси, окутуу келишими)",
        obligations="Ишкана окуучуну насаатчынын жетекчилиги астында окутат; окуучу эмгек тартибин сактайт.",
    )  # fmt: skip
    agreements.save_agreement(apprenticeship, admin, specialties=[programme.specialty])
    agreements.set_roster(apprenticeship, [apprentice], admin)
    for a in [*contracts.values(), memorandum, apprenticeship]:
        _sign_all(a, hosts, people, head, admin)

    # The head appoints the head of practical training of ЭГС-23 (п. 10, п. 56 item 7).
    order = orders.prepare_supervisor([(group, master)], practice_user or admin, dated=D(2025, 2, 5))
    orders.sign(order, head, signed_on=D(2025, 2, 5))

    # Bulk placement of the group across three employers (п. 29), consent of the legal representatives (п. 56 item 5).
    mentors = {kkmk: [people["Эсенов"]], workshop: [people["Абдыкадыров"]], agro: [people["Жолдошев"]]}
    rows = []
    for employer, learners in split.items():
        wp = workplaces["Металл конструкциялар цехи"] if employer == kkmk else Workplace.objects.get(employer=employer)
        for i, s in enumerate(learners):
            rows.append(dict(student=s, employer=employer, workplace=wp, mentor=mentors[employer][i % len(mentors[employer])],
                             legal_representative=_parent(s)))  # fmt: skip
    common = dict(
        form="practice", component=component, practice_type="production", starts_on=PRACTICE_FROM, ends_on=PRACTICE_TO,
        hours=432, supervisor=master, consent_by="representative", consent_on=D(2025, 2, 7), wbl_programme=wbl_programme,
    )  # fmt: skip
    placed, _warnings = placements.place_group(group, rows, practice_user or admin, common)
    apprentice_placement = Placement(
        institution=pl8, form="apprenticeship", student=apprentice, group=group, component=component, employer=kkmk,
        workplace=workplaces["Монтаждоо бригадасы №2"], agreement=apprenticeship, mentor=people["Бекмуратов"],
        starts_on=PRACTICE_FROM, ends_on=PRACTICE_TO, hours=432, supervisor=master, apprenticeship_form="brigade",
        consent_by="representative", consent_on=D(2025, 2, 7), legal_representative=_parent(apprentice),
    )  # fmt: skip
    placements.save_placement(apprentice_placement, practice_user or admin)
    placed.append(apprentice_placement)
    for employer in (kkmk, workshop, agro):
        rep = next(p for p in people.values() if p.employer_id == employer.pk and p.is_representative)
        ps = [p for p in placed if p.employer_id == employer.pk]
        # The metal company's representative agrees in Kesip; the others' agreement is recorded by the lyceum.
        by = rep.user if (rep.user and rep.user.username == "pl8.employer") else (practice_user or admin)
        placements.agree_roster(ps, D(2025, 2, 10), by)

    # The plan of measures supporting the educational process, developed with the hosts (п. 56 item 1).
    for text, responsible, host, due, status, done in (
        ("Насаатчылар үчүн «Күндөлүктү жүргүзүү жана баалоо» семинары", "Практикалык окутуунун жетекчиси", kkmk,
         D(2025, 2, 11), "done", D(2025, 2, 11)),
        ("Устаканада жарым автоматтык ширетүү постун жабдуу", "Директордун окуу-өндүрүштүк иштер боюнча орун басары", None,
         D(2025, 4, 30), "done", D(2025, 4, 25)),
        ("Ишканада өндүрүштүк окутуу устаттарынын стажировкасы", "Окуу бөлүмү", kkmk, D(2025, 6, 13), "done", D(2025, 6, 13)),
    ):  # fmt: skip
        support_measures.save(
            SupportMeasure(institution=pl8, academic_year=2024, text=text, responsible=responsible, employer=host, due_on=due,
                           status=status, done_on=done),
            admin,
            today=D(2025, 6, 30),
        )  # fmt: skip

    # The lyceum briefs each host's head, representative and mentors on conducting WBL (п. 56 item 4).
    for employer in (kkmk, workshop, agro):
        employers.save_briefing(
            EmployerBriefing(employer=employer, held_on=D(2025, 2, 11), conducted_by=master,
                             topics="Жумуш ордунда окутуу программасы жана анын 5-бөлүмү, насаатчынын милдеттери, күндөлүк жана аны баалоо "
                                    "мөөнөттөрү, коопсуздук боюнча нускамалар, практиканын жыйынтыгын баалоо."),
            practice_user or admin,
            [p for p in people.values() if p.employer_id == employer.pk],
            today=D(2025, 2, 11),
        )  # fmt: skip

    # Orders: the employers appoint the mentors (п. 2, п. 48), the head refers the group to practice (п. 29).
    for employer in (kkmk, workshop, agro):
        ps = [p for p in placed if p.employer_id == employer.pk]
        mentor_order = orders.prepare_mentor(employer, ps, practice_user or admin, dated=D(2025, 2, 12))
        head_person = next(p for p in people.values() if p.employer_id == employer.pk and p.is_head)
        rep_user = next(
            (p.user for p in people.values() if p.employer_id == employer.pk and p.is_representative and p.user), None
        )
        if rep_user is not None and rep_user.username == "pl8.employer":
            orders.sign(mentor_order, rep_user, signed_on=D(2025, 2, 12))
        else:
            orders.sign(mentor_order, practice_user or admin, signatory_name=str(head_person),
                        signatory_position=head_person.position, signed_on=D(2025, 2, 12), outside=True)  # fmt: skip
    referral = orders.prepare_referral(placed, practice_user or admin, dated=D(2025, 2, 14))
    orders.sign(referral, head, signed_on=D(2025, 2, 14))

    # Briefings (п. 56 item 4, п. 57 items 6, 11), acknowledged by the learners.
    for employer in (kkmk, workshop, agro):
        ps = [Placement.objects.get(pk=p.pk) for p in placed if p.employer_id == employer.pk]
        safety_engineer = (
            people["Абдиева"]
            if employer == kkmk
            else next(p for p in people.values() if p.employer_id == employer.pk and p.is_head)
        )
        docs = list(LocalDocument.objects.filter(employer=employer))
        diary.record_group_briefing(ps, Briefing.Kind.INSTITUTION, practice_user or admin, held_on=D(2025, 2, 15),
                                    conducted_by=str(master), acknowledged=True, now=_aware(D(2025, 2, 15), 11))  # fmt: skip
        diary.record_group_briefing(ps, Briefing.Kind.SAFETY, practice_user or admin, held_on=PRACTICE_FROM,
                                    conducted_by=str(safety_engineer), acknowledged=True, now=_aware(PRACTICE_FROM, 9))  # fmt: skip
        diary.record_group_briefing(ps, Briefing.Kind.LOCAL_DOCUMENTS, practice_user or admin, held_on=PRACTICE_FROM,
                                    conducted_by=str(safety_engineer), documents=docs, acknowledged=True,
                                    now=_aware(PRACTICE_FROM, 10))  # fmt: skip
    for p in placed:
        p = Placement.objects.get(pk=p.pk)
        if p.status == Placement.Status.ORDERED:
            diary.brief(p, practice_user or admin)
        diary.start(Placement.objects.get(pk=p.pk), practice_user or admin, on=PRACTICE_FROM)

    # Diaries, day by day: the learner writes, the mentor grades the next day, the head of practical training controls weekly.
    still_running = next(p for p in placed if p.employer_id == workshop.pk)
    for p in placed:
        _keep_diary(Placement.objects.select_related("mentor__user", "student").get(pk=p.pk), master, rng,
                    leave_ungraded=2 if p.pk == still_running.pk else 0)  # fmt: skip

    # The end: review and characterisation, joint assessment, the grade in the journal, closed.
    assessors = [master]
    for p in placed:
        if p.pk == still_running.pk:
            continue
        p = Placement.objects.select_related("student", "mentor__user").get(pk=p.pk)
        name = f"{p.student.last_name} {p.student.first_name}"
        grade = _grade(p)
        mentor_user = p.mentor.user or practice_user or admin
        diary.complete(p, mentor_user, review=REVIEW.format(name=name), characterisation=CHARACTERISATION.format(name=name),
                       recommended_grade=grade, on=D(2025, 5, 12))  # fmt: skip
        employer_assessor = p.mentor
        competencies = diary.competencies_for(p)
        diary.assess(
            Placement.objects.get(pk=p.pk), practice_user or admin, assessed_on=D(2025, 5, 14),
            method=AssessmentMethod.PRACTICAL_TASK, value=grade, institution_assessors=assessors,
            employer_assessors=[employer_assessor], results={c.pk: (True, "") for c in competencies},
            comment="Практикалык тапшырма: пластиналарды жана түтүктөрдү ширетүү, тигиштин сапатын коргоо.",
            today=D(2025, 5, 14),
        )  # fmt: skip
        diary.close(Placement.objects.get(pk=p.pk), practice_user or admin, on=D(2025, 5, 16))

    # Before all that, in November–December 2024: the group's industrial training at the lyceum's own workshop (п. 3).
    demo_bases.training_at_workshop(pl8, workshop_base, group, students, master, head, practice_user or admin, wbl_programme, rng)
    _internship(pl8, kkmk, teacher_intern, people, head, practice_user or admin)
    _volunteer(pl8, red_crescent, memorandum, students[8], practice_user or admin)
    demo_events.load(pl8, practice_user or admin)
    _report(pl8, people, practice_user or admin, head)
    demo_engagement.load_engagement(pl8)
    demo_outcomes.load(pl8, admin)  # last: once ЭГС-23 graduates, its learners take no part-time work or measures
    demo_partnership.load(pl8)  # the hosts' needs for 2025–26 and evaluations of 2024–25


def _logo_png(initials, size=240):
    """A company logo for the demo: a steel-blue badge with an I-beam, a spark and the initials."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, size - 8, size - 8), radius=36, fill="#24527a")
    draw.rectangle((60, 44, 180, 62), fill="white")
    draw.rectangle((110, 62, 130, 128), fill="white")
    draw.rectangle((60, 128, 180, 146), fill="white")
    draw.ellipse((160, 30, 196, 66), fill="#f28c28")
    try:
        font = ImageFont.truetype("DejaVuSans-Bold.ttf", 44)
    except OSError:
        font = ImageFont.load_default(size=44)
    draw.text((size / 2, 186), initials, fill="white", font=font, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _parent(student):
    fathers = ["Асанбек", "Токтосун", "Мамат", "Бакыт", "Жумабек", "Кубат", "Нурбек", "Самат", "Эрмек", "Талант"]
    last = student.last_name[:-1] if student.sex == "F" and student.last_name.endswith("а") else student.last_name
    return f"{last} {fathers[student.pk % len(fathers)]} (атасы)"


def _sign_all(agreement, hosts, people, head, admin):
    employer_head = next((p for p in people.values() if p.employer_id == agreement.employer_id and p.is_head), None)
    signed_on = agreement.concluded_on
    agreements.to_negotiation(agreement, admin)
    agreements.sign(agreement, "institution", str(head.display_name() if head else admin.display_name()), signed_on, admin,
                    signed_outside=True, today=signed_on)  # fmt: skip
    parties = ["employer"] + (["learner"] if agreement.party_count == 3 else [])
    for party in parties:
        who = str(employer_head) if party == "employer" else (agreement.legal_representative or str(agreement.learner))
        agreements.sign(agreement, party, who, signed_on, admin, signed_outside=True, today=signed_on)
    agreement = Agreement.objects.get(pk=agreement.pk)
    if agreement.status == Agreement.Status.SIGNED:  # active from its first day, unless that day was still ahead
        agreements.activate(agreement, admin, today=max(signed_on, agreement.starts_on))


def _programme_tables(wp, programme, user):
    from kesip.wbl.models import ContentRow, RubricItem

    competencies = list(programme.competencies.order_by("code"))
    topics = [
        ("Ширетүү постун уюштуруу жана коопсуздук", 24), ("Металлды кесүү жана четтерин даярдоо", 48),
        ("Учма-уч жана бурчтук тигиштерди ширетүү", 144), ("Түтүктөрдү ширетүү", 96),
        ("Металл конструкцияларды жыйноо жана ширетүү", 96), ("Тигиштердин сапатын текшерүү", 24),
    ]  # fmt: skip
    for i, (topic, hours) in enumerate(topics):
        row = ContentRow(
            institution=wp.institution, programme=wp, practice_type="production", competency=competencies[i % len(competencies)],
            topic=topic, hours=hours, environment="Ишкананын цехи же устаканасы", equipment="Ширетүү аппараттары, газ кескич, өлчөгүчтөр",
            position=i,
        )  # fmt: skip
        programmes.save_content_row(row, user)
    for i, (level, text) in enumerate(
        [
            ("5", "Тигиштер кемчиликсиз, тапшырма өз алдынча жана өз убагында аткарылды, коопсуздук толук сакталды."),
            ("4", "Тигиштерде майда кемчиликтер бар, аларды өзү оңдойт; тапшырма аткарылды."),
            ("3", "Тигиштерде кемчиликтер көп, насаатчынын жардамы керек болду."),
            ("2", "Тапшырма аткарылган жок же коопсуздук эрежелери бузулду."),
        ]
    ):
        item = RubricItem(
            institution=wp.institution, programme=wp, method="practical_task", level=level, descriptor=text, position=i
        )
        programmes.save_rubric_item(item, competencies, user)


def _keep_diary(placement, master, rng, leave_ungraded=0, hours=6):
    days = list(_working_days(placement.starts_on, placement.ends_on))
    student_user = placement.student.user
    mentor_user = placement.mentor.user
    for n, day in enumerate(days):
        task, done = TASKS[(n // 6) % len(TASKS)]
        entry = DiaryEntry(
            institution=placement.institution, placement=placement, date=day, task=task, work_done=done, hours=hours
        )
        diary.save_entry(entry, student_user, submit=True, today=day, now=_aware(day, 18))
        if n >= len(days) - leave_ungraded:
            continue
        graded_at = _aware(day + datetime.timedelta(days=1 if day.weekday() < 5 else 2), 17)
        value = rng.choices([5, 4, 3], weights=[5, 4, 1])[0]
        diary.grade_entry(entry, value, mentor_user, comment="" if value > 3 else "Тигишти тазалоого көңүл бур.", now=graded_at)
        if day.weekday() == 5:
            for e in DiaryEntry.objects.filter(placement=placement, checked_at__isnull=True, status="graded"):
                diary.check_entry(e, master.user, note="", now=_aware(day + datetime.timedelta(days=2), 10))


def _grade(placement):
    from django.db.models import Avg

    avg = DiaryEntry.objects.filter(placement=placement, grade__isnull=False).aggregate(a=Avg("grade"))["a"]
    return max(3, min(5, round(float(avg or 4))))


def _internship(pl8, kkmk, teacher, people, head, user):
    """A master of industrial training on a production internship at the metal-construction company (п. 35, 38, 41, 43)."""
    contract = Agreement(
        institution=pl8, kind="wbl", employer=kkmk, form="internship", concluded_on=D(2025, 5, 19), starts_on=D(2025, 5, 19),
        ends_on=D(2025, 12, 31), places=2, theory_percent=10, practice_percent=90,
        agreed_programme="Педагогдордун өндүрүштүк стажировкасы: заманбап ширетүү жабдуулары",
    )  # fmt: skip
    agreements.save_agreement(contract, user)
    _sign_all(contract, None, people, head, user)
    p = Placement(
        institution=pl8, form="internship", intern_staff=teacher, employer=kkmk, starts_on=D(2025, 6, 2), ends_on=D(2025, 6, 13),
        hours=72, intern_category="teacher", internship_type="production", internship_mode="targeted",
        individual_programme="1. Жарым автоматтык MIG/MAG ширетүү жабдуулары менен таанышуу.\n2. Инвертордук аппараттарды "
                             "тууралоо.\n3. Металл конструкцияларды ширетүүнүн заманбап технологиялары.\n4. Окуу устаканасы "
                             "үчүн практикалык тапшырмаларды даярдоо.",
        intern_education="Орто кесиптик, «Ширетүү өндүрүшү»", intern_experience="Ширетүү технологиясын окутуучу катары 9 жыл",
        intern_position="Ширетүү технологиясы боюнча мугалим",
        internship_goals="Заманбап ширетүү жабдууларын өздөштүрүү жана окуу процессине киргизүү.",
        duration_reason="Кыска мөөнөттүү максаттуу стажировка: 2 жума, жабдуулардын 4 түрү боюнча.",
        supervisor=None, mentor=people["Бекмуратов"], consent_by="learner", consent_on=D(2025, 5, 19),
    )  # fmt: skip
    placements.save_placement(p, user)
    internships.agree_programme(p, D(2025, 5, 21), "Мамытов Ж. Т., башкы инженер", user)
    placements.agree_roster([p], D(2025, 5, 21), user)
    referral = orders.prepare_referral([Placement.objects.get(pk=p.pk)], user, dated=D(2025, 5, 26))
    orders.sign(referral, head, signed_on=D(2025, 5, 26))
    admission = orders.prepare_internship_admission(kkmk, [Placement.objects.get(pk=p.pk)], user, dated=D(2025, 5, 28))
    orders.sign(admission, user, signatory_name="Султанов Бакыт Асанович", signatory_position="Директор",
                signed_on=D(2025, 5, 28), outside=True)  # fmt: skip
    # The enterprise's head appoints the intern's mentor for the whole internship (п. 2, п. 10; VR-38, VR-39).
    appointment = orders.prepare_mentor(kkmk, [Placement.objects.get(pk=p.pk)], user, dated=D(2025, 5, 28))
    orders.sign(appointment, user, signatory_name="Султанов Бакыт Асанович", signatory_position="Директор",
                signed_on=D(2025, 5, 28), outside=True)  # fmt: skip
    p = Placement.objects.get(pk=p.pk)
    for kind in Briefing.Kind.values:
        diary.record_briefing(p, kind, user, held_on=D(2025, 6, 2), conducted_by="Абдиева Н. Б.", acknowledged=True,
                              documents=list(LocalDocument.objects.filter(employer=kkmk)) if kind == "local_documents" else (),
                              now=_aware(D(2025, 6, 2), 9))  # fmt: skip
    p = Placement.objects.get(pk=p.pk)
    if p.status == Placement.Status.ORDERED:
        diary.brief(p, user)
    diary.start(Placement.objects.get(pk=p.pk), user, on=D(2025, 6, 2))
    internships.record_outcome(Placement.objects.get(pk=p.pk), "successful", user, on=D(2025, 6, 13))
    # On the enterprise's letterhead, with its logo (п. 43, F2).
    internships.issue_certificate(Placement.objects.get(pk=p.pk), "employer", D(2025, 6, 16), user, language="ky")


def _volunteer(pl8, organisation, memorandum, student, user):
    """44 hours with the Red Crescent recognised as educational practice (п. 31)."""
    r = VolunteerRecognition(
        institution=pl8, student=student, organisation=organisation, memorandum=memorandum,
        activity="Биринчи жардам көрсөтүү боюнча тренингдерге жана кырсыктын алдын алуу акцияларына катышуу, "
                 "шаардык иш-чараларда волонтер болуу; коопсуздук жана командада иштөө көндүмдөрү.",
        starts_on=D(2024, 10, 1), ends_on=D(2024, 12, 20), hours=44, book_reference="ВК-0417",
        volunteer_agreement_reference="ВД-23/2024", practice_type="educational",
    )  # fmt: skip
    internships.save_volunteer(r, user)
    internships.verify(VolunteerRecognition.objects.get(pk=r.pk), user, on=D(2025, 1, 10))  # the evidence checked (§9.4)
    internships.recognise(VolunteerRecognition.objects.get(pk=r.pk), user, on=D(2025, 1, 14))


def _report(pl8, people, user, head):
    report = reports.open_report(pl8, 2024, user, today=D(2025, 9, 10))
    reports.save_texts(
        report,
        "2024–2025-окуу жылында ЭГС-23 тобунун 13 билим алуучусу үч ишканада өндүрүштүк практикадан өттү, алардын бирөө "
        "бригадалык окуучулук формасында. Бардык билим алуучуларга насаатчылар дайындалды, нускамалар өз убагында өткөрүлдү.",
        "Бир устаканада насаатчынын күндөлүккө баа коюусу кечигет; айыл чарба ишканасында жабдуу эскирген.",
        "1. Насаатчылар үчүн квалификацияны жогорулатуу курсун уюштуруу (п. 56, 14-пункт).\n"
        "2. Практиканын программасына жарым автоматтык ширетүү боюнча 24 саат кошуу.\n"
        "3. «Караван Агро Сервис» менен жабдууну жаңылоо боюнча макулдашуу түзүү.",
        user,
    )
    reports.send_to_employers(report, user, today=D(2025, 9, 12))
    for agreement in report.agreements.select_related("employer"):
        rep = next((p for p in people.values() if p.employer_id == agreement.employer_id and p.is_representative), None)
        reports.answer(agreement, "agreed", by=str(rep) if rep else "", user=user, today=D(2025, 9, 19))
    reports.finalise(report, user, today=D(2025, 9, 22))
    reports.publish(report, user, today=D(2025, 9, 24))
