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
from functools import cached_property
from typing import Literal
from weakref import WeakKeyDictionary

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
class ProductTotals:
    """A period's products summed as the engine counts them (``product_totals``), for scoring from sums.

    Exact decimals. ``quality`` and ``timely`` depend on the deductions in force
    (``deductions(params)``): they must come from the same parameters the period is scored with.
    """

    count: int  # number of products
    total_weight: Decimal  # Σ w
    done_weight: Decimal  # Σ w of the done products
    quality: Decimal  # Σ w × max(0, 1 − error deduction × errors) over the done products (0 errors when excused)
    timely: Decimal  # Σ w × max(0, 1 − delay deduction × delays) over the done products (0 delays when excused)


@dataclass(frozen=True)
class Facts:
    disciplined: bool = False
    degradation: bool = False
    corruption_in_unit: bool = False


@dataclass(frozen=True)
class PeriodInput:
    role: str
    general: Mapping[str, Decimal]
    products: Sequence[Product] = ()
    subordinate_levels: Sequence[str] | None = None
    organising: Decimal | None = None
    uniting: Decimal | None = None
    facts: Facts = Facts()
    # Instead of ``products``: their sums (the trace then names no evidence). Give one or the other.
    totals: ProductTotals | None = None


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


_ROUNDED: dict[tuple[int, int], Decimal] = {}  # (whole, places) → the decimal, for values from 0 to 100


def _rounded(numerator: int, denominator: int, places: int) -> Decimal:
    """``numerator / denominator`` (denominator > 0) rounded half away from zero to ``places`` decimals."""
    whole, rest = divmod(abs(numerator) * 10**places, denominator)
    if 2 * rest >= denominator:
        whole += 1
    if numerator < 0 and whole:
        whole = -whole
    key = (whole, places)
    found = _ROUNDED.get(key)
    if found is None:
        # Built from its digits: exact whatever the decimal context, with exactly ``places`` decimals.
        found = Decimal(f"{whole}E-{places}")
        if 0 <= whole <= 100 * 10**places:  # a bounded cache: the scores and percentages are from 0 to 100
            _ROUNDED[key] = found
    return found


def round_half_up(value: Fraction, places: int) -> Decimal:
    """Round an exact value half away from zero to ``places`` decimals."""
    return _rounded(value.numerator, value.denominator, places)


def _exact(value: Decimal) -> Fraction:
    return Fraction(value)


def _show(value: Decimal) -> str:
    return format(value, "f").replace(".", ",")


def _invalid(message: str) -> EvaluationError:
    return EvaluationError("invalid_input", message)


def _no_products() -> EvaluationError:
    return EvaluationError("no_products", "không có sản phẩm nào được giao trong kỳ: không chấm được điểm kết quả")


