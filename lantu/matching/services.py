"""Writes of the matching room: department loads, linkage runs and review decisions. Keyword-only,
taking the acting user, each with its ledger event in the same transaction.

``load_dataset`` checks the whole table first (``loads.check``) and writes nothing if any row is
wrong; otherwise it stores the records column-wise (``bulksql.insert_rows``) as a new load that
replaces the dataset's previous one (kept, inactive). ``link_load`` reads the load's records and
the registry people in the actor's region, runs the exact and repair passes, then the
probabilistic pass over what is left without a usable ID number, and stores the links (with how
each was made) and the review pairs, replacing the load's earlier ones.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection, transaction
from django.utils import timezone

from lantu.accounts.roles import Perm
from lantu.accounts.scope import scope_path
from lantu.core.bulksql import insert_rows, select_in
from lantu.core.errors import NotPermitted, OutOfScope
from lantu.ledger.services import Change, record
from lantu.matching import frames, linkage, loads, probabilistic, schemas
from lantu.matching.models import DatasetLoad, DepartmentRecord, Link, ReviewPair
from lantu.registry.validate import RowError

PERSON = ("record_id", "id_number", "name", "birth_date", "sex", "region_code")


@dataclass
class LoadReport:
    dataset: str
    rows: int = 0
    load_id: int | None = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _require(actor: Any, perm: Perm) -> None:
    if actor is not None and not actor.can(perm):
        raise NotPermitted("您的角色无权进行数据比对", "your role may not run data comparison")


STORE_SLICE_ROWS = 200_000  # a memory bound, not a policy value


def load_dataset(
    *,
    actor: Any,
    dataset: str,
    table: pl.DataFrame,
    as_of: datetime.date,
    source: str = "",
    dry_run: bool = False,
) -> LoadReport:
    """Check a department's table (strings, any header the schema knows) and store it as the
    dataset's current load. All or nothing: errors come back in the report, nothing is written."""
    _require(actor, Perm.IMPORT)
    ds = schemas.get(dataset)
    checked = loads.check(ds, table)
    report = LoadReport(dataset, checked.frame.height, errors=checked.errors)
    if not report.ok or dry_run:
        return report
    with transaction.atomic():
        report.load_id = _store(ds, checked.frame, as_of, source, actor)
    return report


def _store(
    ds: schemas.Dataset, frame: pl.DataFrame, as_of: datetime.date, source: str, actor: Any
) -> int:
    replaced = list(
        DatasetLoad.objects.filter(dataset=ds.slug, active=True).values_list("pk", flat=True)
    )
    DatasetLoad.objects.filter(pk__in=replaced).update(active=False)
    load = DatasetLoad.objects.create(
        dataset=ds.slug,
        as_of=as_of,
        rows=frame.height,
        source=source[:200],
        loaded_by=actor if getattr(actor, "pk", None) else None,
    )
    facts = [f.name for f in ds.facts]
    # Written in slices inside the one transaction: Python lists of a whole province's records
    # (17.6M medical bills) would take over 17 GB.
    for part in frame.iter_slices(STORE_SLICE_ROWS):
        encoded = (
            part.select(pl.struct([pl.col(c).cast(pl.String) for c in facts]).struct.json_encode())
            .to_series()
            .to_list()
            if facts
            else ["{}"] * part.height
        )
        cols = [
            part[c].fill_null("").to_list() if c != "birth_date" else part[c].to_list()
            for c in PERSON
        ]
        insert_rows(
            DepartmentRecord,
            ["load", *PERSON, "facts"],
            [[load.pk] * part.height, *cols, encoded],
            prepared={"facts"},
        )
    record(
        Change(
            action="matching.load",
            object_type="matching.DatasetLoad",
            object_id=str(load.pk),
            after={"dataset": ds.slug, "as_of": as_of.isoformat(), "rows": frame.height},
            before={"replaced": replaced} if replaced else None,
            reason=f"部门数据导入 / department data load: {source}"[:200],
        ),
        actor=actor,
    )
    return load.pk


def _fetch(sql: str, params: list[Any], names: list[str]) -> pl.DataFrame:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        rows = cur.fetchall()
    return pl.DataFrame(rows, schema=names, orient="row", infer_schema_length=None)


def registry_people(region_path: str) -> pa.Table:
    """Members of households in ``region_path``'s subtree, in the linkage layout."""
    frame = _fetch(
        "SELECT m.id, h.household_no, m.id_number, m.name, m.birth_date, m.sex, r.code, m.active, "
        "m.relation, COALESCE(NULLIF(m.phone, ''), h.phone) "
        "FROM registry_member m JOIN registry_household h ON h.id = m.household_id "
        "JOIN regions_region r ON r.id = h.region_id WHERE h.region_path LIKE %s",
        [region_path + "%"],
        "member household id_number name birth_date sex region_code active relation phone".split(),
    )
    return frames.people(frame)


