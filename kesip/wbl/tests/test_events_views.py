"""The pages of WBL events: the list with its filters and counts in a fixed number of queries, the form, the attendance
sheet in one form, held with VR-55 acknowledged, the sheet as PDF and DOCX, and who sees what."""

import datetime

import pytest

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import event_rules, events
from kesip.wbl.models import EventAttendance, WblEvent
from kesip.wbl.tests.test_events import college, everyone, save

pytestmark = pytest.mark.django_db

D = datetime.date
E = WblEvent


def test_the_list_filters_and_counts_in_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    counts = []
    for n in (2, 12):
        t = college()
        for i in range(n):
            event = save(t, kind="guest_lecture" if i % 2 else "excursion", starts_on=D(2024, 10, 1 + i))
            everyone(t, event)
            events.mark_held(event, t.admin)
        login(t.admin)
        with django_assert_max_num_queries(14) as ctx:
            page = client.get("/wbl/events/")
        assert page.status_code == 200 and page.context["counts"]["held"] == n
        counts.append(len(ctx.captured_queries))
    assert counts[0] == counts[1]
    page = client.get("/wbl/events/?stage=7.1&from=2024-10-01&to=2024-10-31")
    assert page.context["counts"]["total"] == 6 and page.context["chosen"]["stage"] == "7.1"
    assert client.get("/wbl/events/?kind=excursion&group=" + str(t.group.pk)).context["counts"]["total"] == 6


def test_staff_create_an_event_and_the_stage_follows_the_form(client, login):
    t = college()
    login(t.head_of_practice)
    assert client.get("/wbl/events/add/").status_code == 200
    data = {"title": "Цехке экскурсия", "kind": "excursion", "stage": "7.1", "starts_on": "2024-11-20", "hours": "4",
            "group": t.group.pk, "component": t.taught.pk, "employer": t.employer.pk}  # fmt: skip
    response = client.post("/wbl/events/add/", data)
    event = E.objects.get()
    assert response.status_code == 302 and event.stage == "7.2a" and event.status == E.Status.PLANNED
    data["component"] = t.not_laid_out.pk
    response = client.post(f"/wbl/events/{event.pk}/edit/", data)
    assert response.status_code == 400 and "п. 53 §5" in response.content.decode()
    event.refresh_from_db()
    assert event.component_id == t.taught.pk


def test_the_attendance_sheet_ticks_the_whole_group_and_held_asks_to_acknowledge_vr55(client, login):
    t = college()
    event = save(t, kind="competition", title="Мыкты ширетүүчү")
    login(t.head_of_practice)
    page = client.get(f"/wbl/events/{event.pk}/")
    html = page.content.decode()
    assert all(f'id="present-{s.pk}"' in html and f'value="{s.pk}" id="present-{s.pk}" aria-label="{s}" checked' in html
               for s in t.students)  # fmt: skip
    assert 'id="event-warning"' in html  # no jury yet
    response = client.post(f"/wbl/events/{event.pk}/held/")
    assert response.status_code == 400 and event_rules.ATTENDANCE in str(response.context["held_errors"][0].code)
    post = {
        "student": [s.pk for s in t.students],
        "present": [t.students[0].pk, t.students[2].pk],
        f"note-{t.students[1].pk}": "ооруп",
    }
    assert client.post(f"/wbl/events/{event.pk}/attendance/", post).status_code == 302
    assert sorted(EventAttendance.objects.filter(event=event, present=True).values_list("student_id", flat=True)) == sorted(
        [t.students[0].pk, t.students[2].pk]
    )
    response = client.post(f"/wbl/events/{event.pk}/held/")
    assert response.status_code == 400 and [v.code for v in response.context["held_warnings"]] == [event_rules.JURY]
    assert 'name="acknowledge"' in response.content.decode()
    event.refresh_from_db()
    assert event.status == E.Status.PLANNED
    assert client.post(f"/wbl/events/{event.pk}/held/", {"acknowledge": "on"}).status_code == 302
    event.refresh_from_db()
    assert event.status == E.Status.HELD
    assert 'id="event-acknowledged"' in client.get(f"/wbl/events/{event.pk}/").content.decode()


def test_a_sheet_naming_a_learner_of_another_institution_saves_nothing(client, login):
    t, other = college(), college()
    event = save(t)
    login(t.admin)
    post = {"student": [t.students[0].pk, other.students[0].pk], "present": [t.students[0].pk, other.students[0].pk]}
    response = client.post(f"/wbl/events/{event.pk}/attendance/", post)
    assert response.status_code == 400 and not EventAttendance.objects.exists()


