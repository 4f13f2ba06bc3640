"""The WBL programmes API: programmes (CRUD on drafts, violations, steps, built from the curriculum,
the WBL %), and the rows of their sections 5, 7 and 9 (CRUD while the programme is a draft).

The same services and rules as the pages: a refused change answers 400 with the first broken rule
(`code`, `message`, `source`, `field`) and every one of them in `violations`; nothing is half-saved.
A programme's answer carries its broken hard rules (`violations`) and its warnings (`warnings`).
Related ids are looked up only among records the user may see: another institution's id is refused.
"""

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.curriculum.api.design import ViolationSerializer
from kesip.curriculum.models import Competency, Component
from kesip.wbl import programme_rules as pr
from kesip.wbl import programmes as services
from kesip.wbl.api.documents import document_action
from kesip.wbl.models import ContentRow, LoadRow, RubricItem, WblProgramme
from kesip.wbl.views import programmes as programme_views

REFUSED = OpenApiResponse(
    inline_serializer(
        "WblProgrammeRefused",
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


def _dicts(found):
    return [v.as_dict() for v in found]


def _editable_programmes(user):
    return WblProgramme.objects.for_user(user, "change").filter(status=WblProgramme.Status.DRAFT)


class WblProgrammeSerializer(core_api.ScopedSerializer):
    class Meta:
        model = WblProgramme
        fields = [
            "id",
            "institution",
            *services.PASSPORT_FIELDS,
            *services.SECTION_FIELDS,
            "outcomes",
            "status",
            "employer_agreed_on",
            "employer_agreed_by",
            "approved_on",
            "approved_by",
            "published_on",
            "version",
            "previous",
            "revised_from_report",
            "revision_reason",
        ]
        read_only_fields = [
            "institution", "status", "employer_agreed_on", "employer_agreed_by", "approved_on", "approved_by",
            "published_on", "version", "previous", "revised_from_report", "revision_reason",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance if isinstance(self.instance, WblProgramme) else None
        if instance is not None and "outcomes" in self.fields:
            # Section 6 chooses among the competencies of the programme's own curriculum.
            self.fields["outcomes"].child_relation.queryset = Competency.objects.filter(programme_id=instance.programme_id)

    def validate(self, attrs):
        programme = attrs.get("programme") or (self.instance.programme if self.instance else None)
        if programme is not None:
            attrs["institution"] = programme.institution
        return super().validate(attrs)


class WblProgrammeDetailSerializer(WblProgrammeSerializer):
    """A single programme, with the hard rules it breaks now and its warnings."""

    violations = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta(WblProgrammeSerializer.Meta):
        fields = [*WblProgrammeSerializer.Meta.fields, "violations", "warnings"]

    def _found(self, wp):
        cache = self.context.setdefault("_found", {})
        if wp.pk not in cache:
            cache[wp.pk] = pr.violations(wp)
        return cache[wp.pk]

    @extend_schema_field(ViolationSerializer(many=True))
    def get_violations(self, wp):
        return _dicts(self._found(wp)[0])

    @extend_schema_field(ViolationSerializer(many=True))
    def get_warnings(self, wp):
        return _dicts(self._found(wp)[1])


class WblProgrammeStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(services.STEPS))
    agreed_by = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="Staff recording a paper agreement: who agreed it."
    )
    agreed_on = serializers.DateField(required=False, allow_null=True, help_text="Staff recording a paper agreement: its date.")
    revision_reason = serializers.CharField(
        required=False, allow_blank=True, max_length=5000, help_text="revise: what the revision changes and why."
    )
    revised_from_report = serializers.IntegerField(
        required=False, allow_null=True, help_text="revise: the annual report whose recommendations the revision follows."
    )


class WblSemesterShareSerializer(serializers.Serializer):
    semester = serializers.IntegerField()
    year = serializers.IntegerField()
    half = serializers.IntegerField()
    wbl_hours = serializers.IntegerField()
    wbl_credits = serializers.DecimalField(max_digits=8, decimal_places=1)
    curriculum_hours = serializers.IntegerField(allow_null=True)
    percent = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class WblOtherShareSerializer(serializers.Serializer):
    denominator = serializers.CharField()
    denominator_label = serializers.CharField()
    curriculum_hours = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)


class WblPercentSerializer(serializers.Serializer):
    denominator = serializers.CharField(help_text="all_hours or practice_hours: the institution's choice (WBL settings).")
    denominator_label = serializers.CharField()
    wbl_hours = serializers.IntegerField()
    wbl_credits = serializers.DecimalField(max_digits=8, decimal_places=1)
    curriculum_hours = serializers.IntegerField()
    percent = serializers.DecimalField(max_digits=7, decimal_places=1, allow_null=True)
    other = WblOtherShareSerializer(help_text="The same share counted of the other denominator.")
    all_hours = serializers.IntegerField()
    practice_hours = serializers.IntegerField()
    working_curriculum = inline_serializer(
        "PercentWorkingCurriculum", {"id": serializers.IntegerField(), "intake_year": serializers.IntegerField()}, allow_null=True
    )
    semesters = WblSemesterShareSerializer(many=True)
    source = serializers.CharField()


class WblProgrammeSectionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=["complete", "partial", "empty"])
    violations = ViolationSerializer(many=True)
    warnings = ViolationSerializer(many=True)


class WblProgrammeViolationsSerializer(serializers.Serializer):
    hard = ViolationSerializer(many=True, help_text="Block sending to the employer and approval.")
    soft = ViolationSerializer(many=True, help_text="Warnings; never block.")
    sections = WblProgrammeSectionSerializer(many=True)


def _editable_programme_ids(user):
    return WblProgramme.objects.for_user(user, "change").values("programme_id")


class RowSerializer(core_api.ScopedSerializer):
    """A row of a programme's table: the programme is one the user may edit, and stays the row's programme."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        self.fields["programme"].queryset = WblProgramme.objects.for_user(user, "change")
        if self.instance is not None:
            self.fields["programme"].read_only = True
        for name, model in self.scoped_to_curriculum.items():
            f = self.fields[name]
            rel = f.child_relation if isinstance(f, serializers.ManyRelatedField) else f
            if model is Component:
                rel.queryset = Component.objects.filter(module__programme_id__in=_editable_programme_ids(user))
            else:
                rel.queryset = Competency.objects.filter(programme_id__in=_editable_programme_ids(user))

    scoped_to_curriculum = {}

    def validate(self, attrs):
        programme = attrs.get("programme") or self.instance.programme
        attrs["institution"] = programme.institution
        return super().validate(attrs)


class LoadRowSerializer(RowSerializer):
    scoped_to_curriculum = {"component": Component}

    class Meta:
        model = LoadRow
        fields = ["id", "institution", "programme", *services.LOAD_FIELDS]
        read_only_fields = ["institution"]


class ContentRowSerializer(RowSerializer):
    scoped_to_curriculum = {"competency": Competency}

    class Meta:
        model = ContentRow
        fields = ["id", "institution", "programme", *services.CONTENT_FIELDS]
        read_only_fields = ["institution"]


class RubricItemSerializer(RowSerializer):
    scoped_to_curriculum = {"competencies": Competency}

    class Meta:
        model = RubricItem
        fields = ["id", "institution", "programme", *services.RUBRIC_FIELDS]
        read_only_fields = ["institution"]


PREFILLED = inline_serializer(
    "WblProgrammePrefilled",
    {
        "created": LoadRowSerializer(many=True),
        "notes": serializers.ListField(child=serializers.CharField()),
        "normative_base": serializers.BooleanField(help_text="Section 1's normative base was written from the programme."),
        "programme": WblProgrammeDetailSerializer(),
    },
)
SELECT = ("institution", "programme__specialty", "co_developer", "approved_by")


class WblProgrammeViewSet(core_api.ScopedViewSet):
    """WBL programmes of professions (п. 50–54): drafts are created and changed; `step` sends, agrees, approves, reopens."""

    queryset = WblProgramme.objects.all()
    serializer_class = WblProgrammeSerializer
    filterset_fields = ["institution", "programme", "form", "status", "academic_year", "co_developer"]

    def get_queryset(self):
        # A step is checked by the service (the head approves without change_wbl): it reads the programme in view scope.
        read = self.request.method in permissions.SAFE_METHODS or self.action == "step"
        qs = WblProgramme.objects.for_user(self.request.user, "view" if read else "change")
        return qs.select_related(*SELECT).prefetch_related("outcomes").order_by("pk")

    def get_permissions(self):
        if self.action == "step":
            return [permissions.IsAuthenticated()]
        return super().get_permissions()

    def get_serializer_class(self):
        return WblProgrammeSerializer if self.action == "list" else WblProgrammeDetailSerializer

    def _answer(self, wp, status=200):
        wp = WblProgramme.objects.select_related(*SELECT).prefetch_related("outcomes").get(pk=wp.pk)
        return Response(WblProgrammeDetailSerializer(wp, context=self.get_serializer_context()).data, status=status)

    def _save(self, wp, data):
        data = dict(data)
        outcomes = data.pop("outcomes", None)
        for name, value in data.items():
            setattr(wp, name, value)
        services.save_programme(wp, self.request.user, outcomes=outcomes)
        return wp

    @extend_schema(responses={201: WblProgrammeDetailSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._answer(self._save(WblProgramme(), data.validated_data), status=201)

    @extend_schema(responses={200: WblProgrammeDetailSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        wp = self.get_object()
        data = self.get_serializer(wp, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        return self._answer(self._save(wp, data.validated_data))

    @extend_schema(responses={200: WblProgrammeDetailSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        kwargs["partial"] = True
        return self.update(request, *args, **kwargs)

    @extend_schema(responses={204: None, 400: REFUSED})
    def destroy(self, request, *args, **kwargs):
        return super().destroy(request, *args, **kwargs)

    def perform_destroy(self, instance):
        services.delete_programme(instance, self.request.user)

    @extend_schema(responses={200: WblProgrammeViolationsSerializer})
    @action(detail=True, methods=["get"])
    def violations(self, request, pk=None):
        """Every rule the programme breaks now (hard: block the steps; soft: warnings), and each section's state."""
        wp = self.get_object()
        snapshot = pr.load(wp)
        hard, soft = pr.violations(wp, snapshot)
        sections = [
            {
                "number": m["section"].number,
                "title": str(m["section"].title),
                "state": m["state"],
                "violations": _dicts(m["hard"]),
                "warnings": _dicts(m["soft"]),
            }
            for m in pr.section_marks(snapshot, hard, soft)
        ]
        return Response({"hard": _dicts(hard), "soft": _dicts(soft), "sections": sections})

    @extend_schema(
        request=WblProgrammeStepSerializer,
        responses={200: WblProgrammeDetailSerializer, 201: WblProgrammeDetailSerializer, 400: REFUSED},
    )
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """send (to the employer), agree (the employer's representative; staff with `agreed_by` and `agreed_on` of the
        paper), approve (head of the institution or institution admin), reopen, publish (approved → published),
        revise (an approved or published programme → a new draft version, answered with 201; `revision_reason`
        required, `revised_from_report` optional)."""
        wp = self.get_object()
        data = WblProgrammeStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        report = None
        if v.get("revised_from_report"):
            from kesip.wbl.models import AnnualReport

            report = AnnualReport.objects.for_user(request.user, "view").filter(pk=v["revised_from_report"]).first()
            if report is None:
                raise serializers.ValidationError({"revised_from_report": [_("Choose an annual report of this institution.")]})
        result = services.take_step(
            wp, v["step"], request.user, v.get("agreed_by", ""), v.get("agreed_on"), v.get("revision_reason", ""), report
        )
        return self._answer(result, status=201 if v["step"] == "revise" else 200)

    @extend_schema(request=None, responses={200: PREFILLED, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def prefill(self, request, pk=None):
        """Build section 5 from the curriculum's practice and section 1's normative base from the programme."""
        wp = self.get_object()
        outcome = services.prefill(wp, request.user)
        context = self.get_serializer_context()
        return Response(
            {
                "created": LoadRowSerializer(outcome.created, many=True, context=context).data,
                "notes": [str(n) for n in outcome.notes],
                "normative_base": outcome.normative_base,
                "programme": self._answer(wp).data,
            }
        )

    @extend_schema(responses={200: WblPercentSerializer})
    @action(detail=True, methods=["get"])
    def percent(self, request, pk=None):
        """The WBL share of the curriculum, total and per semester, with the denominator the institution chose."""
        return Response(WblPercentSerializer(pr.wbl_percent(self.get_object())).data)

    document = document_action(programme_views.wblprogramme_document, "document", "document", "The WBL programme (п. 53).")


class ProgrammeRowViewSet(core_api.ScopedViewSet):
    """Rows of a programme's table; changed only while the programme is a draft."""

    select_related = ("programme",)
    service = None

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        many = data.pop("competencies", None)
        row = self.queryset.model(**data)
        self._save(row, many)
        serializer.instance = row

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        many = data.pop("competencies", None)
        row = serializer.instance
        for name, value in data.items():
            setattr(row, name, value)
        self._save(row, many)

    def _save(self, row, many):
        getattr(services, self.service)(row, self.request.user)

    def perform_destroy(self, instance):
        services.delete_row(instance, self.request.user)


class LoadRowViewSet(ProgrammeRowViewSet):
    """Section 5: WBL forms by semester with approximate hours and credits (VR-8, VR-9)."""

    queryset = LoadRow.objects.all()
    serializer_class = LoadRowSerializer
    filterset_fields = ["programme", "semester", "activity", "practice_type", "component"]
    service = "save_load_row"


class ContentRowViewSet(ProgrammeRowViewSet):
    """Section 7: per type of practical training, a refined competency, a topic, hours, environment, equipment (VR-12)."""

    queryset = ContentRow.objects.all()
    serializer_class = ContentRowSerializer
    filterset_fields = ["programme", "practice_type", "competency"]
    service = "save_content_row"


class RubricItemViewSet(ProgrammeRowViewSet):
    """Section 9: grades of the assessment methods, linked to competencies of section 6 (VR-10)."""

    queryset = RubricItem.objects.all()
    serializer_class = RubricItemSerializer
    filterset_fields = ["programme", "method"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("competencies")

    def _save(self, row, many):
        if many is None:
            many = list(row.competencies.all()) if row.pk else []
        services.save_rubric_item(row, many, self.request.user)


def register(router):
    router.register("wbl-programmes", WblProgrammeViewSet, basename="wbl-programme")
    router.register("wbl-load-rows", LoadRowViewSet, basename="wbl-load-row")
    router.register("wbl-content-rows", ContentRowViewSet, basename="wbl-content-row")
    router.register("wbl-rubric-items", RubricItemViewSet, basename="wbl-rubric-item")
