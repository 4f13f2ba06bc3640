from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CurriculumConfig(AppConfig):
    name = "kesip.curriculum"
    label = "curriculum"
    verbose_name = _("Curriculum")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kesip.curriculum.scales import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="kesip-grading-scales")
