"""The REST API (/api/v1/): the same models, scoping and validation as the pages.

Serializers validate through the model's own `full_clean`, so the API refuses exactly what the
forms refuse. Related ids are looked up only among records the user may see: another
institution's id is "not found", never used.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from kesip.core import access, forms, invitations
from kesip.core.models import (
    Authority,
    Employer,
    Institution,
    Licence,
    Membership,
    Programme,
    Rule,
    Specialty,
    StaffMember,
    Student,
    StudentRepresentative,
    StudyGroup,
)
from kesip.core.rules import RuleViolation


def exception_handler(exc, context):
    if isinstance(exc, RuleViolation):
        return Response(exc.as_dict(), status=status.HTTP_400_BAD_REQUEST)
    violations = getattr(exc, "violations", None)
    if violations and all(isinstance(v, RuleViolation) for v in violations):
        # A step that broke several rules (WblInvalid, ExamInvalid): the first at the top, all in `violations`.
        count = len(violations)
        message = (
            violations[0].message
            if count == 1
            else ngettext("%(count)s rule is broken.", "%(count)s rules are broken.", count) % {"count": count}
        )
        return Response(
            {**violations[0].as_dict(), "message": message, "violations": [v.as_dict() for v in violations]},
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ProtectedError):
        return Response(
            {"code": "protected", "message": _("The record is still used by other records and cannot be deleted.")},
            status=status.HTTP_409_CONFLICT,
        )
    return drf_exception_handler(exc, context)


class ScopedPermission(permissions.BasePermission):
    """Reading needs view_<area>, writing change_<area> (adding an institution: add_institution)."""

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        area = getattr(view.queryset.model, "access_area", view.queryset.model._meta.model_name)
        if request.method in permissions.SAFE_METHODS:
            return access.has_perm(user, f"view_{area}")
        if view.action == "create" and getattr(view, "add_perm", None):
            return access.has_perm(user, view.add_perm)
        return access.has_perm(user, f"change_{area}")


class ScopedSerializer(serializers.ModelSerializer):
    """Limits related-id fields to the user's scope and validates through the model's full_clean."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        user = getattr(request, "user", None)
        for name, f in self.fields.items():
            rel = f.child_relation if isinstance(f, serializers.ManyRelatedField) else f
            if isinstance(rel, serializers.PrimaryKeyRelatedField) and not f.read_only:
                model = rel.queryset.model
                action = "change" if name == "institution" else "view"
                if hasattr(model.objects, "for_user"):
                    rel.queryset = model.objects.for_user(user, action)
        if self.instance is not None and "institution" in self.fields:
            self.fields["institution"].read_only = True

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        many = {k: v for k, v in attrs.items() if isinstance(self.fields.get(k), serializers.ManyRelatedField)}
        plain = {k: v for k, v in attrs.items() if k not in many}
        if self.instance is None:
            instance = model(**plain)
        else:
            instance = model.objects.get(pk=self.instance.pk)
            for k, v in plain.items():
                setattr(instance, k, v)
        try:
            instance.full_clean(exclude=self._clean_exclusions())
            if many and hasattr(instance, "clean_related"):
                instance.clean_related(**many)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages) from None
        # Model.clean may normalise values (e.g. fill the date of birth from a personal number).
        for k in plain:
            attrs[k] = getattr(instance, k)
        for k in ("birth_date", "sex"):
            if k in self.fields and k not in attrs and getattr(instance, k, None):
                attrs[k] = getattr(instance, k)
        return attrs

    def _clean_exclusions(self):
        writable = {n for n, f in self.fields.items() if not f.read_only}
        exclude = [f.name for f in self.Meta.model._meta.fields if f.name not in writable]
        return [n for n in exclude if n != "institution"]


class AuthoritySerializer(ScopedSerializer):
    class Meta:
        model = Authority
        fields = ["id", *forms.AuthorityForm.Meta.fields]


class LicenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Licence
        fields = ["id", *forms.LicenceForm.Meta.fields]


