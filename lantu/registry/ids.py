"""Resident ID numbers (居民身份证号码, GB 11643-1999).

``check_id`` normalises what people type (full-width digits, lower-case x, stray spaces, 15-digit
legacy numbers) and checks it with python-stdnum's parts: the check character, the birth date and
the region code. It deliberately does not call ``stdnum.cn.ric.validate``: that also demands the
region code existed in the person's birth year, which rejects real IDs of elderly people whose
county code was created after they were born (a number carries the code in force when it was
issued). Lantu accepts any region code that ever existed and warns about one that never did.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from stdnum import numdb
from stdnum.cn import ric

_FULLWIDTH = {ord("０") + i: ord("0") + i for i in range(10)} | {
    ord("Ｘ"): ord("X"),
    ord("ｘ"): ord("X"),
}
_SPACES = {ord(c): None for c in " \t\u3000\u00a0-"}
_CLEAN = str.maketrans(_FULLWIDTH | _SPACES | {ord("x"): ord("X")})
EARLIEST_BIRTH = datetime.date(1900, 1, 1)


@dataclass
class IdCheck:
    number: str  # normalised, 18 characters when valid
    error: tuple[str, str] | None = None  # (zh, en)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    birth_date: datetime.date | None = None
    sex: str | None = None  # "1" male, "2" female (codes.SEX)
    legacy: str = ""  # the 15-digit number it was upgraded from

    @property
    def ok(self) -> bool:
        return self.error is None


def normalise(raw: object) -> str:
    text = "" if raw is None else str(raw)
    return text.translate(_CLEAN)


def upgrade_15(number: str) -> str:
    """A 15-digit first-generation number → 18 digits: century '19' inserted, check char added."""
    body = number[:6] + "19" + number[6:]
    return body + ric.calc_check_digit(body + "0")


@lru_cache(maxsize=8192)
def region_code_ever_existed(code6: str) -> bool:
    parts = numdb.get("cn/loc").info(code6)
    return any("county" in props for _, props in parts)


@lru_cache(maxsize=1)
def _today_cached(_hour: int) -> datetime.date:
    return datetime.date.today()


def _today() -> datetime.date:
    return _today_cached(int(datetime.datetime.now().timestamp()) // 3600)


def check_id(raw: object, *, today: datetime.date | None = None) -> IdCheck:
    number = normalise(raw)
    result = IdCheck(number=number)
    if not number:
        result.error = ("身份证号为空", "the ID number is empty")
        return result
    if len(number) == 15 and number.isdigit():
        result.legacy = number
        number = result.number = upgrade_15(number)
    if len(number) != 18:
        result.error = (
            f"身份证号应为18位，实为{len(number)}位",
            f"an ID number has 18 characters, this one has {len(number)}",
        )
        return result
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        result.error = (
            "身份证号只能是数字，最后一位可以是X",
            "an ID number is digits only, the last may be X",
        )
        return result
    expected = ric.calc_check_digit(number)
    if number[17] != expected:
        result.error = (
            f"身份证号校验位错误（应为{expected}），请核对是否录错某一位",
            f"the check character is wrong (expected {expected}): a digit is probably mistyped",
        )
        return result
    try:
        # ric.get_birth_date re-cleans the number first; it is clean already, so parse directly.
        birth = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        result.error = (
            "身份证号中的出生日期不存在",
            "the birth date inside the ID number is not a date",
        )
        return result
    if not EARLIEST_BIRTH <= birth <= (today or _today()):
        result.error = (
            f"身份证号中的出生日期{birth}不合理",
            f"the birth date {birth} inside the ID number is impossible",
        )
        return result
    result.birth_date = birth
    result.sex = "1" if int(number[16]) % 2 == 1 else "2"
    if not region_code_ever_existed(number[:6]):
        result.warnings.append(
            (
                f"身份证号前6位地区码{number[:6]}不在国家区划代码表中，请核对",
                f"region code {number[:6]} is in no edition of the national code list: check it",
            )
        )
    return result


def mask(number: str) -> str:
    """What a role without the personal-data permission sees: region and last two kept."""
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 6) + number[-2:]
