"""The WBL programme pages as a head of practical training, a head, a teacher and an employer's
representative meet them: the list, the nine sections as a document, the editors, the steps, the
WBL % table, the PDF and DOCX; query budgets that do not grow with the rows."""

import datetime
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kesip.core.tests import factories as f
from kesip.wbl.models import ContentRow, LoadRow, RubricItem, WblProgramme
from kesip.wbl.tests.test_programme_rules import college

pytestmark = pytest.mark.django_db
S = WblProgramme.Status


def url(name, *args):
    return reverse(f"wbl:{name}", args=args)


def html(response):
    return response.content.decode()


def test_the_programme_reads_as_nine_sections_in_order_with_marks_and_the_percent(client, login):
    t = college()
    login(t.practice_head)
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    positions = [page.index(f'id="section-{n}"') for n in range(1, 10)]
    assert positions == sorted(positions)
    assert 'id="no-violations"' in page and page.count('data-state="complete"') == 9
    assert "8 main sections, but its table lists 9" in page and "competencies of section 6" in page
    assert 'id="percent-total">14.4 %' in page and 'id="percent-curriculum-hours">3000' in page
    assert 'id="load-total">432' in page and "51.2 %" in page  # the other reading of the clause, for comparison
    assert "All hours of the curriculum (theory and practice)" in page
    assert 'id="percent-2"' in page and "14.8 %" in page
    assert url("wblprogramme_step", t.wp.pk, "send") in page and url("loadrow_add", t.wp.pk) in page


def test_a_broken_rule_shows_in_its_section_with_its_clause(client, login):
    t = college()
    LoadRow.objects.filter(pk=t.rows.lecture.pk).update(component=None)
    WblProgramme.objects.filter(pk=t.wp.pk).update(safety="")
    login(t.practice_head)
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    assert "2 rules are not met yet" in page
    section5 = page[page.index('id="section-5"') : page.index('id="section-6"')]
    assert (
        'data-code="curriculum.wbl_load.non_practice_form.min_disciplines"' in section5 and "п. 53 (table, section 5)" in section5
    )
    section8 = page[page.index('id="section-8"') : page.index('id="section-9"')]
    assert 'data-code="wbl.programme.sections"' in section8 and "empty" in section8
    assert 'id="mark-8" title' in page and 'data-state="empty" id="mark-8"' in page
    # Not offered while rules are broken; the page says why.
    assert url("wblprogramme_step", t.wp.pk, "send") not in page and 'id="send-blocked"' in page


def test_a_posted_send_with_broken_rules_answers_with_each_rule(client, login):
    t = college()
    WblProgramme.objects.filter(pk=t.wp.pk).update(goal="")
    login(t.practice_head)
    page = html(client.post(url("wblprogramme_step", t.wp.pk, "send"), follow=True))
    assert "The step is refused: 1 rule is broken." in page and "Section 2" in page
    assert WblProgramme.objects.get(pk=t.wp.pk).status == S.DRAFT