def test_the_jury_is_added_from_its_page(client, login):
    t = college()
    event = save(t, kind="competition")
    login(t.admin)
    assert client.get(f"/wbl/events/{event.pk}/jury/add/").status_code == 200
    response = client.post(f"/wbl/events/{event.pk}/jury/add/", {"employer": t.employer.pk, "full_name": "Ташиев Эркин"})
    assert response.status_code == 302 and event.jury.count() == 1
    assert 'id="event-warning"' not in client.get(f"/wbl/events/{event.pk}/").content.decode()
    juror = event.jury.get()
    assert client.post(f"/wbl/jurors/{juror.pk}/delete/").status_code == 302 and not event.jury.exists()


def test_cancel_with_a_reason(client, login):
    t = college()
    event = save(t)
    login(t.admin)
    assert client.post(f"/wbl/events/{event.pk}/cancel/", {"reason": ""}).status_code == 400
    assert client.post(f"/wbl/events/{event.pk}/cancel/", {"reason": "Карантин"}).status_code == 302
    assert "Карантин" in client.get(f"/wbl/events/{event.pk}/").content.decode()


def test_the_attendance_sheet_prints_as_pdf_and_docx(client, login):
    t = college()
    event = save(t)
    everyone(t, event, absent=(1,))
    login(t.admin)
    pdf = client.get(f"/wbl/events/{event.pk}/sheet/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    docx = client.get(f"/wbl/events/{event.pk}/sheet/?format=docx&lang=ky")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    official = events.sheet_official(event, "en")
    table = next(b for b in official.blocks if b["kind"] == "table")
    assert [r[1] for r in table["rows"]] == sorted([str(t.students[0]), str(t.students[2])]) and table["header"][
        -1
    ] == "Signature"


def test_another_institutions_event_answers_404(client, login):
    t, other = college(), college()
    event = save(t)
    login(other.admin)
    for url in (f"/wbl/events/{event.pk}/", f"/wbl/events/{event.pk}/edit/", f"/wbl/events/{event.pk}/sheet/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/wbl/events/{event.pk}/held/").status_code == 404
    assert t.employer.name.encode() not in client.get("/wbl/events/").content


def test_a_learner_sees_the_events_they_attended_and_an_employer_its_own(client, login):
    t = college()
    attended, missed = save(t, title="Лекция"), save(t, title="Экскурсия", kind="excursion")
    everyone(t, attended)
    everyone(t, missed, absent=(0,))
    other_employer = f.EmployerFactory(institution=t.institution, name="Башка ишкана")
    elsewhere = save(t, title="Мастер-класс", kind="master_class", employer=other_employer)
    learner = f.member(Role.STUDENT, institution=t.institution)
    t.students[0].user = learner
    t.students[0].save(update_fields=["user"])
    login(learner)
    page = client.get("/wbl/events/")
    assert [e.pk for e in page.context["page"].object_list] == [attended.pk]
    detail = client.get(f"/wbl/events/{attended.pk}/")
    assert detail.status_code == 200 and [a.student_id for a in detail.context["attendance"]] == [t.students[0].pk]
    assert client.get(f"/wbl/events/{elsewhere.pk}/").status_code == 404
    assert client.get(f"/wbl/events/{attended.pk}/sheet/").status_code == 404
    login(t.employer_rep)
    listed = {e.pk for e in client.get("/wbl/events/").context["page"].object_list}
    assert listed == {attended.pk, missed.pk}
    assert client.get(f"/wbl/events/{elsewhere.pk}/").status_code == 404
    assert client.post(f"/wbl/events/{attended.pk}/held/").status_code == 404  # reads, does not act


def test_the_programme_page_shows_hours_held_next_to_the_plan(client, login):
    from kesip.wbl.models import LoadRow, WblProgramme

    t = college()
    wp = WblProgramme.objects.create(institution=t.institution, programme=t.programme, form="practice", academic_year=2024)
    LoadRow.objects.create(institution=t.institution, programme=wp, semester=1, activity="guest_lecture", hours=4, credits=0)
    event = save(t, hours=3)
    everyone(t, event)
    events.mark_held(event, t.admin)
    login(t.admin)
    html = client.get(f"/wbl/wblprogrammes/{wp.pk}/").content.decode()
    assert 'id="held-1-guest_lecture"' in html and "events-held" in html
