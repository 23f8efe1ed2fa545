"""The checks find each planted fault, and nothing on clean data; the ruler's feed fills
``project_reach`` and ``assisted_*`` and county exit reads them."""

import datetime

from lantu.engine import snapshot
from lantu.engine.run import evaluate
from lantu.projects import checks, findings, services
from lantu.projects.models import Finding, Project
from tests.factories import make_id
from tests.projects.test_services import SIX


def _setup(w, now):
    county = w["users"]["county_approval"]
    services.set_availability(
        actor=county, county=w["county"], source="central", year=2021, amount="10000"
    )
    p = services.create_project(
        actor=county,
        code="XM-1",
        name="养殖",
        category="industry",
        county=w["county"],
        year=2021,
        areas=[w["village"]],
        open_case=False,
        **SIX,
    )
    services.allocate(actor=county, project=p, source="central", year=2021, amount="5000")
    return county, p


def _pay(county, p, hh, voucher, amount="100", payee=""):
    services.disburse(
        actor=county,
        project=p,
        household=hh,
        amount=amount,
        voucher=voucher,
        date=datetime.date(2021, 5, 1),
        item="养殖奖补",
        payee_id_number=payee,
    )


def test_clean_data_has_no_findings(world, now):
    county, p = _setup(world, now)
    _pay(county, p, world["poor"], "V1")
    out = findings.run(actor=county, region=world["county"], year=2021)
    assert out["found"] == 0, list(Finding.objects.values_list("rule", "key"))


def test_each_planted_fault_is_found(world, now):
    now.day = datetime.date(2022, 3, 1)
    county, p = _setup(world, now)
    _pay(county, p, world["poor"], "V1")
    _pay(county, p, world["poor"], "V2")  # the same item and amount again: paid twice
    stranger = make_id(datetime.date(1980, 1, 1))
    _pay(county, p, world["poor"], "V3", amount="50", payee=stranger)
    Project.objects.filter(pk=p.pk).update(stage="implementing")  # no notice date: never noticed
    q = services.create_project(
        actor=county,
        code="XM-2",
        name="村道",
        category="road",
        county=world["county"],
        year=2021,
        areas=[world["village"]],
        open_case=False,
        **SIX,
    )
    Project.objects.filter(pk=q.pk).update(
        stage="completed",
        notice_date=datetime.date(2021, 3, 1),
        completed_date=datetime.date(2021, 6, 1),
    )
    out = findings.run(actor=county, region=world["county"], year=2021)
    got = set(Finding.objects.values_list("rule", "key"))
    paid = f"{p.pk}/{world['poor'].pk}"  # payment findings: project and household
    assert got == {
        ("household_paid_twice", paid),
        ("payee_not_registered", paid),
        ("project_without_notice", str(p.pk)),
        ("completed_without_acceptance", str(q.pk)),
    }
    assert out["new"] == 4
    again = findings.run(actor=county, region=world["county"], year=2021)
    assert again["new"] == 0 and Finding.objects.count() == 4
    f = Finding.objects.get(rule="project_without_notice")
    findings.decide(actor=county, finding=f, confirm=True, note="补公示")
    assert Finding.objects.get(pk=f.pk).state == "confirmed"


def test_fund_invariant_checks_over_tables():
    """The record rules over plain tables (a file store): over-allocated, over-paid, paid to a
    household neither registered nor a beneficiary."""
    import pyarrow as pa

    records = {
        "projects": pa.table(
            {
                "project_code": ["a"],
                "county_code": ["530102"],
                "stage": ["implementing"],
                "year": [2021],
                "notice_date": [datetime.date(2021, 1, 1)],
                "as_of": [datetime.date(2022, 1, 1)],
                "allocated_fen": [500],
                "project_id": [1],
                "region_path": ["/1/"],
                **{
                    f: ["x"]
                    for f in (
                        "funds_plan",
                        "plan",
                        "approval_doc",
                        "notice_plan",
                        "responsible_unit",
                        "responsible_person",
                        "supervision",
                    )
                },
            }
        ),
        "allocations": pa.table(
            {
                "project_code": ["a"],
                "county_code": ["530102"],
                "source": ["central"],
                "year": [2021],
                "amount_fen": [500],
                "county_id": [9],
                "region_path": ["/1/"],
            }
        ),
        "funds": pa.table(
            {
                "county_code": ["530102"],
                "source": ["central"],
                "year": [2021],
                "available_fen": [400],
                "county_id": [9],
                "region_path": ["/1/"],
            }
        ),
        "disbursements": pa.table(
            {
                "project_code": ["a", "a"],
                "voucher": ["v1", "v2"],
                "household_no": ["H5", "H6"],
                "amount_fen": [300, 300],
                "year": [2021, 2021],
                "household_status": ["poor", "not_registered"],
                "beneficiary": [False, False],
                "project_id": [1, 1],
                "household_id": [5, 6],
            }
        ),
    }
    res = checks.run_records("yunnan", 2021, records)
    out = checks.record_findings(res, records)
    got = set(zip(out["check"], out["key"], strict=True))
    assert got == {
        ("over_allocated", "9/central/2021"),
        ("over_disbursed", "1"),
        ("ineligible_payment", "1/6"),
    }, got