class _Rules:
    """What scoring reads from one ``Params``, each value resolved on its first use and then kept.

    A period's people are scored with the same parameters: looking them up, converting them and
    formatting their part of the formulas once (``_rules``) instead of once a person is most of the
    engine's speed. A parameter missing from the rule set still fails where it is first used.
    """

    def __init__(self, params: Params) -> None:
        self.params = params
        self._meta: dict[tuple[str, ...], tuple[str, str, str]] = {}
        self._d: dict[bool, tuple[int, int]] = {}

    def meta(self, rules: tuple[str, ...]) -> tuple[str, str, str]:
        """A trace line's rule names, citations and certainties."""
        found = self._meta.get(rules)
        if found is None:
            cited = [self.params.get(r) for r in rules]
            found = (
                ", ".join(rules),
                "; ".join(dict.fromkeys(c.citation for c in cited if c.citation)),
                ", ".join(dict.fromkeys(c.certainty for c in cited)),
            )
            self._meta[rules] = found
        return found

    @cached_property
    def group_max(self) -> Decimal | int:
        value: Decimal | int = self.params.get("general.group_max").value
        return value

    @cached_property
    def groups(self) -> tuple[str, ...]:
        return tuple(self.params.get("general.groups").value)

    @cached_property
    def group_set(self) -> frozenset[str]:
        return frozenset(self.groups)

    @cached_property
    def places(self) -> int:
        return int(self.params.get("rounding.places").value)

    @cached_property
    def error_cut(self) -> Decimal:
        return Decimal(str(self.params.get("task.error_deduction").value))

    @cached_property
    def delay_cut(self) -> Decimal:
        return Decimal(str(self.params.get("task.delay_deduction").value))

    @cached_property
    def task_max(self) -> tuple[int, int, str]:
        """The task points' maximum as a ratio, and as shown."""
        value = _exact(Decimal(str(self.params.get("task.points_max").value)))
        return value.numerator, value.denominator, _show(Decimal(value.numerator) / value.denominator)

    @cached_property
    def quality_formula(self) -> str:
        return f"100 × Σ w × max(0; 1 − {_show(self.error_cut.normalize())} × lỗi lớn) / "

    @cached_property
    def timely_formula(self) -> str:
        return f"100 × Σ w × max(0; 1 − {_show(self.delay_cut.normalize())} × lần chậm) / "

    def d(self, any_kht: bool) -> tuple[int, int]:
        found = self._d.get(any_kht)
        if found is None:
            value = _exact(Decimal(str(self.params.get("leader.d_any_kht" if any_kht else "leader.d_all_ht").value)))
            found = self._d[any_kht] = (value.numerator, value.denominator)
        return found

    @cached_property
    def staff_components(self) -> tuple[tuple[str, ...], str, tuple[str]]:
        return self._components("task.components")

    @cached_property
    def leader_components(self) -> tuple[tuple[str, ...], str, tuple[str]]:
        return self._components("task.leader_components")

    def _components(self, rule: str) -> tuple[tuple[str, ...], str, tuple[str]]:
        """The components' keys, the task percent's formula and its rule."""
        components = tuple(str(c) for c in self.params.get(rule).value)
        return components, f"({' + '.join(components).replace('dd', 'đ')}) / {len(components)}", (rule,)

    @cached_property
    def thresholds(self) -> tuple[tuple[str, Decimal], ...]:
        thresholds = self.params.get("levels.thresholds").value
        return tuple((level, Decimal(str(thresholds[level]))) for level in ("HTXS", "HTT", "HT"))

    @cached_property
    def forcing(self) -> tuple[tuple[str, str], ...]:
        return tuple(self.params.get("levels.forcing_facts").value.items())


_RULES: WeakKeyDictionary[Params, _Rules] = WeakKeyDictionary()


def _rules(params: Params) -> _Rules:
    found = _RULES.get(params)
    if found is None:
        found = _RULES[params] = _Rules(params)
    return found


def _check_percent(name: str, value: Decimal | None) -> Decimal:
    if value is None:
        raise _invalid(f"thiếu {name} (bắt buộc với lãnh đạo, cấp phó)")
    if not value.is_finite() or value < 0 or value > 100:
        raise _invalid(f"{name} phải từ 0 đến 100 (đang là {value})")
    return value


def _validate(inp: PeriodInput, rules: _Rules) -> None:
    if inp.role not in ROLES:
        raise _invalid(f"vai trò “{inp.role}” không hợp lệ; dùng staff, leader hoặc deputy")
    group_max = rules.group_max
    groups = rules.groups
    if not rules.group_set.issuperset(inp.general):
        unknown = sorted(set(inp.general) - rules.group_set)
        raise _invalid(f"nhóm tiêu chí chung không hợp lệ: {', '.join(unknown)}")
    for group in groups:
        points = inp.general.get(group)
        if points is None:
            raise _invalid(f"thiếu điểm nhóm tiêu chí chung {group}")
        if not points.is_finite() or points < 0 or points > group_max:
            raise _invalid(f"điểm nhóm {group} phải từ 0 đến {group_max} (đang là {points})")
    totals = inp.totals
    if totals is not None:
        if inp.products:
            raise _invalid("cho các sản phẩm hoặc tổng của chúng, không cho cả hai")
        if totals.count == 0:
            raise _no_products()
        sums = (totals.total_weight, totals.done_weight, totals.quality, totals.timely)
        if totals.count < 0 or not all(s.is_finite() and s >= 0 for s in sums):
            raise _invalid(f"tổng của các sản phẩm không hợp lệ: {totals}")
        if totals.total_weight <= 0:
            raise _invalid(f"tổng trọng số quy đổi phải lớn hơn 0 (đang là {totals.total_weight})")
    elif not inp.products:
        raise _no_products()
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
    for level, threshold in _rules(params).thresholds:
        if total >= threshold:
            return level
    return "KHT"


def _forcing(facts: Facts, role: str, params: Params) -> list[str]:
    """The facts that force KHT for this role (leaders-only facts apply to leaders and deputies)."""
    reasons = []
    for fact, scope in _rules(params).forcing:
        if getattr(facts, fact, False) and (scope == "all" or (scope == "leaders" and role != "staff")):
            reasons.append(fact)
    return reasons


