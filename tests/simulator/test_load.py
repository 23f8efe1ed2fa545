import datetime

import polars as pl
import pytest
from django.core.management import call_command

from lantu.regions.models import PovertyStatus, Region
from lantu.registry.models import Household, HouseholdYear, Member
from lantu.simulator.loading import held_back
from lantu.simulator.run import simulate


@pytest.mark.django_db
def test_load_puts_regions_poverty_status_and_registry_into_the_app(tmp_path):
    out = simulate("county", tmp_path / "run", seed=11, people=800, progress=False)
    call_command("load", str(out))
    obs = out / "observed"
    regions = pl.read_parquet(obs / "regions.parquet")
    assert Region.objects.filter(code__in=regions["code"].to_list()).count() == regions.height
    village = Region.objects.filter(level="village").first()
    assert village is not None and village.path.count("/") == 6  # five levels, province → village
    assert PovertyStatus.objects.count() == pl.read_parquet(obs / "poverty_status.parquet").height
    households = pl.read_parquet(obs / "registry" / "households.parquet")
    held = pl.read_parquet(out / "load_held_back.parquet")["household_no"].unique()
    assert Household.objects.count() == households.height - len(held)
    assert not Household.objects.filter(household_no__in=held.to_list()).exists()
    members = pl.read_parquet(obs / "registry" / "members.parquet").filter(
        ~pl.col("household_no").is_in(held.implode())
    )
    assert Member.objects.count() == members.height
    assert Member.objects.filter(active=True).count() == members["left_reason"].is_null().sum()
    years = pl.read_parquet(obs / "registry" / "years.parquet").filter(
        ~pl.col("household_no").is_in(held.implode())
    )
    assert HouseholdYear.objects.count() == years.height


def test_entry_errors_are_held_back_with_their_reason():
    members = pl.DataFrame(
        {
            "household_no": ["1", "1", "2", "3"],
            "id_number": [
                "11010519491231002X",
                "110105194912310021",
                "110105194912310021",
                "11010519491231002X",
            ],
            "sex": ["2", "2", "2", "1"],
            "birth_date": [datetime.date(1949, 12, 31)] * 4,
            "relation": ["head", "spouse", "head", "head"],
            "left_reason": [None, None, None, None],
        }
    )
    held = held_back(members)
    reasons = dict(zip(held["household_no"], held["reason"], strict=True))
    assert set(reasons) == {"1", "2", "3"}
    assert "check character" in reasons["1"] and "check character" in reasons["2"]
    assert "sex" in reasons["3"]


@pytest.mark.django_db
def test_a_province_loads_in_township_slices_and_a_rerun_writes_nothing(tmp_path):
    from lantu.ledger.models import Event
    from lantu.simulator.loading import load

    out = simulate("county", tmp_path / "run", seed=12, people=1500, progress=False)
    report = load(out, chunk_members=200)
    assert report.ok, report.errors
    obs = out / "observed"
    held = pl.read_parquet(out / "load_held_back.parquet")["household_no"].unique()
    households = pl.read_parquet(obs / "registry" / "households.parquet")
    assert Household.objects.count() == households.height - len(held)
    members = pl.read_parquet(obs / "registry" / "members.parquet").filter(
        ~pl.col("household_no").is_in(held.implode())
    )
    assert Member.objects.count() == members.height
    assert report.registry["households_created"] == Household.objects.count()
    towns = households["region_code"].str.slice(0, 9).n_unique()
    assert towns > 1  # more than one slice was loaded
    data_events = Event.objects.exclude(object_type="registry")  # the mode's open and close
    events = data_events.count()
    again = load(out, chunk_members=200)
    assert again.ok and data_events.count() == events
    modes = Event.objects.filter(object_type="registry").values_list("action", flat=True)
    assert list(modes) == [f"registry.initial_load.{a}" for a in ("open", "close") * 2]
    assert again.registry.get("households_created", 0) == 0


@pytest.mark.django_db
def test_clues_load_as_tickets_routed_by_the_register(tmp_path):
    from lantu.monitoring.models import Ticket
    from lantu.simulator.loading import load_clues

    out = simulate("county", tmp_path / "run", seed=11, people=800, progress=False)
    call_command("load", str(out), clues=True, verbosity=0)
    mon = out / "observed" / "monitoring"
    seen = pl.concat(
        [
            pl.read_parquet(mon / "self_reports.parquet").select("id_number"),
            pl.read_parquet(mon / "visit_risks.parquet").select("id_number"),
            pl.read_parquet(mon / "department_signals.parquet").select("id_number"),
        ]
    )["id_number"].unique()
    tickets = Ticket.objects.filter(receipt__startswith="C")
    assert tickets.exists()
    assert set(tickets.values_list("id_number", flat=True)) <= set(seen.to_list())
    assert set(tickets.values_list("channel", flat=True)) <= {"self", "visit", "department"}
    # routed to the registry household when an active member has the ID number
    t = tickets.filter(household__isnull=False).first()
    assert t is not None
    assert Member.objects.filter(household=t.household, id_number=t.id_number).exists()
    assert t.village.level == "village"
    n = tickets.count()
    assert load_clues(out) == 0  # a re-run adds nothing
    assert Ticket.objects.count() == n
