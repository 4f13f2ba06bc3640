"""Curriculum models, one module per concern: design, calendar, students, journal, grades."""

from kesip.curriculum.models.calendar import CalendarPeriod, CalendarSchedule
from kesip.curriculum.models.design import (
    Competency,
    Component,
    CurriculumEntry,
    Module,
    Qualification,
    WorkingCurriculum,
)
from kesip.curriculum.models.grades import (
    AwardedQualification,
    ComponentGrade,
    ExamResult,
    GradeBand,
    GradingScale,
    QualificationExam,
)
from kesip.curriculum.models.journal import Lesson, Mark, TeachingAssignment
from kesip.curriculum.models.students import DistanceExemption, IndividualCurriculum, IndividualEntry, Movement

__all__ = [
    "AwardedQualification",
    "CalendarPeriod",
    "CalendarSchedule",
    "Competency",
    "Component",
    "ComponentGrade",
    "CurriculumEntry",
    "DistanceExemption",
    "ExamResult",
    "GradeBand",
    "GradingScale",
    "IndividualCurriculum",
    "IndividualEntry",
    "Lesson",
    "Mark",
    "Module",
    "Movement",
    "Qualification",
    "QualificationExam",
    "TeachingAssignment",
    "WorkingCurriculum",
]
