"""Household income arithmetic (DOMAIN.md §4), in one place:

工资性 + 家庭经营性 + 财产性 + 转移性 = 家庭总收入
家庭总收入 − 生产经营费用支出 = 家庭纯收入
家庭纯收入 ÷ 家庭人口 = 年人均纯收入
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from lantu.registry.columns import YEAR_COLUMNS

COMPONENTS = ("wage_income", "business_income", "property_income", "transfer_income")
MONEY = tuple(c.name for c in YEAR_COLUMNS if c.kind == "money" and c.name != "total_income")
CENT = Decimal("0.01")


def _money(value: Any) -> Decimal:
    if value is None or value == "":
        return Decimal(0)
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def derive(facts: dict[str, Any], size: int) -> tuple[dict[str, Any], tuple[str, str] | None]:
    """Fill total, net and per-capita income; return (facts, error) where error says what
    disagrees when a stated total differs from the sum of its components."""
    out = dict(facts)
    for name in MONEY:
        if name in out or name in COMPONENTS or name == "production_cost":
            out[name] = _money(out.get(name))
    total = sum((out[c] for c in COMPONENTS), Decimal(0))
    error = None
    stated = out.get("total_income")
    if stated not in (None, "") and _money(stated) != total:
        error = (
            f"家庭总收入{_money(stated)}不等于四项收入之和{total}",
            f"total income {_money(stated)} is not the sum of its four components, {total}",
        )
    out["total_income"] = total
    out["net_income"] = total - out["production_cost"]
    out["per_capita_net_income"] = (
        (out["net_income"] / size).quantize(CENT, rounding=ROUND_HALF_UP) if size else Decimal(0)
    )
    out["size"] = size
    return out, error
