"""The deterministic passes: exact on normalised ID numbers, then repair of mistyped ones.

Both run set-wise in DuckDB over two Arrow tables: ``records`` (rec, id_number, name, name_py,
birth_date …) and ``people`` (member, id_number, name, name_py, birth_date, active).

Exact: a record links to the registry member with the same ID number (the active membership when
a person moved households).

Repair: GB 11643's MOD 11-2 check character detects every single substitution and every adjacent
transposition, so when a record and a registry ID number are one such edit apart, exactly one of
them fails its check. The pass therefore only generates the edits of *failing* numbers — a
department's that fail (against all registry numbers) and the registry's that fail (against
department numbers that matched nobody) — about 180 variants each, column-wise in SQL, and joins
them. A candidate is confirmed when the name agrees (same characters or same pinyin) and the birth
date agrees where the department gives one, and kept only if it is the record's one confirmed
candidate. Nothing loops over records in Python.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from lantu.standards import schema

# The ruler's own SQL for "the check character is right", over id_number and its 17-digit body
# as an integer, ``id__17`` (added by ``with_body``).
CHECK_OK = schema.variables("member")["id_check_ok"].sql or "FALSE"
BODY = "TRY_CAST(SUBSTRING(id_number, 1, 17) AS BIGINT) AS id__17"


def checked(table: str) -> str:
    """SQL: ``table`` with ``id_ok`` (an 18-character number whose check character is right)."""
    return f"SELECT *, ({CHECK_OK}) AS id_ok FROM (SELECT *, {BODY} FROM {table})"


_CHARS = ", ".join(f"('{c}')" for c in "0123456789X")


def variants(table: str, key: str) -> str:
    """SQL: every ID number one substitution or one adjacent transposition away from those in
    ``table`` (columns ``key``, ``id_number``)."""
    return f"""
        SELECT {key}, substr(id_number, 1, p) || c || substr(id_number, p + 2) AS variant
        FROM {table}, range(0, 18) t(p), (VALUES {_CHARS}) ch(c)
        WHERE c <> substr(id_number, p + 1, 1) AND (p = 17 OR c <> 'X')
        UNION ALL
        SELECT {key}, substr(id_number, 1, p) || substr(id_number, p + 2, 1)
               || substr(id_number, p + 1, 1) || substr(id_number, p + 3) AS variant
        FROM {table}, range(0, 17) t(p)
        WHERE substr(id_number, p + 1, 1) <> substr(id_number, p + 2, 1)
    """


def _connect(records: pa.Table, people: pa.Table, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.register("records_in", records)
    con.register("people_in", people)
    con.execute(
        f"CREATE TEMP TABLE people AS {checked('people_in')} "
        "QUALIFY row_number() OVER (PARTITION BY id_number ORDER BY active DESC, member) = 1"
    )
    con.execute(f"CREATE TEMP TABLE recs AS {checked('records_in')}")
    return con


EXACT = """
    CREATE TEMP TABLE exact AS
    SELECT r.rec, p.member, 'exact' AS method, CAST(NULL AS DOUBLE) AS probability
    FROM recs r JOIN people p ON p.id_number = r.id_number
    WHERE r.id_number <> ''
"""


def _repair_sql() -> str:
    bad_recs = (
        "SELECT rec, id_number FROM recs WHERE length(id_number) = 18 AND NOT id_ok "
        "AND rec NOT IN (SELECT rec FROM exact)"
    )
    lonely_recs = (
        "SELECT rec, id_number FROM recs WHERE id_ok AND rec NOT IN (SELECT rec FROM exact)"
    )
    bad_people = "SELECT member, id_number FROM people WHERE length(id_number) = 18 AND NOT id_ok"
    return f"""
    CREATE TEMP TABLE candidates AS
    WITH bad_recs AS ({bad_recs}), lonely AS ({lonely_recs}), bad_people AS ({bad_people}),
         rv AS ({variants("bad_recs", "rec")}),
         pv AS ({variants("bad_people", "member")}),
         pairs AS (
            SELECT rv.rec, p.member FROM rv JOIN people p ON p.id_number = rv.variant
            UNION
            SELECT l.rec, pv.member FROM pv JOIN lonely l ON l.id_number = pv.variant
         )
    SELECT pairs.rec, pairs.member
    FROM pairs JOIN recs r ON r.rec = pairs.rec JOIN people p ON p.member = pairs.member
    WHERE (r.name = p.name OR (r.name_py <> '' AND r.name_py = p.name_py))
      AND (r.birth_date IS NULL OR r.birth_date = p.birth_date)
    """


def deterministic(records: pa.Table, people: pa.Table, *, threads: int | None = None) -> pa.Table:
    """Links (rec, member, method, probability) from the exact and repair passes, plus the
    records left with no usable ID number (``unusable``: the probabilistic pass's input)."""
    con = _connect(records, people, threads)
    con.execute(EXACT)
    con.execute(_repair_sql())
    links = con.sql(
        """
        SELECT * FROM exact
        UNION ALL
        SELECT rec, any_value(member), 'repaired', CAST(NULL AS DOUBLE)
        FROM candidates GROUP BY rec HAVING count(DISTINCT member) = 1
        """
    ).to_arrow_table()
    con.close()
    return links


def unusable(records: pa.Table, links: pa.Table) -> pa.Table:
    """Records with no usable ID number that no deterministic pass linked: blank, malformed or
    failing the check (a valid number that matched nobody is a person outside the registry)."""
    con = duckdb.connect()
    con.register("records_in", records)
    con.register("links", links)
    out = con.sql(
        f"SELECT * EXCLUDE (id__17, id_ok) FROM ({checked('records_in')}) "
        "WHERE NOT id_ok AND rec NOT IN (SELECT rec FROM links)"
    ).to_arrow_table()
    con.close()
    return out
