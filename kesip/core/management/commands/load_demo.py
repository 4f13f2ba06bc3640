from django.core.management.base import BaseCommand

from kesip.core import demo


class Command(BaseCommand):
    help = "Load the demo institutions, people and logins (idempotent) and print the logins."

    def handle(self, *args, **options):
        from django.utils import translation

        translation.activate("en")  # role names in the terminal, where developers read them
        logins = demo.load()
        from kesip.curriculum import demo as curriculum_demo

        curriculum_demo.load()
        from kesip.curriculum.demo_students import demo_students

        demo_students()
        from kesip.curriculum import demo_journal

        demo_journal.load()
        from kesip.curriculum.demo_exams import demo_exams

        demo_exams()
        from kesip.wbl import demo as wbl_demo

        logins += wbl_demo.load()
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Kesip demo logins, one per role (password for all: {demo.DEMO_PASSWORD})"))
        width = max(len(u) for u, *_ in logins)
        for username, role, where in logins:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {where}")
        self.stdout.write("")
