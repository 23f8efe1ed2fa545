"""``lantu monitoring alerts|warning|score``.

- ``alerts --year Y``: the data comparison's open monitoring findings become tickets (department
  alerts, 政府托举). Escalation of overdue tickets runs with ``lantu procedures escalate``.
- ``warning --sim DIR [--train 2021,2022] [--test 2023,2024,2025]``: train the early-warning model
  on a simulated province's earlier years and measure it on later years' truth (a scoring
  command: it reads the simulator's ``truth/``, as the application never does). ``--save PATH``
  keeps the fitted model (trees, calibration, alert threshold) for ``score``.
- ``score --obs DIR --model PATH [--day YYYY-MM-DD] [--out FILE]``: the monthly scoring run
  (``warning_run.on_day``): every household of the register in the observed files scored on the
  day (default: today), written as Parquet (hukou_no, score, alert). The year's quiet scores are
  kept under ``var/warning/`` and reused by the later months.
"""

from __future__ import annotations

import datetime
import pickle
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser


def _years(text: str) -> list[int]:
    return [int(y) for y in text.split(",") if y.strip()]


class Command(BaseCommand):
    help = "防返贫监测：比对发现转为线索工单；预警模型评估 / monitoring: alerts, early warning"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("what", choices=["alerts", "warning", "score"])
        parser.add_argument("--year", type=int)
        parser.add_argument("--sim", type=Path)
        parser.add_argument("--train", default="2021,2022")
        parser.add_argument("--test", default="2023,2024,2025")
        parser.add_argument("--precision", type=float, default=0.5)
        parser.add_argument("--horizon", type=int, default=None)
        parser.add_argument("--save", type=Path, help="warning: keep the fitted model here")
        parser.add_argument("--obs", type=Path, help="score: the observed files")
        parser.add_argument("--model", type=Path, help="score: a model kept by warning --save")
        parser.add_argument("--day", type=datetime.date.fromisoformat, default=None)
        parser.add_argument("--out", type=Path, default=None)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["what"] == "alerts":
            from lantu.monitoring import alerts

            n = alerts.from_findings(year=opts["year"])
            self.stdout.write(f"{n} 件新线索工单 / new tickets from findings")
            return
        if opts["what"] == "score":
            self._score(opts)
            return
        from lantu.monitoring import warning_eval

        r = warning_eval.run(
            opts["sim"],
            _years(opts["train"]),
            _years(opts["test"]),
            opts["precision"],
            opts["horizon"],
        )
        if opts["save"]:
            opts["save"].parent.mkdir(parents=True, exist_ok=True)
            opts["save"].write_bytes(pickle.dumps(r["model"]))
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

    def _score(self, opts: dict[str, Any]) -> None:
        from django.conf import settings

        from lantu.monitoring import warning, warning_eval, warning_run
        from lantu.procedures import clock

        if not opts["obs"] or not opts["model"]:
            raise CommandError("需要 --obs 与 --model / --obs and --model are required")
        model = pickle.loads(opts["model"].read_bytes())  # the operator's own file
        if not isinstance(model, warning.Model):
            raise CommandError("模型文件无效 / not a model kept by `monitoring warning --save`")
        day = opts["day"] or clock.today()
        out = warning_run.on_day(
            model, opts["obs"], day, warning_eval._line(day.year), settings.VAR_DIR / "warning"
        ).with_columns(alert=pl.col("score") >= model.threshold)
        path = opts["out"] or settings.VAR_DIR / "warning" / f"scores-{day}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        out.write_parquet(path)
        self.stdout.write(
            f"{day}: {out.height} 户评分，{int(out['alert'].sum())} 户预警 / "
            f"{out.height} households scored, {int(out['alert'].sum())} alerts -> {path}"
        )
