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

from kesip.curriculum.views import journal as journal_views  # noqa: E402
from kesip.curriculum.views import transcript as transcript_views  # noqa: E402

urlpatterns += [
    path("groups/<int:group_pk>/journal/", journal_views.journal_index, name="journal"),
    path("groups/<int:group_pk>/journal/assign/", journal_views.assign_teacher, name="journal_assign"),
    path("groups/<int:group_pk>/journal/<int:component_pk>/", journal_views.journal_grid, name="journal_grid"),
    path("lessons/<int:pk>/", journal_views.lesson, name="lesson"),
    path("lessons/<int:pk>/delete/", journal_views.lesson_delete, name="lesson_delete"),
    path("load/", journal_views.load, name="load"),
    path("students/<int:pk>/transcript/", transcript_views.transcript, name="transcript"),
    path("students/<int:pk>/transcript.pdf", transcript_views.transcript_pdf, name="transcript_pdf"),
]

from kesip.curriculum.views import exams as exam_views  # noqa: E402

urlpatterns += [
    path("exams/", exam_views.exam_list, name="exam_list"),
    path("groups/<int:group_pk>/exams/add/", exam_views.exam_add, name="exam_add"),
    path("exams/<int:pk>/", exam_views.exam, name="exam"),
    path("exams/<int:pk>/edit/", exam_views.exam_edit, name="exam_edit"),
    path("exams/<int:pk>/delete/", exam_views.exam_delete, name="exam_delete"),
    path("exams/<int:pk>/results/", exam_views.exam_results, name="exam_results"),
    path("exams/<int:pk>/step/<slug:name>/", exam_views.exam_step, name="exam_step"),
    path("exams/<int:pk>/history/", exam_views.exam_history, name="exam_history"),
]
