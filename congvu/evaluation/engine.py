"""The evaluation engine (Decree 335/2025 as the product reads it). Pure Python: no Django.

Inputs are decimals (never binary floats). Arithmetic is exact (rational numbers
built from those decimals), and every reported number is rounded half-up to the rule
set's number of decimals only at the end; the level comes from the rounded total.
Every number of a result comes with a trace line: the formula with its operands, the
rule parameter and legal citation that produced it, and the evidence it came from.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Context, Decimal, Inexact, localcontext
from fractions import Fraction
from typing import Literal

from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.rulesets import Params

Role = Literal["staff", "leader", "deputy"]
ROLES: tuple[Role, ...] = ("staff", "leader", "deputy")
LEVELS = ("HTXS", "HTT", "HT", "KHT")
LEVEL_NAMES = {
    "HTXS": "Hoàn thành xuất sắc nhiệm vụ",
    "HTT": "Hoàn thành tốt nhiệm vụ",
    "HT": "Hoàn thành nhiệm vụ",
    "KHT": "Không hoàn thành nhiệm vụ",
}
FACT_NAMES = {
    "disciplined": "bị kỷ luật từ khiển trách trở lên trong năm",
    "degradation": "có kết luận suy thoái về tư tưởng chính trị, đạo đức, lối sống",
    "corruption_in_unit": "cơ quan, đơn vị do mình phụ trách để xảy ra tham nhũng, lãng phí và đã bị xử lý",
}


@dataclass(frozen=True)
class Product:
    """An assigned product of the period, converted: ``weight`` is its converted weight (w > 0)."""

    weight: Decimal
    done: bool
    errors: int = 0
    delays: int = 0
    excused: bool = False  # an objective cause of its errors and delays was confirmed
    ref: str = ""  # the evidence it comes from (e.g. "task:123/product:2")


@dataclass(frozen=True)
class Facts:
    disciplined: bool = False
    degradation: bool = False
    corruption_in_unit: bool = False


@dataclass(frozen=True)
class PeriodInput:
    role: str
    general: Mapping[str, Decimal]
    products: Sequence[Product]
    subordinate_levels: Sequence[str] | None = None
    organising: Decimal | None = None
    uniting: Decimal | None = None
    facts: Facts = Facts()


@dataclass(frozen=True)
class TraceLine:
    """One number of a result and where it came from."""

    key: str
    label: str
    value: Decimal  # rounded as reported
    formula: str
    rule: str = ""  # the rule-set parameter(s) used
    citation: str = ""
    certainty: str = ""
    evidence: tuple[str, ...] = ()


@dataclass
class PeriodResult:
    values: dict[str, Decimal]  # a, b, c, (d, dd, e,) general, task_percent, task_points, total
    level: str
    forced: bool
    forced_reasons: list[str]
    ruleset: str
    trace: list[TraceLine] = field(default_factory=list)


@dataclass
class YearResult:
    average: Decimal
    level: str
    forced: bool
    forced_reasons: list[str]
    ruleset: str
    trace: list[TraceLine] = field(default_factory=list)


@dataclass
class QuotaResult:
    max_htxs: int
    excess: int
    share: Decimal
    ruleset: str
    trace: list[TraceLine] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return self.excess > 0


_EXACT = Context(prec=80, traps=[Inexact])


@contextmanager
def _too_precise() -> Iterator[None]:
    try:
        yield
    except Inexact:
        raise EvaluationError("invalid_input", "số liệu có quá nhiều chữ số để tính chính xác") from None


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact value half away from zero to ``places`` decimals."""
    scale = 10**places
    scaled = abs(value) * scale
    whole = int(scaled)  # floor, as scaled ≥ 0
    if scaled - whole >= Fraction(1, 2):
        whole += 1
    sign = -1 if value < 0 else 1
    return Decimal(sign * whole).scaleb(-places).quantize(Decimal(1).scaleb(-places))


def _exact(value: Decimal) -> Fraction:
    return Fraction(value)


