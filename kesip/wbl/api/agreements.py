"""The agreements API: drafts (CRUD), the roster, signatures, the steps, amendments, and what blocks signing.

The same services and rules as the pages: a refused step answers 400 with the first broken rule
(`code`, `message`, `source`, `field`) and all of them in `violations`; nothing is half-saved. An
employer's representative reads its employer's agreements and signs for the employer only.
"""

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import parsers, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import Specialty
from kesip.wbl import agreement_rules, agreements
from kesip.wbl.api.documents import document_action
from kesip.wbl.models import Agreement, AgreementAmendment, AgreementRosterEntry, AgreementSignature
from kesip.wbl.views import agreements as agreement_views


class RuleViolationSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField()
    field = serializers.CharField(allow_null=True)


REFUSED = OpenApiResponse(
    inline_serializer(
        "AgreementRefused",
        {
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "source": serializers.CharField(),
            "field": serializers.CharField(allow_null=True),
            "violations": RuleViolationSerializer(many=True, required=False),
        },
    ),
    description="The broken rules (or invalid fields); nothing was saved.",
)


class AgreementSerializer(core_api.ScopedSerializer):
    specialties = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Specialty.objects.all(), required=False, help_text="Professions; empty: every profession."
    )
    party_count = serializers.IntegerField(read_only=True)
    roster_size = serializers.IntegerField(read_only=True)
    has_signed_copy = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "institution",
            *agreements.AGREEMENT_FIELDS,
            "specialties",
            "status",
            "party_count",
            "roster_size",
            "signed_on",
            "signed_outside",
            "has_signed_copy",
            "terminated_on",
            "termination_reason",
        ]
        read_only_fields = ["institution", "status", "signed_on", "signed_outside", "terminated_on", "termination_reason"]
        validators = []  # the number's uniqueness is checked by the model's own constraint, with its message

    @extend_schema_field(serializers.BooleanField())
    def get_has_signed_copy(self, agreement):
        return bool(agreement.signed_scan)

    def validate(self, attrs):
        employer = attrs.get("employer") or (self.instance.employer if self.instance is not None else None)
        if self.instance is None and employer is not None:
            attrs["institution"] = employer.institution
        return super().validate(attrs)


class RosterEntrySerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.__str__", read_only=True)
    group = serializers.IntegerField(source="student.group_id", read_only=True, allow_null=True)

    class Meta:
        model = AgreementRosterEntry
        fields = ["id", "institution", "agreement", "student", "student_name", "group"]
        read_only_fields = fields


class SignatureSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementSignature
        fields = ["id", "institution", "agreement", "party", "signatory", "signed_on", "user"]
        read_only_fields = fields


class AmendmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = AgreementAmendment
        fields = ["id", "institution", "agreement", "number", "signed_on", "effective_from", "text", "changes", "created_by"]
        read_only_fields = fields


class RosterInputSerializer(serializers.Serializer):
    students = serializers.ListField(child=serializers.IntegerField(), allow_empty=True)
    group = serializers.IntegerField(required=False, help_text="PUT only: replace just this group's learners.")


class SignInputSerializer(serializers.Serializer):
    party = serializers.ChoiceField(choices=AgreementSignature.Party.choices)
    signatory = serializers.CharField(max_length=255)
    signed_on = serializers.DateField()
    scan = serializers.FileField(required=False, help_text="The signed copy (PDF, image or document, at most 10 MB).")
    signed_outside = serializers.BooleanField(default=False)


class StepInputSerializer(serializers.Serializer):
    name = serializers.ChoiceField(choices=list(agreements.STEPS))
    on = serializers.DateField(required=False, help_text="terminate: the day it ends.")
    reason = serializers.CharField(required=False, allow_blank=True, help_text="terminate: why.")


class AmendInputSerializer(serializers.Serializer):
    number = serializers.IntegerField(required=False, min_value=1, help_text="Empty: the next number.")
    signed_on = serializers.DateField()
    effective_from = serializers.DateField()
    text = serializers.CharField()
    changes = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Field → new value: " + ", ".join(agreements.AMENDABLE) + " (specialties and roster: lists of ids).",
    )


class SignedSerializer(serializers.Serializer):
    signature = SignatureSerializer()
    agreement = AgreementSerializer()


class StepResultSerializer(serializers.Serializer):
    agreement = AgreementSerializer()
    warnings = RuleViolationSerializer(many=True)


class ChecksSerializer(serializers.Serializer):
    violations = RuleViolationSerializer(many=True, help_text="Hard rules: they block signing.")
    warnings = RuleViolationSerializer(many=True, help_text="Soft rules: they only warn.")
    steps = serializers.ListField(child=serializers.CharField(), help_text="The steps open to you now.")


