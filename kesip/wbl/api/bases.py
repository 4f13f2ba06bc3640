"""The API of the institution's own WBL bases (F1; п. 3, п. 10): the same service as the pages.

A refused save answers 400 with the first broken rule and all of them in `violations`; another
institution's base answers 404; related ids are looked up only among records the user may see.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import StaffMember
from kesip.wbl import bases
from kesip.wbl.api.employers import EmployerPersonSerializer
from kesip.wbl.api.engagement import REFUSED
from kesip.wbl.models import WblBase


class WblBaseSerializer(core_api.ScopedSerializer):
    host = serializers.PrimaryKeyRelatedField(
        read_only=True,
        help_text="The base's host record: the `employer` of its placements, workplaces, mentors and the head's orders.",
    )

    class Meta:
        model = WblBase
        fields = ["id", "institution", *bases.BASE_FIELDS, "host"]
        validators = []  # the service answers a twin name with its rule beside the field

    def validate(self, attrs):
        return super(core_api.ScopedSerializer, self).validate(attrs)  # the service checks the record


class BaseMentorSerializer(serializers.Serializer):
    staff = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.none(), help_text="A working staff member.")
    qualification = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")
    experience_years = serializers.IntegerField(min_value=0, max_value=70, required=False, allow_null=True, default=None)

    def __init__(self, *args, base=None, **kwargs):
        super().__init__(*args, **kwargs)
        if base is not None:
            self.fields["staff"].queryset = StaffMember.objects.filter(institution_id=base.institution_id)


class WblBaseViewSet(core_api.ScopedViewSet):
    """The institution's own WBL bases: workshops, educational-production complexes, incubators, technoparks (п. 3, п. 10)."""

    queryset = WblBase.objects.all()
    serializer_class = WblBaseSerializer
    filterset_fields = ["institution", "kind", "is_active", "specialties", "head"]
    search_fields = ["name", "address", "equipment"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("institution", "head").prefetch_related("specialties")

    def _save(self, base, data):
        data = dict(data)
        specialties = data.pop("specialties", None)
        for name, value in data.items():
            setattr(base, name, value)
        return bases.save_base(base, self.request.user, None if specialties is None else list(specialties))

    @extend_schema(responses={201: WblBaseSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        base = self._save(WblBase(), data.validated_data)
        return Response(self.get_serializer(base).data, status=201)

    @extend_schema(responses={200: WblBaseSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        base = self.get_object()
        data = self.get_serializer(base, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(self._save(base, data.validated_data)).data)

    @extend_schema(responses={200: WblBaseSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(request=BaseMentorSerializer, responses={201: EmployerPersonSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def mentors(self, request, pk=None):
        """Register one of the institution's staff as a mentor of the base (п. 10): a person of its `host`."""
        base = self.get_object()
        data = BaseMentorSerializer(data=request.data, base=base)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        person = bases.add_mentor(base, d["staff"], request.user, d["qualification"], d["experience_years"])
        return Response(EmployerPersonSerializer(person, context=self.get_serializer_context()).data, status=201)


def register(router):
    router.register("wbl-bases", WblBaseViewSet, basename="wbl-base")
