"""The pages of part-time work, rewards and requests: the mentor's phone, the head's inbox, the registers, the API."""

import datetime

import pytest

from kesip.core.tests import factories as f
from kesip.wbl import engagement
from kesip.wbl import engagement_rules as rules
from kesip.wbl.models import Decision, Incentive, MentorRequest, PartTimeJob
from kesip.wbl.tests.engagement_setup import college, job, place

pytestmark = pytest.mark.django_db
D = datetime.date


def proposed(t, placement=None, user=None, **kwargs):
    values = dict(kind="moral_reward", placement=placement or t.placement, reason="Тыкан тигиштер")
    values.update(kwargs)
    return engagement.propose(Incentive(**values), user or t.mentor_user)


def asked(t, **kwargs):
    values = dict(kind="specialist", placement=t.placement, specialist=t.specialist, scope="Газ менен кесүү")
    values.update(kwargs)
    return engagement.save_request(MentorRequest(**values), t.mentor_user)


def test_the_mentor_proposes_from_the_phone_and_the_head_decides_from_the_inbox(client, login):
    t = college()
    login(t.mentor_user)
    start = client.get("/wbl/engagement/").content.decode()
    assert f'id="learner-{t.placement.pk}"' in start and f'id="learner-{t.other_placement.pk}"' not in start
    assert f"/wbl/placements/{t.placement.pk}/propose/" in start
    response = client.post(f"/wbl/placements/{t.placement.pk}/propose/", {"kind": "moral_reward", "reason": "Тыкан тигиштер"})
    assert response.status_code == 302
    i = Incentive.objects.get()
    assert i.proposed_by == t.mentor and i.status == "proposed"
    # The mentor posting a decision anyway is refused and nothing changes (VR-51).
    assert client.post(f"/wbl/incentives/{i.pk}/decide/", {"decision": "approved"}).status_code == 403
    assert "Approve" not in client.get(f"/wbl/incentives/{i.pk}/").content.decode()
    # Someone else's learner: no page.
    assert client.get(f"/wbl/placements/{t.other_placement.pk}/propose/").status_code == 404
    login(t.head_user)
    inbox = client.get("/wbl/engagement/").content.decode()
    assert f'id="decide-incentive-{i.pk}"' in inbox
    response = client.post(f"/wbl/incentives/{i.pk}/decide/", {"decision": "approved", "note": "", "next": "start"})
    assert response.status_code == 302 and response["Location"] == "/wbl/engagement/"
    i.refresh_from_db()
    assert i.status == Decision.APPROVED and i.decided_by == t.head


def test_a_refused_proposal_shows_the_rule_beside_the_field(client, login):
    t = college()
    login(t.mentor_user)
    response = client.post(
        f"/wbl/placements/{t.placement.pk}/propose/", {"kind": "moral_reward", "reason": "Тыкан", "amount": "100"}
    )
    assert response.status_code == 400 and "Only a material reward or incentive has an amount" in response.content.decode()
    assert not Incentive.objects.exists()


def test_an_approved_specialist_shows_on_the_placement_page_an_unapproved_one_does_not(client, login):
    t = college()
    login(t.mentor_user)
    response = client.post(
        f"/wbl/placements/{t.placement.pk}/request/", {"kind": "specialist", "specialist": t.specialist.pk, "scope": "Кесүү"}
    )
    assert response.status_code == 302
    r = MentorRequest.objects.get()
    login(t.admin)
    page = client.get(f"/wbl/placements/{t.placement.pk}/").content.decode()
    assert 'id="placement-engagement"' in page and "Технологов" not in page
    login(t.head_user)
    assert client.post(f"/wbl/requests/{r.pk}/decide/", {"decision": "approved"}).status_code == 302
    login(t.admin)
    page = client.get(f"/wbl/placements/{t.placement.pk}/").content.decode()
    assert 'id="involved-specialists"' in page and "Технологов" in page


