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
    path("journal/", journal_views.journals, name="journals"),
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

from kesip.curriculum.views import students as student_views  # noqa: E402

urlpatterns += [
    path("groups/<int:pk>/", student_views.group, name="group"),
    path("groups/<int:pk>/enrol/", student_views.group_enrol, name="group_enrol"),
    path("students/<int:pk>/", student_views.student, name="student"),
    path("students/<int:pk>/step/<slug:name>/", student_views.student_step, name="student_step"),
    path("students/<int:pk>/individual-curriculum/", student_views.student_individual, name="student_individual"),
    path("individual-curricula/<int:pk>/delete/", student_views.individual_delete, name="individual_delete"),
    path("students/<int:pk>/exemptions/add/", student_views.student_exemption, name="student_exemption"),
    path("exemptions/<int:pk>/edit/", student_views.exemption_edit, name="exemption_edit"),
    path("exemptions/<int:pk>/delete/", student_views.exemption_delete, name="exemption_delete"),
    path("exemptions/<int:pk>/scan/", student_views.exemption_scan, name="exemption_scan"),
]

from kesip.curriculum.views import calendar as calendar_views  # noqa: E402

urlpatterns += [
    path("calendars/", calendar_views.calendar_list, name="calendar_list"),
    path("groups/<int:pk>/calendars/", calendar_views.calendar_list, name="group_calendars"),
    path("calendars/add/", calendar_views.calendar_add, name="calendar_add"),
    path("calendars/<int:pk>/", calendar_views.calendar, name="calendar"),
    path("calendars/<int:pk>/edit/", calendar_views.calendar_edit, name="calendar_edit"),
    path("calendars/<int:pk>/delete/", calendar_views.calendar_delete, name="calendar_delete"),
    path("calendars/<int:pk>/step/<slug:name>/", calendar_views.calendar_step, name="calendar_step"),
    path("calendars/<int:pk>/periods/add/", calendar_views.calendar_addperiod, name="calendar_addperiod"),
    path("calendar-periods/<int:pk>/edit/", calendar_views.calendar_period_edit, name="calendar_period_edit"),
    path("calendar-periods/<int:pk>/delete/", calendar_views.calendar_period_delete, name="calendar_period_delete"),
]
