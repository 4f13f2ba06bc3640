"""The API of the institution's briefings of employers and mentors on conducting WBL (F15; п. 56 item 4).

The same service as the pages: a refused save answers 400 with every broken rule beside its field;
another institution's briefing answers 404; the employer's users read their employer's briefings.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import Employer, StaffMember
from kesip.wbl import employers as svc
from kesip.wbl.api.engagement import REFUSED
from kesip.wbl.models import EmployerBriefing, EmployerPerson


class EmployerBriefingSerializer(core_api.ScopedSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.none())
    conducted_by = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.none())
    attendees = serializers.PrimaryKeyRelatedField(queryset=EmployerPerson.objects.none(), many=True)

    class Meta:
        model = EmployerBriefing
        fields = ["id", "institution", "employer", "held_on", "conducted_by", "topics", "attendees"]
        read_only_fields = ["institution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None:
            self.fields["employer"].queryset = Employer.objects.for_user(user)
            self.fields["conducted_by"].queryset = StaffMember.objects.for_user(user)
            self.fields["attendees"].child_relation.queryset = EmployerPerson.objects.for_user(user)

    def validate(self, attrs):
        return attrs  # the service checks the record and answers each problem beside its field


class EmployerBriefingViewSet(core_api.ScopedViewSet):
    """Briefings of an employer's head, representative and mentors by the institution on conducting WBL."""

    queryset = EmployerBriefing.objects.all()
    serializer_class = EmployerBriefingSerializer
    filterset_fields = ["employer", "held_on", "conducted_by"]
    search_fields = ["topics"]

    def get_queryset(self):
        return super().get_queryset().select_related("employer", "conducted_by").prefetch_related("attendees")

    def _save(self, briefing, data):
        data = dict(data)
        attendees = data.pop("attendees", None)
        for name, value in data.items():
            setattr(briefing, name, value)
        if attendees is None:
            attendees = list(briefing.attendees.all()) if briefing.pk else []
        return svc.save_briefing(briefing, self.request.user, attendees)

    @extend_schema(responses={201: EmployerBriefingSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        briefing = self._save(EmployerBriefing(), data.validated_data)
        return Response(self.get_serializer(briefing).data, status=201)

    @extend_schema(responses={200: EmployerBriefingSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        briefing = self.get_object()
        data = self.get_serializer(briefing, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(self._save(briefing, data.validated_data)).data)

    @extend_schema(responses={200: EmployerBriefingSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        svc.delete_briefing(instance, self.request.user)


def register(router):
    router.register("employer-briefings", EmployerBriefingViewSet, basename="employer-briefing")