def test_a_specialist_of_another_employer_is_not_offered_and_refused(client, login):
    t = college()
    login(t.mentor_user)
    form = client.get(f"/wbl/placements/{t.placement.pk}/request/").content.decode()
    assert f'<option value="{t.specialist.pk}"' in form and "Бөтөнов" not in form
    assert f'<option value="{t.mentor.pk}"' not in form
    response = client.post(
        f"/wbl/placements/{t.placement.pk}/request/", {"kind": "specialist", "specialist": t.stranger.pk, "scope": "Кесүү"}
    )
    assert response.status_code == 400 and not MentorRequest.objects.exists()


def test_part_time_work_through_the_pages_refused_one_day_into_the_term(client, login):
    t = college()
    login(t.admin)
    data = {
        "student": t.student.pk,
        "employer": t.employer.pk,
        "position": "Жардамчы",
        "when": "vacation",
        "starts_on": "2025-07-01",
        "ends_on": "2025-09-01",
        "hours_per_week": "20",
        "paid": "on",
    }
    response = client.post("/wbl/part-time/add/", data)
    assert response.status_code == 400 and "01.09.2025" in response.content.decode() and "п. 13" in response.content.decode()
    assert not PartTimeJob.objects.exists()
    response = client.post("/wbl/part-time/add/", {**data, "ends_on": "2025-08-31"})
    assert response.status_code == 302
    saved = PartTimeJob.objects.get()
    page = client.get(f"/wbl/part-time/{saved.pk}/").content.decode()
    assert "Every day lies in a vacation" in page
    assert client.post(f"/wbl/part-time/{saved.pk}/end/", {"ends_on": "2025-08-01"}).status_code == 302
    saved.refresh_from_db()
    assert saved.ends_on == D(2025, 8, 1)


def test_a_student_sees_their_own_job_and_only_approved_measures(client, login):
    t = college()
    mine = engagement.save_job(job(t), t.admin)
    theirs = engagement.save_job(job(t, student=t.other_student), t.admin)
    waiting = proposed(t)
    approved = engagement.decide(proposed(t, kind="incentive", amount=1000), Decision.APPROVED, t.head_user)
    login(t.student_user)
    start = client.get("/wbl/engagement/").content.decode()
    assert f'id="own-job-{mine.pk}"' in start and f'id="own-incentive-{approved.pk}"' in start
    assert f"own-incentive-{waiting.pk}" not in start
    assert client.get(f"/wbl/part-time/{theirs.pk}/").status_code == 404
    assert client.get(f"/wbl/incentives/{waiting.pk}/").status_code == 404
    assert client.get(f"/wbl/incentives/{approved.pk}/").status_code == 200
    assert client.get("/wbl/part-time/add/").status_code == 403


