"""Forms of the core registries. Choices of related records are limited to what the user may change."""

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesip.core import access
from kesip.core.models import (
    Authority,
    Employer,
    Institution,
    Invitation,
    Licence,
    Programme,
    Specialty,
    StaffMember,
    Student,
    StudyGroup,
    User,
)
from kesip.core.roles import AUTHORITY_ROLES, EMPLOYER_ROLES, Role

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StoredFileInput(forms.ClearableFileInput):
    """A file input that names the file already stored and links it to the page that serves it to those allowed
    (`link`), never to the media storage, which Kesip does not serve to anyone."""

    template_name = "core/widgets/stored_file_input.html"

    def __init__(self, attrs=None, link=""):
        super().__init__(attrs)
        self.link = link

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["link"] = self.link
        context["widget"]["file_name"] = str(value.name).rsplit("/", 1)[-1] if value and hasattr(value, "name") else ""
        return context


class ScopedModelForm(forms.ModelForm):
    """A form for an institution's record.

    The `institution` field lists only institutions where the user may change this kind of
    record; with one such institution it is fixed and hidden. Related-record fields named in
    `scoped_fields` list only records of the chosen institution(s).
    """

    scoped_fields = ()

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        for f in self.fields.values():
            if isinstance(f.widget, forms.DateInput):
                f.widget = DATE
        scope = access.scope_for(user, self._meta.model, "change")
        institutions = Institution.objects.all() if scope.everything else Institution.objects.filter(pk__in=scope.institution_ids)
        if "institution" in self.fields:
            if self.instance.pk:
                del self.fields["institution"]
            else:
                self.fields["institution"].queryset = institutions
                only = list(institutions[:2])
                if len(only) == 1:
                    self.initial["institution"] = only[0].pk
                    self.fields["institution"].widget = forms.HiddenInput()
        inst_ids = [self.instance.institution_id] if self.instance.pk else None
        for name in self.scoped_fields:
            field = self.fields.get(name)
            if field is None:
                continue
            qs = field.queryset.model.objects.for_user(user, "view")
            if name == "co_developers":
                qs = qs.partners()  # a programme is co-developed with partners, not with the institution's own base
            if inst_ids:
                qs = qs.filter(institution_id__in=inst_ids)
            field.queryset = qs

    def _get_validation_exclusions(self):
        # The institution is fixed on edit and so not a form field, but uniqueness per
        # institution (e.g. of a personal number) must still be checked before saving.
        exclude = super()._get_validation_exclusions()
        exclude.discard("institution")
        return exclude


def add_violation(form, violation):
    """Show a RuleViolation beside its field (or on top), naming the legal source."""
    from django.utils.translation import gettext

    message = f"{violation.message} ({gettext('source')}: {violation.source})" if violation.source else violation.message
    field = violation.field if violation.field in form.fields else None
    form.add_error(field, message)


