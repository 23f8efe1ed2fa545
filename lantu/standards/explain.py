"""Results that explain themselves: failed clauses as reasons, long tables, policy provenance.

The pipeline computes, per household (village, county), one boolean column per rule and the failed
clauses as bit masks (``failed_<k>``); ``failed_text`` spells the masks out as comma-separated
``rule.clause`` ids, the ``failed`` column of ``lantu.engine.run.Results``, the one place where
masks are decoded. Here those ids become readable reasons
in Chinese and English, results become a long table (one row per household and rule), and a
policy says where each value in force comes from ("yunnan 2025: 监测收入标准 = 8700 —
云农办通〔2025〕1号").
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pyarrow as pa
import pyarrow.compute as pc

from lantu.standards.compiler import MASK_BITS, Compiled, LevelSql
from lantu.standards.policy import Policy


@dataclass(frozen=True)
class Reason:
    rule: str
    clause: str
    zh: str
    en: str


def failed_text(table: pa.Table, lv: LevelSql) -> pa.Array:
    """Each row's failed clauses as comma-separated ``rule.clause`` ids in the order of
    ``lv.clauses`` (null: none), from the masks ``failed_<k>`` (``LevelSql.failed_columns``).
    Households share few distinct masks (thousands in a province), so each distinct combination
    is spelled once and every row takes its spelling: no string is built per row."""
    ids = [f"{cl.rule}.{cl.clause}" for cl in lv.clauses]
    code = pa.repeat(pa.scalar(0, pa.int64()), table.num_rows)  # row → its entry in ``combos``
    combos: list[list[str]] = [[]]  # the distinct combinations so far, spelled out
    for k, col in enumerate(lv.failed_columns()):
        masks = pc.fill_null(table[col].combine_chunks().cast(pa.int64()), 0)
        distinct = pc.unique(masks)
        spelt = []
        for m in distinct.to_pylist():
            out = []
            while m:
                low = m & -m
                out.append(ids[k * MASK_BITS + low.bit_length() - 1])
                m ^= low
            spelt.append(out)
        where = pc.cast(pc.index_in(masks, value_set=distinct), pa.int64())
        pair = pc.add(pc.multiply(code, len(spelt)), where)
        seen = pc.unique(pair)
        combos = [combos[c // len(spelt)] + spelt[c % len(spelt)] for c in seen.to_pylist()]
        code = pc.index_in(pair, value_set=seen)
    texts = pa.array([",".join(c) or None for c in combos], pa.string())
    return pc.take(texts, code)


def with_failed_text(table: pa.Table, lv: LevelSql) -> pa.Table:
    """``table`` with its masks ``failed_<k>`` replaced by ``failed`` (``failed_text``), where the
    first mask stood."""
    cols = lv.failed_columns()
    if not cols:
        return table.append_column("failed", pa.nulls(table.num_rows, pa.string()))
    at = table.column_names.index(cols[0])
    text = failed_text(table, lv)
    return table.drop_columns(cols).add_column(at, "failed", text)


def reasons(failed: str | None, clause_text: dict[str, tuple[str, str, str, str]]) -> list[Reason]:
    out = []
    for cid in (failed or "").split(","):
        if not cid:
            continue
        rule, _, clause = cid.partition(".")
        rzh, ren, czh, cen = clause_text.get(cid, (rule, rule, clause, clause))
        out.append(Reason(rule, clause, f"{rzh}：未满足“{czh}”", f"{ren}: not met: {cen}"))
    return out


def clause_table(c: Compiled) -> pa.Table:
    ids = list(c.clause_text)
    return pa.table(
        {
            "clause_id": ids,
            "reason_zh": [f"{v[2]}" for v in c.clause_text.values()],
            "reason_en": [f"{v[3]}" for v in c.clause_text.values()],
        }
    )


def long_table(households: pa.Table, c: Compiled) -> pa.Table:
    """One row per household and applicable rule: passed, and the failed clauses' reasons."""
    rules = [r.name for r in c.levels["household"].rules]
    con = duckdb.connect()
    con.register("h", households)
    con.register("clauses", clause_table(c))
    cols = ", ".join(rules)
    sql = f"""
        WITH u AS (
            UNPIVOT (SELECT household_no, year, policy, policy_version, policy_hash, failed, {cols}
                     FROM h)
            ON {cols} INTO NAME rule VALUE passed
        ), f AS (
            SELECT u.*, UNNEST(string_split(COALESCE(failed, ''), ',')) AS clause_id FROM u
        )
        SELECT f.household_no, f.year, f.rule, f.passed,
               string_agg(c.reason_zh, '；' ORDER BY f.clause_id) AS reasons_zh,
               string_agg(c.reason_en, '; ' ORDER BY f.clause_id) AS reasons_en,
               f.policy, f.policy_version, f.policy_hash
        FROM f LEFT JOIN clauses c
          ON c.clause_id = f.clause_id AND starts_with(f.clause_id, f.rule || '.')
        GROUP BY ALL
        ORDER BY f.household_no, f.rule
    """
    table = con.sql(sql).arrow().read_all()
    con.close()
    return table


def provenance(policy: Policy, year: int) -> list[dict[str, str]]:
    """Every parameter's value in force in ``year``, where it comes from and its reference;
    ``overridden`` is true when a file below the national baseline set it."""
    base = policy.chain[0]
    out = []
    for p in policy.parameters.values():
        v = p.at(year)
        if v is None:
            continue
        out.append(
            {
                "name": p.name,
                "zh": p.zh,
                "en": p.en,
                "value": str(v.value),
                "unit": p.unit,
                "source": v.source,
                "ref": v.ref,
                "from": str(v.start),
                "overridden": str(v.source != base).lower(),
                "zh_note": f"{v.source} {year}年：{p.zh} = {v.value} —— {v.ref}",
                "en_note": f"{v.source} {year}: {p.en} = {v.value} — {v.ref}",
            }
        )
    return out
