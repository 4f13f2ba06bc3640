from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WblConfig(AppConfig):
    name = "kesip.wbl"
    label = "wbl"
    verbose_name = _("Work-based learning")
    default_auto_field = "django.db.models.BigAutoField"
