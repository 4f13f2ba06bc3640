"""The orders API: the register, drafts prepared from placements or groups, signing, cancelling; order lines read-only.

The same services and rules as the pages (`kesip.wbl.orders`). A refused step answers 400 with the
first broken rule (`code`, `message`, `source`, `field`) and every one in `violations` (the project's
exception handler); soft rules come back in `warnings`, and a step that moved placements names them
in `moved`. Another institution's order or placement is not found (404 / 400).
"""

from django.db.models import Count
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.models import Employer, StaffMember, StudyGroup
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import orders
from kesip.wbl.api.documents import document_action
from kesip.wbl.models import Order, OrderLine, Placement
from kesip.wbl.views import orders as order_views

REFUSED = OpenApiResponse(
    inline_serializer(
        "OrderRefused",
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
LINE_FIELDS = [
    "id",
    "institution",
    "order",
    "position",
    "placement",
    "group",
    "supervisor",
    "mentor",
    "learner_name",
    "employer_name",
    "practice_type",
    "form_label",
    "starts_on",
    "ends_on",
]


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderLine
        fields = LINE_FIELDS
        read_only_fields = LINE_FIELDS


class OrderSerializer(serializers.ModelSerializer):
    line_count = serializers.IntegerField(read_only=True)
    issued_by_employer = serializers.BooleanField(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id",
            "institution",
            "kind",
            "employer",
            "issued_by_employer",
            "year",
            "number",
            "dated",
            "title",
            "preamble",
            "status",
            "signatory_name",
            "signatory_position",
            "signed_on",
            "signed_by",
            "signed_outside",
            "cancel_reason",
            "created_by",
            "line_count",
        ]
        read_only_fields = [f for f in fields if f not in ("title", "preamble", "dated")]
        extra_kwargs = {"title": {"required": False}, "dated": {"required": False}}


class OrderDetailSerializer(OrderSerializer):
    lines = serializers.SerializerMethodField(
        help_text="The lines as they read now; an outsider gets those of their own placements."
    )
    extract = serializers.SerializerMethodField(help_text="True: only the lines concerning the user's own placements.")

    class Meta(OrderSerializer.Meta):
        fields = [*OrderSerializer.Meta.fields, "extract", "lines"]

    @extend_schema_field(OrderLineSerializer(many=True))
    def get_lines(self, order):
        user = self.context["request"].user
        return OrderLineSerializer(orders.lines_of(order, user), many=True).data

    def get_extract(self, order) -> bool:
        return orders.restricted(self.context["request"].user, order)


class OrderStepResultSerializer(serializers.Serializer):
    order = OrderDetailSerializer()
    warnings = ViolationSerializer(many=True)
    moved = serializers.ListField(child=serializers.IntegerField(), help_text="Placements whose status the step changed.")


class ScopedPk(serializers.PrimaryKeyRelatedField):
    """An id among the records the user may `action` (another institution's id is "does not exist")."""

    def __init__(self, model, action="view", **kwargs):
        self.action = action
        super().__init__(queryset=model.objects.none(), **kwargs)

    def get_queryset(self):
        return self.queryset.model.objects.for_user(self.context["request"].user, self.action)


class OrderReferralInput(serializers.Serializer):
    placements = ScopedPk(Placement, "change", many=True)
    dated = serializers.DateField(required=False, allow_null=True)


class OrderSupervisorLineInput(serializers.Serializer):
    group = ScopedPk(StudyGroup)
    supervisor = ScopedPk(StaffMember)
    starts_on = serializers.DateField(required=False, allow_null=True)
    ends_on = serializers.DateField(required=False, allow_null=True)


class OrderSupervisorInput(serializers.Serializer):
    lines = OrderSupervisorLineInput(many=True, allow_empty=False)
    dated = serializers.DateField(required=False, allow_null=True)


class OrderEmployerInput(serializers.Serializer):
    employer = ScopedPk(Employer)
    placements = ScopedPk(Placement, "change", many=True)
    dated = serializers.DateField(required=False, allow_null=True)


class OrderMentorInput(OrderEmployerInput):
    starts_on = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="The day a replacing mentor takes over (placements with an earlier appointment).",
    )


class OrderSignInput(serializers.Serializer):
    signatory_name = serializers.CharField(required=False, allow_blank=True, max_length=255)
    signatory_position = serializers.CharField(required=False, allow_blank=True, max_length=255)
    signed_on = serializers.DateField(required=False, allow_null=True, help_text="Only for a signature on paper.")
    outside = serializers.BooleanField(default=False, help_text="Record a signature on paper.")
    production_head = serializers.BooleanField(
        default=False, help_text="A mentor appointment by the head of the institution's production department (п. 10)."
    )

    def validate(self, attrs):
        if attrs.get("signed_on") and not (attrs.get("outside") or attrs.get("production_head")):
            raise serializers.ValidationError(
                {"signed_on": _("A signature in Kesip is dated today; record a signature on paper to give another date.")}
            )
        return attrs


class OrderCancelInput(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class OrderLineChangeInput(serializers.Serializer):
    line = serializers.IntegerField()
    supervisor = serializers.IntegerField(required=False)
    starts_on = serializers.DateField(required=False)


class OrderLinesInput(serializers.Serializer):
    add = ScopedPk(Placement, "change", many=True, required=False)
    add_groups = OrderSupervisorLineInput(many=True, required=False)
    remove = serializers.ListField(child=serializers.IntegerField(), required=False)
    change = OrderLineChangeInput(
        many=True, required=False, help_text="A group's head of practical training, or the day a replacing mentor takes over."
    )


class OrderPermission(core_api.ScopedPermission):
    """Reading needs view_wbl; signing and cancelling, change_wbl or sign_order (the service checks who exactly)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in permissions.SAFE_METHODS:
            return access.has_perm(user, "view_wbl")
        if getattr(view, "action", None) in ("sign", "cancel"):
            return access.has_perm(user, "view_wbl") and (
                access.has_perm(user, "change_wbl") or access.has_perm(user, "sign_order")
            )
        return access.has_perm(user, "change_wbl")


class OrderViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """Orders: list and read; drafts are prepared by `referral`, `supervisor`, `mentor` and `internship-admission`,
    changed by PATCH (title, basis, date) and `lines`, signed by `sign`, cancelled by `cancel`, deleted while drafts."""

    queryset = Order.objects.all()
    serializer_class = OrderSerializer
    permission_classes = [OrderPermission]
    filterset_fields = ["institution", "kind", "status", "year", "employer", "signed_outside"]
    search_fields = ["title", "number", "signatory_name"]
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        return (
            orders.visible_orders(self.request.user)
            .select_related("institution", "employer")
            .annotate(line_count=Count("lines"))
            .order_by("-dated", "-pk")
        )

    def get_serializer_class(self):
        return OrderDetailSerializer if self.action == "retrieve" else OrderSerializer

    def _answer(self, order, status=200):
        fresh = self.get_queryset().get(pk=order.pk)
        return Response(
            {
                "order": OrderDetailSerializer(fresh, context=self.get_serializer_context()).data,
                "warnings": [w.as_dict() for w in getattr(order, "warnings", [])],
                "moved": [p.pk for p in getattr(order, "moved", [])],
            },
            status=status,
        )

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return data.validated_data

    @extend_schema(request=OrderSerializer, responses={200: OrderStepResultSerializer, 400: REFUSED})
    def partial_update(self, request, *args, **kwargs):
        order = self.get_object()
        data = self.get_serializer(order, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        edited = orders.edit_draft(order, request.user, values.get("title"), values.get("preamble"), values.get("dated"))
        edited.warnings = []
        return self._answer(edited)

    def update(self, request, *args, **kwargs):
        return self.partial_update(request, *args, **kwargs)

    @extend_schema(responses={204: None, 400: REFUSED})
    def destroy(self, request, *args, **kwargs):
        orders.delete_draft(self.get_object(), request.user)
        return Response(status=204)

    @extend_schema(request=OrderReferralInput, responses={201: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=False, methods=["post"])
    def referral(self, request):
        """A draft referral to practice (or to internship) with one line per placement whose roster is agreed."""
        data = self._input(OrderReferralInput)
        return self._answer(orders.prepare_referral(data["placements"], request.user, data.get("dated")), 201)

    @extend_schema(request=OrderSupervisorInput, responses={201: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=False, methods=["post"])
    def supervisor(self, request):
        """A draft appointment of heads of practical training: one line per group and its head (VR-41)."""
        data = self._input(OrderSupervisorInput)
        pairs = [(r["group"], r["supervisor"], r.get("starts_on"), r.get("ends_on")) for r in data["lines"]]
        return self._answer(orders.prepare_supervisor(pairs, request.user, data.get("dated")), 201)

    @extend_schema(request=OrderMentorInput, responses={201: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=False, methods=["post"])
    def mentor(self, request):
        """The employer's draft appointment of the mentors chosen on its placements, for their whole term (VR-38, VR-39)."""
        data = self._input(OrderMentorInput)
        order = orders.prepare_mentor(
            data["employer"], data["placements"], request.user, data.get("dated"), data.get("starts_on")
        )
        return self._answer(order, 201)

    @extend_schema(request=OrderEmployerInput, responses={201: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=False, methods=["post"], url_path="internship-admission")
    def internship_admission(self, request):
        """The enterprise's draft admission to internship (п. 41; VR-29)."""
        data = self._input(OrderEmployerInput)
        order = orders.prepare_internship_admission(data["employer"], data["placements"], request.user, data.get("dated"))
        return self._answer(order, 201)

    @extend_schema(request=OrderLinesInput, responses={200: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def lines(self, request, pk=None):
        """Change a draft's lines: add placements or groups, remove lines, change a head or a replacement's first day."""
        order = self.get_object()
        data = self._input(OrderLinesInput)
        changes = data.get("change", [])
        add = list(data.get("add", []))
        add += [(r["group"], r["supervisor"], r.get("starts_on"), r.get("ends_on")) for r in data.get("add_groups", [])]
        edited = orders.edit_lines(
            order,
            request.user,
            add=add,
            remove=data.get("remove", []),
            supervisors={c["line"]: c["supervisor"] for c in changes if "supervisor" in c},
            starts={c["line"]: c["starts_on"] for c in changes if "starts_on" in c},
        )
        return self._answer(edited)

    @extend_schema(request=OrderSignInput, responses={200: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def sign(self, request, pk=None):
        """Sign the draft in Kesip, or record a signature on paper: the number is taken and the placements move on."""
        order = self.get_object()
        data = self._input(OrderSignInput)
        signed = orders.sign(
            order,
            request.user,
            signatory_name=data.get("signatory_name"),
            signatory_position=data.get("signatory_position"),
            signed_on=data.get("signed_on"),
            outside=data["outside"],
            production_head=data["production_head"],
        )
        return self._answer(signed)

    @extend_schema(request=OrderCancelInput, responses={200: OrderStepResultSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a draft or a signed order (refused while a placement on it is beyond “ordered”)."""
        order = self.get_object()
        data = self._input(OrderCancelInput)
        return self._answer(orders.cancel(order, data["reason"], request.user))

    document = document_action(order_views.order_document, "document", "document", "The order (an outsider: the extract).")


class OrderLineViewSet(viewsets.ReadOnlyModelViewSet):
    """Lines of orders, as the user may read them: whole orders of their institution, else their own placements' lines."""

    queryset = OrderLine.objects.all()
    serializer_class = OrderLineSerializer
    permission_classes = [core_api.ScopedPermission]
    filterset_fields = ["order", "placement", "group", "supervisor", "mentor"]

    def get_queryset(self):
        return orders.visible_lines(self.request.user).select_related("order").order_by("order_id", "position", "pk")


def register(router):
    router.register("orders", OrderViewSet)
    router.register("order-lines", OrderLineViewSet)
