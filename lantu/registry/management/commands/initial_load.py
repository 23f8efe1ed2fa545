"""lantu initial_load open|close|status --user ADMIN --reason TEXT — the initial-load mode in which
an import may set households' statuses (``lantu.registry.loadmode``); ledgered, admin-only."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lantu.accounts.models import User
from lantu.core.errors import LantuError
from lantu.registry.loadmode import is_open, set_mode


class Command(BaseCommand):
    help = "初始导入模式 / the initial-load mode (statuses taken from imported files)"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["open", "close", "status"])
        parser.add_argument("--user", help="the administrator acting (default: the console)")
        parser.add_argument("--reason", default="", help="why (recorded in the ledger)")

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["action"] != "status":
            actor = None
            if opts["user"]:
                actor = User.objects.filter(username=opts["user"]).first()
                if actor is None:
                    raise CommandError(f"用户不存在 / no such user: {opts['user']}")
            if not opts["reason"]:
                raise CommandError("请用 --reason 说明原因 / give the reason with --reason")
            try:
                set_mode(actor=actor, open_=opts["action"] == "open", reason=opts["reason"])
            except LantuError as exc:
                raise CommandError(f"{exc.zh}\n{exc.en}") from exc
        state = ("开启 open", "关闭 closed")[0 if is_open() else 1]
        self.stdout.write(f"初始导入模式 initial-load mode: {state}")
