"""The placements API: plan, change and delete planned placements, place a whole group at once, agree the roster,
cancel, read the rules a placement breaks and the dashboard's numbers; monitoring visits.

The same services and rules as the pages. A refused step answers 400 with the first broken rule
(`code`, `message`, `source`, `field`) and every one of them in `violations` (a bulk placement names
each row's fields `rows.<index>.<field>`); nothing is half-saved. Soft rules come back in `warnings`.
Related ids are looked up only among records the user may see: another institution's id is refused.
"""

from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Employer, StaffMember, Student, StudyGroup
from kesip.curriculum.api.design import ViolationSerializer
from kesip.curriculum.models import Component
from kesip.wbl import consent, placement_dashboard, placement_rules
from kesip.wbl import placements as services
from kesip.wbl.api.documents import document_action
from kesip.wbl.models import EmployerPerson, MonitoringVisit, Placement, WblForm, WblProgramme, Workplace
from kesip.wbl.views import diary as diary_views
from kesip.wbl.views import internships as internship_views

P = Placement

REFUSED = OpenApiResponse(
    inline_serializer(
        "PlacementRefused",
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

READ_ONLY = ["institution", "group", "status", "roster_agreed_on", "conformity_approved_by", "review", "characterisation",
             "recommended_grade", "reviewed_on", "completed_on", "closed_on", "cancel_reason", "outcome"]  # fmt: skip


def _dicts(violations):
    return [v.as_dict() for v in violations]


class PlacementSerializer(core_api.ScopedSerializer):
    learner = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = P
        fields = ["id", "form", "student", "intern_staff", "learner", *services.COMMON_FIELDS, *services.ALL_FORM_FIELDS,
                  *READ_ONLY, "warnings"]  # fmt: skip
        read_only_fields = READ_ONLY

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            for name in ("form", "student", "intern_staff"):
                self.fields[name].read_only = True

    @extend_schema_field(serializers.CharField())
    def get_learner(self, placement):
        return str(placement.learner)

    def validate_consent_by(self, value):
        if value == P.Consent.REFUSED and getattr(self.instance, "consent_by", None) != value:
            raise serializers.ValidationError(
                _("A refusal is the answer of the learner or the legal representative: ask the consent in Kesip instead.")
            )
        return value

    @extend_schema_field(ViolationSerializer(many=True))
    def get_warnings(self, placement):
        return _dicts(getattr(placement, "_warnings", []))

    def validate(self, attrs):
        # The rules (and the model's own checks) are the service's: they answer with every violation and its clause.
        return attrs


class PlacementBulkRowSerializer(serializers.Serializer):
    student = serializers.PrimaryKeyRelatedField(queryset=Student.objects.all())
    employer = serializers.PrimaryKeyRelatedField(queryset=Employer.objects.all())
    workplace = serializers.PrimaryKeyRelatedField(queryset=Workplace.objects.all(), required=False, allow_null=True)
    mentor = serializers.PrimaryKeyRelatedField(queryset=EmployerPerson.objects.all(), required=False, allow_null=True)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all(), required=False, allow_null=True)
    component = serializers.PrimaryKeyRelatedField(queryset=Component.objects.all(), required=False, allow_null=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    practice_type = serializers.ChoiceField(choices=P._meta.get_field("practice_type").choices, required=False, allow_blank=True)
    hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5000)
    consent_by = serializers.ChoiceField(choices=P.COORDINATOR_CONSENT_CHOICES, required=False, allow_blank=True)
    consent_on = serializers.DateField(required=False, allow_null=True)
    legal_representative = serializers.CharField(required=False, allow_blank=True, max_length=255)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class PlacementBulkCommonSerializer(serializers.Serializer):
    form = serializers.ChoiceField(
        choices=WblForm.choices, help_text="practice, dual or apprenticeship: internships are planned one by one (п. 40)."
    )
    component = serializers.PrimaryKeyRelatedField(queryset=Component.objects.all(), required=False, allow_null=True)
    practice_type = serializers.ChoiceField(choices=P._meta.get_field("practice_type").choices, required=False, allow_blank=True)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)
    hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=5000)
    supervisor = serializers.PrimaryKeyRelatedField(queryset=StaffMember.objects.all(), required=False, allow_null=True)
    wbl_programme = serializers.PrimaryKeyRelatedField(queryset=WblProgramme.objects.all(), required=False, allow_null=True)
    consent_by = serializers.ChoiceField(choices=P.COORDINATOR_CONSENT_CHOICES, required=False, allow_blank=True)
    consent_on = serializers.DateField(required=False, allow_null=True)
    apprenticeship_form = serializers.ChoiceField(choices=P.ApprenticeshipForm.choices, required=False, allow_blank=True)
    individual_schedule = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    enterprise_timetable = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    employment_promised = serializers.BooleanField(required=False, default=False)


