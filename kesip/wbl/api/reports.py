"""The annual WBL report API: open a report, write its texts while a draft, take its steps, read the live
indicators of a year, the employers' agreements and their answers, and the authority's consolidated figures.

The same services and rules as the pages: a refused step answers 400 with the first broken rule
(`code`, `message`, `source`, `field`) and every one of them in `violations`; nothing is half-saved.
The indicators are plain JSON with choice codes (see `kesip.wbl.report_indicators`).
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Institution
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import report_measures as measures
from kesip.wbl import reports
from kesip.wbl.api.documents import document_action
from kesip.wbl.models import AnnualReport, ImprovementMeasure, ReportAgreement, StakeholderNotice
from kesip.wbl.views import reports as report_views

REFUSED = OpenApiResponse(
    inline_serializer(
        "AnnualReportRefused",
        {
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "source": serializers.CharField(),
            "field": serializers.CharField(allow_null=True),
            "violations": ViolationSerializer(many=True, required=False),
        },
    ),
    description="The broken rules (VR-52 and the state of the report); nothing was saved.",
)
YEAR = OpenApiParameter(
    "year", int, description="The academic year by the year it starts in (2024 for 2024–2025); the past year by default."
)


class ReportAgreementSerializer(serializers.ModelSerializer):
    employer_name = serializers.CharField(source="employer.name", read_only=True)

    class Meta:
        model = ReportAgreement
        fields = ["id", "institution", "report", "employer", "employer_name", "status", "agreed_on", "agreed_by", "remarks"]
        read_only_fields = fields


class AnnualReportSerializer(serializers.ModelSerializer):
    agreements = ReportAgreementSerializer(many=True, read_only=True)
    steps = serializers.SerializerMethodField(help_text="The steps the user may take now: edit, send, finalise, reopen, publish.")

    class Meta:
        model = AnnualReport
        fields = ["id", "institution", "academic_year", "status", "summary", "problems", "recommendations", "sent_on",
                  "finalised_on", "published_on", "indicators", "agreements", "steps"]  # fmt: skip
        read_only_fields = fields
        extra_kwargs = {"indicators": {"help_text": "The indicators frozen when the report became final; empty before."}}

    def get_steps(self, report) -> list[str]:
        request = self.context.get("request")
        return sorted(reports.allowed_steps(report, getattr(request, "user", None), list(report.agreements.all())))


class ImprovementMeasureSerializer(serializers.ModelSerializer):
    class Meta:
        model = ImprovementMeasure
        fields = ["id", "institution", "report", "text", "responsible", "due_on", "status", "done_on"]
        read_only_fields = ["id", "institution"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is not None and "report" in self.fields:
            scope = access.scope_for(user, AnnualReport, "change")
            self.fields["report"].queryset = (
                AnnualReport.objects.all()
                if scope.everything
                else AnnualReport.objects.filter(institution_id__in=scope.institution_ids)
            )
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["report"].read_only = True

    def validate(self, attrs):  # the service checks the measure as a whole
        return attrs


class StakeholderNoticeSerializer(serializers.ModelSerializer):
    class Meta:
        model = StakeholderNotice
        fields = ["id", "institution", "report", "sent_at", "sent_by", "recipients", "subject", "body"]
        read_only_fields = fields


class ReportNotifySerializer(serializers.Serializer):
    include_list = serializers.BooleanField(
        default=True, help_text="Send to the heads and representatives of the employers that hosted learners in the year."
    )
    extra = serializers.CharField(required=False, allow_blank=True, max_length=5000, help_text="Further e-mail addresses.")


class ReportTextsSerializer(serializers.Serializer):
    summary = serializers.CharField(required=False, allow_blank=True, max_length=20000, help_text="How WBL went.")
    problems = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    recommendations = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=20000,
        help_text="Recommendations for the WBL process and programme; required before the report is sent (VR-52).",
    )


class ReportOpenSerializer(serializers.Serializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.none())
    academic_year = serializers.IntegerField(
        required=False, min_value=1990, max_value=2100, help_text="A year that has ended; the past academic year by default."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        scope = access.scope_for(user, AnnualReport, "change")
        self.fields["institution"].queryset = (
            Institution.objects.all() if scope.everything else Institution.objects.filter(pk__in=scope.institution_ids)
        )


class ReportStepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(reports.STEPS))


class ReportAnswerSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=list(reports.ANSWERS))
    agreed_by = serializers.CharField(
        required=False, allow_blank=True, max_length=255, help_text="Who answered for the employer; the user's name by default."
    )
    remarks = serializers.CharField(
        required=False, allow_blank=True, max_length=20000, help_text="Required with the answer “remarks”."
    )


INDICATORS = inline_serializer(
    "AnnualReportIndicators",
    {
        "academic_year": serializers.IntegerField(),
        "institutions": serializers.ListField(child=serializers.IntegerField()),
        "indicators": serializers.DictField(help_text="The indicators of §8.2 (see kesip.wbl.report_indicators)."),
    },
)
CONSOLIDATED = inline_serializer(
    "AnnualReportConsolidated",
    {
        "academic_year": serializers.IntegerField(),
        "rows": inline_serializer(
            "AnnualReportConsolidatedRow",
            {
                "institution": serializers.IntegerField(),
                "name": serializers.CharField(),
                "report": serializers.IntegerField(allow_null=True),
                "report_status": serializers.CharField(allow_null=True),
                "timely": inline_serializer(
                    "AnnualReportTimely",
                    {
                        "due_on": serializers.DateField(),
                        "on_time": serializers.BooleanField(allow_null=True),
                        "agreed": serializers.IntegerField(),
                        "asked": serializers.IntegerField(),
                    },
                    help_text="K26: final by the due day (null while it has not come) and the employers who agreed.",
                ),
                "indicators": serializers.DictField(),
            },
            many=True,
        ),
        "total": serializers.DictField(),
    },
)


def _year(request):
    raw = request.query_params.get("year")
    if raw in (None, ""):
        return reports.past_academic_year(reports.today_())
    try:
        year = int(raw)
    except ValueError:
        raise ValidationError({"year": ["Give the academic year as a number, e.g. 2024 for 2024–2025."]}) from None
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": ["Give an academic year between 1990 and 2100."]})
    return year


def _readable_institutions(user):
    if not reports.reads_figures(user):
        raise PermissionDenied("The WBL figures are read by the institution's staff and its authority.")
    return reports.institutions_for(user)


class AnnualReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Annual WBL reports (п. 56 item 12): `open/` one for a year that has ended, PATCH its texts while a draft, `step/`.

    An employer's representative reads the reports its employer is asked to agree; an authority
    analyst reads those of the institutions under its authority.
    """

    queryset = AnnualReport.objects.all()
    serializer_class = AnnualReportSerializer
    permission_classes = [core_api.ScopedPermission]
    filterset_fields = ["institution", "academic_year", "status"]
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        user = self.request.user
        if self.request.method in permissions.SAFE_METHODS:
            ids = AnnualReport.objects.for_user(user, "view").values("pk")
        else:
            # Only the institution's staff change a report; an employer answers through report-agreements.
            scope = access.scope_for(user, AnnualReport, "change")
            staff = (
                AnnualReport.objects.all()
                if scope.everything
                else AnnualReport.objects.filter(institution_id__in=scope.institution_ids)
            )
            ids = staff.values("pk")
        return (
            AnnualReport.objects.filter(pk__in=ids)
            .select_related("institution")
            .prefetch_related("agreements__employer")
            .order_by("-academic_year", "pk")
        )

    def _read(self, report):
        return self.get_serializer(AnnualReport.objects.prefetch_related("agreements__employer").get(pk=report.pk)).data

    @extend_schema(request=ReportTextsSerializer, responses={200: AnnualReportSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        report = self.get_object()
        data = ReportTextsSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        texts = data.validated_data
        reports.save_texts(
            report,
            texts.get("summary", report.summary),
            texts.get("problems", report.problems),
            texts.get("recommendations", report.recommendations),
            request.user,
        )
        return Response(self._read(report))

    @extend_schema(request=ReportOpenSerializer, responses={201: AnnualReportSerializer, 400: REFUSED})
    @action(detail=False, methods=["post"])
    def open(self, request):
        """Open the institution's report for a year that has ended (VR-52); one per institution and year."""
        data = ReportOpenSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        report = reports.open_report(data.validated_data["institution"], data.validated_data.get("academic_year"), request.user)
        return Response(self._read(report), status=201)

    @extend_schema(request=ReportStepSerializer, responses={200: AnnualReportSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def step(self, request, pk=None):
        """send (draft → sent; recommendations required), finalise (every employer agreed; freezes the indicators),
        reopen (sent or final → draft), publish (final → published)."""
        report = self.get_object()
        data = ReportStepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        reports.take_step(report, data.validated_data["step"], request.user)
        return Response(self._read(report))

    @extend_schema(request=ReportNotifySerializer, responses={201: StakeholderNoticeSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def notify(self, request, pk=None):
        """Tell the stakeholders of the published report and its improvement measures (п. 56 item 15)."""
        report = self.get_object()
        data = ReportNotifySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        notice = measures.notify(report, request.user, v.get("extra", ""), v["include_list"])
        return Response(StakeholderNoticeSerializer(notice).data, status=201)

    @extend_schema(
        parameters=[YEAR, OpenApiParameter("institution", int, description="One institution; all you read by default.")],
        responses={200: INDICATORS},
    )
    @action(detail=False, methods=["get"])
    def indicators(self, request):
        """The live indicators of an academic year, for one institution or summed over all you read."""
        year = _year(request)
        institutions = _readable_institutions(request.user)
        raw = request.query_params.get("institution")
        if raw not in (None, ""):
            if not raw.isdigit() or not institutions.filter(pk=int(raw)).exists():
                raise Http404
            institutions = institutions.filter(pk=int(raw))
        ids = sorted(institutions.values_list("pk", flat=True))
        return Response({"academic_year": year, "institutions": ids, "indicators": reports.indicators(ids, year)})

    @extend_schema(parameters=[YEAR], responses={200: CONSOLIDATED})
    @action(detail=False, methods=["get"])
    def consolidated(self, request):
        """The indicators of a year per institution you read (an authority: those under it) and in total."""
        year = _year(request)
        rows, total = reports.consolidated(_readable_institutions(request.user), year)
        found = {
            r.institution_id: r
            for r in AnnualReport.objects.filter(institution_id__in=[i.pk for i, _x in rows], academic_year=year)
        }
        timely = measures.timeliness(found, [i.pk for i, _x in rows], year)
        return Response(
            {
                "academic_year": year,
                "rows": [
                    {
                        "institution": i.pk,
                        "name": str(i),
                        "report": found[i.pk].pk if i.pk in found else None,
                        "report_status": found[i.pk].status if i.pk in found else None,
                        "timely": {k: timely[i.pk][k] for k in ("due_on", "on_time", "agreed", "asked")},
                        "indicators": ind,
                    }
                    for i, ind in rows
                ],
                "total": total,
            }
        )

    document = document_action(report_views.report_document, "document", "document", "The annual WBL report.")


class ReportAgreementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The employers' agreement of annual reports (п. 57 item 16); `answer/` agrees or makes remarks.

    An employer's representative answers for its own employer; the institution's staff record an
    answer given on paper.
    """

    queryset = ReportAgreement.objects.all()
    serializer_class = ReportAgreementSerializer
    permission_classes = [core_api.ScopedPermission]
    filterset_fields = ["report", "employer", "status"]

    def get_queryset(self):
        action_name = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        return (
            ReportAgreement.objects.for_user(self.request.user, action_name)
            .select_related("employer")
            .order_by("report", "employer__name", "pk")
        )

    @extend_schema(request=ReportAnswerSerializer, responses={200: ReportAgreementSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        agreement = self.get_object()
        data = ReportAnswerSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        agreement = reports.answer(agreement, v["status"], v.get("agreed_by", ""), v.get("remarks", ""), request.user)
        return Response(ReportAgreementSerializer(ReportAgreement.objects.select_related("employer").get(pk=agreement.pk)).data)


class ImprovementMeasureViewSet(core_api.ScopedViewSet):
    """Improvement measures after annual reports (п. 56 item 15): what, who, by when, how far; the report's staff change them."""

    queryset = ImprovementMeasure.objects.all()
    serializer_class = ImprovementMeasureSerializer
    filterset_fields = ["report", "status"]

    def get_queryset(self):
        return super().get_queryset().select_related("report")

    @extend_schema(responses={201: ImprovementMeasureSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        measure = measures.save_measure(ImprovementMeasure(**data.validated_data), request.user)
        return Response(self.get_serializer(measure).data, status=201)

    @extend_schema(responses={200: ImprovementMeasureSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        measure = self.get_object()
        data = self.get_serializer(measure, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(measure, name, value)
        measures.save_measure(measure, request.user)
        return Response(self.get_serializer(measure).data)

    @extend_schema(responses={204: None, 400: REFUSED})
    def destroy(self, request, *args, **kwargs):
        measures.delete_measure(self.get_object(), request.user)
        return Response(status=204)


def register(router):
    router.register("annual-reports", AnnualReportViewSet)
    router.register("improvement-measures", ImprovementMeasureViewSet)
    router.register("report-agreements", ReportAgreementViewSet)
