"""The annual evaluation inside the app: snapshot the registry, run the ruler, store the results.

``run_evaluation(actor=..., year=Y, policy="yunnan")`` reads the registry through ADBC
(``lantu.engine.snapshot``), evaluates the policy on DuckDB (or the backend given), and writes, in
one transaction, an ``EvaluationRun``, one compact ``HouseholdResult`` per household and one
ledger event for the run. Encoding the outcomes, the failed clauses (as JSON text) and counting
the summary are Arrow compute over whole columns. The rows go to the database through Django's
own connection, inside the caller's transaction: on PostgreSQL as one ``COPY`` of CSV written by
Arrow (``_copy_csv``), elsewhere by column-wise ``executemany`` (``lantu.core.bulksql``).
bench/bench_store_results.py times both on a province's 2.6M households.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
from django.db import connection, models, transaction
from django.utils import timezone

from lantu.core.bulksql import insert_rows
from lantu.engine import snapshot
from lantu.engine.backends import Backend
from lantu.engine.run import Results, evaluate
from lantu.ledger.services import Change, record
from lantu.standards.explain import provenance
from lantu.standards.inputs import with_register_data
from lantu.standards.models import EvaluationRun, HouseholdResult


def encode_outcomes(table: pa.Table, rules: list[str]) -> pa.Array:
    """One character per rule: '1' passed, '0' failed, '-' does not apply."""
    if not rules:
        return pa.array([""] * table.num_rows)
    chars = []
    for name in rules:
        col = table[name]
        chars.append(pc.fill_null(pc.if_else(col, "1", "0"), "-"))
    return pc.binary_join_element_wise(*chars, "")


def failed_json(failed: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The comma-separated failed clause ids as JSON list text (``a.b,c.d`` → ``["a.b","c.d"]``).
    Clause ids are policy names (``[a-z0-9_]`` and a dot, checked when the policy loads), so
    they need no escaping."""
    text = pc.fill_null(pc.cast(failed, pa.string()), "")
    quoted = pc.binary_join_element_wise('["', pc.replace_substring(text, ",", '","'), '"]', "")
    return pc.if_else(pc.equal(text, ""), "[]", quoted)


def _copy_csv(model: type[models.Model], table: pa.Table) -> None:
    """PostgreSQL: the table's columns (named after the model's fields) in one ``COPY … FROM
    STDIN (FORMAT csv)`` through Django's connection, so it is part of the open transaction."""
    fields = [model._meta.get_field(n) for n in table.column_names]
    q = connection.ops.quote_name
    cols = ", ".join(q(str(getattr(f, "column", f.name))) for f in fields)
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=False))
    with connection.cursor() as cur:
        sql = f"COPY {q(model._meta.db_table)} ({cols}) FROM STDIN WITH (FORMAT csv)"
        with cur.cursor.copy(sql) as copy:  # type: ignore[attr-defined]
            copy.write(sink.getvalue().to_pybytes())


def _write_results(run: EvaluationRun, h: pa.Table, rules: list[str]) -> None:
    n = h.num_rows
    columns = {
        "run": pa.array([run.pk] * n, pa.int64()),
        "household": h["household_id"],
        "year": pa.array([run.year] * n, pa.int32()),
        "outcome": encode_outcomes(h, rules),
        "failed": failed_json(h["failed"]),
    }
    if connection.vendor == "postgresql":
        _copy_csv(HouseholdResult, pa.table(columns))
        return
    insert_rows(
        HouseholdResult,
        list(columns),
        [c.to_pylist() for c in columns.values()],
        prepared={"failed"},
    )


def summarise(table: pa.Table, rules: list[str]) -> dict[str, dict[str, int]]:
    out = {}
    for name in rules:
        col = table[name]
        passed = pc.sum(pc.cast(col, pa.int64())).as_py() or 0
        nulls = col.null_count
        out[name] = {
            "passed": passed,
            "failed": table.num_rows - nulls - passed,
            "not_applicable": nulls,
        }
    return out


def _rule_meta(res: Results) -> list[dict[str, str]]:
    return [
        {"name": r.name, "kind": r.kind, "level": r.level, "zh": r.zh, "en": r.en, "ref": r.ref}
        for lv in ("household", "village", "county")
        for r in res.compiled.levels[lv].rules  # type: ignore[index]
    ]


def _area_rows(table: pa.Table | None) -> list[dict[str, Any]]:
    if table is None:
        return []
    return [
        {k: float(v) if isinstance(v, Decimal) else v for k, v in row.items()
         if not k.startswith(("agg_", "mask_"))}
        for row in table.to_pylist()
    ]  # fmt: skip


def store(res: Results, ids: pa.Table, *, actor: Any, backend: str = "duckdb") -> EvaluationRun:
    """Write a run and its household results; ``ids`` maps household_no → household_id."""
    rules = [r.name for r in res.compiled.levels["household"].rules]
    keys = pa.table(
        {
            "household_no": pc.cast(ids["household_no"], pa.string()),
            "household_id": pc.cast(ids["household_id"], pa.int64()),
        }
    )
    h = res.households.join(keys, "household_no")
    h = h.filter(pc.is_valid(h["household_id"]))
    p = res.policy
    run = EvaluationRun.objects.create(
        year=res.compiled.year,
        policy=p.name,
        policy_version=p.version,
        policy_hash=p.content_hash,
        backend=backend,
        households=h.num_rows,
        rules=_rule_meta(res),
        clauses={k: list(v) for k, v in res.compiled.clause_text.items()},
        summary=summarise(h, rules),
        provenance=provenance(p, res.compiled.year),
        villages=_area_rows(res.villages),
        counties=_area_rows(res.counties),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _write_results(run, h, rules)
    run.finished_at = timezone.now()
    run.save(update_fields=["finished_at"])
    return run


def run_evaluation(
    *,
    actor: Any,
    year: int,
    policy: str = "yunnan",
    region_path: str | None = None,
    backend: Backend | None = None,
) -> EvaluationRun:
    inputs = with_register_data(
        snapshot.from_db(years=(year - 1, year), region_path=region_path),
        year=year,
        region_path=region_path or "",
    )
    res = evaluate(policy, year, inputs, backend=backend)
    with transaction.atomic():
        run = store(
            res, inputs["households"], actor=actor, backend=getattr(backend, "name", "duckdb")
        )
        record(
            Change(
                action="standards.evaluate",
                object_type="standards.EvaluationRun",
                object_id=str(run.pk),
                region_path=region_path or "",
                after={
                    "year": year,
                    "policy": run.policy,
                    "policy_version": run.policy_version,
                    "policy_hash": run.policy_hash,
                    "households": run.households,
                },
                reason="年度标准评估 / annual evaluation",
            ),
            actor=actor,
        )
    return run
