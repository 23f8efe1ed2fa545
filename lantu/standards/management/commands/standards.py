"""``lantu standards test|show|sql|check``: the ruler's policy files from the command line.

- ``test [FILE ...]``: run the YAML policy cases (default: every file under policies/tests and
  every room's ``lantu/<room>/policies/tests``);
- ``show POLICY --year Y [--overlay PATH ...]``: the rules and every parameter value in force,
  with its source and reference (overrides by the province or county marked), then every override
  the chain records (what the province, county or an overlay such as
  ``lantu/matching/policies/matching.yaml`` changes, adds or disables);
- ``sql POLICY --year Y [--dialect spark]``: the generated pipeline, step by step;
- ``check``: load and compile every policy for every year from 2014 to this year.
"""

from __future__ import annotations

import datetime
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from lantu.standards import pipeline, schema
from lantu.standards.compiler import compile_policy
from lantu.standards.explain import provenance
from lantu.standards.policy import POLICY_DIR, PolicyInvalid, load
from lantu.standards.testing import run_all

_WHAT = {
    "parameter": ("改取值", "sets"),
    "rule": ("修改规则", "amends rule"),
    "disable": ("停用规则", "disables rule"),
    "define": ("改定义", "redefines"),
    "added": ("增加", "adds"),
}


class Command(BaseCommand):
    help = "政策标准：测试、查看、生成SQL、检查 / policy standards: test, show, sql, check"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["test", "show", "sql", "check"])
        parser.add_argument("names", nargs="*", metavar="POLICY_OR_FILE")
        parser.add_argument("--year", type=int, default=datetime.date.today().year)
        parser.add_argument("--dialect", default="duckdb")
        parser.add_argument("--lang", choices=["zh", "en"], default="zh")
        parser.add_argument(
            "--overlay",
            action="append",
            default=[],
            metavar="PATH",
            help="叠加另一模块的政策文件 / lay another room's policy file over the policy",
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            getattr(self, f"do_{opts['action']}")(opts)
        except PolicyInvalid as e:
            raise CommandError("\n".join(f"{zh} / {en}" for zh, en in e.problems)) from e

    def do_test(self, opts: dict[str, Any]) -> None:
        results = run_all([Path(a) for a in opts["names"]] or None)
        bad = [r for r in results if not r.ok]
        for r in bad:
            self.stdout.write(self.style.ERROR(f"FAIL {r.file}: {r.name}"))
            for p in r.problems:
                self.stdout.write(f"     {p}")
        line = f"{len(results) - len(bad)} passed, {len(bad)} failed"
        if bad:
            raise CommandError(line)
        self.stdout.write(self.style.SUCCESS(line))

    def _policy(self, opts: dict[str, Any]) -> str:
        if not opts["names"]:
            raise CommandError("请给出政策名称 / give a policy name (e.g. yunnan)")
        return str(opts["names"][0])

    def do_show(self, opts: dict[str, Any]) -> None:
        p = load(self._policy(opts), overlays=opts["overlay"])
        zh = opts["lang"] == "zh"
        self.stdout.write(f"{p.name} {p.version} ({' → '.join(p.chain)}) #{p.content_hash[:12]}")
        for row in provenance(p, opts["year"]):
            mark = "*" if row["overridden"] == "true" else " "
            self.stdout.write(f" {mark} {row['zh_note'] if zh else row['en_note']}")
        c = compile_policy(p, opts["year"])
        for level in [lv for lv in schema.LEVELS if lv != "member"]:
            for r in c.levels[level].rules:
                where = "" if level == "household" else f" ({level})"
                self.stdout.write(f"  [{r.kind}] {r.name}{where}: {r.zh if zh else r.en} — {r.ref}")
        if p.overrides:
            self.stdout.write("覆盖与增补：" if zh else "overrides and additions:")
        for o in p.overrides:
            what = _WHAT.get(o.what, (o.what, o.what))[0 if zh else 1]
            ref = f" — {o.ref}" if o.ref else ""
            self.stdout.write(f"  {o.by}: {what} {o.name} ({o.detail}){ref}")

    def do_sql(self, opts: dict[str, Any]) -> None:
        from lantu.engine.backends import transpile

        c = compile_policy(load(self._policy(opts), overlays=opts["overlay"]), opts["year"])
        # As if every declared column were present, as text (the most general input).
        names = {
            "households": ["household_no", *schema.household_columns()],
            "members": ["household_no", *(v.name for v in schema.base_member_columns())],
            "years": ["household_no", *schema.year_columns()],
        }
        for level, rec in schema.RECORDS.items():
            names[rec.input] = [v.name for v in schema.record_columns(level)]
        present = {t: dict.fromkeys(cols, "VARCHAR") for t, cols in names.items()}
        for step in pipeline.build(c, present):
            sql = step.sql if opts["dialect"] == "duckdb" else transpile(step.sql, opts["dialect"])
            self.stdout.write(f"-- {step.name}\n{sql};\n")

    def do_check(self, opts: dict[str, Any]) -> None:
        names = sorted(p.stem for p in POLICY_DIR.glob("*.yaml"))
        for name in names:
            policy = load(name)
            for year in range(2014, opts["year"] + 1):
                compile_policy(policy, year)
            self.stdout.write(f"{name}: ok ({len(policy.rules)} rules, 2014–{opts['year']})")
