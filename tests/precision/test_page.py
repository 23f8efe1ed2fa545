"""The admin's precision page and its XLSX export read the stored report (never the truth),
in Chinese by default and in English; its English catalogue is complete."""

import io
import re
from pathlib import Path

import openpyxl
import polib
import pytest
from django.urls import reverse

import lantu.precision
from lantu.accounts.roles import Role
from lantu.precision import stored
from tests.factories import make_world

pytestmark = pytest.mark.django_db
PO = Path(lantu.precision.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
ROWS = [{"family": "exit", "zh": "脱贫退出", "proposals": 10, "right": 9, "precision": 0.9,
         "truth": 12, "found": 9, "recall": 0.75, "wrong_exit_rate": 0.1,
         "wrong_reasons": "truth:income_below_line 1", "missed_reasons": ""}]  # fmt: skip


@pytest.fixture
def report(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    stored.save(2020, ROWS, "/sim")


def test_admin_sees_the_report_and_exports_it(client, report):
    w = make_world()
    client.force_login(w["users"][Role.ADMIN])
    body = client.get(reverse("precision:index")).content.decode()
    assert "脱贫退出" in body and "0.9000" in body and "wrong_exit_rate=0.1000" in body
    resp = client.get(reverse("precision:export", args=[2020]))
    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert book.active["A2"].value == "exit" and book.active["E2"].value == 0.9
    assert client.get(reverse("precision:export", args=[2019])).status_code == 404
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Decision family" in client.get(reverse("precision:index")).content.decode()


def test_other_roles_may_not(client, report):
    w = make_world()
    client.force_login(w["users"][Role.COUNTY_APPROVAL])
    assert client.get(reverse("precision:index")).status_code == 403
    assert client.get(reverse("precision:export", args=[2020])).status_code == 403


def test_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries()
    known = {e.msgid for e in po}
    tpl = (PO.parents[3] / "templates" / "precision" / "index.html").read_text("utf-8")
    for m in re.finditer(r'{%\s*trans\s+"([^"]+)"', tpl):
        assert m.group(1) in known
