"""The head's parents, spouse and children who live outside the household, and which of them a
department dataset records (DOMAIN §5: excluded where "a member or the head's parent, spouse or
child is a public employee").

Relatives come from two sources (``facts.yaml``, the variable's ``relatives`` block):

- the registry itself: a member who left the household other than by death (``dead`` reasons),
  recorded as the head's parent, spouse or child — a daughter who married out, a son who split
  off; and a head who is listed in another household as a child who left it: that household's
  present head and spouse are the head's parents;
- the police kinship records (dataset ``kinship``, 户籍亲属关系) linked to the household's present
  head: the relative's ID number, name and relation (its ``names`` map the department's words).

A relative counts when a current record of the variable's dataset carries their ID number — the
record's own normalised number, or the number of the registry member it is linked to (so a
repaired or probabilistic link counts too). Each hit names the relative, the relation and where
the relation is known from: the evidence of the finding.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection

from lantu.registry.ids import normalise, upgrade_15

HIT_COLUMNS = ["household_no", "record", "relative_name", "relation", "source", "source_record"]


def normalised_ids(col: pl.Series) -> pl.Series:
    """ID numbers as the registry keeps them (``ids.normalise``, 15 digits upgraded to 18)."""
    uniq = col.unique()
    clean = [normalise(v) for v in uniq.to_list()]
    clean = [upgrade_15(v) if len(v) == 15 and v.isdigit() else v for v in clean]
    mapping = dict(zip(uniq.to_list(), clean, strict=True))
    return col.replace_strict(mapping, return_dtype=pl.String)


def _registry(members: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    relations = list(spec["relations"])
    dead = [str(r) for r in spec.get("dead", [])]
    reason = pl.col("left_reason").fill_null("")
    present = members.filter(reason == "")
    gone = members.filter((reason != "") & ~reason.is_in(dead))
    own = gone.filter(pl.col("relation").is_in(relations)).select(
        "household_no",
        relative_id=pl.col("id_number"),
        relative_name=pl.col("name"),
        relation=pl.col("relation"),
    )
    # A present head who left another household as its child: that household's present head
    # and spouse are the head's parents.
    heads = present.filter(pl.col("relation") == "head").select("household_no", "id_number")
    left_as_child = gone.filter(pl.col("relation") == "child").select(
        pl.col("household_no").alias("old"), "id_number"
    )
    elders = present.filter(pl.col("relation").is_in(["head", "spouse"])).select(
        pl.col("household_no").alias("old"),
        relative_id=pl.col("id_number"),
        relative_name=pl.col("name"),
    )
    parents = (
        heads.join(left_as_child, on="id_number")
        .filter(pl.col("old") != pl.col("household_no"))
        .join(elders, on="old")
        .select("household_no", "relative_id", "relative_name", relation=pl.lit("parent"))
    )
    both = pl.concat([own, parents.cast(own.schema)])  # type: ignore[arg-type]
    return both.with_columns(source=pl.lit("registry"), source_record=pl.lit(None, pl.Int64))


def _kinship(members: pl.DataFrame, linked: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    dataset = spec.get("kinship", "")
    schema = {
        "household_no": pl.String,
        "relative_id": pl.String,
        "relative_name": pl.String,
        "relation": pl.String,
        "source": pl.String,
        "source_record": pl.Int64,
    }
    if not dataset or not linked.height:
        return pl.DataFrame(schema=schema)
    part = linked.filter(pl.col("dataset") == dataset)
    if not part.height:
        return pl.DataFrame(schema=schema)
    dtype = pl.Struct({"relative_id_number": pl.String, "relative_name": pl.String,
                       "relation": pl.String})  # fmt: skip
    part = part.with_columns(pl.col("facts").str.json_decode(dtype)).unnest("facts")
    heads = members.filter(
        (pl.col("left_reason").fill_null("") == "") & (pl.col("relation") == "head")
    ).select("household_no", "id_number")
    names = {str(k): str(v) for k, v in (spec.get("names") or {}).items()}
    relation = pl.col("relation").fill_null("").str.strip_chars()
    return (
        part.join(heads, on=["household_no", "id_number"])
        .with_columns(relative_id=pl.col("relative_id_number"), relation=relation.replace(names))
        .filter(pl.col("relation").is_in(list(spec["relations"])))
        .with_columns(
            relative_id=pl.col("relative_id").fill_null(""),
            source=pl.lit(dataset),
            source_record=pl.col("record").cast(pl.Int64),
        )
        .pipe(lambda f: f.with_columns(relative_id=normalised_ids(f["relative_id"])))
        .select(list(schema))
        .cast(schema)  # type: ignore[arg-type]
    )


def relatives(members: pl.DataFrame, linked: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """household_no, relative_id, relative_name, relation, source, source_record: the present
    head's relatives outside the household, from the registry and the kinship records."""
    out = pl.concat([_registry(members, spec), _kinship(members, linked, spec)], how="vertical")
    inside = members.filter(pl.col("left_reason").fill_null("") == "").select(
        "household_no", relative_id=pl.col("id_number")
    )
    return (
        out.filter(pl.col("relative_id") != "")
        .join(inside, on=["household_no", "relative_id"], how="anti")
        .unique(["household_no", "relative_id"], keep="first", maintain_order=True)
    )


