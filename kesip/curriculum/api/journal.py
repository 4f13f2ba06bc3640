"""The journal API: teaching assignments, lessons with their marks, final grades, transcripts and teacher load.

The same functions as the pages (`kesip.curriculum.journal`): a lesson's marks are written all at
once, and one bad mark writes nothing.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Institution, Student
from kesip.curriculum import journal
from kesip.curriculum import transcript as transcripts
from kesip.curriculum.models import Component, ComponentGrade, Lesson, Mark, TeachingAssignment


class TeachingAssignmentSerializer(core_api.ScopedSerializer):
    class Meta:
        model = TeachingAssignment
        fields = ["id", "institution", "group", "component", "teacher", "academic_year"]
        read_only_fields = ["institution"]

    def validate(self, attrs):
        group = attrs.get("group") or getattr(self.instance, "group", None)
        if group is not None:
            attrs["institution"] = group.institution
        return super().validate(attrs)

    def _clean_exclusions(self):
        return ["component"] if "component" not in self.fields else []


class TeachingAssignmentViewSet(core_api.ScopedViewSet):
    """Who teaches which component to which group in an academic year; `load` sums the hours per teacher."""

    queryset = TeachingAssignment.objects.all()
    serializer_class = TeachingAssignmentSerializer
    filterset_fields = ["group", "component", "teacher", "academic_year"]
    select_related = ("group", "component", "teacher")

    @extend_schema(
        parameters=[
            OpenApiParameter("institution", int, description="Institution id (default: the first one you may read)"),
            OpenApiParameter("year", int, description="Academic year by its first calendar year (default: the current one)"),
        ],
        responses=inline_serializer(
            "TeacherLoad",
            {
                "institution": serializers.IntegerField(),
                "academic_year": serializers.IntegerField(),
                "total": serializers.IntegerField(),
                "unassigned": serializers.IntegerField(),
                "teachers": inline_serializer(
                    "TeacherLoadLine",
                    {"teacher": serializers.IntegerField(), "name": serializers.CharField(), "hours": serializers.IntegerField()},
                    many=True,
                ),
                "lines": inline_serializer(
                    "TeacherLoadEntry",
                    {
                        "group": serializers.IntegerField(),
                        "component": serializers.IntegerField(),
                        "hours": serializers.IntegerField(),
                        "teacher": serializers.IntegerField(allow_null=True),
                    },
                    many=True,
                ),
            },
        ),
    )
    @action(detail=False, methods=["get"])
    def load(self, request):
        scope = access.scope_for(request.user, TeachingAssignment)
        institutions = Institution.objects.order_by("pk")
        if not scope.everything:
            institutions = institutions.filter(pk__in=scope.institution_ids)
        raw = request.query_params.get("institution")
        institution = institutions.filter(pk=raw).first() if raw and raw.isdigit() else institutions.first()
        if institution is None:
            raise serializers.ValidationError({"institution": _("Choose an institution you may read.")})
        try:
            year = int(request.query_params.get("year") or journal.academic_year_of())
        except ValueError:
            raise serializers.ValidationError({"year": _("Give the academic year as four digits.")}) from None
        lines, per_teacher = journal.teacher_load(institution.pk, year)
        return Response(
            {
                "institution": institution.pk,
                "academic_year": year,
                "total": sum(line.hours for line in lines),
                "unassigned": sum(line.hours for line in lines if line.teacher is None),
                "teachers": [{"teacher": t.pk, "name": str(t), "hours": h} for t, h in per_teacher.items()],
                "lines": [
                    {
                        "group": line.group.pk,
                        "component": line.component.pk,
                        "hours": line.hours,
                        "teacher": line.teacher.pk if line.teacher else None,
                    }
                    for line in lines
                ],
            }
        )


class MarkSerializer(serializers.ModelSerializer):
    class Meta:
        model = Mark
        fields = ["student", "attendance", "value"]


class MarkInputSerializer(serializers.Serializer):
    student = serializers.IntegerField()
    attendance = serializers.ChoiceField(choices=Mark.Attendance.choices, default=Mark.Attendance.PRESENT)
    value = serializers.CharField(allow_blank=True, allow_null=True, required=False, default="")


class LessonSerializer(core_api.ScopedSerializer):
    marks = MarkSerializer(many=True, read_only=True)

    class Meta:
        model = Lesson
        fields = ["id", "institution", "group", "component", "teacher", "date", "kind", "hours", "topic", "marks"]
        read_only_fields = ["institution"]

    def validate(self, attrs):
        group = attrs.get("group") or getattr(self.instance, "group", None)
        component = attrs.get("component") or getattr(self.instance, "component", None)
        if group is not None:
            attrs["institution"] = group.institution
        if group is not None and component is not None and component.module.programme_id != group.programme_id:
            raise serializers.ValidationError({"component": _("Choose a component of the group's programme.")})
        day = attrs.get("date") or getattr(self.instance, "date", None)
        request = self.context["request"]
        if group is not None and component is not None and day is not None:
            if not journal.can_fill(request.user, group, component, journal.academic_year_of(day)):
                raise PermissionDenied(_("You may not fill this journal."))
        return super().validate(attrs)


class LessonViewSet(core_api.ScopedViewSet):
    """Lessons of a group's component with their marks; `marks` writes the whole lesson at once."""

    queryset = Lesson.objects.all()
    serializer_class = LessonSerializer
    filterset_fields = ["group", "component", "kind", "date"]

    def get_queryset(self):
        return super().get_queryset().select_related("group", "component__module").prefetch_related("marks")

    def perform_destroy(self, instance):
        if not journal.can_fill(self.request.user, instance.group, instance.component, journal.academic_year_of(instance.date)):
            raise PermissionDenied(_("You may not fill this journal."))
        instance.delete()

    @extend_schema(request=MarkInputSerializer(many=True), responses=LessonSerializer)
    @action(detail=True, methods=["put"])
    def marks(self, request, pk=None):
        lesson = self.get_object()
        if not journal.can_fill(request.user, lesson.group, lesson.component, journal.academic_year_of(lesson.date)):
            raise PermissionDenied(_("You may not fill this journal."))
        rows = MarkInputSerializer(data=request.data, many=True)
        rows.is_valid(raise_exception=True)
        posted = {}
        for r in rows.validated_data:
            if r["student"] in posted:
                raise serializers.ValidationError(_("A student appears twice."))
            posted[r["student"]] = (r["attendance"], r.get("value") or "")
        try:
            journal.save_lesson_marks(lesson, posted, journal.scale_for(lesson.group.institution), request.user)
        except journal.LessonInvalid as invalid:
            return Response(
                {
                    "code": "curriculum.journal.invalid",
                    "message": _("Nothing was saved: correct the marked rows."),
                    "errors": {str(k): v for k, v in invalid.errors.items()},
                },
                status=400,
            )
        return Response(self.get_serializer(self.get_queryset().get(pk=lesson.pk)).data)