def _scope_related(serializer, user):
    """Limit every related-id field of a plain serializer to the records the user may see."""
    for f in serializer.fields.values():
        if isinstance(f, serializers.PrimaryKeyRelatedField):
            f.queryset = f.queryset.model.objects.for_user(user)


class PlacementBulkSerializer(serializers.Serializer):
    group = serializers.PrimaryKeyRelatedField(queryset=StudyGroup.objects.all())
    common = PlacementBulkCommonSerializer()
    rows = PlacementBulkRowSerializer(many=True, help_text="One row per learner placed; a value left out comes from `common`.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is None:  # the schema generator describes the fields without a user
            return
        user = request.user
        _scope_related(self, user)
        _scope_related(self.fields["common"], user)
        _scope_related(self.fields["rows"].child, user)


class PlacementBulkResultSerializer(serializers.Serializer):
    placements = PlacementSerializer(many=True)
    warnings = serializers.DictField(child=ViolationSerializer(many=True), help_text="Row index → soft warnings of that row.")


class PlacementStepSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=list(services.STEPS))
    on = serializers.DateField(required=False, help_text="agree_roster: the day the employer agreed (today when left out).")
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000, help_text="cancel: why.")


class ConsentPermission(permissions.BasePermission):
    """Answering the consent needs consent_wbl (a learner, a legal representative), not change_wbl."""

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_authenticated and access.has_perm(request.user, "consent_wbl"))


class PlacementConsentSerializer(serializers.Serializer):
    answer = serializers.ChoiceField(choices=[("give", "give"), ("refuse", "refuse")])


class PlacementViolationsSerializer(serializers.Serializer):
    hard = ViolationSerializer(many=True)
    soft = ViolationSerializer(many=True)


DASHBOARD = inline_serializer(
    "WblDashboard",
    {
        "mine": serializers.BooleanField(),
        "total": serializers.IntegerField(),
        "by_status": inline_serializer(
            "WblDashboardStatus",
            {"status": serializers.CharField(), "label": serializers.CharField(), "count": serializers.IntegerField()},
            many=True,
        ),
        "attention": inline_serializer(
            "WblDashboardAttention",
            {"key": serializers.CharField(), "label": serializers.CharField(), "count": serializers.IntegerField()},
            many=True,
        ),
        "diary": inline_serializer(
            "WblDashboardDiary",
            {
                "awaiting_control": serializers.IntegerField(),
                "overdue": serializers.IntegerField(),
                "grading_days": serializers.IntegerField(),
            },
        ),
        "groups_without_head": serializers.DictField(allow_null=True),
        "agreements_expiring": serializers.DictField(),
        "visits": serializers.ListField(child=serializers.DictField()),
        "year": serializers.IntegerField(),
        "gender": serializers.ListField(child=serializers.DictField()),
    },
)


