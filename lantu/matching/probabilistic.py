"""The probabilistic pass: Splink (Fellegi-Sunter) over name (characters and pinyin), birth date,
sex, place and contact phone, for department records without a usable ID number.

The model is plain data (``linkage.yaml``): blocking rules, and for each compared column its
levels with their m and u probabilities (configurable defaults, not trained each run, so a run is
reproducible and a small county gets the same weights as a province); exact-name agreement is
adjusted for how common the name is (Splink's term frequencies). Splink scores the blocked pairs
on DuckDB (``DuckDBAPI``, the default) or on Spark (``SparkAPI``, ``engine="spark"`` or
``engine:`` in linkage.yaml, for national scale): the model's SQL is written in DuckDB's dialect
and transpiled to Spark's by sqlglot, so both engines score the same pairs alike. Household-level
records (a disaster report names the household head) are compared with household heads and
household sizes besides name and place; records that give a contact phone (a property's
applicant, a company's legal representative, a vehicle's owner) with the registry's phone (the
member's own, else the household's). A record's candidates compete (one person listed twice
is one candidate): its best is linked when its probability among the record's candidates
reaches the bar of the evidence the record carries and the pair agrees on (``auto_link``);
otherwise candidates at or above ``thresholds.review`` go to the review queue.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import yaml

CONFIG = Path(__file__).resolve().parent / "linkage.yaml"
COLUMNS = (
    "uid",
    "name",
    "name_py",
    "birth_date",
    "sex",
    "region_code",
    "household_size",
    "role",
    "phone",
)
ENGINES = ("duckdb", "spark")


@lru_cache(maxsize=4)
def config(path: Path = CONFIG) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _sql(sql: str, dialect: str) -> str:
    """``sql`` (DuckDB's dialect, as written in linkage.yaml) in the engine's dialect."""
    if dialect == "duckdb" or sql == "ELSE":
        return sql
    import sqlglot

    return str(sqlglot.transpile(sql, read="duckdb", write=dialect)[0])


def _u(levels: list[dict[str, Any]], people: int) -> list[float]:
    """Each level's u: as given; ``u_people: k`` — k of the registry's people share the value
    (a household's phone), u = k / people, so it scales with the registry as the prior does;
    ``u: rest`` — what the other levels leave."""
    given = [
        min(0.5, float(lv["u_people"]) / max(people, 1)) if "u_people" in lv else lv["u"]
        for lv in levels
    ]
    fixed = sum(float(u) for u in given if u != "rest")
    if "rest" in given and fixed > 0.99:
        # A registry smaller than a village's share: the scaled levels split what is left.
        given = [u if u == "rest" else float(u) * 0.99 / fixed for u in given]
        fixed = 0.99
    rest = 1.0 - fixed
    return [rest if u == "rest" else float(u) for u in given]


def _level(column: str, lv: dict[str, Any], u: float, dialect: str = "duckdb") -> dict[str, Any]:
    out: dict[str, Any] = {
        "sql_condition": _sql(lv["sql"], dialect),
        "label_for_charts": lv["label"],
        "m_probability": lv["m"],
        "u_probability": u,
    }
    if lv.get("tf"):
        out["tf_adjustment_column"] = lv["tf"]
        out["tf_adjustment_weight"] = 1.0
    return out


def settings(cfg: dict[str, Any], people: int, dialect: str = "duckdb") -> dict[str, Any]:
    comparisons = []
    for comp in cfg["comparisons"]:
        col = comp["column"]
        null = {
            "sql_condition": f"{col}_l IS NULL OR {col}_r IS NULL",
            "label_for_charts": "missing",
            "is_null_level": True,
        }
        comparisons.append(
            {
                "output_column_name": col,
                "comparison_levels": [
                    null,
                    *[
                        _level(col, lv, u, dialect)
                        for lv, u in zip(comp["levels"], _u(comp["levels"], people), strict=True)
                    ],
                ],
            }
        )
    prior = min(0.5, float(cfg["registry_share"]) / max(people, 1))
    return {
        "link_type": "link_only",
        "unique_id_column_name": "uid",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": _sql(rule, dialect)} for rule in cfg["blocking"]
        ],
        "comparisons": comparisons,
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
    }


def _inputs(con: duckdb.DuckDBPyConnection, records: pa.Table, people: pa.Table) -> None:
    """``recs`` and ``ppl``: the compared columns, blanks as NULL (Splink's null level)."""
    con.register("rec_in", records)
    con.register("ppl_in", people)

    def shaped(table: pa.Table, uid: str, region: str) -> str:
        have = set(table.column_names)
        cols = [f"{uid} AS uid"]
        for c in ("name", "name_py", "sex", "role", "phone"):
            cols.append(
                f"NULLIF(CAST({c} AS VARCHAR), '') AS {c}" if c in have else f"NULL::VARCHAR AS {c}"
            )
        cols.append(f"NULLIF({region}, '') AS region_code")
        cols.append("birth_date")
        size = "CAST(household_size AS BIGINT)" if "household_size" in have else "NULL::BIGINT"
        cols.append(f"{size} AS household_size")
        return ", ".join(cols)

    con.execute(f"CREATE TABLE recs AS SELECT {shaped(records, 'rec', 'region_code')} FROM rec_in")
    region = "substr(region_code, 1, 12)"
    con.execute(f"CREATE TABLE ppl AS SELECT {shaped(people, 'member', region)} FROM ppl_in")


def _columns(given: str | list[str] | None) -> list[str]:
    return [given] if isinstance(given, str) else list(given or [])


def _agrees(cfg: dict[str, Any], column: str) -> str:
    """SQL over a pair's ``<column>_l`` / ``_r``: the pair reaches one of the column's levels
    other than ELSE (for a name: exact, same pinyin or similar pinyin)."""
    comp = next(c for c in cfg["comparisons"] if c["column"] == column)
    levels = [f"({lv['sql']})" for lv in comp["levels"] if lv["sql"] != "ELSE"]
    return f"coalesce({' OR '.join(levels) or 'FALSE'}, FALSE)"


def _bars(cfg: dict[str, Any]) -> str:
    """SQL over ``best`` (rec, member): the probability at which each pair may be linked without
    a person — the lowest ``link`` of the ``auto_link`` alternatives whose ``needs`` the record
    all carries and on whose ``agree`` columns the pair agrees (``thresholds.link`` where an
    alternative gives none); NULL: review at best."""
    default = float(cfg["thresholds"]["link"])
    cases = []
    for alt in cfg.get("auto_link") or [{"needs": [], "link": default}]:
        conds = [f"{c}_l IS NOT NULL" for c in _columns(alt["needs"])]
        conds += [_agrees(cfg, c) for c in _columns(alt.get("agree"))]
        cond = " AND ".join(conds) or "TRUE"
        cases.append(f"CASE WHEN {cond} THEN {float(alt.get('link', default))} END")
    bar = f"least({', '.join(cases)})" if len(cases) > 1 else cases[0]
    side = {s: ", ".join(f"{c} AS {c}_{s}" for c in COLUMNS if c != "uid") for s in ("l", "r")}
    return f"""
        SELECT rec, member, {bar} AS bar FROM best
        JOIN (SELECT uid AS rec, {side["l"]} FROM recs) USING (rec)
        JOIN (SELECT uid AS member, {side["r"]} FROM ppl) USING (member)
    """


@dataclass
class Outcome:
    links: pa.Table  # rec, member, method, probability
    review: pa.Table  # rec, member, probability


def engine_of(cfg: dict[str, Any], engine: str | None) -> str:
    chosen = engine or str(cfg.get("engine") or "duckdb")
    if chosen not in ENGINES:
        raise ValueError(f"engine {chosen!r}: one of {', '.join(ENGINES)}")
    return chosen


def link(
    records: pa.Table,
    people: pa.Table,
    *,
    cfg: dict[str, Any] | None = None,
    engine: str | None = None,
    spark: Any = None,
) -> Outcome:
    """Score records (rec, name, name_py, birth_date, sex, region_code[, household_size, role,
    phone])
    against registry people (member, …) and split the best candidates into links and review
    pairs. ``engine``: "duckdb" (default) or "spark" (``spark``: a session, else a local one)."""
    cfg = cfg or config()
    chosen = engine_of(cfg, engine)
    empty = pa.table({"rec": pa.array([], pa.int64()), "member": pa.array([], pa.int64())})
    if records.num_rows == 0 or people.num_rows == 0:
        return _split(empty.append_column("p", pa.array([], pa.float64())), cfg)
    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    for key, value in (cfg.get("duckdb") or {}).items():  # memory_limit, temp_directory …
        if value not in (None, ""):
            con.execute(f"SET {key} = '{value}'")
    _inputs(con, records, people)
    floor = float(cfg["thresholds"]["review"]) / 2
    if chosen == "spark":
        pred = _predict_spark(con, cfg, people.num_rows, floor, spark)
    else:
        pred = _predict_duckdb(con, cfg, people.num_rows, floor)
    con.register("pred", pred)
    # One person listed twice (an old, inactive membership and the current one) is one
    # candidate, not a runner-up: per ID number, the best pair, the active membership first.
    have = set(people.column_names)
    person = "NULLIF(q.id_number, '')" if "id_number" in have else "NULL"
    active = "q.active" if "active" in have else "TRUE"
    pairs = con.sql(
        f"""
        WITH pairs AS (
            SELECT CASE WHEN source_dataset_l = 'records' THEN uid_l ELSE uid_r END AS rec,
                   CASE WHEN source_dataset_l = 'records' THEN uid_r ELSE uid_l END AS member,
                   match_probability AS p
            FROM pred)
        SELECT rec, arg_max(member, (p, {active}, -member)) AS member, max(p) AS p
        FROM pairs JOIN ppl_in q USING (member)
        GROUP BY rec, coalesce({person}, CAST(member AS VARCHAR))
        """
    ).to_arrow_table()
    con.register("best", pairs)
    bars = con.sql(_bars(cfg)).to_arrow_table()
    con.close()
    return _split(pairs, cfg, bars)


PRED = ["source_dataset_l", "uid_l", "source_dataset_r", "uid_r", "match_probability"]


def _predict_duckdb(
    con: duckdb.DuckDBPyConnection, cfg: dict[str, Any], people: int, floor: float
) -> pa.Table:
    from splink import DuckDBAPI, Linker

    db = DuckDBAPI(connection=con)
    left = db.register("recs", dataset_display_name="records")
    right = db.register("ppl", dataset_display_name="people")
    linker = Linker([left, right], settings(cfg, people), log_level=logging.ERROR)
    pred = linker.inference.predict(threshold_match_probability=floor)
    return con.sql(f"SELECT {', '.join(PRED)} FROM {pred.physical_name}").to_arrow_table()


def spark_session() -> Any:
    """The local Spark session the engine's rules use (``lantu.engine.backends``)."""
    from lantu.engine.backends import local_spark

    return local_spark()


def _predict_spark(
    con: duckdb.DuckDBPyConnection, cfg: dict[str, Any], people: int, floor: float, spark: Any
) -> pa.Table:
    from splink import Linker, SparkAPI

    spark = spark or spark_session()
    frames = {
        name: spark.createDataFrame(con.sql(f"SELECT * FROM {name}").to_arrow_table())
        for name in ("recs", "ppl")
    }
    db = SparkAPI(
        spark_session=spark, break_lineage_method="persist", register_udfs_automatically=False
    )
    left = db.register(frames["recs"], dataset_display_name="records")
    right = db.register(frames["ppl"], dataset_display_name="people")
    linker = Linker([left, right], settings(cfg, people, "spark"), log_level=logging.ERROR)
    pred = linker.inference.predict(threshold_match_probability=floor)
    out: pa.Table = pred.as_spark_dataframe().select(*PRED).toArrow()
    return out


def _split(pairs: pa.Table, cfg: dict[str, Any], bars: pa.Table | None = None) -> Outcome:
    """A record's best candidate whose probability among the record's candidates is at or above
    the pair's bar (``_bars``; ``thresholds.link`` when none are given) becomes a link; the
    rest above ``review`` go to the review queue."""
    link_at = float(cfg["thresholds"]["link"])
    review_at = float(cfg["thresholds"]["review"])
    con = duckdb.connect()
    con.register("pairs", pairs)
    empty = pa.table(
        {
            "rec": pa.array([], pa.int64()),
            "member": pa.array([], pa.int64()),
            "bar": pa.array([], pa.float64()),
        }
    )
    con.register("bars", bars if bars is not None else empty)
    given = "TRUE" if bars is not None else "FALSE"
    # A record's candidates compete: with pairwise odds o = p / (1 - p) (the prior included),
    # the probability that the record is candidate i and no other is o_i / (1 + Σ o) — Bayes
    # with at most one true candidate. Two equally good candidates are each at most 1/2.
    odds = "least(p, 1 - 1e-12) / (1 - least(p, 1 - 1e-12))"
    ranked = f"""
        SELECT rec, member, p, row_number() OVER (PARTITION BY rec ORDER BY p DESC, member) AS k,
               {odds} / (1 + sum({odds}) OVER (PARTITION BY rec)) AS p_rec,
               CASE WHEN {given} THEN b.bar ELSE {link_at} END AS bar
        FROM pairs LEFT JOIN bars b USING (rec, member)
    """
    links = con.sql(
        f"SELECT rec, member, 'probabilistic' AS method, p_rec AS probability FROM ({ranked}) "
        "WHERE k = 1 AND p_rec >= bar"
    ).to_arrow_table()
    con.register("links_out", links)
    review = con.sql(
        f"SELECT rec, member, p AS probability FROM ({ranked}) WHERE p >= {review_at} "
        f"AND rec NOT IN (SELECT rec FROM links_out) AND k <= 3"
    ).to_arrow_table()
    con.close()
    return Outcome(links, review)
