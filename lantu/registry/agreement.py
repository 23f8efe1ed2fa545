"""Do the registry's tables agree with the ledger? (账实相符, checked by ``lantu ledger verify``.)

Every change to a household is a ledger event carrying the values after it (``after``). Folding a
household's events in order gives the ledger's latest state of each field it ever recorded; the
household's row must hold the same values. A row changed behind the ledger's back (an UPDATE in
SQL), a household with no event at all (inserted directly) and a household the ledger created but
the table lost are each reported.

Derived columns (size, head's name, region path, timestamps) are recomputed by the registry and are
not compared.
"""

from __future__ import annotations

from typing import Any

from lantu.ledger.models import Event
from lantu.registry.models import Household

COMPARED = (
    "household_no", "household_type", "registration_year", "status", "monitoring_type",
    "exit_year", "planned_exit_year", "relocated", "address", "phone", "bank_account",
)  # fmt: skip
PERSONAL = {"phone", "bank_account", "address"}  # not printed: verify's output is a log
SHOWN = 20  # problems listed per kind; the count says how many there are


def _norm(value: Any) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    return str(value)


class LedgerState:
    def __init__(self) -> None:
        self.households: dict[int, dict[str, str]] = {}

    def fold(self, ev: Event) -> None:
        if ev.object_type != "household" or not ev.object_id.isdigit():
            return
        state = self.households.setdefault(int(ev.object_id), {})
        if isinstance(ev.after, dict):
            for name in COMPARED:
                if name in ev.after and not isinstance(ev.after[name], dict | list):
                    state[name] = _norm(ev.after[name])

    def disagreements(self) -> list[str]:
        problems: list[str] = []
        unrecorded: list[int] = []
        seen: set[int] = set()
        rows = Household.objects.order_by("id").values_list("id", *COMPARED)
        for pk, *values in rows.iterator(chunk_size=5000):
            seen.add(pk)
            state = self.households.get(pk)
            if state is None:
                unrecorded.append(pk)
                continue
            for name, value in zip(COMPARED, values, strict=True):
                if name in state and state[name] != _norm(value):
                    shown = "***" if name in PERSONAL else f"{value!r}, ledger {state[name]!r}"
                    problems.append(
                        f"户#{pk}的{name}与台账不符 / household #{pk}: {name} differs from the "
                        f"ledger (table {shown}): changed without an event"
                    )
        problems = problems[:SHOWN] + self._summary(
            unrecorded,
            "表中有户但台账无记录",
            "in the table with no ledger event (inserted directly)",
        )
        lost = sorted(set(self.households) - seen)
        return problems + self._summary(lost, "台账记录的户在表中缺失", "in the ledger but missing "
                                        "from the table (deleted without an event)")  # fmt: skip

    @staticmethod
    def _summary(pks: list[int], zh: str, en: str) -> list[str]:
        if not pks:
            return []
        shown = ", ".join(f"#{p}" for p in pks[:SHOWN])
        return [f"{len(pks)}户{zh}：{shown} / {len(pks)} households {en}: {shown}"]