def dataset_ids(dataset: str) -> pl.DataFrame:
    """record, id_number of the dataset's current records: its own number, and the number of the
    registry member each is linked to."""
    sql = (
        "SELECT r.id, r.id_number, m.id_number FROM matching_departmentrecord r "
        "JOIN matching_datasetload d ON d.id = r.load_id "
        "LEFT JOIN matching_link l ON l.record_id = r.id "
        "LEFT JOIN registry_member m ON m.id = l.member_id "
        "WHERE d.active AND d.dataset = %s"
    )
    with connection.cursor() as cur:
        cur.execute(sql, [dataset])
        rows = cur.fetchall()
    frame = pl.DataFrame(
        rows, schema={"record": pl.Int64, "own": pl.String, "linked": pl.String}, orient="row"
    )
    return (
        pl.concat(
            [
                frame.select("record", id_number=pl.col("own")),
                frame.select("record", id_number=pl.col("linked")),
            ]
        )
        .filter(pl.col("id_number").fill_null("") != "")
        .unique(maintain_order=True)
    )


def hits(members: pl.DataFrame, linked: pl.DataFrame, spec: dict[str, Any]) -> pl.DataFrame:
    """``HIT_COLUMNS``: each household whose head has a relative outside it in ``spec``'s
    dataset, with that relative's record (one per household: the first by record number)."""
    rel = relatives(members, linked, spec)
    ids = dataset_ids(spec["dataset"])
    found = rel.join(ids, left_on="relative_id", right_on="id_number")
    return (
        found.sort("household_no", "record")
        .unique("household_no", keep="first")
        .select(HIT_COLUMNS)
    )


def score(folder: Path, variable: str = "public_employee_relative") -> dict[str, float | int]:
    """The relation path against a simulation's truth: registry households whose head has a
    parent, spouse or child outside the household in the dataset's truth (``truth/kinship``,
    ``truth/links/<dataset>``), against the households the registry and the kinship records
    find (``hits``, on the database's current loads and links)."""
    from lantu.engine import snapshot
    from lantu.matching import facts

    spec = facts.config()["variables"][variable]
    truth = Path(folder) / "truth"
    needed = [truth / "kinship.parquet", truth / "links" / f"{spec['dataset']}.parquet"]
    if not all(p.exists() for p in needed):  # an older simulation, or a test's partial one
        return {}
    hh_links = pl.read_parquet(truth / "links" / "registry_households.parquet")
    employed = pl.read_parquet(
        truth / "links" / f"{spec['dataset']}.parquet", columns=["person_id"]
    )
    kin = pl.read_parquet(truth / "kinship.parquet")
    true_hh = (
        kin.join(employed.unique(), left_on="relative_id", right_on="person_id", how="semi")
        .join(hh_links, on="household_id")
        .select("household_no")
        .unique()
    )
    members = pl.DataFrame(pl.from_arrow(snapshot.from_db()["members"]))
    # Only households the database holds (a load may leave some of the simulation's out).
    true_hh = true_hh.join(members.select("household_no").unique(), on="household_no", how="semi")
    linked = facts.linked_records(facts.datasets_of([variable]), "")
    found = relative_hits_frame(members, linked, spec)
    hit = found.join(true_hh, on="household_no", how="semi")
    out: dict[str, float | int] = {
        "true_households": true_hh.height,
        "found": found.height,
        "found_true": hit.height,
        "precision": hit.height / found.height if found.height else 1.0,
        "recall": hit.height / true_hh.height if true_hh.height else 1.0,
    }
    for source, n in found.group_by("source").len().sort("source").iter_rows():
        out[f"found_via_{source}"] = int(n)
    return out


def relative_hits_frame(
    members: pl.DataFrame, linked: pl.DataFrame, spec: dict[str, Any]
) -> pl.DataFrame:
    """``hits`` for a ``facts.yaml`` variable spec (its ``relatives`` block and dataset)."""
    return hits(members, linked, {**spec["relatives"], **spec})
