"""Seed the controlled vocabulary of titles from ``org/data/titles.json`` (reviewed data)."""

from __future__ import annotations

import json
from pathlib import Path

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps

DATA = Path(__file__).resolve().parent.parent / "data" / "titles.json"


def load_titles(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    title_model = apps.get_model("org", "Title")
    for row in json.loads(DATA.read_text(encoding="utf-8"))["titles"]:
        code = row.pop("code")
        title_model.objects.update_or_create(code=code, defaults=row)


class Migration(migrations.Migration):
    dependencies = [("org", "0001_initial")]
    operations = [migrations.RunPython(load_titles, migrations.RunPython.noop)]
