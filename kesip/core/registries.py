"""The registries Kesip's generic pages serve, declared once: columns, search, filters, import."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kesip.core.forms import (
    AuthorityForm,
    EmployerForm,
    InstitutionForm,
    ProgrammeForm,
    SpecialtyForm,
    StaffForm,
    StudentForm,
    StudyGroupForm,
)
from kesip.core.imports import Importer
from kesip.core.models import (
    Authority,
    Employer,
    Institution,
    Membership,
    Programme,
    Specialty,
    StaffMember,
    Student,
    StudyGroup,
)
from kesip.core.views.generic import Column, Registry


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "is_active"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].disabled = True


AUTHORITIES = Registry(
    key="authorities",
    model=Authority,
    form_class=AuthorityForm,
    icon="bank",
    columns=[
        Column(_("Name"), "name", sort="name_ru", link=True),
        Column(_("Kind"), "get_kind_display", sort="kind"),
        Column(_("Jurisdiction"), "jurisdiction", sort="jurisdiction"),
        Column(_("Parent"), "parent"),
    ],
    search_fields=["name_ky", "name_ru", "name_kk", "name_en"],
    filters=["kind", "jurisdiction"],
    select_related=["parent"],
)

INSTITUTIONS = Registry(
    key="institutions",
    model=Institution,
    form_class=InstitutionForm,
    icon="building",
    add_perm="add_institution",
    columns=[
        Column(_("Short name"), "short_name", sort="short_name_ru", link=True),
        Column(_("Type"), "get_type_display", sort="type"),
        Column(_("Jurisdiction"), "jurisdiction", sort="jurisdiction"),
        Column(_("Authority"), "authority"),
        Column(_("Legal address"), "legal_address"),
    ],
    search_fields=[
        "full_name_ky",
        "full_name_ru",
        "full_name_kk",
        "full_name_en",
        "short_name_ru",
        "short_name_ky",
        "short_name_kk",
        "inn",
        "bin",
    ],
    filters=["type", "jurisdiction"],
    select_related=["authority"],
)

SPECIALTIES = Registry(
    key="specialties",
    model=Specialty,
    form_class=SpecialtyForm,
    icon="diagram-3",
    add_perm="change_authority",
    columns=[
        Column(_("Code"), "code", sort="code", link=True),
        Column(_("Name"), "name", sort="name_ru"),
        Column(_("Level"), "get_level_display", sort="level"),
        Column(_("Jurisdiction"), "jurisdiction", sort="jurisdiction"),
        Column(_("In force"), "is_active"),
    ],
    search_fields=["code", "name_ky", "name_ru", "name_kk", "name_en"],
    filters=["jurisdiction", "level", "is_active"],
)

PROGRAMMES = Registry(
    key="programmes",
    model=Programme,
    form_class=ProgrammeForm,
    icon="journal-bookmark",
    columns=[
        Column(_("Code"), "specialty.code", sort="specialty__code"),
        Column(_("Programme"), "name", sort="name_ru", link=True),
        Column(_("Entry base"), "get_entry_base_display", sort="entry_base"),
        Column(_("Months"), "duration_months", sort="duration_months"),
        Column(_("Hours"), "total_hours", sort="total_hours"),
        Column(_("Credits"), "total_credits", sort="total_credits"),
        Column(_("Status"), "get_status_display", sort="status"),
        Column(_("Institution"), "institution"),
    ],
    search_fields=["name_ky", "name_ru", "name_kk", "name_en", "specialty__code"],
    filters=["status", "entry_base", "study_form", "is_active"],
    select_related=["specialty", "institution"],
    detail_route="curriculum:programme",
)

GROUPS = Registry(
    key="groups",
    model=StudyGroup,
    form_class=StudyGroupForm,
    icon="people",
    columns=[
        Column(_("Group"), "name", sort="name", link=True),
        Column(_("Programme"), "programme", sort="programme__name_ru"),
        Column(_("Intake"), "intake_year", sort="intake_year"),
        Column(_("Year"), "year_of_study", sort="year_of_study"),
        Column(_("Language"), "get_language_display", sort="language"),
        Column(_("Curator"), "curator"),
        Column(_("Institution"), "institution"),
    ],
    search_fields=["name"],
    filters=["programme", "language", "is_active"],
    select_related=["programme__specialty", "curator", "institution"],
    page_link=("curriculum:group", _("Students of the group"), "people"),
    links=(("curriculum:group_calendars", _("Calendar schedules"), "calendar3"),),
)

STAFF = Registry(
    key="staff",
    model=StaffMember,
    form_class=StaffForm,
    icon="person-badge",
    columns=[
        Column(_("Name"), "__str__", sort="last_name", link=True),
        Column(_("Position"), "position", sort="position"),
        Column(_("Category"), "get_category_display", sort="category"),
        Column(_("Employment"), "get_employment_display", sort="employment"),
        Column(_("Personal number"), "national_id"),
        Column(_("Institution"), "institution"),
    ],
    search_fields=["last_name", "first_name", "patronymic", "national_id", "position"],
    filters=["category", "employment", "is_active"],
    select_related=["institution"],
    links=(("wbl:staff_upgrading", _("Training needs and qualification upgrading"), "mortarboard"),),
    importer=Importer(
        fields=[
            *StaffMember.PERSON_FIELDS,
            "position",
            "category",
            "employment",
            "education",
            "hired_on",
        ],
        unique_keys=["national_id"],
    ),
)

STUDENTS = Registry(
    key="students",
    model=Student,
    form_class=StudentForm,
    icon="mortarboard",
    columns=[
        Column(_("Name"), "__str__", sort="last_name", link=True),
        Column(_("Group"), "group", sort="group__name"),
        Column(_("Status"), "get_status_display", sort="status"),
        Column(_("Funding"), "get_funding_display", sort="funding"),
        Column(_("Personal number"), "national_id"),
        Column(_("Institution"), "institution"),
    ],
    search_fields=["last_name", "first_name", "patronymic", "national_id", "student_number"],
    filters=["group", "status", "funding"],
    select_related=["group", "institution"],
    page_link=("curriculum:student", _("Movements, individual curriculum, remote study"), "person-lines-fill"),
    links=(("wbl:student_representatives", _("Legal representatives"), "people"),),
    importer=Importer(
        fields=[
            *StaffMember.PERSON_FIELDS,
            "student_number",
            "group",
            "status",
            "funding",
            "enrolled_on",
        ],
        unique_keys=["national_id", "student_number"],
        lookups={"group": "name"},
    ),
)

EMPLOYERS = Registry(
    key="employers",
    model=Employer,
    form_class=EmployerForm,
    icon="briefcase",
    columns=[
        Column(_("Name"), "name", sort="name", link=True),
        Column(_("Kind"), "get_kind_display", sort="kind"),
        Column(_("Sector"), "get_sector_display", sort="sector"),
        Column(_("Size"), "get_size_display", sort="size"),
        Column(_("INN / BIN"), "tax_id"),
        Column(_("Contact person"), "contact_person"),
        Column(_("Phone"), "phone"),
        Column(_("Institution"), "institution"),
    ],
    search_fields=["name", "tax_id", "contact_person", "address"],
    filters=["kind", "sector", "size", "is_active"],
    select_related=["institution"],
    exclude={"kind": Employer.Kind.OWN_BASE},
    links=(("wbl:employer_detail", _("Work-based learning: people, workplaces, agreements"), "tools"),),
    importer=Importer(
        fields=Employer.PARTNER_FIELDS,
        unique_keys=["tax_id"],
    ),
)

MEMBERS = Registry(
    key="members",
    model=Membership,
    form_class=MembershipForm,
    icon="person-gear",
    addable=False,
    columns=[
        Column(_("User"), "user.display_name", sort="user__last_name", link=True),
        Column(_("Login"), "user.username", sort="user__username"),
        Column(_("Role"), "get_role_display", sort="role"),
        Column(_("Employer"), "employer"),
        Column(_("Active"), "is_active"),
        Column(_("Institution"), "institution"),
    ],
    search_fields=["user__last_name", "user__first_name", "user__username", "user__email"],
    filters=["role", "is_active"],
    select_related=["user", "institution", "employer"],
)

ALL = [AUTHORITIES, INSTITUTIONS, SPECIALTIES, PROGRAMMES, GROUPS, STAFF, STUDENTS, EMPLOYERS, MEMBERS]
BY_KEY = {r.key: r for r in ALL}