class InstitutionSerializer(ScopedSerializer):
    licences = LicenceSerializer(many=True, read_only=True)

    class Meta:
        model = Institution
        fields = ["id", *forms.InstitutionForm.Meta.fields, "licences"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if self.instance is not None and not access.is_system_admin(getattr(request, "user", None)):
            for name in ("authority", "jurisdiction", "military_state_body"):
                self.fields[name].read_only = True


class SpecialtySerializer(ScopedSerializer):
    class Meta:
        model = Specialty
        fields = ["id", *forms.SpecialtyForm.Meta.fields]


class ProgrammeSerializer(ScopedSerializer):
    class Meta:
        model = Programme
        fields = ["id", *forms.ProgrammeForm.Meta.fields]


class StudyGroupSerializer(ScopedSerializer):
    student_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = StudyGroup
        fields = ["id", *forms.StudyGroupForm.Meta.fields, "student_count"]


class StaffSerializer(ScopedSerializer):
    class Meta:
        model = StaffMember
        fields = ["id", *forms.StaffForm.Meta.fields]


class StudentSerializer(ScopedSerializer):
    class Meta:
        model = Student
        fields = ["id", *forms.StudentForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # Group and status change only through /api/v1/movements/ (an order), never by editing the record.
            for name in ("group", "status"):
                self.fields[name].read_only = True


class StudentRepresentativeSerializer(ScopedSerializer):
    class Meta:
        model = StudentRepresentative
        fields = ["id", "institution", "student", "full_name", "relation", "phone", "email", "user", "is_active"]
        read_only_fields = ["institution", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance is not None and not isinstance(self.instance, list):
            self.fields["student"].read_only = True

    def validate(self, attrs):
        student = attrs.get("student") or getattr(self.instance, "student", None)
        if student is not None:
            attrs["institution"] = student.institution  # the representative belongs to the learner's institution
        if attrs.get("email"):
            attrs["email"] = attrs["email"].strip().lower()
        return super().validate(attrs)


class EmployerSerializer(ScopedSerializer):
    class Meta:
        model = Employer
        fields = ["id", *forms.EmployerForm.Meta.fields]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "kind" in self.fields:
            self.fields["kind"].choices = [c for c in Employer.Kind.choices if c[0] != Employer.Kind.OWN_BASE]


class PersonSerializer(serializers.ModelSerializer):
    """A user's role in an institution."""

    username = serializers.CharField(source="user.username", read_only=True)
    full_name = serializers.CharField(source="user.display_name", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "full_name", "email", "role", "institution", "employer", "is_active"]
        read_only_fields = fields


class RuleSerializer(serializers.ModelSerializer):
    source = serializers.CharField(read_only=True)
    document = serializers.SlugRelatedField(slug_field="key", read_only=True)

    class Meta:
        model = Rule
        fields = [
            "id",
            "code",
            "jurisdiction",
            "value",
            "unit",
            "comparison",
            "effective_from",
            "effective_to",
            "document",
            "clause",
            "source",
            "title_ky",
            "title_ru",
            "title_kk",
            "title_en",
            "note",
        ]


class ScopedViewSet(viewsets.ModelViewSet):
    permission_classes = [ScopedPermission]
    select_related = ()
    add_perm = None

    def get_queryset(self):
        action = "view" if self.request.method in permissions.SAFE_METHODS else "change"
        qs = self.queryset.model.objects.for_user(self.request.user, action)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        return qs.order_by("pk")


class AuthorityViewSet(ScopedViewSet):
    queryset = Authority.objects.all()
    serializer_class = AuthoritySerializer
    filterset_fields = ["kind", "jurisdiction", "parent"]
    search_fields = ["name_ky", "name_ru", "name_kk", "name_en"]


class InstitutionViewSet(ScopedViewSet):
    queryset = Institution.objects.all()
    serializer_class = InstitutionSerializer
    filterset_fields = ["type", "jurisdiction", "authority"]
    search_fields = ["full_name_ky", "full_name_ru", "full_name_kk", "short_name_ru", "inn", "bin"]
    add_perm = "add_institution"
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    def get_queryset(self):
        return super().get_queryset().prefetch_related("licences")


class SpecialtyViewSet(ScopedViewSet):
    queryset = Specialty.objects.all()
    serializer_class = SpecialtySerializer
    filterset_fields = ["jurisdiction", "level", "is_active"]
    search_fields = ["code", "name_ky", "name_ru", "name_kk", "name_en"]
    add_perm = "change_authority"

    def get_permissions(self):
        return [permissions.IsAuthenticated()] if self.request.method in permissions.SAFE_METHODS else [ScopedPermission()]


class ProgrammeViewSet(ScopedViewSet):
    queryset = Programme.objects.all()
    serializer_class = ProgrammeSerializer
    filterset_fields = ["institution", "specialty", "entry_base", "study_form", "is_active"]
    search_fields = ["name_ky", "name_ru", "name_kk", "name_en"]


class StudyGroupViewSet(ScopedViewSet):
    queryset = StudyGroup.objects.all()
    serializer_class = StudyGroupSerializer
    filterset_fields = ["institution", "programme", "intake_year", "language", "is_active"]
    search_fields = ["name"]

    def get_queryset(self):
        from django.db.models import Count, Q

        return (
            super().get_queryset().annotate(student_count=Count("students", filter=Q(students__status=Student.Status.ENROLLED)))
        )


class StaffViewSet(ScopedViewSet):
    queryset = StaffMember.objects.all()
    serializer_class = StaffSerializer
    filterset_fields = ["institution", "category", "employment", "is_active"]
    search_fields = ["last_name", "first_name", "national_id", "position"]


class StudentViewSet(ScopedViewSet):
    queryset = Student.objects.all()
    serializer_class = StudentSerializer
    filterset_fields = ["institution", "group", "status", "funding"]
    search_fields = ["last_name", "first_name", "national_id", "student_number"]


class StudentRepresentativeViewSet(ScopedViewSet):
    """A learner's legal representatives (KG WBL п. 56 items 2, 5): the account is linked by the accepted invitation."""

    queryset = StudentRepresentative.objects.all()
    serializer_class = StudentRepresentativeSerializer
    filterset_fields = ["institution", "student", "relation", "is_active"]
    search_fields = ["full_name", "email", "phone"]

    @extend_schema(request=None, responses={200: OpenApiResponse(description="{link}: the invitation's link, also mailed.")})
    @action(detail=True, methods=["post"])
    def invite(self, request, pk=None):
        """Invite the representative to Kesip; on accepting, the new account sees this learner and answers the consent."""
        rep = self.get_object()
        return Response({"link": invitations.invite_representative(rep, request.user, request.build_absolute_uri)})


class EmployerViewSet(ScopedViewSet):
    """The partner employers. The hosts of the institution's own bases are kept by `wbl-bases` (its `host`)."""

    queryset = Employer.objects.all()
    serializer_class = EmployerSerializer
    filterset_fields = ["institution", "kind", "sector", "size", "is_active"]
    search_fields = ["name", "tax_id", "contact_person"]

    def get_queryset(self):
        return super().get_queryset().partners()


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    """People with a role in the institutions you manage."""

    queryset = Membership.objects.all()
    serializer_class = PersonSerializer
    permission_classes = [ScopedPermission]
    filterset_fields = ["institution", "role", "is_active"]
    search_fields = ["user__last_name", "user__first_name", "user__username"]

    def get_queryset(self):
        return Membership.objects.for_user(self.request.user).select_related("user").order_by("pk")


class RuleViewSet(viewsets.ReadOnlyModelViewSet):
    """The rulebook: every regulatory number with its legal source."""

    queryset = Rule.objects.select_related("document").order_by("code", "jurisdiction", "-effective_from")
    serializer_class = RuleSerializer
    permission_classes = [permissions.IsAuthenticated]
    filterset_fields = ["jurisdiction", "code", "unit"]
    search_fields = ["code", "title_ky", "title_ru", "title_kk", "title_en", "clause"]
