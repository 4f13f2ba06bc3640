from django.urls import path
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import DefaultRouter

from kesip.core import api

router = DefaultRouter()
router.register("authorities", api.AuthorityViewSet)
router.register("institutions", api.InstitutionViewSet)
router.register("specialties", api.SpecialtyViewSet)
router.register("programmes", api.ProgrammeViewSet)
router.register("groups", api.StudyGroupViewSet)
router.register("staff", api.StaffViewSet)
router.register("students", api.StudentViewSet)
router.register("employers", api.EmployerViewSet)
router.register("people", api.PersonViewSet)
router.register("rules", api.RuleViewSet)

urlpatterns = [path("token/", obtain_auth_token, name="api-token"), *router.urls]
