"""The catalogue (``catalogue.yaml``): the seven departments, each with its role and the need
categories it acts on, the events a report can name, and the assistance tracks by labour capacity.

Everything a form, a route or a label needs comes from here, so a province changes categories by
editing data. ``departments_for(needs)`` is the routing: a ticket goes to every department owning
one of its needs.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import get_language

from lantu.core.errors import ValidationFailed

PATH = Path(__file__).resolve().parent / "catalogue.yaml"


@dataclass(frozen=True)
class Label:
    code: str
    zh: str
    en: str

    @property
    def text(self) -> str:
        return self.en if (get_language() or "").startswith("en") else self.zh


@dataclass(frozen=True)
class Department(Label):
    role: str
    needs: tuple[Label, ...]


@functools.cache
def _raw() -> dict[str, Any]:
    with PATH.open(encoding="utf-8") as f:
        data: dict[str, Any] = yaml.safe_load(f)
    return data


@functools.cache
def departments() -> dict[str, Department]:
    out = {}
    for code, d in _raw()["departments"].items():
        needs = tuple(Label(n, v["zh"], v["en"]) for n, v in d["needs"].items())
        out[code] = Department(code, d["zh"], d["en"], d["role"], needs)
    return out


@functools.cache
def needs() -> dict[str, tuple[Label, str]]:
    """need code → (label, department code)."""
    return {n.code: (n, d.code) for d in departments().values() for n in d.needs}


@functools.cache
def events() -> dict[str, Label]:
    return {k: Label(k, v["zh"], v["en"]) for k, v in _raw()["events"].items()}


def with_labour() -> frozenset[str]:
    return frozenset(_raw()["assistance"]["with_labour"])


def tracks() -> dict[str, Label]:
    return {k: Label(k, v["zh"], v["en"]) for k, v in _raw()["assistance"]["tracks"].items()}


def finding_clue(dataset: str) -> tuple[str, list[str]]:
    """What a data-comparison finding on ``dataset`` reports: (event, needs)."""
    raw = _raw()["findings"].get(dataset) or {"event": "other", "needs": ["temporary_relief"]}
    return str(raw["event"]), list(raw["needs"])


def visit_statuses() -> tuple[list[str], list[str]]:
    """(statuses listed as registered or monitored, statuses listed as edge households)."""
    v = _raw()["visits"]
    return list(v["statuses"]), list(v["edge"])


def department_of_role(roles: list[str]) -> list[str]:
    return [d.code for d in departments().values() if d.role in roles]


def check_needs(codes: list[str]) -> list[str]:
    unknown = [c for c in codes if c not in needs()]
    if unknown:
        raise ValidationFailed(f"未知的需求类别：{'、'.join(unknown)}", f"unknown needs: {unknown}")
    if not codes:
        raise ValidationFailed(
            "请至少选择一项需要的帮助", "choose at least one kind of help needed"
        )
    return list(dict.fromkeys(codes))


def departments_for(codes: list[str]) -> list[str]:
    return list(dict.fromkeys(needs()[c][1] for c in codes))


def label(kind: str, code: str) -> str:
    table: dict[str, Label] = {"event": events(), "track": tracks()}.get(kind) or {}
    if kind == "department":
        dep = departments().get(code)
        return dep.text if dep else code
    if kind == "need":
        return needs()[code][0].text if code in needs() else code
    return table[code].text if code in table else code
