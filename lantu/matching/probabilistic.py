"""The probabilistic pass: Splink (Fellegi-Sunter) over name (characters and pinyin), birth date,
sex and place, for department records without a usable ID number.

The model is plain data (``linkage.yaml``): blocking rules, and for each compared column its
levels with their m and u probabilities (configurable defaults, not trained each run, so a run is
reproducible and a small county gets the same weights as a province); exact-name agreement is
adjusted for how common the name is (Splink's term frequencies). Splink scores the blocked pairs
on DuckDB (``DuckDBAPI``; ``SparkAPI`` takes the same settings at national scale). Each record
keeps its best candidate: at or above ``thresholds.link`` and with no runner-up above
``thresholds.review`` it is linked with its probability; otherwise a candidate at or above
``thresholds.review`` goes to the review queue.
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
COLUMNS = ("uid", "name", "name_py", "birth_date", "sex", "region_code")


@lru_cache(maxsize=4)
def config(path: Path = CONFIG) -> dict[str, Any]:
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _level(column: str, lv: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sql_condition": lv["sql"],
        "label_for_charts": lv["label"],
        "m_probability": lv["m"],
        "u_probability": lv["u"],
    }
    if lv.get("tf"):
        out["tf_adjustment_column"] = lv["tf"]
        out["tf_adjustment_weight"] = 1.0
    return out


def settings(cfg: dict[str, Any], people: int) -> dict[str, Any]:
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
                "comparison_levels": [null, *[_level(col, lv) for lv in comp["levels"]]],
            }
        )
    prior = min(0.5, float(cfg["registry_share"]) / max(people, 1))
    return {
        "link_type": "link_only",
        "unique_id_column_name": "uid",
        "probability_two_random_records_match": prior,
        "blocking_rules_to_generate_predictions": [
            {"blocking_rule": rule} for rule in cfg["blocking"]
        ],
        "comparisons": comparisons,
        "retain_intermediate_calculation_columns": False,
        "retain_matching_columns": False,
    }


def _inputs(con: duckdb.DuckDBPyConnection, records: pa.Table, people: pa.Table) -> None:
    con.register("rec_in", records)
    con.register("ppl_in", people)
    blank = "NULLIF({0}, '') AS {0}"
    text = ", ".join(blank.format(c) for c in ("name", "name_py", "sex", "region_code"))
    con.execute(f"CREATE TABLE recs AS SELECT rec AS uid, {text}, birth_date FROM rec_in")
    con.execute(
        "CREATE TABLE ppl AS SELECT member AS uid, NULLIF(name, '') AS name, "
        "NULLIF(name_py, '') AS name_py, NULLIF(sex, '') AS sex, "
        "NULLIF(substr(region_code, 1, 12), '') AS region_code, birth_date FROM ppl_in"
    )


@dataclass
class Outcome:
    links: pa.Table  # rec, member, method, probability
    review: pa.Table  # rec, member, probability


def link(records: pa.Table, people: pa.Table, *, cfg: dict[str, Any] | None = None) -> Outcome:
    """Score records (rec, name, name_py, birth_date, sex, region_code) against registry people
    (member, …) and split the best candidates into links and review pairs."""
    cfg = cfg or config()
    empty = pa.table({"rec": pa.array([], pa.int64()), "member": pa.array([], pa.int64())})
    if records.num_rows == 0 or people.num_rows == 0:
        return _split(empty.append_column("p", pa.array([], pa.float64())), cfg)
    from splink import DuckDBAPI, Linker

    logging.getLogger("splink").setLevel(logging.ERROR)
    con = duckdb.connect()
    _inputs(con, records, people)
    db = DuckDBAPI(connection=con)
    left = db.register("recs", dataset_display_name="records")
    right = db.register("ppl", dataset_display_name="people")
    linker = Linker([left, right], settings(cfg, people.num_rows), log_level=logging.ERROR)
    floor = float(cfg["thresholds"]["review"])
    pred = linker.inference.predict(threshold_match_probability=floor / 2)
    pairs = con.sql(
        f"""
        SELECT CASE WHEN source_dataset_l = 'records' THEN uid_l ELSE uid_r END AS rec,
               CASE WHEN source_dataset_l = 'records' THEN uid_r ELSE uid_l END AS member,
               match_probability AS p
        FROM {pred.physical_name}
        """
    ).to_arrow_table()
    needs = " OR ".join(f"{c} IS NOT NULL" for c in cfg.get("auto_link_needs") or []) or "TRUE"
    weak = con.sql(f"SELECT uid AS rec FROM recs WHERE NOT ({needs})").to_arrow_table()
    con.close()
    return _split(pairs, cfg, weak)


def _split(pairs: pa.Table, cfg: dict[str, Any], weak: pa.Table | None = None) -> Outcome:
    """Best candidates at or above ``link`` with no strong runner-up become links, unless the
    record is ``weak`` (too little to link on without a person); the rest above ``review`` go to
    the review queue."""
    link_at = float(cfg["thresholds"]["link"])
    review_at = float(cfg["thresholds"]["review"])
    con = duckdb.connect()
    con.register("pairs", pairs)
    con.register("weak", weak if weak is not None else pa.table({"rec": pa.array([], pa.int64())}))
    ranked = f"""
        SELECT rec, member, p, row_number() OVER (PARTITION BY rec ORDER BY p DESC, member) AS k,
               count(*) FILTER (WHERE p >= {review_at}) OVER (PARTITION BY rec) AS strong
        FROM pairs
    """
    links = con.sql(
        f"SELECT rec, member, 'probabilistic' AS method, p AS probability FROM ({ranked}) "
        f"WHERE k = 1 AND p >= {link_at} AND strong = 1 AND rec NOT IN (SELECT rec FROM weak)"
    ).to_arrow_table()
    con.register("links_out", links)
    review = con.sql(
        f"SELECT rec, member, p AS probability FROM ({ranked}) WHERE p >= {review_at} "
        f"AND rec NOT IN (SELECT rec FROM links_out) AND k <= 3"
    ).to_arrow_table()
    con.close()
    return Outcome(links, review)
