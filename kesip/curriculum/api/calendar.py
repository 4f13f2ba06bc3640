"""The calendar schedule API: schedules with their periods, the periods themselves, and the VR-17 question.

The same services and rules as the pages: a period of an approved schedule is not changed (400
with the rule's code, message, source and field), `violations` lists every broken rule, `step`
approves or reopens, and `practice-window` answers whether dates lie within an approved practice
period of a group's calendar (KG п. 27).
"""

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import StudyGroup
from kesip.core.rules import RuleViolation
from kesip.curriculum import calendar_rules, calendar_services
from kesip.curriculum.api.design import ViolationSerializer, refused, visible
from kesip.curriculum.models import CalendarPeriod, CalendarSchedule, Component
from kesip.curriculum.services import ProgrammeInvalid

FROZEN = "curriculum.calendar.frozen"


def _frozen():
    return RuleViolation(FROZEN, _("The schedule is approved: reopen it before changing it."), "", "schedule")


class CalendarPeriodSerializer(core_api.ScopedSerializer):
    days = serializers.IntegerField(read_only=True)

    class Meta:
        model = CalendarPeriod
        fields = ["id", "schedule", "kind", "starts_on", "ends_on", "component", "note", "days"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["schedule"].read_only = True

    def validate(self, attrs):
        schedule = attrs.get("schedule") or (self.instance.schedule if self.instance else None)
        if schedule is not None:
            if not schedule.is_editable:
                raise _frozen()
            attrs["institution"] = schedule.institution
        return super().validate(attrs)


class CalendarScheduleSerializer(serializers.ModelSerializer):
    year_of_study = serializers.IntegerField(
        required=False, min_value=1, max_value=6, help_text="Counted from the group's intake year when left out."
    )
    starts_on = serializers.DateField(read_only=True)
    ends_on = serializers.DateField(read_only=True)
    periods = CalendarPeriodSerializer(many=True, read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft or approved")

    class Meta:
        model = CalendarSchedule
        fields = [
            "id",
            "institution",
            "group",
            "academic_year",
            "year_of_study",
            "practice_mode",
            "note",
            "status",
            "approved_on",
            "approved_by",
            "starts_on",
            "ends_on",
            "periods",
        ]
        read_only_fields = ["institution", "status", "approved_on", "approved_by"]
        validators = []  # one schedule per group and year: the service says so in words

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["group"].read_only = True
        elif request is not None:
            self.fields["group"].queryset = StudyGroup.objects.for_user(request.user, "change")


class CalendarScheduleViewSet(core_api.ScopedViewSet):
    """Calendar schedules of groups, one per academic year, with their periods (read-only here: see calendar-periods).

    `violations` lists every broken rule with its clause, `step` approves (approve_calendar) or reopens,
    `practice-window` answers whether dates lie within an approved practice period of a group's calendar.
    """

    queryset = CalendarSchedule.objects.all()
    serializer_class = CalendarScheduleSerializer
    filterset_fields = ["institution", "group", "academic_year", "year_of_study", "status", "practice_mode"]
    select_related = ("group",)

    def get_queryset(self):
        periods = CalendarPeriod.objects.order_by("starts_on", "ends_on", "pk")
        return super().get_queryset().prefetch_related(Prefetch("periods", queryset=periods))

    def _fresh(self, pk):
        periods = CalendarPeriod.objects.order_by("starts_on", "ends_on", "pk")
        return self.get_serializer(
            CalendarSchedule.objects.prefetch_related(Prefetch("periods", queryset=periods)).get(pk=pk)
        ).data

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        schedule = calendar_services.open_calendar(
            v["group"],
            v["academic_year"],
            v["practice_mode"],
            request.user,
            year_of_study=v.get("year_of_study"),
            note=v.get("note", ""),
        )
        return Response(self._fresh(schedule.pk), status=201)

    def update(self, request, *args, **kwargs):
        schedule = self.get_object()
        if not schedule.is_editable:
            raise _frozen()
        data = self.get_serializer(schedule, data=request.data, partial=kwargs.get("partial", False))
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k in calendar_services.SCHEDULE_FIELDS}
        calendar_services.change_calendar(schedule, request.user, **fields)
        return Response(self._fresh(schedule.pk))

    def perform_destroy(self, instance):
        calendar_services.delete_calendar(instance, self.request.user)

    @extend_schema(responses=ViolationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def violations(self, request, pk=None):
        return Response([v.as_dict() for v in calendar_rules.calendar_violations(self.get_object())])

    @extend_schema(
        request=inline_serializer("CalendarStep", {"step": serializers.CharField(help_text="approve or reopen")}),
        responses={
            200: CalendarScheduleSerializer,
            400: OpenApiResponse(
                inline_serializer(
                    "CalendarStepRefused",
                    {
                        "code": serializers.CharField(),
                        "message": serializers.CharField(),
                        "violations": ViolationSerializer(many=True),
                    },
                )
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def step(self, request, pk=None):
        schedule = visible(CalendarSchedule, request.user, pk)
        name = request.data.get("step")
        if name not in ("approve", "reopen"):
            raise serializers.ValidationError({"step": _("Choose approve or reopen.")})
        if not calendar_services.may_approve(request.user, schedule.institution_id):
            raise PermissionDenied(_("You may not take this step."))
        try:
            if name == "approve":
                calendar_services.approve_calendar(schedule, request.user)
            else:
                calendar_services.reopen_calendar(schedule, request.user)
        except ProgrammeInvalid as invalid:
            return refused("curriculum.calendar.invalid", _("The schedule breaks %(count)s rules."), invalid)
        return Response(self._fresh(schedule.pk))

    @extend_schema(
        parameters=[
            inline_serializer(
                "PracticeWindowQuery",
                {
                    "group": serializers.IntegerField(),
                    "starts_on": serializers.DateField(),
                    "ends_on": serializers.DateField(),
                    "component": serializers.IntegerField(required=False),
                },
            )
        ],
        responses=inline_serializer(
            "PracticeWindow",
            {
                "within": serializers.BooleanField(),
                "periods": CalendarPeriodSerializer(many=True),
                "violation": ViolationSerializer(allow_null=True),
            },
        ),
    )
    @action(detail=False, methods=["get"], url_path="practice-window", filter_backends=[], pagination_class=None)
    def practice_window(self, request):
        """Whether the dates lie within an approved practice period of the group's calendar (VR-17), and which ones."""
        query = PracticeWindowQuery(data=request.query_params, context={"request": request})
        query.is_valid(raise_exception=True)
        q = query.validated_data
        group, component = q["group"], q.get("component")
        covering = list(
            CalendarPeriod.objects.covering(group, q["starts_on"], q["ends_on"], component).order_by("starts_on", "pk")
        )
        try:
            calendar_rules.practice_window(group, q["starts_on"], q["ends_on"], component)
            violation = None
        except RuleViolation as v:
            violation = v.as_dict()
        return Response(
            {
                "within": bool(covering),
                "periods": CalendarPeriodSerializer(covering, many=True, context={"request": request}).data,
                "violation": violation,
            }
        )


class PracticeWindowQuery(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=StudyGroup.objects.none())
    starts_on = serializers.DateField()
    ends_on = serializers.DateField()
    component = serializers.PrimaryKeyRelatedField(queryset=Component.objects.none(), required=False, allow_null=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.context["request"].user
        self.fields["group"].queryset = StudyGroup.objects.for_user(user)
        self.fields["component"].queryset = Component.objects.for_user(user)

    def validate(self, attrs):
        if attrs["ends_on"] < attrs["starts_on"]:
            raise serializers.ValidationError({"ends_on": _("Practice cannot end before it starts.")})
        return attrs


class CalendarPeriodViewSet(core_api.ScopedViewSet):
    """Typed periods of calendar schedules; a period of an approved schedule is not changed until it is reopened."""

    queryset = CalendarPeriod.objects.all()
    serializer_class = CalendarPeriodSerializer
    filterset_fields = ["schedule", "schedule__group", "kind", "component"]
    select_related = ("schedule",)

    def perform_create(self, serializer):
        v = serializer.validated_data
        fields = {k: v[k] for k in calendar_services.PERIOD_FIELDS if k in v}
        serializer.instance = calendar_services.add_period(v["schedule"], self.request.user, **fields)

    def update(self, request, *args, **kwargs):
        if not self.get_object().schedule.is_editable:
            raise _frozen()
        return super().update(request, *args, **kwargs)

    def perform_update(self, serializer):
        v = serializer.validated_data
        fields = {k: v[k] for k in calendar_services.PERIOD_FIELDS if k in v}
        serializer.instance = calendar_services.change_period(serializer.instance, self.request.user, **fields)

    def perform_destroy(self, instance):
        calendar_services.delete_period(instance, self.request.user)
