from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from kesip.core import api
from kesip.curriculum.api import calendar as calendar_api
from kesip.curriculum.api import design as curriculum_api
from kesip.curriculum.api import exams as exams_api
from kesip.curriculum.api import journal as journal_api
from kesip.curriculum.api import students as students_api
from kesip.documents import api as documents_api
from kesip.wbl import api as wbl_api

router = DefaultRouter()
router.register("authorities", api.AuthorityViewSet)
router.register("institutions", api.InstitutionViewSet)
router.register("specialties", api.SpecialtyViewSet)
router.register("programmes", curriculum_api.ProgrammeViewSet)
router.register("qualifications", curriculum_api.QualificationViewSet)
router.register("competencies", curriculum_api.CompetencyViewSet)
router.register("modules", curriculum_api.ModuleViewSet)
router.register("components", curriculum_api.ComponentViewSet)
router.register("working-curricula", curriculum_api.WorkingCurriculumViewSet)
router.register("calendars", calendar_api.CalendarScheduleViewSet)
router.register("calendar-periods", calendar_api.CalendarPeriodViewSet)
router.register("groups", api.StudyGroupViewSet)
router.register("staff", api.StaffViewSet)
router.register("students", api.StudentViewSet)
router.register("student-representatives", api.StudentRepresentativeViewSet)
router.register("employers", api.EmployerViewSet)
router.register("people", api.PersonViewSet)
router.register("rules", api.RuleViewSet)
router.register("teaching-assignments", journal_api.TeachingAssignmentViewSet)
router.register("lessons", journal_api.LessonViewSet)
router.register("component-grades", journal_api.ComponentGradeViewSet)
router.register("transcripts", journal_api.TranscriptViewSet, basename="transcript")
router.register("exams", exams_api.ExamViewSet)
router.register("exam-results", exams_api.ExamResultViewSet)
router.register("awarded-qualifications", exams_api.AwardedQualificationViewSet)
router.register("grading-scales", exams_api.GradingScaleViewSet)
router.register("movements", students_api.MovementViewSet)
router.register("individual-curricula", students_api.IndividualCurriculumViewSet)
router.register("distance-exemptions", students_api.DistanceExemptionViewSet)
wbl_api.register(router)
router.register("issued-documents", documents_api.IssuedDocumentViewSet)

urlpatterns = [path("token/", obtain_auth_token, name="api-token"), *router.urls]
