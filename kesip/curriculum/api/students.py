"""The API of a student's life: movements by order, individual curricula, remote-study exemptions, the remote check.

The same services and rules as the pages (`kesip.curriculum.students_services`): a movement is
created only by taking its step, and a refused step answers 400 with `{"code", "message",
"source", "field"}`. Movements are history: they are never changed or deleted.
"""

from django.db import transaction
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import Student
from kesip.curriculum import students_services as services
from kesip.curriculum.api.design import ViolationSerializer
from kesip.curriculum.models import DistanceExemption, IndividualCurriculum, Movement
from kesip.curriculum.students_forms import validate_scan
from kesip.curriculum.students_rules import load_remote_check


class MovementSerializer(core_api.ScopedSerializer):
    class Meta:
        model = Movement
        fields = ["id", "student", "kind", "on", "order_number", "order_date", "from_group", "to_group", "leave_until", "reason",
                  "recorded_by", "created_at"]  # fmt: skip
        read_only_fields = ["from_group", "recorded_by", "created_at"]

    def validate(self, attrs):
        return attrs  # the step itself checks everything (students_services.take_step)


class MovementViewSet(core_api.ScopedViewSet):
    """A student's movements by order; `POST` takes the step (enrolment, transfer, leave, return, expulsion, …)."""

    queryset = Movement.objects.all()
    serializer_class = MovementSerializer
    filterset_fields = ["student", "kind", "student__group", "from_group", "to_group"]
    select_related = ("student",)
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        responses={
            201: MovementSerializer,
            400: OpenApiResponse(
                inline_serializer(
                    "MovementRefused",
                    {
                        "code": serializers.CharField(),
                        "message": serializers.CharField(),
                        "source": serializers.CharField(),
                        "field": serializers.CharField(allow_null=True),
                    },
                )
            ),
        }
    )
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        movement = services.take_step(
            d["student"],
            d["kind"],
            request.user,
            order_number=d.get("order_number", ""),
            order_date=d.get("order_date"),
            on=d.get("on"),
            to_group=d.get("to_group"),
            leave_until=d.get("leave_until"),
            reason=d.get("reason", ""),
        )
        return Response(self.get_serializer(movement).data, status=201)


class IndividualEntrySerializer(serializers.Serializer):
    component = serializers.IntegerField()
    year = serializers.IntegerField(min_value=1, max_value=6)
    semester = serializers.IntegerField(min_value=1, max_value=2)
    hours = serializers.IntegerField(min_value=0, max_value=10000)
    distance_hours = serializers.IntegerField(min_value=0, max_value=10000, default=0)

    def to_representation(self, e):
        return dict(component=e.component_id, year=e.year, semester=e.semester, hours=e.hours, distance_hours=e.distance_hours)


