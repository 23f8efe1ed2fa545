"""A compiled policy → one SQL pipeline: a list of steps, each a SELECT that names its output.

Steps run in order on one engine (``lantu.engine.backends``); each reads the input tables
(``households``, ``members``, ``years``, optionally ``counties``) or earlier steps::

    members ─► m_typed ─► m_vars ─► h_agg (GROUP BY household: members present, every aggregate)
    households, years (Y and Y-1), h_agg ─► h_typed ─► h_vars ─► h_defs ─► h_clauses ─► h_results*
    h_results ─► v_agg (GROUP BY village) ─► v_defs ─► v_clauses ─► v_results*
    v_results, counties ─► c_agg (GROUP BY county) ─► c_defs ─► c_clauses ─► c_results*

The record chains (``schema.RECORDS``), when the policy has rules there and the snapshot has the
inputs::

    disbursements ─► d_typed ─► d_vars ─► d_results* ─► p_agg0 (GROUP BY project_code)
    projects, p_agg0 (FULL JOIN: a payment naming a project not given still makes its row) ─►
        p_typed ─► p_vars ─► p_results*
    allocations ─► a_typed … a_results* ─► f_agg0 (GROUP BY county_code, source, year)
    funds, f_agg0 ─► f_typed ─► f_vars ─► f_results*

(* materialised: read again by the next level and by the caller.) Every input column is cast to
its declared type (blank strings count as missing); a declared column the input lacks reads as
NULL, so partial snapshots still run and the rules needing the missing data fail, saying so.
Steps are plain SQL in the DuckDB dialect; other engines transpile them with sqlglot.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from lantu.registry import columns
from lantu.standards import schema
from lantu.standards.compiler import MASK_BITS, Compiled, LevelSql

RESULT_TABLES = {
    "household": "h_results",
    "village": "v_results",
    "county": "c_results",
    "disbursement": "d_results",
    "project": "p_results",
    "allocation": "a_results",
    "fund": "f_results",
}
KEY = {"household": "household_no", "village": "village_code", "county": "county_code"}
PREFIX = {"disbursement": "d", "project": "p", "allocation": "a", "fund": "f"}


@dataclass(frozen=True)
class Step:
    name: str
    sql: str
    materialise: bool = False


Columns = Mapping[str, str]  # an input table's columns → their type (normalised, see backends)


def _typed(name: str, sqltype: str, present: Columns, alias: str | None = None) -> str:
    """The column cast to its declared type. A column already of that type passes as it is
    (casting strings costs ~20× a plain read); text input (CSV) is trimmed and cast."""
    out = alias or name
    if name not in present:
        return f"CAST(NULL AS {sqltype}) AS {out}"
    have = present[name]
    if have == sqltype:
        return f"NULLIF({name}, '') AS {out}" if sqltype == "VARCHAR" else f"{name} AS {out}"
    if sqltype == "VARCHAR":
        return f"NULLIF(TRIM(CAST({name} AS VARCHAR)), '') AS {out}"
    if sqltype == "BOOLEAN" and have == "VARCHAR":
        return f"TRY_CAST(NULLIF(TRIM({name}), '') AS BOOLEAN) AS {out}"
    return f"TRY_CAST({name} AS {sqltype}) AS {out}"


def _kind_type(col: columns.Column) -> str:
    return schema.variables("member" if col.level == "member" else "household")[col.name].type


def _rename(sql: str, mapping: dict[str, str]) -> str:
    def swap(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and node.name in mapping:
            return exp.column(mapping[node.name])
        return node

    return sqlglot.parse_one(sql, read="duckdb").transform(swap).sql("duckdb")


def _used(sqls: list[str]) -> set[str]:
    names: set[str] = set()
    for s in sqls:
        names |= {c.name for c in sqlglot.parse_one(s, read="duckdb").find_all(exp.Column)}
    return names


def member_steps(c: Compiled, present: Columns) -> list[Step]:
    typed = ["CAST(household_no AS VARCHAR) AS household_no"]
    typed += [_typed(col.name, _kind_type(col), present) for col in columns.MEMBER_COLUMNS]
    typed += [_typed(v.name, v.type, present) for v in schema.LINKED if v.level == "member"]
    # The ID's first 17 digits as a number, once: the check-character rule works on it.
    typed.append(
        "TRY_CAST(SUBSTRING(NULLIF(CAST(id_number AS VARCHAR), ''), 1, 17) AS BIGINT) AS id__17"
        if "id_number" in present
        else "CAST(NULL AS BIGINT) AS id__17"
    )
    used = _used([a.sql for a in c.levels["household"].aggregates.values()])
    derived = [
        f"{v.sql.replace('{year}', str(c.year))} AS {v.name}"
        for v in schema.DERIVED
        if v.level == "member" and v.name in used and v.sql
    ]
    steps = [
        Step("m_typed", f"SELECT {', '.join(typed)} FROM members"),
        Step("m_present", "SELECT * FROM m_typed WHERE left_reason IS NULL"),
    ]
    source = "m_present"
    if "id_households" in used:
        # Listings per ID number: a GROUP BY and a join on the few duplicates, rather than a
        # window over every member (a sort of the whole province).
        steps.append(
            Step(
                "m_dups",
                "SELECT id_number, COUNT(*) AS dup__n FROM m_present "
                "WHERE id_number IS NOT NULL GROUP BY id_number HAVING COUNT(*) > 1",
            )
        )
        source = "m_present LEFT JOIN m_dups USING (id_number)"
    extra = "".join(", " + d for d in derived)
    return [*steps, Step("m_vars", f"SELECT *{extra} FROM {source}")]


def _agg_step(name: str, source: str, key_sql: str, key: str, lv: LevelSql, extra: str) -> Step:
    aggs = "".join(f", {a.sql} AS {a.column}" for a in lv.aggregates.values())
    return Step(name, f"SELECT {key_sql} AS {key}{extra}{aggs} FROM {source} GROUP BY {key_sql}")


def household_steps(c: Compiled, present: Mapping[str, Columns]) -> list[Step]:
    lv = c.levels["household"]
    hh = ["CAST(h.household_no AS VARCHAR) AS household_no"]
    hh += [
        _typed(col.name, _kind_type(col), present["households"])
        for col in columns.HOUSEHOLD_COLUMNS[1:]
    ]
    hh += [
        _typed(v.name, v.type, present["households"])
        for v in schema.LINKED
        if v.level == "household"
    ]
    year_cols = [col for col in columns.YEAR_COLUMNS]
    ytyped = ["CAST(household_no AS VARCHAR) AS household_no"]
    ytyped += [_typed(col.name, _kind_type(col), present["years"]) for col in year_cols]
    names = [col.name for col in year_cols]
    cur = [f"y.{n} AS y__{n}" for n in names] + [f"p.{n} AS p__{n}" for n in names]
    aggs = "".join(f", a.{a.column}" for a in lv.aggregates.values())
    joined = (
        f"SELECT {', '.join(hh)}, {', '.join(cur)}, "
        f"COALESCE(a.members_present, 0) AS members_present{aggs} "
        "FROM households h "
        f"LEFT JOIN (SELECT * FROM y_typed WHERE year = {c.year}) y "
        "ON y.household_no = CAST(h.household_no AS VARCHAR) "
        f"LEFT JOIN (SELECT * FROM y_typed WHERE year = {c.year - 1}) p "
        "ON p.household_no = CAST(h.household_no AS VARCHAR) "
        "LEFT JOIN h_agg a ON a.household_no = CAST(h.household_no AS VARCHAR)"
    )
    derived_names = {v.name for v in schema.DERIVED if v.level == "household"}
    cols = [f"y__{n} AS {n}" for n in names if n not in derived_names]
    cur_map = {n: f"y__{n}" for n in names}
    prev_map = {n: f"p__{n}" for n in names}
    for v in schema.DERIVED:
        if v.level == "household" and v.sql:
            cols.append(f"{_rename(v.sql, cur_map)} AS {v.name}")
    for n in sorted(c.previous):
        var = schema.variables("household")[n]
        sql = _rename(var.sql, prev_map) if var.sql else f"p__{n}"
        cols.append(f"{sql} AS previous__{n}")
    keep = ", ".join([*(col.name for col in columns.HOUSEHOLD_COLUMNS), "members_present"])
    keep += "".join(f", {v.name}" for v in schema.LINKED if v.level == "household")
    keep += "".join(f", {a.column}" for a in lv.aggregates.values())
    return [
        Step("y_typed", f"SELECT {', '.join(ytyped)} FROM years"),
        Step("h_agg", _agg_step("h_agg", "m_vars", "household_no", "household_no", lv,
                                ", COUNT(*) AS members_present").sql),
        Step("h_typed", joined),
        Step("h_vars", f"SELECT {keep}, {', '.join(cols)} FROM h_typed"),
        *rule_steps("h", "h_vars", lv),
    ]  # fmt: skip


def _failed_masks(lv: LevelSql, applies: Mapping[str, str]) -> list[str]:
    """``failed_<k>``: one bit per clause that failed in a rule that applies and did not pass,
    ORed into a BIGINT per ``MASK_BITS`` clauses (numbers, not a string per row: cheap to build;
    ``explain.failed_text`` spells them out). Clauses, tests and applicability are never NULL
    (the compiler wraps them in COALESCE), so in a rule matching ``all`` a failed clause implies
    the rule did not pass, and in one matching ``any`` a rule that did not pass failed every
    clause: the bit is ``NOT clause`` (``all``) or ``NOT t__rule`` (``any``), and also
    ``a__rule`` when the rule does not always apply."""
    match = {r.name: r.match for r in lv.rules}
    conds = []
    for cl in lv.clauses:
        cond = f"NOT {cl.column}" if match[cl.rule] == "all" else f"NOT t__{cl.rule}"
        conds.append(f"a__{cl.rule} AND {cond}" if cl.rule in applies else cond)
    out = []
    for k, col in enumerate(lv.failed_columns()):
        chunk = conds[k * MASK_BITS : (k + 1) * MASK_BITS]
        bits = " | ".join(
            f"CASE WHEN {cond} THEN {1 << i} ELSE 0 END" for i, cond in enumerate(chunk)
        )
        out.append(f"CAST({bits} AS BIGINT) AS {col}")
    return out


def rule_steps(prefix: str, source: str, lv: LevelSql) -> list[Step]:
    """One step per layer of rules (clause columns, then each rule's test as ``t__<rule>``),
    then the defines and applicability, then outcomes and the failed clauses. A rule that always
    applies has no ``a__`` column: its outcome is its test."""
    steps = []
    for k, layer in enumerate(lv.layers):
        cols = [f"{cl.sql} AS {cl.column}" for cl in lv.clauses if cl.rule in layer]
        tests = [f"({lv.outcomes[name]}) AS t__{name}" for name in layer]
        steps.append(Step(f"{prefix}_r{k}", f"SELECT *, {', '.join(cols + tests)} FROM {source}"))
        source = f"{prefix}_r{k}"
    applies = {name: sql for name, sql in lv.applies.items() if sql != "TRUE"}
    extra = [f"{sql} AS {name}" for name, sql in lv.defines.items()]
    extra += [f"{sql} AS a__{name}" for name, sql in applies.items()]
    if extra:
        steps.append(Step(f"{prefix}_defs", f"SELECT *, {', '.join(extra)} FROM {source}"))
        source = f"{prefix}_defs"
    outcomes = [
        f"CASE WHEN a__{name} THEN t__{name} END AS {name}"
        if name in applies
        else f"t__{name} AS {name}"
        for name in lv.applies
    ]
    cols = outcomes + _failed_masks(lv, applies)
    select = f"SELECT *, {', '.join(cols)} FROM {source}" if cols else f"SELECT * FROM {source}"
    steps.append(Step(f"{prefix}_full", select))
    return steps


def _result_step(prefix: str, key_cols: list[str], lv: LevelSql, parent: LevelSql | None) -> Step:
    """The materialised result: keys, rule outcomes, failed clauses (``failed_<k>``), and whatever
    the level above reads in its aggregates."""
    wanted = [*key_cols, *(r.name for r in lv.rules), *lv.failed_columns()]
    if parent is not None:
        for name in sorted(_used([a.sql for a in parent.aggregates.values()])):
            if name not in wanted:
                wanted.append(name)
    return Step(RESULT_TABLES[lv.level], f"SELECT {', '.join(wanted)} FROM {prefix}_full", True)


def _record_input(level: schema.Level, present: Mapping[str, Columns]) -> list[Step]:
    """A record level's input, every declared column cast to its type (``_typed``), then its
    derived variables; a missing input table reads as no rows."""
    rec = schema.RECORDS[level]
    have = present.get(rec.input, {})
    typed = [_typed(v.name, v.type, have) for v in schema.record_columns(level)]
    source = rec.input if rec.input in present else "(SELECT 1) AS none WHERE FALSE"
    if rec.input not in present:
        typed = [f"CAST(NULL AS {v.type}) AS {v.name}" for v in schema.record_columns(level)]
    return [Step(f"{PREFIX[level]}_typed", f"SELECT {', '.join(typed)} FROM {source}")]


def _derived(level: schema.Level, c: Compiled, source: str) -> str:
    derived = [
        f"{v.sql.replace('{year}', str(c.year))} AS {v.name}"
        for v in schema.variables(level).values()
        if v.sql
    ]
    return f"SELECT *{''.join(', ' + d for d in derived)} FROM {source}"


def _record_result(level: schema.Level, lv: LevelSql, parent: LevelSql | None) -> Step:
    return _result_step(PREFIX[level], list(schema.RECORDS[level].keys), lv, parent)


def record_steps(c: Compiled, present: Mapping[str, Columns]) -> list[Step]:
    """The record chains whose rules the policy has in force (see the module's docstring)."""
    steps: list[Step] = []
    for top in ("project", "fund"):
        child = schema.CHILD[top]
        lt, lc = c.levels[top], c.levels[child]
        if not lt.rules and not lc.rules:
            continue
        if schema.RECORDS[top].input not in present and schema.RECORDS[child].input not in present:
            continue
        cp, tp = PREFIX[child], PREFIX[top]
        steps += _record_input(child, present)
        steps.append(Step(f"{cp}_vars", _derived(child, c, f"{cp}_typed")))
        steps += rule_steps(cp, f"{cp}_vars", lc)
        steps.append(_record_result(child, lc, lt))
        pkeys = schema.RECORDS[child].parent_keys
        keys = ", ".join(pkeys)
        aggs = "".join(f", {a.sql} AS {a.column}" for a in lt.aggregates.values())
        steps.append(
            Step(f"{tp}_agg0", f"SELECT {keys}{aggs} FROM {RESULT_TABLES[child]} GROUP BY {keys}")
        )
        steps += _record_input(top, present)
        cols = [f"COALESCE(t.{k}, g.{k}) AS {k}" for k in pkeys]
        cols += [f"t.{v.name}" for v in schema.record_columns(top) if v.name not in pkeys]
        cols += [f"g.{a.column}" for a in lt.aggregates.values()]
        on = " AND ".join(f"t.{k} = g.{k}" for k in pkeys)
        steps.append(
            Step(
                f"{tp}_joined",
                f"SELECT {', '.join(cols)} FROM {tp}_typed t FULL JOIN {tp}_agg0 g ON {on}",
            )
        )
        steps.append(Step(f"{tp}_vars", _derived(top, c, f"{tp}_joined")))
        steps += rule_steps(tp, f"{tp}_vars", lt)
        steps.append(_record_result(top, lt, None))
    return steps


def build(c: Compiled, present: Mapping[str, Columns]) -> list[Step]:
    """Every step for the compiled policy; ``present`` gives each input table's columns and
    their types (``Backend.register``)."""
    hv, vv, cv = c.levels["household"], c.levels["village"], c.levels["county"]
    steps = member_steps(c, present["members"]) + household_steps(c, present)
    steps.append(_result_step("h", ["household_no", "region_code"], hv, vv))
    steps += record_steps(c, present)
    if not vv.rules and not cv.rules:
        return steps
    # Village inputs (optional table ``villages``): the rural population from the household
    # register (lantu.matching.population), the incidence's denominator.
    vlinked = [v for v in schema.LINKED if v.level == "village"]
    village_cols = "".join(f", {_typed(v.name, v.type, present.get('villages', {}))}"
                           for v in vlinked)  # fmt: skip
    village_src = "villages" if "villages" in present else "(SELECT 1 AS village_code)"
    steps.append(
        Step("v_in", f"SELECT CAST(village_code AS VARCHAR) AS village_code{village_cols} "
                     f"FROM {village_src}")
    )  # fmt: skip
    steps.append(
        _agg_step("v_agg0", "h_results", "SUBSTRING(region_code, 1, 12)", "village_code", vv, "")
    )
    vpicks = "".join(f", i.{v.name}" for v in vlinked)
    steps.append(
        Step("v_agg", f"SELECT g.*{vpicks} FROM v_agg0 g LEFT JOIN v_in i "
                      "ON i.village_code = g.village_code")
    )  # fmt: skip
    steps += rule_steps("v", "v_agg", vv)
    steps.append(_result_step("v", ["village_code"], vv, cv))
    if not cv.rules:
        return steps
    linked = [v for v in schema.LINKED if v.level == "county"]
    county_cols = "".join(f", {_typed(v.name, v.type, present.get('counties', {}))}"
                          for v in linked)  # fmt: skip
    county_src = "counties" if "counties" in present else "(SELECT 1 AS county_code)"
    steps.append(
        Step("c_in", f"SELECT CAST(county_code AS VARCHAR) AS county_code{county_cols} "
                     f"FROM {county_src}")
    )  # fmt: skip
    agg = _agg_step("c_agg0", "v_results", "SUBSTRING(village_code, 1, 6)", "county_code", cv, "")
    steps.append(agg)
    picks = "".join(f", i.{v.name}" for v in linked)
    steps.append(
        Step("c_agg", f"SELECT g.*{picks} FROM c_agg0 g LEFT JOIN c_in i "
                      "ON i.county_code = g.county_code")
    )  # fmt: skip
    steps += rule_steps("c", "c_agg", cv)
    steps.append(_result_step("c", ["county_code"], cv, None))
    return steps
