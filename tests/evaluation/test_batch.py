"""Scoring many people's period at once: the same results as one by one, in a constant number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal as D

import pytest
from pytest_django import DjangoAssertNumQueries

from congvu.core.policy import Role
from congvu.evaluation import batch, services
from congvu.evaluation.errors import EvaluationError
from tests.evaluation.test_sheets import assessed, march_work
from tests.factories import Province, person
from tests.tasks.conftest import World, on

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(province: Province) -> World:
    return World(province)


def test_batch_matches_the_sheet_and_counts_queries(
    world: World, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    march_work(world)
    head = world.province.users[Role.TRUONGPHONG]
    sheet = services.review_sheet(acting_user=head, sheet=assessed(world), general={"I": 9, "II": 9, "III": 8})
    idle = person("Đỗ Văn Rảnh", world.province.division, sex="M")
    period = services.month_period(date(2026, 3, 1))
    with on(date(2026, 3, 31)), django_assert_num_queries(2):
        results = batch.score_period_of(period=period, person_ids=[world.owner.pk, idle.pk])
    mine = results[world.owner.pk]
    assert not isinstance(mine, EvaluationError)
    assert (mine.values["total"], mine.level) == (D("89.00"), "HTT")
    with on(date(2026, 3, 31)):
        assert services.preview(sheet).values["total"] == D("89.00")
    nothing = results[idle.pk]
    assert isinstance(nothing, EvaluationError) and nothing.code == "no_products"
