"""The order pages as a head of practical training, the head, an employer's representative and a teacher meet them."""

import datetime
import io

import pytest
from django.urls import reverse

from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl import orders
from kesip.wbl.models import Order, OrderLine, Placement
from kesip.wbl.tests.test_orders import END, START, WELDERS, college, internship, placement, referral, refresh, supervise

pytestmark = pytest.mark.django_db

K = Order.Kind
S = Placement.Status


def url(name, *args):
    return reverse(f"wbl:{name}", args=args)


# --- Referral ------------------------------------------------------------------------------------------------------------


def test_the_referral_page_lists_roster_agreed_placements_to_tick(client, login):
    t = college(learners=2)
    planned = placement(t, "Планбеков", status=S.PLANNED)
    login(t.practice)
    page = client.get(url("order_referral"))
    assert page.status_code == 200
    html = page.content.decode()
    assert WELDERS[0] in html and WELDERS[1] in html and "Планбеков" not in html
    assert {p.pk for p in page.context["candidates"]} == {p.pk for p in t.placements}
    assert planned.pk not in {p.pk for p in page.context["candidates"]}


def test_the_draft_is_shown_then_prepared_for_the_chosen_placements(client, login):
    t = college(learners=3)
    login(t.practice)
    ids = ",".join(str(p.pk) for p in t.placements)
    preview = client.get(url("order_referral") + f"?placements={ids}")
    assert preview.status_code == 200 and not Order.objects.exists()
    html = preview.content.decode()
    assert all(name in html for name in WELDERS[:3]) and t.employer.name in html
    assert "Group ЭГС-23 has no head of practical training appointed" in html  # VR-41 warns before the draft
    response = client.post(url("order_referral"), {"placements": [p.pk for p in t.placements], "dated": "2026-12-01"})
    order = Order.objects.get()
    assert response.status_code == 302 and response["Location"] == url("order_detail", order.pk)
    assert (order.kind, order.status, order.dated, order.lines.count()) == (K.REFERRAL, "draft", datetime.date(2026, 12, 1), 3)


def test_a_group_is_referred_from_the_placements_list(client, login):
    t = college(learners=2)
    login(t.practice)
    page = client.get(url("order_referral") + f"?group={t.group.pk}&all=1")
    assert page.status_code == 200 and len(page.context["lines"]) == 2


def test_a_blocked_line_is_shown_beside_its_learner_and_nothing_is_saved(client, login):
    t = college(learners=2)
    Placement.objects.filter(pk=t.placements[0].pk).update(practice_type="")
    login(t.practice)
    response = client.post(url("order_referral"), {"placements": [p.pk for p in t.placements]})
    assert response.status_code == 400 and not Order.objects.exists()
    assert response.context["errors"][f"placement-{t.placements[0].pk}"]
    assert "the type of practice" in response.content.decode()


def test_another_institutions_placement_answers_404_and_a_teacher_may_not_prepare(client, login):
    t = college(learners=1)
    other = college(learners=1, group_name="ТБ-24")
    login(t.practice)
    assert client.get(url("order_referral") + f"?placements={other.placements[0].pk}").status_code == 404
    assert client.post(url("order_referral"), {"placements": [other.placements[0].pk]}).status_code == 404
    login(t.teacher)
    assert client.get(url("order_referral")).status_code == 403


# --- Heads of practical training --------------------------------------------------------------------------------------------


def _rows(rows, prefix="form"):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "1",
        f"{prefix}-MAX_NUM_FORMS": "60",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            data[f"{prefix}-{i}-{key}"] = value
    return data


def test_the_supervisor_form_appoints_a_head_to_each_group(client, login):
    t = college(learners=0)
    login(t.practice)
    page = client.get(url("order_supervisor") + f"?group={t.group.pk}")
    assert page.status_code == 200 and page.context["formset"].forms[0].initial["group"] == t.group.pk
    half = client.post(url("order_supervisor"), _rows([{"group": t.group.pk}]))
    assert half.status_code == 400 and not Order.objects.exists()
    response = client.post(url("order_supervisor"), _rows([{"group": t.group.pk, "supervisor": t.staff.pk}, {}]))
    order = Order.objects.get()
    assert response.status_code == 302 and order.kind == K.SUPERVISOR
    assert list(order.lines.values_list("group", "supervisor")) == [(t.group.pk, t.staff.pk)]


