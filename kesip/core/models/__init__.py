"""Core models: tenancy, registries and the rulebook."""

from kesip.core.models.base import LANGUAGE_CODES, InstitutionScoped, LocalizedName, ScopedQuerySet, localized
from kesip.core.models.registries import (
    Employer,
    InstructionLanguage,
    Programme,
    Sex,
    Specialty,
    StaffMember,
    Student,
    StudentRepresentative,
    StudyGroup,
)
from kesip.core.models.rulebook import LegalDocument, Rule
from kesip.core.models.tenancy import Authority, Institution, Invitation, Jurisdiction, Licence, Membership, User

__all__ = [
    "LANGUAGE_CODES",
    "Authority",
    "Employer",
    "Institution",
    "InstitutionScoped",
    "InstructionLanguage",
    "Invitation",
    "Jurisdiction",
    "LegalDocument",
    "Licence",
    "LocalizedName",
    "Membership",
    "Programme",
    "Rule",
    "ScopedQuerySet",
    "Sex",
    "Specialty",
    "StaffMember",
    "Student",
    "StudentRepresentative",
    "StudyGroup",
    "User",
    "localized",
]
