"""The database cache table (rate-limit counters of the public portal), created with the schema.

``CACHES`` uses Django's database cache so that every worker process shares the counters
without an extra server; the table is made here so that ``migrate`` is the only step.
"""

from typing import Any

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("feedback", "0001_initial")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
