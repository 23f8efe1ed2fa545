import csv
import datetime
import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from lantu.core.errors import ImportRejected
from lantu.ledger.models import Event
from lantu.ledger.services import verify
from lantu.registry.columns import COLUMNS
from lantu.registry.imports import import_file
from lantu.registry.models import Household, HouseholdYear, Member, StatusChange
from lantu.registry.template import write_template
from tests.factories import COUNTY, OTHER_COUNTY, make_id, make_tree, make_user

pytestmark = pytest.mark.django_db
V1, V2 = "530822100201", "530822100202"
OUTSIDE = "530823100201"
HEADERS = [c.zh for c in COLUMNS]


@pytest.fixture
def tree():
    return make_tree()


def member(hh, name, id_number, relation, **extra):
    row = {"household_no": hh, "name": name, "id_number": id_number, "relation": relation}
    return row | extra


def household(hh, region=V1, head="李明", size=3, year="2019", **extra):
    base = {
        "region_code": region,
        "household_type": "一般贫困户",
        "registration_year": "2014",
        "status": "贫困户",
        "year": year,
        "wage_income": "4000",
        "business_income": "1200",
        "transfer_income": "300",
        "production_cost": "500",
        "housing_grade": "B级（基本安全）",
        "main_cause": "因病",
    } | extra
    rows = [member(hh, head, make_id(datetime.date(1962, 4, 5)), "户主", sex="男", **base)]
    for i in range(size - 1):
        rows.append(
            member(
                hh,
                f"{head}{i}",
                make_id(datetime.date(2008 + i, 1, 2), male=False),
                "子女",
                schooling="初中",
            )
        )
    return rows


def to_csv(rows, encoding="utf-8"):
    names = {c.name: c.zh for c in COLUMNS}
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(HEADERS)
    for r in rows:
        w.writerow([r.get(c.name, "") for c in COLUMNS])
    _ = names
    return buf.getvalue().encode(encoding)


def to_xlsx_from_template(rows):
    book = openpyxl.load_workbook(io.BytesIO(write_template(example=False)))
    sheet = book["登记表"]
    for i, r in enumerate(rows, start=3):
        for j, c in enumerate(COLUMNS, start=1):
            if c.name in r:
                sheet.cell(row=i, column=j, value=r[c.name])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_template_round_trip_and_idempotent(tree):
    rows = household("H001") + household("H002", region=V2, head="王芳", size=2)
    data = to_xlsx_from_template(rows)
    report = import_file(data, "registry.xlsx", actor=None)
    assert report.ok, report.errors[:3]
    assert report.summary["households_created"] == 2 and report.summary["members_created"] == 5
    h = Household.objects.get(household_no="H001")
    assert h.size == 3 and h.head_name == "李明" and h.status == "poor"
    year = HouseholdYear.objects.get(household=h, year=2019)
    assert year.total_income == 5500 and year.net_income == 5000
    assert float(year.per_capita_net_income) == pytest.approx(5000 / 3, abs=0.01)
    child = Member.objects.filter(household=h, relation="child").first()
    assert child.schooling == "junior" and child.sex == "2"
    assert StatusChange.objects.filter(household=h, to_status="poor").count() == 1
    events = Event.objects.count()
    again = import_file(data, "registry.xlsx", actor=None)
    assert again.ok and again.summary["households_unchanged"] == 2
    assert again.summary["members_created"] == 0 and Event.objects.count() == events
    assert verify()[1] == []


def test_update_is_recorded_as_change(tree):
    rows = household("H001")
    import_file(to_csv(rows), "a.csv", actor=None)
    rows[0]["wage_income"] = "9000"
    rows[0]["status"] = "已脱贫"
    report = import_file(to_csv(rows), "a.csv", actor=None)
    assert report.ok and report.summary["households_updated"] == 1
    ev = Event.objects.filter(action="household.import.update").get()
    assert ev.before["status"] == "poor" and ev.after["status"] == "exited"
    assert HouseholdYear.objects.get(year=2019).wage_income == 9000
    assert StatusChange.objects.filter(to_status="exited").exists()


def test_gb18030_csv(tree):
    report = import_file(to_csv(household("H009"), "gb18030"), "gbk.csv", actor=None)
    assert report.ok and Member.objects.filter(name="李明").exists()


