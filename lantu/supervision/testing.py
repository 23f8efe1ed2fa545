"""The checks' YAML cases (``lantu supervision test``): each case gives a few rows of some inputs
and the keys its check must find, no more and no fewer. A case may set ``year`` (default 2025)."""

from __future__ import annotations

from dataclasses import dataclass

from lantu.supervision import checks, reconcile, store

DEFAULT_YEAR = 2025


@dataclass
class CaseResult:
    check: str
    name: str
    expected: list[str]
    found: list[str]

    @property
    def ok(self) -> bool:
        return sorted(self.expected) == sorted(self.found)


def run_all(only: list[str] | None = None) -> list[CaseResult]:
    out = []
    for check in checks.catalogue().checks.values():
        if only and check.id not in only:
            continue
        for case in check.cases:
            year = int(case.get("year", DEFAULT_YEAR))
            found = reconcile.find(store.from_rows(case.get("given") or {}), year, only=[check.id])
            keys = [str(k) for k in found.column("key").to_pylist()]
            out.append(CaseResult(check.id, case["name"], [str(k) for k in case["expect"]], keys))
    return out
