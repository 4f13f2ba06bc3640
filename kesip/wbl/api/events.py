"""The API of WBL events (F24): events with their attendance and jury nested, and the same steps as the pages.

A refused step answers 400 with the first broken rule (`code`, `message`, `source`, `field`) and
all of them in `violations` (the project's exception handler). Marking a competition held without
an employers' jury (VR-55, Soft) is refused with that rule until the request says
`"acknowledge": true`; the warnings of an event come back in `warnings`. Only the institution's
staff write; an employer's people read their employer's events, a learner the events they are on
the sheet of (and only their own line of it).
"""

from decimal import Decimal

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Student
from kesip.core.rules import RuleViolation
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import common, events
from kesip.wbl.models import EventAttendance, EventJuror, WblEvent

E = WblEvent

REFUSED = OpenApiResponse(
    inline_serializer(
        "WblEventRefused",
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


class AttendanceSerializer(serializers.ModelSerializer):
    student_name = serializers.CharField(source="student.__str__", read_only=True)

    class Meta:
        model = EventAttendance
        fields = ["id", "student", "student_name", "present", "note"]
        read_only_fields = fields


class JurorSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventJuror
        fields = ["id", "employer", "full_name", "position"]
        read_only_fields = ["id"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:  # another institution's employer is “not found”
            from kesip.core.models import Employer

            self.fields["employer"].queryset = Employer.objects.partners().for_user(request.user)


class EventSerializer(core_api.ScopedSerializer):
    status = serializers.CharField(read_only=True, help_text="planned, held or cancelled")
    stage = serializers.ChoiceField(
        choices=E.Stage.choices,
        required=False,
        allow_blank=True,
        help_text="Follows the form (п. 7.1, 7.2); given only for the form “other” (or equal to the form's stage).",
    )
    attendance = AttendanceSerializer(many=True, read_only=True)
    jury = JurorSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField(help_text="Soft rules: VR-55, a competition without an employers' jury.")

    class Meta:
        model = E
        fields = ["id", "institution", *events.EVENT_FIELDS, "status", "attendance", "jury", "warnings"]
        extra_kwargs = {
            "institution": {"required": False, "help_text": "Empty: your institution."},
            "hours": {"min_value": Decimal("0.5"), "max_value": Decimal("500")},
        }

    @extend_schema_field(ViolationSerializer(many=True))
    def get_warnings(self, event):
        if event.status == E.Status.CANCELLED:
            return []
        jurors = len(event.jury.all()) if "jury" in getattr(event, "_prefetched_objects_cache", {}) else None
        book = self.context.setdefault("_books", {})
        key = event.institution_id  # one rulebook per institution: the list's queries do not grow with its rows
        if key not in book:
            book[key] = common.rulebook(event.institution)
        return [v.as_dict() for v in events.warnings_for(event, book[key], jurors)]

    def validate(self, attrs):
        if self.instance is None and not attrs.get("institution"):
            request = self.context["request"]
            scope = access.scope_for(request.user, E, "change")
            ids = sorted(scope.institution_ids)
            if len(ids) != 1:
                raise serializers.ValidationError({"institution": [_institution_needed()]})
            from kesip.core.models import Institution

            attrs["institution"] = Institution.objects.get(pk=ids[0])
            attrs.setdefault("stage", "")
        return super().validate(attrs)

    def _clean_exclusions(self):
        return [*super()._clean_exclusions(), "status", "stage"]


def _institution_needed():
    from django.utils.translation import gettext as _

    return _("Name the institution of the event.")


class HeldSerializer(serializers.Serializer):
    acknowledge = serializers.BooleanField(
        default=False, help_text="Acknowledge the soft rules (VR-55: no employers' jury) and mark the event held anyway."
    )


class CancelSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=90)


class EntrySerializer(serializers.Serializer):
    student = serializers.IntegerField()
    present = serializers.BooleanField(default=True)
    note = serializers.CharField(max_length=255, required=False, allow_blank=True, default="")


class SheetSerializer(serializers.Serializer):
    entries = EntrySerializer(many=True, help_text="Every learner of the sheet; it replaces what was recorded.")


class RemoveJurorSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class WblEventViewSet(core_api.ScopedViewSet):
    """WBL events (guest lectures, excursions, master classes, competitions, …) with attendance and jury."""

    queryset = E.objects.all()
    serializer_class = EventSerializer
    filterset_fields = ["institution", "stage", "kind", "status", "group", "employer", "component"]
    search_fields = ["title", "venue", "employer__name"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]  # an event is cancelled, not deleted

    def get_queryset(self):
        user = self.request.user
        act = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        qs = E.objects.for_user(user, act)
        if act == "change":
            scope = access.scope_for(user, E, "change")
            if not scope.everything:
                qs = qs.filter(institution_id__in=scope.institution_ids)  # the employer's people only read
        return (
            qs.select_related("institution")
            .prefetch_related(
                Prefetch("attendance", queryset=EventAttendance.objects.for_user(user).select_related("student")),
                Prefetch("jury", queryset=EventJuror.objects.all()),
            )
            .order_by("pk")
        )

    def _read(self, pk):
        return self.get_serializer(E.objects.prefetch_related("attendance__student", "jury").get(pk=pk)).data

    @extend_schema(responses={201: EventSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        event = E(**data.validated_data)
        if not events.may_manage(request.user, event.institution_id):
            raise PermissionDenied
        events.save_event(event, request.user)
        return Response(self._read(event.pk), status=201)

    @extend_schema(responses={200: EventSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        event = self.get_object()
        partial = kwargs.pop("partial", False)
        data = self.get_serializer(event, data=request.data, partial=partial)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        if "kind" in values and "stage" not in request.data:
            values["stage"] = ""  # the stage follows the new form
        current = E.objects.get(pk=event.pk)
        for name, value in values.items():
            setattr(current, name, value)
        events.save_event(current, request.user)
        return Response(self._read(current.pk))

    @extend_schema(request=HeldSerializer, responses={200: EventSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def held(self, request, pk=None):
        event = self.get_object()
        data = HeldSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        events.mark_held(event, request.user, acknowledge=data.validated_data["acknowledge"])
        return Response(self._read(event.pk))

    @extend_schema(request=CancelSerializer, responses={200: EventSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        event = self.get_object()
        data = CancelSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        events.cancel(event, data.validated_data["reason"], request.user)
        return Response(self._read(event.pk))

    @extend_schema(request=SheetSerializer, responses={200: EventSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """The attendance sheet of the whole group at once: every learner with present or not; all or nothing."""
        event = self.get_object()
        data = SheetSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rows = data.validated_data["entries"]
        ids = [r["student"] for r in rows]
        students = {s.pk: s for s in Student.objects.filter(pk__in=ids, institution_id=event.institution_id)}
        missing = [i for i in ids if i not in students]
        if missing:
            from django.utils.translation import gettext as _

            raise common.WblInvalid(
                [
                    RuleViolation("wbl.event.institution", _("Learner %(id)s is not found.") % {"id": i}, "", "entries")
                    for i in missing
                ]
            )
        events.record_attendance(event, [(students[r["student"]], r["present"], r.get("note", "")) for r in rows], request.user)
        return Response(self._read(event.pk))

    @extend_schema(request=JurorSerializer, responses={201: EventSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def jury(self, request, pk=None):
        """Add a member of the employers' jury (п. 7.2); the answer's `warnings` say whether VR-55 still warns."""
        event = self.get_object()
        data = JurorSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        juror = EventJuror(event=event, institution_id=event.institution_id, **data.validated_data)
        events.save_juror(juror, request.user)
        return Response(self._read(event.pk), status=201)

    @extend_schema(request=RemoveJurorSerializer, responses={200: EventSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"], url_path="remove-juror")
    def remove_juror(self, request, pk=None):
        event = self.get_object()
        data = RemoveJurorSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        juror = EventJuror.objects.filter(pk=data.validated_data["id"], event_id=event.pk).first()
        if juror is None:
            raise NotFound
        events.delete_juror(juror, request.user)
        return Response(self._read(event.pk))


def register(router):
    router.register("wbl-events", WblEventViewSet)