class IndividualCurriculumSerializer(core_api.ScopedSerializer):
    entries = IndividualEntrySerializer(many=True, required=False)

    class Meta:
        model = IndividualCurriculum
        fields = ["id", "student", "kind", "basis", "approved_on", "note", "entries"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["student"].read_only = True

    def validate(self, attrs):
        student = attrs.get("student") or getattr(self.instance, "student", None)
        if student is not None:
            attrs["institution"] = student.institution
        if self.instance is None and student is not None and IndividualCurriculum.objects.filter(student=student).exists():
            raise serializers.ValidationError({"student": _("The student already has an individual curriculum.")})
        entries = attrs.pop("entries", None)
        attrs = super().validate(attrs)
        if entries is not None:
            cells = {}
            for e in entries:
                key = (e["component"], e["year"], e["semester"])
                if key in cells:
                    raise serializers.ValidationError({"entries": _("A component appears twice in the same semester.")})
                cells[key] = (e["hours"], e.get("distance_hours", 0))
            attrs["entries"] = cells
        return attrs

    def _save(self, plan, cells, user):
        with transaction.atomic():
            plan = services.save_individual_curriculum(plan, user)
            if cells is not None:
                services.save_individual_entries(plan, cells)
        return IndividualCurriculum.objects.prefetch_related("entries").get(pk=plan.pk)

    def create(self, validated):
        cells = validated.pop("entries", None)
        return self._save(IndividualCurriculum(**validated), cells, self.context["request"].user)

    def update(self, plan, validated):
        cells = validated.pop("entries", None)
        for k, v in validated.items():
            setattr(plan, k, v)
        return self._save(plan, cells, self.context["request"].user)


class IndividualCurriculumViewSet(core_api.ScopedViewSet):
    """Special and individual curricula of students with SEN; `entries` replace the working curriculum's components."""

    queryset = IndividualCurriculum.objects.all()
    serializer_class = IndividualCurriculumSerializer
    filterset_fields = ["student", "kind", "student__group"]
    select_related = ("student",)

    def get_queryset(self):
        return super().get_queryset().prefetch_related("entries")


class ExemptionSerializer(core_api.ScopedSerializer):
    scan = serializers.FileField(required=False, allow_null=True, write_only=True, validators=[validate_scan])
    has_scan = serializers.SerializerMethodField()

    class Meta:
        model = DistanceExemption
        fields = ["id", "student", "reason", "document", "document_date", "valid_from", "valid_until", "scan", "has_scan"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["student"].read_only = True

    @extend_schema_field(serializers.BooleanField())
    def get_has_scan(self, exemption):
        return bool(exemption.scan)

    def validate(self, attrs):
        student = attrs.get("student") or getattr(self.instance, "student", None)
        if student is not None:
            attrs["institution"] = student.institution
        if attrs.get("scan") is None:
            attrs.pop("scan", None)  # keep the stored scan
        return super().validate(attrs)

    def _clean_exclusions(self):
        return [*super()._clean_exclusions(), "scan"]

    def create(self, validated):
        return services.save_exemption(DistanceExemption(**validated), self.context["request"].user)

    def update(self, exemption, validated):
        for k, v in validated.items():
            setattr(exemption, k, v)
        return services.save_exemption(exemption, self.context["request"].user)


class RemoteExemptionSerializer(serializers.ModelSerializer):
    class Meta:
        model = DistanceExemption
        fields = ["id", "reason", "document", "document_date", "valid_from", "valid_until"]


class RemoteCheckSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    on = serializers.DateField(help_text="The day the check speaks of (today, within the group's study period).")
    total_hours = serializers.IntegerField()
    remote_hours = serializers.IntegerField()
    share = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="Per cent, rounded up.")
    cap = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    cap_source = serializers.CharField(allow_blank=True)
    individual = serializers.BooleanField(help_text="Counted on the individual curriculum in place of the working curriculum.")
    has_curriculum = serializers.BooleanField()
    exemption = RemoteExemptionSerializer(
        allow_null=True, help_text="The exemption that lifts the cap, if the share is above it."
    )
    violations = ViolationSerializer(many=True)


class DistanceExemptionViewSet(core_api.ScopedViewSet):
    """Remote-study exemptions (SEN, temporary limitation, competitions); `remote-check` tells a student's share and cap."""

    queryset = DistanceExemption.objects.all()
    serializer_class = ExemptionSerializer
    filterset_fields = ["student", "reason", "student__group"]
    select_related = ("student__institution",)

    @extend_schema(
        parameters=[OpenApiParameter("student", int, required=True, description="The student's id")],
        responses={200: RemoteCheckSerializer},
    )
    @action(detail=False, methods=["get"], url_path="remote-check")
    def remote_check(self, request):
        raw = request.query_params.get("student", "")
        if not raw.isdigit():
            raise serializers.ValidationError({"student": _("Give the student's id.")})
        try:
            student = (
                Student.objects.for_user(request.user)
                .select_related("institution", "group__programme", "individual_curriculum")
                .get(pk=int(raw))
            )
        except Student.DoesNotExist:
            raise Http404 from None
        check = load_remote_check(student)
        return Response(
            RemoteCheckSerializer(
                {
                    "student": student.pk,
                    "on": check.on,
                    "total_hours": check.total,
                    "remote_hours": check.remote,
                    "share": check.share,
                    "cap": check.cap.value if check.cap else None,
                    "cap_source": check.cap.source if check.cap else "",
                    "individual": check.individual,
                    "has_curriculum": check.has_curriculum,
                    "exemption": check.exemption,
                    "violations": [v.as_dict() for v in check.violations],
                }
            ).data
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def scan(self, request, pk=None):
        exemption = self.get_object()
        if not exemption.scan:
            raise Http404
        try:
            handle = exemption.scan.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=exemption.scan.name.rsplit("/", 1)[-1])
