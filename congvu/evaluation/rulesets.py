"""Rule sets as data: dated parameter values, each with its legal citation and certainty.

A rule set is a YAML file (see ``rules/vn-nd-335-2025.yaml``)::

    id: vn-nd-335-2025
    title: ...
    in_force: {from: 2026-01-01, to: null}      # national rule sets only
    parameters:
      task.error_deduction:
        description: ...
        values:
          - {from: 2026-01-01, value: 0.25, citation: "Nghị định 335/2025/NĐ-CP, Điều 14", certainty: verified}

A provincial overlay names the rule set it changes (``extends``) and gives dated values
for some parameters; on a given day an overlay value in force wins over the national
one, so a province changes a value (e.g. quarterly aggregation) without a code change.
The rule set in force is chosen by the date of the period evaluated. Pure Python.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from congvu.evaluation.errors import EvaluationError, RuleDataError

CERTAINTIES = frozenset({"verified", "repo-only", "inferred", "unverified"})


def _number(low: Decimal, high: Decimal) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return isinstance(value, int | Decimal) and not isinstance(value, bool) and low <= value <= high

    return check


def _names(allowed: set[str]) -> Callable[[Any], bool]:
    def check(value: Any) -> bool:
        return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v in allowed for v in value)

    return check


def _thresholds(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and set(value) == {"HTXS", "HTT", "HT"}
        and all(_number(Decimal(0), Decimal(100))(v) for v in value.values())
        and value["HTXS"] >= value["HTT"] >= value["HT"]
    )


def _forcing(value: Any) -> bool:
    facts = {"disciplined", "degradation", "corruption_in_unit"}
    return isinstance(value, dict) and set(value) <= facts and all(v in {"all", "leaders"} for v in value.values())


# What each parameter's value must look like; a rule file with another parameter or a value of
# the wrong shape is refused when it is loaded, never when someone is being scored.
PARAMETER_CHECKS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "general.groups": (_names({"I", "II", "III", "IV", "V"}), "a list of group names (I, II, III, …)"),
    "general.group_max": (_number(Decimal(1), Decimal(100)), "a number from 1 to 100"),
    "task.points_max": (_number(Decimal(1), Decimal(100)), "a number from 1 to 100"),
    "task.components": (_names({"a", "b", "c"}), "a non-empty list among a, b, c"),
    "task.leader_components": (_names({"a", "b", "c", "d", "dd", "e"}), "a non-empty list among a, b, c, d, dd, e"),
    "task.error_deduction": (_number(Decimal(0), Decimal(1)), "a number from 0 to 1"),
    "task.delay_deduction": (_number(Decimal(0), Decimal(1)), "a number from 0 to 1"),
    "leader.d_all_ht": (_number(Decimal(0), Decimal(100)), "a percent from 0 to 100"),
    "leader.d_any_kht": (_number(Decimal(0), Decimal(100)), "a percent from 0 to 100"),
    "levels.thresholds": (_thresholds, "a mapping HTXS/HTT/HT of decreasing numbers from 0 to 100"),
    "levels.forcing_facts": (
        _forcing,
        "a mapping of facts (disciplined, degradation, corruption_in_unit) to all/leaders",
    ),
    "quota.htxs_share_of_htt": (_number(Decimal(0), Decimal(1)), "a share from 0 to 1"),
    "quota.htxs_share_outstanding": (_number(Decimal(0), Decimal(1)), "a share from 0 to 1"),
    "period.aggregation": (lambda v: v in {"monthly", "quarterly"}, "monthly or quarterly"),
    "rounding.places": (
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 6,
        "an integer from 0 to 6",
    ),
}


class DecimalLoader(yaml.SafeLoader):
    """YAML with decimals instead of binary floats (``0.1`` is exactly one tenth)."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        return Decimal(text)
    except InvalidOperation:
        return Decimal("NaN")  # .inf / .nan: refused later as not a finite number


DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def load_yaml(text: str) -> Any:
    return yaml.load(text, Loader=DecimalLoader)  # noqa: S506 - a SafeLoader subclass


@dataclass(frozen=True)
class DatedValue:
    start: date
    value: Any
    citation: str
    certainty: str


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    extends: str | None
    valid_from: date | None
    valid_to: date | None  # exclusive
    parameters: Mapping[str, tuple[DatedValue, ...]]
    descriptions: Mapping[str, str]
    source: str

    def in_force(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day < self.valid_to)


@dataclass(frozen=True)
class ParamValue:
    """A parameter's value on the day evaluated, with where it comes from."""

    name: str
    value: Any
    citation: str
    certainty: str
    start: date
    ruleset: str
    description: str


class Params:
    """The parameters in force on one day, after overlays."""

    def __init__(self, ruleset_id: str, day: date, values: Mapping[str, ParamValue]) -> None:
        self.ruleset_id = ruleset_id
        self.day = day
        self._values = dict(values)

    def get(self, name: str) -> ParamValue:
        try:
            return self._values[name]
        except KeyError:
            raise RuleDataError(f"rule set {self.ruleset_id} has no value of {name!r} on {self.day}") from None

    def all(self) -> list[ParamValue]:
        return [self._values[name] for name in sorted(self._values)]