def test_the_supervisor_form_lists_only_the_institutions_groups(client, login):
    t = college(learners=0)
    other = college(learners=0, group_name="ТБ-24")
    login(t.practice)
    assert client.get(url("order_supervisor") + f"?group={other.group.pk}").status_code == 404
    response = client.post(url("order_supervisor"), _rows([{"group": other.group.pk, "supervisor": t.staff.pk}]))
    assert response.status_code == 400 and not Order.objects.exists()


# --- The employer's orders ----------------------------------------------------------------------------------------------------


def test_the_employer_representative_appoints_its_mentors(client, login):
    t = college(learners=2)
    login(t.rep_user)
    page = client.get(url("order_mentor"))
    assert page.status_code == 200 and page.context["employer"] == t.employer  # its only employer is chosen
    assert [row["needed"] for row in page.context["rows"]] == [True, True]
    response = client.post(url("order_mentor"), {"employer": t.employer.pk, "placements": [p.pk for p in t.placements]})
    order = Order.objects.get()
    assert response.status_code == 302 and (order.kind, order.employer) == (K.MENTOR, t.employer)
    other = college(learners=0, group_name="ТБ-24")
    assert client.get(url("order_mentor") + f"?employer={other.employer.pk}").status_code == 404


def test_the_admission_page_shows_the_referral_and_prepares_the_admission(client, login):
    t = college(learners=0)
    intern = internship(t)
    orders.sign(orders.prepare_referral([intern], t.practice), t.head)
    login(t.practice)
    page = client.get(url("order_admission") + f"?employer={t.employer.pk}")
    assert page.status_code == 200 and page.context["rows"][0]["referral"] is not None
    response = client.post(url("order_admission"), {"employer": t.employer.pk, "placements": [intern.pk]})
    assert response.status_code == 302 and Order.objects.filter(kind=K.INTERNSHIP_ADMISSION).count() == 1


# --- An order's page, signing, cancelling -------------------------------------------------------------------------------------


def test_the_draft_page_shows_what_blocks_signing_and_the_steps(client, login):
    t = college(learners=2)
    draft = referral(t, signed=False)
    login(t.practice)
    page = client.get(url("order_detail", draft.pk))
    assert page.status_code == 200
    assert page.context["steps"] == {"edit", "delete", "cancel", "sign"}
    assert [v.code for v in page.context["blocking"]] == ["wbl.supervisor.min_per_group"]
    html = page.content.decode()
    assert "The draft cannot be signed yet" in html and WELDERS[0] in html
    assert url("order_sign", draft.pk) in html and url("order_edit", draft.pk) in html
    login(t.teacher)
    page = client.get(url("order_detail", draft.pk))
    assert page.status_code == 200 and page.context["steps"] == set() and url("order_sign", draft.pk) not in page.content.decode()


def test_the_head_signs_in_kesip_and_the_placements_are_referred(client, login):
    t = college(learners=2)
    supervise(t)
    draft = referral(t, signed=False)
    login(t.teacher)
    assert client.get(url("order_sign", draft.pk)).status_code == 404
    assert client.post(url("order_sign", draft.pk), {"mode": "kesip"}).status_code == 404
    login(t.head)
    page = client.get(url("order_sign", draft.pk))
    assert page.status_code == 200 and page.context["mode"] == "kesip" and page.context["next_number"] == "1-П"
    response = client.post(url("order_sign", draft.pk), {"mode": "kesip", "signatory_position": "Директор"})
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.status, draft.number, draft.signed_by, draft.signatory_position) == ("signed", "1-П", t.head, "Директор")
    assert {p.status for p in refresh(t.placements)} == {S.ORDERED}
    page = client.get(url("order_detail", draft.pk))
    assert "2 placements are now referred by order." in page.content.decode()


