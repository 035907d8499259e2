"""Settings of the load benchmark's server: the project's own, plus a reference URL (``benchmarks.load_site``).

Served by ``congvu serve`` exactly like the project (``DJANGO_SETTINGS_MODULE=benchmarks.load_settings``);
nothing else differs, so the reference runs through the same server, middleware and database settings.
"""

from congvu.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.load_site"
