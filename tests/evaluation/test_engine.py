"""The evaluation engine, its rule data and the scenario command."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import fields, replace
from datetime import date
from decimal import Decimal
from decimal import Decimal as D
from fractions import Fraction
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from hypothesis import given, settings
from hypothesis import strategies as st

from congvu.evaluation.engine import (
    Facts,
    PeriodInput,
    PeriodResult,
    Product,
    ProductTotals,
    TraceLine,
    _trace_line,
    check_quota,
    product_totals,
    round_half_up,
    score_period,
    score_year,
)
from congvu.evaluation.errors import EvaluationError, RuleDataError
from congvu.evaluation.rulesets import Params, Registry, parse_ruleset, shipped_rulesets

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "congvu" / "evaluation" / "scenarios"
REGISTRY = Registry.load()
PARAMS = REGISTRY.params_for(date(2026, 3, 31))
GENERAL = {"I": D("9"), "II": D("9.5"), "III": D("8")}


NO_FACTS = Facts()


def staff(*products: Product, facts: Facts = NO_FACTS) -> PeriodInput:
    return PeriodInput(role="staff", general=GENERAL, products=products, facts=facts)


def test_the_issue_example_with_its_trace() -> None:
    inp = PeriodInput(
        role="leader",
        general=GENERAL,
        products=[
            Product(D(2), True, 0, 1, ref="task:1"),
            Product(D(1), False, ref="task:2"),
            Product(D("1.5"), True, 2, 0, True, ref="task:3"),
        ],
        subordinate_levels=["HTT", "HT", "HTXS"],
        organising=D(100),
        uniting=D(100),
    )
    result = score_period(inp, PARAMS)
    assert {k: str(v) for k, v in result.values.items()} == {
        "general": "26.50",
        "a": "77.78",
        "b": "77.78",
        "c": "66.67",
        "d": "100.00",
        "dd": "100.00",
        "e": "100.00",
        "task_percent": "87.04",
        "task_points": "60.93",
        "total": "87.43",
    }
    assert (result.level, result.forced, result.ruleset) == ("HTT", False, "vn-nd-335-2025")
    by_key = {line.key: line for line in result.trace}
    assert by_key["a"].formula == "100 × 3,5 / 4,5 (tối đa 100)"
    assert by_key["a"].evidence == ("task:1", "task:2", "task:3")
    assert by_key["c"].evidence == ("task:1", "task:3")
    assert by_key["c"].citation == "Nghị định 335/2025/NĐ-CP, Điều 13–16"
    assert by_key["task_percent"].certainty == "repo-only"  # shown as unverified on screen
    assert by_key["level"].formula == "87,43 điểm → HTT (Hoàn thành tốt nhiệm vụ)"


def test_rounding_happens_once_at_the_end_and_half_up() -> None:
    assert round_half_up(Fraction(89995, 1000), 2) == D("90.00")
    assert round_half_up(Fraction(899949, 10000), 2) == D("89.99")
    assert round_half_up(Fraction(-1, 200), 2) == D("-0.01")
    # general 26.5 + 70 × (a+b+c)/300 with a = b = c = 100 × 57/60 = 95 → 66.5 + 26.5 = 93.00
    exact = score_period(staff(Product(D(57), True), Product(D(3), False)), PARAMS)
    assert exact.values["total"] == D("93.00")


def test_total_exactly_on_a_boundary_after_rounding() -> None:
    # a = b = c = 100 × 2/3: task points = 46.666…, general 23.33 + 46.666… = 69.9966… → 70.00 → HTT
    inp = PeriodInput(
        role="staff",
        general={"I": D("8"), "II": D("8"), "III": D("7.33")},
        products=[Product(D(2), True), Product(D(1), False)],
    )
    result = score_period(inp, PARAMS)
    assert (result.values["total"], result.level) == (D("70.00"), "HTT")


def test_deductions_stop_at_zero_and_excused_products_are_not_deducted() -> None:
    result = score_period(
        staff(Product(D(1), True, errors=5, delays=9), Product(D(1), True, errors=1, excused=True)), PARAMS
    )
    assert (result.values["a"], result.values["b"], result.values["c"]) == (D("100.00"), D("50.00"), D("50.00"))


def test_leader_d_is_50_with_a_kht_subordinate_and_100_without_subordinates() -> None:
    def deputy(levels: list[str]) -> PeriodInput:
        return PeriodInput(
            role="deputy",
            general=GENERAL,
            products=[Product(D(1), True)],
            subordinate_levels=levels,
            organising=D(80),
            uniting=D(50),
        )

    assert score_period(deputy(["HTT", "KHT"]), PARAMS).values["d"] == D("50.00")
    alone = score_period(deputy([]), PARAMS)
    assert (alone.values["d"], alone.values["task_percent"]) == (D("100.00"), D("88.33"))


def test_forcing_facts() -> None:
    good = [Product(D(1), True)]
    disciplined = score_period(staff(*good, facts=Facts(disciplined=True)), PARAMS)
    assert (disciplined.values["total"], disciplined.level, disciplined.forced) == (D("96.50"), "KHT", True)
    assert disciplined.forced_reasons == ["bị kỷ luật từ khiển trách trở lên trong năm"]
    assert score_period(staff(*good, facts=Facts(corruption_in_unit=True)), PARAMS).level == "HTXS"
    leader = PeriodInput(
        role="leader",
        general=GENERAL,
        products=good,
        subordinate_levels=[],
        organising=D(100),
        uniting=D(100),
        facts=Facts(corruption_in_unit=True),
    )
    assert score_period(leader, PARAMS).level == "KHT"


@pytest.mark.parametrize(
    ("inp", "code"),
    [
        (staff(), "no_products"),
        (
            PeriodInput(role="staff", general={"I": D(11), "II": D(1), "III": D(1)}, products=[Product(D(1), True)]),
            "invalid_input",
        ),
        (PeriodInput(role="staff", general={"I": D(1), "II": D(1)}, products=[Product(D(1), True)]), "invalid_input"),
        (staff(Product(D(0), True)), "invalid_input"),
        (staff(Product(D(-1), True)), "invalid_input"),
        (staff(Product(D(1), True, errors=-1)), "invalid_input"),
        (PeriodInput(role="boss", general=GENERAL, products=[Product(D(1), True)]), "invalid_input"),
        (
            PeriodInput(
                role="leader",
                general=GENERAL,
                products=[Product(D(1), True)],
                subordinate_levels=["XYZ"],
                organising=D(1),
                uniting=D(1),
            ),
            "invalid_input",
        ),
        (
            PeriodInput(
                role="leader",
                general=GENERAL,
                products=[Product(D(1), True)],
                subordinate_levels=[],
                organising=D(101),
                uniting=D(1),
            ),
            "invalid_input",
        ),
        (
            PeriodInput(role="leader", general=GENERAL, products=[Product(D(1), True)], subordinate_levels=[]),
            "invalid_input",
        ),
    ],
)
def test_bad_inputs_are_refused_with_their_code(inp: PeriodInput, code: str) -> None:
    with pytest.raises(EvaluationError) as info:
        score_period(inp, PARAMS)
    assert info.value.code == code


def test_year_and_quota() -> None:
    year = score_year([D("85.5"), D("90"), D("91.25")], Facts(), PARAMS)
    assert (year.average, year.level) == (D("88.92"), "HTT")
    assert score_year([D("90"), D("89.99")], Facts(), PARAMS).average == D("90.00")  # 89.995 half-up
    assert score_year([D("95")], Facts(disciplined=True), PARAMS).level == "KHT"
    quota = check_quota({"HTXS": 3, "HTT": 10, "HT": 4, "KHT": 0}, PARAMS)
    assert (quota.max_htxs, quota.excess, quota.blocked) == (2, 1, True)
    assert check_quota({"HTXS": 1, "HTT": 4}, PARAMS).max_htxs == 0
    assert check_quota({"HTXS": 3, "HTT": 12}, PARAMS, outstanding_unit=True).max_htxs == 3


def test_no_ruleset_before_2026() -> None:
    with pytest.raises(EvaluationError) as info:
        REGISTRY.params_for(date(2025, 12, 31))
    assert info.value.code == "no_ruleset"


def test_every_shipped_value_has_a_citation_and_a_certainty() -> None:
    (national,) = shipped_rulesets()
    assert national.id == "vn-nd-335-2025" and national.valid_from == date(2026, 1, 1)
    for name, entries in national.parameters.items():
        for entry in entries:
            assert entry.citation.strip(), name
            assert entry.certainty in {"verified", "repo-only", "inferred", "unverified"}, name


def test_a_provincial_overlay_changes_a_value_from_its_date(tmp_path: Path) -> None:
    (tmp_path / "an-hoa.yaml").write_text(
        """id: an-hoa-2026
