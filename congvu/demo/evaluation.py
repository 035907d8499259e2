"""The demo's evaluation: the division head's sheet of the current period, self-assessed.

So that ``giamdoc`` finds a sheet waiting for review on the first visit, and ``truongphong``
sees the period's products taken from their tasks. Played through the services.
"""

from __future__ import annotations

from django.utils import timezone

from congvu.accounts.models import User
from congvu.evaluation import services
from congvu.evaluation.models import Sheet


def generate_evaluation() -> Sheet:
    head = User.objects.select_related("person").get(username="truongphong")
    assert head.person is not None
    period = services.period_for(timezone.localdate())
    sheet = services.open_sheet(acting_user=head, person=head.person, period=period)
    return services.self_assess(
        acting_user=head,
        sheet=sheet,
        general={"I": "9.5", "II": 9, "III": "8.5"},
        comment="Hoàn thành các nhiệm vụ được giao; một báo cáo phải gia hạn do chờ số liệu của các xã.",
    )
