"""National identifiers of people and organisations in Kyrgyzstan and Kazakhstan.

KG personal number (ПИН / ЖСН): 14 digits — sex (1 female, 2 male), date of birth as DDMMYYYY,
then a 5-digit serial. KG INN: 14 digits; a person's INN is the personal number, an
organisation's starts with 0.
KZ ИИН: 12 digits — YYMMDD, a century-and-sex digit (1–6), a 4-digit serial and a check digit.
KZ БИН: 12 digits — YYMM of registration, a type digit (4 resident legal entity, 5 non-resident,
6 individual entrepreneur in a joint venture), an attribute digit, a 5-digit serial and a check
digit computed like the ИИН's.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _


def _digits(value, length, message):
    value = (value or "").strip()
    if len(value) != length or not value.isdigit():
        raise ValidationError(message, code="format")
    return value


def kz_check_digit(first11):
    """The check digit of a KZ ИИН/БИН, or None when the number cannot have one."""
    digits = [int(c) for c in first11]
    total = sum(d * w for d, w in zip(digits, range(1, 12))) % 11
    if total == 10:
        total = sum(d * w for d, w in zip(digits, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11
        if total == 10:
            return None
    return total


def parse_kg_pin(value):
    """(birth date, sex) of a valid KG personal number; raises ValidationError otherwise."""
    value = _digits(value, 14, _("A Kyrgyz personal number (PIN) has exactly 14 digits."))
    if value[0] not in "12":
        raise ValidationError(_("A Kyrgyz personal number starts with 1 (female) or 2 (male)."), code="sex")
    try:
        born = datetime.date(int(value[5:9]), int(value[3:5]), int(value[1:3]))
    except ValueError:
        raise ValidationError(
            _("Digits 2–9 of a Kyrgyz personal number are the date of birth (DDMMYYYY); %(date)s is not a date."),
            code="date",
            params={"date": value[1:9]},
        ) from None
    if born.year < 1900 or born > datetime.date.today():
        raise ValidationError(_("The date of birth in the personal number is out of range."), code="date")
    return born, ("F" if value[0] == "1" else "M")


def parse_kz_iin(value):
    """(birth date, sex) of a valid KZ ИИН; raises ValidationError otherwise."""
    value = _digits(value, 12, _("A Kazakh IIN has exactly 12 digits."))
    century_sex = value[6]
    if century_sex not in "123456":
        raise ValidationError(_("Digit 7 of an IIN gives the century and sex and must be 1 to 6."), code="sex")
    century = {"1": 1800, "2": 1800, "3": 1900, "4": 1900, "5": 2000, "6": 2000}[century_sex]
    try:
        born = datetime.date(century + int(value[0:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise ValidationError(
            _("The first 6 digits of an IIN are the date of birth (YYMMDD); %(date)s is not a date."),
            code="date",
            params={"date": value[0:6]},
        ) from None
    if kz_check_digit(value[:11]) != int(value[11]):
        raise ValidationError(_("The IIN's check digit is wrong: the number is mistyped."), code="checksum")
    return born, ("M" if century_sex in "135" else "F")


def validate_kg_pin(value):
    parse_kg_pin(value)


def validate_kz_iin(value):
    parse_kz_iin(value)


def validate_kg_inn(value):
    value = _digits(value, 14, _("A Kyrgyz INN has exactly 14 digits."))
    if value[0] in "12":
        parse_kg_pin(value)
    elif value[0] != "0":
        raise ValidationError(_("A Kyrgyz INN starts with 0 (organisation) or 1 or 2 (person)."), code="format")


def validate_kz_bin(value):
    value = _digits(value, 12, _("A Kazakh BIN has exactly 12 digits."))
    month = int(value[2:4])
    if not 1 <= month <= 12:
        raise ValidationError(_("Digits 3–4 of a BIN are the month of registration."), code="date")
    if value[4] not in "456":
        raise ValidationError(_("Digit 5 of a BIN is the entity type and must be 4, 5 or 6."), code="format")
    if kz_check_digit(value[:11]) != int(value[11]):
        raise ValidationError(_("The BIN's check digit is wrong: the number is mistyped."), code="checksum")


def validate_person_id(jurisdiction, value, birth_date=None, sex=None):
    """Validate a personal number for the jurisdiction and check it against birth date and sex."""
    parser = parse_kg_pin if jurisdiction == "KG" else parse_kz_iin
    born, id_sex = parser(value)
    errors = {}
    if birth_date and birth_date != born:
        errors["birth_date"] = ValidationError(
            _("The date of birth does not match the personal number (%(date)s)."),
            params={"date": born.strftime("%d.%m.%Y")},
            code="mismatch",
        )
    if sex and sex != id_sex:
        errors["sex"] = ValidationError(_("The sex does not match the personal number."), code="mismatch")
    if errors:
        raise ValidationError(errors)
    return born, id_sex


def validate_org_id(jurisdiction, value):
    (validate_kg_inn if jurisdiction == "KG" else validate_kz_bin)(value)


def make_kz_number(first11):
    """Complete 11 digits into a valid ИИН/БИН (used by demo data and tests), or None."""
    check = kz_check_digit(first11)
    return None if check is None else f"{first11}{check}"