def dashboard_json(numbers):
    """The dashboard's numbers as plain JSON (ids and names instead of records)."""
    return {
        "mine": numbers["mine"],
        "total": numbers["total"],
        "by_status": [{**s, "label": str(s["label"])} for s in numbers["by_status"]],
        "attention": [{**a, "label": str(a["label"])} for a in numbers["attention"]],
        "diary": numbers["diary"],
        "groups_without_head": numbers["groups_without_head"],
        "agreements_expiring": {
            "count": numbers["agreements_expiring"]["count"],
            "days": numbers["agreements_expiring"]["days"],
            "agreements": [
                {
                    "id": a.pk,
                    "number": a.number,
                    "employer": a.employer_id,
                    "employer_name": a.employer.name,
                    "ends_on": a.ends_on,
                }
                for a in numbers["agreements_expiring"]["agreements"]
            ],
        },
        "visits": [
            {
                "id": v.pk,
                "employer": v.employer_id,
                "employer_name": v.employer.name,
                "visited_on": v.visited_on,
                "visitor": str(v.visitor),
                "seen": v.seen,
            }
            for v in numbers["visits"]
        ],
        "year": numbers["year"],
        "gender": numbers["gender"],
    }


class PlacementViewSet(core_api.ScopedViewSet):
    """Placements of learners (and teachers' internships) in the four forms of WBL.

    Created and changed only while planned; `bulk` places a group at once (all or nothing); `step`
    agrees the roster or cancels; `violations` lists what the placement breaks now; `dashboard` the
    start page's numbers. The later steps (orders, briefings, diary, assessment) have their own endpoints.
    """

    queryset = P.objects.all()
    serializer_class = PlacementSerializer
    filterset_fields = ["institution", "form", "status", "group", "employer", "student", "mentor", "supervisor", "practice_type"]
    search_fields = ["student__last_name", "student__first_name", "intern_staff__last_name"]

    def get_queryset(self):
        return super().get_queryset().select_related("student", "intern_staff")

    def _read(self, placement, warnings=()):
        placement = P.objects.select_related("student", "intern_staff").get(pk=placement.pk)
        placement._warnings = list(warnings)
        return self.get_serializer(placement).data

    @extend_schema(responses={201: PlacementSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        placement = P(**data.validated_data)
        warnings = services.save_placement(placement, request.user)
        return Response(self._read(placement, warnings), status=201)

    @extend_schema(responses={200: PlacementSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        placement = self.get_object()
        data = self.get_serializer(placement, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(placement, name, value)
        warnings = services.save_placement(placement, request.user)
        return Response(self._read(placement, warnings))

    @extend_schema(responses={204: None, 400: REFUSED})
    def destroy(self, request, *args, **kwargs):
        services.delete_placement(self.get_object(), request.user)
        return Response(status=204)

    @extend_schema(request=PlacementBulkSerializer, responses={201: PlacementBulkResultSerializer, 400: REFUSED})
    @action(detail=False, methods=["post"])
    def bulk(self, request):
        """Place many learners of one group, across employers, in one call: every row valid or nothing saved."""
        data = PlacementBulkSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = data.validated_data
        common = {k: value for k, value in v["common"].items()}
        placed, warnings = services.place_group(v["group"], v["rows"], request.user, common)
        return Response(
            {
                "placements": [self._read(p, warnings.get(i, [])) for i, p in enumerate(placed)],
                "warnings": {str(i): _dicts(found) for i, found in warnings.items()},
            },
            status=201,
        )

    @extend_schema(request=PlacementStepSerializer, responses={200: PlacementSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """`agree_roster` (planned → roster agreed, with `on`), `ask_consent` (mail the learner and the legal
        representatives to answer in Kesip) or `cancel` (with `reason`)."""
        placement = self.get_object()
        data = PlacementStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        if v["name"] == "agree_roster":
            services.agree_roster([placement], v.get("on"), request.user)
        elif v["name"] == "ask_consent":
            consent.ask(placement, request.user)
        else:
            services.cancel(placement, v.get("reason", ""), request.user)
        return Response(self._read(placement))

    @extend_schema(request=PlacementConsentSerializer, responses={200: PlacementSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"], permission_classes=[ConsentPermission])
    def consent(self, request, pk=None):
        """The learner of age, or a minor's legal representative, gives or refuses the consent asked in Kesip (F11)."""
        placement = consent.for_user(request.user).filter(pk=pk).first() if str(pk).isdigit() else None
        if placement is None:
            raise NotFound()
        data = PlacementConsentSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        consent.answer(placement, request.user, data.validated_data["answer"])
        return Response(self._read(placement))

    @extend_schema(responses={200: PlacementViolationsSerializer})
    @action(detail=True, methods=["get"])
    def violations(self, request, pk=None):
        """The hard rules the placement breaks now (for its next step) and its warnings."""
        placement = self.get_object()
        step = placement_rules.ORDER if placement.status == P.Status.ROSTER_AGREED else placement_rules.SAVE
        hard, soft = placement_rules.violations(placement, step=step)
        return Response({"hard": _dicts(hard), "soft": _dicts(soft)})

    @extend_schema(
        parameters=[
            OpenApiParameter("mine", bool, description="Only the placements of the user's own groups."),
            OpenApiParameter("year", int, description="The academic year of the gender breakdown (2024 for 2024–2025)."),
        ],
        responses={200: DASHBOARD},
    )
    @action(detail=False, methods=["get"])
    def dashboard(self, request):
        """The numbers of the WBL start page, for the placements the user may see."""
        mine = request.query_params.get("mine") in ("1", "true")
        year = request.query_params.get("year", "")
        if year and not (year.isdigit() and 1990 <= int(year) <= 2100):
            raise ValidationError({"year": ["Give the academic year as four digits, e.g. 2024."]})
        return Response(dashboard_json(placement_dashboard.numbers(request.user, mine=mine, year=int(year) if year else None)))

    diary_document = document_action(diary_views.placement_diarydoc, "diary_document", "diary/document", "The diary.")
    review_document = document_action(
        diary_views.placement_reviewdoc, "review_document", "review/document", "The mentor's review."
    )
    characterisation_document = document_action(
        diary_views.placement_characterisationdoc,
        "characterisation_document",
        "characterisation/document",
        "The characterisation.",
    )
    briefings_document = document_action(
        diary_views.placement_briefingdoc, "briefings_document", "briefings/document", "The briefing record."
    )
    notice = document_action(
        internship_views.placement_notice, "notice", "notice", "An apprenticeship outside a WBL programme: the notice."
    )


class MonitoringVisitSerializer(core_api.ScopedSerializer):
    seen = serializers.IntegerField(read_only=True)

    class Meta:
        model = MonitoringVisit
        fields = ["id", "institution", "employer", "visited_on", "visitor", "placements", "findings", "actions", "seen"]
        read_only_fields = ["institution"]

    def validate(self, attrs):  # the service checks the visit as a whole
        return attrs


class MonitoringVisitViewSet(core_api.ScopedViewSet):
    """Visits of the head of practical training to host employers: placements seen, findings, actions."""

    queryset = MonitoringVisit.objects.all()
    serializer_class = MonitoringVisitSerializer
    filterset_fields = ["institution", "employer", "visitor", "visited_on"]

    def get_queryset(self):
        return super().get_queryset().annotate(seen=Count("placements")).prefetch_related("placements")

    def _read(self, visit):
        return self.get_serializer(self.get_queryset().get(pk=visit.pk)).data

    @extend_schema(responses={201: MonitoringVisitSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        placements = v.pop("placements", [])
        visit = services.save_visit(MonitoringVisit(**v), placements, request.user)
        return Response(self._read(visit), status=201)

    @extend_schema(responses={200: MonitoringVisitSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        visit = self.get_object()
        data = self.get_serializer(visit, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        placements = v.pop("placements", None)
        for name, value in v.items():
            setattr(visit, name, value)
        with transaction.atomic():
            if placements is None:
                placements = list(visit.placements.all())
            services.save_visit(visit, placements, request.user)
        return Response(self._read(visit))

    def perform_destroy(self, instance):
        services.delete_visit(instance, self.request.user)


def register(router):
    router.register("placements", PlacementViewSet, basename="placement")
    router.register("monitoring-visits", MonitoringVisitViewSet, basename="monitoring-visit")
