"""The curriculum API: qualifications, programme design (modules, components, competencies) and its status flow.

The same forms' fields, the same rules and the same services as the pages.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.forms import ProgrammeForm
from kesip.core.models import Programme
from kesip.core.rules import RuleViolation
from kesip.curriculum import forms, rules, services
from kesip.curriculum.models import Competency, Component, Module, Qualification, WorkingCurriculum

STATUS_FIELDS = ["status", "approved_on", "submitted_on", "conclusion_on", "expert_conclusion"]


def visible(model, user, pk):
    """A record the user may see (else 404); a step then checks the right to take it (else 403)."""
    try:
        return model.objects.for_user(user, "view").get(pk=pk)
    except (model.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def refused(code, message, invalid):
    """400 with every broken rule, the same shape for every step that validates."""
    return Response(
        {
            "code": code,
            "message": message % {"count": len(invalid.violations)},
            "violations": [v.as_dict() for v in invalid.violations],
        },
        status=400,
    )


class ViolationSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    source = serializers.CharField()
    field = serializers.CharField(allow_null=True)


class ProgrammeSerializer(core_api.ScopedSerializer):
    class Meta:
        model = Programme
        fields = ["id", *ProgrammeForm.Meta.fields, *STATUS_FIELDS]
        read_only_fields = STATUS_FIELDS


class QualificationSerializer(core_api.ScopedSerializer):
    class Meta:
        model = Qualification
        fields = ["id", *forms.QualificationForm.Meta.fields]


class PartSerializer(core_api.ScopedSerializer):
    """A part of a programme: its institution is the programme's; a frozen programme refuses changes."""

    def programme_of(self, attrs):
        """The programme the part belongs to: named directly, or through its module."""
        if "programme" in self.fields:
            return attrs.get("programme") or (self.instance.programme if self.instance else None)
        module = attrs.get("module") or (self.instance.module if self.instance else None)
        return module.programme if module else None

    def validate(self, attrs):
        programme = self.programme_of(attrs)
        if programme is not None:
            if not programme.is_editable:
                raise serializers.ValidationError(
                    _("The programme is “%(status)s”: open a new revision before changing it.")
                    % {"status": programme.get_status_display()}
                )
            attrs["institution"] = programme.institution
        return super().validate(attrs)

    def _clean_exclusions(self):
        return [n for n in super()._clean_exclusions() if n not in ("programme", "module")]


class CompetencySerializer(PartSerializer):
    class Meta:
        model = Competency
        fields = ["id", "programme", *forms.CompetencyForm.Meta.fields]
        read_only_fields = ["institution"]

    def validate(self, attrs):
        attrs = super().validate(attrs)
        programme = self.programme_of(attrs)
        code = attrs.get("code", getattr(self.instance, "code", ""))
        taken = Competency.objects.filter(programme=programme, code=code).exclude(pk=getattr(self.instance, "pk", None))
        if taken.exists():
            raise serializers.ValidationError({"code": _("The programme already has a competency with this code.")})
        return attrs


class ModuleSerializer(PartSerializer):
    hours = serializers.IntegerField(read_only=True)
    credits = serializers.DecimalField(max_digits=8, decimal_places=2, read_only=True)

    class Meta:
        model = Module
        fields = ["id", "programme", *forms.ModuleForm.Meta.fields, "hours", "credits"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["programme"].read_only = True

    def validate(self, attrs):
        attrs = super().validate(attrs)
        programme = self.programme_of(attrs)
        qualification = attrs.get("qualification")
        if qualification and not programme.qualifications.filter(pk=qualification.pk).exists():
            raise serializers.ValidationError({"qualification": _("Choose one of the programme's qualifications.")})
        for c in attrs.get("competencies", []):
            if c.programme_id != programme.pk:
                raise serializers.ValidationError({"competencies": _("Choose competencies of the same programme.")})
        return attrs


class ComponentSerializer(PartSerializer):
    hours = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=10000)

    class Meta:
        model = Component
        fields = ["id", "module", *forms.ComponentForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["module"].read_only = True

    def validate(self, attrs):
        programme = self.programme_of(attrs)
        if programme is not None:
            book = rules.rulebook_for(programme.institution.jurisdiction)
            credits = attrs["credits"] if "credits" in attrs else getattr(self.instance, "credits", None)
            hours = attrs["hours"] if "hours" in attrs else getattr(self.instance, "hours", None)
            if "credits" in attrs and "hours" not in attrs and self.instance is not None:
                hours = None  # credits changed alone: hours follow them
            attrs["credits"], attrs["hours"] = rules.convert(book, credits, hours)
        return super().validate(attrs)


class StepSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=list(services.TRANSITIONS))
    expert_conclusion = serializers.CharField(required=False, allow_blank=True, max_length=10000)


