"""The employer's letterhead (F2): a logo and the lines under the name, set on a page or through the API, printed
on every document the employer issues (the internship certificate on the enterprise's letterhead, the mentor's
review, the employer's orders). A bad logo or too many lines is refused beside its field and nothing is saved;
the host of the institution's own base has none; another institution's employer answers 404."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from rest_framework.test import APIClient

from kesip.core.roles import Role
from kesip.core.rules import RuleViolation
from kesip.core.tests import factories as f
from kesip.wbl import bases, diary_documents, internships, letterheads
from kesip.wbl.models import EmployerLetterhead, WblBase
from kesip.wbl.models.employers import validate_letterhead_details, validate_logo
from kesip.wbl.tests.test_certificate import issue, shows, successful
from kesip.wbl.tests.test_internships import college

pytestmark = pytest.mark.django_db


def picture(size=(64, 64), fmt="PNG", name=None):
    buffer = io.BytesIO()
    Image.new("RGB", size, "navy").save(buffer, format=fmt)
    return SimpleUploadedFile(name or f"logo.{fmt.lower()}", buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def has_image(pdf):
    return b"/Subtype /Image" in pdf


def set_letterhead(t, **kwargs):
    values = {"logo": picture(), "details": "Тел.: +996 312 000 000\nЭ-почта: info@shiretuu.kg", "show_tax_id": True}
    values.update(kwargs)
    return letterheads.save_letterhead(EmployerLetterhead(employer=t.employer, **values), t.admin)


# --- The rules of the letterhead, at their boundaries -------------------------------------------------------------


def test_the_logo_is_a_png_or_jpeg_of_32_to_5000_pixels_and_at_most_2_mb():
    validate_logo(picture((32, 32)))
    validate_logo(picture((32, 5000), "JPEG"))
    for bad, code in (
        (picture((31, 64)), "file_size"),
        (picture((64, 5001)), "file_size"),
        (picture((64, 64), "GIF"), "file_type"),
        (SimpleUploadedFile("logo.png", b"not a picture at all"), "file_content"),
        (SimpleUploadedFile("logo.png", b"\x89PNG" + b"0" * (2 * 1024 * 1024)), "file_too_large"),
    ):
        with pytest.raises(ValidationError) as refused:
            validate_logo(bad)
        assert refused.value.code == code


def test_four_lines_of_120_characters_fit_under_the_name_and_no_more():
    validate_letterhead_details("\n".join(["а" * 120] * 4) + "\n\n  \n")
    with pytest.raises(ValidationError) as refused:
        validate_letterhead_details("\n".join(["а"] * 5))
    assert refused.value.code == "too_many_lines"
    with pytest.raises(ValidationError) as refused:
        validate_letterhead_details("а\n" + "б" * 121)
    assert refused.value.code == "line_too_long" and "2" in str(refused.value.messages)


def test_the_lines_print_the_name_address_tax_id_and_the_employers_lines():
    t = college()
    t.employer.tax_id = "01234567890123"
    lines, logo = letterheads.letterhead_of(t.employer)
    assert lines == (t.employer.name, t.employer.address, "INN / BIN: 01234567890123") and logo == b""
    letterhead = set_letterhead(t, show_tax_id=False, details="  Тел.: 0312 000 000 \n\n")
    assert letterhead.details == "Тел.: 0312 000 000"  # blank lines and edges trimmed
    lines, logo = letterheads.letterhead_of(t.employer)
    assert lines == (t.employer.name, t.employer.address, "Тел.: 0312 000 000") and logo.startswith(b"\x89PNG")


# --- Who sets it ----------------------------------------------------------------------------------------------------


def test_the_employers_representative_sets_it_a_mentor_and_another_institution_may_not():
    t = college()
    rep = f.member(Role.EMPLOYER_REP, institution=t.institution, employer=t.employer)
    assert letterheads.save_letterhead(EmployerLetterhead(employer=t.employer, details="Тел."), rep).pk
    mentor = f.member(Role.MENTOR, institution=t.institution, employer=t.employer)
    stranger = f.member(Role.INSTITUTION_ADMIN, institution=college().institution)
    current = EmployerLetterhead.objects.get()
    for user in (mentor, stranger):
        current.details = "Чужой"
        with pytest.raises(RuleViolation):
            letterheads.save_letterhead(current, user)
    assert EmployerLetterhead.objects.get().details == "Тел."


def test_the_host_of_an_own_base_has_no_letterhead_of_its_own():
    t = college()
    base = bases.save_base(WblBase(institution=t.institution, name="Устакана", kind="workshop", address="Бишкек ш."), t.admin)
    with pytest.raises(RuleViolation) as refused:
        letterheads.save_letterhead(EmployerLetterhead(employer=base.host, details="x"), t.admin)
    assert refused.value.code == "wbl.letterhead.own_base"
    assert not EmployerLetterhead.objects.exists()


# --- The documents print it ----------------------------------------------------------------------------------------


def test_the_certificate_on_the_enterprises_letterhead_prints_its_logo_and_lines_the_institutions_does_not():
    t = college()
    set_letterhead(t)
    on_employer = internships.stored_original(issue(t, successful(t), letterhead="employer", language="ru"))[1]
    assert has_image(on_employer) and shows(on_employer, "+996 312 000 000", "info@shiretuu.kg")
    t2 = college()
    set_letterhead(t2)
    on_institution = internships.stored_original(issue(t2, successful(t2), letterhead="institution", language="ru"))[1]
    assert not shows(on_institution, "info@shiretuu.kg")


def test_the_mentors_review_and_characterisation_carry_the_employers_letterhead():
    from kesip.core.documents import as_bytes

    t = college()
    set_letterhead(t)
    p = successful(t, review="Хорошо работал", characterisation="Дисциплинирован")
    pdf = as_bytes(diary_documents.characterisation_document(p, "ru", "employer"), "pdf")
    assert has_image(pdf) and shows(pdf, "info@shiretuu.kg")
    plain = as_bytes(diary_documents.characterisation_document(p, "ru", "institution"), "pdf")
    assert not shows(plain, "info@shiretuu.kg")
    docx = as_bytes(diary_documents.characterisation_document(p, "ky", "employer"), "docx")
    with zipfile.ZipFile(io.BytesIO(docx)) as archive:
        assert any(n.startswith("word/media/") for n in archive.namelist())
        assert "info@shiretuu.kg" in archive.read("word/document.xml").decode()


def test_a_logo_missing_from_the_storage_prints_the_letterhead_without_it():
    t = college()
    letterhead = set_letterhead(t)
    letterhead.logo.storage.delete(letterhead.logo.name)
    lines, logo = letterheads.letterhead_of(t.employer)
    assert logo == b"" and "Э-почта: info@shiretuu.kg" in lines


# --- The pages ------------------------------------------------------------------------------------------------------


def test_the_page_sets_it_shows_it_on_the_employer_page_and_prints_a_sample(client, login):
    t = college()
    login(t.admin)
    url = f"/wbl/employers/{t.employer.pk}/letterhead/"
    assert client.get(url).status_code == 200
    page = client.get(f"/wbl/employers/{t.employer.pk}/").content.decode()
    assert 'id="letterhead"' in page and 'id="letterhead-edit"' in page and "Set the letterhead" in page
    saved = client.post(url, {"logo": picture(), "details": "Тел.: 0312 000 000", "show_tax_id": "on"})
    assert saved.status_code == 302 and saved["Location"].endswith("#letterhead")
    page = client.get(f"/wbl/employers/{t.employer.pk}/").content.decode()
    assert "Тел.: 0312 000 000" in page and f"/wbl/employers/{t.employer.pk}/letterhead/logo/" in page
    form = client.get(url).content.decode()  # the stored logo links to the page that serves it, not to the storage
    assert f'href="/wbl/employers/{t.employer.pk}/letterhead/logo/">logo' in form and "/media/" not in form
    logo = client.get(f"/wbl/employers/{t.employer.pk}/letterhead/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/png"
    for lang in ("ky", "ru", "kk", "en"):
        sample = client.get(f"/wbl/employers/{t.employer.pk}/letterhead/sample/?format=pdf&lang={lang}")
        assert sample.status_code == 200 and has_image(sample.content) and shows(sample.content, "0312 000 000")
    docx = client.get(f"/wbl/employers/{t.employer.pk}/letterhead/sample/?format=docx&lang=kk")
    assert docx.status_code == 200 and docx["Content-Type"].startswith("application/vnd.openxmlformats")
    # Clearing the logo keeps the lines.
    assert client.post(url, {"logo-clear": "on", "details": "Тел.: 0312 000 000"}).status_code == 302
    assert not EmployerLetterhead.objects.get().logo and not EmployerLetterhead.objects.get().show_tax_id
    assert client.get(f"/wbl/employers/{t.employer.pk}/letterhead/logo/").status_code == 404


def test_a_bad_logo_or_too_many_lines_is_refused_beside_its_field_and_nothing_is_saved(client, login):
    t = college()
    login(t.admin)
    url = f"/wbl/employers/{t.employer.pk}/letterhead/"
    bad = client.post(url, {"logo": SimpleUploadedFile("logo.png", b"GIF89a not a png"), "details": "1\n2\n3\n4\n5"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert "logo" in errors and "details" in errors
    assert "not a readable PNG or JPEG" in bad.content.decode() and "room for 4 lines" in bad.content.decode()
    assert not EmployerLetterhead.objects.exists()


def test_a_mentor_sees_the_letterhead_but_does_not_edit_it_another_institution_gets_404(client, login):
    t = college()
    set_letterhead(t)
    login(f.member(Role.MENTOR, institution=t.institution, employer=t.employer))
    base = f"/wbl/employers/{t.employer.pk}/letterhead/"
    assert client.get(base).status_code == 404
    assert client.get(base + "logo/").status_code == 200
    assert client.get(base + "sample/").status_code == 200
    assert 'id="letterhead-edit"' not in client.get(f"/wbl/employers/{t.employer.pk}/").content.decode()
    login(f.member(Role.INSTITUTION_ADMIN, institution=college().institution))
    for url in (base, base + "logo/", base + "sample/"):
        assert client.get(url).status_code == 404, url


def test_the_page_of_an_own_bases_host_is_not_found(client, login):
    t = college()
    base = bases.save_base(WblBase(institution=t.institution, name="Устакана", kind="workshop"), t.admin)
    login(t.admin)
    assert client.get(f"/wbl/employers/{base.host_id}/letterhead/").status_code == 404
    assert 'id="letterhead"' not in client.get(f"/wbl/employers/{base.host_id}/").content.decode()


# --- The API --------------------------------------------------------------------------------------------------------


def test_the_api_creates_changes_clears_and_prints_the_letterhead():
    t = college()
    api = APIClient()
    api.force_authenticate(t.admin)
    made = api.post(
        "/api/v1/employer-letterheads/",
        {"employer": t.employer.pk, "logo": picture(fmt="JPEG"), "details": "Тел.: 0312 000 000"},
        format="multipart",
    )
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["has_logo"] and body["lines"][-1] == "Тел.: 0312 000 000" and "logo" not in body
    pk = body["id"]
    again = api.post("/api/v1/employer-letterheads/", {"employer": t.employer.pk, "details": "x"}, format="json")
    assert again.status_code == 400 and "employer" in again.json()
    logo = api.get(f"/api/v1/employer-letterheads/{pk}/logo/")
    assert logo.status_code == 200 and logo["Content-Type"] == "image/jpeg"
    sample = api.get(f"/api/v1/employer-letterheads/{pk}/sample/?format=pdf&lang=ky")
    assert sample.status_code == 200 and sample["Content-Type"] == "application/pdf" and has_image(sample.content)
    cleared = api.patch(f"/api/v1/employer-letterheads/{pk}/", {"logo": None}, format="json")
    assert cleared.status_code == 200 and not cleared.json()["has_logo"]
    assert api.delete(f"/api/v1/employer-letterheads/{pk}/").status_code == 204
    assert not EmployerLetterhead.objects.exists()


def test_the_api_refuses_a_bad_logo_and_hides_another_institution():
    t = college()
    api = APIClient()
    api.force_authenticate(t.admin)
    bad = api.post(
        "/api/v1/employer-letterheads/",
        {"employer": t.employer.pk, "logo": picture((20, 20)), "details": "\n".join("123456")},
        format="multipart",
    )
    assert bad.status_code == 400 and {"logo", "details"} <= set(bad.json()) and not EmployerLetterhead.objects.exists()
    pk = set_letterhead(t).pk
    api.force_authenticate(f.member(Role.INSTITUTION_ADMIN, institution=college().institution))
    for url in (f"/api/v1/employer-letterheads/{pk}/", f"/api/v1/employer-letterheads/{pk}/logo/"):
        assert api.get(url).status_code == 404
    assert api.patch(f"/api/v1/employer-letterheads/{pk}/", {"details": "x"}, format="json").status_code == 404
    assert api.get("/api/v1/employer-letterheads/").json()["count"] == 0


# --- Query budgets ----------------------------------------------------------------------------------------------------


def test_the_letterhead_pages_read_a_fixed_number_of_queries(client, login, django_assert_max_num_queries):
    t = college()
    set_letterhead(t)
    login(t.admin)
    base = f"/wbl/employers/{t.employer.pk}/letterhead/"
    for url, budget in ((base, 12), (base + "logo/", 8), (base + "sample/?format=pdf&lang=ru", 12)):
        with django_assert_max_num_queries(budget):
            response = client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize("n", [2, 8])
def test_the_letterheads_api_list_reads_a_fixed_number_of_queries(n, django_assert_max_num_queries):
    t = college()
    for i in range(n):
        employer = f.EmployerFactory(institution=t.institution)
        letterheads.save_letterhead(EmployerLetterhead(employer=employer, details=f"Тел. {i}"), t.admin)
    api = APIClient()
    api.force_authenticate(t.admin)
    with django_assert_max_num_queries(8):
        response = api.get("/api/v1/employer-letterheads/")
    assert response.status_code == 200 and response.json()["count"] == n
