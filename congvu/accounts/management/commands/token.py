"""``congvu token create USERNAME [--name NAME]`` prints a new API token; ``revoke`` withdraws one."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from congvu.accounts import services
from congvu.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Create or revoke API tokens (sent as 'Authorization: Bearer <token>')."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token for a user and print it")
        create.add_argument("username")
        create.add_argument("--name", default="")
        revoke = sub.add_parser("revoke", help="revoke a token by its first 8 characters")
        revoke.add_argument("hint")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "create":
            user = User.objects.filter(username=options["username"], is_active=True).first()
            if user is None:
                raise CommandError(f"no active user {options['username']!r}")
            self.stdout.write(services.create_token(acting_user=None, user=user, name=options["name"]))
            return
        tokens = list(ApiToken.objects.filter(hint=options["hint"], revoked_at__isnull=True).select_related("user"))
        if len(tokens) != 1:
            raise CommandError(f"{len(tokens)} active tokens match {options['hint']!r}; give exactly one")
        services.revoke_token(acting_user=None, token=tokens[0])
        self.stdout.write(f"revoked token {tokens[0].hint}… of {tokens[0].user.username}")
