"""``congvu open311_key NAME`` creates an Open311 client key; ``congvu open311_key --revoke NAME`` revokes them.

The key is printed once, alone on standard output (``KEY=$(congvu open311_key app)``); only its keyed
hash is stored. Creating and revoking are recorded in the audit log.
"""

from __future__ import annotations

import secrets
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from congvu.audit.chain import record
from congvu.feedback.models import ApiKey
from congvu.feedback.services import keyed_hash

MAX_NAME = 100  # ApiKey.name


class Command(BaseCommand):
    help = "Create an Open311 client key (printed once) or revoke the keys of a client."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("name", help="the client's name, for example the application that will use the key")
        parser.add_argument("--revoke", action="store_true", help="revoke every active key with this name")

    def handle(self, *args: Any, **options: Any) -> None:
        name = str(options["name"]).strip()
        if not name or len(name) > MAX_NAME or "\x00" in name:
            raise CommandError(f"the name must have 1 to {MAX_NAME} characters")
        if options["revoke"]:
            self._revoke(name)
        else:
            self._create(name)

    @transaction.atomic
    def _create(self, name: str) -> None:
        key = secrets.token_urlsafe(24)
        api_key = ApiKey.objects.create(name=name, key_hash=keyed_hash(key))
        record(
            acting_user=None,
            action="feedback.open311_key.create",
            object_type="open311_key",
            object_id=api_key.pk,
            object_label=name,
            after={"name": name},
        )
        self.stderr.write(f"Open311 key for “{name}” (shown only this once; keep it secret):")
        self.stdout.write(key)

    @transaction.atomic
    def _revoke(self, name: str) -> None:
        active = list(ApiKey.objects.select_for_update().filter(name=name, revoked_at__isnull=True))
        if not active:
            raise CommandError(f"no active Open311 key named “{name}”")
        now = timezone.now()
        for api_key in active:
            api_key.revoked_at = now
            api_key.save(update_fields=["revoked_at"])
            record(
                acting_user=None,
                action="feedback.open311_key.revoke",
                object_type="open311_key",
                object_id=api_key.pk,
                object_label=name,
                after={"name": name, "revoked_at": now},
            )
        self.stdout.write(f"revoked {len(active)} Open311 key(s) named “{name}”")
