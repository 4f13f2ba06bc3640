"""Forms of the employer's side of WBL: an employee, a local document, a workplace, the institution's WBL settings.

The employer (and so the institution) comes from the page, never from the post; choices of related
records are those of the employer's institution and country. The steps in `kesip.wbl.employers` then
check the rules and save in one transaction.
"""

from django import forms
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from kesip.core.forms import DATE, StoredFileInput
from kesip.core.models import Specialty, User
from kesip.core.models.rulebook import localize_clause
from kesip.core.roles import EMPLOYER_ROLES
from kesip.wbl import employers, open_questions
from kesip.wbl.models import EmployerLetterhead, EmployerPerson, LocalDocument, WblSettings, Workplace


class UserChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.display_name()} ({obj.username})"


class SpecialtyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} — {obj.name}"


class EmployerBound(forms.ModelForm):
    """A record of one employer: the employer and its institution are set on the instance, not posted."""

    def __init__(self, *args, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.employer = employer
        self.instance.employer, self.instance.institution_id = employer, employer.institution_id
        for f in self.fields.values():
            if isinstance(f.widget, forms.DateInput):
                f.widget = DATE


class PersonForm(EmployerBound):
    class Meta:
        model = EmployerPerson
        fields = employers.PERSON_FIELDS
        field_classes = {"user": UserChoice}
        widgets = {"email": forms.EmailInput(attrs={"autocomplete": "off"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Logins that work for this employer in Kesip (mentors and representatives), and the one already linked.
        self.fields["user"].queryset = (
            User.objects.filter(
                Q(
                    memberships__employer=self.employer,
                    memberships__is_active=True,
                    memberships__role__in=sorted(EMPLOYER_ROLES),
                )
                | Q(pk=self.instance.user_id or 0)
            )
            .distinct()
            .order_by("last_name", "first_name", "username")
        )
        self.fields["user"].help_text = _(
            "A Kesip login of a mentor or representative of this employer. Inviting the person links it on acceptance."
        )
        self.fields["is_mentor"].help_text = _("A qualified employee of this employer who guides learners (п. 2, 10).")


class DocumentForm(EmployerBound):
    class Meta:
        model = LocalDocument
        fields = employers.DOCUMENT_FIELDS
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(employers.validate_upload)
        self.fields["file"].help_text = employers.UPLOAD_HELP
        link = reverse("wbl:localdoc_file", args=[self.instance.pk]) if self.instance.pk else ""
        self.fields["file"].widget = StoredFileInput({"accept": ",".join(f".{e}" for e in employers.UPLOAD_SIGNATURES)}, link)


class LetterheadForm(EmployerBound):
    """The employer's letterhead (F2): a logo, the lines under the name, whether the INN / BIN is printed."""

    class Meta:
        model = EmployerLetterhead
        fields = ["logo", "details", "show_tax_id"]
        widgets = {"details": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        link = reverse("wbl:employer_letterhead_logo", args=[self.employer.pk]) if self.instance.pk else ""
        self.fields["logo"].widget = StoredFileInput({"accept": "image/png,image/jpeg"}, link)


class WorkplaceForm(EmployerBound):
    class Meta:
        model = Workplace
        fields = employers.WORKPLACE_FIELDS
        field_classes = {"specialty": SpecialtyChoice}
        widgets = {
            "equipment": forms.Textarea(attrs={"rows": 3}),
            "work_environment": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The professions of the classifier of the institution's country in force (and the one already chosen).
        country = self.employer.institution.jurisdiction
        self.fields["specialty"].queryset = Specialty.objects.filter(jurisdiction=country).filter(
            Q(is_active=True) | Q(pk=self.instance.specialty_id or 0)
        )
        self.fields["specialty"].help_text = _("From the classifier of %(country)s.") % {
            "country": self.employer.institution.get_jurisdiction_display()
        }


class SettingsForm(forms.ModelForm):
    """The institution's answers; each field's help names the question and clause it answers and its default."""

    class Meta:
        model = WblSettings
        fields = open_questions.SETTINGS_FIELDS

    def __init__(self, *args, rules=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rules = rules or {}
        for q in open_questions.QUESTIONS:
            f = self.fields[q.field]
            model_field = WblSettings._meta.get_field(q.field)
            default = open_questions.shown(model_field, model_field.get_default())
            extra = _("Answers: %(question)s — %(clause)s. Default: %(default)s.") % {
                "question": q.question,
                "clause": localize_clause(q.clause),
                "default": default,
            }
            f.help_text = f"{model_field.help_text} {extra}".strip()

    def _parties(self, name):
        value = self.cleaned_data.get(name)
        violation = open_questions.party_violation(name, value, self.rules)
        if violation:
            raise forms.ValidationError(f"{violation.message} ({_('source')}: {violation.source})")
        return value

    def clean_parties_dual(self):
        return self._parties("parties_dual")

    def clean_parties_practice(self):
        return self._parties("parties_practice")

    def clean_parties_internship(self):
        return self._parties("parties_internship")

    def clean_parties_apprenticeship(self):
        return self._parties("parties_apprenticeship")
