"""The API of the plan of measures supporting the educational process, developed with the employers (F8; п. 56 item 1).

The same service as the pages: a refused save answers 400 with every broken rule beside its field;
another institution's measure answers 404.
"""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import Employer
from kesip.wbl import support_measures as svc
from kesip.wbl.api.engagement import REFUSED
from kesip.wbl.models import SupportMeasure


class SupportMeasureSerializer(core_api.ScopedSerializer):
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.none(), required=False, allow_null=True)

    class Meta:
        model = SupportMeasure
        fields = ["id", "institution", "academic_year", "text", "responsible", "employer", "due_on", "status", "done_on"]
        extra_kwargs = {"institution": {"required": False, "help_text": "Empty: the one institution you keep plans of."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None and getattr(request, "user", None) is not None:
            self.fields["employer"].queryset = Employer.objects.partners().for_user(request.user)

    def validate(self, attrs):
        return attrs  # the service checks the record and answers each problem beside its field


class SupportMeasureViewSet(core_api.ScopedViewSet):
    """The year's plan of measures supporting the educational process (filter by academic_year and employer)."""

    queryset = SupportMeasure.objects.all()
    serializer_class = SupportMeasureSerializer
    filterset_fields = ["institution", "academic_year", "employer", "status"]
    search_fields = ["text", "responsible"]

    def get_queryset(self):
        return super().get_queryset().select_related("employer").order_by("-academic_year", "due_on", "pk")

    def _save(self, measure, data):
        for name, value in data.items():
            setattr(measure, name, value)
        if not measure.institution_id:
            scope = core_api.access.scope_for(self.request.user, SupportMeasure, "change")
            ids = sorted(scope.institution_ids)
            measure.institution_id = ids[0] if len(ids) == 1 else None
        return svc.save(measure, self.request.user)

    @extend_schema(responses={201: SupportMeasureSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(self._save(SupportMeasure(), data.validated_data)).data, status=201)

    @extend_schema(responses={200: SupportMeasureSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        measure = self.get_object()
        data = self.get_serializer(measure, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        validated = {k: v for k, v in data.validated_data.items() if k != "institution"}  # a measure stays where it is
        return Response(self.get_serializer(self._save(measure, validated)).data)

    @extend_schema(responses={200: SupportMeasureSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    def perform_destroy(self, instance):
        svc.delete(instance, self.request.user)


def register(router):
    router.register("support-measures", SupportMeasureViewSet, basename="support-measure")
