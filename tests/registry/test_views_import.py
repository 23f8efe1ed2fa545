"""The import upload page: a good file is applied, a bad one is refused with its errors listed
and a downloadable error workbook that only the uploader can fetch."""

import csv
import datetime
import io
import re

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.registry.columns import COLUMNS
from lantu.registry.models import Household
from tests.factories import make_id, make_world

pytestmark = pytest.mark.django_db
IMPORT = reverse("registry:import")
GOOD_ID = make_id(datetime.date(1962, 4, 5))


@pytest.fixture(autouse=True)
def _fast_passwords(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VAR_DIR = tmp_path


@pytest.fixture
def world():
    return make_world()


def _csv(rows):
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.zh for c in COLUMNS])
    for row in rows:
        writer.writerow([row.get(c.name, "") for c in COLUMNS])
    return out.getvalue().encode("utf-8")


def _row(**extra):
    base = {
        "household_no": "NEW001",
        "region_code": "530822100201",
        "household_type": "一般贫困户",
        "status": "贫困户",
        "name": "王五",
        "id_number": GOOD_ID,
        "relation": "户主",
        "sex": "男",
    }
    return base | extra


def test_the_form_is_shown(client, world):
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    assert "上传并校验" in client.get(IMPORT).content.decode()


def test_a_good_file_is_applied(client, world):
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    upload = SimpleUploadedFile("good.csv", _csv([_row()]))
    resp = client.post(IMPORT, {"file": upload})
    assert resp.status_code == 200, resp.content.decode()[-2000:]
    body = resp.content.decode()
    assert "校验通过，尚未导入" in body and "导入成功" not in body
    assert not Household.objects.filter(household_no="NEW001").exists()  # only checked
    token = re.search(r'name="apply" value="([^"]+)"', body).group(1)
    resp = client.post(IMPORT, {"apply": token})
    assert resp.status_code == 200, resp.content.decode()[-2000:]
    assert "导入成功" in resp.content.decode()
    assert Household.objects.filter(household_no="NEW001").exists()
    again = client.post(IMPORT, {"apply": token})  # a confirmation is used once
    assert again.status_code == 400 and "已失效" in again.content.decode()


def test_a_bad_file_lists_errors_and_offers_the_workbook(client, world):
    user = world["users"][Role.VILLAGE_ENTRY]
    client.force_login(user)
    wrong = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")  # wrong check character
    bad = _row(id_number=wrong)
    resp = client.post(IMPORT, {"file": SimpleUploadedFile("bad.csv", _csv([bad]))})
    assert resp.status_code == 400
    body = resp.content.decode()
    assert "校验位" in body
    assert not Household.objects.filter(household_no="NEW001").exists()
    token = resp.context["token"]
    url = reverse("registry:import_errors", args=[token])
    got = client.get(url)
    assert got.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(got.streaming_content)))
    assert book.worksheets[0].max_row >= 2
    client.force_login(world["users"][Role.TOWNSHIP_REVIEW])  # another user: not theirs
    assert client.get(url).status_code == 404


def test_an_unreadable_file_is_refused_clearly(client, world):
    client.force_login(world["users"][Role.VILLAGE_ENTRY])
    resp = client.post(IMPORT, {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04 truncated")})
    assert resp.status_code == 400
    assert "notice error" in resp.content.decode()


def test_roles_without_import_get_403(client, world):
    for role in (Role.SUPERVISOR_VIEW, Role.AUDITOR):
        client.force_login(world["users"][role])
        assert client.get(IMPORT).status_code == 403


def test_old_error_lists_are_cleared(client, world, settings):
    import os

    user = world["users"][Role.VILLAGE_ENTRY]
    folder = settings.VAR_DIR / "import-errors" / str(user.pk)
    folder.mkdir(parents=True)
    old = folder / "old.xlsx"
    old.write_bytes(b"x")
    os.utime(old, (0, 0))
    client.force_login(user)
    wrong = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    client.post(IMPORT, {"file": SimpleUploadedFile("bad.csv", _csv([_row(id_number=wrong)]))})
    assert not old.exists()
    assert len(list(folder.glob("*.xlsx"))) == 1
