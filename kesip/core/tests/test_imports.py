"""Import of staff, students and employers: preview every error, then all or nothing."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from kesip.core.demo import kg_pin
from kesip.core.models import Employer, StaffMember, Student

pytestmark = pytest.mark.django_db

HEADER = "last_name;first_name;national_id;position;category\n"


def csv_file(text, name="staff.csv", encoding="utf-8"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client, url, file, institution):
    return client.post(url, {"file": file, "institution": institution.pk})


def test_preview_lists_every_row_error_and_writes_nothing(client, world, login):
    login(world.a.admin)
    good = kg_pin("M", datetime.date(1985, 1, 5), 1)
    text = HEADER + (
        f"Асанов;Бакыт;{good};Мугалим;teacher\n"
        f"Осмонова;Айнура;123;Мугалим;teacher\n"  # row 3: bad PIN
        f";Нурлан;{kg_pin('M', datetime.date(1980, 2, 2), 2)};Устат;master\n"  # row 4: no last name
        f"Ташиев;Эркин;{good};Мугалим;teacher\n"  # row 5: repeats row 2
        f"Алиев;Улан;{world.a.staff.national_id};Мугалим;boss\n"  # row 6: exists + bad category
    )
    before = StaffMember.objects.count()
    response = upload(client, "/staff/import/", csv_file(text), world.a.institution)
    assert response.status_code == 200
    errors = {(r.number, col) for r in response.context["results"] for col, _ in r.errors}
    assert (3, "national_id") in errors and (4, "last_name") in errors and (5, "national_id") in errors
    assert (6, "category") in errors and (6, "national_id") in errors or (6, "") in errors
    assert (2, "national_id") not in errors
    body = response.content.decode()
    assert "exactly 14 digits" in body and "Repeats row 2" in body and "Nothing was imported" in body
    assert response.context["ok"] is False or not response.context["ok"]
    assert StaffMember.objects.count() == before


def test_valid_xlsx_imports_all_rows_in_one_go(client, world, login):
    login(world.a.admin)
    wb = Workbook()
    ws = wb.active
    ws.append(["Last name", "First name", "Personal number", "date of birth", "Position", "Category", "Employment"])
    for i in range(5):
        born = datetime.date(1980 + i, 3, 4)
        ws.append([f"Мамытов{i}", "Жоробек", kg_pin("M", born, 70 + i), born, "Мугалим", "Teacher", "full_time"])
    buf = io.BytesIO()
    wb.save(buf)
    file = SimpleUploadedFile("staff.xlsx", buf.getvalue())
    response = upload(client, "/staff/import/", file, world.a.institution)
    assert response.status_code == 200 and response.context["ok"], [r.errors for r in response.context["results"]]
    token = response.context["token"]
    assert StaffMember.objects.filter(last_name__startswith="Мамытов").count() == 0
    response = client.post("/staff/import/", {"token": token})
    assert response.status_code == 302
    imported = StaffMember.objects.filter(last_name__startswith="Мамытов", institution=world.a.institution)
    assert imported.count() == 5 and all(s.is_active and s.category == "teacher" for s in imported)
    assert imported.get(last_name="Мамытов0").birth_date == datetime.date(1980, 3, 4)
    assert client.post("/staff/import/", {"token": token}).status_code == 302  # expired: nothing twice
    assert StaffMember.objects.filter(last_name__startswith="Мамытов").count() == 5


def test_confirm_revalidates_and_writes_nothing_if_data_changed(client, world, login):
    login(world.a.admin)
    pin = kg_pin("F", datetime.date(1990, 9, 9), 5)
    response = upload(
        client, "/staff/import/", csv_file(HEADER + f"Бообекова;Бермет;{pin};Мугалим;teacher\n"), world.a.institution
    )
    token = response.context["token"]
    from kesip.core.tests.factories import StaffFactory

    StaffFactory(institution=world.a.institution, national_id=pin)
    response = client.post("/staff/import/", {"token": token})
    assert response.status_code == 400
    assert StaffMember.objects.filter(national_id=pin).count() == 1


def test_students_import_resolves_groups_by_name(client, world, login):
    login(world.a.admin)
    text = (
        "last_name,first_name,national_id,group\n"
        f"Токтосунов,Нурбек,{kg_pin('M', datetime.date(2008, 4, 6), 9)},{world.a.group.name}\n"
        f"Сыдыков,Тилек,{kg_pin('M', datetime.date(2008, 8, 6), 10)},{world.b.group.name}\n"
    )
    response = upload(client, "/students/import/", csv_file(text, "students.csv"), world.a.institution)
    results = response.context["results"]
    assert not results[0].errors
    assert results[1].errors and results[1].errors[0][0] == "group"
    assert not Student.objects.filter(last_name="Токтосунов").exists()


def test_employers_import_windows_1251_csv(client, world, login):
    login(world.a.admin)
    text = "name;kind;sector;tax_id\nОсОО «Курулуш»;enterprise;construction;02305201910014\n"
    response = upload(client, "/employers/import/", csv_file(text, "e.csv", encoding="cp1251"), world.a.institution)
    assert response.context["ok"]
    client.post("/employers/import/", {"token": response.context["token"]})
    assert Employer.objects.filter(name="ОсОО «Курулуш»", institution=world.a.institution).exists()


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("staff.pdf", b"%PDF-1.4", "Upload a .csv or .xlsx file"),
        ("staff.xlsx", b"PK\x03\x04 broken", "not a readable XLSX"),
        ("staff.csv", b"", "empty"),
        ("staff.csv", b"\n;;\n", "The file is empty"),
        ("staff.csv", "last_name;first_name\nф;ф\n".encode("utf-16"), "not in UTF-8 or Windows-1251"),
    ],
)
def test_malformed_files_get_a_clear_error(client, world, login, name, content, message):
    login(world.a.admin)
    response = upload(client, "/staff/import/", SimpleUploadedFile(name, content), world.a.institution)
    assert response.status_code == 400
    assert message in str(response.context["form"].errors["file"])


def test_unknown_columns_block_the_import(client, world, login):
    login(world.a.admin)
    response = upload(client, "/staff/import/", csv_file("фамилия;salary\nx;1\n"), world.a.institution)
    assert "Unknown columns" in response.content.decode() and not response.context["ok"]


def test_import_into_another_institution_is_refused(client, world, login):
    login(world.a.admin)
    response = upload(client, "/staff/import/", csv_file(HEADER), world.b.institution)
    assert response.status_code == 400 and "institution" in response.context["form"].errors


def test_template_download_lists_the_columns(client, world, login):
    login(world.a.admin)
    response = client.get("/students/import/?template=1")
    ws = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["last_name", "first_name", "patronymic", "national_id"] and "group" in header
