"""The API of internships, their certificates and volunteer practice: the same services and rules as the pages.

A refused step answers 400 with the first broken rule (`code`, `message`, `source`, `field`) and
all of them in `violations` (the project's exception handler); soft rules come back in `warnings`.
The public verification of a certificate is its page, not an endpoint: the API needs a login.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, inline_serializer
from rest_framework import permissions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from kesip.core import access
from kesip.core import api as core_api
from kesip.core.pdf import DOCUMENT_LANGUAGES
from kesip.curriculum.api.design import ViolationSerializer
from kesip.wbl import internships
from kesip.wbl.api.documents import document_action
from kesip.wbl.models import Certificate, InternshipSite, Placement, VolunteerRecognition, WblForm
from kesip.wbl.views import internships as internship_views
from kesip.wbl.views.internships import validate_upload

P = Placement
V = VolunteerRecognition

REFUSED = OpenApiResponse(
    inline_serializer(
        "InternshipRefused",
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


def _base_url(request):
    return request.build_absolute_uri("/").rstrip("/")


class SiteSerializer(serializers.ModelSerializer):
    class Meta:
        model = InternshipSite
        fields = ["id", "employer", "starts_on", "ends_on", "tasks"]


class SiteInputSerializer(core_api.ScopedSerializer):
    id = serializers.IntegerField(required=False, help_text="A site of the internship to change; absent: add a site.")

    class Meta:
        model = InternshipSite
        fields = ["id", "employer", "starts_on", "ends_on", "tasks"]

    def validate(self, attrs):  # the site's rules are the service's (within the internship, one institution)
        return attrs


class SiteWarningsSerializer(serializers.Serializer):
    site = SiteSerializer()
    warnings = ViolationSerializer(many=True, help_text="VR-31 (soft): the enterprise's profile.")


class CertificateSerializer(serializers.ModelSerializer):
    verify_url = serializers.SerializerMethodField()
    document_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = ["id", "institution", "placement", "number", "issued_on", "letterhead", "token", "sha256", "revoked_on",
                  "verify_url", "document_url"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_verify_url(self, certificate):
        request = self.context.get("request")
        url = reverse("wbl:certificate_verify", args=[certificate.token])
        return request.build_absolute_uri(url) if request else url

    @extend_schema_field(serializers.URLField())
    def get_document_url(self, certificate):
        request = self.context.get("request")
        url = reverse("wbl:certificate_document", args=[certificate.pk])
        return request.build_absolute_uri(url) if request else url


class InternshipSerializer(serializers.ModelSerializer):
    intern = serializers.SerializerMethodField()
    sites = SiteSerializer(many=True, read_only=True)
    certificate = serializers.SerializerMethodField(help_text="The certificate in force, else the latest revoked one.")
    certificates = serializers.SerializerMethodField(help_text="Every certificate issued, revoked ones included, oldest first.")

    class Meta:
        model = P
        fields = ["id", "institution", "student", "intern_staff", "intern", "employer", "starts_on", "ends_on", "hours",
                  "status", *internships.PROGRAMME_FIELDS, "programme_agreed_on", "outcome", "sites",
                  "certificate", "certificates"]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.CharField())
    def get_intern(self, placement):
        return str(placement.learner)

    @extend_schema_field(CertificateSerializer(allow_null=True))
    def get_certificate(self, placement):
        certificate = placement.certificate
        return CertificateSerializer(certificate, context=self.context).data if certificate is not None else None

    @extend_schema_field(CertificateSerializer(many=True))
    def get_certificates(self, placement):
        return CertificateSerializer(
            sorted(placement.certificates.all(), key=lambda c: (c.issued_on, c.pk)), many=True, context=self.context
        ).data


class AgreeSerializer(serializers.Serializer):
    agreed_on = serializers.DateField()
    agreed_by = serializers.CharField(max_length=255, help_text="Who at the enterprise agreed the programme (name, position).")


class OutcomeSerializer(serializers.Serializer):
    outcome = serializers.ChoiceField(choices=P.Outcome.choices)


class IssueSerializer(serializers.Serializer):
    letterhead = serializers.ChoiceField(choices=Certificate.Letterhead.choices)
    issued_on = serializers.DateField()
    language = serializers.CharField(
        default="ru", max_length=2, help_text="The language the PDF is printed in: ky, ru, kk or en."
    )

    def validate_language(self, value):
        if value not in DOCUMENT_LANGUAGES:
            raise serializers.ValidationError(_("Choose one of: %(languages)s.") % {"languages": ", ".join(DOCUMENT_LANGUAGES)})
        return value


class RemoveSiteSerializer(serializers.Serializer):
    id = serializers.IntegerField()


class InternshipViewSet(viewsets.ReadOnlyModelViewSet):
    """Internships (F22, F25): read, and the internship's own steps; the placement itself is `/placements/`."""

    queryset = P.objects.all()
    serializer_class = InternshipSerializer
    permission_classes = [core_api.ScopedPermission]
    filterset_fields = ["institution", "intern_category", "internship_type", "internship_mode", "status", "outcome", "employer"]
    search_fields = ["student__last_name", "intern_staff__last_name", "employer__name"]

    def get_queryset(self):
        act = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        return (
            P.objects.for_user(self.request.user, act)
            .filter(form=WblForm.INTERNSHIP)
            .select_related("student", "intern_staff")
            .prefetch_related("certificates")
            .prefetch_related("sites")
            .order_by("pk")
        )

    def _read(self, pk):
        return self.get_serializer(self.get_queryset().get(pk=pk)).data

    @extend_schema(request=AgreeSerializer, responses={200: InternshipSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"], url_path="agree-programme")
    def agree_programme(self, request, pk=None):
        placement = self.get_object()
        data = AgreeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        internships.agree_programme(placement, data.validated_data["agreed_on"], data.validated_data["agreed_by"], request.user)
        return Response(self._read(placement.pk))

    @extend_schema(request=OutcomeSerializer, responses={200: InternshipSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def outcome(self, request, pk=None):
        placement = self.get_object()
        data = OutcomeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        internships.record_outcome(placement, data.validated_data["outcome"], request.user)
        return Response(self._read(placement.pk))

    @extend_schema(request=IssueSerializer, responses={201: CertificateSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def certificate(self, request, pk=None):
        placement = self.get_object()
        data = IssueSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        certificate = internships.issue_certificate(
            placement, v["letterhead"], v["issued_on"], request.user, language=v["language"], base_url=_base_url(request)
        )
        return Response(CertificateSerializer(certificate, context={"request": request}).data, status=201)

    @extend_schema(request=SiteInputSerializer, responses={200: SiteWarningsSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def sites(self, request, pk=None):
        """Add a site (no `id`) or change one; the answer carries VR-31's warnings."""
        placement = self.get_object()
        data = SiteInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        v = dict(data.validated_data)
        site_id = v.pop("id", None)
        if site_id is not None:
            site = InternshipSite.objects.filter(pk=site_id, placement_id=placement.pk).first()
            if site is None:
                raise NotFound
            for name, value in v.items():
                setattr(site, name, value)
        else:
            site = InternshipSite(placement=placement, institution_id=placement.institution_id, **v)
        site, warnings = internships.save_site(site, request.user)
        return Response({"site": SiteSerializer(site).data, "warnings": [w.as_dict() for w in warnings]})

    @extend_schema(request=RemoveSiteSerializer, responses={204: None, 400: REFUSED})
    @action(detail=True, methods=["post"], url_path="remove-site")
    def remove_site(self, request, pk=None):
        placement = self.get_object()
        data = RemoveSiteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        site = InternshipSite.objects.filter(pk=data.validated_data["id"], placement_id=placement.pk).first()
        if site is None:
            raise NotFound
        internships.delete_site(site, request.user)
        return Response(status=204)


class RevokeSerializer(serializers.Serializer):
    revoked_on = serializers.DateField()
    reason = serializers.CharField(max_length=2000)


class CertificateViewSet(viewsets.ReadOnlyModelViewSet):
    """Internship certificates; `revoke` makes the public verification page say the certificate is revoked."""

    queryset = Certificate.objects.all()
    serializer_class = CertificateSerializer
    permission_classes = [core_api.ScopedPermission]
    filterset_fields = ["institution", "placement", "letterhead", "issued_on"]
    search_fields = ["number"]

    def get_queryset(self):
        act = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        return Certificate.objects.for_user(self.request.user, act).order_by("pk")

    @extend_schema(request=RevokeSerializer, responses={200: CertificateSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def revoke(self, request, pk=None):
        certificate = self.get_object()
        data = RevokeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        certificate = internships.revoke_certificate(
            certificate, data.validated_data["revoked_on"], data.validated_data["reason"], request.user
        )
        return Response(self.get_serializer(certificate).data)

    document = document_action(internship_views.certificate_document, "document", "document", "The certificate with its QR code.")


class VolunteerPermission(core_api.ScopedPermission):
    """As everywhere, and a student may also submit and change their own submitted volunteering."""

    def has_permission(self, request, view):
        if super().has_permission(request, view):
            return True
        user = request.user
        if not user or not user.is_authenticated:
            return False
        return view.action in ("create", "update", "partial_update", "destroy") and internships.student_of(user) is not None


class VolunteerSerializer(core_api.ScopedSerializer):
    decided_by = serializers.PrimaryKeyRelatedField(read_only=True)
    status = serializers.CharField(read_only=True, help_text="submitted, verified (the evidence), recognised or rejected")
    verified_by = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = V
        fields = ["id", "institution", *internships.VOLUNTEER_FIELDS, "status", "verified_on", "verified_by", "decided_on",
                  "decided_by", "decision_note"]  # fmt: skip
        read_only_fields = ["status", "verified_on", "verified_by", "decided_on", "decided_by", "decision_note"]
        extra_kwargs = {"institution": {"required": False, "help_text": "Empty: the learner's institution."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("book", "volunteer_agreement"):
            self.fields[name].validators.append(validate_upload)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        own = internships.student_of(user) if user is not None else None
        if own is not None and not access.has_perm(user, "change_wbl"):
            # A learner submits only their own volunteering: the learner and institution are theirs.
            self.fields["student"].read_only = True
            self.fields["institution"].read_only = True
            self._own = own
        else:
            self._own = None
        if self._own is not None:
            from kesip.core.models import Employer
            from kesip.curriculum.models import Component
            from kesip.wbl.models import Agreement

            inst = self._own.institution_id
            self.fields["organisation"].queryset = Employer.objects.partners().filter(institution_id=inst)
            self.fields["memorandum"].queryset = Agreement.objects.filter(institution_id=inst, kind=Agreement.Kind.VOLUNTEER)
            self.fields["component"].queryset = Component.objects.filter(institution_id=inst, kind=Component.Kind.PRACTICE)

    def validate(self, attrs):
        if self._own is not None:
            attrs["student"], attrs["institution"] = self._own, self._own.institution
        elif self.instance is None and not attrs.get("institution") and attrs.get("student"):
            attrs["institution"] = attrs["student"].institution
        return super().validate(attrs)

    def _clean_exclusions(self):
        return [*super()._clean_exclusions(), "institution", "student", "status"]


class RecogniseSerializer(serializers.Serializer):
    grade = serializers.DecimalField(
        max_digits=5,
        decimal_places=1,
        required=False,
        allow_null=True,
        help_text="A mark on the country's scale for the practice component; absent: nothing is written to the journal.",
    )


class RejectSerializer(serializers.Serializer):
    decision_note = serializers.CharField(max_length=2000)


class VolunteerRecognitionViewSet(core_api.ScopedViewSet):
    """Volunteering submitted for recognition as practice (п. 31); changed and deleted only while submitted."""

    queryset = V.objects.all()
    serializer_class = VolunteerSerializer
    permission_classes = [VolunteerPermission]
    filterset_fields = ["institution", "student", "organisation", "status", "practice_type"]

    def get_queryset(self):
        act = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        qs = V.objects.for_user(self.request.user, act)
        if act == "change" and internships.student_of(self.request.user) is not None:
            qs = V.objects.for_user(self.request.user, "view")  # the learner's own; the service checks the rest
        return qs.select_related("student").order_by("pk")

    @extend_schema(responses={201: VolunteerSerializer, 400: REFUSED})
    def create(self, request, *args, **kwargs):
        data = self.get_serializer(data=request.data)
        data.is_valid(raise_exception=True)
        recognition = V(**data.validated_data)
        internships.save_volunteer(recognition, request.user)
        return Response(self.get_serializer(recognition).data, status=201)

    @extend_schema(responses={200: VolunteerSerializer, 400: REFUSED})
    def update(self, request, *args, **kwargs):
        recognition = self.get_object()
        data = self.get_serializer(recognition, data=request.data, partial=kwargs.pop("partial", False))
        data.is_valid(raise_exception=True)
        for name, value in data.validated_data.items():
            setattr(recognition, name, value)
        internships.save_volunteer(recognition, request.user)
        return Response(self.get_serializer(recognition).data)

    def perform_destroy(self, instance):
        internships.delete_volunteer(instance, self.request.user)

    @extend_schema(request=RecogniseSerializer, responses={200: VolunteerSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def recognise(self, request, pk=None):
        recognition = self.get_object()
        data = RecogniseSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not internships.may_decide(request.user, recognition.institution_id):
            raise PermissionDenied
        recognition = internships.recognise(recognition, request.user, grade=data.validated_data.get("grade"))
        return Response(self.get_serializer(recognition).data)

    @extend_schema(request=None, responses={200: VolunteerSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        """submitted → evidence verified: the hours, memorandum, personal book and volunteer agreement hold (VR-22)."""
        recognition = self.get_object()
        if not internships.may_decide(request.user, recognition.institution_id):
            raise PermissionDenied
        return Response(self.get_serializer(internships.verify(recognition, request.user)).data)

    @extend_schema(request=RejectSerializer, responses={200: VolunteerSerializer, 400: REFUSED})
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        recognition = self.get_object()
        data = RejectSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if not internships.may_decide(request.user, recognition.institution_id):
            raise PermissionDenied
        recognition = internships.reject(recognition, data.validated_data["decision_note"], request.user)
        return Response(self.get_serializer(recognition).data)


def register(router):
    router.register("internships", InternshipViewSet, basename="internship")
    router.register("certificates", CertificateViewSet)
    router.register("volunteer-recognitions", VolunteerRecognitionViewSet)
