"""The API of the employer's side of WBL: `employer-people`, `local-documents`, `workplaces`, `wbl-settings`.

The same steps and rules as the pages (`kesip.wbl.employers`, `kesip.wbl.open_questions`): a refused
save answers 400 with the broken rule (`code`, `message`, `source`, `field`, all of them in
`violations`); a delete of a record still in use answers 409 and deletes nothing. An employer's
representative writes its own employer's rows only: another employer's id is "not found" (400 on the
field), another employer's row is 404.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import api as core_api
from kesip.core.models import User
from kesip.core.roles import EMPLOYER_ROLES
from kesip.core.rules import RuleViolation
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import employers as svc
from kesip.wbl import open_questions
from kesip.wbl.common import rulebook
from kesip.wbl.models import EmployerPerson, LocalDocument, WblSettings, Workplace

IN_USE = OpenApiResponse(ViolationSerializer, description="Still used by other records (code `wbl.protected`); nothing deleted.")
REFUSED = OpenApiResponse(ViolationSerializer, description="A broken rule (all of them in `violations`); nothing saved.")


def _user(serializer):
    return getattr(serializer.context.get("request"), "user", None)


class EmployerBoundSerializer(core_api.ScopedSerializer):
    """A row of one employer. `employer` lists only employers whose records you may change and is fixed once
    created; the institution is the employer's. Validated through the model's `clean` (the steps check the rest)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        employer = self.fields.get("employer")
        if employer is not None and not employer.read_only:
            employer.queryset = svc.changeable_employers(_user(self))
        if self.instance is not None and not isinstance(self.instance, list):
            employer.read_only = True

    def validate(self, attrs):
        employer = attrs.get("employer") or self.instance.employer
        attrs["institution"] = employer.institution
        if self.instance is None:
            instance = self.Meta.model(**attrs)
        else:
            instance = self.Meta.model.objects.get(pk=self.instance.pk)
            for k, v in attrs.items():
                setattr(instance, k, v)
        try:
            # Constraints (one head, one representative, ordered dates) are the steps' to name, with their clause.
            instance.full_clean(exclude=self._clean_exclusions(), validate_unique=False, validate_constraints=False)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        return attrs


class EmployerPersonSerializer(EmployerBoundSerializer):
    full_name = serializers.CharField(source="__str__", read_only=True)
    current_placements = serializers.IntegerField(read_only=True, help_text="Referred, briefed or active placements today.")
    current_apprentices = serializers.IntegerField(read_only=True, help_text="Of them, apprenticeships.")
    warnings = serializers.SerializerMethodField(help_text="Soft rules: VR-56, a mentor's employer has no representative.")

    class Meta:
        model = EmployerPerson
        fields = [
            "id",
            "institution",
            "employer",
            "full_name",
            *svc.PERSON_FIELDS,
            "staff",
            "current_placements",
            "current_apprentices",
            "warnings",
        ]
        read_only_fields = ["institution", "staff"]  # a mentor of an own base is added through `wbl-bases/{id}/mentors/`
        validators = []  # one head and one representative: refused by the step, naming who holds the role

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.fields["user"].read_only:
            self.fields["user"].queryset = User.objects.filter(
                memberships__employer__in=svc.changeable_employers(_user(self)),
                memberships__role__in=sorted(EMPLOYER_ROLES),
                memberships__is_active=True,
            ).distinct()

    @extend_schema_field(ViolationSerializer(many=True))
    def get_warnings(self, person):
        if not (person.is_mentor and person.is_active) or not hasattr(person, "employer_mentors"):
            return []
        if person.staff_id:  # a mentor of the institution's own base: its head coordinates them, no representative
            return []
        cache = self.context.setdefault("rulebooks", {})
        country = person.institution.jurisdiction
        if country not in cache:
            cache[country] = rulebook(person.institution)
        warning = svc.coordinator_warning(person.employer_mentors, int(person.employer_has_representative), cache[country])
        return [warning.as_dict()] if warning else []


def _with_coordination(people):
    """Annotate, per row, the active mentors of the person's employer and whether it has a representative (VR-56)."""
    colleagues = EmployerPerson.objects.filter(employer=OuterRef("employer"), is_active=True)
    mentors = colleagues.filter(is_mentor=True).order_by().values("employer").annotate(n=Count("pk")).values("n")
    return people.select_related("institution").annotate(
        employer_mentors=Coalesce(Subquery(mentors, output_field=IntegerField()), 0),
        employer_has_representative=Exists(colleagues.filter(is_representative=True)),
    )


