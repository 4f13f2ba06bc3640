"""The default grading scales of both countries, as data (issue 3: "grading scales are data")."""

from django.db import migrations

from kesip.curriculum.scales import install


class Migration(migrations.Migration):
    dependencies = [("curriculum", "0003_calendar_students_journal_grades")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
