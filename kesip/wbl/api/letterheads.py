"""`employer-letterheads`: the employer's letterhead (F2) — the logo, the lines under the name, the INN / BIN.

One per employer. Written as multipart (the logo is a file) or JSON (without the logo); `logo: null`
removes the logo. `GET …/{id}/logo/` answers the picture and `GET …/{id}/sample/?format=pdf|docx&lang=…`
a page printed on the letterhead. The same step as the page (`kesip.wbl.letterheads.save_letterhead`).
"""

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.decorators import action

from kesip.core import api as core_api
from kesip.wbl import letterheads
from kesip.wbl.api.documents import document_action
from kesip.wbl.api.employers import REFUSED, EmployerBoundSerializer, ProtectedDeleteMixin, SavingMixin
from kesip.wbl.models import EmployerLetterhead
from kesip.wbl.models.employers import validate_logo


class EmployerLetterheadSerializer(EmployerBoundSerializer):
    logo = serializers.FileField(
        required=False,
        allow_null=True,
        write_only=True,
        validators=[validate_logo],
        help_text="PNG or JPEG, at most 2 MB, 32 to 5000 pixels a side; null removes it.",
    )
    has_logo = serializers.SerializerMethodField()
    lines = serializers.SerializerMethodField(help_text="The letterhead as documents print it, from the top.")

    class Meta:
        model = EmployerLetterhead
        fields = ["id", "institution", "employer", "logo", "has_logo", "details", "show_tax_id", "lines"]
        read_only_fields = ["institution"]
        extra_kwargs = {"employer": {"validators": []}}

    @extend_schema_field(serializers.BooleanField())
    def get_has_logo(self, letterhead):
        return bool(letterhead.logo)

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_lines(self, letterhead):
        return list(letterheads.lines_of(letterhead.employer, letterhead))

    def validate_employer(self, employer):
        if EmployerLetterhead.objects.filter(employer=employer).exists():
            raise serializers.ValidationError(_("This employer already has a letterhead: change it instead."))
        return employer

    def validate(self, attrs):
        if "logo" in attrs and attrs["logo"] is None:
            attrs["logo"] = ""
        return super().validate(attrs)


def _sample_page(request, pk):
    """The sample of a letterhead the caller may see (the action has checked the scope)."""
    letterhead = EmployerLetterhead.objects.select_related("employer__institution").get(pk=pk)
    return letterheads.sample_response(request, letterhead.employer, letterhead)


class EmployerLetterheadViewSet(SavingMixin, ProtectedDeleteMixin, core_api.ScopedViewSet):
    """The employers' letterheads, printed on the documents each employer issues."""

    queryset = EmployerLetterhead.objects.all()
    select_related = ("employer",)  # the lines print the employer's name, address and INN / BIN
    serializer_class = EmployerLetterheadSerializer
    filterset_fields = ["employer"]
    save_step = staticmethod(letterheads.save_letterhead)
    delete_step = staticmethod(letterheads.delete_letterhead)

    @extend_schema(responses={201: EmployerLetterheadSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: EmployerLetterheadSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={(200, "image/*"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def logo(self, request, pk=None):
        return letterheads.logo_response(self.get_object())

    sample = document_action(
        lambda request, pk: _sample_page(request, pk),
        "sample",
        "sample",
        "A page printed on the letterhead, as the employer's documents begin.",
    )


def register(router):
    router.register("employer-letterheads", EmployerLetterheadViewSet, basename="employer-letterhead")
