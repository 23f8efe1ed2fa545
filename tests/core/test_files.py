"""Files holding registry data: written atomically, never world-readable; the bad query strings
that gave 500s answer 400 or a clamped page."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.core.files import atomic_path, write_private
from tests.factories import make_world


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_write_private_is_atomic_and_not_world_readable(tmp_path):
    target = tmp_path / "out" / "errors.xlsx"
    write_private(target, b"old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_bytes(b"ne")  # killed half-way: the old file stays whole
        raise RuntimeError("killed")
    assert target.read_bytes() == b"old"
    assert list(target.parent.iterdir()) == [target]
    assert _mode(target) == 0o640 and _mode(target.parent) & 0o007 == 0


def test_sqlite_database_is_owner_only(tmp_path):
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='lantu.settings'; django.setup();"
        "from django.db import connection; connection.ensure_connection()"
    )
    env = os.environ | {"LANTU_VAR_DIR": str(tmp_path)}
    env.pop("LANTU_DATABASE_URL", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert _mode(tmp_path / "lantu.sqlite3") == 0o600


@pytest.mark.django_db
def test_bad_year_and_huge_page_are_not_500(client):
    w = make_world()
    client.force_login(w["users"][Role.COUNTY_APPROVAL])
    assert client.get(reverse("procedures:year_compare") + "?a=x&b=2020").status_code == 400
    assert client.get(reverse("procedures:year_compare") + "?a=99999999999999").status_code == 400
    huge = "9" * 30
    assert client.get(reverse("registry:household_list") + f"?page={huge}").status_code == 200
    assert client.get(f"/api/households?offset={'9' * 18}").status_code == 200