def test_the_steps_through_the_pages(client, login):
    t = college()
    login(t.practice_head)
    done = html(client.post(url("wblprogramme_step", t.wp.pk, "send"), follow=True))
    assert "is sent to" in done and 'id="agreement-form"' in done
    # The paper agreement: bad input answers beside the field, nothing saved.
    bad = client.post(url("wblprogramme_step", t.wp.pk, "agree"), {"employer_agreed_by": "", "employer_agreed_on": "31.02.2025"})
    assert bad.status_code == 400
    form = bad.context["agreement_form"]
    assert set(form.errors) == {"employer_agreed_by", "employer_agreed_on"} and "collapse show" in html(bad)
    future = (datetime.date.today() + datetime.timedelta(days=3)).isoformat()
    late = client.post(
        url("wblprogramme_step", t.wp.pk, "agree"), {"employer_agreed_by": "Рахманов А.", "employer_agreed_on": future}
    )
    assert late.status_code == 400 and "future" in late.context["agreement_form"].errors["employer_agreed_on"][0]
    assert WblProgramme.objects.get(pk=t.wp.pk).employer_agreed_on is None
    ok = client.post(
        url("wblprogramme_step", t.wp.pk, "agree"), {"employer_agreed_by": "Рахманов А.", "employer_agreed_on": "2025-05-20"}
    )
    assert ok.status_code == 302
    # The head of practical training cannot approve: no button, and a posted approval changes nothing.
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    assert url("wblprogramme_step", t.wp.pk, "approve") not in page and "Рахманов А., 20.05.2025" in page
    assert "This step is not open" in html(client.post(url("wblprogramme_step", t.wp.pk, "approve"), follow=True))
    assert WblProgramme.objects.get(pk=t.wp.pk).status == S.EMPLOYER_REVIEW
    login(t.head)
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    assert url("wblprogramme_step", t.wp.pk, "approve") in page and url("loadrow_add", t.wp.pk) not in page
    assert "is approved" in html(client.post(url("wblprogramme_step", t.wp.pk, "approve"), follow=True))
    assert WblProgramme.objects.get(pk=t.wp.pk).status == S.APPROVED
    assert client.get(url("wblprogramme_step", t.wp.pk, "approve")).status_code == 405


def test_the_representative_agrees_on_the_page(client, login):
    t = college()
    login(t.practice_head)
    client.post(url("wblprogramme_step", t.wp.pk, "send"))
    login(t.rep)
    listing = html(client.get(url("wblprogramme_list")))
    assert t.programme.name_ru in listing
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    assert "Agree the programme" in page and 'id="agreement-form"' not in page and "Return for changes" in page
    client.post(url("wblprogramme_step", t.wp.pk, "agree"))
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    assert wp.employer_agreed_on == datetime.date.today() and t.rep.last_name in wp.employer_agreed_by
    stranger = f.member("employer_rep", institution=t.institution, employer=f.EmployerFactory(institution=t.institution))
    login(stranger)
    assert client.get(url("wblprogramme_detail", t.wp.pk)).status_code == 404
    assert client.post(url("wblprogramme_step", t.wp.pk, "reopen")).status_code == 404


def test_a_teacher_reads_but_neither_edits_nor_approves(client, login):
    t = college()
    login(t.teacher)
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    assert url("wblprogramme_edit", t.wp.pk) not in page and url("wblprogramme_step", t.wp.pk, "send") not in page
    assert client.get(url("wblprogramme_edit", t.wp.pk)).status_code == 404
    assert client.get(url("wblprogramme_add")).status_code == 403
    assert client.get(url("loadrow_add", t.wp.pk)).status_code == 404


def test_edit_one_section_saves_only_it(client, login):
    t = college()
    login(t.practice_head)
    page = client.get(url("wblprogramme_edit", t.wp.pk) + "?section=2")
    assert list(page.context["form"].fields) == ["goal"]
    response = client.post(url("wblprogramme_edit", t.wp.pk) + "?section=2", {"goal": "Новая цель"})
    assert response.status_code == 302 and response["Location"].endswith("#section-2")
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    assert wp.goal == "Новая цель" and wp.safety and wp.outcomes.count() == 2
    six = client.post(url("wblprogramme_edit", t.wp.pk) + "?section=6", {"outcomes": [t.competencies[2].pk]})
    assert six.status_code == 302 and list(wp.outcomes.all()) == [t.competencies[2]]
    assert client.get(url("wblprogramme_edit", t.wp.pk) + "?section=99").status_code == 404


def test_the_representative_edits_sections_with_the_passport_fixed(client, login):
    t = college()
    login(t.rep)
    page = client.get(url("wblprogramme_edit", t.wp.pk))
    form = page.context["form"]
    assert form.fields["academic_year"].disabled and form.fields["programme"].disabled and not form.fields["goal"].disabled
    data = {
        "programme": t.programme.pk, "co_developer": t.employer.pk, "academic_year": 2030, "form": "dual",
        "normative_base": "База", "goal": "Цель предприятия", "procedure": "П", "mentor_duties": "Н", "season_note": "",
        "safety": "ТБ", "accessibility": "", "outcomes": [t.competencies[0].pk],
    }  # fmt: skip
    assert client.post(url("wblprogramme_edit", t.wp.pk), data).status_code == 302
    wp = WblProgramme.objects.get(pk=t.wp.pk)
    assert (wp.goal, wp.academic_year, wp.form) == ("Цель предприятия", 2024, "practice")