def load_records(load_id: int, *, household: bool = False, facts: bool = False) -> pa.Table:
    """The load's records in the linkage layout; ``facts``: read the facts too (a household's
    size, a contact phone), as ``household`` does."""
    with_facts = household or facts
    more = ", facts" if with_facts else ""
    frame = _fetch(
        f"SELECT id, id_number, name, birth_date, sex, region_code{more} "
        "FROM matching_departmentrecord WHERE load_id = %s",
        [load_id],
        ["rec", "id_number", "name", "birth_date", "sex", "region_code"]
        + (["facts"] if with_facts else []),
    )
    return frames.records(frame, head=household)


@dataclass
class LinkSummary:
    load_id: int
    records: int
    by_method: dict[str, int]
    review: int


def link_load(
    *, actor: Any, load_id: int, probabilistic_pass: bool = True, engine: str | None = None
) -> LinkSummary:
    _require(actor, Perm.IMPORT)
    region = scope_path(actor) if actor is not None else ""
    if region is None:
        raise OutOfScope()
    load = DatasetLoad.objects.get(pk=load_id)
    ds = schemas.get(load.dataset)
    recs = load_records(load.pk, household=ds.household, facts=ds.phone)
    people = registry_people(region)
    links = linkage.deterministic(recs, people)
    review = pa.table({"rec": [], "member": [], "probability": []})
    if probabilistic_pass:
        outcome = probabilistic.link(linkage.unusable(recs, links), people, engine=engine)
        links = pa.concat_tables([links, outcome.links.cast(links.schema)])
        review = outcome.review
    with transaction.atomic():
        links = _replace_links(load, links, review, region)
        by_method = pl.from_arrow(links).group_by("method").len()  # type: ignore[union-attr]
        summary = LinkSummary(load.pk, recs.num_rows, dict(by_method.iter_rows()), review.num_rows)
        load.linked_at = timezone.now()
        load.save(update_fields=["linked_at"])
        record(
            Change(
                action="matching.link",
                object_type="matching.DatasetLoad",
                object_id=str(load.pk),
                region_path=region,
                after={"by_method": summary.by_method, "review": summary.review},
                reason="数据比对关联 / linkage run",
            ),
            actor=actor,
        )
    return summary


def _replace_links(load: DatasetLoad, links: pa.Table, review: pa.Table, region: str) -> pa.Table:
    """Replace the load's links and open review pairs *inside ``region``*; a record already linked
    to someone outside it (another county's run) keeps that link."""
    mine = {"member__household__region_path__startswith": region}
    Link.objects.filter(record__load=load, **mine).delete()
    ReviewPair.objects.filter(
        record__load=load, decision="", region_path__startswith=region
    ).delete()
    taken = list(Link.objects.filter(record__load=load).values_list("record_id", flat=True))
    if taken:
        keep = pc.invert(pc.is_in(links["rec"], pa.array(taken, pa.int64())))
        links = links.filter(keep)
    now = timezone.now()
    n = links.num_rows
    insert_rows(
        Link,
        ["record", "member", "method", "probability", "created_at"],
        [
            links["rec"].to_pylist(),
            links["member"].to_pylist(),
            links["method"].to_pylist(),
            links["probability"].to_pylist(),
            [now] * n,
        ],
    )
    if review.num_rows:
        members = review["member"].to_pylist()
        paths = dict(
            select_in(
                "SELECT m.id, h.region_path FROM registry_member m "
                "JOIN registry_household h ON h.id = m.household_id WHERE m.id IN ({})",
                sorted(set(members)),
            )
        )
        insert_rows(
            ReviewPair,
            ["record", "member", "region_path", "probability", "decision"],
            [
                review["rec"].to_pylist(),
                members,
                [paths.get(m, "") for m in members],
                review["probability"].to_pylist(),
                [""] * review.num_rows,
            ],
        )
    return links


def decide_review(*, actor: Any, pk: int, same_person: bool) -> ReviewPair:
    """A person's verdict on a borderline pair; 'the same person' makes it a link ('reviewed')."""
    _require(actor, Perm.REVIEW)
    path = scope_path(actor)
    pair = ReviewPair.objects.filter(pk=pk, region_path__startswith=path or "\x00").first()
    if pair is None or path is None:
        raise OutOfScope()
    with transaction.atomic():
        pair.decision = "match" if same_person else "no_match"
        pair.decided_by = actor
        pair.decided_at = timezone.now()
        pair.save(update_fields=["decision", "decided_by", "decided_at"])
        if same_person:
            Link.objects.update_or_create(
                record_id=pair.record_id,
                defaults={
                    "member_id": pair.member_id,
                    "method": "reviewed",
                    "probability": pair.probability,
                },
            )
        record(
            Change(
                action="matching.review",
                object_type="matching.ReviewPair",
                object_id=str(pair.pk),
                region_path=pair.region_path,
                after={"decision": pair.decision, "member": pair.member_id},
                reason="人工复核匹配 / review of a borderline pair",
            ),
            actor=actor,
        )
    return pair
