"""The API of learners' part-time work, rewards and measures, and mentors' requests: the same services and rules as the pages.

A refused step answers 400 with the first broken rule (`code`, `message`, `source`, `field`) and all of
them in `violations` (the project's exception handler). A decision by anyone but the employer's head
answers 403 (VR-50, VR-51); another institution's record answers 404.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import engagement
from kesip.wbl.models import Decision, EmployerPerson, Incentive, MentorRequest, PartTimeJob, Placement
from kesip.wbl.views.internships import validate_upload

REFUSED = OpenApiResponse(
    inline_serializer(
        "EngagementRefused",
        {
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "source": serializers.CharField(),
            "field": serializers.CharField(allow_null=True),
            "violations": ViolationSerializer(many=True),
        },
    ),
    description="Every broken rule; nothing was saved.",
)


class EngagementPermission(core_api.ScopedPermission):
    """Reading needs view_wbl; a mentor or an employer's head writes without change_wbl: the services check who acts."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return access.has_perm(user, "view_wbl")
        if super().has_permission(request, view):
            return True
        return access.has_perm(user, "view_wbl") and bool(engagement.people_of(user))


# --- Part-time work ---------------------------------------------------------------------------------------


class PartTimeJobSerializer(core_api.ScopedSerializer):
    class Meta:
        model = PartTimeJob
        fields = ["id", "institution", *engagement.JOB_FIELDS]
        extra_kwargs = {"institution": {"required": False, "help_text": "Empty: the learner's institution."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contract"].validators.append(validate_upload)
        user = getattr(self.context.get("request"), "user", None)
        scope = access.scope_for(user, PartTimeJob, "change") if user is not None else None
        if scope is not None and scope.employer_ids and not (scope.everything or scope.institution_ids):
            # The employer's representative: its own employer, and the learners placed with it.
            from kesip.core.models import Employer, Student

            self.fields["employer"].queryset = Employer.objects.filter(pk__in=scope.employer_ids)
            self.fields["student"].queryset = Student.objects.filter(placements__employer_id__in=scope.employer_ids).distinct()

    def validate(self, attrs):
        if self.instance is None and not attrs.get("institution") and attrs.get("student"):
            attrs["institution"] = attrs["student"].institution
        return super().validate(attrs)


class EndSerializer(serializers.Serializer):
    ends_on = serializers.DateField(help_text="The last day of the work: from its first to its planned last day.")


class PartTimeJobViewSet(core_api.ScopedViewSet):
    """Learners' part-time jobs in vacations or free time (п. 13, VR-49); recorded by the institution's WBL staff or
    the employer's representative."""

    queryset = PartTimeJob.objects.all()
    serializer_class = PartTimeJobSerializer
    filterset_fields = ["institution", "student", "employer", "when"]

    def get_queryset(self):
        act = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        return PartTimeJob.objects.for_user(self.request.user, act).select_related("student", "employer").order_by("pk")

    @extend_schema(responses={201: PartTimeJobSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        job = engagement.save_job(PartTimeJob(**data.validated_data), request.user)
        return Response(self.get_serializer(job).data, status=201)

    @extend_schema(responses={200: PartTimeJobSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        job = self.get_object()
        data = self.get_serializer(job, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(job, name, value)
        return Response(self.get_serializer(engagement.save_job(job, request.user)).data)

    def perform_destroy(self, instance):
        engagement.delete_job(instance, self.request.user)

    @extend_schema(request=EndSerializer, responses={200: PartTimeJobSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def end(self, request, pk=None):
        job = self.get_object()
        data = EndSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return Response(self.get_serializer(engagement.end_job(job, data.validated_data["ends_on"], request.user)).data)


# --- Decisions shared by rewards and requests ---------------------------------------------------------------


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, help_text="Needed to reject.")


FORBIDDEN = OpenApiResponse(description="Not the employer's head: only the head decides (VR-50, VR-51).")


def decided(serializer):
    """The schema of the approve and reject actions of a viewset whose records the employer's head decides."""
    step = extend_schema(request=DecisionSerializer, responses={200: serializer, 400: REFUSED, 403: FORBIDDEN})
    return extend_schema_view(approve=step, reject=step)


class _Decided(core_api.ScopedViewSet):
    permission_classes = [EngagementPermission]
    step = None  # the service that decides
    steps = None  # the service that lists the user's steps

    def _decide(self, request, decision):
        record = self.get_object()
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if "decide" not in type(self).steps(record, request.user):
            raise PermissionDenied("Only the employer's head decides.")
        record = type(self).step(record, decision, request.user, note=data.validated_data.get("note", ""))
        return Response(self.get_serializer(record).data)

    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, Decision.APPROVED)

    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, Decision.REJECTED)


# --- Rewards and measures ---------------------------------------------------------------------------------


class IncentiveSerializer(serializers.ModelSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.none(), required=False, allow_null=True, help_text="The learner's placement; or give mentor."
    )
    mentor = serializers.PrimaryKeyRelatedField(
        queryset=EmployerPerson.objects.none(), required=False, allow_null=True, help_text="The mentor rewarded."
    )

    class Meta:
        model = Incentive
        fields = ["id", "institution", "employer", "placement", "mentor", *engagement.INCENTIVE_FIELDS, "proposed_by",
                  "proposed_on", "status", "decided_by", "decided_on", "decision_note"]  # fmt: skip
        read_only_fields = ["institution", "employer", "proposed_by", "proposed_on", "status", "decided_by", "decided_on",
                            "decision_note"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        if user is not None:
            self.fields["placement"].queryset = Placement.objects.for_user(user, "view")
            self.fields["mentor"].queryset = EmployerPerson.objects.for_user(user, "view")
        if self.instance is not None:
            self.fields["placement"].read_only = self.fields["mentor"].read_only = True


@decided(IncentiveSerializer)
class IncentiveViewSet(_Decided):
    """Rewards, material incentives and disciplinary measures: proposed by the learner's mentor (or, for a mentor, by
    the employer's representative or head), decided by the employer's head (п. 13, 57 item 15, 58 item 11)."""

    queryset = Incentive.objects.all()
    serializer_class = IncentiveSerializer
    filterset_fields = ["institution", "employer", "placement", "mentor", "kind", "status"]
    step = staticmethod(engagement.decide)
    steps = staticmethod(engagement.incentive_steps)

    def get_queryset(self):
        return engagement.visible_incentives(self.request.user).select_related("employer").order_by("pk")

    @extend_schema(responses={201: IncentiveSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        incentive = engagement.propose(Incentive(**data.validated_data), request.user)
        return Response(self.get_serializer(incentive).data, status=201)

    @extend_schema(responses={200: IncentiveSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        incentive = self.get_object()
        data = self.get_serializer(incentive, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(incentive, name, value)
        return Response(self.get_serializer(engagement.propose(incentive, request.user)).data)

    def perform_destroy(self, instance):
        engagement.withdraw(instance, self.request.user)


# --- Mentors' requests ------------------------------------------------------------------------------------


class MentorRequestSerializer(serializers.ModelSerializer):
    placement = serializers.PrimaryKeyRelatedField(
        queryset=Placement.objects.none(), required=False, allow_null=True, help_text="Empty: all the mentor's learners."
    )
    specialist = serializers.PrimaryKeyRelatedField(
        queryset=EmployerPerson.objects.none(), required=False, allow_null=True, help_text="Another employee to involve."
    )

    class Meta:
        model = MentorRequest
        fields = ["id", "institution", "mentor", *engagement.REQUEST_FIELDS, "requested_on", "status", "decided_by",
                  "decided_on", "decision_note"]  # fmt: skip
        read_only_fields = ["institution", "mentor", "requested_on", "status", "decided_by", "decided_on", "decision_note"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        if user is not None:
            self.fields["placement"].queryset = Placement.objects.for_user(user, "view")
            self.fields["specialist"].queryset = EmployerPerson.objects.for_user(user, "view")


@decided(MentorRequestSerializer)
class MentorRequestViewSet(_Decided):
    """A mentor's requests to involve another specialist or for conditions (п. 58 items 9–10); the employer's head
    approves or rejects them (VR-50)."""

    queryset = MentorRequest.objects.all()
    serializer_class = MentorRequestSerializer
    filterset_fields = ["institution", "mentor", "placement", "kind", "status"]
    step = staticmethod(engagement.decide_request)
    steps = staticmethod(engagement.request_steps)

    def get_queryset(self):
        return engagement.visible_requests(self.request.user).select_related("mentor").order_by("pk")

    @extend_schema(responses={201: MentorRequestSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        record = MentorRequest(**data.validated_data)
        if not record.placement_id:
            me = engagement.mentor_person(request.user)
            if me is None:
                raise PermissionDenied("Only a mentor makes a request.")
            record.mentor = me
        return Response(self.get_serializer(engagement.save_request(record, request.user)).data, status=201)

    @extend_schema(responses={200: MentorRequestSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        record = self.get_object()
        data = self.get_serializer(record, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(record, name, value)
        return Response(self.get_serializer(engagement.save_request(record, request.user)).data)

    def perform_destroy(self, instance):
        engagement.withdraw_request(instance, self.request.user)


def register(router):
    router.register("part-time-jobs", PartTimeJobViewSet)
    router.register("incentives", IncentiveViewSet)
    router.register("mentor-requests", MentorRequestViewSet)
