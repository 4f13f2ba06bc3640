"""Forms of a student's life: enrolment of a new student, a movement by order, individual curriculum, exemption."""

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from kesip.core.forms import DATE
from kesip.core.models import Student, StudyGroup
from kesip.curriculum.models import DistanceExemption, IndividualCurriculum
from kesip.curriculum.students_services import STEPS

# A scan of a granting document: a PDF or a picture, small enough for a slow link.
SCAN_MAX_BYTES = getattr(settings, "KESIP_SCAN_MAX_BYTES", 5 * 1024 * 1024)
SCAN_TYPES = {".pdf": (b"%PDF-",), ".jpg": (b"\xff\xd8\xff",), ".jpeg": (b"\xff\xd8\xff",), ".png": (b"\x89PNG\r\n\x1a\n",)}


def validate_scan(upload):
    """A PDF, JPEG or PNG file of at most SCAN_MAX_BYTES whose content is what its name says."""
    if not isinstance(upload, UploadedFile):
        return  # the scan already stored is not checked again
    if upload.size > SCAN_MAX_BYTES:
        raise ValidationError(_("The scan is larger than %(mb)s MB.") % {"mb": SCAN_MAX_BYTES // (1024 * 1024)})
    suffix = Path(upload.name or "").suffix.lower()
    if suffix not in SCAN_TYPES:
        raise ValidationError(_("Upload the scan as a PDF, JPEG or PNG file."))
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(magic) for magic in SCAN_TYPES[suffix]):
        raise ValidationError(_("The file is not a readable %(type)s.") % {"type": suffix.lstrip(".").upper()})


class OrderFields(forms.Form):
    """The order a movement rests on: its number, its date and the day it takes effect."""

    order_number = forms.CharField(label=_("Order number"), max_length=32)
    order_date = forms.DateField(label=_("Order date"), widget=DATE)
    on = forms.DateField(label=_("Effective from"), widget=DATE)


class MovementForm(OrderFields):
    """One step of a student's life; only the fields the step needs are shown."""

    to_group = forms.ModelChoiceField(label=_("To group"), queryset=StudyGroup.objects.none())
    leave_until = forms.DateField(label=_("Leave until"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=255)

    def __init__(self, *args, student=None, kind=None, **kwargs):
        kwargs.setdefault("prefix", kind)
        super().__init__(*args, **kwargs)
        step = STEPS[kind]
        self.step = step
        if step.to_group:
            groups = StudyGroup.objects.filter(institution_id=student.institution_id, is_active=True).select_related("programme")
            if kind == "transfer" and student.group_id:
                groups = groups.exclude(pk=student.group_id)
            self.fields["to_group"].queryset = groups.order_by("-intake_year", "name")
            self.fields["to_group"].required = step.to_group == "required"
            if step.to_group == "optional":
                self.fields["to_group"].help_text = _("Leave empty to return to the same group.")
            elif kind in ("reinstatement", "enrolment") and student.group_id:
                self.initial.setdefault("to_group", student.group_id)
        else:
            del self.fields["to_group"]
        if not step.needs_leave_until:
            del self.fields["leave_until"]
        if not step.needs_reason:
            self.fields["reason"].required = False
            self.fields["reason"].label = _("Note")


class EnrolForm(forms.ModelForm):
    """A new student enrolled into the group by order: personal data and the order in one form."""

    order_number = forms.CharField(label=_("Order number"), max_length=32)
    order_date = forms.DateField(label=_("Order date"), widget=DATE)
    on = forms.DateField(label=_("Effective from"), widget=DATE)

    class Meta:
        model = Student
        fields = [*Student.PERSON_FIELDS, "student_number", "funding", "special_needs"]
        widgets = {"birth_date": DATE}

    def __init__(self, *args, group=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        self.instance.institution = group.institution
        self.instance.group = group

    def _get_validation_exclusions(self):
        # Uniqueness of the personal number and record book is per institution: check it here.
        return super()._get_validation_exclusions() - {"institution", "group"}


class IndividualCurriculumForm(forms.ModelForm):
    class Meta:
        model = IndividualCurriculum
        fields = ["kind", "basis", "approved_on", "note"]
        widgets = {"approved_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}


class ExemptionForm(forms.ModelForm):
    class Meta:
        model = DistanceExemption
        fields = ["reason", "document", "document_date", "valid_from", "valid_until", "scan"]
        widgets = {"document_date": DATE, "valid_from": DATE, "valid_until": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scan"].validators.append(validate_scan)
        self.fields["scan"].help_text = _("PDF, JPEG or PNG, at most %(mb)s MB.") % {"mb": SCAN_MAX_BYTES // (1024 * 1024)}
        self.fields["scan"].widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png"
