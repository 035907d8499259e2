"""Scenario files: cases with expected results, run against the engine (``congvu rules test``).

The format is the evaluation issue's: top-level ``cases`` (one period of one person),
``years`` (a year's average) and ``quota`` (the HTXS quota of a unit and group), each
item with a ``name`` and an ``expect`` mapping giving any subset of the result's keys,
or ``{error: CODE}``. Pure Python: no Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from congvu.evaluation.engine import (
    LEVELS,
    Facts,
    PeriodInput,
    Product,
    check_quota,
    score_period,
    score_year,
)
from congvu.evaluation.errors import EvaluationError
from congvu.evaluation.rulesets import Registry, load_yaml

SECTIONS = ("cases", "years", "quota")
EXPECT_KEYS = {
    "cases": {
        "a",
        "b",
        "c",
        "d",
        "dd",
        "e",
        "general",
        "task_percent",
        "task_points",
        "total",
        "level",
        "forced",
        "error",
    },
    "years": {"average", "level", "forced", "error"},
    "quota": {"max_htxs", "excess", "blocked", "error"},
}
FACT_KEYS = {"disciplined", "degradation", "corruption_in_unit"}


@dataclass
class Outcome:
    file: str
    section: str
    name: str
    ok: bool
    expected: dict[str, Any] = field(default_factory=dict)
    actual: dict[str, Any] = field(default_factory=dict)
    mismatches: list[tuple[str, Any, Any]] = field(default_factory=list)
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "section": self.section,
            "name": self.name,
            "ok": self.ok,
            "expected": _plain(self.expected),
            "actual": _plain(self.actual),
            "mismatches": [{"key": k, "expected": _plain(e), "actual": _plain(a)} for k, e, a in self.mismatches],
            "problem": self.problem,
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _invalid(message: str) -> EvaluationError:
    return EvaluationError("invalid_input", message)


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _invalid(f"{what} phải là một số (đang là {value!r})")
    number = Decimal(value)
    if not number.is_finite():
        raise _invalid(f"{what} phải là một số hữu hạn")
    if number and not -30 <= number.adjusted() <= 30:
        raise _invalid(f"{what} quá lớn hoặc quá nhỏ (đang là {value})")
    return number


def _count(value: Any, what: str) -> int:
    number = _number(value, what)
    if number.adjusted() > 9:
        raise _invalid(f"{what} quá lớn (đang là {value})")
    if number != number.to_integral_value():
        raise _invalid(f"{what} phải là số nguyên (đang là {value})")
    return int(number)


def _flag(value: Any, what: str) -> bool:
    if not isinstance(value, bool):
        raise _invalid(f"{what} phải là true hoặc false (đang là {value!r})")
    return value


def _date(value: Any, what: str = "date") -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise _invalid(f"thiếu hoặc sai {what} (dạng YYYY-MM-DD)")


def _facts(raw: Any) -> Facts:
    if raw is None:
        return Facts()
    if not isinstance(raw, dict):
        raise _invalid("facts phải là một bảng các giá trị true/false")
    unknown = sorted(set(raw) - FACT_KEYS)
    if unknown:
        raise _invalid(f"facts có khoá không hợp lệ: {', '.join(map(str, unknown))}")
    return Facts(**{key: _flag(value, f"facts.{key}") for key, value in raw.items()})


def _product(raw: Any, number: int) -> Product:
    if not isinstance(raw, dict):
        raise _invalid(f"sản phẩm {number} phải là một bảng")
    if "weight" not in raw or "done" not in raw:
        raise _invalid(f"sản phẩm {number} cần weight và done")
    return Product(
        weight=_number(raw["weight"], f"sản phẩm {number}: weight"),
        done=_flag(raw["done"], f"sản phẩm {number}: done"),
        errors=_count(raw.get("errors", 0), f"sản phẩm {number}: errors"),
        delays=_count(raw.get("delays", 0), f"sản phẩm {number}: delays"),
        excused=_flag(raw.get("excused", False), f"sản phẩm {number}: excused"),
        ref=str(raw.get("ref", f"sản phẩm {number}")),
    )


def run_case(item: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    day = _date(item.get("date"))
    params = registry.params_for(day, item.get("ruleset"))
    general = item.get("general")
    if not isinstance(general, dict):
        raise _invalid("thiếu điểm tiêu chí chung (general)")
    role = item.get("role")
    if not isinstance(role, str):
        raise _invalid("thiếu vai trò (role: staff, leader hoặc deputy)")
    products = item.get("products")
    if products is not None and not isinstance(products, list):
        raise _invalid("products phải là một danh sách")
    levels = item.get("subordinate_levels")
    if levels is not None and not isinstance(levels, list):
        raise _invalid("subordinate_levels phải là một danh sách")
    inp = PeriodInput(
        role=role,
        general={str(k): _number(v, f"điểm nhóm {k}") for k, v in general.items()},
        products=[_product(p, n) for n, p in enumerate(products or [], start=1)],
        subordinate_levels=[str(level) for level in levels] if levels is not None else None,
        organising=_number(item["organising"], "organising") if item.get("organising") is not None else None,
        uniting=_number(item["uniting"], "uniting") if item.get("uniting") is not None else None,
        facts=_facts(item.get("facts")),
    )
    result = score_period(inp, params)
    return dict(result.values) | {"level": result.level, "forced": result.forced}


def run_year(item: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    year = item.get("year")
    if isinstance(year, date):
        day = year
    elif isinstance(year, int) and not isinstance(year, bool) and 1900 <= year <= 2200:
        day = date(year, 12, 31)
    else:
        raise _invalid("thiếu năm (year)")
    params = registry.params_for(day, item.get("ruleset"))
    totals = item.get("totals")
    if not isinstance(totals, list):
        raise _invalid("totals phải là danh sách điểm các kỳ")
    role = item.get("role", "staff")
    result = score_year([_number(t, "điểm kỳ") for t in totals], _facts(item.get("facts")), params, role=str(role))
    return {"average": result.average, "level": result.level, "forced": result.forced}


def run_quota(item: Mapping[str, Any], registry: Registry) -> dict[str, Any]:
    params = registry.params_for(_date(item.get("date")), item.get("ruleset"))
    counts = item.get("counts")
    if not isinstance(counts, dict):
        raise _invalid("counts phải là một bảng số người theo mức xếp loại")
    unknown = sorted(str(k) for k in counts if k not in LEVELS)
    if unknown:
        raise _invalid(f"mức xếp loại không hợp lệ: {', '.join(unknown)}")
    outstanding = _flag(item.get("outstanding_unit", item.get("exception", False)), "outstanding_unit")
    result = check_quota(
        {str(k): _count(v, f"counts.{k}") for k, v in counts.items()}, params, outstanding_unit=outstanding
    )
    return {"max_htxs": result.max_htxs, "excess": result.excess, "blocked": result.blocked}


RUNNERS = {"cases": run_case, "years": run_year, "quota": run_quota}


def _same(expected: Any, actual: Any) -> bool:
    if isinstance(expected, bool) or isinstance(actual, bool):
        return expected is actual or expected == actual
    if isinstance(expected, int | Decimal) and isinstance(actual, int | Decimal):
        return Decimal(expected) == Decimal(actual)
    return bool(expected == actual)


def check_item(file: str, section: str, item: Any, registry: Registry, index: int) -> Outcome:
    if not isinstance(item, dict):
        return Outcome(file, section, f"#{index}", False, problem="mỗi mục phải là một bảng có name và expect")
    name = str(item.get("name", f"#{index}"))
    expect = item.get("expect")
    if not isinstance(expect, dict) or not expect:
        return Outcome(file, section, name, False, problem="thiếu expect")
    unknown = sorted(str(k) for k in expect if k not in EXPECT_KEYS[section])
    if unknown:
        return Outcome(
            file, section, name, False, expected=expect, problem=f"khoá expect không hợp lệ: {', '.join(unknown)}"
        )
    try:
        actual: dict[str, Any] = RUNNERS[section](item, registry)
    except EvaluationError as exc:
        actual = {"error": exc.code, "message": exc.message}
    except (ArithmeticError, TypeError, ValueError) as exc:  # odd input the checks above did not foresee
        return Outcome(file, section, name, False, expected=dict(expect), problem=f"không chạy được mục này: {exc!r}")
    mismatches = []
    for key, wanted in expect.items():
        if key == "error":
            got = actual.get("error")
        elif "error" in actual:
            got = f"error {actual['error']}: {actual['message']}"
        else:
            got = actual.get(key, "—")
        if not _same(wanted, got):
            mismatches.append((str(key), wanted, got))
    return Outcome(file, section, name, not mismatches, expected=dict(expect), actual=actual, mismatches=mismatches)


def run_file(path: Path, registry: Registry) -> list[Outcome]:
    file = str(path)
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except OSError as exc:
        return [Outcome(file, "", "(tệp)", False, problem=f"không đọc được tệp: {exc.strerror or exc}")]
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        return [Outcome(file, "", "(tệp)", False, problem=f"tệp không phải YAML hợp lệ: {exc}")]
    if not isinstance(data, dict) or not data:
        return [Outcome(file, "", "(tệp)", False, problem="tệp phải có ít nhất một mục cases, years hoặc quota")]
    unknown = sorted(str(k) for k in data if k not in SECTIONS)
    if unknown:
        return [Outcome(file, "", "(tệp)", False, problem=f"mục không hợp lệ: {', '.join(unknown)}")]
    outcomes = []
    for section in SECTIONS:
        items = data.get(section) or []
        if not isinstance(items, list):
            outcomes.append(Outcome(file, section, "(mục)", False, problem=f"{section} phải là một danh sách"))
            continue
        outcomes.extend(check_item(file, section, item, registry, n) for n, item in enumerate(items, start=1))
    return outcomes


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for its ``*.yaml`` and ``*.yml`` files, sorted."""
    result: list[Path] = []
    for path in paths:
        if path.is_dir():
            result.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            result.append(path)
    return result


def run_files(paths: Iterable[Path], registry: Registry) -> list[Outcome]:
    return [outcome for path in expand(paths) for outcome in run_file(path, registry)]
