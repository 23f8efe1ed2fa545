"""The room's coded lists, read from ``catalogue.yaml`` (data a province can extend): project
categories, fund sources, benefit mechanisms (利益联结), asset kinds and household asset types.
Each is a ``CodeList`` of the registry's kind, so templates, drop-downs and the importer's checks
work the same as the registry's."""

from __future__ import annotations

from pathlib import Path

import yaml

from lantu.registry.codes import Code, CodeList

_RAW = yaml.safe_load((Path(__file__).parent / "catalogue.yaml").read_text(encoding="utf-8"))


def _codes(section: str) -> CodeList:
    return tuple(Code(k, v["zh"], v["en"]) for k, v in _RAW[section].items())


CATEGORY = _codes("categories")
SOURCE = _codes("sources")
MECHANISM = _codes("mechanisms")
ASSET_KIND = _codes("asset_kinds")
HOUSEHOLD_ASSET = _codes("household_assets")


def choices(codes: CodeList) -> list[tuple[str, str]]:
    return [(c.code, c.zh) for c in codes]


STAGE: CodeList = (
    Code("proposed", "申报", "proposed"),
    Code("library", "已入库", "in the library"),
    Code("approved", "已批复（公示中）", "approved (on notice)"),
    Code("implementing", "实施中", "implementing"),
    Code("completed", "已完工", "completed"),
    Code("accepted", "已验收", "accepted"),
    Code("assets", "资产已登记", "assets registered"),
)
