"""The orders API: the same steps and rules as the pages, 400 with every broken rule, scoping as on the pages."""

import datetime

import pytest

from kesip.core.tests import factories as f
from kesip.wbl import orders
from kesip.wbl.models import Order, Placement
from kesip.wbl.tests.test_orders import END, START, college, internship, placement, referral, refresh, supervise

pytestmark = pytest.mark.django_db

K = Order.Kind
S = Placement.Status
API = "/api/v1/orders/"


def post(client, path, data):
    return client.post(API + path, data, content_type="application/json")


def test_a_referral_draft_is_prepared_from_placement_ids(client, login):
    t = college(learners=2)
    login(t.practice)
    response = post(client, "referral/", {"placements": [p.pk for p in t.placements], "dated": "2026-12-01"})
    assert response.status_code == 201, response.json()
    body = response.json()
    order = body["order"]
    assert (order["kind"], order["status"], order["number"], order["dated"], order["line_count"]) == (
        "referral",
        "draft",
        "",
        "2026-12-01",
        2,
    )
    assert [line["placement"] for line in order["lines"]] == [p.pk for p in t.placements]
    assert order["lines"][0]["starts_on"] == START.isoformat() and order["lines"][0]["practice_type"] == "production"
    assert [w["code"] for w in body["warnings"]] == ["wbl.supervisor.min_per_group"]


def test_a_line_without_practice_type_answers_400_with_the_rule(client, login):
    t = college(learners=2)
    Placement.objects.filter(pk=t.placements[0].pk).update(practice_type="")
    login(t.practice)
    response = post(client, "referral/", {"placements": [p.pk for p in t.placements]})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "wbl.order.referral.line_particulars" and "п. 29" in body["source"]
    assert body["field"] == f"placement-{t.placements[0].pk}" and len(body["violations"]) == 1
    assert not Order.objects.exists()


def test_another_institutions_placement_is_not_found(client, login):
    t = college(learners=1)
    other = college(learners=1, group_name="ТБ-24")
    login(t.practice)
    response = post(client, "referral/", {"placements": [other.placements[0].pk]})
    assert response.status_code == 400 and "placements" in response.json()


