"""The template survives a round trip through LibreOffice, as a county clerk's would: filled in,
saved by LibreOffice as .ods and as .xlsx, and imported back. Skips where LibreOffice is absent
(Debian: apt-get install libreoffice-calc-nogui)."""

import shutil
import subprocess

import pytest

from lantu.registry.imports import import_file
from lantu.registry.models import Household, Member
from tests.factories import make_tree
from tests.registry.test_imports import household, to_xlsx_from_template

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        shutil.which("soffice") is None, reason="LibreOffice (soffice) not installed"
    ),
]


def convert(path, fmt, outdir):
    subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{outdir}/profile",
         "--convert-to", fmt, "--outdir", str(outdir), str(path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip


def test_template_saved_by_libreoffice_imports(tmp_path):
    make_tree()
    filled = tmp_path / "filled.xlsx"
    filled.write_bytes(to_xlsx_from_template(household("LO1") + household("LO2", size=2)))
    convert(filled, "ods", tmp_path)
    ods = tmp_path / "filled.ods"
    report = import_file(ods.read_bytes(), "filled.ods", actor=None)
    assert report.ok, report.errors[:3]
    assert Household.objects.count() == 2 and Member.objects.count() == 5
    again = tmp_path / "again"
    again.mkdir()
    convert(ods, "xlsx", again)
    report = import_file((again / "filled.xlsx").read_bytes(), "filled.xlsx", actor=None)
    assert report.ok and report.summary["households_unchanged"] == 2
