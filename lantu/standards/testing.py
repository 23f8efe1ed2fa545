"""Policy test cases in YAML: input household → expected decision per rule.

A case file (``lantu/standards/policies/tests/*.yaml``, or a room's ``lantu/<room>/policies/tests``)
names a policy and a year, gives ``defaults`` (a household, its yearly facts, the previous year's
facts, and a member template and member list), and ``cases``; each case overrides what it needs and
states ``expect`` (rule → true, false, or null for "does not apply"), optionally ``expect_failed``
(clause ids that must be among the failed ones), ``expect_village`` and ``expect_county``. A case
may list several ``households`` (for village and county rules); each case gets its own county code
so cases do not disturb each other. Members without an ID number get a valid one made from their
birth date and sex. All cases of one (policy, year) run as one batch through the real engine, so
the tests exercise exactly what runs in production.

Record chains (``schema.RECORDS``): a case may give ``projects`` (or one ``project``) with their
``disbursements``, and ``funds`` (or one ``fund``) with their ``allocations``, each row laid over
the defaults' ``project``/``disbursement``/``fund``/``allocation``. Unnamed rows get the case's
county code, a project number of their own (``P<case>-<n>``; a disbursement: its case's first
project) and a voucher; expectations find a case's projects by that number. ``expect_project`` /
``expect_fund`` state the rules of the case's first project or fund; ``expect_projects`` and
``expect_disbursements`` list them in the order of their numbers, ``expect_funds`` in the order
of source and year.

Run by ``lantu standards test`` and by ``tests/standards/test_policy_cases.py``.
"""

from __future__ import annotations

import copy
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import yaml

from lantu.engine.run import Results, evaluate
from lantu.engine.synthetic import id_numbers
from lantu.registry import columns
from lantu.standards.policy import POLICY_DIR, load

CASE_DIR = POLICY_DIR / "tests"
ROOMS = POLICY_DIR.parent.parent  # lantu/


