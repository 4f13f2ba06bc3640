"""factory_boy factories with valid national identifiers."""

import datetime
import itertools

import factory

from kesip.core import models
from kesip.core.demo import kg_pin, kz_bin, kz_iin

_serial = itertools.count(10000)


_issued = set()


def national_id_for(institution, sex="M", born=datetime.date(2005, 5, 17)):
    """A valid personal number not issued before in this run (an invalid serial skips to the next one)."""
    while True:
        n = next(_serial)
        number = kg_pin(sex, born, n) if institution.jurisdiction == "KG" else kz_iin(sex, born, n % 9000)
        if number not in _issued:
            _issued.add(number)
            return number


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Authority

    kind = "ministry"
    jurisdiction = "KG"
    name_ru = factory.Sequence(lambda n: f"Министерство {n}")
    name_ky = factory.Sequence(lambda n: f"Министрлик {n}")


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Institution

    authority = factory.SubFactory(AuthorityFactory, jurisdiction=factory.SelfAttribute("..jurisdiction"))
    type = "college"
    jurisdiction = "KG"
    full_name_ru = factory.Sequence(lambda n: f"Колледж №{n}")
    full_name_ky = factory.Sequence(lambda n: f"№{n} колледж")
    full_name_kk = factory.Sequence(lambda n: f"№{n} колледж")
    short_name_ru = factory.Sequence(lambda n: f"Колледж-{n}")


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Specialty

    jurisdiction = "KG"
    code = factory.Sequence(lambda n: f"9{n:03d}")
    level = "primary_vocational"
    name_ru = factory.Sequence(lambda n: f"Специальность {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Programme

    institution = factory.SubFactory(InstitutionFactory)
    specialty = factory.SubFactory(SpecialtyFactory, jurisdiction=factory.SelfAttribute("..institution.jurisdiction"))
    entry_base = "grade9"
    duration_months = 24
    language = "ky"
    name_ru = factory.Sequence(lambda n: f"Программа {n}")


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StaffMember

    institution = factory.SubFactory(InstitutionFactory)
    last_name = factory.Sequence(lambda n: f"Асанов{n}")
    first_name = "Бакыт"
    national_id = factory.LazyAttribute(lambda o: national_id_for(o.institution))
    position = "Мугалим"
    category = "teacher"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.StudyGroup

    institution = factory.SubFactory(InstitutionFactory)
    programme = factory.SubFactory(ProgrammeFactory, institution=factory.SelfAttribute("..institution"))
    name = factory.Sequence(lambda n: f"ГР-{n}")
    intake_year = 2024
    language = "ky"


class StudentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Student

    institution = factory.SubFactory(InstitutionFactory)
    last_name = factory.Sequence(lambda n: f"Маматов{n}")
    first_name = "Азамат"
    national_id = factory.LazyAttribute(lambda o: national_id_for(o.institution))
    group = factory.SubFactory(GroupFactory, institution=factory.SelfAttribute("..institution"))


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Employer

    institution = factory.SubFactory(InstitutionFactory)
    name = factory.Sequence(lambda n: f"ОсОО «Ишкана {n}»")
    kind = "enterprise"
    sector = "construction"
    tax_id = factory.LazyAttribute(
        lambda o: (
            f"0{next(_serial):013d}" if o.institution.jurisdiction == "KG" else kz_bin(datetime.date(2015, 3, 1), next(_serial))
        )
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Тест"
    last_name = factory.Sequence(lambda n: f"Колдонуучу{n}")
    password = factory.PostGenerationMethodCall("set_password", "Kesip-test-2026")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(role, institution=None, authority=None, employer=None, **user_kwargs):
    user = UserFactory(**user_kwargs)
    models.Membership.objects.create(user=user, role=role, institution=institution, authority=authority, employer=employer)
    return user
