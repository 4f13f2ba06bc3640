from django.urls import path

from kesip.core.views.generic import registry_urls
from kesip.curriculum.registries import QUALIFICATIONS
from kesip.curriculum.views import design as views

app_name = "curriculum"

urlpatterns = [
    path("programmes/<int:pk>/design/", views.programme, name="programme"),
    path("programmes/<int:pk>/step/<slug:name>/", views.programme_transition, name="programme_step"),
    path("programmes/<int:programme_pk>/modules/add/", views.module_form, name="module_add"),
    path("modules/<int:pk>/edit/", views.module_form, name="module_edit"),
    path("modules/<int:pk>/delete/", views.module_delete, name="module_delete"),
    path("modules/<int:module_pk>/components/add/", views.component_form, name="component_add"),
    path("components/<int:pk>/edit/", views.component_form, name="component_edit"),
    path("components/<int:pk>/delete/", views.component_delete, name="component_delete"),
    path("programmes/<int:programme_pk>/competencies/add/", views.competency_form, name="competency_add"),
    path("competencies/<int:pk>/edit/", views.competency_form, name="competency_edit"),
    path("competencies/<int:pk>/delete/", views.competency_delete, name="competency_delete"),
]
urlpatterns += [
    path("programmes/<int:programme_pk>/curricula/add/", views.curriculum_open, name="curriculum_open"),
    path("curricula/<int:pk>/", views.curriculum_layout, name="curriculum_layout"),
    path("curricula/<int:pk>/step/<slug:name>/", views.curriculum_step, name="curriculum_step"),
]
urlpatterns += registry_urls(QUALIFICATIONS)
