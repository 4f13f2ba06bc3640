from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from kesip.core import i18n


class Command(BaseCommand):
    help = "update: extract strings and fill English; compile: write .mo files; check: fail on gaps."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["update", "compile", "check"])

    def handle(self, action, **options):
        if action == "update":
            import os

            from django.conf import settings

            os.chdir(settings.BASE_DIR)
            call_command("makemessages", locale=list(i18n.LANGUAGES), no_obsolete=True, ignore_patterns=["static/*"], verbosity=0)
            i18n.fill_english()
            self.stdout.write("Catalogues updated; translate the new entries, then run `make messages` again.")
        elif action == "compile":
            i18n.compile_all()
        found = i18n.problems()
        for line in found:
            self.stderr.write(line)
        if action == "check" and found:
            raise CommandError("The UI catalogues are incomplete.")
