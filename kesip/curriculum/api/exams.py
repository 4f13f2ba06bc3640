"""The exams API: plan exams, record the whole results table, mark held or reopen; read results, awards, scales.

The same rules and services as the pages: a refused step answers 400 with the first broken rule
(`code`, `message`, `source`, `field`) and every one of them in `violations`; nothing is half-saved.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Employer
from kesip.curriculum import exam_rules, exams
from kesip.curriculum.api.design import ViolationSerializer
from kesip.curriculum.models import AwardedQualification, ExamResult, GradeBand, GradingScale, QualificationExam
from kesip.curriculum.rules import rulebook_for


def refused(invalid):
    """400: the first broken rule at the top (the shape of a single RuleViolation), and all of them in `violations`."""
    first = invalid.violations[0]
    count = len(invalid.violations)
    message = (
        first.message
        if count == 1
        else ngettext("%(count)s rule is broken.", "%(count)s rules are broken.", count) % {"count": count}
    )
    return Response(
        {**first.as_dict(), "message": message, "violations": [v.as_dict() for v in invalid.violations]},
        status=400,
    )


REFUSED = OpenApiResponse(
    inline_serializer(
        "ExamRefused",
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


class ExamSerializer(core_api.ScopedSerializer):
    expert_list = serializers.ListField(child=serializers.CharField(), read_only=True)
    result_count = serializers.IntegerField(read_only=True)
    passed_count = serializers.IntegerField(read_only=True)
    warnings = serializers.SerializerMethodField(help_text="VR-48 (soft): the attestation board names no employer.")

    class Meta:
        model = QualificationExam
        fields = ["id", "institution", "group", *exams.EXAM_FIELDS, "employer_members", "status", "expert_list",
                  "result_count", "passed_count", "warnings"]  # fmt: skip
        read_only_fields = ["institution", "status"]
        extra_kwargs = {"scale": {"required": False, "help_text": "Empty: the default scale of the institution's country."}}
        validators = []  # a second exam of the group is refused by the exam rules, with their clause

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["group"].read_only = True
        if "employer_members" in self.fields:
            # Whoever plans exams names the board's employers of their institutions (the employers' own pages may be closed
            # to them); the service checks that each is of the exam's institution.
            request = self.context.get("request")
            scope = access.scope_for(getattr(request, "user", None), QualificationExam, "change")
            employers = Employer.objects.all()
            if not scope.everything:
                employers = employers.filter(institution_id__in=scope.institution_ids)
            self.fields["employer_members"].child_relation.queryset = employers

    def validate(self, attrs):
        group = attrs.get("group") or self.instance.group
        attrs["institution"] = group.institution
        if self.instance is None and not attrs.get("scale"):
            attrs["scale"] = GradingScale.default_for(group.institution.jurisdiction)
        return super().validate(attrs)

    def _clean_exclusions(self):
        # The exam rules name a second exam of the group with its clause; the bare constraint would not.
        return [*super()._clean_exclusions(), "group"]

    @extend_schema_field(ViolationSerializer(many=True))
    def get_warnings(self, exam):
        books = self.context.setdefault("_books", {})
        key = exam.group.institution.jurisdiction  # one rulebook per country for the whole list
        if key not in books:
            books[key] = rulebook_for(key)
        return [v.as_dict() for v in exam_rules.board_warnings(exam, books[key], exam.employer_members.all())]


class ResultRowSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    value = serializers.CharField(allow_null=True, allow_blank=True, required=False, max_length=16, help_text="Empty: no result.")


class ResultsTableSerializer(serializers.Serializer):
    results = ResultRowSerializer(many=True, help_text="The whole table: a student left out has no result.")
    close = serializers.BooleanField(default=False, help_text="Also mark the exam held and award the qualification.")

    def validate_results(self, rows):
        seen = set()
        for row in rows:
            if row["student"] in seen:
                raise serializers.ValidationError(_("A student appears twice in the table."))
            seen.add(row["student"])
        return rows


class AwardedQualificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = AwardedQualification
        fields = ["id", "institution", "student", "qualification", "exam", "awarded_on"]


class OutcomeSerializer(serializers.Serializer):
    exam = ExamSerializer()
    awarded = AwardedQualificationSerializer(many=True)
    skipped = ViolationSerializer(many=True, help_text="Students who already hold the qualification: not awarded twice.")
    warnings = ViolationSerializer(many=True, help_text="VR-48 (soft): held with no employer named on the board.")


class ExamStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(exams.STEPS))


class ExamViewSet(core_api.ScopedViewSet):
    """Qualification and demonstration exams of groups; `results` takes the whole table, `step` marks held or reopens."""

    queryset = QualificationExam.objects.all()
    serializer_class = ExamSerializer
    filterset_fields = ["institution", "group", "qualification", "kind", "status", "held_on"]

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("group__institution", "scale")
            .prefetch_related("employer_members")
            .annotate(result_count=Count("results"), passed_count=Count("results", filter=Q(results__passed=True)))
        )

    def _read(self, pk):
        exam = (
            QualificationExam.objects.for_user(self.request.user)
            .select_related("group__institution", "scale")
            .prefetch_related("employer_members")
            .annotate(result_count=Count("results"), passed_count=Count("results", filter=Q(results__passed=True)))
            .get(pk=pk)
        )
        return self.get_serializer(exam).data

    @extend_schema(responses={201: ExamSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employers = values.pop("employer_members", [])
        exam = QualificationExam(**values)
        try:
            exams.save_exam(exam, request.user, employers=employers)
        except exams.ExamInvalid as invalid:
            return refused(invalid)
        return Response(self._read(exam.pk), status=201)

    @extend_schema(responses={200: ExamSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        exam = self.get_object()
        data = self.get_serializer(exam, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        employers = values.pop("employer_members", None)
        for name, value in values.items():
            setattr(exam, name, value)
        try:
            exams.save_exam(exam, request.user, employers=employers)
        except exams.ExamInvalid as invalid:
            return refused(invalid)
        return Response(self._read(exam.pk))

    def perform_destroy(self, instance):
        exams.delete_exam(instance, self.request.user)

    def _outcome(self, outcome):
        return Response(
            {
                "exam": self._read(outcome.exam.pk),
                "awarded": AwardedQualificationSerializer(outcome.awarded, many=True).data,
                "skipped": [v.as_dict() for v in outcome.skipped],
                "warnings": [v.as_dict() for v in outcome.warnings],
            }
        )

    @extend_schema(request=ResultsTableSerializer, responses={200: OutcomeSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def results(self, request, pk=None):
        exam = self.get_object()
        table = ResultsTableSerializer(data=request.data)
        table.is_valid(raise_exception=True)
        marks = {row["student"]: row.get("value") for row in table.validated_data["results"]}
        try:
            outcome = exams.record_results(exam, marks, request.user, close=table.validated_data["close"])
        except exams.ExamInvalid as invalid:
            return refused(invalid)
        return self._outcome(outcome)

    @extend_schema(request=ExamStepSerializer, responses={200: OutcomeSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        exam = self.get_object()
        data = ExamStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            if data.validated_data["step"] == "close":
                outcome = exams.close_exam(exam, request.user)
            else:
                exams.reopen_exam(exam, request.user)
                outcome = exams.Outcome(exam)
        except exams.ExamInvalid as invalid:
            return refused(invalid)
        return self._outcome(outcome)


class ExamResultSerializer(serializers.ModelSerializer):
    letter = serializers.SerializerMethodField()
    traditional = serializers.SerializerMethodField()

    class Meta:
        model = ExamResult
        fields = ["id", "institution", "exam", "student", "value", "passed", "letter", "traditional"]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_letter(self, result):
        band = result.exam.scale.band_for(result.value)
        return band.letter if band else None

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_traditional(self, result):
        band = result.exam.scale.band_for(result.value)
        return band.traditional if band else None


class ExamResultViewSet(core_api.ScopedViewSet):
    """Exam results, with the letter and traditional grade of the exam's scale; they are written through an exam's `results`."""

    queryset = ExamResult.objects.all()
    serializer_class = ExamResultSerializer
    filterset_fields = ["exam", "student", "passed"]
    http_method_names = ["get", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("exam__scale").prefetch_related("exam__scale__bands")


class AwardedQualificationViewSet(core_api.ScopedViewSet):
    """Qualifications awarded to students by passed exams; awarded and withdrawn only through the exam's steps."""

    queryset = AwardedQualification.objects.all()
    serializer_class = AwardedQualificationSerializer
    filterset_fields = ["student", "qualification", "exam", "awarded_on"]
    http_method_names = ["get", "head", "options"]


class GradeBandSerializer(serializers.ModelSerializer):
    class Meta:
        model = GradeBand
        fields = ["letter", "min_value", "max_value", "points", "traditional", "passed"]


class GradingScaleSerializer(serializers.ModelSerializer):
    bands = GradeBandSerializer(many=True, read_only=True)

    class Meta:
        model = GradingScale
        fields = ["id", "code", "jurisdiction", "name_ky", "name_ru", "name_kk", "name_en", "min_value", "max_value",
                  "is_default", "source", "note", "bands"]  # fmt: skip


class GradingScaleViewSet(viewsets.ReadOnlyModelViewSet):
    """The grading scales of both countries with their bands; shared by every institution, like the classifier."""

    queryset = GradingScale.objects.prefetch_related("bands").order_by("pk")
    serializer_class = GradingScaleSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["jurisdiction", "is_default"]
    search_fields = ["code", "name_ky", "name_ru", "name_kk", "name_en"]
