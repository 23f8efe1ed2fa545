"""The indicator declarations (``indicators.yaml``), loaded and checked once.

Each ``where`` is parsed with sqlglot and may name only its source table's declared columns and
``year``; each ``by`` must be such a column; a ``ratio`` must name two declared counts; a headline
row must name a declared indicator. A mistake fails at start-up with the indicator's name, not in
the middle of a refresh.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from django.utils.translation import get_language
from sqlglot import exp

PATH = Path(__file__).with_name("indicators.yaml")


class DeclarationError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    name: str
    group: str
    zh: str
    en: str
    unit: dict[str, str]
    definition: dict[str, str]
    source: str
    reference: str
    valid_from: datetime.date
    table: str = ""
    where: str = ""
    by: str = ""
    per_year: bool = True
    unpivot: dict[str, str] = field(default_factory=dict)
    ratio: tuple[str, str] | None = None
    percent: bool = False
    provider: str = ""

    @property
    def label(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh

    @property
    def unit_label(self) -> str:
        return self.unit["en" if (get_language() or "").startswith("en") else "zh"]

    @property
    def definition_label(self) -> str:
        return self.definition["en" if (get_language() or "").startswith("en") else "zh"]

    @property
    def counted(self) -> bool:
        """Computed by the engine from a source table (not a ratio, not a provider's)."""
        return bool(self.table)


@dataclass(frozen=True)
class Headline:
    zh: str
    en: str
    seed: float
    indicator: str

    @property
    def label(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


@dataclass(frozen=True)
class Catalogue:
    version: str
    sources: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, str]]
    indicators: dict[str, Indicator]
    headline: list[Headline]

    def columns(self, table: str) -> list[str]:
        return list(self.sources[table]["columns"])

    def group_label(self, group: str) -> str:
        g = self.groups[group]
        return g["en"] if (get_language() or "").startswith("en") else g["zh"]


def _check_sql(name: str, sql: str, allowed: set[str]) -> None:
    try:
        tree = sqlglot.parse_one(sql, read="duckdb")
    except sqlglot.errors.ParseError as e:
        raise DeclarationError(f"{name}: cannot parse {sql!r}: {e}") from e
    for node in tree.find_all(exp.Select, exp.Subquery, exp.Command):
        raise DeclarationError(f"{name}: only a condition may be given, not {node.key}")
    unknown = {c.name for c in tree.find_all(exp.Column)} - allowed
    if unknown:
        raise DeclarationError(f"{name}: unknown columns {sorted(unknown)} in {sql!r}")


def _indicator(name: str, raw: dict[str, Any], cat: dict[str, Any]) -> Indicator:
    raw = dict(raw)
    if "ratio" in raw:
        raw["ratio"] = tuple(raw["ratio"])
    ind = Indicator(name=name, **raw)
    if ind.group not in cat["groups"]:
        raise DeclarationError(f"{name}: unknown group {ind.group}")
    if ind.table:
        if ind.table not in cat["sources"]:
            raise DeclarationError(f"{name}: unknown source table {ind.table}")
        allowed = set(cat["sources"][ind.table]["columns"]) | {"year"}
        for sql in [ind.where, *ind.unpivot.values()]:
            if sql:
                _check_sql(name, sql, allowed)
        if ind.by and ind.by not in allowed:
            raise DeclarationError(f"{name}: cannot break down by {ind.by}")
    elif not (ind.ratio or ind.provider):
        raise DeclarationError(f"{name}: give a table, a ratio or a provider")
    return ind


@cache
def catalogue() -> Catalogue:
    raw = yaml.safe_load(PATH.read_text(encoding="utf-8"))
    indicators = {n: _indicator(n, r, raw) for n, r in raw["indicators"].items()}
    for ind in indicators.values():
        for part in ind.ratio or ():
            if part not in indicators or indicators[part].ratio:
                raise DeclarationError(f"{ind.name}: ratio part {part} is not a declared count")
    headline = [Headline(**h) for h in raw["headline"]]
    for h in headline:
        if h.indicator not in indicators:
            raise DeclarationError(f"headline {h.en}: unknown indicator {h.indicator}")
    return Catalogue(str(raw["version"]), raw["sources"], raw["groups"], indicators, headline)