def deductions(params: Params) -> tuple[Decimal, Decimal]:
    """The deductions in force, per major error and per delay, as the engine reads them (exact decimals)."""
    rules = _rules(params)
    return rules.error_cut, rules.delay_cut


def product_totals(products: Sequence[Product], params: Params) -> ProductTotals:
    """The sums ``score_period`` scores ``products`` by (exact; ``invalid_input`` when too precise for that)."""
    error_cut, delay_cut = deductions(params)
    # Sums and products of decimals are exact in a wide context (Inexact is trapped, never rounded).
    with localcontext(_EXACT), _too_precise():
        total_w = sum((p.weight for p in products), Decimal(0))
        done_w = Decimal(0)
        quality = Decimal(0)
        timely = Decimal(0)
        for p in products:
            if not p.done:
                continue
            done_w += p.weight
            errors = 0 if p.excused else p.errors
            delays = 0 if p.excused else p.delays
            quality += p.weight * max(Decimal(0), 1 - error_cut * errors)
            timely += p.weight * max(Decimal(0), 1 - delay_cut * delays)
    return ProductTotals(count=len(products), total_weight=total_w, done_weight=done_w, quality=quality, timely=timely)


def score_period(inp: PeriodInput, params: Params) -> PeriodResult:
    """Score one person's period (a month or a quarter), from its products or from their sums (``totals``)."""
    rules = _rules(params)
    _validate(inp, rules)
    if inp.totals is not None:
        return _score(inp, inp.totals, _NO_REFS, rules)
    totals = product_totals(inp.products, params)
    done = [p for p in inp.products if p.done]
    evidence = (
        tuple(p.ref for p in inp.products if p.ref),
        tuple(p.ref for p in done if p.ref and (p.errors or p.excused)),
        tuple(p.ref for p in done if p.ref and (p.delays or p.excused)),
    )
    return _score(inp, totals, evidence, rules)


def _trace_line(
    key: str,
    label: str,
    value: Decimal,
    formula: str,
    rule: str,
    citation: str,
    certainty: str,
    evidence: tuple[str, ...],
) -> TraceLine:
    """``TraceLine(key, label, …)``, the same object, built three times faster: a frozen dataclass's
    ``__init__`` sets each field through ``object.__setattr__``, and a batch builds a dozen lines a person."""
    line = object.__new__(TraceLine)
    line.__dict__.update(
        key=key,
        label=label,
        value=value,
        formula=formula,
        rule=rule,
        citation=citation,
        certainty=certainty,
        evidence=evidence,
    )
    return line


_GENERAL_RULES = ("general.groups", "general.group_max")
_A_RULES = ("task.components",)
_B_RULES = ("task.error_deduction",)
_C_RULES = ("task.delay_deduction",)
_PERCENT_RULES = ("task.leader_components",)
_POINTS_RULES = ("task.points_max",)
_THRESHOLD_RULES = ("levels.thresholds",)
_FORCING_RULES = ("levels.forcing_facts",)
_NO_REFS: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]] = ((), (), ())


