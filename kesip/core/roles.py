"""Roles and what each may do.

A role is held through a Membership in one institution or one authority. Permissions are plain
strings `<action>_<area>`; views and viewsets name the one they need, and the navigation shows
only the pages whose permission the user holds somewhere.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("System administrator")
    AUTHORITY_ANALYST = "authority_analyst", _("Authority analyst")
    ACCREDITATION_EXPERT = "accreditation_expert", _("Accreditation expert")
    INSTITUTION_ADMIN = "institution_admin", _("Institution administrator")
    HEAD = "head", _("Head of institution")
    HEAD_OF_PRACTICE = "head_of_practice", _("Head of practical training")
    TEACHER = "teacher", _("Teacher or master")
    STUDENT = "student", _("Student")
    EMPLOYER_REP = "employer_rep", _("Employer representative")
    MENTOR = "mentor", _("Mentor")
    CAREER_COUNSELLOR = "career_counsellor", _("Career counsellor")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative of a learner")
    VOLUNTEER_CONTACT = "volunteer_contact", _("Volunteer organisation contact")


# Roles held in an authority (ministry, agency, department) rather than an institution.
AUTHORITY_ROLES = {Role.AUTHORITY_ANALYST, Role.ACCREDITATION_EXPERT}
# Outside users: employees of an employer, who see only their own employer's records.
EMPLOYER_ROLES = {Role.EMPLOYER_REP, Role.MENTOR, Role.VOLUNTEER_CONTACT}
# Roles that see, of the WBL areas, only the records of particular learners: their own, or those they represent.
PERSONAL_ROLES = {Role.STUDENT, Role.LEGAL_REPRESENTATIVE}
# Areas where a student sees only the records about themselves (a model names the path to its
# student as `student_path`; a model without one shows a student nothing of these areas).
STUDENT_SELF_AREAS = {"wbl", "diary"}
INSTITUTION_ROLES = set(Role) - AUTHORITY_ROLES - {Role.SYSTEM_ADMIN}

AREAS = ("institution", "staff", "student", "group", "programme", "employer", "member", "journal", "wbl", "diary")

# `list_wbl`: the WBL lists in the navigation (not for students and mentors, who have their own pages).
_REGISTRY_VIEW = {f"view_{a}" for a in AREAS} | {"list_wbl"}
_REGISTRY_CHANGE = {f"change_{a}" for a in AREAS}

PERMISSIONS = {
    Role.SYSTEM_ADMIN: _REGISTRY_VIEW
    | _REGISTRY_CHANGE
    | {
        "view_authority",
        "change_authority",
        "add_institution",
        "approve_programme",
        "review_programme",
        "approve_calendar",
        "sign_order",
        "grade_diary",
    },
    Role.AUTHORITY_ANALYST: _REGISTRY_VIEW - {"view_member", "view_diary"} | {"view_authority"},
    # The expert group: reads programmes submitted by the institutions under its authority and concludes on them.
    Role.ACCREDITATION_EXPERT: {"view_authority", "view_institution", "view_programme", "review_programme"},
    Role.INSTITUTION_ADMIN: _REGISTRY_VIEW | _REGISTRY_CHANGE | {"approve_programme", "approve_calendar"},
    # The head approves programmes and calendar schedules and signs orders (KG WBL п. 10, 29, 41).
    Role.HEAD: _REGISTRY_VIEW | {"approve_programme", "approve_calendar", "sign_order"},
    Role.HEAD_OF_PRACTICE: _REGISTRY_VIEW - {"view_member"}
    | {"change_employer", "change_group", "change_student", "change_journal", "change_wbl", "change_diary"},
    # A teacher keeps the journal of their groups and, as a head of practical training, controls diaries.
    Role.TEACHER: {
        "view_institution",
        "view_group",
        "view_student",
        "view_programme",
        "view_journal",
        "change_journal",
        "view_wbl",
        "list_wbl",
        "view_diary",
        "change_diary",
    },
    # A student reads their own placements, keeps their own diary and, of age, consents to the WBL list.
    Role.STUDENT: {"view_institution", "view_wbl", "view_diary", "change_diary", "consent_wbl"},
    # A minor's legal representative reads the learner's placements and diary and consents to the WBL list
    # (KG WBL п. 56 items 2, 5); the learners are those the institution linked to the representative's account.
    Role.LEGAL_REPRESENTATIVE: {"view_institution", "view_wbl", "view_diary", "consent_wbl"},
    # A volunteer organisation's contact sees the volunteering of its volunteers and uploads the evidence
    # (the volunteer's personal book, the volunteer agreement) for its recognition as practice (п. 31).
    Role.VOLUNTEER_CONTACT: {"view_wbl", "upload_volunteer_evidence"},
    # The employer's representative: its people, workplaces, agreements, placements, orders (its own only).
    Role.EMPLOYER_REP: {"view_employer", "view_wbl", "list_wbl", "change_wbl", "view_diary", "grade_diary"},
    # A mentor sees only their own learners and grades their diaries.
    Role.MENTOR: {"view_employer", "view_wbl", "view_diary", "grade_diary"},
    Role.CAREER_COUNSELLOR: {"view_institution", "view_programme", "view_employer"},
}