extends: vn-nd-335-2025
title: Tỉnh An Hòa
parameters:
  period.aggregation:
    values:
      - {from: 2026-07-01, value: quarterly, citation: "Quyết định 12/2026/QĐ-UBND tỉnh An Hòa", certainty: verified}
""",
        encoding="utf-8",
    )
    registry = Registry.load([tmp_path])
    assert registry.params_for(date(2026, 6, 30), "an-hoa-2026").get("period.aggregation").value == "monthly"
    july = registry.params_for(date(2026, 7, 1), "an-hoa-2026").get("period.aggregation")
    assert (july.value, july.ruleset, july.citation) == (
        "quarterly",
        "an-hoa-2026",
        "Quyết định 12/2026/QĐ-UBND tỉnh An Hòa",
    )
    assert registry.params_for(date(2026, 7, 1)).get("period.aggregation").value == "monthly"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("id: x\nparameters: {}\n", "a national rule set needs in_force.from"),
        (
            "id: x\nin_force: {from: 2026-01-01}\nparameters: {task.points_max: {values: [{from: 2026-01-01, value: 1, certainty: verified}]}}\n",
            "every value needs its legal citation",
        ),
        (
            "id: x\nin_force: {from: 2026-01-01}\nparameters: {task.points_max: {values: [{from: 2026-01-01, value: 1, citation: c, certainty: maybe}]}}\n",
            "certainty must be one of",
        ),
        ("id: [x\n", "not valid YAML"),
        (
            "id: x\nextends: y\nparameters: {p.q: {values: [{from: 2026-01-01, value: 1, citation: c, certainty: verified}]}}\n",
            "unknown parameter",
        ),
        (
            "id: x\nextends: y\nparameters: {task.error_deduction: {values: [{from: 2026-01-01, value: 25%, citation: c, certainty: verified}]}}\n",
            "is not a number from 0 to 1",
        ),
        (
            "id: x\nextends: y\nparameters: {task.components: {values: [{from: 2026-01-01, value: [a, d], citation: c, certainty: verified}]}}\n",
            "is not a non-empty list among a, b, c",
        ),
    ],
)
def test_bad_rule_data_is_named(text: str, message: str) -> None:
    with pytest.raises(RuleDataError, match=message):
        parse_ruleset(text, "test.yaml")


def test_decimals_never_pass_through_binary_floats() -> None:
    ruleset = parse_ruleset(
        "id: x\nin_force: {from: 2026-01-01}\nparameters: {task.error_deduction: {values: [{from: 2026-01-01, value: 0.1, citation: c, certainty: verified}]}}\n",
        "t.yaml",
    )
    assert ruleset.parameters["task.error_deduction"][0].value == D("0.1")


def test_the_engine_imports_no_django() -> None:
    code = "import sys, congvu.evaluation.runner; print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "False"


def test_shipped_suite_passes(capsys: pytest.CaptureFixture[str]) -> None:
    call_command("rules", "test", str(SUITE))
    last = capsys.readouterr().out.strip().splitlines()[-1]
    match = re.fullmatch(r"(\d+) passed, 0 failed \((\d+) scenarios\)", last)
    assert match is not None and match[1] == match[2], last
    assert int(match[1]) == len(list(_suite_items()))


def test_command_reports_each_failure_and_exits_non_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    file = tmp_path / "s.yaml"
    file.write_text(
        """cases:
  - name: "sai tổng"
    date: 2026-03-31
    role: staff
    general: {I: 9, II: 9.5, III: 8}
    products: [{weight: 1, done: true}]
    expect: {total: 96, level: HTXS}
  - name: "đúng"
    date: 2026-03-31
    role: staff
    general: {I: 9, II: 9.5, III: 8}
    products: [{weight: 1, done: true}]
    expect: {total: 96.5}
  - name: "trước 2026"
    date: 2025-12-31
    role: staff
    general: {I: 9, II: 9.5, III: 8}
    products: [{weight: 1, done: true}]
    expect: {error: no_ruleset}
