"""The REST API: authentication (session and token), filters, paging, masking, error mapping,
OpenAPI docs."""

import pytest

from lantu.accounts.roles import Role
from lantu.api.auth import issue_token
from lantu.registry.models import Member
from tests.factories import make_household, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    return make_world()


def test_docs_and_schema_are_served_without_cdn(client, world):
    client.force_login(world["users"][Role.AUDITOR])
    docs = client.get("/api/docs")
    assert docs.status_code == 200
    assert "cdn" not in docs.content.decode().lower()
    schema = client.get("/api/openapi.json").json()
    assert {"/api/households", "/api/households/{pk}/members", "/api/regions"} <= set(
        schema["paths"]
    )


def test_anonymous_gets_401_with_both_languages(client, world):
    resp = client.get("/api/households")
    assert resp.status_code == 401
    assert resp.json()["zh"] and resp.json()["en"]


def test_token_for_scripts(client, world):
    resp = client.post(
        "/api/token",
        {"username": "u_auditor", "password": "pw-u_auditor"},
        content_type="application/json",
    )
    assert resp.status_code == 200
    token = resp.json()["token"]
    listed = client.get("/api/households", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    assert [h["household_no"] for h in listed.json()["items"]] == [world["inside"].household_no]


def test_bad_login_and_bad_token(client, world):
    resp = client.post(
        "/api/token", {"username": "u_auditor", "password": "x"}, content_type="application/json"
    )
    assert resp.status_code == 401 and "用户名或密码" in resp.json()["zh"]
    assert (
        client.get("/api/households", headers={"Authorization": "Bearer junk"}).status_code == 401
    )


def test_token_dies_with_a_password_change(client, world):
    user = world["users"][Role.AUDITOR]
    token = issue_token(user)
    user.set_password("another-pw")
    user.save()
    assert (
        client.get("/api/households", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )


def test_out_of_scope_is_404_with_message(client, world):
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    resp = client.get(f"/api/households/{world['outside'].pk}")
    assert resp.status_code == 404
    assert resp.json() == {
        "error": "OutOfScope",
        "zh": "未找到（或不在您的辖区内）",
        "en": "Not found (or outside your region)",
    }
    assert client.get("/api/households/999999").json() == resp.json()


def test_filters_and_paging(client, world):
    for _ in range(3):
        make_household(world["regions"]["530822100202"], household_type="dibao", size=1)
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    first = client.get("/api/households", {"household_type": "dibao", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["has_next"]
    rest = client.get(
        "/api/households", {"household_type": "dibao", "limit": 2, "offset": 2}
    ).json()
    assert len(rest["items"]) == 1 and not rest["has_next"]
    assert all(h["household_type"] == "dibao" for h in first["items"] + rest["items"])
    assert (
        client.get("/api/households", {"cause": "1"}).json()["items"][0]["id"] == world["inside"].pk
    )


def test_members_masked_for_supervisor_and_clear_for_auditor(client, world):
    hh = world["inside"]
    head = Member.objects.get(household=hh, relation="head")
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    masked = next(
        m for m in client.get(f"/api/households/{hh.pk}/members").json() if m["relation"] == "head"
    )
    assert masked["id_number"] != head.id_number and masked["health"] == "***"
    assert masked["phone"].endswith(head.phone[-4:]) and masked["phone"].startswith("*")
    client.force_login(world["users"][Role.AUDITOR])
    clear = next(
        m for m in client.get(f"/api/households/{hh.pk}/members").json() if m["relation"] == "head"
    )
    assert clear["id_number"] == head.id_number and clear["health"] == "chronic"


def test_region_children(client, world):
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    kids = client.get("/api/regions/530822000000/children").json()
    assert [r["code"] for r in kids] == ["530822100000"]
    assert client.get("/api/regions/530823000000/children").status_code == 404
    assert client.get("/api/regions/530000000000/children").status_code == 404
