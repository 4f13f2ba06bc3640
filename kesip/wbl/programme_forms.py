"""Forms of the WBL programme pages: the passport and sections (one section or all), the rows of the
tables of sections 5, 7 and 9, and the employer's agreement given on paper. Choices are limited to
the programme's own curriculum; the services check the rest (`kesip.wbl.programmes`)."""

from django import forms
from django.utils.dates import MONTHS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core import access
from kesip.core.forms import DATE
from kesip.core.models import Employer, Programme
from kesip.curriculum.models import Competency, Component
from kesip.wbl import programme_rules as pr
from kesip.wbl import programmes as services
from kesip.wbl.models import ContentRow, LoadRow, RubricItem, WblProgramme


class ComponentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        kind = obj.get_practice_type_display() if obj.practice_type else obj.get_kind_display()
        return f"{obj} — {kind}, {obj.hours} {_('h')}"


class CompetencyChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.description}"


class CompetencyChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.code} {obj.description}"


# What each part of the edit page holds: `?section=` picks one, none shows all.
PARTS = {
    "passport": ["programme", "co_developer", "academic_year"],
    "1": ["normative_base"],
    "2": ["goal"],
    "3": ["form"],
    "4": ["procedure", "mentor_duties"],
    "5": ["season_note", "season_from_month", "season_to_month"],
    "6": ["outcomes"],
    "8": ["safety"],
    "54": ["accessibility"],
}
ALL_FIELDS = [f for part in PARTS.values() for f in part]
PART_TITLES = {
    "passport": gettext_lazy("Passport"),
    "54": gettext_lazy("Forms of practice for learners with disabilities (п. 54)"),
    **{str(s.number): s.title for s in pr.SECTIONS},
}


class WblProgrammeForm(forms.ModelForm):
    """The passport and the text sections; the institution comes from the educational programme."""

    class Meta:
        model = WblProgramme
        fields = ALL_FIELDS
        field_classes = {"outcomes": CompetencyChoices}
        widgets = {
            "outcomes": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            **{
                name: forms.Textarea(attrs={"rows": 5})
                for name in ("normative_base", "goal", "procedure", "mentor_duties", "season_note", "safety", "accessibility")
            },
        }

    def __init__(self, *args, user=None, part=None, **kwargs):
        super().__init__(*args, **kwargs)
        wp = self.instance
        keep = PARTS[part] if part else (PARTS["passport"] + ["form"] if wp.pk is None else ALL_FIELDS)
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        change = access.scope_for(user, WblProgramme, "change")
        if "programme" in self.fields:
            qs = Programme.objects.for_user(user, "view").select_related("specialty").order_by("specialty__code", "name_ru")
            if wp.pk:
                qs = qs.filter(institution_id=wp.institution_id)
            elif not change.everything:
                qs = qs.filter(institution_id__in=change.institution_ids)
            self.fields["programme"].queryset = qs
        if "co_developer" in self.fields:
            qs = Employer.objects.partners().for_user(user, "view").filter(is_active=True).order_by("name")
            if wp.pk:
                qs = qs.filter(institution_id=wp.institution_id) | Employer.objects.filter(pk=wp.co_developer_id or 0)
            elif not change.everything:
                qs = qs.filter(institution_id__in=change.institution_ids)
            self.fields["co_developer"].queryset = qs
        for name in ("season_from_month", "season_to_month"):
            if name in self.fields:
                model_field = WblProgramme._meta.get_field(name)
                self.fields[name] = forms.TypedChoiceField(
                    label=model_field.verbose_name,
                    choices=[("", _("— no season —"))] + list(MONTHS.items()),
                    coerce=int,
                    empty_value=None,
                    required=False,
                    help_text=model_field.help_text,
                    initial=getattr(wp, name),
                )
        if "outcomes" in self.fields:
            self.fields["outcomes"].queryset = Competency.objects.filter(programme_id=wp.programme_id).order_by("kind", "code")
            self.fields["outcomes"].required = False
        if wp.pk and not services.is_staff(user, wp.institution_id):
            # The co-developing employer writes the sections, not the passport.
            if "programme" in self.fields:
                self.fields["programme"].queryset = Programme.objects.filter(pk=wp.programme_id)
            if "co_developer" in self.fields:
                self.fields["co_developer"].queryset = Employer.objects.filter(pk=wp.co_developer_id or 0)
            for name in PARTS["passport"] + ["form"]:
                if name in self.fields:
                    self.fields[name].disabled = True
                    self.fields[name].help_text = _("Set by the institution.")
        for name in ("normative_base", "goal", "procedure", "mentor_duties", "safety"):
            if name in self.fields:
                self.fields[name].help_text = _("Required before the programme is sent to the employer.")


class LoadRowForm(forms.ModelForm):
    class Meta:
        model = LoadRow
        fields = ["semester", "activity", "practice_type", "component", "hours", "credits", "season"]
        field_classes = {"component": ComponentChoice}
        labels = {"component": gettext_lazy("discipline or practice of the curriculum")}

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["component"].queryset = Component.objects.filter(module__programme_id=programme.programme_id).order_by(
            "module__position", "position", "pk"
        )
        self.fields["component"].help_text = _("Every form except practice is attached to a discipline (п. 53 section 5).")
        self.fields["practice_type"].help_text = _("Only for practice.")


class ContentRowForm(forms.ModelForm):
    class Meta:
        model = ContentRow
        fields = ["practice_type", "competency", "topic", "hours", "environment", "equipment"]
        field_classes = {"competency": CompetencyChoice}
        widgets = {"environment": forms.Textarea(attrs={"rows": 3}), "equipment": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["competency"].queryset = Competency.objects.filter(programme_id=programme.programme_id).order_by(
            "kind", "code"
        )


class RubricItemForm(forms.ModelForm):
    class Meta:
        model = RubricItem
        fields = ["method", "level", "descriptor", "competencies"]
        field_classes = {"competencies": CompetencyChoices}
        widgets = {
            "competencies": forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            "descriptor": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.programme = programme
        self.fields["competencies"].queryset = programme.outcomes.order_by("kind", "code")
        self.fields["competencies"].required = False
        self.fields["competencies"].help_text = _(
            "The competencies of section 6 (learning outcomes) the grade describes. The regulation's text says "
            "“section 5”; the competencies are in section 6."
        )


class AgreementForm(forms.Form):
    employer_agreed_by = forms.CharField(label=gettext_lazy("Who agreed it for the employer"), max_length=255)
    employer_agreed_on = forms.DateField(label=gettext_lazy("Date of the agreement"), widget=DATE)


class RevisionForm(forms.Form):
    """Open the next version of an approved or published programme (§9.4; п. 56 item 12)."""

    revision_reason = forms.CharField(
        label=gettext_lazy("What the revision changes and why"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    revised_from_report = forms.ModelChoiceField(
        label=gettext_lazy("After the recommendations of the annual report"),
        queryset=None,
        required=False,
        help_text=gettext_lazy("The annual WBL report whose recommendations the revision follows, if any."),
    )

    def __init__(self, *args, wp=None, **kwargs):
        from kesip.wbl.models import AnnualReport

        super().__init__(*args, **kwargs)
        qs = AnnualReport.objects.none()
        if wp is not None:
            qs = AnnualReport.objects.filter(institution_id=wp.institution_id).order_by("-academic_year")
        self.fields["revised_from_report"].queryset = qs