def test_a_new_programme_from_the_page(client, login):
    t, other = college(), college()
    login(t.practice_head)
    page = client.get(url("wblprogramme_add"))
    form = page.context["form"]
    assert set(form.fields) == {"programme", "co_developer", "academic_year", "form"}
    assert list(form.fields["programme"].queryset) == [t.programme] and other.employer not in form.fields["co_developer"].queryset
    refused = client.post(url("wblprogramme_add"), {"programme": other.programme.pk, "form": "dual", "academic_year": 2025})
    assert refused.status_code == 400 and "programme" in refused.context["form"].errors
    bad_year = client.post(url("wblprogramme_add"), {"programme": t.programme.pk, "form": "dual", "academic_year": 1900})
    assert bad_year.status_code == 400 and "academic_year" in bad_year.context["form"].errors
    response = client.post(
        url("wblprogramme_add"),
        {"programme": t.programme.pk, "form": "dual", "academic_year": 2025, "co_developer": t.employer.pk},
    )
    wp = WblProgramme.objects.filter(programme=t.programme, academic_year=2025).get()
    assert response.status_code == 302 and response["Location"] == url("wblprogramme_detail", wp.pk)
    assert (wp.institution, wp.status, wp.co_developer) == (t.institution, S.DRAFT, t.employer)


def test_the_load_table_editor(client, login):
    t = college()
    login(t.practice_head)
    page = client.get(url("loadrow_add", t.wp.pk))
    assert set(page.context["form"].fields["component"].queryset) == {t.subject, t.educational, t.production}
    refused = client.post(url("loadrow_add", t.wp.pk), {"semester": 5, "activity": "excursion", "hours": 6, "credits": "0.3"})
    assert refused.status_code == 400
    assert "attached to a discipline" in refused.context["form"].errors["component"][0]
    assert "п. 53 (table, section 5)" in refused.context["form"].errors["component"][0]
    bad = client.post(url("loadrow_add", t.wp.pk), {"semester": 13, "activity": "excursion", "hours": "x", "credits": "-1"})
    assert bad.status_code == 400 and {"semester", "hours", "credits"} <= set(bad.context["form"].errors)
    ok = client.post(
        url("loadrow_add", t.wp.pk),
        {"semester": 5, "activity": "excursion", "component": t.subject.pk, "hours": 6, "credits": "0.3"},
    )
    assert ok.status_code == 302 and ok["Location"].endswith("#section-5")
    row = LoadRow.objects.get(programme=t.wp, semester=5)
    changed = {"semester": 6, "activity": "excursion", "component": t.subject.pk, "hours": 8, "credits": "0.4"}
    assert client.post(url("loadrow_edit", row.pk), changed).status_code == 302
    row.refresh_from_db()
    assert (row.semester, row.hours) == (6, 8)
    assert client.get(url("loadrow_delete", row.pk)).status_code == 200
    assert client.post(url("loadrow_delete", row.pk)).status_code == 302 and not LoadRow.objects.filter(pk=row.pk).exists()


