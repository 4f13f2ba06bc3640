import datetime

import factory

from kesip.core.tests.factories import SpecialtyFactory
from kesip.curriculum import models
from kesip.curriculum.models import ComponentGrade, GradingScale, TeachingAssignment  # noqa: F401 (used by conftest)


class QualificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Qualification

    specialty = factory.SubFactory(SpecialtyFactory)
    code = factory.Sequence(lambda n: f"3W{n:08d}")
    kind = "worker"
    name_ru = factory.Sequence(lambda n: f"Квалификация {n}")


class CompetencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Competency

    institution = factory.SelfAttribute("programme.institution")
    code = factory.Sequence(lambda n: f"ПК{n}")
    description = "Выполнять сварку"


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Module

    institution = factory.SelfAttribute("programme.institution")
    kind = "general"
    name_ru = factory.Sequence(lambda n: f"Модуль {n}")


class ComponentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Component

    institution = factory.SelfAttribute("module.institution")
    kind = "subject"
    name_ru = factory.Sequence(lambda n: f"Дисциплина {n}")
    hours = 48


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = models.Lesson

    institution = factory.SelfAttribute("group.institution")
    date = datetime.date(2024, 10, 1)
    topic = "Тема"