class AuthorityForm(forms.ModelForm):
    class Meta:
        model = Authority
        fields = ["name_ky", "name_ru", "name_kk", "name_en", "kind", "jurisdiction", "parent", "website"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["parent"].queryset = Authority.objects.exclude(pk__in=Authority.subtree_ids({self.instance.pk}))


class InstitutionForm(forms.ModelForm):
    class Meta:
        model = Institution
        fields = Institution.PASSPORT_FIELDS

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not access.is_system_admin(user):
            # Only a system admin moves an institution between authorities or countries, or out of WBL's scope (п. 1).
            for name in ("authority", "jurisdiction", "military_state_body"):
                self.fields[name].disabled = True


class LicenceForm(forms.ModelForm):
    class Meta:
        model = Licence
        fields = ["number", "issued_on", "issuing_order", "issued_by", "valid_until", "scope"]
        widgets = {"issued_on": DATE, "valid_until": DATE}

    def __init__(self, *args, user=None, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        if institution is not None:
            self.instance.institution = institution

    def validate_unique(self):
        # `institution` is not a form field, so check the (institution, number) pair here.
        super().validate_unique()
        qs = Licence.objects.filter(institution_id=self.instance.institution_id, number=self.cleaned_data.get("number"))
        if self.instance.pk:
            qs = qs.exclude(pk=self.instance.pk)
        if qs.exists():
            self.add_error("number", _("This institution already has a licence with this number."))


class SpecialtyForm(forms.ModelForm):
    class Meta:
        model = Specialty
        fields = ["jurisdiction", "code", "name_ky", "name_ru", "name_kk", "name_en", "level", "direction", "is_military",
                  "reduced_general_education", "is_pedagogical", "is_medical", "is_active", "valid_until",
                  "removal_basis"]  # fmt: skip
        widgets = {"valid_until": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class ProgrammeForm(ScopedModelForm):
    scoped_fields = ("co_developers",)

    class Meta:
        model = Programme
        fields = [
            "institution",
            "specialty",
            "name_ky",
            "name_ru",
            "name_kk",
            "name_en",
            "qualifications",
            "entry_base",
            "study_form",
            "duration_months",
            "total_hours",
            "total_credits",
            "language",
            "standard",
            "professional_standard",
            "worldskills_standard",
            "co_developers",
            "is_active",
        ]
        widgets = {
            "qualifications": forms.SelectMultiple(attrs={"size": 6}),
            "co_developers": forms.SelectMultiple(attrs={"size": 6}),
        }

    def clean(self):
        data = super().clean()
        if not self.errors:
            for name in ("institution", "specialty"):
                if name in data:
                    setattr(self.instance, name, data[name])
            try:
                self.instance.clean_related(data.get("qualifications"), data.get("co_developers"))
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    for m in messages:
                        self.add_error(field, m)
        return data

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Active specialties of the classifier of the country (or countries) the user works in.
        if self.instance.pk:
            countries = {self.instance.institution.jurisdiction}
        else:
            countries = set(self.fields["institution"].queryset.values_list("jurisdiction", flat=True).distinct())
        self.fields["specialty"].queryset = Specialty.objects.filter(jurisdiction__in=countries).filter(
            Q(is_active=True) | Q(pk=self.instance.specialty_id or 0)
        )
        # Qualifications in force, plus those the programme already has (a cohort keeps a removed one).
        chosen = list(self.instance.qualifications.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["qualifications"].queryset = (
            self.fields["qualifications"]
            .queryset.filter(specialty__jurisdiction__in=countries)
            .filter(Q(is_active=True) | Q(pk__in=chosen))
            .select_related("specialty")
        )


class StaffForm(ScopedModelForm):
    class Meta:
        model = StaffMember
        fields = [
            "institution",
            *StaffMember.PERSON_FIELDS,
            "position",
            "category",
            "employment",
            "education",
            "hired_on",
            "is_active",
        ]


class StudyGroupForm(ScopedModelForm):
    scoped_fields = ("programme", "curator")

    class Meta:
        model = StudyGroup
        fields = ["institution", "name", "programme", "intake_year", "year_of_study", "language", "curator", "is_active"]


class StudentForm(ScopedModelForm):
    scoped_fields = ("group",)

    class Meta:
        model = Student
        fields = [
            "institution",
            *Student.PERSON_FIELDS,
            "student_number",
            "group",
            "status",
            "funding",
            "enrolled_on",
            "special_needs",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A student's group and status change only by an order (enrolment, transfer, leave…), on the student's page.
            for name in ("group", "status"):
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Changed by an order on the student's page.")


class EmployerForm(ScopedModelForm):
    class Meta:
        model = Employer
        fields = ["institution", *Employer.PARTNER_FIELDS, "is_active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The host of an own WBL base is made by the base register, never typed here.
        self.fields["kind"].choices = [c for c in self.fields["kind"].choices if c[0] != Employer.Kind.OWN_BASE]


class InvitationForm(ScopedModelForm):
    """Invite a person into an institution with a role; a system admin may also invite into an authority."""

    scoped_fields = ("employer",)

    class Meta:
        model = Invitation
        fields = ["institution", "authority", "email", "last_name", "first_name", "role", "employer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [r for r in Role if r != Role.SYSTEM_ADMIN]
        if access.is_system_admin(self.user):
            self.fields["institution"].required = False
        else:
            del self.fields["authority"]
            roles = [r for r in roles if r not in AUTHORITY_ROLES]
        self.fields["role"].choices = [("", "---------")] + [(r.value, r.label) for r in roles]

    def clean(self):
        data = super().clean()
        role, employer = data.get("role"), data.get("employer")
        institution, authority = data.get("institution"), data.get("authority")
        if bool(institution) == bool(authority):
            self.add_error("institution", _("Choose either an institution or an authority."))
        elif authority and role and role not in AUTHORITY_ROLES:
            self.add_error("role", _("In an authority a person can be an analyst or an accreditation expert."))
        elif institution and role in AUTHORITY_ROLES:
            self.add_error("role", _("Analysts and accreditation experts belong to an authority, not an institution."))
        if role in EMPLOYER_ROLES and not employer:
            self.add_error("employer", _("A mentor or employer representative must belong to an employer."))
        if role not in EMPLOYER_ROLES and employer:
            self.add_error("employer", _("Only mentors and employer representatives belong to an employer."))
        if employer and institution and employer.institution_id != institution.pk:
            self.add_error("employer", _("Choose an employer of this institution."))
        return data


class AcceptInvitationForm(forms.Form):
    username = forms.CharField(label=_("Login"), max_length=150)
    password1 = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)
    password2 = forms.CharField(label=_("Password again"), widget=forms.PasswordInput, strip=False)

    def __init__(self, *args, invitation=None, **kwargs):
        self.invitation = invitation
        super().__init__(*args, **kwargs)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This login is taken; choose another."))
        return username

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            user = User(
                username=data.get("username", ""),
                email=self.invitation.email,
                first_name=self.invitation.first_name,
                last_name=self.invitation.last_name,
            )
            try:
                password_validation.validate_password(p1, user)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV or XLSX file"))

    def __init__(self, *args, user=None, model=None, **kwargs):
        super().__init__(*args, **kwargs)
        scope = access.scope_for(user, model, "change")
        institutions = Institution.objects.all() if scope.everything else Institution.objects.filter(pk__in=scope.institution_ids)
        self.fields["institution"] = forms.ModelChoiceField(queryset=institutions, label=_("Institution"))
        only = list(institutions[:2])
        if len(only) == 1:
            self.fields["institution"].initial = only[0].pk
            self.fields["institution"].widget = forms.HiddenInput()
