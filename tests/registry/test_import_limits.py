"""The importer's guards against hostile and careless files: oversized sheets refused before any
reader allocates, non-finite and out-of-range numbers and over-long or control-character text
refused with a row error (identically on SQLite and PostgreSQL), and formula-like values written
back as inert text."""

import io

import openpyxl
import pytest
import xlsxwriter

from lantu.core.errors import ImportRejected
from lantu.core.xlsx import workbook
from lantu.registry import sheetguard
from lantu.registry.imports import import_file
from lantu.registry.limits import all_ranges
from lantu.registry.models import Household, HouseholdYear
from lantu.registry.reader import read_table
from tests.factories import make_tree
from tests.registry.test_imports import household, to_csv

pytestmark = pytest.mark.django_db


def _xlsx_with_cell(row: int, col: int) -> bytes:
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet("登记表").write(row, col, "x")
    book.close()
    return buf.getvalue()


def test_far_away_cell_is_refused_before_reading():
    data = _xlsx_with_cell(1048575, 16383)  # XFD1048576: ~5 KB asking for 17 billion cells
    assert len(data) < 10_000
    with pytest.raises(ImportRejected) as exc:
        read_table(data, "far.xlsx")
    assert "1048576" in exc.value.zh and "too large" in exc.value.en


def test_hundred_thousand_column_header_is_refused_at_once():
    buf = io.BytesIO()
    book = xlsxwriter.Workbook(buf, {"in_memory": True})
    book.add_worksheet().write_row(0, 0, [f"列{i}" for i in range(16384)])
    book.close()
    with pytest.raises(ImportRejected, match="too large"):
        read_table(buf.getvalue(), "wide.xlsx")
    wide_csv = (",".join(f"c{i}" for i in range(100_000)) + "\n1\n").encode()
    with pytest.raises(ImportRejected, match="too large"):
        read_table(wide_csv, "wide.csv")


def test_repeated_ods_cells_with_content_are_counted():
    body = (
        '<table:table-row table:number-rows-repeated="100000">'
        '<table:table-cell table:number-columns-repeated="1000" office:value-type="string">'
        "<text:p>a</text:p></table:table-cell></table:table-row>"
    )
    content = (
        '<?xml version="1.0"?><office:document-content'
        ' xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        ' xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"'
        ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"><office:body>'
        f'<office:spreadsheet><table:table table:name="S">{body}</table:table>'
        "</office:spreadsheet></office:body></office:document-content>"
    )
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("content.xml", content)
    with pytest.raises(ImportRejected, match="too large"):
        sheetguard.check_zip(buf.getvalue())


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("wage_income", "inf"),
        ("wage_income", "NaN"),
        ("wage_income", "1e20"),
        ("transfer_income", "-5"),
        ("production_cost", "-inf"),
        ("registration_year", "1800"),
        ("year", "3019"),
        ("work_months", "13"),
        ("disability_grade", "9"),
        ("housing_area", "1e9"),
        ("water_outage_days", "-1"),
        ("name", "a\x1bb"),
        ("address", "长" * 201),
        ("household_no", "H" * 31),
        ("phone", "1" * 21),
        ("birth_date", "1850-01-01"),
    ],
)
def test_bad_value_is_a_row_error_and_nothing_is_written(column, value):
    make_tree()
    rows = household("L001")
    rows[0][column] = value
    report = import_file(to_csv(rows), "limits.csv", actor=None)
    assert not report.ok
    assert any(e.row == 2 for e in report.errors), report.errors
    assert Household.objects.count() == 0 and HouseholdYear.objects.count() == 0


def test_nul_byte_is_a_row_error():
    import polars as pl

    from lantu.registry import validate

    table = pl.DataFrame({"name": ["ok", "a\x00b"], "_row": [2, 3]})
    _, errors = validate.parse(table)
    assert [(e.row, e.column) for e in errors] == [(3, "姓名")]


def test_every_numeric_column_is_bounded():
    from lantu.registry.columns import COLUMNS

    numeric = {c.name for c in COLUMNS if c.kind in ("int", "money", "decimal")}
    assert numeric <= set(all_ranges())


def test_error_workbook_neutralises_formulas():
    make_tree()
    rows = household("L002")
    rows[0]["address"] = '=HYPERLINK("http://example.invalid","点我")'
    rows[0]["household_type"] = "=1+1"  # not a code: an error whose value is shown
    report = import_file(to_csv(rows), "formula.csv", actor=None)
    assert not report.ok
    book = openpyxl.load_workbook(io.BytesIO(report.error_workbook()))
    cells = [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]
    risky = [c for c in cells if isinstance(c.value, str) and c.value[:1] in ("=", "+", "-", "@")]
    assert risky, "the hostile values are shown"
    assert [c.value for c in risky if not (c.data_type == "s" and c.quotePrefix)] == []


def test_safe_workbook_keeps_numbers_and_formats():
    buf = io.BytesIO()
    book = workbook(buf, {"in_memory": True})
    red = book.add_format({"bg_color": "#FFC7CE"})
    sheet = book.add_worksheet("s")
    sheet.write_row(0, 0, ["+86 138", -5, 2.5, "普通"])
    sheet.write(1, 0, "@cmd", red)
    book.close()
    got = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["s"]
    assert [c.value for c in got[1]] == ["+86 138", -5, 2.5, "普通"]
    assert got["A1"].quotePrefix and not got["D1"].quotePrefix and got["B1"].data_type == "n"
    assert got["A2"].quotePrefix and got["A2"].fill.fgColor.rgb.endswith("FFC7CE")
