"""Forms of briefings, the diary, completion and assessment. The rules live in `diary_rules` and `diary`; a form
only collects the values, and the step's refusals come back beside the field they name."""

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kesip.core.forms import DATE, StoredFileInput
from kesip.core.models import StaffMember
from kesip.wbl import diary, diary_rules
from kesip.wbl.models import AssessmentMethod, Briefing, DiaryEntry, EmployerPerson, LocalDocument

ACCEPT_ATTACHMENT = "image/*,.pdf,.heic,.webp"


def add_violations(form, violations):
    """Show each RuleViolation beside its field (or on top of the form), with its legal source."""
    from kesip.core.forms import add_violation

    for v in violations:
        add_violation(form, v)


class EntryForm(forms.ModelForm):
    """One day of the diary: the task, what was done, the hours and a photo or a scan."""

    class Meta:
        model = DiaryEntry
        fields = ["date", "task", "work_done", "hours", "attachment"]
        widgets = {
            "date": DATE,
            "task": forms.TextInput(attrs={"autocomplete": "off"}),
            "work_done": forms.Textarea(attrs={"rows": 3}),
            "hours": forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "12", "inputmode": "decimal"}),
            "attachment": StoredFileInput(attrs={"accept": ACCEPT_ATTACHMENT}),
        }
        help_texts = {"attachment": _("A photo of the work or a scanned document: JPEG, PNG, HEIC, WEBP or PDF, up to 10 MB.")}

    def __init__(self, *args, placement=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.placement = placement
        if self.instance.pk:
            self.fields["attachment"].widget.link = reverse("wbl:diaryentry_attachment", args=[self.instance.pk])
        self.fields["date"].widget.attrs.update({"min": placement.starts_on.isoformat(), "max": placement.ends_on.isoformat()})
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("date", diary.default_day(placement))

    def upload(self):
        """(new file or None, clear the stored one)."""
        value = self.cleaned_data.get("attachment")
        return (value if isinstance(value, UploadedFile) else None), value is False


class GradeForm(forms.Form):
    grade = forms.CharField(label=_("Grade"), max_length=8, required=False)
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class BriefingForm(forms.Form):
    """A briefing as held: the day, who conducted it, the local documents, the paper signature if there is one."""

    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    conducted_by = forms.CharField(label=_("Conducted by"), max_length=255)
    documents = forms.ModelMultipleChoiceField(
        label=_("Local documents acknowledged"),
        queryset=LocalDocument.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        required=False,
    )
    acknowledged = forms.BooleanField(
        label=_("The learner signed the paper briefing log"),
        required=False,
        help_text=_("Otherwise the learner acknowledges the briefing on their own page."),
    )

    def __init__(self, *args, employer=None, kind=None, conducted_by="", **kwargs):
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == Briefing.Kind.LOCAL_DOCUMENTS:
            docs = LocalDocument.objects.filter(institution_id=employer.institution_id, employer=employer).order_by(
                "kind", "title"
            )
            self.fields["documents"].queryset = docs
            self.initial.setdefault("documents", [d.pk for d in docs if d.must_acknowledge])
        else:
            del self.fields["documents"]
        self.initial.setdefault("held_on", timezone.localdate())
        self.initial.setdefault("conducted_by", conducted_by)


class GroupBriefingForm(BriefingForm):
    kind = forms.ChoiceField(label=_("Briefing"), choices=Briefing.Kind.choices)
    placements = forms.MultipleChoiceField(
        label=_("Learners briefed"), widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"})
    )

    field_order = ["kind", "held_on", "conducted_by", "documents", "acknowledged", "placements"]

    def __init__(self, *args, employer=None, placements=(), **kwargs):
        super().__init__(*args, employer=employer, kind=Briefing.Kind.LOCAL_DOCUMENTS, prefix="group", **kwargs)
        self.fields["documents"].help_text = _("Only for the briefing on the employer's local documents.")
        self.fields["placements"].choices = [(str(p.pk), str(p.learner)) for p in placements]
        self.initial.setdefault("placements", [str(p.pk) for p in placements])


class CompleteForm(forms.Form):
    review = forms.CharField(
        label=_("Mentor's review"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The tasks the learner did and the competencies they showed (п. 14)."),
    )
    characterisation = forms.CharField(
        label=_("Characterisation of the learner"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Professional and personal qualities, discipline, attitude to work and to colleagues (п. 14, п. 58)."),
    )
    recommended_grade = forms.CharField(
        label=_("Grade proposed by the mentor"),
        required=False,
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    early_reason = forms.CharField(
        label=_("Why the placement ends before its last day"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, early=False, scale=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not early:
            del self.fields["early_reason"]
        if scale is not None:
            self.fields["recommended_grade"].help_text = _("On the scale from %(low)s to %(high)s.") % {
                "low": f"{scale.min_value.normalize():f}",
                "high": f"{scale.max_value.normalize():f}",
            }


class StaffChoice(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} — {obj.position}" if obj.position else str(obj)


class AssessForm(forms.Form):
    """The joint assessment: who assessed, by which method of section 9, the result per competency, the grade, the evidence."""

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE)
    method = forms.ChoiceField(label=_("Assessment method"), choices=AssessmentMethod.choices)
    value = forms.CharField(
        label=_("Grade"), max_length=8, widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"})
    )
    institution_assessors = StaffChoice(
        label=_("Assessors of the institution"),
        queryset=StaffMember.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    employer_assessors = StaffChoice(
        label=_("Assessors of the employer"),
        queryset=EmployerPerson.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )
    comment = forms.CharField(label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    artefact = forms.FileField(
        label=_("Project, video or other evidence"),
        required=False,
        help_text=_("PDF, a picture, a document, MP4 or WEBM video or a ZIP archive, up to 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(f".{t}" for t in diary_rules.ARTEFACT_TYPES)}),
    )

    def __init__(self, *args, placement=None, competencies=(), methods=(), scale=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.placement, self.competencies = placement, list(competencies)
        self.fields["institution_assessors"].queryset = StaffMember.objects.filter(
            institution_id=placement.institution_id, is_active=True
        ).order_by("last_name", "first_name")
        self.fields["employer_assessors"].queryset = EmployerPerson.objects.filter(
            institution_id=placement.institution_id, employer_id=placement.employer_id, is_active=True
        ).order_by("last_name", "first_name")
        if methods:
            preferred = [(m, AssessmentMethod(m).label) for m in methods]
            self.fields["method"].choices = preferred + [c for c in AssessmentMethod.choices if c[0] not in methods]
        if scale is not None:
            self.fields["value"].help_text = _("On the scale from %(low)s to %(high)s.") % {
                "low": f"{scale.min_value.normalize():f}",
                "high": f"{scale.max_value.normalize():f}",
            }
        for c in self.competencies:
            self.fields[f"competency-{c.pk}"] = forms.ChoiceField(
                label=str(c),
                choices=[("yes", _("Shown")), ("no", _("Not shown"))],
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                required=False,
            )
            self.fields[f"note-{c.pk}"] = forms.CharField(label=_("Note"), max_length=500, required=False)

    def competency_rows(self):
        return [(c, self[f"competency-{c.pk}"], self[f"note-{c.pk}"]) for c in self.competencies]

    def plain_fields(self):
        return [self[name] for name in ("assessed_on", "method", "value", "institution_assessors", "employer_assessors")]

    def results(self):
        """{competency id: (achieved, note)} for the competencies answered."""
        found = {}
        for c in self.competencies:
            answer = self.cleaned_data.get(f"competency-{c.pk}")
            if answer in ("yes", "no"):
                found[c.pk] = (answer == "yes", self.cleaned_data.get(f"note-{c.pk}", ""))
        return found
