"""The diary API: briefings, diary entries, the steps of a placement from ordered to closed, and assessments.

- `/briefings/`: list and record (`POST` records one briefing of a placement, or corrects it until the
  learner acknowledges it); `POST /briefings/{id}/acknowledge/` — the learner on their phone, or staff
  recording the paper log.
- `/diary-entries/`: the learner writes their own entries (`POST`, `PATCH` of a draft or a returned one,
  `DELETE` of a draft; multipart for the attachment), `submit/`; the mentor `grade/` and `return/`; the
  head of practical training `check/`; `GET attachment/` downloads the photo or PDF.
- `/placement-progress/{placement id}/`: where the placement stands (status, the steps open to the
  caller, briefings missing, the diary's totals, warnings), and its steps as `POST` actions `brief/`,
  `start/`, `complete/`, `assess/`, `close/` (the placements API owns the placement record itself and
  the earlier steps). Each answers the progress and the soft rules broken as `warnings`.
- `/assessments/`: read the assessments with their competency results; `GET artefact/` downloads the evidence.

The same services as the pages: a refused step answers 400 with the first broken rule (`code`,
`message`, `source`, `field`) and all of them in `violations` (403 when the caller may not take the
step); nothing is half-saved. Another institution's record, another mentor's learner or another
learner's diary is 404.
"""

import json

from django.db.models import Q
from django.http import FileResponse, Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from kesip.core import access
from kesip.core.models import StaffMember
from kesip.core.rules import RuleViolation
from kesip.curriculum import journal
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import diary
from kesip.wbl import diary_documents as papers
from kesip.wbl import diary_rules as rules
from kesip.wbl.common import rulebook, settings_for
from kesip.wbl.models import (
    Assessment,
    AssessmentMethod,
    Briefing,
    CompetencyResult,
    DiaryEntry,
    EmployerPerson,
    LocalDocument,
    Placement,
)

E = DiaryEntry.Status
STEP_CHOICES = list(diary.STEPS)
PLACEMENT_STATUS = serializers.CharField(
    read_only=True, help_text="ordered, briefed, active, completed, assessed or closed (the placement's status)."
)

REFUSED = OpenApiResponse(
    inline_serializer(
        "DiaryStepRefused",
        {
            "code": serializers.CharField(),
            "message": serializers.CharField(),
            "source": serializers.CharField(),
            "field": serializers.CharField(allow_null=True),
            "violations": ViolationSerializer(many=True, required=False),
        },
    ),
    description="Every broken rule; nothing was saved.",
)
FORBIDDEN = OpenApiResponse(description="The caller may not take this step (code `wbl.permission`).")


