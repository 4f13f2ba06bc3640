"""Forms of employers' needs and evaluations; every choice lists only what the user may use."""

from django import forms
from django.utils.translation import gettext as _

from kesip.core.forms import DATE
from kesip.core.models import Employer, Specialty
from kesip.wbl import partnership
from kesip.wbl.models import EmployerEvaluation, EmployerNeed, WblProgramme

SCORES = [(str(n), str(n)) for n in range(partnership.SCORE_MIN, partnership.SCORE_MAX + 1)]


class RuleChecked(forms.ModelForm):
    """The model's unique constraint is checked by the service, which names the rule and its clause (not Django's
    generic “already exists”)."""

    def _post_clean(self):
        full_clean = self.instance.full_clean
        self.instance.full_clean = lambda **kw: full_clean(**{**kw, "validate_constraints": False})
        try:
            super()._post_clean()
        finally:
            del self.instance.full_clean

    def validate_unique(self):
        pass


def _employers(form, institution, employer):
    if employer is not None:
        del form.fields["employer"]
        form.instance.employer = employer
    else:
        form.fields["employer"].queryset = Employer.objects.partners().filter(institution_id=institution.pk).order_by("name")


class NeedForm(RuleChecked):
    class Meta:
        model = EmployerNeed
        fields = partnership.NEED_FIELDS
        widgets = {"collected_on": DATE, "expectations": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, institution=None, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution_id = institution.pk
        _employers(self, institution, employer)
        self.fields["specialty"].queryset = Specialty.objects.order_by("code")


class EvaluationForm(RuleChecked):
    """The employer's evaluation: each criterion of Kesip's form scored 1–5."""

    class Meta:
        model = EmployerEvaluation
        fields = [f for f in partnership.EVALUATION_FIELDS if f != "filled_by"] + ["filled_by"]
        widgets = {
            "filled_on": DATE,
            "strengths": forms.Textarea(attrs={"rows": 2}),
            "problems": forms.Textarea(attrs={"rows": 2}),
            "proposals": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, institution=None, employer=None, staff=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution_id = institution.pk
        _employers(self, institution, employer)
        self.fields["programme"].queryset = WblProgramme.objects.filter(institution_id=institution.pk).order_by(
            "-academic_year", "pk"
        )
        if staff:
            from kesip.wbl.models import EmployerPerson

            people = EmployerPerson.objects.filter(employer__institution_id=institution.pk, is_active=True)
            if employer is not None:
                people = partnership.people_choices(employer)
            self.fields["filled_by"].queryset = people.select_related("employer").order_by("last_name", "first_name")
            self.fields["filled_by"].help_text = _("The employer's person whose answers the staff enter.")
        else:
            del self.fields["filled_by"]
        answers = self.instance.answers or {}
        self.criteria = []
        for code, label in partnership.EVALUATION_CRITERIA:
            self.fields[code] = forms.ChoiceField(
                label=label,
                choices=SCORES,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
                initial=str(answers[code]) if code in answers else None,
                help_text=_("1 — poor, 5 — excellent."),
            )
            self.criteria.append(code)

    def save_answers(self):
        self.instance.answers = {code: int(self.cleaned_data[code]) for code in self.criteria}
        return self.instance
