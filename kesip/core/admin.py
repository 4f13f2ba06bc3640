"""Django admin for system administrators (superusers): every core model, with its history."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from simple_history.admin import SimpleHistoryAdmin

from kesip.core import models


@admin.register(models.User)
class KesipUserAdmin(UserAdmin):
    fieldsets = (*UserAdmin.fieldsets, ("Kesip", {"fields": ("patronymic", "phone", "language")}))
    list_display = ("username", "last_name", "first_name", "email", "is_active", "is_superuser")


class MembershipInline(admin.TabularInline):
    model = models.Membership
    extra = 0
    raw_id_fields = ("user", "employer")


class LicenceInline(admin.TabularInline):
    model = models.Licence
    extra = 0


@admin.register(models.Authority)
class AuthorityAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "kind", "jurisdiction", "parent")
    list_filter = ("kind", "jurisdiction")
    search_fields = ("name_ky", "name_ru", "name_kk", "name_en")


@admin.register(models.Institution)
class InstitutionAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "type", "jurisdiction", "authority", "military_state_body")
    list_filter = ("type", "jurisdiction", "military_state_body")
    search_fields = ("full_name_ky", "full_name_ru", "full_name_kk", "short_name_ru", "inn", "bin")
    inlines = [LicenceInline, MembershipInline]


@admin.register(models.Rule)
class RuleAdmin(SimpleHistoryAdmin):
    list_display = ("code", "jurisdiction", "value", "unit", "comparison", "effective_from", "effective_to", "clause")
    list_filter = ("jurisdiction", "unit", "document")
    search_fields = ("code", "title_en", "title_ru", "clause")


for model, fields in [
    (models.Specialty, ("code", "__str__", "level", "jurisdiction", "is_active")),
    (models.Programme, ("__str__", "institution", "specialty", "entry_base")),
    (models.StudyGroup, ("name", "institution", "programme", "intake_year")),
    (models.StaffMember, ("__str__", "institution", "position", "category")),
    (models.Student, ("__str__", "institution", "group", "status")),
    (models.Employer, ("name", "institution", "kind", "sector")),
    (models.Membership, ("user", "role", "institution", "authority", "employer", "is_active")),
]:
    admin.site.register(model, SimpleHistoryAdmin, list_display=fields)

admin.site.register(models.LegalDocument, list_display=("key", "jurisdiction", "title_en"))
admin.site.register(models.Invitation, list_display=("email", "role", "institution", "expires_at", "accepted_at"))
