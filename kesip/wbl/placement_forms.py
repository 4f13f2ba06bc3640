"""Forms of placements: one placement in its form of WBL, the roster agreement, cancelling, a monitoring visit.

Every choice of a related record lists only records the user may see; the employer's workplaces,
mentors and agreements carry the employer on each option so the page narrows them to the chosen
employer. The rules are checked by the services, whose violations the views show beside the fields.
"""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kesip.core import access
from kesip.core.forms import DATE
from kesip.core.models import Employer, StaffMember, Student
from kesip.curriculum.models import Component
from kesip.wbl import placements as services
from kesip.wbl.models import Agreement, EmployerPerson, MonitoringVisit, Placement, WblForm, WblProgramme, Workplace

TEXTAREA = forms.Textarea(attrs={"rows": 3})
PRACTICE_KINDS = (Component.Kind.PRACTICE, Component.Kind.INDUSTRIAL_TRAINING)


def employer_label(employer):
    """An employer as a choice: the institution's own base says so (its learners need no agreement, п. 3)."""
    return _("%(base)s (the institution's own base)") % {"base": employer.name} if employer.is_own_base else employer.name


class EmployerSelect(forms.Select):
    """A select whose options name their employer (`data-employer`), so the page can narrow them."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and getattr(instance, "employer_id", None):
            option["attrs"]["data-employer"] = str(instance.employer_id)
        return option


class WorkplaceChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        label = _("%(title)s · %(places)s places · %(start)s–%(end)s") % {
            "title": obj.title,
            "places": obj.places,
            "start": obj.available_from.strftime("%d.%m.%Y"),
            "end": obj.available_to.strftime("%d.%m.%Y"),
        }
        return f"{label} · {_('accessible')}" if obj.accessible else label


class MentorChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.position}" if obj.position else str(obj)


class StudentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} · {obj.group}" if obj.group_id else str(obj)


def institutions_to_plan(user):
    """The institutions where the user plans placements (None: every one, for a system admin)."""
    scope = access.scope_for(user, Placement, "change")
    return None if scope.everything else set(scope.institution_ids)


def _in(qs, institutions, field="institution_id__in"):
    return qs if institutions is None else qs.filter(**{field: institutions})


def scoped_choices(user, institutions, current=None):
    """The querysets of the related records a placement may name (current values stay choosable)."""
    current = current or Placement()
    students = Student.objects.for_user(user).filter(
        Q(status__in=[Student.Status.ENROLLED, Student.Status.GRADUATED]) | Q(pk=current.student_id or 0)
    )
    return {
        "student": _in(students, institutions).select_related("group").order_by("last_name", "first_name", "pk"),
        "intern_staff": _in(
            StaffMember.objects.for_user(user).filter(Q(is_active=True) | Q(pk=current.intern_staff_id or 0)), institutions
        ),
        "employer": _in(Employer.objects.for_user(user).filter(Q(is_active=True) | Q(pk=current.employer_id or 0)), institutions),
        "workplace": _in(
            Workplace.objects.for_user(user).filter(Q(is_active=True) | Q(pk=current.workplace_id or 0)), institutions
        )
        .select_related("employer")
        .order_by("employer__name", "title", "pk"),
        "mentor": _in(
            EmployerPerson.objects.for_user(user).filter(Q(is_mentor=True, is_active=True) | Q(pk=current.mentor_id or 0)),
            institutions,
        ).order_by("last_name", "first_name", "pk"),
        "agreement": _in(
            Agreement.objects.for_user(user).filter(Q(status__in=Agreement.IN_FORCE) | Q(pk=current.agreement_id or 0)),
            institutions,
        )
        .select_related("employer")
        .order_by("-starts_on", "pk"),
        "supervisor": _in(
            StaffMember.objects.for_user(user).filter(Q(is_active=True) | Q(pk=current.supervisor_id or 0)), institutions
        ),
        "component": _in(Component.objects.for_user(user).filter(kind__in=PRACTICE_KINDS), institutions)
        .select_related("module__programme")
        .order_by("module__programme_id", "module__position", "position", "pk"),
        # A programme replaced by a revision is not offered for a new choice (a placement keeps the version it names).
        "wbl_programme": _in(
            WblProgramme.objects.for_user(user).filter(
                ~Q(status=WblProgramme.Status.REVISED) | Q(pk=current.wbl_programme_id or 0)
            ),
            institutions,
        ).select_related("programme"),
    }


class PlacementForm(forms.ModelForm):
    """One placement in one form of WBL: the fields shown are those of the form (`services.FORM_FIELDS`)."""

    class Meta:
        model = Placement
        fields = ["student", "intern_staff", *services.COMMON_FIELDS, *services.ALL_FORM_FIELDS]
        field_classes = {"workplace": WorkplaceChoice, "mentor": MentorChoice, "student": StudentChoice}
        widgets = {
            "workplace": EmployerSelect,
            "mentor": EmployerSelect,
            "agreement": EmployerSelect,
            "note": TEXTAREA,
            "conformity_note": TEXTAREA,
            "individual_schedule": TEXTAREA,
            "enterprise_timetable": TEXTAREA,
            "individual_programme": forms.Textarea(attrs={"rows": 5}),
            "internship_goals": TEXTAREA,
            "duration_reason": TEXTAREA,
        }

    def __init__(self, *args, user=None, form_kind=WblForm.PRACTICE, group=None, accessible_only=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if "consent_by" in self.fields:
            allowed = [c.value for c in Placement.COORDINATOR_CONSENTS] + [self.instance.consent_by]
            self.fields["consent_by"].choices = [(v, label) for v, label in self.fields["consent_by"].choices if v in allowed]
        self.form_kind = self.instance.form if self.instance.pk else form_kind
        self.instance.form = self.form_kind
        institutions = {self.instance.institution_id} if self.instance.pk else institutions_to_plan(user)
        choices = scoped_choices(user, institutions, self.instance)
        if group is not None and not self.instance.pk:
            choices["student"] = choices["student"].filter(group=group, status=Student.Status.ENROLLED)
        if accessible_only:  # F32, п. 54: only workplaces marked accessible (the current one stays choosable)
            choices["workplace"] = choices["workplace"].filter(Q(accessible=True) | Q(pk=self.instance.workplace_id or 0))
        for name, qs in choices.items():
            if name in self.fields:
                self.fields[name].queryset = qs
        keep = {*services.fields_for(self.form_kind), "student"}
        if self.form_kind == WblForm.INTERNSHIP:
            keep.add("intern_staff")
        if self.instance.pk:
            keep -= {"student", "intern_staff"}  # the learner of a placement does not change
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
            elif isinstance(self.fields[name].widget, forms.DateInput):
                self.fields[name].widget = DATE
        if "employer" in self.fields:
            self.fields["employer"].widget.attrs["data-employer-select"] = "1"
            self.fields["employer"].label_from_instance = employer_label
        for name in ("workplace", "mentor", "agreement"):
            if name in self.fields:
                self.fields[name].widget.attrs["data-narrow-by-employer"] = "1"
        if "student" in self.fields:
            self.fields["student"].required = self.form_kind != WblForm.INTERNSHIP
            if self.form_kind == WblForm.INTERNSHIP:
                self.fields["student"].help_text = _(
                    "A learner completing the programme or a graduate — or choose a teacher below."
                )
        if "agreement" in self.fields:
            self.fields["agreement"].help_text = _("Leave empty: the signed agreement that covers the dates is found.")
        if "supervisor" in self.fields:
            self.fields["supervisor"].help_text = _("Leave empty: the group's head of practical training appointed by order.")
        if "practice_type" in self.fields:
            self.fields["practice_type"].required = True
        if "component" in self.fields:
            self.fields["component"].help_text = _("Its approved calendar period sets the dates; its grade goes to the journal.")

    def clean(self):
        data = super().clean()
        if self.form_kind == WblForm.INTERNSHIP and not self.instance.pk:
            if bool(data.get("student")) == bool(data.get("intern_staff")):
                self.add_error("student", _("Choose the learner or the teacher who does the internship (one of them)."))
        return data


class RosterForm(forms.Form):
    roster_agreed_on = forms.DateField(label=_("The employer agreed on"), widget=DATE)


class CancelForm(forms.Form):
    cancel_reason = forms.CharField(label=_("Reason for cancelling"), widget=TEXTAREA, max_length=2000)


class VisitForm(forms.ModelForm):
    """A monitoring visit to an employer: who visited, which placements were seen, findings and actions."""

    class Meta:
        model = MonitoringVisit
        fields = ["employer", "visited_on", "visitor", "placements", "findings", "actions"]
        widgets = {
            "visited_on": DATE,
            "placements": forms.SelectMultiple(attrs={"size": 8}),
            "findings": forms.Textarea(attrs={"rows": 4}),
            "actions": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        institutions = {self.instance.institution_id} if self.instance.pk else institutions_to_plan(user)
        current = list(self.instance.placements.values_list("pk", flat=True)) if self.instance.pk else []
        self.fields["employer"].queryset = _in(Employer.objects.for_user(user), institutions)
        self.fields["visitor"].queryset = _in(StaffMember.objects.for_user(user).filter(is_active=True), institutions)
        self.fields["placements"].queryset = (
            _in(Placement.objects.for_user(user), institutions)
            .filter(Q(status__in=[*services.IN_PROGRESS, Placement.Status.COMPLETED]) | Q(pk__in=current))
            .select_related("student", "intern_staff", "employer")
            .order_by("employer__name", "student__last_name", "pk")
        )
        self.fields["placements"].widget = EmployerSelectMultiple(attrs={"size": 8, "data-narrow-by-employer": "1"})
        self.fields["employer"].widget.attrs["data-employer-select"] = "1"
        self.fields["placements"].required = False

    def clean(self):
        data = super().clean()
        employer = data.get("employer")
        if employer is not None:
            self.instance.institution_id = employer.institution_id
            for p in data.get("placements") or []:
                if p.employer_id != employer.pk:
                    self.add_error("placements", _("%(placement)s is at another employer.") % {"placement": p})
        visitor = data.get("visitor")
        if visitor is not None and employer is not None and visitor.institution_id != employer.institution_id:
            self.add_error("visitor", _("Choose a staff member of the employer's institution."))
        return data


class EmployerSelectMultiple(forms.SelectMultiple):
    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None and getattr(instance, "employer_id", None):
            option["attrs"]["data-employer"] = str(instance.employer_id)
        return option
