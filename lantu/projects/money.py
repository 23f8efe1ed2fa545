"""Money as Decimal end to end, exact on SQLite and PostgreSQL alike.

Django stores a ``DecimalField`` on SQLite as a REAL (a binary float): sums of many amounts then
drift by fractions of a cent, and an invariant such as "disbursed ≤ allocated" could fail or pass
by a rounding error. So amounts are kept as whole fen (分) in a BIGINT column (``YuanField``): the
database adds integers exactly, and Python sees ``Decimal`` yuan with two places both ways. A
value with more than two decimal places is refused, never rounded silently.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models.expressions import Combinable

from lantu.core.errors import ValidationFailed

CENT = Decimal("0.01")


def to_yuan(value: Any) -> Decimal:
    """A Decimal of yuan from text, int or Decimal (never float: a float is already inexact)."""
    if isinstance(value, float):
        raise TypeError("money is never a float")
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationFailed(f"“{value}”不是金额", f"'{value}' is not an amount") from None
    if not d.is_finite() or d != d.quantize(CENT):
        raise ValidationFailed(
            f"金额{value}最多保留两位小数", f"amount {value} has more than two decimal places"
        )
    return d.quantize(CENT)


def to_fen(value: Any) -> int:
    return int(to_yuan(value) * 100)


def yuan_of(fen: int) -> Decimal:
    return (Decimal(int(fen)) / 100).quantize(CENT)


def from_fen(fen: int | None) -> Decimal | None:
    return None if fen is None else yuan_of(fen)


class YuanField(models.BigIntegerField):  # type: ignore[type-arg]
    """Yuan as ``Decimal`` in Python, whole fen in the database (see the module docstring)."""

    _pyi_private_set_type: Decimal | int | str | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Decimal  # type: ignore[assignment]

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        return from_fen(value)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        return None if value is None else to_yuan(value)

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        return to_fen(value)