def _score(
    inp: PeriodInput,
    totals: ProductTotals,
    evidence: tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]],
    rules: _Rules,
) -> PeriodResult:
    """The result of validated inputs. Exact: every value is a ratio of integers until it is rounded.

    Each value is rounded once, for ``values`` and its trace line alike; the parameters are read
    in the order the lines use them, so that a missing one fails where it always did.
    """
    places = rules.places
    quality_formula = rules.quality_formula
    timely_formula = rules.timely_formula
    max_n, max_d, max_shown = rules.task_max
    meta = rules.meta
    line = _trace_line
    values: dict[str, Decimal] = {}
    trace: list[TraceLine] = []

    general = inp.general
    groups = rules.groups
    general_n, general_d = 0, 1
    for group in groups:
        n, d = general[group].as_integer_ratio()
        general_n, general_d = general_n * d + n * general_d, general_d * d
    value = values["general"] = _rounded(general_n, general_d, places)
    formula = " + ".join([f"{g}: {_show(general[g])}" for g in groups])
    trace.append(line("general", "Điểm tiêu chí chung", value, formula, *meta(_GENERAL_RULES), ()))

    total_n, total_d = totals.total_weight.as_integer_ratio()  # > 0
    done_n, done_d = totals.done_weight.as_integer_ratio()
    total_shown = _show(totals.total_weight.normalize())
    a_n, a_d = 100 * done_n * total_d, done_d * total_n
    if a_n >= 100 * a_d:  # at most 100
        a_n, a_d = 100, 1
    value = values["a"] = _rounded(a_n, a_d, places)
    formula = f"100 × {_show(totals.done_weight.normalize())} / {total_shown} (tối đa 100)"
    trace.append(line("a", "a. Số lượng", value, formula, *meta(_A_RULES), evidence[0]))
    n, d = totals.quality.as_integer_ratio()
    b_n, b_d = 100 * n * total_d, d * total_n
    value = values["b"] = _rounded(b_n, b_d, places)
    trace.append(line("b", "b. Chất lượng", value, quality_formula + total_shown, *meta(_B_RULES), evidence[1]))
    n, d = totals.timely.as_integer_ratio()
    c_n, c_d = 100 * n * total_d, d * total_n
    value = values["c"] = _rounded(c_n, c_d, places)
    trace.append(line("c", "c. Tiến độ", value, timely_formula + total_shown, *meta(_C_RULES), evidence[2]))
    exact = {"a": (a_n, a_d), "b": (b_n, b_d), "c": (c_n, c_d)}

    leader = inp.role != "staff"
    if leader:
        levels = list(inp.subordinate_levels or [])
        any_kht = "KHT" in levels
        ratio = exact["d"] = rules.d(any_kht)
        value = values["d"] = _rounded(*ratio, places)
        formula = (
            "có công chức thuộc quyền xếp loại KHT" if any_kht else "mọi công chức thuộc quyền từ HT trở lên"
        ) + f" ({len(levels)} người)"
        d_rules = ("leader.d_any_kht",) if any_kht else ("leader.d_all_ht",)
        trace.append(
            line("d", "d. Kết quả của cơ quan, đơn vị được giao phụ trách", value, formula, *meta(d_rules), ())
        )
        assert inp.organising is not None and inp.uniting is not None
        ratio = exact["dd"] = inp.organising.as_integer_ratio()
        value = values["dd"] = _rounded(*ratio, places)
        formula = f"{_show(inp.organising)}%"
        trace.append(line("dd", "đ. Năng lực tổ chức thực hiện nhiệm vụ", value, formula, *meta(_PERCENT_RULES), ()))
        ratio = exact["e"] = inp.uniting.as_integer_ratio()
        value = values["e"] = _rounded(*ratio, places)
        formula = f"{_show(inp.uniting)}%"
        trace.append(line("e", "e. Năng lực tập hợp, đoàn kết", value, formula, *meta(_PERCENT_RULES), ()))

    components, percent_formula, components_rule = rules.leader_components if leader else rules.staff_components
    percent_n, percent_d = 0, 1
    for key in components:
        n, d = exact[key]
        percent_n, percent_d = percent_n * d + n * percent_d, percent_d * d
    percent_d *= len(components)
    value = values["task_percent"] = _rounded(percent_n, percent_d, places)
    trace.append(
        line(
            "task_percent",
            "Tỷ lệ kết quả thực hiện nhiệm vụ (%)",
            value,
            percent_formula,
            *meta(components_rule),
            (),
        )
    )
    points_n, points_d = max_n * percent_n, max_d * percent_d * 100
    value = values["task_points"] = _rounded(points_n, points_d, places)
    formula = f"{max_shown} × tỷ lệ / 100"
    trace.append(line("task_points", "Điểm kết quả thực hiện nhiệm vụ", value, formula, *meta(_POINTS_RULES), ()))
    total = values["total"] = _rounded(general_n * points_d + points_n * general_d, general_d * points_d, places)
    formula = "điểm tiêu chí chung + điểm kết quả thực hiện nhiệm vụ"
    trace.append(line("total", "Tổng điểm", total, formula, *meta(_POINTS_RULES), ()))

    level = "KHT"
    for candidate, threshold in rules.thresholds:
        if total >= threshold:
            level = candidate
            break
    facts = inp.facts
    reasons = [
        fact
        for fact, scope in rules.forcing
        if getattr(facts, fact, False) and (scope == "all" or (scope == "leaders" and leader))
    ]
    if reasons:
        formula = "KHT bắt buộc vì: " + "; ".join(FACT_NAMES[r] for r in reasons)
        trace.append(line("level", "Xếp loại", total, formula, *meta(_FORCING_RULES), ()))
    else:
        formula = f"{_show(total)} điểm → {level} ({LEVEL_NAMES[level]})"
        trace.append(line("level", "Xếp loại", total, formula, *meta(_THRESHOLD_RULES), ()))
    return PeriodResult(
        values=values,
        level="KHT" if reasons else level,
        forced=bool(reasons),
        forced_reasons=[FACT_NAMES[r] for r in reasons],
        ruleset=rules.params.ruleset_id,
        trace=trace,
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
