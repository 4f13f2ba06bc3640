"""The form of an institution's WBL base (F1; п. 3, п. 10): choices only of the institution's records."""

from django import forms
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from kesip.core.models import Specialty, StaffMember
from kesip.wbl.models import WblBase


class BaseForm(forms.ModelForm):
    class Meta:
        model = WblBase
        fields = ["kind", "name", "head", "address", "places", "equipment", "specialties", "is_active"]
        widgets = {
            "equipment": forms.Textarea(attrs={"rows": 4}),
            "specialties": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, institution=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.institution = institution
        head = self.instance.head_id or 0
        self.fields["head"].queryset = StaffMember.objects.filter(institution=institution).filter(Q(is_active=True) | Q(pk=head))
        self.fields["specialties"].queryset = Specialty.objects.filter(jurisdiction=institution.jurisdiction).order_by("code")
        self.fields["places"].help_text = _("How many learners the base takes at a time: a placement beyond them is refused.")
        self.fields["head"].help_text = _("Appoints the base's mentors by order (п. 10).")

    def _post_clean(self):
        # The service checks the record and answers each problem beside its field (no unique check here).
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)


class MentorForm(forms.Form):
    """One of the institution's working staff, to mentor learners at its own base (п. 10)."""

    staff = forms.ModelChoiceField(label=_("Staff member"), queryset=StaffMember.objects.none())
    qualification = forms.CharField(label=capfirst(_("qualification or grade")), max_length=255, required=False)
    experience_years = forms.IntegerField(label=capfirst(_("years of experience")), min_value=0, max_value=70, required=False)

    def __init__(self, *args, base=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff"].queryset = (
            StaffMember.objects.filter(institution_id=base.institution_id, is_active=True)
            .exclude(pk__in=base.host.people.exclude(staff=None).values("staff") if base.host_id else [])
            .order_by("last_name", "first_name", "pk")
        )
        self.fields["staff"].label_from_instance = lambda s: f"{s} · {s.position}" if s.position else str(s)
        self.fields["staff"].help_text = _("Masters of industrial training and teachers of the institution.")