def test_a_paper_signature_is_recorded_with_its_signatory_and_day(client, login):
    t = college(learners=1)
    supervise(t)
    draft = referral(t, signed=False)
    login(t.practice)
    page = client.get(url("order_sign", draft.pk))
    assert page.context["mode"] == "paper" and page.context["form"].initial["signatory_name"] == t.institution.head
    missing = client.post(url("order_sign", draft.pk), {"mode": "paper", "signatory_name": "", "signed_on": ""})
    assert missing.status_code == 400 and "signatory_name" in missing.context["form"].errors
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    refused = client.post(url("order_sign", draft.pk), {"mode": "paper", "signatory_name": "Кыпчаков Б.", "signed_on": future})
    assert refused.status_code == 400
    response = client.post(
        url("order_sign", draft.pk), {"mode": "paper", "signatory_name": "Кыпчаков Б.", "signed_on": "2026-11-30"}
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert (draft.signed_outside, draft.signatory_name, draft.signed_on) == (True, "Кыпчаков Б.", datetime.date(2026, 11, 30))


def test_cancelling_a_signed_order_is_explained_when_refused(client, login):
    t = college(learners=1)
    supervise(t)
    signed = referral(t)
    Placement.objects.filter(pk=t.placements[0].pk).update(status=S.ACTIVE)
    login(t.head)
    empty = client.post(url("order_cancel", signed.pk), {"reason": ""})
    assert empty.status_code == 400
    response = client.post(url("order_cancel", signed.pk), {"reason": "Иш берүүчү баш тартты"})
    assert response.status_code == 400 and "does not go back by itself" in response.content.decode()
    Placement.objects.filter(pk=t.placements[0].pk).update(status=S.ORDERED)
    response = client.post(url("order_cancel", signed.pk), {"reason": "Иш берүүчү баш тартты"})
    assert response.status_code == 302
    signed.refresh_from_db()
    assert signed.status == "cancelled" and refresh(t.placements)[0].status == S.ROSTER_AGREED


def test_a_draft_is_edited_a_line_removed_and_the_draft_deleted(client, login):
    t = college(learners=3)
    draft = orders.prepare_referral(t.placements[:2], t.practice)
    login(t.practice)
    page = client.get(url("order_edit", draft.pk))
    assert page.status_code == 200 and [p.pk for p in page.context["candidates"]] == [t.placements[2].pk]
    first = draft.lines.order_by("position").first()
    response = client.post(
        url("order_edit", draft.pk),
        {"title": "Практикага жөнөтүү", "dated": "2026-12-02", "preamble": "", "remove": [first.pk], "add": [t.placements[2].pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.title == "Практикага жөнөтүү"
    assert set(draft.lines.values_list("placement_id", flat=True)) == {t.placements[1].pk, t.placements[2].pk}
    line = draft.lines.first()
    assert client.get(url("orderline_delete", line.pk)).status_code == 405
    assert client.post(url("orderline_delete", line.pk)).status_code == 302 and draft.lines.count() == 1
    assert client.post(url("order_delete", draft.pk)).status_code == 302 and not Order.objects.filter(pk=draft.pk).exists()


def test_a_signed_order_is_not_edited_or_deleted(client, login):
    t = college(learners=1)
    signed = supervise(t)
    login(t.practice)
    assert client.get(url("order_edit", signed.pk)).status_code == 302
    assert client.post(url("order_delete", signed.pk)).status_code == 302
    assert Order.objects.filter(pk=signed.pk, status="signed").exists()


# --- Who sees what --------------------------------------------------------------------------------------------------------


def test_an_employer_sees_its_orders_and_extracts_of_the_institutions_orders_about_its_learners(client, login):
    t = college(learners=2)
    other_employer = f.EmployerFactory(institution=t.institution)
    foreign = placement(t, "Бөтөнов", employer=other_employer, agreement=None, mentor=None)
    supervise(t)
    Placement.objects.filter(pk=foreign.pk).update(status=S.PLANNED)
    signed = referral(t)
    draft = orders.prepare_referral([placement(t, "Жаңыбеков")], t.practice)  # a draft is not shown outside
    mentors = orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    OrderLine.objects.create(institution=t.institution, order=signed, placement=foreign, learner_name="Бөтөнов Бакыт", position=9)
    login(t.rep_user)
    listing = client.get(url("order_list"))
    shown = {o.pk for o in listing.context["page"].object_list}
    assert shown == {signed.pk, mentors.pk}
    assert draft.pk not in shown and not any(o.kind == K.SUPERVISOR for o in listing.context["page"].object_list)
    page = client.get(url("order_detail", signed.pk))
    assert page.status_code == 200 and page.context["extract"]
    assert {line.placement_id for line in page.context["lines"]} == {p.pk for p in t.placements}
    assert "Бөтөнов" not in page.content.decode()
    assert client.get(url("order_detail", draft.pk)).status_code == 404
    outsider = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=other_employer)
    login(outsider)
    assert client.get(url("order_detail", mentors.pk)).status_code == 404
    page = client.get(url("order_detail", signed.pk))
    assert page.status_code == 200 and [line.placement_id for line in page.context["lines"]] == [foreign.pk]


def test_a_mentor_sees_the_orders_of_their_learners(client, login):
    t = college(learners=1)
    supervise(t)
    signed = referral(t)
    login(t.mentor_user)
    assert client.get(url("order_detail", signed.pk)).status_code == 200
    assert client.get(url("order_document", signed.pk) + "?format=docx&lang=ky").status_code == 200


def test_another_institution_sees_nothing(client, login):
    t = college(learners=1)
    signed = supervise(t)
    other = college(learners=0, group_name="ТБ-24")
    login(other.admin)
    for name in ("order_detail", "order_edit", "order_sign", "order_cancel", "order_delete", "order_document", "order_history"):
        assert client.get(url(name, signed.pk)).status_code == 404, name
        assert client.post(url(name, signed.pk)).status_code == 404, name
    assert client.post(url("orderline_delete", signed.lines.get().pk)).status_code == 404
    listing = client.get(url("order_list"))
    assert listing.status_code == 200 and list(listing.context["page"].object_list) == []


# --- The register -------------------------------------------------------------------------------------------------------------


def test_the_register_filters_by_kind_status_year_and_employer(client, login):
    t = college(learners=1)
    appointment = supervise(t)
    draft = referral(t, signed=False)
    mentors = orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    login(t.practice)

    def shown(**params):
        response = client.get(url("order_list"), params)
        assert response.status_code == 200
        return {o.pk for o in response.context["page"].object_list}

    assert shown() == {appointment.pk, draft.pk, mentors.pk}
    assert shown(kind="referral") == {draft.pk}
    assert shown(status="signed") == {appointment.pk}
    assert shown(year=str(datetime.date.today().year)) == {appointment.pk, draft.pk, mentors.pk}
    assert shown(year="1999") == set()
    assert shown(employer=str(t.employer.pk)) == {mentors.pk}
    assert shown(kind="nonsense") == {appointment.pk, draft.pk, mentors.pk}


def _orders(t, n):
    for i in range(n):
        Order.objects.create(
            institution=t.institution, kind=K.REFERRAL, year=2026, number=f"{i + 1}-П", dated=datetime.date(2026, 3, 1),
            title=f"Order {i}", status="signed", signatory_name="Кыпчаков Б.",
        )  # fmt: skip


@pytest.mark.parametrize("n", [2, 20])
def test_the_register_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = college(learners=0)
    _orders(t, n)
    login(t.practice)
    with django_assert_max_num_queries(8):
        response = client.get(url("order_list"))
    assert response.status_code == 200 and len(response.context["page"].object_list) == n


@pytest.mark.parametrize("n", [2, 20])
def test_an_orders_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = college(learners=n)
    supervise(t)
    signed = referral(t)
    draft = orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    login(t.practice)
    for order, budget in ((signed, 9), (draft, 15)):
        with django_assert_max_num_queries(budget):
            response = client.get(url("order_detail", order.pk))
        assert response.status_code == 200 and len(response.context["lines"]) == n
    for page, budget in (("order_sign", 12), ("order_edit", 8)):
        with django_assert_max_num_queries(budget):
            response = client.get(url(page, draft.pk))
        assert response.status_code == 200 and len(response.context["lines"]) == n
    with django_assert_max_num_queries(7):
        response = client.get(url("order_mentor") + f"?employer={t.employer.pk}")
    assert len(response.context["rows"]) == n


@pytest.mark.parametrize("n", [2, 20])
def test_the_document_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = college(learners=n)
    supervise(t)
    signed = referral(t)
    login(t.practice)
    # The first print of a signed order is also kept as the issued original (a look-up, the insert and its savepoint).
    with django_assert_max_num_queries(11):
        response = client.get(url("order_document", signed.pk) + "?format=docx&lang=ru")
    assert response.status_code == 200 and response["X-Document-Original"] == "1"
    with django_assert_max_num_queries(8):
        again = client.get(url("order_document", signed.pk) + "?format=docx&lang=ru")
    assert again.content == response.content


# --- The document -------------------------------------------------------------------------------------------------------------


def _docx_text(response):
    from docx import Document

    doc = Document(io.BytesIO(response.content))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts), doc


@pytest.mark.parametrize(("lang", "word"), [("ky", "БУЙРУК"), ("ru", "ПРИКАЗ"), ("kk", "БҰЙРЫҚ"), ("en", "ORDER")])
def test_the_referral_prints_in_each_language_with_its_lines(client, login, lang, word):
    t = college(learners=13)
    supervise(t)
    signed = referral(t)
    login(t.practice)
    pdf = client.get(url("order_document", signed.pk) + f"?format=pdf&lang={lang}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert pdf["Content-Disposition"].endswith(f'order-referral-{signed.year}-1-P.pdf"')
    docx = client.get(url("order_document", signed.pk) + f"?format=docx&lang={lang}")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    text, doc = _docx_text(docx)
    assert word in text and "№ 1-П" in text and "ЭГС-23" in text and t.employer.name in text
    assert all(name in text for name in WELDERS[:13])
    lines_table = doc.tables[1]
    assert len(lines_table.rows) == 14  # the header and 13 learners
    assert 'w:tblHeader w:val="true"' in lines_table.rows[0]._tr.xml  # the header repeats on every page
    assert "Кыпчаков" in text  # the head's signature block
    assert "ЖО-7" in text  # the agreement is cited in the basis
    assert getattr(t.institution, f"full_name_{lang}") in text  # the letterhead in the document's language


def test_the_basis_cites_the_regulation_in_kyrgyzstan_only(client, login):
    kg = college(learners=1)
    supervise(kg)
    kz = college("KZ", learners=1, group_name="ТБ-24")
    supervise(kz)
    login(kg.practice)
    text, _doc = _docx_text(client.get(url("order_document", referral(kg).pk) + "?format=docx&lang=ru"))
    assert "п. 29" in text and "Положение о порядке реализации программ обучения на рабочем месте" in text
    login(kz.practice)
    text, _doc = _docx_text(client.get(url("order_document", referral(kz).pk) + "?format=docx&lang=ru"))
    assert "п. 29" not in text and "ЖО-7" in text


def test_the_mentor_appointment_prints_on_the_employers_letterhead(client, login):
    t = college(learners=2)
    signed = orders.sign(orders.prepare_mentor(t.employer, t.placements, t.rep_user), t.rep_user)
    login(t.rep_user)
    text, doc = _docx_text(client.get(url("order_document", signed.pk) + "?format=docx&lang=ky"))
    assert doc.paragraphs[0].text == t.employer.name and "№ 1-Н" in text
    assert str(t.mentor) in text and "Директор" in text and str(t.head_person) in text
    assert str(t.rep) in text  # the authorised representative coordinates the mentors (п. 49)
    assert START.strftime("%d.%m.%Y") in text and END.strftime("%d.%m.%Y") in text


def test_a_draft_prints_as_a_draft_and_an_outsider_gets_an_extract(client, login):
    t = college(learners=2)
    draft = referral(t, signed=False)
    login(t.practice)
    text, _doc = _docx_text(client.get(url("order_document", draft.pk) + "?format=docx&lang=en"))
    assert "Draft: not signed yet and without a number." in text
    supervise(t)
    signed = orders.sign(draft, t.head)
    login(t.rep_user)
    text, _doc = _docx_text(client.get(url("order_document", signed.pk) + "?format=docx&lang=en"))
    assert "EXTRACT FROM THE ORDER" in text
    assert client.get(url("order_document", signed.pk) + "?format=exe").status_code == 404


def test_the_supervisor_appointment_and_the_internship_orders_print(client, login):
    t = college(learners=0)
    appointment = supervise(t)
    intern = internship(t)
    ref = orders.sign(orders.prepare_referral([intern], t.practice), t.head)
    admission = orders.sign(orders.prepare_internship_admission(t.employer, [intern], t.rep_user), t.rep_user)
    login(t.practice)
    for order, expected in ((appointment, str(t.staff)), (ref, str(intern.intern_staff)), (admission, str(intern.intern_staff))):
        for fmt in ("pdf", "docx"):
            response = client.get(url("order_document", order.pk) + f"?format={fmt}&lang=ru")
            assert response.status_code == 200, (order.kind, fmt)
        text, _doc = _docx_text(response)
        assert expected in text, order.kind
    text, _doc = _docx_text(client.get(url("order_document", admission.pk) + "?format=docx&lang=en"))
    assert "ADMISSION" not in text.split("\n")[0] and "ORDER" in text


def test_the_page_shows_the_order_as_it_prints(client, login):
    t = college(learners=1)
    supervise(t)
    signed = referral(t)
    login(t.practice)
    html = client.get(url("order_detail", signed.pk)).content.decode()
    assert "I ORDER:" in html and "№ 1-П" in html and START.strftime("%d.%m.%Y") in html and END.strftime("%d.%m.%Y") in html
