"""Forms of the curriculum: the classifier's qualifications and the parts of a programme."""

from django import forms
from django.utils.translation import gettext_lazy as _

from kesip.core.forms import DATE, add_violation
from kesip.core.models import Specialty
from kesip.core.rules import RuleViolation
from kesip.curriculum import rules
from kesip.curriculum.models import CalendarPeriod, CalendarSchedule, Competency, Component, Module, Qualification

NAMES = ["name_ky", "name_ru", "name_kk", "name_en"]


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["specialty", "code", *NAMES, "kind", "is_active", "valid_until", "removal_basis"]
        widgets = {"valid_until": DATE}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].queryset = Specialty.objects.all()


class ProgrammePartForm(forms.ModelForm):
    """A part of one programme: the programme and institution come from the page, never from the post."""

    def __init__(self, *args, programme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.programme = programme
        self.instance.programme = programme
        self.instance.institution = programme.institution

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"programme", "institution"}


class CompetencyForm(ProgrammePartForm):
    class Meta:
        model = Competency
        fields = ["code", "kind", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Competency.objects.filter(programme=self.programme, code=code).exclude(pk=self.instance.pk)
        if taken.exists():
            raise forms.ValidationError(_("The programme already has a competency with this code."))
        return code


class ModuleForm(ProgrammePartForm):
    class Meta:
        model = Module
        fields = ["kind", "code", *NAMES, "basic_kind", "justification", "integrated_into", "qualification",
                  "learning_outcomes", "competencies", "position"]  # fmt: skip
        widgets = {
            "justification": forms.Textarea(attrs={"rows": 2}),
            "learning_outcomes": forms.Textarea(attrs={"rows": 4}),
            "competencies": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        p = self.programme
        self.fields["qualification"].queryset = p.qualifications.all()
        self.fields["integrated_into"].queryset = p.modules.filter(kind=Module.Kind.PROFESSIONAL).exclude(pk=self.instance.pk)
        self.fields["competencies"].queryset = p.competencies.all()


class ComponentForm(forms.ModelForm):
    """Credits or hours: where the country counts in credits, the other one is computed by its rule."""

    class Meta:
        model = Component
        fields = ["kind", "practice_type", "code", *NAMES, "credits", "hours", "is_elective", "position"]

    def __init__(self, *args, module=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.module = module
        self.instance.module = module
        self.instance.institution = module.institution
        self.book = rules.rulebook_for(module.institution.jurisdiction)
        self.fields["hours"].required = False
        if rules.hours_per_credit(self.book) is not None:
            self.fields["credits"].help_text = _("Give credits or hours; the other is computed (1 credit = %(per)s hours).") % {
                "per": f"{rules.hours_per_credit(self.book).normalize():f}"
            }
        else:
            self.fields["hours"].required = True

    def _get_validation_exclusions(self):
        return super()._get_validation_exclusions() - {"module", "institution"}

    def clean(self):
        data = super().clean()
        if "credits" in self.errors or "hours" in self.errors:
            return data
        try:
            data["credits"], data["hours"] = rules.convert(self.book, data.get("credits"), data.get("hours"))
        except RuleViolation as violation:
            add_violation(self, violation)
            return data
        self.instance.credits, self.instance.hours = data["credits"], data["hours"]
        return data


class ConclusionForm(forms.Form):
    expert_conclusion = forms.CharField(
        label=_("Expert conclusion"), widget=forms.Textarea(attrs={"rows": 4}), max_length=10000, required=True
    )


class CalendarScheduleForm(forms.ModelForm):
    """A group's schedule for one academic year; the year of study follows from the intake unless given."""

    class Meta:
        model = CalendarSchedule
        fields = ["group", "academic_year", "year_of_study", "practice_mode", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        from kesip.core.models import StudyGroup

        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["group"]
        else:
            groups = StudyGroup.objects.for_user(user, "change").filter(is_active=True).select_related("programme")
            self.fields["group"].queryset = groups.order_by("name")
        self.fields["year_of_study"].required = False
        self.fields["year_of_study"].help_text = _("Leave it empty to count it from the group's intake year.")
        self.fields["practice_mode"].help_text = _("How practice is placed in the year (KG WBL regulation, п. 26).")

    def clean(self):
        data = super().clean()
        group = data.get("group") if "group" in self.fields else self.instance.group
        year = data.get("academic_year")
        if group is not None and year and not data.get("year_of_study"):
            computed = year - group.intake_year + 1
            if not 1 <= computed <= 6:
                self.add_error(
                    "academic_year",
                    _("Group %(group)s was admitted in %(intake)s; %(year)s–%(next)s is not one of its years of study.")
                    % {"group": group, "intake": group.intake_year, "year": year, "next": year + 1},
                )
            else:
                data["year_of_study"] = computed
        return data


class CalendarPeriodForm(forms.ModelForm):
    """A typed period of a schedule; the component is one of the practice components of the group's programme."""

    class Meta:
        model = CalendarPeriod
        fields = ["kind", "starts_on", "ends_on", "component", "note"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, schedule=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.schedule = schedule
        self.instance.institution_id = schedule.institution_id
        self.fields["component"].queryset = (
            Component.objects.filter(
                module__programme_id=schedule.group.programme_id,
                kind__in=[Component.Kind.PRACTICE, Component.Kind.INDUSTRIAL_TRAINING],
            )
            .select_related("module")
            .order_by("module__position", "position", "pk")
        )
        self.fields["component"].help_text = _("For practice or industrial training: the component of the programme it holds.")