""",
        encoding="utf-8",
    )
    with pytest.raises(CommandError, match="1 of 3 scenarios failed"):
        call_command("rules", "test", str(file))
    assert capsys.readouterr().out.splitlines() == [
        f"✗ {file} › cases › sai tổng",
        "    total: expected 96, got 96.50",
        "2 passed, 1 failed (3 scenarios)",
    ]
    with pytest.raises(CommandError):
        call_command("rules", "test", str(file), "--format", "json")
    report = json.loads(capsys.readouterr().out)
    assert (report["total"], report["passed"], report["failed"]) == (3, 2, 1)
    assert report["results"][0]["mismatches"] == [{"key": "total", "expected": 96, "actual": "96.50"}]


def test_broken_scenario_files_are_failures_not_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "a.yaml").write_text("cases: [\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("hello: 1\n", encoding="utf-8")
    with pytest.raises(CommandError, match="3 of 3 scenarios failed"):
        call_command(
            "rules", "test", str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml"), str(tmp_path / "missing.yaml")
        )
    out = capsys.readouterr().out
    assert "tệp không phải YAML hợp lệ" in out and "mục không hợp lệ: hello" in out and "không đọc được tệp" in out


def test_cli_from_a_shell() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "congvu", "rules", "test", str(SUITE)], capture_output=True, text=True, cwd=ROOT
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_absurdly_precise_weights_are_refused_not_crashed() -> None:
    tiny = D("1e-79")
    with pytest.raises(EvaluationError) as info:
        score_period(staff(Product(D("1e80"), True), Product(tiny, True)), PARAMS)
    assert info.value.code == "invalid_input"


def test_an_overlay_can_change_the_components(tmp_path: Path) -> None:
    (tmp_path / "o.yaml").write_text(
        "id: o\nextends: vn-nd-335-2025\nparameters:\n  task.components:\n    values:\n"
        "      - {from: 2026-01-01, value: [a, b], citation: Quyết định X, certainty: verified}\n",
        encoding="utf-8",
    )
    params = Registry.load([tmp_path]).params_for(date(2026, 3, 31), "o")
    result = score_period(staff(Product(D(1), True, delays=4)), params)
    assert (result.values["c"], result.values["task_percent"]) == (D("0.00"), D("100.00"))


def test_odd_scenario_values_are_failures_not_crashes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "odd.yaml").write_text(
        """cases:
  - {name: giờ, date: 2026-03-31 10:00:00, role: staff, general: {I: 1, II: 1, III: 1}, products: [{weight: 1, done: true}], expect: {error: invalid_input}}
  - {name: bộ quy tắc, date: 2026-03-31, ruleset: [a], role: staff, general: {I: 1, II: 1, III: 1}, products: [{weight: 1, done: true}], expect: {error: invalid_input}}
  - {name: lỗi lớn, date: 2026-03-31, role: staff, general: {I: 1, II: 1, III: 1}, products: [{weight: 1, done: true, errors: 1.0e+99999999}], expect: {error: invalid_input}}