def test_feed_reaches_the_ruler(world, now):
    county, p = _setup(world, now)
    Project.objects.filter(pk=p.pk).update(stage="implementing", notice_date=now.day)
    services.add_beneficiary(actor=county, project=p, household=world["poor"], mechanism="wages")
    services.register_asset(
        actor=county,
        project=p,
        name="三轮车",
        kind="household",
        region=world["village"],
        owner="户主",
        custodian="户主",
        year=2021,
        household=world["poor"],
        household_asset="vehicle",
    )
    inputs = snapshot.from_db(years=(2020, 2021), region_path=world["county"].path)
    hh = {r["household_no"]: r for r in inputs["households"].to_pylist()}
    mine = hh[world["poor"].household_no]
    assert mine["project_reach"] == 1 and mine["assisted_vehicle"] is True
    assert hh[world["outsider"].household_no].get("project_reach") is None
    res = evaluate(checks.policy("yunnan"), 2021, inputs)
    assert res.counties is not None


def test_rules_over_a_file_store(tmp_path):
    """A simulation's files (the importer's tables, yuan as text) through ``file_tables``: the
    same rules find a project implemented without notice, a payment to a household the registry
    does not list as eligible, a payment made twice, a payee outside the household (a member who
    left counts as outside), and a fund allocated beyond what is available."""
    import duckdb
    import polars as pl

    obs = tmp_path / "observed"
    (obs / "projects").mkdir(parents=True)
    (obs / "registry").mkdir()
    names = ("funds_plan", "plan", "approval_doc", "notice_plan", "responsible_unit",
             "responsible_person", "supervision")  # fmt: skip
    six = {f: ["x", "x"] for f in names}
    pl.DataFrame(
        {
            "code": ["A", "B"],
            "county_code": ["530602", "530602"],
            "category": ["industry", "road"],
            "year": ["2020", "2020"],
            "stage": ["implementing", "assets"],
            "notice_date": ["", "2020-03-01"],
            "completed_date": ["", "2020-10-30"],
            "accepted_date": ["", "2020-12-15"],
            **six,
        }
    ).write_parquet(obs / "projects" / "projects.parquet")
    pl.DataFrame(
        {
            "project_code": ["A", "B"],
            "source": ["central"] * 2,
            "year": ["2020"] * 2,
            "amount": ["1200.00", "500.50"],
        }
    ).write_parquet(obs / "projects" / "allocations.parquet")
    pl.DataFrame(
        {"county_code": ["530602"], "source": ["central"], "year": ["2020"], "amount": ["1700.49"]}
    ).write_parquet(obs / "projects" / "funds.parquet")
    member, gone, stranger = "530602198001010011", "530602198001010038", "530602198001010054"
    pl.DataFrame(
        {
            "project_code": ["A"] * 4,
            "household_no": ["H1", "H2", "H1", "H1"],
            "voucher": ["v1", "v2", "v3", "v4"],
            "item": ["奖补"] * 4,
            "payee_id_number": [member, "", stranger, gone],
            "amount": ["300", "300", "300", "299.99"],
            "date": ["2020-05-01", "2020-05-01", "2020-06-01", "2020-06-01"],
        }
    ).write_parquet(obs / "projects" / "disbursements.parquet")
    pl.DataFrame(
        {
            "household_no": ["H1", "H1"],
            "id_number": [member, gone],
            "left_reason": ["", "married_out"],
        }
    ).write_parquet(obs / "registry" / "members.parquet")
    pl.DataFrame(
        {"project_code": ["A"], "household_no": ["H9"], "mechanism": ["subsidy"]}
    ).write_parquet(obs / "projects" / "beneficiaries.parquet")
    pl.DataFrame(
        {
            "household_no": ["H1", "H2"],
            "region_code": ["530602001201"] * 2,
            "status": ["poor", "not_registered"],
        }
    ).write_parquet(obs / "registry" / "households.parquet")
    records = checks.file_tables(tmp_path, duckdb.connect())
    assert records["disbursements"]["amount_fen"].to_pylist() == [30000, 30000, 30000, 29999]
    res = checks.run_records("yunnan", 2020, records)
    failed = {
        (lv, r[k], rule)
        for lv, k in (("project", "project_code"), ("disbursement", "voucher"), ("fund", "source"))
        for r in res.records[lv].to_pylist()
        for rule in checks.RULES
        if r.get(rule) is False
    }
    assert failed == {
        ("project", "A", "p_noticed"),
        ("disbursement", "v2", "d_to_eligible"),
        ("disbursement", "v3", "d_paid_once"),
        ("disbursement", "v3", "d_payee_in_household"),
        ("disbursement", "v4", "d_payee_in_household"),
        ("fund", "central", "f_within_available"),
    }


def test_a_finding_names_the_missing_fixes():
    """六定 incomplete: the finding says which fixes are missing, in both languages (the work
    queue shows "已批复项目六定不全：定审批、定监管考核")."""
    import pyarrow as pa

    fixes = {f: ["x"] for f in ("funds_plan", "plan", "notice_plan", "responsible_unit",
                                 "responsible_person")}  # fmt: skip
    fixes |= {"approval_doc": [""], "supervision": [None]}
    records = {
        "projects": pa.table(
            {
                "project_code": ["a"],
                "stage": ["approved"],
                "year": [2021],
                "project_id": [1],
                "region_path": ["/1/"],
                **fixes,
            }
        )
    }
    res = checks.run_records("yunnan", 2021, records)
    out = checks.record_findings(res, records)
    assert out["check"].to_list() == ["six_fixed_incomplete"]
    assert out["zh"][0] == "定审批、定监管考核"
    assert out["en"][0] == "approval, supervision and assessment"