class ProtectedDeleteMixin:
    delete_step = None

    @extend_schema(responses={204: None, 409: IN_USE})
    def destroy(self, request, *args, **kwargs):
        obj = self.get_object()
        try:
            type(self).delete_step(obj, request.user)
        except RuleViolation as violation:
            status = 409 if violation.code == "wbl.protected" else 400
            return Response(violation.as_dict(), status=status)
        return Response(status=204)


class SavingMixin:
    """Create and update through the step of the concern, then read the row back with its annotations."""

    save_step = None

    def _saved(self, obj, status):
        return Response(self.get_serializer(self.get_queryset().get(pk=obj.pk)).data, status=status)

    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        obj = data.Meta.model(**data.validated_data)
        type(self).save_step(obj, request.user)
        return self._saved(obj, 201)

    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        data = self.get_serializer(obj, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(obj, name, value)
        type(self).save_step(obj, request.user)
        return self._saved(obj, 200)


class EmployerPersonViewSet(SavingMixin, ProtectedDeleteMixin, core_api.ScopedViewSet):
    """The employers' people: heads, authorised representatives, mentors (with their load today) and specialists."""

    queryset = EmployerPerson.objects.all()
    serializer_class = EmployerPersonSerializer
    filterset_fields = ["employer", "is_mentor", "is_representative", "is_head", "is_active"]
    search_fields = ["last_name", "first_name", "position", "email"]
    save_step = staticmethod(svc.save_person)
    delete_step = staticmethod(svc.delete_person)

    def get_queryset(self):
        return svc.with_current_load(_with_coordination(super().get_queryset()))

    @extend_schema(responses={201: EmployerPersonSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: EmployerPersonSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)


class LocalDocumentSerializer(EmployerBoundSerializer):
    file = serializers.FileField(
        required=False, allow_null=True, write_only=True, validators=[svc.validate_upload], help_text=str(svc.UPLOAD_HELP)
    )
    has_file = serializers.SerializerMethodField()

    class Meta:
        model = LocalDocument
        fields = ["id", "institution", "employer", *svc.DOCUMENT_FIELDS, "has_file"]
        read_only_fields = ["institution"]

    @extend_schema_field(serializers.BooleanField())
    def get_has_file(self, document):
        return bool(document.file)

    def validate(self, attrs):
        if "file" in attrs and attrs["file"] is None:
            attrs["file"] = ""
        return super().validate(attrs)


class LocalDocumentViewSet(SavingMixin, ProtectedDeleteMixin, core_api.ScopedViewSet):
    """The employers' local documents learners are acquainted with (charter, internal, safety, sanitary, fire rules)."""

    queryset = LocalDocument.objects.all()
    serializer_class = LocalDocumentSerializer
    filterset_fields = ["employer", "kind", "must_acknowledge"]
    search_fields = ["title"]
    save_step = staticmethod(svc.save_document)
    delete_step = staticmethod(svc.delete_document)

    @extend_schema(responses={201: LocalDocumentSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: LocalDocumentSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)

    @extend_schema(responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def file(self, request, pk=None):
        document = self.get_object()
        if not document.file:
            raise Http404
        try:
            handle = document.file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        return FileResponse(handle, as_attachment=True, filename=document.file.name.rsplit("/", 1)[-1])


class WorkplaceSerializer(EmployerBoundSerializer):
    used_places = serializers.IntegerField(read_only=True, help_text="The most placements held there on one day of the period.")
    free_places = serializers.IntegerField(read_only=True, help_text="Places minus used places, never below 0.")

    class Meta:
        model = Workplace
        fields = ["id", "institution", "employer", *svc.WORKPLACE_FIELDS, "used_places", "free_places"]
        read_only_fields = ["institution"]


PERIOD = [
    OpenApiParameter(
        "starts_on", OpenApiTypes.DATE, description="Period start: used and free places over it; only workplaces meeting it."
    ),
    OpenApiParameter("ends_on", OpenApiTypes.DATE, description="Period end (default: the start)."),
    OpenApiParameter("free", OpenApiTypes.BOOL, description="Only offered workplaces with a free place over the period."),
]


def _date(params, name):
    raw = params.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_date(raw)
    except ValueError:
        value = None
    if value is None:
        raise exceptions.ValidationError({name: [_("Give a date as YYYY-MM-DD.")]})
    return value


@extend_schema_view(list=extend_schema(parameters=PERIOD), retrieve=extend_schema(parameters=PERIOD))
class WorkplaceViewSet(SavingMixin, ProtectedDeleteMixin, core_api.ScopedViewSet):
    """Workplaces employers offer for WBL, with `used_places` and `free_places` over `starts_on`–`ends_on`
    (default: each workplace's own period)."""

    queryset = Workplace.objects.all()
    serializer_class = WorkplaceSerializer
    filterset_fields = ["employer", "specialty", "is_active", "is_training_workplace", "has_simulator", "accessible"]
    search_fields = ["title", "profession", "address"]
    save_step = staticmethod(svc.save_workplace)
    delete_step = staticmethod(svc.delete_workplace)

    def _period(self):
        params = self.request.query_params
        start, end = _date(params, "starts_on"), _date(params, "ends_on")
        if start is None and end is not None:
            start = end
        if start is not None and end is None:
            end = start
        if start and end < start:
            raise exceptions.ValidationError({"ends_on": [_("The period cannot end before it starts.")]})
        return start, end

    def get_queryset(self):
        qs = super().get_queryset()
        start, end = self._period() if self.request.method == "GET" else (None, None)
        if start is not None:
            qs = qs.filter(available_from__lte=end, available_to__gte=start)
        qs = svc.with_capacity(qs, start, end)
        if self.request.query_params.get("free") in ("1", "true", "True"):
            qs = qs.filter(is_active=True, free_places__gt=0)
        return qs

    @extend_schema(responses={201: WorkplaceSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)

    @extend_schema(responses={200: WorkplaceSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        return super().update(request, *args, **kwargs)


class WblSettingsSerializer(core_api.ScopedSerializer):
    # The party counts are checked against the rulebook (п. 12) with its clause, not by a bare range.
    parties_dual = serializers.IntegerField(required=False, min_value=0, max_value=100)
    parties_practice = serializers.IntegerField(required=False, min_value=0, max_value=100)
    parties_internship = serializers.IntegerField(required=False, min_value=0, max_value=100)
    parties_apprenticeship = serializers.IntegerField(required=False, min_value=0, max_value=100)

    class Meta:
        model = WblSettings
        fields = ["id", "institution", *open_questions.SETTINGS_FIELDS]
        validators = []  # one row per institution: a second one is refused with a message below

    def validate(self, attrs):
        institution = attrs.get("institution") or self.instance.institution
        rules = rulebook(institution)
        for name in open_questions.PARTY_FIELDS:
            violation = open_questions.party_violation(name, attrs.get(name), rules)
            if violation:
                raise violation
        if self.instance is None and WblSettings.objects.filter(institution=institution).exists():
            raise serializers.ValidationError({"institution": [_("The institution has its WBL settings already: change them.")]})
        return super().validate(attrs)


class WblSettingsViewSet(core_api.ScopedViewSet):
    """Each institution's answers to the questions the regulation leaves open (extract §9.5); its admin changes them."""

    queryset = WblSettings.objects.all()
    serializer_class = WblSettingsSerializer
    filterset_fields = ["institution"]
    select_related = ("institution",)
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def _check(self, institution_id):
        if not open_questions.may_edit_settings(self.request.user, institution_id):
            raise exceptions.PermissionDenied(_("Only the institution's administrator changes its WBL settings."))

    @extend_schema(responses={201: WblSettingsSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        self._check(data.validated_data["institution"].pk)
        obj = open_questions.save_settings(WblSettings(**data.validated_data), request.user)
        return Response(self.get_serializer(obj).data, status=201)

    @extend_schema(responses={200: WblSettingsSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        obj = self.get_object()
        self._check(obj.institution_id)
        data = self.get_serializer(obj, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(obj, name, value)
        open_questions.save_settings(obj, request.user)
        return Response(self.get_serializer(obj).data)


def register(router):
    router.register("employer-people", EmployerPersonViewSet, basename="employer-person")
    router.register("local-documents", LocalDocumentViewSet, basename="local-document")
    router.register("workplaces", WorkplaceViewSet, basename="workplace")
    router.register("wbl-settings", WblSettingsViewSet, basename="wbl-settings")
