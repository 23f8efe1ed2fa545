"""What a breakdown key is called in the page's language: registry codes from their code lists,
guarantees, procedure kinds and finding kinds from their own declarations."""

from __future__ import annotations

from functools import cache

from django.utils.translation import gettext as _

from lantu.core.i18n import english
from lantu.registry import codes

BY_CODES = {
    "status": codes.STATUS,
    "household_type": codes.HOUSEHOLD_TYPE,
    "main_cause": codes.CAUSE,
    "monitoring_type": codes.MONITORING_TYPE,
    "work": codes.WORK,
}


@cache
def _procedure_kinds() -> dict[str, tuple[str, str]]:
    from lantu.procedures import config

    return {slug: (k.zh, getattr(k, "en", k.zh)) for slug, k in config.kinds().items()}


def key_label(indicator_by: str, key: str) -> str:
    if not key:
        return _("合计")
    if indicator_by in BY_CODES:
        for c in BY_CODES[indicator_by]:
            if c.code == key:
                return c.en if english() else c.zh
    if indicator_by in ("source", "category"):
        from lantu.projects import codes as project_codes

        listed = project_codes.SOURCE if indicator_by == "source" else project_codes.CATEGORY
        for c in listed:
            if c.code == key:
                return c.en if english() else c.zh
    if indicator_by == "kind" and key in _procedure_kinds():
        zh, en = _procedure_kinds()[key]
        return en if english() else zh
    other = {
        "education": _("义务教育"),
        "medical": _("基本医疗"),
        "housing": _("住房安全"),
        "water": _("饮水安全"),
        "exclusion": _("错评剔除"),
        "monitoring": _("纳入监测"),
    }
    return str(other.get(key, key))