@dataclass
class CaseResult:
    file: str
    name: str
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class _Batch:
    households: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    years: list[dict[str, Any]] = field(default_factory=list)
    counties: list[dict[str, Any]] = field(default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    cases: list[tuple[str, dict[str, Any], list[str], str]] = field(default_factory=list)


def _member(template: dict[str, Any], m: dict[str, Any], hno: str) -> dict[str, Any]:
    row = {**template, **m, "household_no": hno}
    if "age" in row:  # convenience: an age in the evaluation year instead of a birth date
        row.setdefault("birth_date", datetime.date(int(row.pop("_year")) - int(row["age"]), 6, 1))
        row.pop("age")
    row.pop("_year", None)
    if not row.get("id_number") and row.get("birth_date"):
        birth = np.array([np.datetime64(row["birth_date"], "D")])
        sex = np.array([str(row.get("sex", "1"))])
        seq = np.array([int(row.pop("_seq", 0))])
        row["id_number"] = str(
            id_numbers(np.array([row.get("_region6", "530326")]), birth, seq, sex)[0]
        )
    row.pop("_region6", None)
    row.pop("_seq", None)
    return row


def _add_case(
    batch: _Batch, defaults: dict[str, Any], case: dict[str, Any], i: int, year: int
) -> None:
    county = f"{900000 + i:06d}"
    hh_specs = case.get("households") or [case]
    hnos = []
    for j, spec in enumerate(hh_specs):
        hno = f"T{i:04d}-{j}"
        hnos.append(hno)
        household = {**defaults.get("household", {}), **spec.get("household", {})}
        household.setdefault("region_code", f"{county}001001")
        batch.households.append({**household, "household_no": hno})
        template = {**defaults.get("member", {}), "_year": year, "_region6": "530326"}
        listed = spec.get("members", defaults.get("members", []))
        listed = listed + [defaults.get("extra_member", {})] * int(spec.get("extra_members", 0))
        for m in listed:
            m = {**m, "_seq": len(batch.members)}
            batch.members.append(_member(template, m, hno))
        facts = {**defaults.get("facts", {}), **spec.get("facts", {})}
        if facts is not None and not spec.get("no_facts"):
            batch.years.append({**facts, "household_no": hno, "year": year})
        previous = spec.get("previous", defaults.get("previous"))
        if previous is not None:
            batch.years.append({**facts, **previous, "household_no": hno, "year": year - 1})
    if "county" in case:
        batch.counties.append({**case["county"], "county_code": county})
    _add_records(batch, defaults, case, i, county)
    batch.cases.append((case["name"], case, hnos, county))


def _rows(case: dict[str, Any], many: str, one: str) -> list[dict[str, Any]]:
    return list(case.get(many) or ([case[one]] if one in case else []))


def _add_records(
    batch: _Batch, defaults: dict[str, Any], case: dict[str, Any], i: int, county: str
) -> None:
    projects = _rows(case, "projects", "project")
    codes = []
    for j, row in enumerate(projects):
        row = {"county_code": county, "project_code": f"P{i:04d}-{j}",
               **defaults.get("project", {}), **row}  # fmt: skip
        codes.append(row["project_code"])
        batch.records["projects"].append(row)
    first = codes[0] if codes else f"P{i:04d}-0"
    for k, row in enumerate(case.get("disbursements") or []):
        batch.records["disbursements"].append(
            {
                "project_code": first,
                "voucher": f"V{i:04d}-{k}",
                "household_no": f"T{i:04d}-0",
                **defaults.get("disbursement", {}),
                **row,
            }
        )
    for row in _rows(case, "funds", "fund"):
        batch.records["funds"].append({"county_code": county, **defaults.get("fund", {}), **row})
    for row in case.get("allocations") or []:
        batch.records["allocations"].append(
            {"county_code": county, "project_code": first, **defaults.get("allocation", {}), **row}
        )


def _check_records(res: Results, case: dict[str, Any], county: str, i: int) -> list[str]:
    """The case's expectations of the record chains (see the module's docstring)."""
    problems = []

    def mine(level: str, col: str, prefix: str) -> list[dict[str, Any]]:
        table = res.records.get(level)
        rows = table.to_pylist() if table is not None else []
        return [r for r in rows if str(r[col] or "").startswith(prefix)]

    tag = f"P{i:04d}-"
    chosen = {
        "expect_project": sorted(
            mine("project", "project_code", tag), key=lambda r: r["project_code"]
        )[:1],
        "expect_fund": mine("fund", "county_code", county)[:1],
    }
    funds = sorted(mine("fund", "county_code", county), key=lambda r: (r["source"], r["year"]))
    listed = {
        "expect_projects": sorted(
            mine("project", "project_code", tag), key=lambda r: r["project_code"]
        ),
        "expect_disbursements": sorted(
            (
                r
                for r in mine("disbursement", "voucher", "")
                if r["project_code"].startswith(tag) or r["voucher"].startswith(f"V{i:04d}-")
            ),
            key=lambda r: r["voucher"],
        ),
        "expect_funds": funds,
    }
    wanted = [(k, [case[k]], chosen[k]) for k in chosen if k in case]
    wanted += [(k, case[k], listed[k]) for k in listed if k in case]
    for key, wants, got in wanted:
        if len(got) < len(wants):
            problems.append(f"{key}: expected {len(wants)} rows, got {len(got)}")
            continue
        for n, (want, row) in enumerate(zip(wants, got, strict=False)):
            for rule, value in want.items():
                if row.get(rule, "missing") != value:
                    problems.append(
                        f"{key}[{n}].{rule}: expected {value}, got {row.get(rule, 'missing')} "
                        f"(failed: {row.get('failed')})"
                    )
    return problems


def _table(rows: list[dict[str, Any]], names: list[str]) -> pa.Table:
    extra = sorted({k for r in rows for k in r} - set(names))
    cols = [*names, *extra]
    return pa.table({c: pa.array([r.get(c) for r in rows]) for c in cols})


def _check(res: Results, case: dict[str, Any], hnos: list[str], county: str) -> list[str]:
    problems = []
    rows = {r["household_no"]: r for r in res.households.to_pylist() if r["household_no"] in hnos}
    row = rows.get(hnos[0], {})
    for rule, want in (case.get("expect") or {}).items():
        if rule not in row:
            problems.append(f"no rule '{rule}' in the results")
        elif row[rule] != want:
            problems.append(f"{rule}: expected {want}, got {row[rule]} (failed: {row['failed']})")
    for kind, want in (case.get("expect_kind") or {}).items():
        for rule in (r for r in res.compiled.levels["household"].rules if r.kind == kind):
            if row.get(rule.name) != want:
                problems.append(f"{rule.name}: expected {want}, got {row.get(rule.name)}")
    failed = set((row.get("failed") or "").split(","))
    for cid in case.get("expect_failed") or []:
        if cid not in failed:
            problems.append(f"expected '{cid}' among the failed clauses, got {sorted(failed)}")
    for key, table, col in (
        ("expect_village", res.villages, "village_code"),
        ("expect_county", res.counties, "county_code"),
    ):
        want_all = case.get(key) or {}
        if not want_all:
            continue
        got = [
            r for r in (table.to_pylist() if table is not None else []) if r[col].startswith(county)
        ]
        for rule, want in want_all.items():
            value = got[0].get(rule, "missing") if got else "missing"
            if value != want:
                where = got[0].get("failed") if got else None
                problems.append(f"{key}.{rule}: expected {want}, got {value} (failed: {where})")
    return problems


def run_file(path: Path) -> list[CaseResult]:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    defaults = spec.get("defaults") or {}
    if "base" in spec:  # shared defaults from another file of the folder (e.g. _defaults.yaml)
        base = yaml.safe_load((path.parent / spec["base"]).read_text(encoding="utf-8"))
        shared = base.get("defaults") or {}
        defaults = {
            k: {**shared[k], **defaults[k]} if isinstance(shared.get(k), dict) and k in defaults
            else defaults.get(k, shared.get(k))
            for k in {*shared, *defaults}
        }  # fmt: skip
    groups: dict[tuple[str, int], _Batch] = defaultdict(_Batch)
    for i, case in enumerate(spec.get("cases") or []):
        key = (case.get("policy", spec["policy"]), int(case.get("year", spec["year"])))
        _add_case(groups[key], copy.deepcopy(defaults), case, i, key[1])
    out = []
    for (policy, year), batch in groups.items():
        inputs = {
            "households": _table(batch.households, [c.name for c in columns.HOUSEHOLD_COLUMNS]),
            "members": _table(batch.members, ["household_no"]),
            "years": _table(batch.years, ["household_no", "year"]),
        }
        if batch.counties:
            inputs["counties"] = _table(batch.counties, ["county_code"])
        for name, rows in batch.records.items():
            inputs[name] = _table(rows, [])
        # A room's case file may lay its own policy file over the named one (``overlays:``).
        layers = [path.parent / o for o in spec.get("overlays") or []]
        res = evaluate(load(policy, overlays=layers) if layers else policy, year, inputs)
        for name, case, hnos, county in batch.cases:
            i = int(county) - 900000
            problems = _check(res, case, hnos, county) + _check_records(res, case, county, i)
            out.append(CaseResult(path.name, name, problems))
    return out


def case_files(directory: Path | None = None) -> list[Path]:
    """The case files of a folder; by default the ruler's and every room's
    (``lantu/<room>/policies/tests``: cases of the room's overlay)."""
    folders = [directory] if directory else [CASE_DIR, *sorted(ROOMS.glob("*/policies/tests"))]
    return [
        p
        for folder in dict.fromkeys(folders)
        for p in sorted(folder.glob("*.yaml"))
        if not p.name.startswith("_")
    ]


def run_all(paths: list[Path] | None = None) -> list[CaseResult]:
    return [r for p in (paths or case_files()) for r in run_file(p)]
