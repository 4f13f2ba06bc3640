"""The form of an institution's WBL base (F1; п. 3, п. 10): choices only of the institution's records."""

from django import forms
from django.db.models import Q

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

    def _post_clean(self):
        # The service checks the record and answers each problem beside its field (no unique check here).
        opts = self._meta
        self.instance = forms.models.construct_instance(self, self.instance, opts.fields, opts.exclude)
