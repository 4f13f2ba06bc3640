from django.urls import path

from kesip.core import registries as reg
from kesip.core.views import pages
from kesip.core.views.generic import registry_urls
from kesip.core.views.imports import ImportView

app_name = "core"

urlpatterns = [
    path("", pages.dashboard, name="dashboard"),
    path("language/", pages.set_language, name="set_language"),
    path("rulebook/", pages.rulebook, name="rulebook"),
    path("rulebook/export.xlsx", pages.rulebook_export, name="rulebook_export"),
    path("rulebook/<int:pk>/history/", pages.rule_history, name="rule_history"),
    path("authorities/<int:pk>/", pages.authority_detail, name="authorities_detail"),
    path("institutions/<int:pk>/", pages.institution_detail, name="institutions_detail"),
    path("institutions/<int:institution_pk>/licences/add/", pages.licence_edit, name="licence_add"),
    path("institutions/<int:institution_pk>/licences/<int:pk>/", pages.licence_edit, name="licence_edit"),
    path("institutions/<int:institution_pk>/licences/<int:pk>/delete/", pages.licence_delete, name="licence_delete"),
    path("institutions/<int:institution_pk>/licences/<int:pk>/history/", pages.licence_history, name="licence_history"),
    path("members/invitations/", pages.invitations, name="invitations"),
    path("members/invitations/<int:pk>/revoke/", pages.invitation_revoke, name="invitation_revoke"),
    path("invite/<str:token>/", pages.accept_invitation, name="accept_invitation"),
]
urlpatterns += registry_urls(reg.AUTHORITIES, detail=False, delete=False)
urlpatterns += registry_urls(reg.INSTITUTIONS, detail=False, delete=False)
urlpatterns += registry_urls(reg.SPECIALTIES)
urlpatterns += registry_urls(reg.MEMBERS, delete=False)
urlpatterns += registry_urls(reg.PROGRAMMES, detail=False)  # its page is the design page (curriculum)
for r in (reg.GROUPS, reg.STAFF, reg.STUDENTS, reg.EMPLOYERS):
    urlpatterns += registry_urls(r)
    if r.importer:
        urlpatterns.append(path(f"{r.key}/import/", ImportView.as_view(registry=r), name=f"{r.key}_import"))
