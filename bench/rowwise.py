"""The baseline the ruler is measured against: the same compiled household rules, evaluated one
household at a time through the Django ORM, the way a hand-written service would do it.

For each household: the household row, its active members and its two yearly facts are read with
the ORM; each member's listing count for the duplicate-ID rule is one more ORM count (an indexed
lookup); then the compiled SQL expressions (parsed back with sqlglot) are interpreted in Python
with SQL's three-valued logic. The results are compared with the engine's, so the baseline is
checked to compute the same thing.

``side_by_side(n, policy, year)`` builds a fresh SQLite database with n generated households,
then times the engine (ADBC snapshot + DuckDB) and this baseline on the same data.
"""

from __future__ import annotations

import datetime
import operator
import os
import re
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

import sqlglot
from sqlglot import exp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

_CMP = {exp.EQ: operator.eq, exp.NEQ: operator.ne, exp.GT: operator.gt, exp.GTE: operator.ge,
        exp.LT: operator.lt, exp.LTE: operator.le}  # fmt: skip
_ARITH = {exp.Add: operator.add, exp.Sub: operator.sub, exp.Mul: operator.mul,
          exp.BitwiseOr: operator.or_, exp.BitwiseAnd: operator.and_}  # fmt: skip


def _and(a, b):
    if a is False or b is False:
        return False
    return None if a is None or b is None else True


def _or(a, b):
    if a is True or b is True:
        return True
    return None if a is None or b is None else False


def _cast(v, to):
    if v is None:
        return None
    try:
        if to in ("BIGINT", "INT", "INTEGER"):
            return int(str(v)) if not isinstance(v, bool) else int(v)
        if to == "DOUBLE":
            return float(v)
        if to == "DATE":
            return v if isinstance(v, datetime.date) else datetime.date.fromisoformat(str(v))
        if to in ("VARCHAR", "TEXT"):
            return str(v)
        if to == "BOOLEAN":
            return bool(v)
    except ValueError:
        return None
    return v


def ev(n, row):
    """Evaluate a compiled expression on one row (a dict), NULL as None."""
    t = type(n)
    if t is exp.Column:
        return row.get(n.name)
    if t is exp.Literal:
        return n.this if n.is_string else (float(n.this) if "." in n.this else int(n.this))
    if t is exp.Boolean:
        return n.this
    if t is exp.Null:
        return None
    if t is exp.Paren:
        return ev(n.this, row)
    if t is exp.And:
        return _and(ev(n.this, row), ev(n.expression, row))
    if t is exp.Or:
        return _or(ev(n.this, row), ev(n.expression, row))
    if t is exp.Not:
        v = ev(n.this, row)
        return None if v is None else not v
    if t in _CMP:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a is None or b is None else _CMP[t](a, b)
    if t in _ARITH:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a is None or b is None else _ARITH[t](a, b)
    if t is exp.Div:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a is None or b in (None, 0) else a / b
    if t is exp.IntDiv:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a is None or b in (None, 0) else a // b
    if t is exp.Mod:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a is None or b in (None, 0) else a % b
    if t is exp.Neg:
        v = ev(n.this, row)
        return None if v is None else -v
    if t is exp.Is:
        return ev(n.this, row) is None
    if t is exp.In:
        v = ev(n.this, row)
        items = [ev(e, row) for e in n.expressions]
        if v is None:
            return None
        return True if v in items else (None if None in items else False)
    if t is exp.Between:
        v, lo, hi = ev(n.this, row), ev(n.args["low"], row), ev(n.args["high"], row)
        return _and(None if v is None or lo is None else v >= lo,
                    None if v is None or hi is None else v <= hi)  # fmt: skip
    if t is exp.Coalesce:
        for e in [n.this, *n.expressions]:
            v = ev(e, row)
            if v is not None:
                return v
        return None
    if t is exp.Nullif:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a == b else a
    if t in (exp.Greatest, exp.Least):
        vals = [v for v in (ev(e, row) for e in [n.this, *n.expressions]) if v is not None]
        return (max if t is exp.Greatest else min)(vals) if vals else None
    if t is exp.Case:
        for case in n.args["ifs"]:
            if ev(case.this, row) is True:
                return ev(case.args["true"], row)
        default = n.args.get("default")
        return ev(default, row) if default is not None else None
    if t is exp.If:
        if ev(n.this, row) is True:
            return ev(n.args["true"], row)
        return ev(n.args["false"], row) if n.args.get("false") is not None else None
    if t is exp.Abs:
        v = ev(n.this, row)
        return None if v is None else abs(v)
    if t in (exp.Cast, exp.TryCast):
        return _cast(ev(n.this, row), n.to.this.value)
    if t is exp.Substring:
        s = ev(n.this, row)
        start = ev(n.args["start"], row)
        length = ev(n.args["length"], row) if n.args.get("length") else None
        if s is None:
            return None
        s = str(s)
        return s[start - 1 : start - 1 + length] if length is not None else s[start - 1 :]
    if t is exp.Upper:
        v = ev(n.this, row)
        return None if v is None else str(v).upper()
    if t is exp.Length:
        v = ev(n.this, row)
        return None if v is None else len(str(v))
    if t is exp.DPipe:
        a, b = ev(n.this, row), ev(n.expression, row)
        return None if a is None or b is None else f"{a}{b}"
    if t is exp.RegexpLike:
        v = ev(n.this, row)
        return None if v is None else re.search(ev(n.expression, row), str(v)) is not None
    if t is exp.Extract:
        v = ev(n.expression, row)
        return None if v is None else v.year
    if t is exp.DateFromParts:
        y, m, d = (ev(n.args[k], row) for k in ("year", "month", "day"))
        try:
            return None if None in (y, m, d) else datetime.date(int(y), int(m), int(d))
        except ValueError:
            return None
    if t is exp.LastDay:
        v = ev(n.this, row)
        if v is None:
            return None
        nxt = datetime.date(v.year + (v.month == 12), v.month % 12 + 1, 1)
        return nxt - datetime.timedelta(days=1)
    if t is exp.Day:
        v = ev(n.this, row)
        return None if v is None else v.day
    if t is exp.TimeToStr:
        v = ev(n.this, row)
        return None if v is None else v.strftime("%Y%m%d")
    raise NotImplementedError(type(n).__name__)


