"""The employer's WBL pages as each role meets them: the coordinator and the institution's admin change, the
employer's representative changes its own employer only, a mentor reads, a student sees nothing; bad input
is refused beside its field with nothing saved; the pages keep their query count whatever the rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kesip.core.models import Invitation
from kesip.core.roles import Role
from kesip.core.tests import factories as f
from kesip.wbl.models import Agreement, EmployerPerson, LocalDocument, WblSettings, Workplace
from kesip.wbl.tests.test_employers import PDF, D, placement, site

pytestmark = pytest.mark.django_db


def url(name, *args):
    return reverse(f"wbl:{name}", args=args)


def workplace_data(**kwargs):
    data = {
        "title": "Токардык цех",
        "profession": "Токарь",
        "places": "3",
        "available_from": "2025-09-01",
        "available_to": "2025-12-31",
        "equipment": "Станок 16К20",
        "safety_compliant": "on",
        "is_active": "on",
    }
    data.update(kwargs)
    return data


def person_data(**kwargs):
    data = {"last_name": "Бекова", "first_name": "Айгүл", "position": "Инженер", "is_active": "on"}
    data.update(kwargs)
    return data


# --- The employer page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin", "coordinator", "rep_user"])
def test_those_who_change_see_the_whole_page_with_its_buttons(client, login, who):
    t = site()
    today = datetime.date.today()
    placement(t, today, today, status="active", form="apprenticeship", workplace=False)
    placement(t, D(2025, 3, 1), D(2025, 3, 10), status="closed")
    LocalDocument.objects.create(institution=t.institution, employer=t.employer, kind="safety", title="Коопсуздук эрежелери")
    login(getattr(t, who))
    response = client.get(url("employer_detail", t.employer.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Устатов Нурлан" in html and "Коопсуздук эрежелери" in html and "Ширетүү цехи" in html
    assert url("employer_personadd", t.employer.pk) in html and url("person_edit", t.mentor.pk) in html
    assert url("employer_workplaceadd", t.employer.pk) in html and url("employer_localdocadd", t.employer.pk) in html
    row = html[html.index(f'id="person-{t.mentor.pk}"') :]
    row = row[: row.index("</tr>")]
    # One learner now, an apprentice, of at most 2 (п. 48).
    assert 'load-current">1<' in row and 'load-apprentices">1 <span class="text-muted small">/ 2</span>' in row
    wp = html[html.index(f'id="workplace-{t.workplace.pk}"') :]
    wp = wp[: wp.index("</tr>")]
    assert 'places-used">1<' in wp and 'places-free">1<' in wp
    counts = response.context["placement_counts"]
    assert {(v, n) for v, _label, n in counts} == {("active", 1), ("closed", 1)}
    # VR-56: mentors but no authorised representative.
    assert 'id="warning-wbl.mentor.coordinators_per_employer"' in html and "п. 49" in html


def test_a_mentor_reads_the_page_without_buttons_and_a_representative_silences_the_warning(client, login):
    t = site()
    EmployerPerson.objects.create(
        institution=t.institution, employer=t.employer, last_name="Өкүл", first_name="Бакыт", position="Директордун орун басары",
        is_representative=True,
    )  # fmt: skip
    login(t.mentor_user)
    response = client.get(url("employer_detail", t.employer.pk))
    html = response.content.decode()
    assert response.status_code == 200 and "Устатов Нурлан" in html and "Өкүл Бакыт" in html
    assert url("person_edit", t.mentor.pk) not in html and url("employer_personadd", t.employer.pk) not in html
    assert "coordinators_per_employer" not in html
    assert client.get(url("employer_personadd", t.employer.pk)).status_code == 404
    assert client.post(url("person_edit", t.mentor.pk), person_data()).status_code == 404
    assert client.post(url("workplace_delete", t.workplace.pk)).status_code == 404
    assert Workplace.objects.filter(pk=t.workplace.pk).exists()


def test_outsiders_get_nothing(client, login):
    t = site()
    other = f.EmployerFactory(institution=t.institution)
    other_workplace = Workplace.objects.create(
        institution=t.institution,
        employer=other,
        title="Башка",
        places=1,
        available_from=D(2025, 1, 1),
        available_to=D(2025, 2, 1),
    )
    login(t.rep_user)
    assert client.get(url("employer_detail", other.pk)).status_code == 404
    assert client.get(url("workplace_detail", other_workplace.pk)).status_code == 404
    assert client.get(url("workplace_edit", other_workplace.pk)).status_code == 404
    assert client.post(url("employer_workplaceadd", other.pk), workplace_data()).status_code == 404
    listing = client.get(url("workplace_list")).content.decode()
    assert "Ширетүү цехи" in listing and "Башка" not in listing
    login(t.student_user)
    assert client.get(url("employer_detail", t.employer.pk)).status_code == 404
    assert client.get(url("workplace_list")).status_code == 403
    assert client.get(url("person_list")).status_code == 403
    login(site().admin)
    assert client.get(url("employer_detail", t.employer.pk)).status_code == 404
    assert client.get(url("person_detail", t.mentor.pk)).status_code == 404


def test_the_registry_card_links_to_the_wbl_page(client, login):
    t = site()
    login(t.admin)
    html = client.get(f"/employers/{t.employer.pk}/").content.decode()
    assert url("employer_detail", t.employer.pk) in html


def test_the_agreements_of_the_employer_are_listed(client, login):
    t = site()
    Agreement.objects.create(
        institution=t.institution, employer=t.employer, kind="wbl", form="dual", number="ЖО-7",
        starts_on=D(2025, 1, 1), ends_on=D(2025, 12, 31), status="active",
    )  # fmt: skip
    login(t.coordinator)
    html = client.get(url("employer_detail", t.employer.pk)).content.decode()
    assert "ЖО-7" in html and "01.01.2025 – 31.12.2025" in html


# --- Forms ------------------------------------------------------------------------------------------------------


def test_the_representative_adds_a_mentor_to_its_own_employer(client, login):
    t = site()
    other = f.EmployerFactory(institution=t.institution)
    login(t.rep_user)
    page = client.get(url("employer_personadd", t.employer.pk) + "?is_mentor=1")
    assert page.status_code == 200 and page.context["form"].initial["is_mentor"] is True
    response = client.post(url("employer_personadd", t.employer.pk), person_data(is_mentor="on", employer=other.pk))
    assert response.status_code == 302 and response["Location"] == url("employer_detail", t.employer.pk)
    added = EmployerPerson.objects.get(last_name="Бекова")
    assert (added.employer, added.institution, added.is_mentor) == (t.employer, t.institution, True)


def test_a_second_representative_is_refused_beside_the_field(client, login):
    t = site()
    EmployerPerson.objects.create(
        institution=t.institution, employer=t.employer, last_name="Өкүл", first_name="Б", position="X", is_representative=True
    )
    login(t.admin)
    response = client.post(url("employer_personadd", t.employer.pk), person_data(is_representative="on"))
    assert response.status_code == 400
    assert "Өкүл Б is already the authorised representative" in response.context["form"].errors["is_representative"][0]
    assert not EmployerPerson.objects.filter(last_name="Бекова").exists()


def test_vr38_un_marking_a_mentor_of_a_placement_under_way_is_refused_with_the_clause(client, login):
    t = site()
    placement(t, D(2025, 3, 3), D(2025, 3, 14), status="active")
    login(t.coordinator)
    data = person_data(last_name=t.mentor.last_name, first_name=t.mentor.first_name, position="Мастер", user=t.mentor_user.pk)
    response = client.post(url("person_edit", t.mentor.pk), data)
    assert response.status_code == 400
    error = response.context["form"].errors["is_mentor"][0]
    assert "appoint another mentor" in error and "п. 2, 10, 48" in error
    assert EmployerPerson.objects.get(pk=t.mentor.pk).is_mentor


def test_the_user_field_offers_only_logins_of_this_employer(client, login):
    t = site()
    f.member(Role.MENTOR, institution=t.institution, employer=f.EmployerFactory(institution=t.institution), last_name="Бөтөн")
    login(t.admin)
    form = client.get(url("person_edit", t.mentor.pk)).context["form"]
    assert set(form.fields["user"].queryset) == {t.mentor_user, t.rep_user}


def test_a_workplace_is_added_with_a_profession_of_the_country(client, login):
    t = site()
    kg, kz = f.SpecialtyFactory(jurisdiction="KG"), f.SpecialtyFactory(jurisdiction="KZ")
    login(t.coordinator)
    form = client.get(url("employer_workplaceadd", t.employer.pk)).context["form"]
    assert kg in form.fields["specialty"].queryset and kz not in form.fields["specialty"].queryset
    foreign = client.post(url("employer_workplaceadd", t.employer.pk), workplace_data(specialty=kz.pk))
    assert foreign.status_code == 400 and "specialty" in foreign.context["form"].errors
    response = client.post(url("employer_workplaceadd", t.employer.pk), workplace_data(specialty=kg.pk, has_simulator="on"))
    assert response.status_code == 302
    added = Workplace.objects.get(title="Токардык цех")
    assert (added.specialty, added.places, added.has_simulator, added.employer) == (kg, 3, True, t.employer)


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"available_from": "2025-12-31", "available_to": "2025-09-01"}, "available_to"),
        ({"places": "0"}, "places"),
        ({"places": "abc"}, "places"),
        ({"available_from": "31.02.2025"}, "available_from"),
        ({"safety_compliant": "", "safety_checked_on": "2025-08-01"}, "safety_compliant"),
    ],
)
def test_bad_workplace_input_is_refused_beside_the_field(client, login, bad, field):
    t = site()
    login(t.admin)
    response = client.post(url("employer_workplaceadd", t.employer.pk), workplace_data(**bad))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert 'class="invalid-feedback' in response.content.decode()
    assert not Workplace.objects.filter(title="Токардык цех").exists()


def test_places_below_those_held_are_refused_on_the_edit_page(client, login):
    t = site(places=2)
    placement(t, D(2025, 3, 1), D(2025, 3, 31))
    placement(t, D(2025, 3, 31), D(2025, 3, 31))
    login(t.admin)
    data = workplace_data(title=t.workplace.title, available_from="2025-03-01", available_to="2025-03-31", places="1")
    response = client.post(url("workplace_edit", t.workplace.pk), data)
    assert response.status_code == 400 and "at least 2 places" in response.context["form"].errors["places"][0]
    assert Workplace.objects.get(pk=t.workplace.pk).places == 2


def test_a_local_document_uploads_a_real_file_and_refuses_a_wrong_one(client, login):
    t = site()
    login(t.rep_user)
    data = {"kind": "safety", "title": "Эмгекти коргоо", "must_acknowledge": "on"}
    wrong = client.post(url("employer_localdocadd", t.employer.pk), {**data, "file": SimpleUploadedFile("x.exe", b"MZ\x90")})
    assert wrong.status_code == 400 and "PDF, JPG" in wrong.context["form"].errors["file"][0]
    fake = client.post(url("employer_localdocadd", t.employer.pk), {**data, "file": SimpleUploadedFile("x.pdf", b"<html>")})
    assert fake.status_code == 400 and "not a readable PDF" in fake.context["form"].errors["file"][0]
    assert not LocalDocument.objects.exists()
    good = client.post(url("employer_localdocadd", t.employer.pk), {**data, "file": SimpleUploadedFile("rules.pdf", PDF)})
    assert good.status_code == 302
    document = LocalDocument.objects.get()
    download = client.get(url("localdoc_file", document.pk))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    form = client.get(url("localdoc_edit", document.pk)).content.decode()  # the stored file links to its download page
    assert f'href="{url("localdoc_file", document.pk)}">rules' in form and "/media/" not in form
    login(site().admin)
    assert client.get(url("localdoc_file", document.pk)).status_code == 404


def test_deleting_a_mentor_of_a_placement_is_refused_with_a_clear_message(client, login):
    t = site()
    placement(t, D(2025, 3, 3), D(2025, 3, 14), status="closed")
    login(t.admin)
    assert client.get(url("person_delete", t.mentor.pk)).status_code == 200
    response = client.post(url("person_delete", t.mentor.pk), follow=True)
    assert "cannot be deleted: it is still used by placements (1)" in response.content.decode()
    assert EmployerPerson.objects.filter(pk=t.mentor.pk).exists()
    response = client.post(url("workplace_delete", t.workplace.pk), follow=True)
    assert "still used by placements (1)" in response.content.decode() and Workplace.objects.filter(pk=t.workplace.pk).exists()
    spare = EmployerPerson.objects.create(
        institution=t.institution, employer=t.employer, last_name="Z", first_name="Z", position="Z"
    )
    assert client.post(url("person_delete", spare.pk))["Location"] == url("employer_detail", t.employer.pk)
    assert not EmployerPerson.objects.filter(pk=spare.pk).exists()


def test_the_history_pages_show_the_changes(client, login):
    t = site()
    login(t.admin)
    client.post(url("person_edit", t.mentor.pk), person_data(last_name="Устатов", first_name="Нурлан", position="Башкы мастер",
                                                              is_mentor="on", user=t.mentor_user.pk))  # fmt: skip
    html = client.get(url("person_history", t.mentor.pk)).content.decode()
    assert "Башкы мастер" in html
    assert client.get(url("workplace_history", t.workplace.pk)).status_code == 200


# --- Invitations ---------------------------------------------------------------------------------------------------


def test_the_admin_invites_a_mentor_through_the_core_invitation_and_the_login_is_linked(client, login):
    t = site()
    newcomer = EmployerPerson.objects.create(
        institution=t.institution, employer=t.employer, last_name="Жаңы", first_name="Азамат", position="Слесарь",
        is_mentor=True, email="azamat@example.org",
    )  # fmt: skip
    login(t.admin)
    html = client.get(url("employer_detail", t.employer.pk)).content.decode()
    row = html[html.index(f'id="person-{newcomer.pk}"') :]
    row = row[: row.index("</tr>")]
    assert reverse("core:invitations") in row and 'name="role" value="mentor"' in row
    form = {
        "institution": t.institution.pk,
        "email": newcomer.email,
        "last_name": newcomer.last_name,
        "first_name": newcomer.first_name,
        "role": "mentor",
        "employer": t.employer.pk,
    }
    assert client.post(reverse("core:invitations"), form).status_code == 302
    invitation = Invitation.objects.get(email="azamat@example.org")
    assert (invitation.employer, invitation.role) == (t.employer, "mentor")
    html = client.get(url("employer_detail", t.employer.pk)).content.decode()
    row = html[html.index(f'id="person-{newcomer.pk}"') :]
    assert "invited" in row[: row.index("</tr>")]
    client.logout()
    password = {"password1": "Kesip-test-2026!", "password2": "Kesip-test-2026!"}
    assert client.post(f"/invite/{invitation.token}/", {"username": "azamat", **password}).status_code == 302
    newcomer.refresh_from_db()
    assert newcomer.user.username == "azamat"
    html = client.get(url("employer_detail", t.employer.pk)).content.decode()  # the new mentor reads the page
    assert "Жаңы Азамат" in html and url("person_edit", newcomer.pk) not in html


def test_the_coordinator_who_may_not_invite_sees_no_invite_button(client, login):
    t = site()
    EmployerPerson.objects.create(
        institution=t.institution, employer=t.employer, last_name="Жаңы", first_name="А", position="С", is_mentor=True,
        email="a@example.org",
    )  # fmt: skip
    login(t.coordinator)
    assert reverse("core:invitations") not in client.get(url("employer_detail", t.employer.pk)).content.decode()


# --- The capacity list and the mentor register -----------------------------------------------------------------------


def test_the_workplace_list_filters_by_period_and_free_places_at_the_boundary(client, login):
    t = site(places=1)
    placement(t, D(2025, 3, 1), D(2025, 3, 10))
    other = Workplace.objects.create(
        institution=t.institution, employer=t.employer, title="Бош цех", places=1, available_from=D(2025, 3, 1),
        available_to=D(2025, 3, 31),
    )  # fmt: skip
    login(t.coordinator)

    def shown(**params):
        response = client.get(url("workplace_list"), params)
        assert response.status_code == 200
        return {w.pk: w.free_places for w in response.context["page"].object_list}

    assert shown(**{"from": "2025-03-10", "to": "2025-03-20"}) == {t.workplace.pk: 0, other.pk: 1}
    assert shown(**{"from": "2025-03-11", "to": "2025-03-20"}) == {t.workplace.pk: 1, other.pk: 1}
    assert shown(**{"from": "2025-03-10", "to": "2025-03-20", "free": "1"}) == {other.pk: 1}
    assert shown(**{"from": "2025-04-01", "to": "2025-04-30"}) == {}
    assert shown(**{"from": "2025-03-31", "to": "2025-04-30"}) == {t.workplace.pk: 1, other.pk: 1}
    assert shown(employer=f.EmployerFactory(institution=t.institution).pk) == {}
    reversed_period = client.get(url("workplace_list"), {"from": "2025-03-20", "to": "2025-03-10"})
    assert "cannot end before it starts" in reversed_period.content.decode()
    assert len(reversed_period.context["page"].object_list) == 2


def test_the_mentor_register_shows_the_load_and_filters_busy_mentors(client, login):
    t = site()
    today = datetime.date.today()
    idle = EmployerPerson.objects.create(
        institution=t.institution, employer=t.employer, last_name="Бош", first_name="Б", position="M", is_mentor=True
    )
    placement(t, today, today, status="active", workplace=False)
    login(t.rep_user)
    response = client.get(url("person_list"))
    rows = {p.pk: p.current_placements for p in response.context["page"].object_list}
    assert rows == {t.mentor.pk: 1, idle.pk: 0}
    busy = client.get(url("person_list"), {"busy": "1"})
    assert [p.pk for p in busy.context["page"].object_list] == [t.mentor.pk]


# --- Settings ---------------------------------------------------------------------------------------------------------


def test_the_admin_opens_the_settings_and_creates_the_row_on_the_first_save(client, login):
    t = site()
    login(t.admin)
    page = client.get(url("settings_own"))
    assert page.status_code == 200 and not WblSettings.objects.exists()
    html = page.content.decode()
    assert "п. 53, section 5" in html and "Default: All hours of the curriculum" in html
    data = {name: value for name, value in page.context["form"].initial.items() if name != "id"}
    data.update({"parties_practice": "3", "briefing_before_start": "on"})
    too_many = client.post(url("settings_own"), {**data, "parties_dual": "4"})
    assert too_many.status_code == 400 and "п. 12" in too_many.context["form"].errors["parties_dual"][0]
    assert not WblSettings.objects.exists()
    saved = client.post(url("settings_own"), data)
    row = WblSettings.objects.get(institution=t.institution)
    assert saved["Location"] == url("settings_edit", row.pk) and row.parties_practice == 3
    rulebook = client.get(reverse("core:rulebook")).content.decode()
    block = rulebook[rulebook.index('data-field="parties_practice"') :]
    assert 'setting-value">3' in block[: block.index("</tr>")] and 'setting-default">2<' in block[: block.index("</tr>")]


def test_the_coordinator_reads_the_settings_and_others_get_nothing(client, login):
    t = site()
    row = WblSettings.objects.create(institution=t.institution)
    login(t.coordinator)
    page = client.get(url("settings_edit", row.pk))
    assert page.status_code == 200 and all(f.disabled for f in page.context["form"].fields.values())
    assert client.post(url("settings_edit", row.pk), {"review_days": "3"}).status_code == 403
    assert client.get(url("settings_own")).status_code == 403
    login(t.rep_user)
    assert client.get(url("settings_edit", row.pk)).status_code == 404
    login(site().admin)
    assert client.get(url("settings_edit", row.pk)).status_code == 404
    assert WblSettings.objects.get(pk=row.pk).review_days == 10


def test_the_rulebook_shows_defaults_to_a_user_of_no_single_institution(client, login):
    t = site()
    WblSettings.objects.create(institution=t.institution, review_days=4)
    login(f.member(Role.SYSTEM_ADMIN))
    html = client.get(reverse("core:rulebook")).content.decode()
    block = html[html.index('data-field="review_days"') :]
    assert 'setting-value">10<' in block[: block.index("</tr>")]


def test_the_rulebook_says_how_kesip_answers_every_other_open_question(client, login):
    t = site()
    login(f.member(Role.HEAD_OF_PRACTICE, institution=t.institution))
    html = client.get(reverse("core:rulebook"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    for number in (1, 4, 5, 6, 8, 10, 11):  # §9.5; 2, 3, 7 and 9 are settings, the denominator or a form of Kesip's
        assert f'data-question="{number}"' in html


# --- Query budgets ------------------------------------------------------------------------------------------------------


def _grow(t, n):
    start = EmployerPerson.objects.filter(employer=t.employer).count()
    today = datetime.date.today()
    for i in range(start, n):
        p = EmployerPerson.objects.create(
            institution=t.institution, employer=t.employer, last_name=f"Насаатчы{i}", first_name="Н", position="M",
            is_mentor=True, email=f"m{i}@example.org",
        )  # fmt: skip
        w = Workplace.objects.create(
            institution=t.institution, employer=t.employer, title=f"Цех {i}", places=2, available_from=today,
            available_to=today + datetime.timedelta(days=30),
        )  # fmt: skip
        LocalDocument.objects.create(institution=t.institution, employer=t.employer, kind="other", title=f"Документ {i}")
        Agreement.objects.create(
            institution=t.institution, employer=t.employer, kind="wbl", form="practice", number=f"N-{i}",
            starts_on=today, ends_on=today + datetime.timedelta(days=365),
        )  # fmt: skip
        assert p.pk and w.pk
        placement(t, today, today, status="active")  # the first mentor's and workplace's placements grow too


@pytest.mark.parametrize("name", ["employer_detail", "workplace_list", "person_list", "workplace_detail", "person_detail"])
def test_the_pages_keep_their_query_count_from_2_to_20_rows(client, login, django_assert_max_num_queries, name):
    t = site()
    login(t.admin)
    args = {
        "employer_detail": lambda: [t.employer.pk],
        "workplace_detail": lambda: [t.workplace.pk],
        "person_detail": lambda: [t.mentor.pk],
    }.get(name, lambda: [])
    budget = {"employer_detail": 15, "workplace_list": 10, "person_list": 9, "workplace_detail": 10, "person_detail": 11}[name]
    for n in (2, 20):
        _grow(t, n)
        with django_assert_max_num_queries(budget):
            response = client.get(url(name, *args()))
        assert response.status_code == 200


def test_the_rulebook_page_reads_the_settings_in_one_query(client, login, django_assert_max_num_queries):
    t = site()
    WblSettings.objects.create(institution=t.institution)
    login(t.admin)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("core:rulebook")).status_code == 200
