"""The API of graduates' employment and of qualification upgrading: the same services and rules as the pages.

A refused step answers 400 with the first broken rule (`code`, `message`, `source`, `field`) and all
of them in `violations` (the project's exception handler). `is_host_employer` is read-only: it is
worked out from the graduate's placements. Another institution's record answers 404.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import Employer, StaffMember, StudyGroup
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import common, outcomes
from kesip.wbl.models import EmployerPerson, GraduateEmployment, TrainingNeed, UpgradingEnrolment, UpgradingProgramme

E = GraduateEmployment
N = TrainingNeed
UP = UpgradingProgramme
EN = UpgradingEnrolment

REFUSED = OpenApiResponse(
    inline_serializer(
        "OutcomeRefused",
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


def _act(request):
    return "view" if request.method in permissions.SAFE_METHODS else "change"


class NoValidateMixin:
    """The record's rules are the service's (with their clauses), not the serializer's."""

    def validate(self, attrs):
        return attrs


# --- Employment -------------------------------------------------------------------------------------------


class GraduateEmploymentSerializer(NoValidateMixin, core_api.ScopedSerializer):
    class Meta:
        model = E
        fields = ["id", "institution", *outcomes.EMPLOYMENT_FIELDS, "is_host_employer"]
        read_only_fields = ["is_host_employer"]
        extra_kwargs = {"institution": {"required": False, "help_text": "Empty: the graduate's institution."}}


class BulkRowSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    outcome = serializers.ChoiceField(choices=E.Outcome.choices)
    employer = serializers.IntegerField(required=False, allow_null=True)
    employer_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    position = serializers.CharField(required=False, allow_blank=True, max_length=255)
    in_profession = serializers.BooleanField(required=False, default=False)
    starts_on = serializers.DateField()


class BulkSerializer(serializers.Serializer):
    group = serializers.IntegerField(help_text="The graduating group.")
    rows = BulkRowSerializer(many=True)


