"""Kinship records (户籍亲属关系): public security's record of who is a household head's parent,
spouse or child, for the relatives who live outside the head's household.

The registry lists who lives in a household; the exclusion list (DOMAIN §5) also asks about the
head's parents, spouse and children who do not — a child who married out or split off into a
household of their own, the parents a head left when splitting off. This module writes, at the
end of the run:

- ``truth/kinship.parquet``: every such relation (household_id, person_id of the head,
  relative_id, relation), the reference a score is computed against;
- ``observed/departments/kinship.parquet``: the police's records of them (``record_id``,
  ``id_number`` and ``name`` of the head, ``relative_id_number``, ``relative_name``,
  ``relation``) with the department's coverage, missing and mistyped ID numbers and variant names
  (params.yaml ``kinship``);
- ``truth/links/kinship.parquet``: record_id → person_id of the head.

Relations are read from the simulation: a child is a person who left the household as the head's
child (married out, or moved by a split); the parents of a head who split off are the head and
spouse of the household left behind, if alive. A relation is as recorded when the person left:
if the head changed since, it is the old head's relation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from lantu.simulator import identity
from lantu.simulator import lifecycle as lc
from lantu.simulator.params import Params, stream
from lantu.simulator.people import CHILD, HEAD, SPOUSE, World
from lantu.simulator.tables import write

COLUMNS = ["record_id", "id_number", "name", "relative_id_number", "relative_name", "relation"]


def relations(w: World) -> pl.DataFrame:
    """household_id, person_id (the present head), relative_id, relation — relatives outside."""
    P = w.P
    head = lc.heads(w)
    moves = w.extra.get("moves", np.zeros((0, 5), dtype=np.int64))
    # Children: married out of the household, or moved out with a split, as the head's child.
    out_m = np.flatnonzero(~P["present"] & (P["left_reason"] == lc.MARRIAGE) & (P["rel"] == CHILD))
    split_child = moves[moves[:, 4] == CHILD]
    child_hh = np.concatenate([P["hh"][out_m], split_child[:, 1]])
    child = np.concatenate([out_m, split_child[:, 0]])
    # Parents: a head who split off from a household (the son of its head) has the head and
    # spouse of the household he left as parents, while they are alive.
    split_head = split_child[head[split_child[:, 2]] == split_child[:, 0]]
    old = split_head[:, 1]
    elder = np.flatnonzero(P["present"] & np.isin(P["rel"], (HEAD, SPOUSE)))
    by_hh = pl.DataFrame({"old": P["hh"][elder], "relative_id": elder})
    parents = (
        pl.DataFrame({"household_id": split_head[:, 2], "old": old})
        .join(by_hh, on="old")
        .select("household_id", "relative_id", relation=pl.lit("parent"))
    )
    children = pl.DataFrame(
        {"household_id": child_hh, "relative_id": child, "relation": "child"}
    ).filter(pl.col("household_id").is_in(np.flatnonzero(head >= 0)))
    both = pl.concat([children, parents.cast(children.schema)])  # type: ignore[arg-type]
    both = both.with_columns(
        person_id=pl.Series(head).gather(both["household_id"]),
    ).filter(pl.col("person_id") != pl.col("relative_id"))
    return (
        both.unique(["person_id", "relative_id"])
        .sort("person_id", "relative_id")
        .select("household_id", "person_id", "relative_id", "relation")
    )


def write_all(w: World, p: Params, out: Path, seed: int) -> None:
    """The truth relations, the police's records of them and the records' hidden links."""
    rel = relations(w)
    write(rel, out / "truth" / "kinship.parquet")
    spec = p.get("kinship.records")
    rng = stream(seed, "kinship")
    rec = rel.filter(pl.Series(rng.random(rel.height) < float(spec["coverage"])))
    head, relative = rec["person_id"].to_numpy(), rec["relative_id"].to_numpy()
    ids = identity.mistype(rng, w.series["id"].gather(head), float(spec["id_typo"]), 0.0)
    missing = pl.Series(rng.random(rec.height) < float(spec["id_missing"]))
    rel_ids = identity.mistype(rng, w.series["id"].gather(relative), float(spec["id_typo"]), 0.0)
    frame = pl.DataFrame(
        {
            "record_id": np.arange(rec.height, dtype=np.int64),
            "id_number": pl.select(pl.when(missing).then(None).otherwise(ids)).to_series(),
            "name": identity.vary_names(rng, w.series["name"].gather(head), 0.01),
            "relative_id_number": rel_ids,
            "relative_name": w.series["name"].gather(relative),
            "relation": rec["relation"],
        }
    )
    write(frame.select(COLUMNS), out / "observed" / "departments" / "kinship.parquet")
    link = frame.select("record_id", person_id=pl.Series(head, dtype=pl.Int64))
    write(link, out / "truth" / "links" / "kinship.parquet")