class ProgrammeViewSet(core_api.ProgrammeViewSet):
    """Educational programmes with their design status; `violations` lists every broken rule, `step` moves the status."""

    serializer_class = ProgrammeSerializer
    filterset_fields = ["institution", "specialty", "entry_base", "study_form", "status", "is_active"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("qualifications", "co_developers")

    @extend_schema(responses=ViolationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def violations(self, request, pk=None):
        programme = self.get_object()
        return Response([v.as_dict() for v in rules.programme_violations(programme)])

    @extend_schema(
        request=StepSerializer,
        responses={
            200: ProgrammeSerializer,
            400: OpenApiResponse(
                inline_serializer("StepRefused", {"code": serializers.CharField(), "violations": ViolationSerializer(many=True)})
            ),
        },
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def step(self, request, pk=None):
        programme = visible(Programme, request.user, pk)
        data = StepSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        name = data.validated_data["step"]
        t = services.TRANSITIONS[name]
        if not access.scope_for(request.user, Programme, t.action).allows_institution(programme.institution_id):
            raise PermissionDenied(_("You may not take this step."))
        try:
            services.transition(programme, name, request.user, data.validated_data.get("expert_conclusion", ""))
        except services.ProgrammeInvalid as invalid:
            return refused("curriculum.programme.invalid", _("The programme breaks %(count)s rules."), invalid)
        return Response(ProgrammeSerializer(programme, context=self.get_serializer_context()).data)


class QualificationViewSet(core_api.ScopedViewSet):
    """The national classifier's qualifications; everyone reads them, a system admin changes them."""

    queryset = Qualification.objects.all()
    serializer_class = QualificationSerializer
    filterset_fields = ["specialty", "kind", "is_active"]
    search_fields = ["code", "name_ky", "name_ru", "name_kk", "name_en"]
    add_perm = "change_authority"
    select_related = ("specialty",)

    def get_permissions(self):
        return (
            [permissions.IsAuthenticated()] if self.request.method in permissions.SAFE_METHODS else [core_api.ScopedPermission()]
        )


class PartViewSet(core_api.ScopedViewSet):
    def perform_destroy(self, instance):
        programme = instance.module.programme if isinstance(instance, Component) else instance.programme
        if not programme.is_editable:
            raise RuleViolation(
                "curriculum.programme.frozen",
                _("The programme is “%(status)s”: open a new revision before changing it.")
                % {"status": programme.get_status_display()},
            )
        instance.delete()


class CompetencyViewSet(PartViewSet):
    queryset = Competency.objects.all()
    serializer_class = CompetencySerializer
    filterset_fields = ["programme", "kind"]
    select_related = ("programme",)


class ModuleViewSet(PartViewSet):
    queryset = Module.objects.all()
    serializer_class = ModuleSerializer
    filterset_fields = ["programme", "kind", "qualification"]
    select_related = ("programme",)

    def get_queryset(self):
        from django.db.models import Sum

        return (
            super()
            .get_queryset()
            .annotate(hours=Sum("components__hours"), credits=Sum("components__credits"))
            .prefetch_related("competencies")
        )


class ComponentViewSet(PartViewSet):
    queryset = Component.objects.all()
    serializer_class = ComponentSerializer
    filterset_fields = ["module", "module__programme", "kind", "practice_type"]
    select_related = ("module__programme",)


class CurriculumEntrySerializer(serializers.Serializer):
    component = serializers.IntegerField()
    year = serializers.IntegerField(min_value=1, max_value=6)
    semester = serializers.IntegerField(min_value=1, max_value=2)
    hours = serializers.IntegerField(min_value=0, max_value=10000)
    distance_hours = serializers.IntegerField(min_value=0, max_value=10000, default=0)


class WorkingCurriculumSerializer(serializers.ModelSerializer):
    entries = serializers.SerializerMethodField()

    class Meta:
        model = WorkingCurriculum
        fields = ["id", "programme", "intake_year", "status", "approved_on", "entries"]
        read_only_fields = ["status", "approved_on", "entries"]

    @extend_schema_field(CurriculumEntrySerializer(many=True))
    def get_entries(self, wc):
        return [
            {
                "component": e.component_id,
                "year": e.year,
                "semester": e.semester,
                "hours": e.hours,
                "distance_hours": e.distance_hours,
            }
            for e in wc.entries.all()
        ]


class WorkingCurriculumViewSet(core_api.ScopedViewSet):
    """Working curricula per intake: `layout` replaces the grid, `violations` lists broken rules, `step` approves or reopens."""

    queryset = WorkingCurriculum.objects.all()
    serializer_class = WorkingCurriculumSerializer
    filterset_fields = ["programme", "intake_year", "status"]
    http_method_names = ["get", "post", "put", "delete", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().select_related("programme").prefetch_related("entries")

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        programme = data.validated_data["programme"]
        if not Programme.objects.for_user(request.user, "change").filter(pk=programme.pk).exists():
            raise serializers.ValidationError({"programme": _("Choose a programme you may change.")})
        wc = services.open_working_curriculum(programme, data.validated_data["intake_year"], request.user)
        return Response(self.get_serializer(wc).data, status=201)

    def update(self, request, *args, **kwargs):
        raise serializers.ValidationError(_("Change the layout through `layout`; the programme and intake are fixed."))

    def perform_destroy(self, instance):
        if instance.status != WorkingCurriculum.Status.DRAFT:
            raise RuleViolation("curriculum.working.frozen", _("Reopen the approved working curriculum before changing it."))
        instance.delete()

    @extend_schema(request=CurriculumEntrySerializer(many=True), responses=WorkingCurriculumSerializer)
    @action(detail=True, methods=["put"])
    def layout(self, request, pk=None):
        wc = self.get_object()
        rows = CurriculumEntrySerializer(data=request.data, many=True)
        rows.is_valid(raise_exception=True)
        cells = {}
        for r in rows.validated_data:
            key = (r["component"], r["year"], r["semester"])
            if key in cells:
                raise serializers.ValidationError(_("A component appears twice in the same semester."))
            cells[key] = (r["hours"], r["distance_hours"])
        services.save_layout(wc, cells)
        return Response(self.get_serializer(WorkingCurriculum.objects.prefetch_related("entries").get(pk=wc.pk)).data)

    @extend_schema(responses=ViolationSerializer(many=True))
    @action(detail=True, methods=["get"])
    def violations(self, request, pk=None):
        return Response([v.as_dict() for v in rules.curriculum_violations(self.get_object())])

    @extend_schema(
        request=inline_serializer("CurriculumStep", {"step": serializers.ChoiceField(choices=["approve", "reopen"])}),
        responses=WorkingCurriculumSerializer,
    )
    @action(detail=True, methods=["post"], permission_classes=[permissions.IsAuthenticated])
    def step(self, request, pk=None):
        wc = visible(WorkingCurriculum, request.user, pk)
        name = request.data.get("step")
        if name not in ("approve", "reopen"):
            raise serializers.ValidationError({"step": _("Choose approve or reopen.")})
        action_name = "approve" if name == "approve" else "change"
        if not access.scope_for(request.user, Programme, action_name).allows_institution(wc.institution_id):
            raise PermissionDenied(_("You may not take this step."))
        try:
            if name == "approve":
                services.approve_curriculum(wc, request.user)
            else:
                services.reopen_curriculum(wc, request.user)
        except services.ProgrammeInvalid as invalid:
            return refused("curriculum.working.invalid", _("The working curriculum breaks %(count)s rules."), invalid)
        return Response(self.get_serializer(WorkingCurriculum.objects.prefetch_related("entries").get(pk=wc.pk)).data)