class ActionPermission(permissions.BasePermission):
    """The permission each action needs (`perms` on the viewset: action → permission; `*` for the rest)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        perm = view.perms.get(view.action, view.perms["*"])
        return perm is None or access.has_perm(user, perm)


class StepErrors:
    """A refusal by permission is 403, any other broken rule 400 (the project's exception handler)."""

    def handle_exception(self, exc):
        if isinstance(exc, RuleViolation) and exc.code == "wbl.permission":
            return Response(exc.as_dict(), status=status.HTTP_403_FORBIDDEN)
        return super().handle_exception(exc)


def _scoped(field, user, model, action="view"):
    rel = field.child_relation if isinstance(field, serializers.ManyRelatedField) else field
    rel.queryset = model.objects.for_user(user, action)


# --- Briefings ----------------------------------------------------------------------------------


class BriefingSerializer(serializers.ModelSerializer):
    acknowledged = serializers.BooleanField(
        write_only=True, default=False, help_text="The learner signed the paper briefing log: acknowledge it at once."
    )

    class Meta:
        model = Briefing
        fields = ["id", "institution", "placement", "kind", "held_on", "conducted_by", "documents", "acknowledged_at",
                  "acknowledged"]  # fmt: skip
        read_only_fields = ["institution", "acknowledged_at"]
        extra_kwargs = {"documents": {"required": False}}
        validators = []  # recording a kind again corrects it (until acknowledged): the service decides

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        _scoped(self.fields["placement"], user, Placement)
        _scoped(self.fields["documents"], user, LocalDocument)


class BriefingViewSet(
    StepErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Briefings of placements. `POST` records one (or corrects it until the learner acknowledges it); the
    placement becomes briefed when its last briefing is acknowledged."""

    queryset = Briefing.objects.all()
    serializer_class = BriefingSerializer
    permission_classes = [ActionPermission]
    perms = {"*": "view_wbl", "create": "change_wbl", "acknowledge": "view_wbl"}
    filterset_fields = ["placement", "kind"]

    def get_queryset(self):
        return (
            Briefing.objects.for_user(self.request.user, "view")
            .select_related("placement")
            .prefetch_related("documents")
            .order_by("pk")
        )

    @extend_schema(responses={201: BriefingSerializer, 400: REFUSED, 403: FORBIDDEN})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        briefing = diary.record_briefing(
            v["placement"],
            v["kind"],
            request.user,
            held_on=v["held_on"],
            conducted_by=v["conducted_by"],
            documents=v.get("documents", []),
            acknowledged=v["acknowledged"],
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=briefing.pk)).data, status=201)

    @extend_schema(request=None, responses={200: BriefingSerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        """The learner acknowledges the briefing; staff (or the employer's representative) record the paper signature."""
        briefing = diary.acknowledge(self.get_object(), request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=briefing.pk)).data)


# --- Diary entries ------------------------------------------------------------------------------


class DiaryEntrySerializer(serializers.ModelSerializer):
    attachment = serializers.FileField(
        write_only=True, required=False, allow_null=True, help_text="A photo (JPEG, PNG, HEIC, WEBP) or a PDF, up to 10 MB."
    )
    clear_attachment = serializers.BooleanField(write_only=True, default=False)
    submit = serializers.BooleanField(write_only=True, default=False, help_text="Hand the entry to the mentor at once.")
    hours = serializers.DecimalField(max_digits=4, decimal_places=1, help_text="0.5 to 12 hours.")
    attachment_name = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = DiaryEntry
        fields = ["id", "institution", "placement", "date", "task", "work_done", "hours", "attachment", "clear_attachment",
                  "submit", "attachment_name", "status", "submitted_at", "overdue", "grade", "mentor_comment", "graded_at",
                  "graded_by", "checked_at", "checked_by", "supervisor_note"]  # fmt: skip
        read_only_fields = ["institution", "status", "submitted_at", "grade", "mentor_comment", "graded_at", "graded_by",
                            "checked_at", "checked_by", "supervisor_note"]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        _scoped(self.fields["placement"], user, Placement)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["placement"].read_only = True

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_attachment_name(self, entry):
        return entry.attachment.name.rsplit("/", 1)[-1] if entry.attachment else None

    @extend_schema_field(serializers.BooleanField())
    def get_overdue(self, entry):
        cutoffs = self.context.setdefault("cutoffs", {})
        if entry.institution_id not in cutoffs:
            days = settings_for(entry.placement.institution).diary_grading_days
            cutoffs[entry.institution_id] = rules.overdue_cutoff(days)
        return (
            entry.status == E.SUBMITTED and entry.submitted_at is not None and entry.submitted_at < cutoffs[entry.institution_id]
        )


class DiaryGradeSerializer(serializers.Serializer):
    grade = serializers.CharField(max_length=8, help_text="A mark on the institution's scale (KG 2–5, KZ 0–100).")
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class DiaryReturnSerializer(serializers.Serializer):
    comment = serializers.CharField(help_text="What the learner should correct.", allow_blank=True)


class DiaryNoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DiaryEntryViewSet(StepErrors, viewsets.ModelViewSet):
    """Diary entries. The learner writes and hands in their own; the mentor grades or returns them; the head of
    practical training controls them. A draft is seen only by its learner."""

    queryset = DiaryEntry.objects.all()
    serializer_class = DiaryEntrySerializer
    permission_classes = [ActionPermission]
    perms = {"*": "view_diary", "create": "change_diary", "update": "change_diary", "partial_update": "change_diary",
             "destroy": "change_diary", "submit": "change_diary", "grade": "grade_diary", "return_": "grade_diary",
             "check": "change_diary"}  # fmt: skip
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    filterset_fields = ["placement", "status", "date"]

    def get_queryset(self):
        user = self.request.user
        own = Q(placement__student__user=user) | Q(placement__intern_staff__user=user)
        return (
            DiaryEntry.objects.for_user(user, "view")
            .exclude(Q(status=E.DRAFT) & ~own)
            .select_related(*(f"placement__{s}" for s in diary.SELECT))
            .order_by("-date", "-pk")
        )

    def _read(self, entry):
        return Response(self.get_serializer(self.get_queryset().get(pk=entry.pk)).data)

    @extend_schema(responses={201: DiaryEntrySerializer, 400: REFUSED, 403: FORBIDDEN})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        entry = DiaryEntry(placement=v["placement"], **{k: v.get(k) for k in diary.ENTRY_FIELDS})
        diary.save_entry(entry, request.user, attachment=v.get("attachment"), submit=v["submit"])
        response = self._read(entry)
        response.status_code = 201
        return response

    @extend_schema(responses={200: DiaryEntrySerializer, 400: REFUSED, 403: FORBIDDEN})
    def update(self, request, *args, **kwargs):
        entry = self.get_object()
        data = self.get_serializer(entry, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        v = data.validated_data
        for name in diary.ENTRY_FIELDS:
            if name in v:
                setattr(entry, name, v[name])
        diary.save_entry(
            entry,
            request.user,
            attachment=v.get("attachment"),
            clear_attachment=v.get("clear_attachment", False),
            submit=v.get("submit", False),
        )
        return self._read(entry)

    @extend_schema(responses={204: None, 400: REFUSED, 403: FORBIDDEN})
    def destroy(self, request, *args, **kwargs):
        diary.delete_entry(self.get_object(), request.user)
        return Response(status=204)

    @extend_schema(request=None, responses={200: DiaryEntrySerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        """Hand a draft or a corrected entry to the mentor."""
        return self._read(diary.submit_entry(self.get_object(), request.user))

    @extend_schema(request=DiaryGradeSerializer, responses={200: DiaryEntrySerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        """The mentor grades the entry on the institution's scale, with a comment."""
        entry = self.get_object()
        data = DiaryGradeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._read(diary.grade_entry(entry, data.validated_data["grade"], request.user, data.validated_data["comment"]))

    @extend_schema(request=DiaryReturnSerializer, responses={200: DiaryEntrySerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request, pk=None):
        """The mentor returns the entry to the learner for correction, saying what to correct."""
        entry = self.get_object()
        data = DiaryReturnSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._read(diary.return_entry(entry, data.validated_data["comment"], request.user))

    @extend_schema(request=DiaryNoteSerializer, responses={200: DiaryEntrySerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """The head of practical training (or the placement's supervisor) marks the entry controlled."""
        entry = self.get_object()
        data = DiaryNoteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return self._read(diary.check_entry(entry, request.user, note=data.validated_data["note"]))

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")})
    @action(detail=True, methods=["get"])
    def attachment(self, request, pk=None):
        entry = self.get_object()
        if not entry.attachment:
            raise Http404
        return FileResponse(entry.attachment.open("rb"), filename=entry.attachment.name.rsplit("/", 1)[-1])


# --- The steps of a placement -------------------------------------------------------------------


class DiaryTotalsSerializer(serializers.Serializer):
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    graded_hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    average = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True)
    entries = serializers.IntegerField()
    graded = serializers.IntegerField()
    waiting = serializers.IntegerField()
    overdue = serializers.IntegerField()
    drafts = serializers.IntegerField()
    returned = serializers.IntegerField()
    unchecked = serializers.IntegerField()


class PlacementProgressSerializer(serializers.ModelSerializer):
    """Where a placement stands between the referral order and closing."""

    status = PLACEMENT_STATUS
    learner = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()
    briefings_missing = serializers.SerializerMethodField()
    diary = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Placement
        fields = ["id", "institution", "status", "learner", "student", "group", "employer", "mentor", "supervisor", "component",
                  "starts_on", "ends_on", "hours", "steps", "briefings_missing", "diary", "warnings", "review",
                  "characterisation", "recommended_grade", "reviewed_on", "completed_on", "closed_on"]  # fmt: skip
        read_only_fields = fields

    def _state(self, placement):
        cache = self.context.setdefault("states", {})
        if placement.pk not in cache:
            user = self.context["request"].user
            book = rulebook(placement.institution)
            gaps = diary.gaps(placement, book)
            days = settings_for(placement.institution).diary_grading_days
            sums = diary.totals(DiaryEntry.objects.filter(placement=placement), rules.overdue_cutoff(days))
            r = diary.rights(user, placement)
            cache[placement.pk] = {
                "gaps": gaps,
                "sums": sums,
                "steps": sorted(diary.allowed_steps(placement, user, briefed=not gaps, r=r)),
                "warnings": diary.overdue_warnings(placement, sums["overdue"], book) if r.grade or r.control else [],
            }
        return cache[placement.pk]

    @extend_schema_field(serializers.CharField())
    def get_learner(self, placement):
        return str(placement.learner)

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=STEP_CHOICES)))
    def get_steps(self, placement):
        return self._state(placement)["steps"]

    @extend_schema_field(ViolationSerializer(many=True))
    def get_briefings_missing(self, placement):
        return [v.as_dict() for v in self._state(placement)["gaps"]]

    @extend_schema_field(DiaryTotalsSerializer)
    def get_diary(self, placement):
        return DiaryTotalsSerializer(self._state(placement)["sums"]).data

    @extend_schema_field(ViolationSerializer(many=True))
    def get_warnings(self, placement):
        return [v.as_dict() for v in self._state(placement)["warnings"]]


class PlacementProgressListSerializer(serializers.ModelSerializer):
    """A placement in the diary users' list, with its diary's counts from one query."""

    status = PLACEMENT_STATUS
    learner = serializers.SerializerMethodField()
    waiting = serializers.IntegerField(source="waiting_count", read_only=True)
    overdue = serializers.IntegerField(source="overdue_count", read_only=True)
    graded = serializers.IntegerField(source="graded_count", read_only=True)
    unchecked = serializers.IntegerField(source="unchecked_count", read_only=True)
    drafts = serializers.IntegerField(source="draft_count", read_only=True, help_text="Drafts and returned entries.")
    diary_hours = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True, allow_null=True)
    average_grade = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)

    class Meta:
        model = Placement
        fields = ["id", "institution", "status", "learner", "student", "group", "employer", "mentor", "starts_on", "ends_on",
                  "waiting", "overdue", "graded", "unchecked", "drafts", "diary_hours", "average_grade"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_learner(self, placement):
        return str(placement.learner)


class PlacementStepResultSerializer(serializers.Serializer):
    placement = PlacementProgressSerializer()
    warnings = ViolationSerializer(many=True, help_text="Soft rules broken by the step; they do not block it.")


class PlacementCompleteSerializer(serializers.Serializer):
    review = serializers.CharField(allow_blank=True, help_text="Tasks done and competencies shown (п. 14).")
    characterisation = serializers.CharField(allow_blank=True, help_text="Qualities, discipline, attitude (п. 14).")
    recommended_grade = serializers.CharField(required=False, allow_blank=True, allow_null=True, max_length=8)
    early_reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="Needed when completed before the last day."
    )


class AssessmentResultInputSerializer(serializers.Serializer):
    competency = serializers.IntegerField()
    achieved = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


@extend_schema_field(AssessmentResultInputSerializer(many=True))
class ResultsField(serializers.Field):
    """A list of competency results; in a multipart request, the same list as a JSON string."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            try:
                data = json.loads(data or "[]")
            except ValueError:
                raise serializers.ValidationError(_("Give the results as a list of competency, achieved, note.")) from None
        rows = AssessmentResultInputSerializer(data=data, many=True)
        if not isinstance(data, list) or not rows.is_valid():
            raise serializers.ValidationError(_("Give the results as a list of competency, achieved, note."))
        found = {}
        for row in rows.validated_data:
            if row["competency"] in found:
                raise serializers.ValidationError(_("A competency appears twice in the results."))
            found[row["competency"]] = (row["achieved"], row["note"])
        return found

    def to_representation(self, value):
        return [{"competency": k, "achieved": a, "note": n} for k, (a, n) in value.items()]


class PlacementAssessSerializer(serializers.Serializer):
    assessed_on = serializers.DateField()
    method = serializers.ChoiceField(choices=AssessmentMethod.choices)
    value = serializers.CharField(max_length=8, help_text="The grade on the institution's scale.")
    institution_assessors = serializers.PrimaryKeyRelatedField(many=True, queryset=StaffMember.objects.all(), required=False)
    employer_assessors = serializers.PrimaryKeyRelatedField(many=True, queryset=EmployerPerson.objects.all(), required=False)
    results = ResultsField(required=False, help_text="A result for each competency of the placement.")
    comment = serializers.CharField(required=False, allow_blank=True, default="")
    artefact = serializers.FileField(required=False, allow_null=True, help_text="Project, video or other evidence, up to 10 MB.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.context.get("request"), "user", None)
        _scoped(self.fields["institution_assessors"], user, StaffMember)
        _scoped(self.fields["employer_assessors"], user, EmployerPerson)


class AssessmentCompetencyResultSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompetencyResult
        fields = ["competency", "achieved", "note"]


class AssessmentSerializer(serializers.ModelSerializer):
    competency_results = AssessmentCompetencyResultSerializer(many=True, read_only=True)
    artefact_name = serializers.SerializerMethodField()
    mark = serializers.SerializerMethodField()

    class Meta:
        model = Assessment
        fields = ["id", "institution", "placement", "assessed_on", "method", "value", "mark", "institution_assessors",
                  "employer_assessors", "comment", "artefact_name", "competency_results"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_artefact_name(self, assessment):
        return assessment.artefact.name.rsplit("/", 1)[-1] if assessment.artefact else None

    @extend_schema_field(serializers.CharField())
    def get_mark(self, assessment):
        scales = self.context.setdefault("scales", {})
        institution = assessment.placement.institution
        if institution.pk not in scales:
            scales[institution.pk] = journal.scale_for(institution)
        return papers.mark(assessment.value, scales[institution.pk])


class PlacementAssessResultSerializer(PlacementStepResultSerializer):
    assessment = AssessmentSerializer()


class PlacementProgressViewSet(StepErrors, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Placements from the referral order on, with their steps: `brief`, `start`, `complete`, `assess`, `close`.

    The list is the diary users' start page: a mentor's own learners, a learner's own placements, an
    institution's placements (filter by status, group, employer, mentor).
    """

    queryset = Placement.objects.all()
    serializer_class = PlacementProgressSerializer
    permission_classes = [ActionPermission]
    perms = {"*": "view_wbl"}
    filterset_fields = ["status", "group", "employer", "mentor", "student"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        qs = (
            Placement.objects.for_user(self.request.user, "view")
            .filter(status__in=[s for s in Placement.Status.values if s not in ("planned", "roster_agreed", "cancelled")])
            .select_related(*diary.SELECT)
        )
        if self.action == "list":
            return qs.annotate(**diary.progress_annotations()).order_by("-overdue_count", "-waiting_count", "-starts_on", "pk")
        return qs.order_by("-starts_on", "pk")

    def get_serializer_class(self):
        return PlacementProgressListSerializer if self.action == "list" else PlacementProgressSerializer

    def _result(self, placement, warnings=(), **extra):
        fresh = self.get_queryset().get(pk=placement.pk)
        context = self.get_serializer_context()
        body = {
            "placement": PlacementProgressSerializer(fresh, context=context).data,
            "warnings": [w.as_dict() for w in warnings],
        }
        for name, value in extra.items():
            body[name] = AssessmentSerializer(value, context=context).data
        return Response(body)

    @extend_schema(request=None, responses={200: PlacementStepResultSerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def brief(self, request, pk=None):
        """ordered → briefed: every briefing recorded and acknowledged (VR-44)."""
        return self._result(diary.brief(self.get_object(), request.user))

    @extend_schema(request=None, responses={200: PlacementStepResultSerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def start(self, request, pk=None):
        """briefed → active on or after the first day (ordered → active when the institution lets it start unbriefed)."""
        outcome = diary.start(self.get_object(), request.user)
        return self._result(outcome.obj, outcome.warnings)

    @extend_schema(
        request=PlacementCompleteSerializer, responses={200: PlacementStepResultSerializer, 400: REFUSED, 403: FORBIDDEN}
    )
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        """active → completed with the mentor's review and characterisation (VR-45, VR-46); again to correct them."""
        placement = self.get_object()
        data = PlacementCompleteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        outcome = diary.complete(
            placement,
            request.user,
            review=v["review"],
            characterisation=v["characterisation"],
            recommended_grade=v.get("recommended_grade"),
            early_reason=v["early_reason"],
        )
        return self._result(outcome.obj, outcome.warnings)

    @extend_schema(
        request=PlacementAssessSerializer, responses={200: PlacementAssessResultSerializer, 400: REFUSED, 403: FORBIDDEN}
    )
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        """completed → assessed (again: replaced); the grade goes to the journal and the transcript (VR-47)."""
        placement = self.get_object()
        data = PlacementAssessSerializer(data=request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        v = data.validated_data
        outcome = diary.assess(
            placement,
            request.user,
            assessed_on=v["assessed_on"],
            method=v["method"],
            value=v["value"],
            institution_assessors=v.get("institution_assessors", []),
            employer_assessors=v.get("employer_assessors", []),
            results=v.get("results", {}),
            comment=v["comment"],
            artefact=v.get("artefact"),
            today=timezone.localdate(),
        )
        assessment = Assessment.objects.select_related("placement__institution").get(pk=outcome.obj.pk)
        return self._result(placement, outcome.warnings, assessment=assessment)

    @extend_schema(request=None, responses={200: PlacementStepResultSerializer, 400: REFUSED, 403: FORBIDDEN})
    @action(detail=True, methods=["post"])
    def close(self, request, pk=None):
        """assessed → closed (VR-46 checked again)."""
        return self._result(diary.close(self.get_object(), request.user))


class AssessmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Assessments of placements with their competency results; recorded through `placement-progress/{id}/assess/`."""

    queryset = Assessment.objects.all()
    serializer_class = AssessmentSerializer
    permission_classes = [ActionPermission]
    perms = {"*": "view_wbl"}
    filterset_fields = ["placement", "method", "assessed_on"]

    def get_queryset(self):
        return (
            Assessment.objects.for_user(self.request.user, "view")
            .select_related("placement__institution")
            .prefetch_related("competency_results", "institution_assessors", "employer_assessors")
            .order_by("-assessed_on", "pk")
        )

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiResponse(description="The file.")})
    @action(detail=True, methods=["get"])
    def artefact(self, request, pk=None):
        assessment = self.get_object()
        if not assessment.artefact:
            raise Http404
        return FileResponse(assessment.artefact.open("rb"), filename=assessment.artefact.name.rsplit("/", 1)[-1])


def register(router):
    router.register("briefings", BriefingViewSet)
    router.register("diary-entries", DiaryEntryViewSet)
    router.register("placement-progress", PlacementProgressViewSet, basename="placement-progress")
    router.register("assessments", AssessmentViewSet)
