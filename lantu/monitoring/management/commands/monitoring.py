"""``lantu monitoring alerts|warning``.

- ``alerts --year Y``: the data comparison's open monitoring findings become tickets (department
  alerts, 政府托举). Escalation of overdue tickets runs with ``lantu procedures escalate``.
- ``warning --sim DIR [--train 2021,2022] [--test 2023,2024,2025]``: train the early-warning model
  on a simulated province's earlier years and measure it on later years' truth (a scoring
  command: it reads the simulator's ``truth/``, as the application never does).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


def _years(text: str) -> list[int]:
    return [int(y) for y in text.split(",") if y.strip()]


class Command(BaseCommand):
    help = "防返贫监测：比对发现转为线索工单；预警模型评估 / monitoring: alerts, early warning"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["alerts", "warning"])
        parser.add_argument("--year", type=int)
        parser.add_argument("--sim", type=Path)
        parser.add_argument("--train", default="2021,2022")
        parser.add_argument("--test", default="2023,2024,2025")
        parser.add_argument("--precision", type=float, default=0.5)
        parser.add_argument("--horizon", type=int, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["what"] == "alerts":
            from lantu.monitoring import alerts

            n = alerts.from_findings(year=opts["year"])
            self.stdout.write(f"{n} 件新线索工单 / new tickets from findings")
            return
        from lantu.monitoring import warning_eval

        r = warning_eval.run(
            opts["sim"],
            _years(opts["train"]),
            _years(opts["test"]),
            opts["precision"],
            opts["horizon"],
        )
        self.stdout.write(f"threshold {r['threshold']:.3f}")
        for row in r["results"]:
            for who in ("model", "baseline"):
                m = row[who]
                self.stdout.write(
                    f"{row['year']} {who:<8} falls {m['falls']:>6} caught≤15d {m['caught_15d']:>6} "
                    f"recall {m['recall_15d'] or 0:.3f} alerted {m['alerted']:>7} "
                    f"precision {m['precision'] or 0:.3f} before-shock {m['before_shock']}"
                )
        self.stdout.write(str(r["channels"]))
        for hid, why in r["examples"]:
            self.stdout.write(f"household {hid}: {', '.join(why)}")