def aggregate(sql, members, parse):
    """One member aggregate (BOOL_OR, BOOL_AND, SUM, MIN, MAX, AVG, COUNT) over member dicts."""
    node = parse(sql)
    while isinstance(node, exp.Cast):
        node = node.this
    if isinstance(node, exp.Filter) and isinstance(node.this, exp.Count):  # COUNT(*) FILTER
        return sum(1 for m in members if ev(node.expression.this, m) is True)
    if isinstance(node, exp.Count):
        return len(members)
    kind = type(node).__name__
    vals = [ev(node.this, m) for m in members]
    vals = [v for v in vals if v is not None]
    if not vals:
        return None
    if kind == "BitwiseOrAgg":
        out = 0
        for v in vals:
            out |= v
        return out
    if kind == "LogicalOr":
        return any(vals)
    if kind == "LogicalAnd":
        return all(vals)
    if kind == "Sum":
        return float(sum(vals))
    if kind == "Avg":
        return sum(vals) / len(vals)
    return (max if kind == "Max" else min)(vals)


class RowwiseRuler:
    """The household rules of a compiled policy, applied to one household's rows at a time."""

    def __init__(self, compiled):
        from lantu.standards import schema

        self.c = compiled
        self.hv = compiled.levels["household"]
        cache = {}

        def parse(sql):
            if sql not in cache:
                cache[sql] = sqlglot.parse_one(sql, read="duckdb")
            return cache[sql]

        self.parse = parse
        y = str(compiled.year)
        self.member_derived = [(v.name, parse(v.sql.replace("{year}", y)))
                               for v in schema.DERIVED if v.level == "member" and v.sql
                               and v.name != "id_households"]  # fmt: skip
        self.household_derived = [(v.name, parse(v.sql)) for v in schema.DERIVED
                                  if v.level == "household" and v.sql]  # fmt: skip
        self.defines = [(name, parse(sql)) for name, sql in self.hv.defines.items()]
        self.clauses = [(cl, parse(cl.sql)) for cl in self.hv.clauses]
        self.applies = {r: parse(sql) for r, sql in self.hv.applies.items()}
        self.rules = {r.name: r for r in self.hv.rules}

    def evaluate(self, household, members, facts, previous):
        for m in members:
            idn = m.get("id_number") or ""
            m["id__17"] = int(idn[:17]) if idn[:17].isdigit() and len(idn) >= 17 else None
            for name, node in self.member_derived:
                m[name] = ev(node, m)
        row = dict(household)
        row["members_present"] = len(members)
        for a in self.hv.aggregates.values():
            row[a.column] = aggregate(a.sql, members, self.parse)
        row.update(facts)
        for name, node in self.household_derived:
            row[name] = ev(node, {**facts, "members_present": len(members)})
        for name in self.c.previous:
            node = dict(self.household_derived).get(name)
            prev = {**previous, "members_present": len(members)}
            row[f"previous__{name}"] = ev(node, prev) if node else previous.get(name)
        for name, node in self.defines:
            row[name] = ev(node, row)
        out = {}
        for layer in self.hv.layers:
            for cl, node in self.clauses:
                if cl.rule in layer:
                    row[cl.column] = ev(node, row)
            for name in layer:
                rule = self.rules[name]
                cols = [row[f"c__{name}__{cl.name}"] for cl in rule.clauses]
                row[f"t__{name}"] = all(cols) if rule.match == "all" else any(cols)
        for name in self.rules:
            out[name] = row[f"t__{name}"] if ev(self.applies[name], row) else None
        return out