class AgreementViewSet(core_api.ScopedViewSet):
    """WBL agreements, apprenticeship agreements and memoranda; drafts change here, the rest through the steps."""

    queryset = Agreement.objects.all()
    serializer_class = AgreementSerializer
    filterset_fields = ["institution", "employer", "kind", "form", "status", "learner", "starts_on", "ends_on"]
    search_fields = ["number", "employer__name"]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("employer")
            .prefetch_related("specialties")
            .annotate(roster_size=Count("roster"))
        )

    def _read(self, pk):
        found = (
            Agreement.objects.for_user(self.request.user)
            .prefetch_related("specialties")
            .annotate(roster_size=Count("roster"))
            .get(pk=pk)
        )
        return AgreementSerializer(found, context=self.get_serializer_context()).data

    @extend_schema(responses={201: AgreementSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        attrs = dict(data.validated_data)
        specialties = attrs.pop("specialties", None)
        agreement = Agreement(**attrs)
        agreements.save_agreement(agreement, request.user, specialties=specialties)
        return Response(self._read(agreement.pk), status=201)

    @extend_schema(responses={200: AgreementSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        agreement = self.get_object()
        data = self.get_serializer(agreement, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        attrs = dict(data.validated_data)
        specialties = attrs.pop("specialties", None)
        for name, value in attrs.items():
            setattr(agreement, name, value)
        agreements.save_agreement(agreement, request.user, specialties=specialties)
        return Response(self._read(agreement.pk))

    @extend_schema(responses={204: None, 400: REFUSED})
    def destroy(self, request, *args, **kwargs):
        agreements.delete_agreement(self.get_object(), request.user)
        return Response(status=204)

    @extend_schema(methods=["GET"], responses={200: RosterEntrySerializer(many=True)}, description="The roster of the agreement.")
    @extend_schema(
        methods=["PUT", "POST"],
        request=RosterInputSerializer,
        responses={200: RosterEntrySerializer(many=True), 400: REFUSED},
        description="PUT replaces the roster (or one group's part of it); POST adds learners. Refused past the workplaces.",
    )
    @action(detail=True, methods=["get", "put", "post"])
    def roster(self, request, pk=None):
        agreement = self.get_object()
        if request.method in ("PUT", "POST"):
            data = RosterInputSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            students = data.validated_data["students"]
            if request.method == "PUT":
                agreements.set_roster(agreement, students, request.user, group=data.validated_data.get("group"))
            else:
                agreements.add_to_roster(agreement, students, request.user)
        entries = AgreementRosterEntry.objects.filter(agreement=agreement).select_related("student").order_by("pk")
        return Response(RosterEntrySerializer(entries, many=True).data)

    @extend_schema(request=SignInputSerializer, responses={200: SignedSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        agreement = self.get_object()
        data = SignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        signature = agreements.sign(
            agreement, d["party"], d["signatory"], d["signed_on"], request.user, scan=d.get("scan"),
            signed_outside=d["signed_outside"],
        )  # fmt: skip
        return Response({"signature": SignatureSerializer(signature).data, "agreement": self._read(agreement.pk)})

    @extend_schema(request=StepInputSerializer, responses={200: StepResultSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        agreement = self.get_object()
        data = StepInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d, warnings = data.validated_data, []
        if d["name"] == "negotiate":
            agreements.to_negotiation(agreement, request.user)
        elif d["name"] == "activate":
            agreements.activate(agreement, request.user)
        else:
            warnings = agreements.terminate(agreement, d.get("on"), d.get("reason", ""), request.user)
        return Response({"agreement": self._read(agreement.pk), "warnings": [w.as_dict() for w in warnings]})

    @extend_schema(request=AmendInputSerializer, responses={201: AmendmentSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def amend(self, request, pk=None):
        agreement = self.get_object()
        data = AmendInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        amendment = agreements.amend(
            agreement, d["signed_on"], d["effective_from"], d["text"], d.get("changes") or {}, request.user,
            number=d.get("number"),
        )  # fmt: skip
        return Response(AmendmentSerializer(amendment).data, status=201)

    @extend_schema(responses={200: ChecksSerializer})
    @action(detail=True, methods=["get"])
    def violations(self, request, pk=None):
        agreement = self.get_object()
        signed = set(agreement.signatures.values_list("party", flat=True))
        return Response(
            {
                "violations": [v.as_dict() for v in agreement_rules.signing_violations(agreement)],
                "warnings": [v.as_dict() for v in agreement_rules.warnings(agreement)],
                "steps": sorted(agreements.allowed_steps(agreement, request.user, signed)),
            }
        )

    document = document_action(agreement_views.agreement_document, "document", "document", "The agreement as PDF or DOCX.")


class AgreementRosterViewSet(core_api.ScopedViewSet):
    """Learners on agreements' rosters; changed through an agreement's `roster`."""

    queryset = AgreementRosterEntry.objects.all()
    serializer_class = RosterEntrySerializer
    filterset_fields = ["agreement", "student"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("student")


class AgreementSignatureViewSet(core_api.ScopedViewSet):
    """Signatures of the parties; recorded through an agreement's `sign`."""

    queryset = AgreementSignature.objects.all()
    serializer_class = SignatureSerializer
    filterset_fields = ["agreement", "party"]
    http_method_names = ["get", "head", "options"]


class AgreementAmendmentViewSet(core_api.ScopedViewSet):
    """Numbered amendments with what each changed (old → new); recorded through an agreement's `amend`."""

    queryset = AgreementAmendment.objects.all()
    serializer_class = AmendmentSerializer
    filterset_fields = ["agreement"]
    http_method_names = ["get", "head", "options"]


def register(router):
    router.register("agreements", AgreementViewSet)
    router.register("agreement-roster", AgreementRosterViewSet)
    router.register("agreement-signatures", AgreementSignatureViewSet)
    router.register("agreement-amendments", AgreementAmendmentViewSet)
