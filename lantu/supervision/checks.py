"""The reconciliation checks (``reconciliation.yaml``): loaded, checked and compiled to SQL.

Each check becomes one ``SELECT`` with the same output columns (``check_id``, ``key``,
``household_id``, ``project_id``, ``region_path``, ``evidence`` as JSON text), so that the batch
engine runs them all as one ``UNION ALL``. A check may read only the declared inputs, the declared
views and the parameter tables (sqlglot finds every table it names); anything else, or SQL that is
not a query, is refused when the file is loaded. ``$year`` is replaced by the year reconciled.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlglot
import yaml
from sqlglot import exp

from lantu.standards.pipeline import Step

FILE = Path(__file__).resolve().parent / "reconciliation.yaml"
OUTPUT = ("check_id", "key", "household_id", "project_id", "region_path", "evidence")
AREAS = ("registry", "ledger", "funds", "procedures", "department", "assistance")


class DeclarationError(ValueError):
    """The checks file is wrong: what and where, for whoever edits it."""


@dataclass(frozen=True)
class Check:
    id: str
    area: str
    zh: str
    en: str
    explain_zh: str
    explain_en: str
    ref: str
    valid_from: int
    valid_to: int | None
    sql: str  # with $year still in it
    cases: list[dict[str, Any]] = field(default_factory=list)

    def valid(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_to is None or year <= self.valid_to)

    def label(self, english: bool = False) -> str:
        return self.en if english else self.zh

    def explanation(self, english: bool = False) -> str:
        return self.explain_en if english else self.explain_zh

    def query(self, year: int) -> str:
        return self.sql.replace("$year", str(int(year)))


@dataclass(frozen=True)
class Catalogue:
    version: str
    inputs: dict[str, dict[str, str]]
    views: dict[str, str]
    parameters: dict[str, dict[str, Any]]
    checks: dict[str, Check]
    content_hash: str

    def valid(self, year: int) -> list[Check]:
        return [c for c in self.checks.values() if c.valid(year)]

    def steps(self, year: int, only: list[str] | None = None) -> list[Step]:
        """The pipeline: parameter tables, views, then every check valid in ``year`` as one
        materialised union (``discrepancies``)."""
        steps = [Step(name, _values_sql(p)) for name, p in self.parameters.items()]
        # Views are read by several checks: each is computed once (materialised).
        steps += [Step(name, sql, materialise=True) for name, sql in self.views.items()]
        chosen = [c for c in self.valid(year) if only is None or c.id in only]
        union = "\nUNION ALL\n".join(f"({c.query(year)})" for c in chosen)
        if not union:
            union = "SELECT " + ", ".join(f"CAST(NULL AS VARCHAR) AS {n}" for n in OUTPUT)
            union += " WHERE false"
        steps.append(Step("discrepancies", union, materialise=True))
        return steps


def _values_sql(p: dict[str, Any]) -> str:
    cols = list(p["columns"])
    rows = ", ".join(
        "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in row) + ")"
        for row in p["rows"]
    )
    return f"SELECT * FROM (VALUES {rows}) AS t({', '.join(cols)})"


def _compile(cid: str, raw: dict[str, Any]) -> str:
    evidence = raw.get("evidence") or {}
    if not isinstance(evidence, dict):
        raise DeclarationError(f"{cid}: evidence must map labels to expressions")
    for label, expr in evidence.items():
        if not isinstance(expr, str | int) or not str(label).isidentifier():
            raise DeclarationError(f"{cid}: evidence {label!r} needs an SQL expression (quote it)")
    pack = ", ".join(f"{label} := {expr}" for label, expr in evidence.items())
    ev = f"CAST(to_json(struct_pack({pack})) AS VARCHAR)" if pack else "'{}'"
    cols = [
        f"'{cid}' AS check_id",
        f"CAST({raw['key']} AS VARCHAR) AS key",
        f"CAST({raw.get('household') or 'NULL'} AS BIGINT) AS household_id",
        f"CAST({raw.get('project') or 'NULL'} AS BIGINT) AS project_id",
        f"CAST({raw.get('region_path') or chr(39) * 2} AS VARCHAR) AS region_path",
        f"{ev} AS evidence",
    ]
    sql = f"SELECT {', '.join(cols)} FROM {raw['from']} WHERE {raw.get('where') or 'true'}"
    if raw.get("group_by"):
        sql += f" GROUP BY {raw['group_by']}"
        if raw.get("group_having"):
            sql += f" HAVING {raw['group_having']}"
    return sql


def _tables(sql: str, name: str) -> set[str]:
    try:
        tree = sqlglot.parse_one(sql.replace("$year", "2000"), read="duckdb")
    except sqlglot.errors.ParseError as e:
        raise DeclarationError(f"{name}: cannot parse: {e}") from e
    if not isinstance(tree, exp.Query):
        raise DeclarationError(f"{name}: only a query may be given")
    for bad in (exp.Insert, exp.Update, exp.Delete, exp.Create, exp.Drop, exp.Command):
        if tree.find(bad):
            raise DeclarationError(f"{name}: only a query may be given")
    ctes = {c.alias_or_name for c in tree.find_all(exp.CTE)}
    return {t.name for t in tree.find_all(exp.Table) if t.name} - ctes


def _int(value: Any, what: str) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as e:
        raise DeclarationError(f"{what}: a year is needed, not {value!r}") from e


def parse(data: dict[str, Any], content_hash: str = "") -> Catalogue:
    inputs = {str(k): {str(c): str(t) for c, t in v.items()} for k, v in data["inputs"].items()}
    params = dict(data.get("parameters") or {})
    views: dict[str, str] = {}
    known = set(inputs) | set(params)
    for name, sql in (data.get("views") or {}).items():
        unknown = _tables(sql, f"view {name}") - known
        if unknown:
            raise DeclarationError(f"view {name}: unknown tables {sorted(unknown)}")
        views[name] = sql
        known.add(name)
    checks: dict[str, Check] = {}
    for cid, raw in (data.get("checks") or {}).items():
        for need in ("area", "zh", "en", "explain", "ref", "valid", "from", "key"):
            if need not in raw:
                raise DeclarationError(f"check {cid}: {need} is missing")
        if raw["area"] not in AREAS:
            raise DeclarationError(f"check {cid}: area {raw['area']!r} is not one of {AREAS}")
        sql = _compile(cid, raw)
        unknown = _tables(sql, f"check {cid}") - known
        if unknown:
            raise DeclarationError(f"check {cid}: unknown tables {sorted(unknown)}")
        valid = raw["valid"]
        to = valid.get("to")
        checks[cid] = Check(
            id=cid,
            area=raw["area"],
            zh=raw["zh"],
            en=raw["en"],
            explain_zh=raw["explain"]["zh"],
            explain_en=raw["explain"]["en"],
            ref=raw["ref"],
            valid_from=_int(valid.get("from"), f"check {cid}: valid.from"),
            valid_to=None if to is None else _int(to, f"check {cid}: valid.to"),
            sql=sql,
            cases=list(raw.get("cases") or []),
        )
    return Catalogue(str(data["version"]), inputs, views, params, checks, content_hash)


@functools.cache
def catalogue(path: Path = FILE) -> Catalogue:
    text = path.read_text(encoding="utf-8")
    return parse(yaml.safe_load(text), hashlib.sha256(text.encode()).hexdigest()[:16])