def _plain(v):
    if isinstance(v, Decimal):
        return float(v)
    return None if v == "" else v


def orm_evaluate_all(ruler, year):
    """The baseline: every household through the ORM, one at a time."""
    from lantu.registry import columns
    from lantu.registry.models import Household, HouseholdYear, Member

    hh_fields = [c.name for c in columns.HOUSEHOLD_COLUMNS if c.name != "region_code"]
    m_fields = [c.name for c in columns.MEMBER_COLUMNS if c.name not in ("member_phone",)]
    y_fields = [c.name for c in columns.YEAR_COLUMNS]
    results = {}
    for h in Household.objects.select_related("region").iterator(chunk_size=2000):
        household = {f: _plain(getattr(h, f)) for f in hh_fields}
        household["region_code"] = h.region.code
        members = []
        for m in Member.objects.filter(household=h, active=True):
            row = {f: _plain(getattr(m, f)) for f in m_fields}
            row["member_phone"] = _plain(m.phone)
            row["id_households"] = Member.objects.filter(id_number=m.id_number, active=True).count()
            members.append(row)
        facts, previous = {}, {}
        for y in HouseholdYear.objects.filter(household=h, year__in=(year - 1, year)):
            target = facts if y.year == year else previous
            target.update({f: _plain(getattr(y, f)) for f in y_fields})
        results[h.household_no] = ruler.evaluate(household, members, facts, previous)
    return results


def _build_db(n, year):
    """A fresh SQLite file with n generated households (bulk inserts, no ORM objects)."""
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from lantu.engine.synthetic import generate
    from lantu.regions.services import load_regions, load_yunnan

    data = generate(households=n, years=(year - 1, year), seed=11)
    load_yunnan()
    villages = sorted(set(data["households"]["region_code"].to_pylist()))
    townships = sorted({v[:9] + "000" for v in villages})
    load_regions([{"code": t, "name": t, "level": "township", "type": "镇",
                   "parent_code": t[:6] + "000000"} for t in townships]
                 + [{"code": v, "name": v, "level": "village", "type": "行政村",
                     "parent_code": v[:9] + "000"} for v in villages])  # fmt: skip
    _insert(data, year)
    return data