class ComponentGradeSerializer(serializers.ModelSerializer):
    letter = serializers.SerializerMethodField()
    points = serializers.SerializerMethodField()
    passed = serializers.SerializerMethodField()

    class Meta:
        model = ComponentGrade
        fields = [
            "id",
            "student",
            "component",
            "scale",
            "value",
            "letter",
            "points",
            "passed",
            "academic_year",
            "source",
            "graded_on",
            "place",
        ]
        read_only_fields = ["scale", "academic_year"]

    def _band(self, obj):
        return obj.scale.band_for(obj.value)

    def get_letter(self, obj) -> str:
        band = self._band(obj)
        return band.letter if band else ""

    def get_points(self, obj) -> str | None:
        band = self._band(obj)
        return str(band.points) if band else None

    def get_passed(self, obj) -> bool:
        band = self._band(obj)
        return bool(band and band.passed)


class ComponentGradeViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Final grades per student and component. Posting records a grade from outside the journal (a transferred record)."""

    queryset = ComponentGrade.objects.all()
    serializer_class = ComponentGradeSerializer
    permission_classes = core_api.ScopedViewSet.permission_classes
    filterset_fields = ["student", "component", "academic_year", "source"]

    def get_queryset(self):
        action = "view" if self.request.method in ("GET", "HEAD", "OPTIONS") else "change"
        return (
            ComponentGrade.objects.for_user(self.request.user, action)
            .select_related("scale")
            .prefetch_related("scale__bands")
            .order_by("pk")
        )

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        student = Student.objects.for_user(request.user).filter(pk=v["student"].pk).select_related("group", "institution").first()
        component = Component.objects.for_user(request.user).filter(pk=v["component"].pk).select_related("module").first()
        if student is None:
            raise serializers.ValidationError({"student": _("Choose a student you may read.")})
        if component is None:
            raise serializers.ValidationError({"component": _("Choose a component you may read.")})
        if not access.scope_for(request.user, ComponentGrade, "change").allows_institution(student.institution_id):
            raise PermissionDenied(_("You may not grade this student."))
        try:
            with transaction.atomic():
                grade = journal.record_grade(
                    student,
                    component,
                    v["value"],
                    request.user,
                    source=v.get("source") or ComponentGrade.Source.TRANSFER,
                    graded_on=v["graded_on"],
                    place=v.get("place", ""),
                )
        except DjangoValidationError as exc:
            raise serializers.ValidationError({"value": exc.messages}) from None
        return Response(self.get_serializer(grade).data, status=201)


class TranscriptViewSet(viewsets.ReadOnlyModelViewSet):
    """A student's transcript: modules and components with hours, credits and grades, practice, GPA, awards."""

    queryset = Student.objects.all()
    permission_classes = core_api.ScopedViewSet.permission_classes
    filterset_fields = ["group", "status"]

    def get_queryset(self):
        qs = Student.objects.for_user(self.request.user).select_related("institution", "group__programme").order_by("pk")
        scope = access.scope_for(self.request.user, ComponentGrade)
        return qs if scope.everything else qs.filter(institution_id__in=scope.institution_ids)

    def get_serializer_class(self):
        return TranscriptSerializer

    @extend_schema(
        responses=inline_serializer(
            "TranscriptListItem",
            {
                "id": serializers.IntegerField(),
                "name": serializers.CharField(),
                "group": serializers.IntegerField(allow_null=True),
            },
            many=True,
        )
    )
    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        rows = [{"id": s.pk, "name": str(s), "group": s.group_id} for s in page]
        return self.get_paginated_response(rows)

    def retrieve(self, request, *args, **kwargs):
        return Response(TranscriptSerializer(transcripts.build(self.get_object())).data)