def test_another_institution_gets_404_on_every_page(client, login):
    t = college()
    j = engagement.save_job(job(t), t.admin)
    i = proposed(t)
    r = asked(t)
    b = college("KZ")
    login(b.admin)
    for url in (
        f"/wbl/part-time/{j.pk}/",
        f"/wbl/part-time/{j.pk}/edit/",
        f"/wbl/incentives/{i.pk}/",
        f"/wbl/requests/{r.pk}/",
        f"/wbl/placements/{t.placement.pk}/propose/",
        f"/wbl/people/{t.mentor.pk}/reward/",
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/wbl/incentives/{i.pk}/decide/", {"decision": "approved"}).status_code == 404
    assert client.post(f"/wbl/requests/{r.pk}/decide/", {"decision": "approved"}).status_code == 404
    login(b.head_user)
    assert client.post(f"/wbl/incentives/{i.pk}/decide/", {"decision": "approved"}).status_code == 404
    assert Incentive.objects.get(pk=i.pk).status == Decision.PROPOSED


def _fill(t, rows):
    for n in range(rows):
        s = f.StudentFactory(institution=t.institution, group=t.group)
        p = place(t, s, t.mentor)
        engagement.save_job(job(t, student=s, position=f"Жардамчы {n}"), t.admin)
        proposed(t, placement=p)
        asked(t, placement=p)


@pytest.mark.parametrize("rows", [2, 20])
def test_the_registers_read_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    _fill(t, rows)
    login(t.admin)
    for url, marker in (
        ("/wbl/part-time/", 'id="parttime-'),
        ("/wbl/incentives/", 'id="incentive-'),
        ("/wbl/requests/", 'id="request-'),
    ):
        with django_assert_max_num_queries(10):
            response = client.get(url)
        assert response.content.decode().count(marker) == rows, url
    login(t.head_user)
    with django_assert_max_num_queries(14):
        response = client.get("/wbl/engagement/")
    assert response.content.decode().count('id="decide-incentive-') == rows
    login(t.mentor_user)
    with django_assert_max_num_queries(14):
        response = client.get("/wbl/engagement/")
    assert response.content.decode().count('id="learner-') == rows + 1


@pytest.mark.parametrize("rows", [2, 20])
def test_the_api_lists_read_a_fixed_number_of_queries(client, login, django_assert_max_num_queries, rows):
    t = college()
    _fill(t, rows)
    login(t.admin)
    for url in ("/api/v1/part-time-jobs/", "/api/v1/incentives/", "/api/v1/mentor-requests/"):
        with django_assert_max_num_queries(6):
            response = client.get(url)
        assert response.json()["count"] == rows, url


# --- API ----------------------------------------------------------------------------------------------


def test_the_api_refuses_part_time_work_with_the_rule(client, login):
    t = college()
    login(t.admin)
    data = {
        "student": t.student.pk,
        "employer": t.employer.pk,
        "position": "Жардамчы",
        "when": "vacation",
        "starts_on": "2025-07-01",
        "ends_on": "2025-08-31",
        "hours_per_week": "21",
    }
    response = client.post("/api/v1/part-time-jobs/", data, content_type="application/json")
    assert response.status_code == 400 and response.json()["code"] == rules.MAX_HOURS and "п. 13" in response.json()["source"]
    response = client.post("/api/v1/part-time-jobs/", {**data, "hours_per_week": "20"}, content_type="application/json")
    assert response.status_code == 201 and response.json()["institution"] == t.institution.pk
    pk = response.json()["id"]
    response = client.post(f"/api/v1/part-time-jobs/{pk}/end/", {"ends_on": "2025-09-01"}, content_type="application/json")
    assert response.status_code == 400


def test_the_api_lets_the_mentor_propose_and_only_the_head_decide(client, login):
    t = college()
    login(t.mentor_user)
    response = client.post(
        "/api/v1/incentives/",
        {"kind": "moral_reward", "placement": t.placement.pk, "reason": "Тыкан"},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert response.json()["proposed_by"] == t.mentor.pk and response.json()["employer"] == t.employer.pk
    assert client.post(f"/api/v1/incentives/{pk}/approve/", {}, content_type="application/json").status_code == 403
    other = client.post(
        "/api/v1/incentives/",
        {"kind": "moral_reward", "placement": t.other_placement.pk, "reason": "—"},
        content_type="application/json",
    )
    assert other.status_code == 400 and "placement" in other.json()  # not a learner the mentor sees
    assert not Incentive.objects.filter(placement=t.other_placement).exists()
    login(t.head_user)
    refused = client.post(f"/api/v1/incentives/{pk}/reject/", {}, content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "decision_note"
    ok = client.post(f"/api/v1/incentives/{pk}/approve/", {}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["status"] == "approved" and ok.json()["decided_by"] == t.head.pk


def test_the_api_request_for_a_specialist_of_another_employer_is_refused(client, login):
    t = college()
    login(t.mentor_user)
    data = {"kind": "specialist", "placement": t.placement.pk, "scope": "Кесүү"}
    response = client.post("/api/v1/mentor-requests/", {**data, "specialist": t.stranger.pk}, content_type="application/json")
    assert response.status_code == 400 and "specialist" in response.json()  # another employer's people are not found
    response = client.post("/api/v1/mentor-requests/", {**data, "specialist": t.specialist.pk}, content_type="application/json")
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    assert client.post(f"/api/v1/mentor-requests/{pk}/approve/", {}, content_type="application/json").status_code == 403
    login(t.head_user)
    assert (
        client.post(f"/api/v1/mentor-requests/{pk}/approve/", {}, content_type="application/json").json()["status"] == "approved"
    )
    b = college("KZ")
    login(b.admin)
    assert client.get(f"/api/v1/mentor-requests/{pk}/").status_code == 404
    assert client.get("/api/v1/incentives/?limit=500").json()["count"] == 0


def test_the_rulebook_page_names_the_inferred_part_time_limits_as_open_questions(client, login):
    t = college()
    login(t.admin)
    page = client.get("/rulebook/").content.decode()
    assert 'id="wbl-inferred-table"' in page
    assert 'data-code="wbl.parttime.max_hours_per_week"' in page and 'data-code="wbl.parttime.minor_max_hours_per_week"' in page
    assert "20 hours" in page and "The source gives no number (п. 13)" in page


def test_the_proposer_edits_and_withdraws_and_every_page_renders(client, login):
    t = college()
    j = engagement.save_job(job(t), t.admin)
    i = proposed(t)
    r = asked(t)
    login(t.mentor_user)
    assert client.get(f"/wbl/incentives/{i.pk}/edit/").status_code == 200
    response = client.post(f"/wbl/incentives/{i.pk}/edit/", {"kind": "moral_reward", "reason": "Эң тыкан тигиштер"})
    assert response.status_code == 302 and Incentive.objects.get(pk=i.pk).reason == "Эң тыкан тигиштер"
    assert client.post(f"/wbl/requests/{r.pk}/edit/", {"kind": "conditions", "scope": "Маска"}).status_code == 302
    assert MentorRequest.objects.get(pk=r.pk).kind == "conditions"
    for url in (f"/wbl/incentives/{i.pk}/history/", f"/wbl/requests/{r.pk}/history/", "/wbl/requests/add/"):
        assert client.get(url).status_code == 200, url
    assert client.post(f"/wbl/requests/{r.pk}/withdraw/").status_code == 302 and not MentorRequest.objects.exists()
    login(t.other_mentor_user)
    assert client.get(f"/wbl/incentives/{i.pk}/").status_code == 404  # another mentor's proposal
    login(t.head_user)
    assert client.get(f"/wbl/incentives/{i.pk}/edit/").status_code == 403  # the head decides, the proposer edits
    response = client.post(
        f"/wbl/people/{t.mentor.pk}/reward/", {"kind": "material_reward", "reason": "Насаат", "amount": "3000"}
    )
    assert response.status_code == 302 and Incentive.objects.filter(mentor=t.mentor, proposed_by=t.head).exists()
    login(t.admin)
    for url in (f"/wbl/part-time/{j.pk}/history/", f"/wbl/part-time/{j.pk}/edit/", "/wbl/engagement/"):
        assert client.get(url).status_code == 200, url
    employer_page = client.get(f"/wbl/employers/{t.employer.pk}/").content.decode()
    assert f"/wbl/incentives/?employer={t.employer.pk}" in employer_page
    assert client.post(f"/wbl/part-time/{j.pk}/delete/").status_code == 302 and not PartTimeJob.objects.exists()
    login(t.mentor_user)
    assert client.post(f"/wbl/incentives/{i.pk}/withdraw/").status_code == 302
    assert not Incentive.objects.filter(pk=i.pk).exists()


def test_a_mentor_sees_the_part_time_work_of_their_learners_only_and_the_representative_records_by_api(client, login):
    t = college()
    mine = engagement.save_job(job(t), t.admin)
    theirs = engagement.save_job(job(t, student=t.other_student), t.admin)
    login(t.mentor_user)
    listing = client.get("/wbl/part-time/").content.decode()
    assert f'id="parttime-{mine.pk}"' in listing and f'id="parttime-{theirs.pk}"' not in listing
    assert client.get(f"/wbl/part-time/{theirs.pk}/").status_code == 404
    login(t.rep_user)
    data = {
        "student": t.student.pk,
        "employer": t.employer.pk,
        "position": "Жардамчы",
        "when": "free_time",
        "starts_on": "2025-02-01",
        "ends_on": "2025-02-28",
        "hours_per_week": "10",
    }
    response = client.post("/api/v1/part-time-jobs/", data, content_type="application/json")
    assert response.status_code == 201, response.content
    response = client.post("/api/v1/part-time-jobs/", {**data, "employer": t.other_employer.pk}, content_type="application/json")
    assert response.status_code == 400 and "employer" in response.json()