def _insert(data, year):
    from lantu.core.bulksql import insert_rows
    from lantu.regions.models import Region
    from lantu.registry.models import Household, HouseholdYear, Member

    regions = {r.code: (r.pk, r.path) for r in Region.objects.filter(level="village")}
    hh = data["households"].to_pydict()
    n = len(hh["household_no"])
    now = datetime.datetime.now(datetime.UTC)
    cols = {f: hh[f] for f in hh if f != "region_code"}
    for f in ("registration_year", "exit_year", "planned_exit_year"):
        cols[f] = hh[f]
    cols["monitoring_type"] = [v or "" for v in hh["monitoring_type"]]
    cols["region"] = [regions[c][0] for c in hh["region_code"]]
    cols["region_path"] = [regions[c][1] for c in hh["region_code"]]
    cols["size"] = [0] * n
    cols["head_name"] = [""] * n
    cols["created_at"] = cols["updated_at"] = [now] * n
    insert_rows(Household, list(cols), list(cols.values()))
    ids = dict(Household.objects.values_list("household_no", "id"))
    m = data["members"].to_pydict()
    mcols = {f: m[f] for f in m if f not in ("household_no", "member_phone")}
    mcols["phone"] = m["member_phone"]
    mcols["household"] = [ids[x] for x in m["household_no"]]
    # The generator may draw the same ID twice; the registry allows one active listing.
    seen = set()
    active = []
    for idn, left in zip(m["id_number"], m["left_reason"], strict=True):
        active.append(not left and idn not in seen)
        seen.add(idn)
    mcols["active"] = active
    mcols["left_reason"] = [
        r or ("" if a else "重复") for r, a in zip(m["left_reason"], active, strict=True)
    ]
    mcols["legacy_id_number"] = [""] * len(m["household_no"])
    mcols["disability_grade"] = m["disability_grade"]
    insert_rows(Member, list(mcols), list(mcols.values()))
    y = data["years"].to_pydict()
    ycols = {f: [v if v is not None else "" for v in y[f]] if f.startswith(("other_cause",))
             else y[f] for f in y if f != "household_no"}  # fmt: skip
    ycols["household"] = [ids[x] for x in y["household_no"]]
    present = {}
    for no, a in zip(m["household_no"], active, strict=True):
        present[no] = present.get(no, 0) + a
    ycols["size"] = [present.get(no, 0) for no in y["household_no"]]
    # the model's derived income columns
    total = y["total_income"]
    net = [t - c for t, c in zip(total, y["production_cost"], strict=True)]
    ycols["total_income"] = [w + b + p + t for w, b, p, t in zip(
        y["wage_income"], y["business_income"], y["property_income"], y["transfer_income"],
        strict=True)]  # fmt: skip
    ycols["net_income"] = [t - c for t, c in zip(ycols["total_income"], y["production_cost"],
                                                 strict=True)]  # fmt: skip
    ycols["per_capita_net_income"] = net
    insert_rows(HouseholdYear, list(ycols), list(ycols.values()))


def side_by_side(n, policy, year, repeats=3):
    tmp = tempfile.mkdtemp(prefix="lantu-bench-")
    os.environ["LANTU_DATABASE_URL"] = f"sqlite:///{tmp}/bench.sqlite3"
    os.environ["LANTU_VAR_DIR"] = tmp
    t = time.perf_counter()
    _build_db(n, year)
    print(f"ORM comparison: {n:,} households loaded into SQLite in {time.perf_counter() - t:.0f} s")
    from lantu.engine import snapshot
    from lantu.engine.run import evaluate
    from lantu.standards.compiler import compile_policy
    from lantu.standards.policy import load

    compiled = compile_policy(load(policy), year)
    engine_times, snap_times = [], []
    for _ in range(repeats):
        t = time.perf_counter()
        inputs = snapshot.from_db(years=(year - 1, year))
        snap_times.append(time.perf_counter() - t)
        res = evaluate(policy, year, inputs)
        engine_times.append(time.perf_counter() - t)
    t = time.perf_counter()
    rowwise = orm_evaluate_all(RowwiseRuler(compiled), year)
    orm_time = time.perf_counter() - t
    rules = [r.name for r in compiled.levels["household"].rules]
    engine_rows = {r["household_no"]: r for r in res.households.select(
        ["household_no", *rules]).to_pylist()}  # fmt: skip
    cells = agree = 0
    for no, got in rowwise.items():
        for r in rules:
            cells += 1
            agree += got[r] == engine_rows[no][r]
    engine = statistics.median(engine_times)
    out = {
        "households": n,
        "engine_s": engine,
        "engine_snapshot_s": statistics.median(snap_times),
        "orm_rowwise_s": orm_time,
        "speedup": orm_time / engine,
        "agreement": agree / cells,
        "rules": len(rules),
    }
    print(f"  engine (ADBC snapshot + DuckDB), median of {repeats}: {engine:.2f} s "
          f"(snapshot {out['engine_snapshot_s']:.2f} s)")  # fmt: skip
    print(f"  ORM, household by household: {orm_time:.1f} s  →  {out['speedup']:.0f}× faster")
    print(f"  the two agree on {agree:,} of {cells:,} household×rule results "
          f"({100 * out['agreement']:.3f}%)")  # fmt: skip
    return out
