"""lantu ledger verify — walk the hash chain, check it against its sealed head and the exported
anchors, and check that the registry's tables agree with the ledger's latest state.
lantu ledger anchor — export the sealed head (daily, from the systemd timer; docs/deploy.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.ledger.anchor import anchors_path, export_anchor
from lantu.ledger.services import verify


class Command(BaseCommand):
    help = "台账校验与锚定 / verify the ledger, or export an anchor of its head"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify", "anchor"])
        parser.add_argument("--out", help="anchor: append to this file (default var/ledger/)")
        parser.add_argument(
            "--chain-only", action="store_true", help="verify: skip the tables' agreement check"
        )

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] == "anchor":
            out = Path(opts["out"]) if opts["out"] else anchors_path()
            line = export_anchor(out)
            self.stdout.write(json.dumps(line, sort_keys=True))
            self.stderr.write(f"已写入锚点 / anchor appended to {out}")
            return
        checked, problems = verify(tables=not opts["chain_only"])
        for p in problems[:50]:
            self.stderr.write(p)
        if problems:
            raise CommandError(
                f"台账校验失败：{len(problems)}处问题（共{checked}条）\n"
                f"the ledger check failed: {len(problems)} problems in {checked} events"
            )
        self.stdout.write(f"台账完整、与数据相符 / ledger intact and agrees: {checked} events")