class TranscriptSerializer(serializers.Serializer):
    student = serializers.IntegerField(source="student.pk")
    programme = serializers.IntegerField(source="programme.pk", allow_null=True)
    scale = serializers.CharField(source="scale.code")
    gpa = serializers.DecimalField(max_digits=4, decimal_places=2, allow_null=True)
    gpa_by_year = serializers.SerializerMethodField()
    hours_total = serializers.IntegerField()
    hours_earned = serializers.IntegerField()
    credits_total = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    credits_earned = serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True)
    modules = serializers.SerializerMethodField()
    awards = serializers.SerializerMethodField()

    def get_gpa_by_year(self, t) -> dict:
        return {str(y): str(v) for y, v in t.gpa_by_year}

    def get_modules(self, t) -> list:
        return [
            {
                "module": b.module.pk,
                "name": b.module.name,
                "hours": b.hours,
                "credits": str(b.credits) if b.credits is not None else None,
                "grade": str(b.grade) if b.grade is not None else None,
                "complete": b.complete,
                "components": [
                    {
                        "component": line.component.pk,
                        "name": line.component.name,
                        "kind": line.component.kind,
                        "hours": line.component.hours,
                        "credits": str(line.component.credits) if line.component.credits is not None else None,
                        "value": str(line.grade.value) if line.grade else None,
                        "letter": line.band.letter if line.band else None,
                        "academic_year": line.grade.academic_year if line.grade else None,
                        "place": line.grade.place if line.grade else "",
                    }
                    for line in b.lines
                ],
            }
            for b in t.modules
        ]

    def get_awards(self, t) -> list:
        return [{"qualification": a.qualification.pk, "code": a.qualification.code, "awarded_on": a.awarded_on} for a in t.awards]
