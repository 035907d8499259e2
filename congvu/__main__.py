"""The ``congvu`` console script: Django's manage.py for this project."""

from __future__ import annotations

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvu.settings")
    from django.core.management import execute_from_command_line

    argv = sys.argv[:]
    argv[0] = "congvu"
    execute_from_command_line(argv)


if __name__ == "__main__":
    main()
