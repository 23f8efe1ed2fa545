"""Export of the household list to XLSX: layout, filters, scope, masking, and that an export reads
back through the importer without changing anything."""

import io

import openpyxl
import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.registry import exports
from lantu.registry.columns import COLUMNS
from lantu.registry.imports import import_file
from lantu.registry.models import Household, Member
from tests.factories import make_household, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


EXPORT = reverse("registry:household_export")


@pytest.fixture
def world():
    return make_world()


def _sheet(resp):
    assert resp["Content-Type"] == exports.XLSX
    data = b"".join(resp.streaming_content)  # consumed: the test client closes the response
    ws = openpyxl.load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    return rows[0], [dict(zip(rows[0], r, strict=True)) for r in rows[1:]], data


def test_one_row_per_present_member_with_chinese_headers(client, world):
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    header, rows, _ = _sheet(client.get(EXPORT))
    assert header == [c.zh for c in COLUMNS]
    hh = world["inside"]
    assert len(rows) == Member.objects.filter(household=hh, active=True).count()
    assert {r["户编号"] for r in rows} == {hh.household_no}
    head = next(r for r in rows if r["与户主关系"] == "户主")
    expected = Member.objects.get(household=hh, relation="head")
    assert head["身份证号"] == expected.id_number
    assert head["主要致贫原因"] == "因病"
    assert head["村（组）代码"] == hh.region.code
    assert head["年度"] == 2020


def test_filters_apply_to_the_export(client, world):
    extra = make_household(world["regions"]["530822100202"], household_type="dibao")
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    _, rows, _ = _sheet(client.get(EXPORT, {"household_type": "dibao"}))
    assert {r["户编号"] for r in rows} == {extra.household_no}


def test_supervisor_export_is_masked(client, world):
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    _, rows, _ = _sheet(client.get(EXPORT))
    head = next(r for r in rows if r["与户主关系"] == "户主")
    real = Member.objects.get(household=world["inside"], relation="head")
    assert head["身份证号"] != real.id_number and head["身份证号"].endswith(real.id_number[-2:])
    assert head["健康状况"] == "***"
    assert head["联系电话"] in (None, "") or "*" in head["联系电话"]
    assert head["银行账号"].startswith("*")
    assert head["出生日期"].endswith("**-**")


def test_export_reads_back_through_the_importer_unchanged(client, world):
    user = world["users"][Role.COUNTY_APPROVAL]
    client.force_login(user)
    _, _, data = _sheet(client.get(EXPORT))
    before = list(Household.objects.order_by("pk").values())
    report = import_file(data, "export.xlsx", actor=user)
    assert report.ok, report.errors[:3]
    after = list(Household.objects.order_by("pk").values())
    strip = [{k: v for k, v in h.items() if k != "updated_at"} for h in before]
    assert strip == [{k: v for k, v in h.items() if k != "updated_at"} for h in after]


def test_export_without_permission_is_403(client, world):
    from tests.factories import make_user

    nobody = make_user("viewer", world["regions"]["530822000000"])
    client.force_login(nobody)
    assert client.get(EXPORT).status_code == 403


def test_write_xlsx_keeps_ids_as_text(tmp_path):
    path = tmp_path / "x.xlsx"
    with path.open("wb") as out:
        n = exports.write_xlsx(out, [["530822195003010131"] + [""] * (len(COLUMNS) - 1)])
    assert n == 1
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.cell(2, 1).value == "530822195003010131"
    assert ws.cell(2, 1).data_type == "s"


def test_too_large_an_export_asks_for_a_narrower_one(client, world, monkeypatch):
    make_household(world["regions"]["530822100202"])
    monkeypatch.setattr(exports, "MAX_HOUSEHOLDS", 1)
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    resp = client.get(EXPORT)
    assert resp.status_code == 400
    assert "缩小范围" in resp.content.decode()
    narrower = client.get(EXPORT, {"region": "530822100202"})
    assert narrower.status_code == 200
    b"".join(narrower.streaming_content)  # consumed, so the test client closes the file
