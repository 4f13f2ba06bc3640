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
from kesip.wbl.models.employers import EmployerPerson, LocalDocument, Workplace
from kesip.wbl.models.orders import NumberRegister, Order, OrderLine
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
from kesip.wbl.models.reports import AnnualReport, ReportAgreement
from kesip.wbl.models.settings import WblSettings

__all__ = [
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
    "RubricItem",
    "VolunteerRecognition",
    "WblForm",
    "WblProgramme",
    "WblSettings",
    "Workplace",
]
