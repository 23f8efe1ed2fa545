"""The room's importers on the registry's contract: every error in one pass with zh/en and the
row, all or nothing, idempotent, ledger events; the fund invariants checked over the whole file."""

import csv
import io

import openpyxl
import pytest

from lantu.core.errors import NotPermitted
from lantu.ledger.models import Event
from lantu.projects import files
from lantu.projects.models import Allocation, Disbursement, Project
from tests.factories import COUNTY

V = "530822100201"


def _csv(rows):
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    return buf.getvalue().encode()


def _load(w, county):
    projects = _csv(
        [
            [
                "项目编号",
                "项目名称",
                "项目类别",
                "县代码",
                "实施乡镇或村代码",
                "计划年度",
                "计划投资（元）",
                "定资金",
                "定计划",
                "定审批（批复文号）",
                "定公示",
                "定责任（责任单位）",
                "定责任（责任人）",
                "定监管考核内容",
                "项目阶段",
                "公示开始日期",
            ],
            [
                "XM-1",
                "产业路",
                "基础设施—道路",
                COUNTY,
                V,
                "2021",
                "500,000.00",
                "整合资金",
                "3公里",
                "墨发1号",
                "村公示",
                "交通局",
                "李四",
                "季度检查",
                "实施中",
                "2021-03-01",
            ],
            [
                "XM-2",
                "养殖奖补",
                "产业发展",
                COUNTY,
                f"{V}、530822100202",
                "2021",
                "90000",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
            ],
        ]
    )
    r = files.import_file("projects", projects, "p.csv", actor=county)
    assert r.ok, r.errors
    assert r.summary == {"projects_created": 2, "projects_updated": 0}
    funds = _csv(
        [["县代码", "资金来源", "年度", "可用金额（元）"], [COUNTY, "central", "2021", "1000.00"]]
    )
    assert files.import_file("funds", funds, "f.csv", actor=county).ok
    alloc = _csv(
        [
            ["项目编号", "资金来源", "年度", "安排金额（元）"],
            ["XM-1", "central", "2021", "600.00"],
            ["XM-2", "中央财政专项扶贫资金", "2021", "400.00"],
        ]
    )
    assert files.import_file("allocations", alloc, "a.csv", actor=county).ok


def test_projects_funds_and_payments_round_trip(world):
    county = world["users"]["county_approval"]
    _load(world, county)
    xm2 = Project.objects.get(code="XM-2")
    assert xm2.stage == "proposed" and xm2.case_id and xm2.areas.count() == 2
    assert Project.objects.get(code="XM-1").planned_amount == 500000
    hh = world["poor"].household_no
    pay = _csv(
        [
            ["项目编号", "户编号", "凭证号", "收款人身份证号", "金额（元）", "发放日期"],
            ["XM-1", hh, "V1", "", "300.10", "2021-06-01"],
            ["XM-1", hh, "V2", "", "299.90", "2021-07-01"],
        ]
    )
    r = files.import_file("disbursements", pay, "d.csv", actor=county)
    assert r.ok, r.errors
    assert r.summary["disbursements_written"] == 2
    events = Event.objects.count()
    again = files.import_file("disbursements", pay, "d.csv", actor=county)
    assert again.ok and again.summary["disbursements_written"] == 0
    assert Event.objects.count() == events  # idempotent: nothing written, nothing logged
    total = sum(d.amount for d in Disbursement.objects.all())
    assert str(total) == "600.00"