years:
  - {name: năm 0, year: 0, totals: [90], expect: {error: invalid_input}}
""",
        encoding="utf-8",
    )
    call_command("rules", "test", str(tmp_path / "odd.yaml"))
    assert capsys.readouterr().out.strip() == "4 passed, 0 failed (4 scenarios)"


def _suite_items() -> list[object]:
    """Every scenario of the shipped suite, counted from the files themselves."""
    from congvu.evaluation.rulesets import load_yaml

    items: list[object] = []
    for path in sorted(SUITE.glob("*.yaml")):
        data = load_yaml(path.read_text(encoding="utf-8"))
        items.extend(item for section in ("cases", "years", "quota") for item in data.get(section) or [])
    return items


# ---- scoring from the products' sums (``totals``): the batch's path, the same results


def _with_deductions(error: str, delay: str) -> Params:
    values = {p.name: p for p in PARAMS.all()}
    values["task.error_deduction"] = replace(values["task.error_deduction"], value=D(error))
    values["task.delay_deduction"] = replace(values["task.delay_deduction"], value=D(delay))
    return Params(PARAMS.ruleset_id, PARAMS.day, values)


def _without_evidence(result: PeriodResult) -> PeriodResult:
    return replace(result, trace=[replace(line, evidence=()) for line in result.trace])


def test_totals_are_the_sums_the_products_are_scored_by() -> None:
    products = [
        Product(D("3.00"), True, ref="r1"),
        Product(D("4.50"), True, 0, 1, ref="r2"),
        Product(D("1.50"), True, 2, 0, ref="r3"),
        Product(D("2.25"), False, 9, 9, ref="r4"),  # not done: its errors and delays do not count
        Product(D("1.50"), True, 0, 1, True, ref="r5"),  # excused
        Product(D("0.01"), True, 5, 7),  # beyond the cuts: 0
    ]
    totals = product_totals(products, PARAMS)
    # done 3 + 4,5 + 1,5 + 1,5 + 0,01; quality 3 + 4,5 + 1,5 × 0,5 + 1,5 + 0; timeliness 3 + 4,5 × 0,75 + 1,5 + 1,5 + 0
    assert totals == ProductTotals(
        count=6, total_weight=D("12.76"), done_weight=D("10.51"), quality=D("9.75"), timely=D("9.375")
    )
    by_products = score_period(staff(*products), PARAMS)
    by_totals = score_period(PeriodInput(role="staff", general=GENERAL, totals=totals), PARAMS)
    assert {k: str(v) for k, v in by_totals.values.items()} == {
        "general": "26.50",
        "a": "82.37",
        "b": "76.41",
        "c": "73.47",
        "task_percent": "77.42",
        "task_points": "54.19",
        "total": "80.69",
    }
    assert by_totals == _without_evidence(by_products)
    assert [line.evidence for line in by_products.trace if line.evidence] == [
        ("r1", "r2", "r3", "r4", "r5"),
        ("r3", "r5"),
        ("r2", "r5"),
    ]
    assert all(line.evidence == () for line in by_totals.trace)


@pytest.mark.parametrize(
    ("totals", "code"),
    [
        (ProductTotals(0, D(0), D(0), D(0), D(0)), "no_products"),
        (ProductTotals(1, D(0), D(0), D(0), D(0)), "invalid_input"),
        (ProductTotals(1, D(1), D(-1), D(0), D(0)), "invalid_input"),
        (ProductTotals(1, D(1), D(1), D("NaN"), D(0)), "invalid_input"),
        (ProductTotals(-1, D(1), D(1), D(1), D(1)), "invalid_input"),
    ],
)
def test_bad_totals_are_refused_like_bad_products(totals: ProductTotals, code: str) -> None:
    with pytest.raises(EvaluationError) as info:
        score_period(PeriodInput(role="staff", general=GENERAL, totals=totals), PARAMS)
    assert info.value.code == code


def test_products_and_totals_together_are_refused() -> None:
    one = Product(D(1), True)
    with pytest.raises(EvaluationError) as info:
        score_period(
            PeriodInput(role="staff", general=GENERAL, products=[one], totals=product_totals([one], PARAMS)), PARAMS
        )
    assert info.value.code == "invalid_input"


def test_a_trace_line_built_fast_is_a_trace_line() -> None:
    fast = _trace_line("a", "a. Số lượng", D("1.00"), "f", "task.components", "c", "verified", ("t",))
    assert fast == TraceLine("a", "a. Số lượng", D("1.00"), "f", "task.components", "c", "verified", ("t",))
    assert repr(fast) == repr(TraceLine("a", "a. Số lượng", D("1.00"), "f", "task.components", "c", "verified", ("t",)))
    assert hash(fast) == hash(TraceLine("a", "a. Số lượng", D("1.00"), "f", "task.components", "c", "verified", ("t",)))
    assert [f.name for f in fields(TraceLine)] == list(vars(fast))


def _reference_round(value: Fraction, places: int) -> Decimal:
    """The engine's rounding as first written (before it was made faster)."""
    scaled = abs(value) * 10**places
    whole = int(scaled)
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


