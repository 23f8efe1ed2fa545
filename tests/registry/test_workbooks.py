"""The workbooks people open: the error list keeps 18-digit numbers whole as text and whole
numbers without '.0'; the template's example is in the user's own area and prints on a couple of
pages, not 26."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import openpyxl
import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.registry.imports import as_text, import_file
from lantu.registry.template import write_template
from tests.factories import make_tree, make_user
from tests.registry.test_imports import household, to_xlsx_from_template

pytestmark = pytest.mark.django_db


def test_as_text():
    assert as_text(30000.0) == "30000" and as_text(30000.5) == "30000.5"
    assert as_text("530822196003050015") == "530822196003050015" and as_text(None) == ""


def test_error_workbook_keeps_ids_and_whole_numbers(tmp_path):
    make_tree()
    rows = household("E1", wage_income=30000.0)
    rows[0]["household_type"] = "不存在的属性"  # an error on the row
    book_bytes = to_xlsx_from_template(rows)
    report = import_file(book_bytes, "e.xlsx", actor=None)
    assert not report.ok
    book = openpyxl.load_workbook(io.BytesIO(report.error_workbook()))
    sheet = book["出错的行"]
    headers = [c.value for c in sheet[1]]
    values = {h: c for h, c in zip(headers, sheet[2], strict=True)}
    wage = next(c for h, c in values.items() if h and "工资" in h)
    assert wage.value == "30000"
    id_cell = values["身份证号"]
    assert isinstance(id_cell.value, str) and len(id_cell.value) == 18
    assert id_cell.number_format == "@"
    assert book["错误清单"].column_dimensions["C"].width >= 20


def test_template_example_is_in_the_users_area(client):
    regions = make_tree()
    user = make_user("v", regions["530823100201"], Role.VILLAGE_ENTRY)
    client.force_login(user)
    data = client.get(reverse("registry:import_template")).content
    sheet = openpyxl.load_workbook(io.BytesIO(data))["登记表"]
    row = [c.value for c in sheet[3]]
    assert "530823100201" in row  # the user's own village, not another prefecture's
    assert any(isinstance(v, str) and v.startswith("530823") and len(v) == 18 for v in row)


def test_template_print_setup():
    sheet = openpyxl.load_workbook(io.BytesIO(write_template()))["登记表"]
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default)
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$1:$2"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed")
def test_template_prints_on_few_pages(tmp_path):
    path = tmp_path / "t.xlsx"
    path.write_bytes(write_template())
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
         "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    pages = len(re.findall(rb"/Type\s*/Page[^s]", (tmp_path / "t.pdf").read_bytes()))
    assert 1 <= pages <= 3  # was 26
