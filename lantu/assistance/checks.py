"""What an assistance file must satisfy beyond each value, checked before anything is written
and every problem reported in one pass: an end before its start; a cadre number or ID number twice
in the file, or an ID number already another cadre's; a work team without a first secretary; two
open pairings of one household, or a new pairing that does not start after the household's
current one; the same measure twice in a plan; a visit in the future; duplicate rows."""

from __future__ import annotations

import datetime
from typing import Any

import polars as pl

from lantu.assistance.columns import TABLES
from lantu.core.bulksql import select_in
from lantu.registry.reader import ROW
from lantu.registry.validate import RowError

Refs = dict[str, dict[str, tuple[Any, ...]]]


def _err(
    rows: list[int], kind: str, col: str, values: list[Any], zh: str, en: str
) -> list[RowError]:
    header = {c.name: c.zh for c in TABLES[kind].columns}[col]
    return [
        RowError(r, header, "" if v is None else str(v), zh.format(v=v), en.format(v=v))
        for r, v in zip(rows, values, strict=True)
    ]


def _dups(p: pl.DataFrame, kind: str, key: list[str], col: str) -> list[RowError]:
    d = p.filter(pl.struct(key).is_duplicated())
    return _err(
        d[ROW].to_list(),
        kind,
        col,
        d[col].to_list(),
        "“{v}”在文件中重复出现",
        "'{v}' appears more than once in the file",
    )


def file_checks(kind: str, p: pl.DataFrame, refs: Refs) -> list[RowError]:
    """What a file must satisfy beyond each value (every problem, in one pass)."""
    errors: list[RowError] = []
    for start, end in (("start_date", "end_date"), ("term_start", "term_end")):
        if start in p.columns and end in p.columns:
            bad = p.filter(pl.col(end) < pl.col(start))
            errors += _err(
                bad[ROW].to_list(),
                kind,
                end,
                bad[end].to_list(),
                "结束日期{v}早于开始日期",
                "the end {v} is before the start",
            )
    if kind == "cadres":
        errors += _dups(p, kind, ["cadre_no"], "cadre_no") + _dups(
            p, kind, ["id_number"], "id_number"
        )
        taken = {
            n: c
            for n, c in select_in(
                "SELECT id_number, cadre_no FROM assistance_cadre WHERE id_number IN ({})",
                p["id_number"].drop_nulls().to_list(),
            )
        }
        bad = p.filter(pl.col("id_number").is_in(list(taken))).filter(
            pl.col("cadre_no") != pl.col("id_number").replace_strict(taken, default=None)
        )
        errors += _err(
            bad[ROW].to_list(),
            kind,
            "id_number",
            bad["id_number"].to_list(),
            "身份证号{v}已登记为另一名干部",
            "ID {v} is already another cadre's",
        )
    elif kind == "teams":
        secretaries = p.group_by("village_code", "term_start").agg(
            (pl.col("role") == "first_secretary").sum().alias("n"), pl.col(ROW).min()
        )
        bad = secretaries.filter(pl.col("n") == 0)
        errors += _err(
            bad[ROW].to_list(),
            kind,
            "role",
            ["" for _ in range(bad.height)],
            "该工作队没有第一书记",
            "the team has no first secretary",
        )
        errors += _dups(p, kind, ["village_code", "term_start", "cadre_no", "role"], "cadre_no")
    elif kind == "pairings":
        opens = p.filter(pl.col("end_date").is_null()) if "end_date" in p.columns else p
        errors += _dups(opens, kind, ["household_no"], "household_no")
        errors += _dups(p, kind, ["household_no", "cadre_no", "start_date"], "cadre_no")
        errors += _later_open_pairings(p, opens, kind)
    elif kind == "plans":
        errors += _dups(p, kind, ["household_no", "year", "measure"], "measure")
    elif kind == "visits":
        late = p.filter(pl.col("date") > datetime.date.today())
        errors += _err(
            late[ROW].to_list(),
            kind,
            "date",
            late["date"].to_list(),
            "走访日期{v}晚于今天",
            "the visit date {v} is in the future",
        )
        errors += _dups(p, kind, ["household_no", "cadre_no", "date"], "date")
    return errors


def _later_open_pairings(p: pl.DataFrame, opens: pl.DataFrame, kind: str) -> list[RowError]:
    """A new open pairing must start after the household's open one with another cadre."""
    rows = select_in(
        "SELECT h.household_no, c.cadre_no, x.start_date FROM assistance_pairing x "
        "JOIN registry_household h ON h.id = x.household_id JOIN assistance_cadre c "
        "ON c.id = x.cadre_id WHERE x.end_date IS NULL AND h.household_no IN ({})",
        opens["household_no"].to_list(),
    )
    if not rows:
        return []
    rows = [(h, c, str(d)) for h, c, d in rows]  # SQLite: text; PostgreSQL: a date
    db = pl.DataFrame(
        rows,
        orient="row",
        schema={"household_no": pl.String, "db_cadre": pl.String, "db_start": pl.String},
    )
    bad = opens.join(
        db.with_columns(pl.col("db_start").str.slice(0, 10).str.to_date()), on="household_no"
    ).filter(
        (pl.col("db_cadre") != pl.col("cadre_no")) & (pl.col("start_date") <= pl.col("db_start"))
    )
    return _err(
        bad[ROW].to_list(),
        kind,
        "start_date",
        bad["db_start"].to_list(),
        "该户现有结对始于{v}，新结对日期须晚于该日期",
        "the household's current pairing began {v}: a new one must start later",
    )
