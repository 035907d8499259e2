"""The evaluation engine alone: scorecards per second from in-memory inputs.

Reference: a bare Python loop over the same inputs that only sums the same product columns
(weights, done weights) per person, in the same process and run.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import date
from decimal import Decimal

from congvu.evaluation.engine import PeriodInput, Product, score_period
from congvu.evaluation.rulesets import Registry


def build_inputs(count: int, products: int = 10, seed: int = 1) -> list[PeriodInput]:
    rng = random.Random(seed)
    inputs = []
    for i in range(count):
        leader = i % 10 == 0
        inputs.append(
            PeriodInput(
                role="leader" if leader else "staff",
                general={g: Decimal(rng.randint(10, 20)) / 2 for g in ("I", "II", "III")},
                products=[
                    Product(
                        weight=Decimal(rng.randint(1, 40)) / 4,
                        done=rng.random() < 0.9,
                        errors=rng.choice((0, 0, 0, 1, 2)),
                        delays=rng.choice((0, 0, 0, 0, 1)),
                        excused=rng.random() < 0.05,
                    )
                    for _ in range(products)
                ],
                subordinate_levels=["HTT", "HT", "HTXS"] if leader else None,
                organising=Decimal(100) if leader else None,
                uniting=Decimal(100) if leader else None,
            )
        )
    return inputs


def measure(count: int = 10_000, repeat: int = 5) -> dict[str, float]:
    inputs = build_inputs(count)
    params = Registry.load().params_for(date(2026, 3, 31))
    engine_times, reference_times = [], []
    for _ in range(repeat):
        start = time.perf_counter()
        for inp in inputs:
            score_period(inp, params)
        engine_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        for inp in inputs:
            total = done = Decimal(0)
            for p in inp.products:
                total += p.weight
                if p.done:
                    done += p.weight
        reference_times.append(time.perf_counter() - start)
    engine, reference = statistics.median(engine_times), statistics.median(reference_times)
    return {"count": count, "engine_s": engine, "reference_s": reference, "per_second": count / engine}


if __name__ == "__main__":
    print(measure())
