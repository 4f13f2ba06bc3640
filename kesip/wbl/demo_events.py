"""Demo WBL events of Vocational Lyceum No. 8 (F24): the welders of ЭГС-23 meet their trade with the employers, 2024–2025.

A guest lecture by the chief engineer of the metal-construction company (stage 7.1), an excursion
to its shop and a master class of TIG welding at the welding workshop (7.2, mastering the
profession), and the lyceum's welding competition judged by a jury of the three host employers
(7.2, engagement in the profession). Each goes through the services as the head of practical
training would do it: planned, the attendance sheet of the group, the jury, marked held.
"""

import datetime

from kesip.core.models import Employer, StaffMember, Student, StudyGroup
from kesip.curriculum.models import Component
from kesip.wbl import events
from kesip.wbl.models import EventJuror, WblEvent

D = datetime.date

EVENTS = [
    dict(
        key="lecture", title="«Металл конструкциялар: заманбап ширетүүчүнүн кесиби» — башкы инженердин лекциясы",
        kind="guest_lecture", starts_on=D(2024, 10, 15), hours=2, component="КЦ.04",
        employer="ОсОО «Кызыл-Кыя Металл Курулуш»", venue="Лицейдин акт залы",
        description="Башкы инженер Мамытов Ж. Т. ишкананын объекттери, ширетүүчүнүн эмгек шарттары, разряддар жана "
                    "эмгек акы, кесиптик өсүү жөнүндө айтып берди; суроо-жооп.",
        absent=(),
    ),
    dict(
        key="excursion", title="Металл конструкциялар цехине экскурсия",
        kind="excursion", starts_on=D(2024, 11, 20), hours=4, component="КЦ.06",
        employer="ОсОО «Кызыл-Кыя Металл Курулуш»", venue="Кызыл-Кыя ш., Өнөр жай көч., 14",
        description="Цехтин ширетүү посттору, ВДУ-506 жана ПДГ-500 аппараттары, газ кескич пост; эмгекти коргоо боюнча "
                    "инженердин нускамасы; иш ордундагы коопсуздук белгилери.",
        absent=(4,),
    ),
    dict(
        key="master_class", title="Мастер-класс: аргон-дуга менен ширетүү (TIG)",
        kind="master_class", starts_on=D(2025, 1, 28), hours=4, component="КЦ.04",
        employer="ЖИ Абдыкадыров Н. — ширетүү устаканасы", venue="Кызыл-Кыя ш., Манас көч., 52",
        description="Устакана ээси Абдыкадыров Н. Э. TIG-200 аппаратында жука болотту жана дат баспас түтүктү ширетүүнү "
                    "көрсөттү; ар бир окуучу үлгү пластинада аракет кылды.",
        absent=(2, 9),
    ),
    dict(
        key="competition", title="«Мыкты ширетүүчү – 2025» кесиптик сынагы",
        kind="competition", starts_on=D(2025, 5, 15), hours=6, component="КЦ.04",
        employer="ОсОО «Кызыл-Кыя Металл Курулуш»", venue="Лицейдин ширетүү устаканасы",
        description="Тапшырма: 8 мм пластиналарды V-кесилиш менен учма-уч жана тавр биримдигин ширетүү, тигиштин "
                    "сапатын сырттан кароо; иш берүүчүлөрдүн калыстар тобу баалады.",
        absent=(),
    ),
]  # fmt: skip

JURY = [
    ("ОсОО «Кызыл-Кыя Металл Курулуш»", "Бекмуратов Азамат Каныбекович", "Бригадир, ширетүүчү (6-разряд)"),
    ("ЖИ Абдыкадыров Н. — ширетүү устаканасы", "Абдыкадыров Нурлан Эрматович", "Жеке ишкер, устакана ээси"),
    ("ОсОО «Караван Агро Сервис»", "Ташиев Эркин Маматович", "Директор"),
]


def load(pl8, user):
    """The four events of ЭГС-23 (idempotent: nothing is added when the lyceum has events)."""
    if WblEvent.objects.filter(institution=pl8).exists():
        return []
    group = StudyGroup.objects.get(institution=pl8, name="ЭГС-23")
    employers = {e.name: e for e in Employer.objects.filter(institution=pl8)}
    components = {c.code: c for c in Component.objects.filter(module__programme=group.programme)}
    organiser = StaffMember.objects.filter(institution=pl8, user__username="pl8.teacher").first()
    students = list(Student.objects.filter(group=group, status=Student.Status.ENROLLED).order_by("student_number", "pk"))
    made = []
    for spec in EVENTS:
        event = WblEvent(
            institution=pl8, title=spec["title"], kind=spec["kind"], starts_on=spec["starts_on"], hours=spec["hours"],
            group=group, component=components.get(spec["component"]), employer=employers.get(spec["employer"]),
            venue=spec["venue"], organiser=organiser, description=spec["description"],
        )  # fmt: skip
        event, _warnings = events.save_event(event, user)
        sheet = [(s, i not in spec["absent"], "ооруп калды" if i in spec["absent"] else "") for i, s in enumerate(students)]
        events.record_attendance(event, sheet, user)
        if spec["kind"] == "competition":
            for employer_name, name, position in JURY:
                if employer_name in employers:
                    juror = EventJuror(event=event, employer=employers[employer_name], full_name=name, position=position)
                    events.save_juror(juror, user)
        events.mark_held(WblEvent.objects.get(pk=event.pk), user)
        made.append(event)
    return made
