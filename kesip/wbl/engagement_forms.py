"""Forms of part-time work, rewards and measures, and mentors' requests; every choice lists only what the user may use."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kesip.core.forms import DATE
from kesip.core.models import Employer, Student
from kesip.wbl import engagement
from kesip.wbl import engagement_rules as rules
from kesip.wbl.models import Decision, EmployerPerson, Incentive, MentorRequest, PartTimeJob, Placement


class PartTimeJobForm(forms.ModelForm):
    class Meta:
        model = PartTimeJob
        fields = engagement.JOB_FIELDS
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def __init__(self, *args, user=None, institution=None, employer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.institution_id = institution.pk
        self.fields["student"].queryset = (
            Student.objects.for_user(user, "view")
            .filter(institution_id=institution.pk)
            .select_related("group")
            .order_by("last_name", "first_name")
        )
        if employer is not None:
            del self.fields["employer"]
            self.instance.employer = employer
            # The employer's representative records the jobs of learners placed with it.
            self.fields["student"].queryset = (
                Student.objects.filter(institution_id=institution.pk, placements__employer=employer)
                .distinct()
                .order_by("last_name", "first_name")
            )
        else:
            self.fields["employer"].queryset = Employer.objects.partners().filter(institution_id=institution.pk).order_by("name")
        self.fields["when"].help_text = _(
            "In vacations: every day lies in a holiday period of the group's approved calendar schedule. In free time from "
            "study: during the term, outside classes."
        )
        from kesip.wbl.views.internships import validate_upload

        self.fields["contract"].validators.append(validate_upload)
        self.fields["contract"].help_text = _("PDF, JPEG, PNG, DOC, DOCX or ODT, at most 10 MB.")
        self.fields["contract"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,.doc,.docx,.odt"


class EndJobForm(forms.Form):
    ends_on = forms.DateField(label=gettext_lazy("Last day of the work"), widget=DATE)


class IncentiveForm(forms.ModelForm):
    """A measure for a learner (any kind) or a reward for a mentor (moral or material)."""

    class Meta:
        model = Incentive
        fields = engagement.INCENTIVE_FIELDS
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, for_mentor=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_mentor:
            self.fields["kind"].choices = [(v, label) for v, label in Incentive.Kind.choices if v in rules.MENTOR_KINDS]
        self.fields["amount"].help_text = _("Only for a material reward or incentive, in som.")


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        choices=[(Decision.APPROVED, Decision.APPROVED.label), (Decision.REJECTED, Decision.REJECTED.label)],
    )
    note = forms.CharField(
        label=gettext_lazy("Note (needed to reject)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class MentorRequestForm(forms.ModelForm):
    class Meta:
        model = MentorRequest
        fields = engagement.REQUEST_FIELDS
        widgets = {"scope": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, mentor=None, placement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.mentor = mentor
        if placement is not None:
            del self.fields["placement"]
            self.instance.placement = placement
        else:
            self.fields["placement"].queryset = (
                Placement.objects.filter(mentor=mentor, status__in=rules.REQUEST_OPEN)
                .select_related("student", "intern_staff")
                .order_by("starts_on", "pk")
            )
            self.fields["placement"].help_text = _("Empty: the request is about all your learners.")
        self.fields["specialist"].queryset = (
            EmployerPerson.objects.filter(employer_id=mentor.employer_id, is_active=True)
            .exclude(pk=mentor.pk)
            .order_by("last_name")
        )
        self.fields["specialist"].help_text = _(
            "Only to involve a specialist: another employee of your employer (п. 58, item 9)."
        )
