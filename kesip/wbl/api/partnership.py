"""The API of employers' needs and evaluations (F6, F34): the same services and rules as the pages.

A refused step answers 400 with the first broken rule and all of them in `violations`; another
institution's record answers 404. An employer's people write only their employer's records.
"""

import datetime

from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, serializers
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Employer, Institution
from kesip.wbl import partnership
from kesip.wbl.api.engagement import REFUSED
from kesip.wbl.models import EmployerEvaluation, EmployerNeed
from kesip.wbl.report_indicators import academic_year_of


class PartnershipPermission(core_api.ScopedPermission):
    """Reading needs view_wbl; the employer's head, representative or mentor writes without change_wbl: the services
    check who acts."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return access.has_perm(user, "view_wbl")
        if super().has_permission(request, view):
            return True
        return access.has_perm(user, "view_wbl") and bool(partnership.employer_ids_of(user))


def _own_employers(serializer):
    user = getattr(serializer.context.get("request"), "user", None)
    if user is None:
        return
    employers = Employer.objects.partners().for_user(user, "view")
    serializer.fields["employer"].queryset = employers


class NeedSerializer(core_api.ScopedSerializer):
    class Meta:
        model = EmployerNeed
        fields = ["id", "institution", *partnership.NEED_FIELDS]
        extra_kwargs = {"institution": {"required": False, "help_text": "Empty: the employer's institution."}}
        validators = []  # the service answers a twin need with its rule

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_employers(self)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("institution") and attrs.get("employer"):
            attrs["institution"] = attrs["employer"].institution
        # The service checks the record (full_clean without constraints) and answers a twin with its rule.
        return serializers.ModelSerializer.validate(self, attrs)


class NeedViewSet(core_api.ScopedViewSet):
    """Employers' needs for specialists per profession and academic year (п. 4, 6): one per employer × profession × year."""

    queryset = EmployerNeed.objects.all()
    serializer_class = NeedSerializer
    permission_classes = [PartnershipPermission]
    filterset_fields = ["institution", "employer", "specialty", "academic_year"]

    def get_queryset(self):
        return partnership.visible_needs(self.request.user).select_related("employer", "specialty").order_by("pk")

    @extend_schema(responses={201: NeedSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        need = partnership.save_need(EmployerNeed(**data.validated_data), request.user)
        return Response(self.get_serializer(need).data, status=201)

    @extend_schema(responses={200: NeedSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        need = self.get_object()
        data = self.get_serializer(need, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(need, name, value)
        return Response(self.get_serializer(partnership.save_need(need, request.user)).data)

    def perform_destroy(self, instance):
        partnership.delete_need(instance, self.request.user)

    @extend_schema(
        parameters=[OpenApiParameter("year", int, description="The academic year's first year (2025 = 2025–2026).")],
        responses={200: OpenApiResponse(description="K27 per profession with its totals, and the evaluations (K15).")},
    )
    @action(detail=False, methods=["get"])
    def analysis(self, request):
        """K27: per profession, the specialists employers need and the places they offer, against the learners in WBL
        and the year's graduates — the figures of the page “Employers' needs and graduates” (a fixed number of queries)."""
        if not access.has_perm(request.user, "view_wbl"):
            raise PermissionDenied
        ids = partnership.scope_institution_ids(request.user, EmployerNeed)
        if ids is None:
            ids = list(Institution.objects.values_list("pk", flat=True))
        if not ids:
            raise PermissionDenied
        raw = request.query_params.get("year", "")
        if raw and not (raw.isdigit() and len(raw) == 4):
            raise ValidationError({"year": [_("Give the academic year as four digits, e.g. 2025.")]})
        year = int(raw) if raw else academic_year_of(datetime.date.today())
        rows, total = partnership.needs_analysis(ids, year)
        evaluations = partnership.evaluation_summary(ids, year)
        return Response({"year": year, "rows": rows, "total": total, "evaluations": evaluations}, status=200)


class EvaluationSerializer(core_api.ScopedSerializer):
    answers = serializers.DictField(
        child=serializers.JSONField(),
        help_text="A whole score 1–5 for every criterion: " + ", ".join(partnership.CRITERIA_CODES) + ".",
    )

    class Meta:
        model = EmployerEvaluation
        fields = ["id", "institution", *partnership.EVALUATION_FIELDS, "answers", "score"]
        read_only_fields = ["score"]
        extra_kwargs = {
            "institution": {"required": False, "help_text": "Empty: the employer's institution."},
            "filled_by": {"help_text": "Set by Kesip when an employer's person fills it in."},
        }
        validators = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _own_employers(self)

    def validate(self, attrs):
        if self.instance is None and not attrs.get("institution") and attrs.get("employer"):
            attrs["institution"] = attrs["employer"].institution
        # The service checks the record (full_clean without constraints) and answers a twin with its rule.
        return serializers.ModelSerializer.validate(self, attrs)


class EvaluationViewSet(core_api.ScopedViewSet):
    """Employers' evaluations of how a WBL programme was carried out (п. 57 item 8): every criterion scored 1–5, the
    mean computed; filled in by the employer's people or the institution's staff on its behalf."""

    queryset = EmployerEvaluation.objects.all()
    serializer_class = EvaluationSerializer
    permission_classes = [PartnershipPermission]
    filterset_fields = ["institution", "employer", "programme", "academic_year"]

    def get_queryset(self):
        return partnership.visible_evaluations(self.request.user).select_related("employer", "programme").order_by("pk")

    @extend_schema(responses={201: EvaluationSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        ev = partnership.save_evaluation(EmployerEvaluation(**data.validated_data), request.user)
        return Response(self.get_serializer(ev).data, status=201)

    @extend_schema(responses={200: EvaluationSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        ev = self.get_object()
        data = self.get_serializer(ev, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(ev, name, value)
        return Response(self.get_serializer(partnership.save_evaluation(ev, request.user)).data)

    def perform_destroy(self, instance):
        partnership.delete_evaluation(instance, self.request.user)


def register(router):
    router.register("employer-needs", NeedViewSet)
    router.register("employer-evaluations", EvaluationViewSet)
