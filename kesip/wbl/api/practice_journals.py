"""`practice-journals`: the practical-classes journal of a group (F17; п. 56 item 10), as its page shows it.

- `GET /practice-journals/` — the groups the caller sees that have placements in the journal, with counts;
- `GET /practice-journals/{group id}/` — the group and its learners: each placement with the employer, the
  mentor, the period, the diary's hours, graded, waiting, overdue and uncontrolled days, the average grade
  (and as the scale writes it) and the assessment (`?employer=` for one employer's learners);
- `GET /practice-journals/{group id}/register/` — the days handed in, newest first, with the mentor's grade
  and the head of practical training's control and note, a page at a time (`?employer=`, `?page=`).

The same queries as the page (`kesip.wbl.diary.journal_placements`, `journal_entries`); a group of another
institution answers 404, a mentor sees only their own learners' rows. Each answer reads a fixed number of queries.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from kesip.core.models import StudyGroup
from kesip.curriculum import journal
from kesip.wbl import diary
from kesip.wbl import diary_documents as papers
from kesip.wbl.api.diary import ActionPermission
from kesip.wbl.models import DiaryEntry, Placement

EMPLOYER = OpenApiParameter("employer", int, description="Only the learners placed with this employer.")


class JournalGroupSerializer(serializers.ModelSerializer):
    placements = serializers.IntegerField(source="journal_placements", read_only=True)
    waiting = serializers.IntegerField(source="journal_waiting", read_only=True, help_text="Days waiting for the grade.")
    unchecked = serializers.IntegerField(
        source="journal_unchecked",
        read_only=True,
        help_text="Days handed in that the head of practical training has not controlled.",
    )

    class Meta:
        model = StudyGroup
        fields = ["id", "institution", "name", "programme", "placements", "waiting", "unchecked"]
        read_only_fields = fields


class JournalRowSerializer(serializers.ModelSerializer):
    learner = serializers.SerializerMethodField()
    employer_name = serializers.CharField(source="employer.name", read_only=True)
    mentor_name = serializers.SerializerMethodField()
    diary_hours = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True, allow_null=True)
    graded = serializers.IntegerField(source="graded_count", read_only=True)
    waiting = serializers.IntegerField(source="waiting_count", read_only=True)
    overdue = serializers.IntegerField(source="overdue_count", read_only=True)
    unchecked = serializers.IntegerField(source="unchecked_count", read_only=True)
    average_grade = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True, allow_null=True)
    average_mark = serializers.SerializerMethodField(help_text="The average as the institution's grading scale writes it.")
    assessment = serializers.SerializerMethodField(help_text="The placement's grade, once assessed.")

    class Meta:
        model = Placement
        fields = ["id", "learner", "student", "employer", "employer_name", "mentor", "mentor_name", "supervisor", "status",
                  "starts_on", "ends_on", "diary_hours", "graded", "waiting", "overdue", "unchecked", "average_grade",
                  "average_mark", "assessment"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_learner(self, placement):
        return str(placement.learner)

    @extend_schema_field(serializers.CharField())
    def get_mentor_name(self, placement):
        return placement.mentor.short_name if placement.mentor_id else ""

    @extend_schema_field(serializers.CharField())
    def get_average_mark(self, placement):
        return papers.average({"average": placement.average_grade}, self.context["scale"])

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=1, allow_null=True))
    def get_assessment(self, placement):
        assessment = getattr(placement, "assessment", None)
        return None if assessment is None else str(assessment.value)


class JournalSerializer(serializers.Serializer):
    group = JournalGroupSerializer()
    learners = JournalRowSerializer(many=True)


class RegisterEntrySerializer(serializers.ModelSerializer):
    learner = serializers.SerializerMethodField()
    employer = serializers.IntegerField(source="placement.employer_id", read_only=True)
    employer_name = serializers.CharField(source="placement.employer.name", read_only=True)
    checked_by_name = serializers.SerializerMethodField()

    class Meta:
        model = DiaryEntry
        fields = ["id", "placement", "learner", "employer", "employer_name", "date", "task", "hours", "status", "grade",
                  "checked_at", "checked_by", "checked_by_name", "supervisor_note"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_learner(self, entry):
        return str(entry.placement.learner)

    @extend_schema_field(serializers.CharField())
    def get_checked_by_name(self, entry):
        return entry.checked_by.display_name() if entry.checked_by_id else ""


class PracticeJournalViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The practical-classes journal of each group: its learners with the diary's totals and the register of days."""

    queryset = StudyGroup.objects.all()
    serializer_class = JournalGroupSerializer
    permission_classes = [ActionPermission]
    perms = {"*": "view_diary"}
    filterset_fields = ["programme"]
    search_fields = ["name"]

    def get_queryset(self):
        user = self.request.user
        groups = StudyGroup.objects.for_user(user, "view").select_related("institution")
        if self.action != "list":
            return groups.order_by("pk")
        placements = Placement.objects.for_user(user, "view").filter(status__in=diary.JOURNAL_STATUSES)
        entries = DiaryEntry.objects.for_user(user, "view").filter(
            placement__status__in=diary.JOURNAL_STATUSES, status__in=diary.COUNTED
        )
        return (
            groups.annotate(
                journal_placements=Count("placements", filter=Q(placements__in=placements), distinct=True),
                journal_waiting=Count(
                    "placements__diary",
                    filter=Q(placements__diary__in=entries, placements__diary__status=DiaryEntry.Status.SUBMITTED),
                    distinct=True,
                ),
                journal_unchecked=Count(
                    "placements__diary",
                    filter=Q(placements__diary__in=entries, placements__diary__checked_at__isnull=True),
                    distinct=True,
                ),
            )
            .filter(journal_placements__gt=0)
            .order_by("name", "pk")
        )

    def _employer(self):
        value = self.request.query_params.get("employer", "")
        if not value:
            return None
        if not value.isdigit():
            raise ValidationError({"employer": [_("Give the employer's id as a whole number.")]})
        return int(value)

    @extend_schema(parameters=[EMPLOYER], responses={200: JournalSerializer})
    def retrieve(self, request, *args, **kwargs):
        group = self.get_object()
        rows = list(diary.journal_placements(request.user, group, self._employer()))
        context = {**self.get_serializer_context(), "scale": journal.scale_for(group.institution)}
        return Response(
            {
                "group": {
                    "id": group.pk,
                    "institution": group.institution_id,
                    "name": group.name,
                    "programme": group.programme_id,
                    "placements": len(rows),
                    "waiting": sum(p.waiting_count for p in rows),
                    "unchecked": sum(p.unchecked_count for p in rows),
                },
                "learners": JournalRowSerializer(rows, many=True, context=context).data,
            }
        )

    @extend_schema(parameters=[EMPLOYER], responses={200: RegisterEntrySerializer(many=True)})
    @action(detail=True, methods=["get"])
    def register(self, request, pk=None):
        group = self.get_object()
        page = self.paginate_queryset(diary.journal_entries(request.user, group, self._employer()))
        return self.get_paginated_response(RegisterEntrySerializer(page, many=True).data)


def register(router):
    router.register("practice-journals", PracticeJournalViewSet, basename="practice-journal")
