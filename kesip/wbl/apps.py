from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WblConfig(AppConfig):
    name = "kesip.wbl"
    label = "wbl"
    verbose_name = _("Work-based learning")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # An accepted invitation of an employer's person links the new user to that employee, whichever module
        # happens to be imported first (connected here, not at the import of kesip.wbl.employers).
        from django.db.models.signals import post_save

        from kesip.core.models import Invitation
        from kesip.wbl.employers import link_accepted_invitation

        post_save.connect(link_accepted_invitation, sender=Invitation, dispatch_uid="kesip.wbl.link_accepted_invitation")
        from kesip.wbl.consent import link_accepted_representative

        post_save.connect(link_accepted_representative, sender=Invitation, dispatch_uid="kesip.wbl.link_accepted_representative")