def test_content_and_rubric_editors(client, login):
    t = college()
    login(t.practice_head)
    page = client.get(url("contentrow_add", t.wp.pk) + "?practice_type=production")
    assert (
        page.context["form"].initial.get("practice_type") == "production"
        or page.context["form"].instance.practice_type == "production"
    )
    data = {
        "practice_type": "production",
        "competency": t.competencies[1].pk,
        "topic": "Контроль швов",
        "hours": 8,
        "environment": "ОТК",
        "equipment": "Лупа",
    }
    assert client.post(url("contentrow_add", t.wp.pk), data).status_code == 302
    assert ContentRow.objects.filter(programme=t.wp, topic="Контроль швов").exists()
    rubric = client.get(url("rubricitem_add", t.wp.pk))
    assert set(rubric.context["form"].fields["competencies"].queryset) == {t.competencies[0], t.competencies[1]}
    none = client.post(url("rubricitem_add", t.wp.pk), {"method": "case_study", "level": "4", "descriptor": "Хорошо"})
    assert none.status_code == 400 and "section 6" in none.context["form"].errors["competencies"][0]
    outsider = client.post(
        url("rubricitem_add", t.wp.pk),
        {"method": "case_study", "level": "4", "descriptor": "Хорошо", "competencies": [t.competencies[2].pk]},
    )
    assert outsider.status_code == 400 and "competencies" in outsider.context["form"].errors
    ok = client.post(
        url("rubricitem_add", t.wp.pk),
        {"method": "case_study", "level": "4", "descriptor": "Хорошо", "competencies": [t.competencies[1].pk]},
    )
    assert ok.status_code == 302
    item = RubricItem.objects.get(programme=t.wp, method="case_study")
    assert list(item.competencies.all()) == [t.competencies[1]]
    assert (
        client.post(url("rubricitem_delete", item.pk)).status_code == 302 and not RubricItem.objects.filter(pk=item.pk).exists()
    )


def test_nothing_is_edited_once_it_left_the_draft(client, login):
    t = college()
    login(t.practice_head)
    client.post(url("wblprogramme_step", t.wp.pk, "send"))
    for target in (
        url("wblprogramme_edit", t.wp.pk),
        url("loadrow_add", t.wp.pk),
        url("loadrow_edit", t.rows.lecture.pk),
        url("contentrow_delete", t.content.educational.pk),
        url("rubricitem_edit", t.grade.pk),
        url("wblprogramme_delete", t.wp.pk),
    ):
        response = client.post(target, {"goal": "x", "semester": 1, "activity": "practice", "hours": 1, "credits": 1})
        assert response.status_code == 302 and response["Location"] == url("wblprogramme_detail", t.wp.pk), target
    assert client.post(url("wblprogramme_prefill", t.wp.pk)).status_code == 302
    page = html(client.get(url("wblprogramme_detail", t.wp.pk)))
    assert url("loadrow_edit", t.rows.lecture.pk) not in page and url("wblprogramme_edit", t.wp.pk) not in page
    assert LoadRow.objects.filter(programme=t.wp).count() == 3 and WblProgramme.objects.get(pk=t.wp.pk).goal != "x"


def test_build_from_the_curriculum_button(client, login):
    t = college()
    LoadRow.objects.filter(programme=t.wp).delete()
    login(t.practice_head)
    assert client.get(url("wblprogramme_prefill", t.wp.pk)).status_code == 405
    page = html(client.post(url("wblprogramme_prefill", t.wp.pk), follow=True))
    assert "2 rows are added to section 5 from the curriculum." in page and "2024" in page
    assert LoadRow.objects.filter(programme=t.wp).count() == 2


def test_the_list_filters_and_shows_the_percent(client, login):
    t = college()
    other_year = WblProgramme.objects.create(
        institution=t.institution, programme=t.programme, form="dual", academic_year=2023, co_developer=t.employer
    )
    login(t.practice_head)
    page = html(client.get(url("wblprogramme_list")))
    assert f'id="wblprogramme-{t.wp.pk}"' in page and f'id="wblprogramme-{other_year.pk}"' in page and "14.4 %" in page
    for query, shown, hidden in (
        ("?form=dual", other_year, t.wp),
        ("?year=2024", t.wp, other_year),
        (f"?status=draft&programme={t.programme.pk}", t.wp, None),
        ("?form=bogus", t.wp, None),
    ):
        body = html(client.get(url("wblprogramme_list") + query))
        assert f'id="wblprogramme-{shown.pk}"' in body, query
        if hidden:
            assert f'id="wblprogramme-{hidden.pk}"' not in body, query


