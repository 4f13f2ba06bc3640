"""WBL models, one module per concern: employers, agreements, programmes, placements, diary, orders, reports."""

from kesip.wbl.models.agreements import (
    Agreement,
    AgreementAmendment,
    AgreementRosterEntry,
    AgreementSignature,
    PracticeType,
    WblForm,
)
from kesip.wbl.models.diary import DiaryEntry
from kesip.wbl.models.employers import EmployerBriefing, EmployerLetterhead, EmployerPerson, LocalDocument, Workplace
from kesip.wbl.models.engagement import Decision, Incentive, MentorRequest, PartTimeJob
from kesip.wbl.models.events import EventAttendance, EventJuror, WblEvent
from kesip.wbl.models.orders import NumberRegister, Order, OrderLine
from kesip.wbl.models.outcomes import GraduateEmployment, TrainingNeed, UpgradingEnrolment, UpgradingProgramme
from kesip.wbl.models.partnership import EmployerEvaluation, EmployerNeed, SupportMeasure, WblBase
from kesip.wbl.models.placements import (
    Assessment,
    Briefing,
    Certificate,
    CompetencyResult,
    InternshipSite,
    MonitoringVisit,
    Placement,
    VolunteerRecognition,
)
from kesip.wbl.models.programmes import AssessmentMethod, ContentRow, LoadRow, RubricItem, WblProgramme
from kesip.wbl.models.reports import AnnualReport, ImprovementMeasure, ReportAgreement, StakeholderNotice
from kesip.wbl.models.settings import WblSettings

__all__ = [
    "SupportMeasure",
    "EmployerBriefing",
    "EmployerLetterhead",
    "EmployerEvaluation",
    "EmployerNeed",
    "WblBase",
    "Decision",
    "Incentive",
    "MentorRequest",
    "PartTimeJob",
    "EventAttendance",
    "EventJuror",
    "WblEvent",
    "GraduateEmployment",
    "TrainingNeed",
    "UpgradingEnrolment",
    "UpgradingProgramme",
    "Agreement",
    "AgreementAmendment",
    "AgreementRosterEntry",
    "AgreementSignature",
    "AnnualReport",
    "Assessment",
    "AssessmentMethod",
    "Briefing",
    "Certificate",
    "CompetencyResult",
    "ContentRow",
    "DiaryEntry",
    "EmployerPerson",
    "InternshipSite",
    "LoadRow",
    "LocalDocument",
    "MonitoringVisit",
    "NumberRegister",
    "Order",
    "OrderLine",
    "Placement",
    "PracticeType",
    "ReportAgreement",
    "ImprovementMeasure",
    "StakeholderNotice",
    "RubricItem",
    "VolunteerRecognition",
    "WblForm",
    "WblProgramme",
    "WblSettings",
    "Workplace",
]
