"""Run a policy over a snapshot: load, compile, build the pipeline, execute, collect results.

``evaluate(policy, year, inputs)`` is the one entry point used by the ``lantu evaluate`` command,
the annual evaluation service, the policy tests and the benchmarks. ``inputs`` maps the input
table names (``households``, ``members``, ``years``, optional ``counties``) to Arrow tables or
file paths. Results are Arrow tables, one row per household (village, county) with one boolean
column per rule (NULL where the rule does not apply) and ``failed``: the failed clauses as
``rule.clause`` ids, comma-separated (the pipeline computes them as bit masks;
``explain.failed_text`` spells them out). ``explain`` turns them into readable reasons.
With the optional inputs ``projects``, ``disbursements``, ``funds`` and ``allocations`` and a policy
with rules at those levels, ``Results.records`` holds one table per record level (keyed as
``schema.RECORDS`` says) in the same form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pyarrow as pa

from lantu.core.errors import ValidationFailed
from lantu.engine.backends import Backend, DuckDBBackend, Source
from lantu.standards import pipeline, schema
from lantu.standards.compiler import Compiled, compile_policy
from lantu.standards.explain import with_failed_text
from lantu.standards.policy import Policy, load

REQUIRED = ("households", "members", "years")


@dataclass
class Results:
    compiled: Compiled
    households: pa.Table
    villages: pa.Table | None
    counties: pa.Table | None
    # The record chains' results (lantu.standards.schema.RECORDS), by level, when computed.
    records: dict[str, pa.Table] = field(default_factory=dict)

    @property
    def policy(self) -> Policy:
        return self.compiled.policy


def _stamp(table: pa.Table, c: Compiled) -> pa.Table:
    n = table.num_rows
    p = c.policy
    table = table.append_column("year", pa.repeat(pa.scalar(c.year, pa.int32()), n))
    table = table.append_column("policy", pa.repeat(pa.scalar(p.name, pa.string()), n))
    table = table.append_column("policy_version", pa.repeat(pa.scalar(p.version, pa.string()), n))
    return table.append_column("policy_hash", pa.repeat(pa.scalar(p.content_hash, pa.string()), n))


def evaluate(
    policy: Policy | str,
    year: int,
    inputs: Mapping[str, Source],
    *,
    backend: Backend | None = None,
) -> Results:
    missing = [t for t in REQUIRED if t not in inputs]
    if missing:
        raise ValidationFailed(f"缺少输入表：{', '.join(missing)}", f"missing inputs: {missing}")
    policy = load(policy) if isinstance(policy, str) else policy
    compiled = compile_policy(policy, year)
    engine: Backend = backend or DuckDBBackend()
    present = {name: engine.register(name, src) for name, src in inputs.items()}
    for name in REQUIRED:
        if "household_no" not in present[name]:
            raise ValidationFailed(
                f"输入表 {name} 缺少 household_no 列", f"input '{name}' has no household_no column"
            )
    steps = pipeline.build(compiled, present)
    engine.run(steps)
    names = {s.name for s in steps}

    def result(level: str) -> pa.Table | None:
        name = pipeline.RESULT_TABLES[level]
        if name not in names:
            return None
        return with_failed_text(engine.fetch(name), compiled.levels[level])  # type: ignore[index]

    households = result("household")
    assert households is not None
    records: dict[str, pa.Table] = {lv: t for lv in schema.RECORDS if (t := result(lv)) is not None}
    return Results(
        compiled, _stamp(households, compiled), result("village"), result("county"), records
    )
