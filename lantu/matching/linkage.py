"""The deterministic passes: exact on normalised ID numbers, then repair of mistyped ones.

Both run set-wise in DuckDB over two Arrow tables: ``records`` (rec, id_number, name, name_py,
birth_date …) and ``people`` (member, id_number, name, name_py, birth_date, active). An ID number
is joined as one integer, ``k = body × 11 + check`` (the 17-digit body, the check character's
place in 0…9X): hashing integers is several times cheaper than hashing 18-character strings.

Exact: a record links to the registry member with the same number (the active membership first
when a person moved households).

Repair: GB 11643's MOD 11-2 check character detects every single substitution and every adjacent
transposition, so when a record and a registry number are one such edit apart, exactly one of
them fails its check. Only *failing* numbers are expanded — a department's that fail (against all
registry numbers) and the registry's that fail (against department numbers that matched nobody) —
into their ≈ 180 neighbours, computed arithmetically on ``k`` (a digit d at place p replaced by c
adds (c − d)·10^(16−p) to the body). A candidate is confirmed when the name agrees (same
characters or same pinyin) and the birth date agrees where the department gives one, and kept
only if it is the record's one confirmed candidate number (a person listed in two households,
an old inactive membership and the current one, is one number: the active membership wins).
Nothing loops over records in Python.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

from lantu.standards import schema

# The ruler's own SQL for "the check character is right", over id_number and its 17-digit body
# as an integer, ``id__17``.
CHECK_OK = schema.variables("member")["id_check_ok"].sql or "FALSE"
BODY = "TRY_CAST(SUBSTRING(id_number, 1, 17) AS BIGINT)"
CHECK = "NULLIF(strpos('0123456789X', SUBSTRING(id_number, 18, 1)), 0) - 1"
# 10^(16-p) for each body place p, as exact integers.
_POWERS = ", ".join(f"({p}, {10 ** (16 - p)})" for p in range(17))


def keyed(table: str) -> str:
    """SQL: ``table`` with ``id__17`` (body), ``chk`` (check index), ``k`` and ``id_ok``."""
    return f"""
        SELECT *, ({CHECK_OK}) AS id_ok,
               CASE WHEN length(id_number) = 18 THEN id__17 * 11 + chk END AS k
        FROM (SELECT *, {BODY} AS id__17, {CHECK} AS chk FROM {table})
    """


def neighbours(table: str, key: str) -> str:
    """SQL: (key, v) for every number one substitution or adjacent transposition away from
    ``table``'s (columns ``key``, ``id__17``, ``chk``), as ``k`` integers."""
    digit = "((id__17 // pw) % 10)"
    nxt = "((id__17 // (pw // 10)) % 10)"
    return f"""
        SELECT {key}, (id__17 + (c - {digit}) * pw) * 11 + chk AS v
        FROM {table}, (VALUES {_POWERS}) t(p, pw), range(0, 10) r(c)
        WHERE c <> {digit}
        UNION ALL
        SELECT {key}, id__17 * 11 + c FROM {table}, range(0, 11) r(c) WHERE c <> chk
        UNION ALL
        SELECT {key}, (id__17 + ({nxt} - {digit}) * pw + ({digit} - {nxt}) * (pw // 10)) * 11 + chk
        FROM {table}, (VALUES {_POWERS}) t(p, pw)
        WHERE p < 16 AND {digit} <> {nxt}
        UNION ALL
        SELECT {key}, (id__17 - (id__17 % 10) + chk) * 11 + (id__17 % 10)
        FROM {table} WHERE chk < 10 AND chk <> id__17 % 10
    """


def _connect(records: pa.Table, people: pa.Table, threads: int | None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    con.register("records_in", records)
    con.register("people_in", people)
    con.execute(f"CREATE TEMP TABLE people AS {keyed('people_in')}")
    con.execute(f"CREATE TEMP TABLE recs AS {keyed('records_in')}")
    return con


EXACT = """
    CREATE TEMP TABLE exact AS
    SELECT r.rec, arg_max(p.member, (CASE WHEN p.active THEN 1 ELSE 0 END, -p.member)) AS member,
           'exact' AS method, CAST(NULL AS DOUBLE) AS probability
    FROM recs r JOIN people p ON p.k = r.k
    GROUP BY r.rec
    UNION ALL
    SELECT r.rec, min(p.member), 'exact', CAST(NULL AS DOUBLE)
    FROM recs r JOIN people p ON p.id_number = r.id_number
    WHERE (r.k IS NULL OR p.k IS NULL) AND r.id_number <> ''
    GROUP BY r.rec
"""

REPAIR = f"""
    CREATE TEMP TABLE candidates AS
    WITH open_recs AS (SELECT r.* FROM recs r ANTI JOIN exact e ON e.rec = r.rec),
         bad_recs AS (SELECT rec, id__17, chk FROM open_recs
                      WHERE NOT id_ok AND id__17 IS NOT NULL AND chk IS NOT NULL
                        AND length(id_number) = 18),
         lonely AS (SELECT rec, k FROM open_recs WHERE id_ok),
         bad_people AS (SELECT member, id__17, chk FROM people
                        WHERE NOT id_ok AND id__17 IS NOT NULL AND chk IS NOT NULL
                          AND length(id_number) = 18),
         pairs AS (
            SELECT rv.rec, p.member FROM ({neighbours("bad_recs", "rec")}) rv
            JOIN people p ON p.k = rv.v
            UNION
            SELECT l.rec, pv.member FROM ({neighbours("bad_people", "member")}) pv
            JOIN lonely l ON l.k = pv.v
         )
    SELECT pairs.rec, pairs.member, p.k, p.active
    FROM pairs JOIN recs r ON r.rec = pairs.rec JOIN people p ON p.member = pairs.member
    WHERE (r.name = p.name OR (r.name_py <> '' AND r.name_py = p.name_py))
      AND (r.birth_date IS NULL OR r.birth_date = p.birth_date)
"""


def deterministic(records: pa.Table, people: pa.Table, *, threads: int | None = None) -> pa.Table:
    """Links (rec, member, method, probability) from the exact and repair passes."""
    con = _connect(records, people, threads)
    con.execute(EXACT)
    con.execute(REPAIR)
    links = con.sql(
        """
        SELECT * FROM exact
        UNION ALL
        SELECT rec, arg_max(member, (CASE WHEN active THEN 1 ELSE 0 END, -member)), 'repaired',
               CAST(NULL AS DOUBLE)
        FROM candidates GROUP BY rec HAVING count(DISTINCT k) = 1
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
        f"SELECT * EXCLUDE (id__17, chk, k, id_ok) FROM ({keyed('records_in')}) r "
        "WHERE NOT r.id_ok AND r.rec NOT IN (SELECT rec FROM links)"
    ).to_arrow_table()
    con.close()
    return out
