"""The clues the platform received about people (monitoring tickets, by ID number) as the
ruler's household variables ``clue_visit``, ``clue_self`` and ``clue_department``
(lantu.standards.schema): the three channels of 中农组发〔2021〕7号 — 基层干部排查, 农户自主申报,
部门筛查预警. Read by the omission search (households outside the registry) and by the annual
evaluation (``lantu.standards.inputs.with_register_data``) as the risk half of the monitoring test.
"""

from __future__ import annotations

import polars as pl
from django.db import connection

# A ticket's channel → the clue variable it sets (lantu.standards.schema: clue_*). Tickets the
# data comparison opened (``comparison``) are about registry households and are not read here.
CLUE_CHANNELS = {
    "visit": "clue_visit",
    "self": "clue_self",
    "proxy": "clue_self",
    "department": "clue_department",
}


def clues(people: pl.DataFrame, year: int) -> pl.DataFrame:
    """household_no and the clue variables (``clue_visit``, ``clue_self``, ``clue_department``)
    of the households whose people the platform received a clue about in ``year`` (monitoring
    tickets by ID number, any state: a clue closed without help is still a clue)."""
    from lantu.monitoring.models import Ticket

    sql = (
        f"SELECT id_number, channel FROM {Ticket._meta.db_table} "
        "WHERE received_on >= %s AND received_on <= %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [f"{year}-01-01", f"{year}-12-31"])
        rows = cur.fetchall()
    t = pl.DataFrame(rows, schema=["id_number", "channel"], orient="row")
    names = sorted(set(CLUE_CHANNELS.values()))
    if not t.height:
        return pl.DataFrame(schema={"household_no": pl.String, **dict.fromkeys(names, pl.Boolean)})
    t = t.filter(pl.col("channel").is_in(list(CLUE_CHANNELS))).with_columns(
        var=pl.col("channel").replace_strict(CLUE_CHANNELS, return_dtype=pl.String)
    )
    hit = people.select("household_no", "id_number").join(t, on="id_number")
    return hit.group_by("household_no").agg(*(pl.col("var").eq(n).any().alias(n) for n in names))
