"""Agreement pages: the list with its filters and expiry warnings, the page and its steps, the forms, the document."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import agreements
from kesip.wbl.models import Agreement, AgreementSignature, WblSettings
from kesip.wbl.tests.test_agreements import END, PDF, START, college, draft, signed

pytestmark = pytest.mark.django_db

A = Agreement
P = AgreementSignature.Party
TODAY = datetime.date.today()


def current(t, **kwargs):
    """A signed agreement valid around today."""
    values = dict(starts_on=TODAY - datetime.timedelta(days=30), ends_on=TODAY + datetime.timedelta(days=200))
    values.update(kwargs)
    agreement = draft(t, **values)
    for party in agreements.agreement_rules.required_parties(agreement):
        agreements.sign(agreement, party, "Подписант", values["starts_on"], t.admin, signed_outside=True)
    agreement.refresh_from_db()
    return agreement


def test_the_list_shows_status_badges_and_warns_of_expiry_within_the_institutions_days(client, login):
    t = college()
    soon = current(t, ends_on=TODAY + datetime.timedelta(days=30))
    later = current(t, ends_on=TODAY + datetime.timedelta(days=31))
    past = current(t, ends_on=TODAY)  # valid today: still active
    login(t.admin)
    page = client.get(reverse("wbl:agreement_list"))
    assert page.status_code == 200
    rows = {a.pk: w for a, w in page.context["rows"]}
    assert rows[soon.pk] == 30 and rows[later.pk] is None and rows[past.pk] == 0
    assert b"expires in 30 days" in page.content and b"expires today" in page.content
    expiring = client.get(reverse("wbl:agreement_list"), {"expiring": "1"})
    assert {a.pk for a, _w in expiring.context["rows"]} == {soon.pk, past.pk}
    WblSettings.objects.create(institution=t.institution, agreement_warning_days=31)
    expiring = client.get(reverse("wbl:agreement_list"), {"expiring": "1"})
    assert {a.pk for a, _w in expiring.context["rows"]} == {soon.pk, later.pk, past.pk}


def test_the_list_expires_agreements_past_their_last_day_first(client, login):
    t = college()
    agreement = signed(t, draft(t))  # ended on END, long ago
    assert agreement.status == A.Status.ACTIVE
    login(t.admin)
    page = client.get(reverse("wbl:agreement_list"), {"status": "expired"})
    assert [a.pk for a, _w in page.context["rows"]] == [agreement.pk]
    agreement.refresh_from_db()
    assert agreement.status == A.Status.EXPIRED


def test_the_agreements_page_and_its_steps_expire_it_first_too(client, login):
    """Opened straight from a link (not from the list), an agreement past its last day shows as expired, with no
    amendment or termination offered, and its step pages send back instead of offering them."""
    t = college()
    agreement = signed(t, draft(t))  # ended on END, long ago
    assert agreement.status == A.Status.ACTIVE
    login(t.admin)
    page = client.get(reverse("wbl:agreement_detail", args=[agreement.pk]))
    assert page.status_code == 200 and "amend" not in page.context["steps"] and "terminate" not in page.context["steps"]
    assert f'href="/wbl/agreements/{agreement.pk}/amend/"' not in page.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == A.Status.EXPIRED and agreement.history.first().status == A.Status.EXPIRED
    assert client.get(reverse("wbl:agreement_amend", args=[agreement.pk])).status_code == 302


def test_the_list_filters_by_kind_status_and_employer(client, login):
    t = college()
    wbl = draft(t)
    memo = draft(t, kind=A.Kind.VOLUNTEER, employer=f.EmployerFactory(institution=t.institution), theory_percent=None,
                 practice_percent=None)  # fmt: skip
    login(t.admin)
    url = reverse("wbl:agreement_list")
    assert [a.pk for a, _w in client.get(url, {"kind": "volunteer"}).context["rows"]] == [memo.pk]
    assert [a.pk for a, _w in client.get(url, {"employer": t.employer.pk}).context["rows"]] == [wbl.pk]
    assert client.get(url, {"status": "active"}).context["rows"] == []
    assert len(client.get(url, {"status": "nonsense"}).context["rows"]) == 2  # a wrong filter is ignored


@pytest.mark.parametrize("count", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, count):
    t = college()
    for i in range(count):
        draft(t, employer=f.EmployerFactory(institution=t.institution), number=f"N-{i}")
    login(t.admin)
    with django_assert_max_num_queries(12):
        page = client.get(reverse("wbl:agreement_list"))
    assert page.status_code == 200 and len(page.context["rows"]) == count


@pytest.mark.parametrize("count", [2, 20])
def test_the_agreement_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, count):
    t = college(students=count)
    agreement = current(t, places=count)
    agreements.amend(agreement, TODAY, TODAY, "Список", {"roster": [s.pk for s in t.students]}, t.admin)
    for i in range(count):
        agreements.amend(agreement, TODAY, TODAY, f"Изменение {i}", {"places": count + i + 1}, t.admin)
    login(t.admin)
    with django_assert_max_num_queries(17):
        page = client.get(agreement.get_absolute_url())
    assert page.status_code == 200 and len(page.context["roster"]) == count
    assert len(page.context["amendments"]) == count + 1


def test_the_page_shows_parties_roster_amendments_and_only_the_possible_steps(client, login):
    t = college()
    agreement = draft(t, agreed_programme="")
    login(t.admin)
    page = client.get(agreement.get_absolute_url())
    assert page.context["steps"] == {"edit", "roster", "delete"}  # the rules do not hold: no negotiation, no signing
    assert b"Record the agreed training programme" in page.content and "п. 9" in page.content.decode()
    agreement.agreed_programme = "Программа"
    agreements.save_agreement(agreement, t.admin)
    agreements.set_roster(agreement, t.students[:2], t.admin)
    page = client.get(agreement.get_absolute_url())
    assert page.context["steps"] == {"edit", "sign", "roster", "negotiate", "delete"}
    body = page.content.decode()
    assert t.students[0].last_name in body and t.group.name in body and 'id="party-employer"' in body
    live = current(t)
    agreements.amend(live, TODAY, TODAY, "Мест пять", {"places": 5}, t.admin)
    page = client.get(live.get_absolute_url())
    assert page.context["steps"] == {"amend", "terminate"}
    body = page.content.decode()
    assert "Мест пять" in body and "<del>3</del> → <ins>5</ins>" in body
    assert 'id="agreement-status">Active' in body


def test_creating_an_agreement_with_bad_input_saves_nothing_and_names_the_field(client, login):
    t = college()
    login(t.admin)
    url = reverse("wbl:agreement_add")
    page = client.get(url, {"employer": t.employer.pk})
    assert page.status_code == 200 and page.context["form"].initial["employer"] == t.employer.pk
    data = {
        "kind": "wbl",
        "employer": t.employer.pk,
        "form": "practice",
        "starts_on": "2025-09-01",
        "ends_on": "2025-08-31",
        "theory_percent": "40",
        "practice_percent": "59",
        "places": "3",
    }
    response = client.post(url, data)
    assert response.status_code == 400 and not A.objects.exists()
    errors = response.context["form"].errors
    assert "ends_on" in errors and "practice_percent" in errors
    data.update(ends_on="2026-06-30", practice_percent="60", agreed_programme="Программа")
    response = client.post(url, {**data, "specialties": [t.specialty.pk]})
    agreement = A.objects.get()
    assert response.status_code == 302 and response["Location"] == agreement.get_absolute_url()
    assert agreement.status == A.Status.DRAFT and list(agreement.specialties.all()) == [t.specialty]
    other = college()
    response = client.post(url, {**data, "employer": other.employer.pk})
    assert response.status_code == 400 and "employer" in response.context["form"].errors


def test_editing_a_draft_and_refusing_to_edit_a_signed_one(client, login):
    t = college()
    agreement = draft(t)
    login(t.admin)
    url = reverse("wbl:agreement_edit", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    data.update(places="2", starts_on=START.isoformat(), ends_on=END.isoformat(), specialties=[])
    data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
    assert client.post(url, data).status_code == 302
    agreement.refresh_from_db()
    assert agreement.places == 2
    live = current(t)
    response = client.get(reverse("wbl:agreement_edit", args=[live.pk]))
    assert response.status_code == 302 and response["Location"] == live.get_absolute_url()


def test_the_roster_page_picks_a_groups_students_and_refuses_more_than_the_places(client, login):
    t = college(students=3)
    agreement = draft(t, places=2)
    login(t.admin)
    url = reverse("wbl:agreement_roster", args=[agreement.pk])
    page = client.get(url)
    assert page.status_code == 200 and page.context["group"] == t.group and len(page.context["students"]) == 3
    response = client.post(url, {"group": t.group.pk, "students": [s.pk for s in t.students]})
    assert response.status_code == 400 and agreement.roster.count() == 0
    assert "2 workplaces" in " ".join(response.context["errors"]) and "п. 57" in " ".join(response.context["errors"])
    response = client.post(url, {"group": t.group.pk, "students": [s.pk for s in t.students[:2]]})
    assert response.status_code == 302 and agreement.roster.count() == 2


def test_the_roster_of_a_signed_agreement_changes_by_an_amendment(client, login):
    t = college(students=2)
    agreement = current(t, places=2)
    login(t.admin)
    url = reverse("wbl:agreement_roster", args=[agreement.pk])
    response = client.post(url, {"group": t.group.pk, "students": [t.students[0].pk]})
    assert response.status_code == 400 and "text" in response.context["amend_form"].errors
    response = client.post(url, {"group": t.group.pk, "students": [t.students[0].pk], "signed_on": TODAY.isoformat(),
                                 "effective_from": TODAY.isoformat(), "text": "Добавлен студент"})  # fmt: skip
    assert response.status_code == 302
    amendment = agreement.amendments.get()
    assert amendment.changes == {"roster": [[], [t.students[0].pk]]}


def test_signing_through_the_page_with_a_scan(client, login):
    t = college()
    agreement = draft(t, starts_on=TODAY - datetime.timedelta(days=30), ends_on=TODAY + datetime.timedelta(days=200))
    login(t.admin)
    url = reverse("wbl:agreement_sign", args=[agreement.pk])
    page = client.get(url)
    assert [c for c, _label in page.context["form"].fields["party"].choices] == [P.INSTITUTION, P.EMPLOYER]
    assert client.post(url, {"party": P.INSTITUTION, "signatory": "Директор", "signed_on": START.isoformat()}).status_code == 302
    response = client.post(url, {"party": P.EMPLOYER, "signatory": "Директор Б.", "signed_on": START.isoformat()})
    assert response.status_code == 400 and "scan" in response.context["form"].errors
    fake = SimpleUploadedFile("signed.pdf", b"not a pdf", "application/pdf")
    response = client.post(url, {"party": P.EMPLOYER, "signatory": "Б.", "signed_on": START.isoformat(), "scan": fake})
    assert response.status_code == 400 and "scan" in response.context["form"].errors
    scan = SimpleUploadedFile("signed.pdf", PDF, "application/pdf")
    response = client.post(url, {"party": P.EMPLOYER, "signatory": "Директор Б.", "signed_on": START.isoformat(), "scan": scan})
    assert response.status_code == 302
    agreement.refresh_from_db()
    assert agreement.status == A.Status.ACTIVE and agreement.signed_scan
    copy = client.get(reverse("wbl:agreement_scan", args=[agreement.pk]))
    assert copy.status_code == 200 and b"".join(copy.streaming_content).startswith(b"%PDF")


def test_steps_through_the_page(client, login):
    t = college()
    agreement = draft(t)
    login(t.admin)
    assert client.get(reverse("wbl:agreement_step", args=[agreement.pk, "negotiate"])).status_code == 405
    client.post(reverse("wbl:agreement_step", args=[agreement.pk, "negotiate"]))
    agreement.refresh_from_db()
    assert agreement.status == A.Status.NEGOTIATION
    response = client.post(reverse("wbl:agreement_step", args=[agreement.pk, "activate"]), follow=True)
    assert b"This step is not open" in response.content
    assert client.post(reverse("wbl:agreement_step", args=[agreement.pk, "fly"])).status_code == 404
    live = current(t)
    url = reverse("wbl:agreement_terminate", args=[live.pk])
    assert client.post(url, {"on": TODAY.isoformat(), "reason": ""}).status_code == 400
    assert client.post(url, {"on": TODAY.isoformat(), "reason": "Предприятие закрыто"}).status_code == 302
    live.refresh_from_db()
    assert live.status == A.Status.TERMINATED and live.terminated_on == TODAY


def test_the_amendment_form_records_only_what_changed(client, login):
    t = college()
    agreement = current(t)
    login(t.admin)
    url = reverse("wbl:agreement_amend", args=[agreement.pk])
    page = client.get(url)
    initial = page.context["form"].initial
    data = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in initial.items() if v not in (None, "")}
    data.update(text="Продление", ends_on=(agreement.ends_on + datetime.timedelta(days=10)).isoformat())
    response = client.post(url, data)
    assert response.status_code == 302
    amendment = agreement.amendments.get()
    assert list(amendment.changes) == ["ends_on"]
    data.update(text="Мест меньше нуля", places="0")
    assert client.post(url, data).status_code == 400 and agreement.amendments.count() == 1


def test_a_draft_is_deleted_and_a_signed_one_is_not(client, login):
    t = college()
    agreement = draft(t)
    login(t.admin)
    assert client.get(reverse("wbl:agreement_delete", args=[agreement.pk])).status_code == 200
    assert client.post(reverse("wbl:agreement_delete", args=[agreement.pk])).status_code == 302
    assert not A.objects.filter(pk=agreement.pk).exists()
    live = current(t)
    assert client.post(reverse("wbl:agreement_delete", args=[live.pk])).status_code == 302
    assert A.objects.filter(pk=live.pk).exists()


def test_the_history_page_lists_the_changes(client, login):
    t = college()
    agreement = current(t)
    login(t.admin)
    page = client.get(reverse("wbl:agreement_history", args=[agreement.pk]))
    assert page.status_code == 200 and len(page.context["entries"]) >= 3


def test_the_history_shows_a_change_of_the_professions_by_name(client, login):
    t = college()
    agreement = draft(t, specialties=[t.specialty])
    other = f.SpecialtyFactory(jurisdiction="KG")
    agreements.save_agreement(agreement, t.admin, specialties=[t.specialty, other])
    login(t.admin)
    page = client.get(reverse("wbl:agreement_history", args=[agreement.pk]))
    assert page.status_code == 200
    changed = [
        c for e in page.context["entries"] for c in e["changes"] if c[0] == Agreement._meta.get_field("specialties").verbose_name
    ]
    assert changed and str(other) in changed[0][2] and str(t.specialty) in changed[0][1]


# ---------------------------------------------------------------------------- who sees what


def test_an_employers_representative_sees_and_signs_for_its_own_employer_only(client, login):
    t = college()
    mine = draft(t)
    agreements.to_negotiation(mine, t.admin)
    theirs = draft(t, employer=f.EmployerFactory(institution=t.institution))
    login(t.rep)
    page = client.get(reverse("wbl:agreement_list"))
    assert [a.pk for a, _w in page.context["rows"]] == [mine.pk] and not page.context["can_add"]
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.get(reverse("wbl:agreement_sign", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("wbl:agreement_add")).status_code == 403
    page = client.get(mine.get_absolute_url())
    assert page.context["steps"] == {"sign", "edit"}
    sign = client.get(reverse("wbl:agreement_sign", args=[mine.pk]))
    assert [c for c, _label in sign.context["form"].fields["party"].choices] == [P.EMPLOYER]
    response = client.post(reverse("wbl:agreement_sign", args=[mine.pk]),
                           {"party": P.INSTITUTION, "signatory": "X", "signed_on": START.isoformat()})  # fmt: skip
    assert response.status_code == 400 and not mine.signatures.exists()
    edit = client.get(reverse("wbl:agreement_edit", args=[mine.pk]))
    assert "form" not in edit.context["form"].fields and "kind" not in edit.context["form"].fields
    assert client.get(reverse("wbl:agreement_roster", args=[mine.pk])).status_code == 302


def test_a_student_sees_only_the_agreements_they_are_a_party_to(client, login):
    t = college()
    student = t.students[0]
    student.user = f.member(Role.STUDENT, institution=t.institution)
    student.save()
    own = draft(t, form="dual", learner=student, individual_schedule="График", employment_clause="Работа")
    draft(t)
    login(student.user)
    page = client.get(reverse("wbl:agreement_list"))
    assert [a.pk for a, _w in page.context["rows"]] == [own.pk]
    assert client.get(own.get_absolute_url()).context["steps"] == set()
    assert client.get(reverse("wbl:agreement_edit", args=[own.pk])).status_code == 404


def test_another_institutions_agreement_answers_404(client, login):
    t, other = college(), college()
    agreement = draft(other)
    login(t.admin)
    for name in ("agreement_detail", "agreement_edit", "agreement_roster", "agreement_sign", "agreement_document"):
        assert client.get(reverse(f"wbl:{name}", args=[agreement.pk])).status_code == 404, name
    assert client.post(reverse("wbl:agreement_step", args=[agreement.pk, "negotiate"])).status_code == 404
    agreement.refresh_from_db()
    assert agreement.status == A.Status.DRAFT


# ---------------------------------------------------------------------------- the document


def pdf_text(data):
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.mark.parametrize("lang", ["ky", "ru"])
def test_the_agreement_document_in_pdf_and_docx(client, login, lang):
    from docx import Document

    t = college()
    agreement = current(t, form="dual", learner=t.students[0], employer_is_customer=True,
                        curriculum_agreed_on=datetime.date(2024, 12, 20),
                        individual_schedule="Индивидуальный график: пн–ср",
                        employment_clause="Выпускник принимается на работу", theory_percent=30, practice_percent=70,
                        specialties=[t.specialty])  # fmt: skip
    agreements.amend(agreement, TODAY, TODAY, "Поименный список", {"roster": [t.students[0].pk]}, t.admin)
    t.institution.head = "Асанов Төлөн Маматович"
    t.institution.save()
    login(t.admin)
    url = reverse("wbl:agreement_document", args=[agreement.pk])
    pdf = client.get(url, {"format": "pdf", "lang": lang})
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(url, {"format": "docx", "lang": lang})
    assert docx.status_code == 200 and "wordprocessingml" in docx["Content-Type"]
    text = "\n".join(p.text for p in Document(io.BytesIO(docx.content)).paragraphs)
    cells = "\n".join(c.text for table in Document(io.BytesIO(docx.content)).tables for row in table.rows for c in row.cells)
    assert t.employer.name in text and "Асанов Төлөн Маматович" in text and agreement.number in cells
    assert t.students[0].last_name in cells and "Индивидуальный график" in cells and "30 %" in cells
    assert client.get(url, {"format": "odt"}).status_code == 404