class GraduateEmploymentViewSet(core_api.ScopedViewSet):
    """Graduates' employment (п. 56 item 13); `bulk` fills a group's graduates at once (all or nothing)."""

    queryset = E.objects.all()
    serializer_class = GraduateEmploymentSerializer
    filterset_fields = ["institution", "student", "outcome", "employer", "in_profession", "is_host_employer"]
    search_fields = ["student__last_name", "employer__name", "employer_name"]

    def get_queryset(self):
        return E.objects.for_user(self.request.user, _act(self.request)).select_related("student").order_by("pk")

    def _save(self, record):
        outcomes.save_employment(record, self.request.user)
        return Response(self.get_serializer(record).data, status=201 if self.action == "create" else 200)

    @extend_schema(responses={201: GraduateEmploymentSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        if not v.get("institution") and v.get("student"):
            v["institution"] = v["student"].institution
        if not v.get("institution"):
            raise serializers.ValidationError({"student": ["This field is required."]})
        return self._save(E(**v))

    @extend_schema(responses={200: GraduateEmploymentSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        record = self.get_object()
        data = self.get_serializer(record, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(record, name, value)
        return self._save(record)

    def perform_destroy(self, instance):
        outcomes.delete_employment(instance, self.request.user)

    @extend_schema(request=BulkSerializer, responses={200: GraduateEmploymentSerializer(many=True), 400: REFUSED})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        data = BulkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        group = StudyGroup.objects.for_user(request.user, "change").filter(pk=data.validated_data["group"]).first()
        if group is None:
            raise serializers.ValidationError({"group": ["Not found."]})
        employers = {e.pk: e for e in Employer.objects.filter(institution_id=group.institution_id)}
        rows = {}
        for row in data.validated_data["rows"]:
            row = dict(row)
            sid = row.pop("student")
            eid = row.get("employer")
            if eid is not None and eid not in employers:
                raise serializers.ValidationError({"employer": [f"Not found: {eid}."]})
            row["employer"] = employers.get(eid) if eid is not None else None
            rows[sid] = row
        saved = outcomes.save_group_outcomes(group, rows, request.user)
        return Response(GraduateEmploymentSerializer(saved, many=True, context={"request": request}).data)


# --- Training needs ------------------------------------------------------------------------------------


class TrainingNeedSerializer(NoValidateMixin, core_api.ScopedSerializer):
    class Meta:
        model = N
        fields = ["id", "institution", *outcomes.NEED_FIELDS, "status", "programme"]
        read_only_fields = ["status", "programme"]
        extra_kwargs = {"institution": {"required": False, "help_text": "Empty: the person's institution."}}


class TrainingNeedViewSet(core_api.ScopedViewSet):
    """Training needs of teachers, masters and mentors (п. 56 item 14); `analysis` groups them by topic."""

    queryset = N.objects.all()
    serializer_class = TrainingNeedSerializer
    filterset_fields = ["institution", "staff", "mentor", "academic_year", "status", "programme"]
    search_fields = ["topic"]

    def get_queryset(self):
        return N.objects.for_user(self.request.user, _act(self.request)).order_by("pk")

    @extend_schema(responses={201: TrainingNeedSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        person = v.get("staff") or v.get("mentor")
        if not v.get("institution") and person is not None:
            v["institution"] = person.institution
        if not v.get("institution"):
            raise serializers.ValidationError({"staff": ["Choose a teacher or master, or a mentor."]})
        need = N(**v)
        outcomes.save_need(need, request.user)
        return Response(self.get_serializer(need).data, status=201)

    @extend_schema(responses={200: TrainingNeedSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        need = self.get_object()
        data = self.get_serializer(need, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(need, name, value)
        outcomes.save_need(need, request.user)
        return Response(self.get_serializer(need).data)

    def perform_destroy(self, instance):
        outcomes.delete_need(instance, self.request.user)

    @extend_schema(
        responses={
            200: inline_serializer(
                "TrainingNeedTopic",
                {
                    "key": serializers.CharField(),
                    "topic": serializers.CharField(),
                    "total": serializers.IntegerField(),
                    "staff": serializers.IntegerField(),
                    "mentors": serializers.IntegerField(),
                    "open": serializers.IntegerField(),
                    "planned": serializers.IntegerField(),
                    "met": serializers.IntegerField(),
                },
                many=True,
            )
        }
    )
    @action(detail=False, methods=["get"])
    def analysis(self, request):
        """The needs (filtered as the list) grouped by topic with counts."""
        return Response(outcomes.analysis(self.filter_queryset(self.get_queryset())))


# --- Upgrading programmes and enrolments ------------------------------------------------------------------


class UpgradingProgrammeSerializer(NoValidateMixin, core_api.ScopedSerializer):
    needs = serializers.PrimaryKeyRelatedField(
        many=True, queryset=N.objects.all(), write_only=True, required=False, help_text="Open needs the programme answers."
    )
    enrolled = serializers.SerializerMethodField()

    class Meta:
        model = UP
        fields = ["id", "institution", *outcomes.PROGRAMME_FIELDS, "needs", "enrolled"]

    def get_enrolled(self, programme) -> int:
        counted = getattr(programme, "enrolled_count", None)
        return counted if counted is not None else programme.enrolments.exclude(result=EN.Result.DROPPED).count()


class UpgradingEnrolmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = EN
        fields = ["id", "institution", "programme", "staff", "mentor", "result", "certificate_number", "completed_on"]
        read_only_fields = fields


class EnrolSerializer(serializers.Serializer):
    staff = serializers.IntegerField(required=False, allow_null=True)
    mentor = serializers.IntegerField(required=False, allow_null=True)


class NeedsSerializer(serializers.Serializer):
    needs = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)


class UpgradingProgrammeViewSet(core_api.ScopedViewSet):
    """Upgrading programmes (п. 56 item 14): created on open needs; `enrol` takes a place (locked count)."""

    queryset = UP.objects.all()
    serializer_class = UpgradingProgrammeSerializer
    filterset_fields = ["institution", "audience", "starts_on"]
    search_fields = ["title", "provider"]

    def get_queryset(self):
        from django.db.models import Count, Q

        inside = Q(enrolments__result__in=(EN.Result.ENROLLED, EN.Result.COMPLETED))
        return (
            UP.objects.for_user(self.request.user, _act(self.request))
            .annotate(enrolled_count=Count("enrolments", filter=inside))
            .order_by("pk")
        )

    def _institution_only(self, institution_id):
        if not common.may(self.request.user, UP, "change", institution_id):
            raise PermissionDenied

    @extend_schema(responses={201: UpgradingProgrammeSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        needs = v.pop("needs", [])
        if not v.get("institution"):
            v["institution"] = needs[0].institution if needs else None
        if v.get("institution") is None:
            raise serializers.ValidationError({"institution": ["This field is required."]})
        programme = UP(**v)
        outcomes.create_programme(programme, [n.pk for n in needs], request.user)
        return Response(self.get_serializer(programme).data, status=201)

    @extend_schema(responses={200: UpgradingProgrammeSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        programme = self.get_object()
        self._institution_only(programme.institution_id)
        data = self.get_serializer(programme, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        v.pop("needs", None)
        for name, value in v.items():
            setattr(programme, name, value)
        outcomes.save_programme(programme, request.user)
        return Response(self.get_serializer(programme).data)

    def perform_destroy(self, instance):
        outcomes.delete_programme(instance, self.request.user)

    @extend_schema(request=EnrolSerializer, responses={201: UpgradingEnrolmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def enrol(self, request, pk=None):
        programme = self.get_object()
        self._institution_only(programme.institution_id)
        data = EnrolSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        staff = mentor = None
        if data.validated_data.get("staff") is not None:
            staff = StaffMember.objects.filter(pk=data.validated_data["staff"], institution_id=programme.institution_id).first()
            if staff is None:
                raise serializers.ValidationError({"staff": ["Not found."]})
        if data.validated_data.get("mentor") is not None:
            mentor = EmployerPerson.objects.filter(
                pk=data.validated_data["mentor"], institution_id=programme.institution_id
            ).first()
            if mentor is None:
                raise serializers.ValidationError({"mentor": ["Not found."]})
        enrolment = outcomes.enrol(programme, request.user, staff=staff, mentor=mentor)
        return Response(UpgradingEnrolmentSerializer(enrolment).data, status=201)

    @extend_schema(request=NeedsSerializer, responses={200: UpgradingProgrammeSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"], url_path="add-needs")
    def add_needs(self, request, pk=None):
        programme = self.get_object()
        self._institution_only(programme.institution_id)
        data = NeedsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        outcomes.add_needs(programme, data.validated_data["needs"], request.user)
        return Response(self.get_serializer(programme).data)


class CompleteSerializer(serializers.Serializer):
    certificate_number = serializers.CharField(max_length=64)
    completed_on = serializers.DateField()


class UpgradingEnrolmentViewSet(viewsets.ReadOnlyModelViewSet):
    """Enrolments in upgrading programmes; `complete` (with the certificate number) meets the person's needs."""

    queryset = EN.objects.all()
    serializer_class = UpgradingEnrolmentSerializer
    permission_classes = [core_api.ScopedPermission]
    filterset_fields = ["institution", "programme", "staff", "mentor", "result"]

    def get_queryset(self):
        return EN.objects.for_user(self.request.user, _act(self.request)).order_by("pk")

    @extend_schema(request=CompleteSerializer, responses={200: UpgradingEnrolmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        enrolment = self.get_object()
        data = CompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        enrolment = outcomes.complete(
            enrolment, data.validated_data["certificate_number"], data.validated_data["completed_on"], request.user
        )
        return Response(self.get_serializer(enrolment).data)

    @extend_schema(request=None, responses={200: UpgradingEnrolmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def drop(self, request, pk=None):
        enrolment = outcomes.drop(self.get_object(), request.user)
        return Response(self.get_serializer(enrolment).data)


def register(router):
    router.register("graduate-employment", GraduateEmploymentViewSet)
    router.register("training-needs", TrainingNeedViewSet)
    router.register("upgrading-programmes", UpgradingProgrammeViewSet)
    router.register("upgrading-enrolments", UpgradingEnrolmentViewSet)