def test_signing_needs_the_head_and_moves_the_placements(client, login):
    t = college(learners=2)
    supervise(t)
    draft = referral(t, signed=False)
    login(t.teacher)
    assert post(client, f"{draft.pk}/sign/", {}).status_code == 403
    login(t.practice)
    refused = post(client, f"{draft.pk}/sign/", {})
    assert refused.status_code == 400 and refused.json()["code"] == "wbl.order.signatory"
    login(t.head)
    backdated = post(client, f"{draft.pk}/sign/", {"signed_on": "2026-11-01"})
    assert backdated.status_code == 400 and "signed_on" in backdated.json()
    response = post(client, f"{draft.pk}/sign/", {"signatory_position": "Директор"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["order"]["status"] == "signed" and body["order"]["number"] == "1-П"
    assert sorted(body["moved"]) == sorted(p.pk for p in t.placements)
    assert {p.status for p in refresh(t.placements)} == {S.ORDERED}


def test_a_paper_signature_is_recorded_through_the_api(client, login):
    t = college(learners=1)
    supervise(t)
    draft = referral(t, signed=False)
    login(t.practice)
    response = post(client, f"{draft.pk}/sign/", {"outside": True, "signatory_name": "Кыпчаков Б. Ж.", "signed_on": "2026-11-30"})
    assert response.status_code == 200
    order = response.json()["order"]
    assert (order["signed_outside"], order["signatory_name"], order["signed_on"]) == (True, "Кыпчаков Б. Ж.", "2026-11-30")


def test_cancelling_is_refused_once_a_placement_is_under_way(client, login):
    t = college(learners=1)
    supervise(t)
    signed = referral(t)
    Placement.objects.filter(pk=t.placements[0].pk).update(status=S.ACTIVE)
    login(t.head)
    assert post(client, f"{signed.pk}/cancel/", {}).status_code == 400
    refused = post(client, f"{signed.pk}/cancel/", {"reason": "Ката"})
    assert refused.status_code == 400 and refused.json()["code"] == "wbl.order.cancel.beyond"
    Placement.objects.filter(pk=t.placements[0].pk).update(status=S.ORDERED)
    response = post(client, f"{signed.pk}/cancel/", {"reason": "Ката"})
    assert response.status_code == 200 and response.json()["moved"] == [t.placements[0].pk]


def test_supervisor_mentor_and_admission_drafts(client, login):
    t = college(learners=1)
    intern = internship(t)
    login(t.practice)
    response = post(client, "supervisor/", {"lines": [{"group": t.group.pk, "supervisor": t.staff.pk}]})
    assert response.status_code == 201 and response.json()["order"]["kind"] == "supervisor"
    bad = post(client, "supervisor/", {"lines": []})
    assert bad.status_code == 400
    login(t.rep_user)
    mentor = post(client, "mentor/", {"employer": t.employer.pk, "placements": [t.placements[0].pk]})
    assert mentor.status_code == 201, mentor.json()
    order = mentor.json()["order"]
    assert (order["kind"], order["employer"], order["issued_by_employer"]) == ("mentor", t.employer.pk, True)
    assert order["lines"][0]["mentor"] == t.mentor.pk and order["lines"][0]["ends_on"] == END.isoformat()
    signed = post(client, f"{order['id']}/sign/", {})
    assert signed.status_code == 200 and signed.json()["order"]["signatory_name"] == str(t.head_person)
    admission = post(client, "internship-admission/", {"employer": t.employer.pk, "placements": [intern.pk]})
    assert admission.status_code == 201 and admission.json()["order"]["kind"] == "internship_admission"


def test_drafts_are_edited_and_deleted_signed_orders_are_not(client, login):
    t = college(learners=3)
    draft = orders.prepare_referral(t.placements[:2], t.practice)
    login(t.practice)
    patch = client.patch(f"{API}{draft.pk}/", {"title": "Практикага жөнөтүү"}, content_type="application/json")
    assert patch.status_code == 200 and patch.json()["order"]["title"] == "Практикага жөнөтүү"
    first = draft.lines.order_by("position").first()
    lines = post(client, f"{draft.pk}/lines/", {"add": [t.placements[2].pk], "remove": [first.pk]})
    assert lines.status_code == 200
    assert [line["placement"] for line in lines.json()["order"]["lines"]] == [t.placements[1].pk, t.placements[2].pk]
    supervise(t)
    signed = orders.sign(draft, t.head)
    assert client.patch(f"{API}{signed.pk}/", {"title": "X"}, content_type="application/json").status_code == 400
    assert client.delete(f"{API}{signed.pk}/").status_code == 400
    other = referral(t, [placement(t, "Жаңыбеков")], signed=False)
    assert client.delete(f"{API}{other.pk}/").status_code == 204 and not Order.objects.filter(pk=other.pk).exists()
    assert post(client, "", {"kind": "referral"}).status_code == 405


def test_an_employer_reads_its_orders_and_extracts_of_the_institutions(client, login):
    t = college(learners=1)
    other_employer = f.EmployerFactory(institution=t.institution)
    supervise(t)
    foreign = placement(t, "Бөтөнов", employer=other_employer, agreement=None)
    signed = referral(t)
    from kesip.wbl.models import OrderLine

    OrderLine.objects.create(institution=t.institution, order=signed, placement=foreign, learner_name="Бөтөнов Бакыт", position=2)
    mentors = orders.prepare_mentor(t.employer, t.placements, t.rep_user)
    login(t.rep_user)
    ids = {row["id"] for row in client.get(API).json()["results"]}
    assert ids == {signed.pk, mentors.pk}
    detail = client.get(f"{API}{signed.pk}/").json()
    assert detail["extract"] is True and [line["placement"] for line in detail["lines"]] == [t.placements[0].pk]
    lines = client.get("/api/v1/order-lines/").json()["results"]
    assert foreign.pk not in {line["placement"] for line in lines}
    assert client.post("/api/v1/order-lines/", {}, content_type="application/json").status_code == 405
    other = college(learners=0, group_name="ТБ-24")
    login(other.admin)
    assert client.get(f"{API}{signed.pk}/").status_code == 404
    assert post(client, f"{signed.pk}/cancel/", {"reason": "x"}).status_code == 404


def _orders(t, n):
    for i in range(n):
        order = Order.objects.create(
            institution=t.institution, kind=K.REFERRAL, year=2026, number=f"{i + 1}-П", dated=datetime.date(2026, 3, 1),
            title=f"Order {i}", status="signed",
        )  # fmt: skip
        order.lines.create(institution=t.institution, learner_name=f"Learner {i}")


@pytest.mark.parametrize("n", [2, 20])
def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = college(learners=0)
    _orders(t, n)
    login(t.practice)
    with django_assert_max_num_queries(6):
        response = client.get(API)
    assert response.status_code == 200 and response.json()["count"] == n
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/order-lines/")
    assert response.json()["count"] == n


@pytest.mark.parametrize("n", [2, 20])
def test_an_order_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, n):
    t = college(learners=n)
    supervise(t)
    signed = referral(t)
    login(t.practice)
    with django_assert_max_num_queries(6):
        response = client.get(f"{API}{signed.pk}/")
    assert len(response.json()["lines"]) == n
