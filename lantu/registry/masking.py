"""Masking of personal data, in one place. Every page, export and API response that shows a
registry value passes it through ``Masker.value`` (or ``Masker.row``), so what a role may see is
decided here and nowhere else.

A role without ``Perm.PERSONAL_DATA`` sees ID numbers with only the region prefix and the last two
characters (``lantu.registry.ids.mask``), phone numbers and bank accounts with only their last
four digits, and no health details at all (health status, disability grade, medical spending):
these are what DOMAIN.md §8 says must never be shown on a public notice, and what the
prefecture and province supervise without needing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lantu.accounts.roles import Perm
from lantu.registry.ids import mask as mask_id

HIDDEN = "***"


def mask_tail(value: str, keep: int = 4) -> str:
    """Phones and bank accounts: stars, then the last ``keep`` digits (enough to confirm)."""
    if not value:
        return ""
    if len(value) <= keep:
        return "*" * len(value)
    return "*" * (len(value) - keep) + value[-keep:]


def _hide(value: Any) -> str:
    return "" if value in (None, "") else HIDDEN


def _id(value: Any) -> str:
    return mask_id(str(value)) if value else ""


def _tail(value: Any) -> str:
    return mask_tail(str(value)) if value else ""


def _year_only(value: Any) -> str:
    # The birth date is inside the ID number: shown whole, it would undo the ID number's mask.
    return f"{value.year}-**-**" if hasattr(value, "year") else _hide(value)


# Column (registry vocabulary, lantu.registry.columns) → how it is masked.
PERSONAL: dict[str, Callable[[Any], str]] = {
    "id_number": _id,
    "legacy_id_number": _id,
    "birth_date": _year_only,
    "phone": _tail,
    "member_phone": _tail,
    "bank_account": _tail,
    "health": _hide,
    "disability_grade": _hide,
    "medical_out_of_pocket": _hide,
}


def sees_personal_data(user: Any) -> bool:
    can = getattr(user, "can", None)
    return bool(getattr(user, "is_authenticated", False) and can and can(Perm.PERSONAL_DATA))


@dataclass(frozen=True)
class Masker:
    """What one user may see. Build it once per request: ``masker_for(request.user)``."""

    unmasked: bool

    def value(self, column: str, value: Any) -> Any:
        if self.unmasked or column not in PERSONAL:
            return value
        return PERSONAL[column](value)

    def row(self, row: Mapping[str, Any]) -> dict[str, Any]:
        return {k: self.value(k, v) for k, v in row.items()}

    def masks(self, column: str) -> bool:
        return not self.unmasked and column in PERSONAL


def masker_for(user: Any) -> Masker:
    return Masker(unmasked=sees_personal_data(user))