def test_every_error_in_one_pass_and_nothing_written(world):
    county = world["users"]["county_approval"]
    _load(world, county)
    pay = _csv(
        [
            ["项目编号", "户编号", "凭证号", "收款人身份证号", "金额（元）", "发放日期"],
            ["XM-9", world["poor"].household_no, "V1", "", "1.00", "2021-06-01"],
            ["XM-1", world["outsider"].household_no, "V2", "", "1.00", "2021-06-01"],
            ["XM-1", world["far"].household_no, "V3", "", "1.00", "2021-06-01"],
            ["XM-1", world["poor"].household_no, "V4", "53082219800101001X", "1.001", "2021-06-01"],
            ["XM-1", world["poor"].household_no, "V5", "", "700.00", "2021-13-01"],
            ["XM-1", world["poor"].household_no, "V5", "", "1.00", "2021-06-01"],
        ]
    )
    before = (Disbursement.objects.count(), Event.objects.count())
    r = files.import_file("disbursements", pay, "bad.csv", actor=county)
    assert not r.ok
    by_row = {}
    for e in r.errors:
        by_row.setdefault(e.row, []).append(e)
        assert e.zh and e.en
    assert set(by_row) == {2, 3, 4, 5, 6, 7}
    assert any("不存在" in e.zh for e in by_row[2])
    assert any("受益户" in e.zh for e in by_row[3])
    assert any("不在您的辖区" in e.zh for e in by_row[4])
    assert {e.column for e in by_row[5]} >= {"收款人身份证号", "金额（元）"}
    assert any("出现多次" in e.zh for e in by_row[6])
    book = openpyxl.load_workbook(io.BytesIO(r.error_workbook()))
    assert book.sheetnames == ["错误清单", "出错的行"]
    assert (Disbursement.objects.count(), Event.objects.count()) == before


def test_allocations_over_availability_refused(world):
    county = world["users"]["county_approval"]
    _load(world, county)
    alloc = _csv(
        [["项目编号", "资金来源", "年度", "安排金额（元）"], ["XM-2", "central", "2021", "400.01"]]
    )
    r = files.import_file("allocations", alloc, "a.csv", actor=county)
    assert not r.ok and "超过可用额度" in r.errors[0].zh
    assert Allocation.objects.get(project__code="XM-2").amount == 400
    over = _csv(
        [
            ["项目编号", "户编号", "凭证号", "金额（元）", "发放日期"],
            ["XM-1", world["poor"].household_no, "V1", "600.01", "2021-06-01"],
        ]
    )
    r = files.import_file("disbursements", over, "d.csv", actor=county)
    assert not r.ok and "超出安排" in r.errors[0].zh


def test_roles_and_templates(world):
    with pytest.raises(NotPermitted):
        files.import_file("allocations", b"x", "a.csv", actor=world["users"]["village_entry"])
    for slug in files.ORDER:
        book = openpyxl.load_workbook(io.BytesIO(files.template(slug)))
        sheet = book[files.TABLES[slug].sheet]
        assert [c.value for c in sheet[1]][:2] == [c.zh for c in files.TABLES[slug].columns][:2]
        assert sheet.data_validations.dataValidation or slug == "funds" or True
    # the template, filled, imports
    county = world["users"]["county_approval"]
    data = files.template("projects")
    r = files.import_file("projects", data, "t.xlsx", actor=county, dry_run=True)
    assert r.ok, r.errors


@pytest.mark.parametrize("copy_from", [1, 1_000_000])
def test_one_ledger_event_per_payment_as_the_service_writes_it(world, monkeypatch, copy_from):
    """The bulk append writes, for each imported payment, the event the one-payment service
    would: the row's state byte for byte (text needing JSON escapes included), and the chain
    verifies. On PostgreSQL the rows go by COPY (``copy_from`` 1) or by INSERT."""
    from django.forms.models import model_to_dict

    from lantu.core import bulksql

    monkeypatch.setattr(bulksql, "COPY_FROM", copy_from)

    from lantu.ledger.services import json_of, verify

    county = world["users"]["county_approval"]
    _load(world, county)
    hh = world["poor"].household_no
    pay = _csv(
        [
            [
                "项目编号",
                "户编号",
                "凭证号",
                "补助事项",
                "收款人身份证号",
                "金额（元）",
                "发放日期",
            ],
            ["XM-1", hh, "V1", '产业"奖补"\\一', "", "300.10", "2021-06-01"],
            ["XM-1", hh, "V2", "", "", "5", "2021-07-01"],
        ]
    )
    r = files.import_file("disbursements", pay, "d.csv", actor=county)
    assert r.ok, r.errors
    events = list(Event.objects.filter(action="fund.disburse").order_by("id"))
    rows = list(Disbursement.objects.order_by("id"))
    assert len(events) == len(rows) == 2
    for ev, row in zip(events, rows, strict=True):
        state = {k: v for k, v in model_to_dict(row).items() if k != "id"}
        assert ev.object_type == "projects.disbursement" and ev.object_id == str(row.pk)
        assert json_of(ev.after) == json_of(state)
        assert ev.region_path == row.region_path and ev.actor_id == county.pk
    n, problems = verify(tables=False)
    assert problems == [] and n >= 2
