from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "kesip.core"
    label = "core"
    verbose_name = _("Core")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kesip.core.rulebook_sync import on_post_migrate

        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="kesip-rulebook-sync")