def test_all_errors_reported_and_nothing_applied(tree):
    good = household("H100")
    bad = household("H101", head="赵四")
    bad[0]["household_type"] = "穷户"  # not a code
    last = bad[1]["id_number"][-1]
    bad[1]["id_number"] = bad[1]["id_number"][:-1] + ("0" if last != "0" else "1")
    bad[2]["relation"] = "户主"  # second head
    clash = household("H102", region=V2)
    clash[1]["region_code"] = V1  # rows disagree
    clash[2]["id_number"] = good[1]["id_number"]  # same person twice
    nowhere = household("H103", region="530822100299")
    nowhere[0]["total_income"] = "9999"  # not 4000 + 1200 + 300
    report = import_file(to_csv(good + bad + clash + nowhere), "x.csv", actor=None)
    assert not report.ok
    reasons = " | ".join(e.en for e in report.errors)
    for expected in (
        "not a valid household type",
        "check character",
        "exactly one head",
        "rows disagree",
        "more than once",
        "does not exist",
    ):
        assert expected in reasons, expected
    assert Household.objects.count() == 0 and Member.objects.count() == 0
    book = CalamineWorkbook.from_filelike(io.BytesIO(report.error_workbook()))
    listed = book.get_sheet_by_name("错误清单").to_python()
    assert len(listed) == len(report.errors) + 1
    assert book.get_sheet_by_name("出错的行").to_python()[1][0] > 1


def test_out_of_scope_region_refused(tree):
    clerk = make_user("c", tree[COUNTY], "village_entry")
    report = import_file(to_csv(household("H200", region=OUTSIDE)), "x.csv", actor=clerk)
    assert not report.ok and "outside your region" in report.errors[0].en
    assert make_user("o", tree[OTHER_COUNTY], "village_entry")


def test_person_in_another_household_and_moving(tree):
    first = household("H300")
    import_file(to_csv(first), "a.csv", actor=None)
    person = first[2]["id_number"]
    second = household("H301")
    second.append(member("H301", "李明1", person, "子女"))
    report = import_file(to_csv(second), "b.csv", actor=None)
    assert not report.ok and "H300" in report.errors[0].zh
    leaving = dict(first[2], left_reason="婚出")
    report = import_file(to_csv([leaving, *second]), "c.csv", actor=None)
    assert report.ok, report.errors[:2]
    assert Member.objects.get(id_number=person, active=True).household.household_no == "H301"
    assert Household.objects.get(household_no="H300").size == 2
    gone = Member.objects.get(id_number=person, active=False)
    assert gone.left_reason == "婚出" and gone.left_year == datetime.date.today().year


def test_left_year_given_in_the_file_is_kept(tree):
    rows = household("H310")
    rows[2] |= {"left_reason": "死亡", "left_year": "2019"}
    report = import_file(to_csv(rows), "a.csv", actor=None)
    assert report.ok, report.errors[:2]
    gone = Member.objects.get(id_number=rows[2]["id_number"])
    assert (gone.active, gone.left_year) == (False, 2019)
    assert Member.objects.filter(household__household_no="H310", active=True).count() == 2


@pytest.mark.parametrize(
    ("data", "name", "expected"),
    [
        (b"", "a.csv", "empty"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "secret.xlsx", "password-protected"),
        (b"\x00\x01\x02binary" * 100, "a.csv", "binary"),
        (b"PK\x03\x04" + b"\x00" * 50, "cut.xlsx", "incomplete"),
        (b"hello", "a.pdf", "unsupported"),
        ("户编号,姓命\nH1,张三\n".encode(), "a.csv", "Did you mean '姓名'"),
        ("户编号,姓名\n".encode(), "a.csv", "required column"),
    ],
)
def test_unreadable_files_get_clear_errors(tree, data, name, expected):
    with pytest.raises(ImportRejected) as err:
        import_file(data, name, actor=None)
    assert expected in err.value.en and err.value.zh


def test_truncated_real_workbook(tree):
    data = to_xlsx_from_template(household("H400"))
    with pytest.raises(ImportRejected) as err:
        import_file(data[: len(data) // 2], "cut.xlsx", actor=None)
    assert "incomplete" in err.value.en


def test_header_only(tree):
    with pytest.raises(ImportRejected) as err:
        import_file(to_csv([]), "a.csv", actor=None)
    assert "no data rows" in err.value.en
