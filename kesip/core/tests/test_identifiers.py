"""National identifiers: structure, dates, sex and check digits."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from kesip.core import identifiers as ids
from kesip.core.demo import kg_pin, kz_bin, kz_iin


def test_kg_pin_gives_birth_date_and_sex():
    assert ids.parse_kg_pin("22005200840112") == (datetime.date(2008, 5, 20), "M")
    assert ids.parse_kg_pin("11210200840109") == (datetime.date(2008, 10, 12), "F")


@pytest.mark.parametrize(
    "value, fragment",
    [
        ("2200520084011", "exactly 14 digits"),
        ("220052008401123", "exactly 14 digits"),
        ("2200520084011a", "exactly 14 digits"),
        ("32005200840112", "starts with 1 (female) or 2 (male)"),
        ("23102200840112", "is not a date"),  # 31.02.2008
        ("20101210040112", "out of range"),  # born in 2100
    ],
)
def test_kg_pin_refusals_say_what_is_wrong(value, fragment):
    with pytest.raises(ValidationError) as exc:
        ids.validate_kg_pin(value)
    assert fragment in exc.value.messages[0]


def test_kz_iin_check_digit():
    iin = kz_iin("M", datetime.date(2005, 3, 14), 1234)
    born, sex = ids.parse_kz_iin(iin)
    assert born == datetime.date(2005, 3, 14) and sex == "M"
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    with pytest.raises(ValidationError, match="check digit"):
        ids.validate_kz_iin(wrong)


def test_kz_iin_second_weight_sequence():
    # 11 digits whose first weighted sum is 10 mod 11 use the second weight sequence.
    first11 = next(
        f"{n:011d}"
        for n in range(50000101000, 50000101000 + 5000)
        if sum(int(c) * w for c, w in zip(f"{n:011d}", range(1, 12))) % 11 == 10 and ids.kz_check_digit(f"{n:011d}") is not None
    )
    check = ids.kz_check_digit(first11)
    assert check == sum(int(c) * w for c, w in zip(first11, [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2])) % 11


def test_kz_iin_century_digit_range():
    with pytest.raises(ValidationError, match="century"):
        ids.validate_kz_iin("050314" + "7" + "12345")


def test_kz_bin_type_digit_and_check():
    bin_ = kz_bin(datetime.date(2012, 5, 1), 777)
    ids.validate_kz_bin(bin_)
    with pytest.raises(ValidationError, match="entity type"):
        ids.validate_kz_bin(bin_[:4] + "9" + bin_[5:])
    with pytest.raises(ValidationError, match="month"):
        ids.validate_kz_bin("1213" + bin_[4:])


def test_kg_inn_organisation_and_person():
    ids.validate_kg_inn("00307199510011")  # Lyceum No. 8 (accreditation report §6.4)
    ids.validate_kg_inn("22005200840112")  # a person's INN is the personal number
    with pytest.raises(ValidationError, match="starts with 0"):
        ids.validate_kg_inn("50307199510011")


def test_person_id_must_match_given_birth_date_and_sex():
    pin = kg_pin("F", datetime.date(2007, 1, 2), 1)
    with pytest.raises(ValidationError) as exc:
        ids.validate_person_id("KG", pin, birth_date=datetime.date(2007, 1, 3), sex="M")
    assert set(exc.value.message_dict) == {"birth_date", "sex"}


@given(
    st.dates(min_value=datetime.date(1901, 1, 1), max_value=datetime.date(2024, 12, 31)),
    st.sampled_from(["M", "F"]),
    st.integers(0, 9000),
)
def test_generated_iins_validate_and_a_mistyped_check_digit_is_caught(born, sex, serial):
    iin = kz_iin(sex, born, serial)
    assert ids.parse_kz_iin(iin) == (born, sex)
    typo = iin[:11] + str((int(iin[11]) + 1) % 10)
    with pytest.raises(ValidationError):
        ids.validate_kz_iin(typo)
