"""Write services of accounts: API tokens."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from congvu.accounts.models import ApiToken, User, hash_token
from congvu.audit.chain import Actor, record


@transaction.atomic
def create_token(*, acting_user: Actor | None, user: User, name: str = "") -> str:
    """Create an API token for ``user`` and return the raw key (shown once, never stored)."""
    raw = ApiToken.generate_raw()
    token = ApiToken.objects.create(user=user, name=name[:100], digest=hash_token(raw), hint=raw[:8])
    record(
        acting_user=acting_user,
        action="accounts.token.create",
        object_type="user",
        object_id=user.pk,
        object_label=user.username,
        after={"token": token.pk, "hint": token.hint, "name": token.name},
    )
    return raw


@transaction.atomic
def revoke_token(*, acting_user: Actor | None, token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    record(
        acting_user=acting_user,
        action="accounts.token.revoke",
        object_type="user",
        object_id=token.user_id,
        object_label=token.user.username,
        after={"token": token.pk, "hint": token.hint},
    )