@settings(max_examples=500, deadline=None)
@given(
    numerator=st.integers(min_value=-(10**12), max_value=10**12),
    denominator=st.integers(min_value=1, max_value=10**6),
    places=st.integers(min_value=0, max_value=6),
)
def test_rounding_is_the_same_as_first_written(numerator: int, denominator: int, places: int) -> None:
    ours, reference = (
        round_half_up(Fraction(numerator, denominator), places),
        _reference_round(Fraction(numerator, denominator), places),
    )
    assert (ours, ours.as_tuple()) == (reference, reference.as_tuple())


_weights = st.builds(
    lambda cents, places: D(cents).scaleb(-places),
    st.integers(min_value=1, max_value=10**6),
    st.sampled_from([0, 1, 2, 2, 2, 4]),
)
_products = st.lists(
    st.builds(
        Product,
        weight=_weights,
        done=st.booleans(),
        errors=st.integers(min_value=0, max_value=6),
        delays=st.integers(min_value=0, max_value=6),
        excused=st.booleans(),
        ref=st.sampled_from(["", "task:1/product:1", "task:2/product:5"]),
    ),
    min_size=1,
    max_size=12,
)
_points = st.builds(lambda quarters: D(quarters) / 4, st.integers(min_value=0, max_value=40))


@settings(max_examples=300, deadline=None)
@given(
    products=_products,
    general=st.tuples(_points, _points, _points),
    role=st.sampled_from(["staff", "leader", "deputy"]),
    levels=st.lists(st.sampled_from(["HTXS", "HTT", "HT", "KHT"]), max_size=3),
    percents=st.tuples(st.integers(min_value=0, max_value=10000), st.integers(min_value=0, max_value=100)),
    facts=st.builds(Facts, st.booleans(), st.booleans(), st.booleans()),
    deductions=st.sampled_from([("0.25", "0.25"), ("0.3", "0.125"), ("0", "1"), ("0.05", "0.5")]),
)
def test_scoring_the_sums_is_scoring_the_products(
    products: list[Product],
    general: tuple[D, D, D],
    role: str,
    levels: list[str],
    percents: tuple[int, int],
    facts: Facts,
    deductions: tuple[str, str],
) -> None:
    params = _with_deductions(*deductions)
    leader = role != "staff"
    common = {
        "role": role,
        "general": dict(zip(("I", "II", "III"), general, strict=True)),
        "subordinate_levels": levels if leader else None,
        "organising": D(percents[0]) / 100 if leader else None,
        "uniting": D(percents[1]) if leader else None,
        "facts": facts,
    }
    by_products = score_period(PeriodInput(products=products, **common), params)  # type: ignore[arg-type]
    totals = product_totals(products, params)
    by_totals = score_period(PeriodInput(totals=totals, **common), params)  # type: ignore[arg-type]
    assert by_totals == _without_evidence(by_products)
    assert [(v, v.as_tuple()) for v in by_totals.values.values()] == [
        (v, v.as_tuple()) for v in by_products.values.values()
    ]