def _show(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def _invalid(message: str) -> EvaluationError:
    return EvaluationError("invalid_input", message)


def _check_percent(name: str, value: Decimal | None) -> Decimal:
    if value is None:
        raise _invalid(f"thiếu {name} (bắt buộc với lãnh đạo, cấp phó)")
    if not value.is_finite() or value < 0 or value > 100:
        raise _invalid(f"{name} phải từ 0 đến 100 (đang là {value})")
    return value


def _validate(inp: PeriodInput, params: Params) -> None:
    if inp.role not in ROLES:
        raise _invalid(f"vai trò “{inp.role}” không hợp lệ; dùng staff, leader hoặc deputy")
    group_max = params.get("general.group_max").value
    groups = params.get("general.groups").value
    unknown = sorted(set(inp.general) - set(groups))
    if unknown:
        raise _invalid(f"nhóm tiêu chí chung không hợp lệ: {', '.join(unknown)}")
    for group in groups:
        points = inp.general.get(group)
        if points is None:
            raise _invalid(f"thiếu điểm nhóm tiêu chí chung {group}")
        if not points.is_finite() or points < 0 or points > group_max:
            raise _invalid(f"điểm nhóm {group} phải từ 0 đến {group_max} (đang là {points})")
    if not inp.products:
        raise EvaluationError("no_products", "không có sản phẩm nào được giao trong kỳ: không chấm được điểm kết quả")
    for number, product in enumerate(inp.products, start=1):
        if not product.weight.is_finite() or product.weight <= 0:
            raise _invalid(f"sản phẩm {number}: trọng số quy đổi phải lớn hơn 0 (đang là {product.weight})")
        if product.errors < 0 or product.delays < 0:
            raise _invalid(f"sản phẩm {number}: số lỗi và số lần chậm không được âm")
    if inp.role != "staff":
        if inp.subordinate_levels is None:
            raise _invalid("thiếu xếp loại của công chức thuộc quyền (subordinate_levels)")
        bad = [level for level in inp.subordinate_levels if level not in LEVELS]
        if bad:
            raise _invalid(f"mức xếp loại không hợp lệ: {', '.join(map(str, bad))}")
        _check_percent("đ (tổ chức thực hiện)", inp.organising)
        _check_percent("e (đoàn kết, tập hợp)", inp.uniting)


def classify(total: Decimal, params: Params) -> str:
    thresholds = params.get("levels.thresholds").value
    for level in ("HTXS", "HTT", "HT"):
        if total >= Decimal(str(thresholds[level])):
            return level
    return "KHT"


def _forcing(facts: Facts, role: str, params: Params) -> list[str]:
    """The facts that force KHT for this role (leaders-only facts apply to leaders and deputies)."""
    rules = params.get("levels.forcing_facts").value
    reasons = []
    for fact, scope in rules.items():
        if getattr(facts, fact, False) and (scope == "all" or (scope == "leaders" and role != "staff")):
            reasons.append(fact)
    return reasons


def score_period(inp: PeriodInput, params: Params) -> PeriodResult:
    """Score one person's period (a month or a quarter)."""
    _validate(inp, params)
    places = int(params.get("rounding.places").value)
    error_cut = Decimal(str(params.get("task.error_deduction").value))
    delay_cut = Decimal(str(params.get("task.delay_deduction").value))
    task_max = _exact(Decimal(str(params.get("task.points_max").value)))
    trace: list[TraceLine] = []
    exact: dict[str, Fraction] = {}

    def line(key: str, label: str, formula: str, rules: Sequence[str], evidence: Sequence[str] = ()) -> None:
        citations = [params.get(r) for r in rules]
        trace.append(
            TraceLine(
                key=key,
                label=label,
                value=round_half_up(exact[key], places),
                formula=formula,
                rule=", ".join(rules),
                citation="; ".join(dict.fromkeys(c.citation for c in citations if c.citation)),
                certainty=", ".join(dict.fromkeys(c.certainty for c in citations)),
                evidence=tuple(evidence),
            )
        )

    exact["general"] = sum((_exact(inp.general[g]) for g in params.get("general.groups").value), Fraction(0))
    line(
        "general",
        "Điểm tiêu chí chung",
        " + ".join(f"{g}: {_show(inp.general[g])}" for g in params.get("general.groups").value),
        ["general.groups", "general.group_max"],
    )

    done = [p for p in inp.products if p.done]
    # Sums and products of decimals are exact in a wide context (Inexact is trapped, never rounded).
    with localcontext(_EXACT), _too_precise():
        total_w = sum((p.weight for p in inp.products), Decimal(0))
        done_w = sum((p.weight for p in done), Decimal(0))
        quality = Decimal(0)
        timely = Decimal(0)
        for p in done:
            errors = 0 if p.excused else p.errors
            delays = 0 if p.excused else p.delays
            quality += p.weight * max(Decimal(0), 1 - error_cut * errors)
            timely += p.weight * max(Decimal(0), 1 - delay_cut * delays)
    refs = [p.ref for p in inp.products if p.ref]
    exact["a"] = min(Fraction(100), 100 * _exact(done_w) / _exact(total_w))
    line(
        "a",
        "a. Số lượng",
        f"100 × {_show(done_w.normalize())} / {_show(total_w.normalize())} (tối đa 100)",
        ["task.components"],
        refs,
    )
    exact["b"] = 100 * _exact(quality) / _exact(total_w)
    line(
        "b",
        "b. Chất lượng",
        f"100 × Σ w × max(0; 1 − {_show(error_cut.normalize())} × lỗi lớn) / {_show(total_w.normalize())}",
        ["task.error_deduction"],
        [p.ref for p in done if p.ref and (p.errors or p.excused)],
    )
    exact["c"] = 100 * _exact(timely) / _exact(total_w)
    line(
        "c",
        "c. Tiến độ",
        f"100 × Σ w × max(0; 1 − {_show(delay_cut.normalize())} × lần chậm) / {_show(total_w.normalize())}",
        ["task.delay_deduction"],
        [p.ref for p in done if p.ref and (p.delays or p.excused)],
    )
    if inp.role != "staff":
        levels = list(inp.subordinate_levels or [])
        any_kht = "KHT" in levels
        exact["d"] = _exact(Decimal(str(params.get("leader.d_any_kht" if any_kht else "leader.d_all_ht").value)))
        line(
            "d",
            "d. Kết quả của cơ quan, đơn vị được giao phụ trách",
            ("có công chức thuộc quyền xếp loại KHT" if any_kht else "mọi công chức thuộc quyền từ HT trở lên")
            + f" ({len(levels)} người)",
            ["leader.d_any_kht" if any_kht else "leader.d_all_ht"],
        )
        assert inp.organising is not None and inp.uniting is not None
        exact["dd"] = _exact(inp.organising)
        line("dd", "đ. Năng lực tổ chức thực hiện nhiệm vụ", f"{_show(inp.organising)}%", ["task.leader_components"])
        exact["e"] = _exact(inp.uniting)
        line("e", "e. Năng lực tập hợp, đoàn kết", f"{_show(inp.uniting)}%", ["task.leader_components"])
    components_rule = "task.leader_components" if inp.role != "staff" else "task.components"
    components = [str(c) for c in params.get(components_rule).value]
    exact["task_percent"] = sum((exact[k] for k in components), Fraction(0)) / len(components)
    line(
        "task_percent",
        "Tỷ lệ kết quả thực hiện nhiệm vụ (%)",
        f"({' + '.join(components).replace('dd', 'đ')}) / {len(components)}",
        [components_rule],
    )
    exact["task_points"] = task_max * exact["task_percent"] / 100
    line(
        "task_points",
        "Điểm kết quả thực hiện nhiệm vụ",
        f"{_show(Decimal(task_max.numerator) / task_max.denominator)} × tỷ lệ / 100",
        ["task.points_max"],
    )
    exact["total"] = exact["general"] + exact["task_points"]
    line("total", "Tổng điểm", "điểm tiêu chí chung + điểm kết quả thực hiện nhiệm vụ", ["task.points_max"])

    values = {key: round_half_up(value, places) for key, value in exact.items()}
    level = classify(values["total"], params)
    reasons = _forcing(inp.facts, inp.role, params)
    return PeriodResult(
        values=values,
        level="KHT" if reasons else level,
        forced=bool(reasons),
        forced_reasons=[FACT_NAMES[r] for r in reasons],
        ruleset=params.ruleset_id,
        trace=[*trace, _level_line(values["total"], level, reasons, params)],
    )


def _level_line(total: Decimal, level: str, reasons: Sequence[str], params: Params) -> TraceLine:
    if reasons:
        formula = "KHT bắt buộc vì: " + "; ".join(FACT_NAMES[r] for r in reasons)
        rules = ["levels.forcing_facts"]
    else:
        formula = f"{_show(total)} điểm → {level} ({LEVEL_NAMES[level]})"
        rules = ["levels.thresholds"]
    spec = params.get(rules[0])
    return TraceLine(
        key="level",
        label="Xếp loại",
        value=total,
        formula=formula,
        rule=rules[0],
        citation=spec.citation,
        certainty=spec.certainty,
    )


def score_year(totals: Sequence[Decimal], facts: Facts, params: Params, role: str = "staff") -> YearResult:
    """The year's result: the average of the period totals recorded, classified like a period."""
    if role not in ROLES:
        raise _invalid(f"vai trò “{role}” không hợp lệ")
    if not totals:
        raise _invalid("chưa có kết quả kỳ nào trong năm")
    for total in totals:
        if not total.is_finite() or total < 0 or total > 100:
            raise _invalid(f"điểm kỳ phải từ 0 đến 100 (đang là {total})")
    places = int(params.get("rounding.places").value)
    average = round_half_up(sum((_exact(t) for t in totals), Fraction(0)) / len(totals), places)
    level = classify(average, params)
    reasons = _forcing(facts, role, params)
    avg_line = TraceLine(
        key="average",
        label="Điểm bình quân năm",
        value=average,
        formula=f"({' + '.join(_show(t) for t in totals)}) / {len(totals)}",
        rule="period.aggregation",
        citation=params.get("period.aggregation").citation,
        certainty=params.get("period.aggregation").certainty,
    )
    return YearResult(
        average=average,
        level="KHT" if reasons else level,
        forced=bool(reasons),
        forced_reasons=[FACT_NAMES[r] for r in reasons],
        ruleset=params.ruleset_id,
        trace=[avg_line, _level_line(average, level, reasons, params)],
    )


def check_quota(counts: Mapping[str, int], params: Params, *, outstanding_unit: bool = False) -> QuotaResult:
    """At most floor(share × number rated HTT) may be rated HTXS in a unit and group."""
    unknown = sorted(set(counts) - set(LEVELS))
    if unknown:
        raise _invalid(f"mức xếp loại không hợp lệ: {', '.join(unknown)}")
    if any(n < 0 for n in counts.values()):
        raise _invalid("số người không được âm")
    key = "quota.htxs_share_outstanding" if outstanding_unit else "quota.htxs_share_of_htt"
    share = Decimal(str(params.get(key).value))
    htt = counts.get("HTT", 0)
    maximum = int(_exact(share) * htt)  # floor, as both are ≥ 0
    excess = max(0, counts.get("HTXS", 0) - maximum)
    spec = params.get(key)
    return QuotaResult(
        max_htxs=maximum,
        excess=excess,
        share=share,
        ruleset=params.ruleset_id,
        trace=[
            TraceLine(
                key="max_htxs",
                label="Số HTXS tối đa",
                value=Decimal(maximum),
                formula=f"⌊{_show(share * 100)}% × {htt} người HTT⌋ = {maximum}; đang đề nghị {counts.get('HTXS', 0)}",
                rule=key,
                citation=spec.citation,
                certainty=spec.certainty,
            )
        ],
    )
