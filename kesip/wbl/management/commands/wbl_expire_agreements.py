"""Daily job: signed agreements whose first day has come become active, and those past their last day expire."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from kesip.wbl.agreements import expire_due


class Command(BaseCommand):
    help = "Activate signed WBL agreements from their first day and expire those past their last day."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="The day to judge by (YYYY-MM-DD); today by default.")

    def handle(self, *args, **options):
        today = None
        if options.get("today"):
            try:
                today = datetime.date.fromisoformat(options["today"])
            except ValueError:
                raise CommandError("--today takes a date as YYYY-MM-DD") from None
        expired, activated = expire_due(today=today)
        self.stdout.write(f"Agreements expired: {expired}; activated: {activated}.")
