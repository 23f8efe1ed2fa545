"""Test data built through the real services: a small region tree, users per role, households."""

from __future__ import annotations

import datetime
import itertools
from typing import Any

from stdnum.cn import ric

from lantu.accounts.models import User
from lantu.regions.models import Region
from lantu.regions.services import load_regions, load_yunnan
from lantu.registry import services
from lantu.registry.models import Household

COUNTY = "530822000000"  # 墨江哈尼族自治县, a former poverty county
OTHER_COUNTY = "530823000000"  # 景东彝族自治县
_seq = itertools.count(1)


def make_id(birth: datetime.date, *, male: bool = True, region6: str = "530822") -> str:
    n = next(_seq) % 500
    order = 2 * n + (1 if male else 0)
    body = f"{region6}{birth:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")


def make_tree() -> dict[str, Region]:
    """Yunnan's shipped tree plus two townships with two villages each, in two counties."""
    load_yunnan()
    rows = []
    for county, tcode in ((COUNTY, "530822100000"), (OTHER_COUNTY, "530823100000")):
        rows.append(
            {
                "code": tcode,
                "name": f"{tcode[-6:-3]}镇",
                "level": "township",
                "type": "镇",
                "parent_code": county,
            }
        )
        for v in (1, 2):
            rows.append(
                {
                    "code": tcode[:9] + f"{200 + v:03d}",
                    "name": f"{tcode[4:6]}村{v}",
                    "level": "village",
                    "type": "行政村",
                    "parent_code": tcode,
                }
            )
    load_regions(rows)
    return {r.code: r for r in Region.objects.all()}


def make_user(username: str, region: Region, *roles: str) -> User:
    return User.objects.create_user(
        username=username, password="pw-" + username, region=region, roles=list(roles)
    )


def make_household(
    region: Region,
    *,
    size: int = 3,
    household_no: str | None = None,
    actor: Any = None,
    **fields: Any,
) -> Household:
    no = household_no or f"H{region.code}{next(_seq):05d}"
    members = [
        {
            "name": "张三",
            "id_number": make_id(datetime.date(1950, 3, 1)),
            "relation": "head",
            "phone": "13800000000",
            "health": "chronic",
        },
    ]
    for i in range(size - 1):
        members.append(
            {
                "name": f"张{i}",
                "id_number": make_id(datetime.date(2010 + i % 8, 5, 1), male=i % 2 == 0),
                "relation": "child",
            }
        )
    return services.create_household(
        actor=actor, household_no=no, region=region, members=members, **fields
    )


def make_world() -> dict[str, Any]:
    """Two counties; one user per role bound to COUNTY; one household in each county, each with a
    year of facts, a status change, a phone, a bank account and a health detail to be masked."""
    from lantu.accounts.roles import Role

    regions = make_tree()
    county = regions[COUNTY]
    users = {role: make_user(f"u_{role}", county, role) for role in Role}
    inside = make_household(
        regions["530822100201"], registration_year=2016, bank_account="6228480000000000011"
    )
    outside = make_household(
        regions["530823100201"], registration_year=2016, bank_account="6228480000000000022"
    )
    for hh in (inside, outside):
        facts = {"wage_income": 3000, "main_cause": "1", "housing_grade": "A"}
        services.record_year(actor=None, household=hh, year=2020, facts=facts)
        services.change_status(
            actor=None, household=hh, to_status="exited", year=2020, reason="收入达标"
        )
    _pair_cadre_user(users.get(Role.CADRE), inside)
    return {"regions": regions, "users": users, "inside": inside, "outside": outside}


def _pair_cadre_user(user: User | None, household: Household) -> None:
    """The cadre user (帮扶责任人) is the responsible cadre of the inside household only."""
    if user is None:
        return
    from lantu.assistance import services as assistance

    cadre = assistance.create_cadre(
        actor=None,
        cadre_no=f"C-{user.username}",
        name="李帮扶",
        id_number=make_id(datetime.date(1985, 7, 1)),
        level="county",
        region=household.region,
        phone="13711112222",
        user=user,
    )
    assistance.pair(actor=None, cadre=cadre, household=household, start=datetime.date(2021, 6, 1))
