"""The few tables of the core: the counters of the per-address rate limits (``congvu.core.clients``)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    """Requests of one client address in one fixed window of one limit (the public pages' rate limits).

    ``name`` is a hash of the limit, the address and the window: no address is stored. A row is useless
    once its window has ended and is deleted some time after.
    """

    name = models.CharField(max_length=32, primary_key=True)
    ends = models.BigIntegerField(db_index=True)  # end of the window, Unix seconds
    count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.count}"