def _date(value: Any, where: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    raise RuleDataError(f"{where}: expected a date YYYY-MM-DD, got {value!r}")


def parse_ruleset(text: str, source: str) -> RuleSet:
    try:
        data = load_yaml(text)
    except yaml.YAMLError as exc:
        raise RuleDataError(f"{source}: not valid YAML: {exc}") from None
    if (
        not isinstance(data, dict)
        or not isinstance(data.get("id"), str)
        or not isinstance(data.get("parameters"), dict)
    ):
        raise RuleDataError(f"{source}: a rule set needs an 'id' and a 'parameters' mapping")
    in_force = data.get("in_force") or {}
    if not isinstance(in_force, dict):
        raise RuleDataError(f"{source}: 'in_force' must be a mapping with 'from' and 'to'")
    extends = data.get("extends")
    if extends is None and in_force.get("from") is None:
        raise RuleDataError(f"{source}: a national rule set needs in_force.from")
    parameters: dict[str, tuple[DatedValue, ...]] = {}
    descriptions: dict[str, str] = {}
    for name, spec in data["parameters"].items():
        where = f"{source}: parameter {name}"
        if name not in PARAMETER_CHECKS:
            raise RuleDataError(f"{where}: unknown parameter (known: {', '.join(sorted(PARAMETER_CHECKS))})")
        check, shape = PARAMETER_CHECKS[name]
        if not isinstance(spec, dict) or not isinstance(spec.get("values"), list) or not spec["values"]:
            raise RuleDataError(f"{where}: needs a non-empty 'values' list")
        entries = []
        for entry in spec["values"]:
            if not isinstance(entry, dict) or "value" not in entry:
                raise RuleDataError(f"{where}: each value needs 'from', 'value', 'citation' and 'certainty'")
            citation = entry.get("citation")
            if not isinstance(citation, str) or not citation.strip():
                raise RuleDataError(f"{where}: every value needs its legal citation")
            if entry.get("certainty") not in CERTAINTIES:
                raise RuleDataError(f"{where}: certainty must be one of {sorted(CERTAINTIES)}")
            if not check(entry["value"]):
                raise RuleDataError(f"{where}: value {entry['value']!r} is not {shape}")
            entries.append(DatedValue(_date(entry.get("from"), where), entry["value"], citation, entry["certainty"]))
        parameters[name] = tuple(sorted(entries, key=lambda e: e.start))
        descriptions[name] = str(spec.get("description", ""))
    return RuleSet(
        id=data["id"],
        title=str(data.get("title", data["id"])),
        extends=extends,
        valid_from=_date(in_force["from"], f"{source}: in_force.from") if in_force.get("from") else None,
        valid_to=_date(in_force["to"], f"{source}: in_force.to") if in_force.get("to") else None,
        parameters=parameters,
        descriptions=descriptions,
        source=source,
    )


def _value_on(entries: Iterable[DatedValue], day: date) -> DatedValue | None:
    found = None
    for entry in entries:
        if entry.start <= day:
            found = entry
    return found


class Registry:
    """The national rule sets shipped with the product and the province's overlays."""

    def __init__(self, rulesets: Iterable[RuleSet]) -> None:
        self.rulesets: dict[str, RuleSet] = {}
        for ruleset in rulesets:
            if ruleset.id in self.rulesets:
                raise RuleDataError(f"rule set id {ruleset.id!r} is defined twice")
            self.rulesets[ruleset.id] = ruleset
        for ruleset in self.rulesets.values():
            if ruleset.extends is not None and ruleset.extends not in self.rulesets:
                raise RuleDataError(f"{ruleset.source}: extends unknown rule set {ruleset.extends!r}")

    @classmethod
    def load(cls, extra_dirs: Iterable[Path] = ()) -> Registry:
        """The shipped rule sets plus every ``*.yaml`` of ``extra_dirs`` (provincial overlays)."""
        return cls([*shipped_rulesets(), *(r for d in extra_dirs for r in _load_dir(d))])

    def national_in_force(self, day: date) -> RuleSet:
        candidates = [r for r in self.rulesets.values() if r.extends is None and r.in_force(day)]
        if not candidates:
            raise EvaluationError("no_ruleset", f"không có bộ quy tắc nào có hiệu lực ngày {day.isoformat()}")
        return max(candidates, key=lambda r: r.valid_from or date.min)

    def params_for(self, day: date, overlay: str | None = None) -> Params:
        """The parameters in force on ``day``: the national rule set, then the overlay's values."""
        base = self.national_in_force(day)
        chain = [base]
        if overlay is not None:
            if not isinstance(overlay, str):
                raise EvaluationError("invalid_input", "ruleset phải là mã một bộ quy tắc")
            ruleset = self.rulesets.get(overlay)
            if ruleset is None or ruleset.extends is None:
                raise EvaluationError("invalid_input", f"không có bộ quy tắc bổ sung “{overlay}”")
            if ruleset.extends != base.id:
                raise EvaluationError(
                    "no_ruleset", f"bộ quy tắc “{overlay}” bổ sung cho {ruleset.extends}, không phải {base.id}"
                )
            chain.append(ruleset)
        values: dict[str, ParamValue] = {}
        for ruleset in chain:
            for name, entries in ruleset.parameters.items():
                entry = _value_on(entries, day)
                if entry is not None:
                    values[name] = ParamValue(
                        name,
                        entry.value,
                        entry.citation,
                        entry.certainty,
                        entry.start,
                        ruleset.id,
                        ruleset.descriptions.get(name) or base.descriptions.get(name, ""),
                    )
        return Params("+".join(r.id for r in chain), day, values)


def _load_dir(folder: Path) -> list[RuleSet]:
    if not folder.is_dir():
        raise RuleDataError(f"rule directory {folder} does not exist")
    return [parse_ruleset(path.read_text(encoding="utf-8"), str(path)) for path in sorted(folder.glob("*.yaml"))]


@cache
def shipped_rulesets() -> tuple[RuleSet, ...]:
    folder = resources.files("congvu.evaluation").joinpath("rules")
    return tuple(
        parse_ruleset(item.read_text(encoding="utf-8"), f"congvu/evaluation/rules/{item.name}")
        for item in sorted(folder.iterdir(), key=lambda i: i.name)
        if item.name.endswith(".yaml")
    )
