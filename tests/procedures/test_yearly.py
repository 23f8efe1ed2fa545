"""The yearly cycle: open (ruler proposes, cases opened in bulk), close (snapshot + report of
changes per region, page and XLSX), compare two years; and the commands."""

import datetime
import io

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from lantu.procedures import yearly
from lantu.procedures.models import Case, RegistrySnapshot, YearClose
from lantu.registry import services
from lantu.standards.models import HouseholdResult
from tests.factories import make_id
from tests.procedures.conftest import VILLAGE2, household, ruler_says

pytestmark = pytest.mark.django_db


def test_open_year_proposes_candidates_and_opens_in_bulk(world, now):
    fit = [household(world) for _ in range(3)]
    unfit = [household(world)]
    ruler_says(fit, 2021, household_exit=True, exclusions_clear=True)
    ruler_says(unfit, 2021, household_exit=False, exclusions_clear=False)
    out = yearly.open_year(actor=None, year=2021, evaluate=False, open_kinds=("household_exit",))
    assert out.proposed["household_exit"] == 3
    assert out.proposed["removal"] == 1
    assert out.opened == {"household_exit": 3}
    assert set(Case.objects.values_list("household_id", flat=True)) == {h.pk for h in fit}
    again = yearly.open_year(actor=None, year=2021, evaluate=False)
    assert again.proposed["household_exit"] == 0  # running cases are not proposed twice


def test_open_year_with_the_real_ruler(world, now):
    for _ in range(2):
        hh = household(world)
        services.record_year(
            actor=None, household=hh, year=2021, facts={"wage_income": 30000, "housing_grade": "A"}
        )
    out = yearly.open_year(actor=None, year=2021, policy="yunnan")
    assert out.run_id is not None
    rows = HouseholdResult.objects.filter(run_id=out.run_id)
    assert rows.count() == 2
    assert set(out.proposed) == {
        "identification",
        "household_exit",
        "removal",
        "return",
        "monitoring",
        "risk_elimination",
    }


# Deaths and moves are dated by the year they are recorded in: the year under test is this one.
THIS = datetime.date.today().year
NEXT = THIS + 1


def _a_year_of_changes(world):
    a, b, c = household(world), household(world), household(world, village=VILLAGE2)
    services.change_status(actor=None, household=a, to_status="exited", year=THIS, reason="x")
    services.change_status(actor=None, household=c, to_status="removed", year=THIS, reason="x")
    head = b.members.get(relation="head")
    services.add_member(
        actor=None,
        household=b,
        name="新生",
        relation="child",
        id_number=make_id(datetime.date(THIS, 1, 5)),
    )
    services.remove_member(
        actor=None, member=b.members.exclude(relation="head").first(), left_reason="death"
    )
    services.remove_member(
        actor=None, member=c.members.exclude(relation="head").first(), left_reason="marriage"
    )
    return a, b, c, head


def test_close_year_freezes_and_reports_changes(world, now, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    a, b, c, _ = _a_year_of_changes(world)
    closed = yearly.close_year(actor=None, year=THIS)
    assert closed.households == 3
    assert (tmp_path / "snapshots" / f"registry-{THIS}.parquet").exists()
    snap = dict(RegistrySnapshot.objects.filter(year=THIS).values_list("household_id", "status"))
    assert snap == {a.pk: "exited", b.pk: "poor", c.pk: "removed"}
    by_village = {r["code"]: r for r in closed.report}
    v1 = by_village[a.region.code]
    v2 = by_village[c.region.code]
    assert (v1["exited"], v1["births"], v1["deaths"], v1["moves"]) == (1, 1, 1, 0)
    assert (v2["removed"], v2["moves"], v2["deaths"]) == (1, 1, 0)
    with pytest.raises(Exception, match="replace"):
        yearly.close_year(actor=None, year=THIS)
    # Later changes do not alter the frozen year.
    services.change_status(actor=None, household=b, to_status="exited", year=NEXT, reason="x")
    assert RegistrySnapshot.objects.get(year=THIS, household_id=b.pk).status == "poor"
    yearly.close_year(actor=None, year=NEXT)
    rows = yearly.compare(THIS, NEXT)
    assert ("poor", "exited", 1) in rows and ("exited", "exited", 1) in rows


def test_year_pages_and_xlsx_are_scoped(world, now, client_for, tmp_path, settings):
    settings.VAR_DIR = tmp_path
    _a_year_of_changes(world)
    yearly.close_year(actor=None, year=THIS)
    yearly.close_year(actor=None, year=NEXT)
    county = client_for(world["users"]["county"])
    page = county.get(f"/procedures/years/{THIS}/")
    assert page.status_code == 200 and "联珠镇" in page.content.decode()
    r = county.get(f"/procedures/years/{THIS}/changes.xlsx")
    sheet = load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[1][1] == "联珠镇"
    header = values[0]
    assert values[1][header.index("脱贫退出 exited")] == 1
    assert values[1][header.index("清退 removed")] == 1
    outsider = client_for(world["users"]["outsider"])
    assert "联珠镇" not in outsider.get(f"/procedures/years/{THIS}/").content.decode()
    cmp = county.get(f"/procedures/years/compare/?a={THIS}&b={NEXT}")
    assert cmp.status_code == 200
    assert county.get("/procedures/years/2030/").status_code == 404


def test_year_commands(world, now, tmp_path, settings, capsys):
    settings.VAR_DIR = tmp_path
    _a_year_of_changes(world)
    call_command("year", "close", str(THIS), "--xlsx", str(tmp_path / "r.xlsx"))
    call_command("year", "close", str(NEXT))
    call_command("year", "compare", str(THIS), str(NEXT))
    call_command("procedures", "escalate")
    call_command("procedures", "conclude")
    call_command("procedures", "kinds")
    out = capsys.readouterr().out
    assert "联珠镇" in out and (tmp_path / "r.xlsx").exists()
    assert "household_exit" in out and "0 件督办" in out and "0 件公示期满确认" in out
    assert YearClose.objects.count() == 2