def _programme_with_rows(n):
    t = college()
    for i in range(n):
        LoadRow.objects.create(
            institution=t.institution,
            programme=t.wp,
            semester=1 + i % 8,
            activity="master_class",
            component=t.subject,
            hours=2,
            credits=Decimal("0.1"),
        )
        ContentRow.objects.create(
            institution=t.institution,
            programme=t.wp,
            practice_type="educational",
            competency=t.competencies[0],
            topic=f"Тема {i}",
            hours=1,
            environment="Мастерская",
            equipment="Инвертор",
        )
        item = RubricItem.objects.create(
            institution=t.institution, programme=t.wp, method="video_interview", level=str(i), descriptor="…"
        )
        item.competencies.add(t.competencies[i % 2])
    return t  # fmt: skip


def _count(client, target):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(target).status_code == 200
    return len(queries)


def test_the_programme_page_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    small, large = _programme_with_rows(2), _programme_with_rows(20)
    counts = []
    for t in (small, large):
        login(t.practice_head)
        with django_assert_max_num_queries(20):  # 18, 1 for the version chain (§9.4), 1 for the programme link
            client.get(url("wblprogramme_detail", t.wp.pk))
        counts.append(_count(client, url("wblprogramme_detail", t.wp.pk)))
    assert counts[0] == counts[1]


def test_the_list_reads_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    t = college()
    login(t.practice_head)

    def add(n):
        for i in range(n):
            WblProgramme.objects.create(institution=t.institution, programme=t.programme, form="dual", academic_year=2000 + i)

    add(1)  # with the college's own: 2
    with django_assert_max_num_queries(9):
        client.get(url("wblprogramme_list"))
    two = _count(client, url("wblprogramme_list"))
    add(18)
    with django_assert_max_num_queries(9):
        client.get(url("wblprogramme_list"))
    assert _count(client, url("wblprogramme_list")) == two


@pytest.mark.parametrize("language, name", [("ky", "Электр-газ ширетүүчү"), ("ru", "Электрогазосварщик")])
def test_the_document_answers_in_the_language_asked_for(client, login, language, name):
    from docx import Document

    t = college()
    login(t.practice_head)
    pdf = client.get(url("wblprogramme_document", t.wp.pk) + f"?format=pdf&lang={language}")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    docx = client.get(url("wblprogramme_document", t.wp.pk) + f"?format=docx&lang={language}")
    assert docx.status_code == 200 and docx["Content-Disposition"].endswith(f'wbl-programme-{t.wp.pk}.docx"')
    document = Document(io.BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for table in document.tables for row in table.rows for c in row.cells)
    assert name in text + cells
    assert "Шов без дефектов, в срок" in cells and "Сварка конструкций" in cells and "14.4" in (text + cells).replace(",", ".")
    assert "432" in cells and "3000" in cells
    assert client.get(url("wblprogramme_document", t.wp.pk) + "?format=exe").status_code == 404


def test_the_history_names_the_competencies_of_section_6(client, login):
    t = college()
    login(t.practice_head)
    client.post(url("wblprogramme_edit", t.wp.pk) + "?section=6", {"outcomes": [t.competencies[2].pk]})
    client.post(url("wblprogramme_edit", t.wp.pk) + "?section=2", {"goal": "Цель 2"})
    page = client.get(url("wblprogramme_history", t.wp.pk))
    assert page.status_code == 200 and "Цель 2" in html(page)


def test_another_institution_sees_nothing(client, login):
    t, other = college(), college()
    login(other.admin)
    for target in (
        url("wblprogramme_detail", t.wp.pk),
        url("wblprogramme_document", t.wp.pk),
        url("loadrow_edit", t.rows.lecture.pk),
        url("rubricitem_delete", t.grade.pk),
    ):
        assert client.get(target).status_code == 404, target
    assert client.post(url("wblprogramme_step", t.wp.pk, "send")).status_code == 404
    assert client.post(url("contentrow_add", t.wp.pk), {"topic": "x"}).status_code == 404
    listing = html(client.get(url("wblprogramme_list")))
    assert f'id="wblprogramme-{t.wp.pk}"' not in listing and f'value="{t.programme.pk}"' not in listing
