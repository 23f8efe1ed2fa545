"""The stats room's assistance indicators from this room's tables (lantu.assistance.stats):
people counted once however often they were posted or paired, cumulative by year; households with
a measure in the year's plan; industry support so far; and the headline shows them."""

from __future__ import annotations

import json

import pytest

from lantu.accounts.roles import Role
from lantu.assistance import stats
from lantu.regions.models import Region
from lantu.stats import headline
from lantu.stats.models import Aggregate
from lantu.stats.services import refresh
from tests.assistance.helpers import cadre_row, load
from tests.factories import make_household, make_world

pytestmark = pytest.mark.django_db
V1, V2 = "530822100201", "530822100202"


@pytest.fixture
def world():
    w = make_world()  # inside (V1) and outside (another county); registry years up to 2020
    poor = make_household(w["regions"][V1], registration_year=2018)
    other = make_household(w["regions"][V2], registration_year=2018)
    third = make_household(w["regions"][V1], registration_year=2018)
    load("units", [{"单位编码": "DW1", "单位名称": "省示例厅", "单位层级": "省级单位"}])
    load("cadres", [cadre_row(f"GB{i}", V1) for i in (1, 2, 3)])
    team = [("2018-05-01", "GB2", "第一书记"), ("2018-05-01", "GB1", "队员"),
            ("2020-05-01", "GB3", "第一书记"), ("2020-05-01", "GB1", "队员")]  # fmt: skip
    load("teams", [{"驻村代码": V1, "任期开始": s, "干部编号": c, "队内职务": r}
                   for s, c, r in team])  # fmt: skip
    # (the world's cadre user is paired with the inside household from 2021: after these years)
    pairs = [(poor, "GB1", "2018-01-01"), (other, "GB1", "2019-03-01"),
             (third, "GB2", "2020-01-01")]  # fmt: skip
    load("pairings", [{"户编号": h.household_no, "干部编号": c, "结对日期": d}
                      for h, c, d in pairs])  # fmt: skip
    inside = w["inside"]
    plans = [(inside, "2019", "产业扶持", "实施中"), (inside, "2019", "教育资助", "计划"),
             (inside, "2020", "教育资助", "已完成"), (poor, "2020", "农用运输车辆扶持", "计划"),
             (other, "2020", "低保兜底", "已取消")]  # fmt: skip
    load("plans", [{"户编号": h.household_no, "年度": y, "帮扶措施": m, "措施状态": s}
                   for h, y, m, s in plans])  # fmt: skip
    return w


def _by_year(table) -> dict[int, float]:
    out: dict[int, float] = {}
    for r in table.to_pylist():
        out[r["year"]] = out.get(r["year"], 0) + r["value"]
    return out


def test_providers_count_each_person_once_and_cumulate(world):
    assert _by_year(stats.first_secretaries()) == {2018: 1, 2019: 1, 2020: 2}
    assert _by_year(stats.work_team_members()) == {2018: 2, 2019: 2, 2020: 3}
    paired = stats.paired_cadres()
    assert _by_year(paired) == {2018: 1, 2019: 1, 2020: 2}
    # GB1 is counted at the village of their first pairing only (V1), not again in V2
    assert {r["region_path"].rstrip("/").split("/")[-1] for r in paired.to_pylist()} == {V1}
    assert _by_year(stats.coverage()) == {2019: 1, 2020: 2}  # the cancelled 低保 is no measure
    assert _by_year(stats.industry_support()) == {2019: 1, 2020: 2}


def test_empty_room_gives_empty_tables(db):
    make_world()
    for f in (stats.coverage, stats.industry_support, stats.first_secretaries,
              stats.work_team_members, stats.paired_cadres):  # fmt: skip
        assert f().num_rows == 0


def test_stats_room_rolls_them_up_and_the_headline_shows_them(world):
    done = refresh(actor=None)
    names = ["assistance_coverage", "industry_support", "first_secretaries",
             "work_team_members", "paired_cadres"]  # fmt: skip
    assert not set(names) & set(done.missing)
    vals = json.loads(Aggregate.objects.get(path="/530000000000/", year=2020).vals)
    assert {n: sum(vals[n].values()) for n in names} == {
        "assistance_coverage": 2, "industry_support": 2, "first_secretaries": 2,
        "work_team_members": 3, "paired_cadres": 2}  # fmt: skip
    county = Region.objects.get(code="530822000000")
    rows, year = headline.compare(world["users"][Role.COUNTY_APPROVAL], county)
    shown = {r.indicator.name: r.computed for r in rows}
    assert year == 2020
    assert shown["first_secretaries"] == 2 and shown["work_team_members"] == 3
    assert shown["paired_cadres"] == 2 and shown["industry_support"] == 2
