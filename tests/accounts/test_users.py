"""User management in the app: a county administrator manages the users of the county (never
above it), every change ledgered, errors inline with the input kept."""

from __future__ import annotations

import pytest
from django.urls import reverse

from lantu.accounts import services
from lantu.accounts.models import User
from lantu.accounts.roles import Role
from lantu.core.errors import NotPermitted, OutOfScope, ValidationFailed
from lantu.ledger.models import Event
from tests.factories import COUNTY, make_tree, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    regions = make_tree()
    admin = make_user("county_admin", regions[COUNTY], Role.ADMIN)
    return {"regions": regions, "admin": admin}


def test_create_edit_reset_and_deactivate_are_ledgered(world, client):
    client.force_login(world["admin"])
    village = world["regions"]["530822100201"]
    resp = client.post(reverse("user_new"), {"username": "li_v", "first_name": "李四",
                       "region": village.pk, "roles": ["village_entry"]})  # fmt: skip
    assert resp.status_code == 302
    user = User.objects.get(username="li_v")
    assert user.region == village and user.roles == ["village_entry"]
    page = client.get(resp["Location"]).content.decode()
    assert "临时密码" in page  # shown once to the administrator
    township = world["regions"]["530822100000"]
    client.post(reverse("user", args=[user.pk]), {"username": "ignored", "first_name": "李四",
                "region": township.pk, "roles": ["township_review"]})  # fmt: skip
    user.refresh_from_db()
    assert (user.username, user.region, user.roles) == ("li_v", township, ["township_review"])
    old_hash = user.password
    client.post(reverse("user_password", args=[user.pk]))
    user.refresh_from_db()
    assert user.password != old_hash
    client.post(reverse("user_active", args=[user.pk]), {"active": "0", "reason": "调离"})
    user.refresh_from_db()
    assert not user.is_active
    actions = list(
        Event.objects.filter(object_type="accounts.user", object_id=str(user.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["user.create", "user.update", "user.password_reset", "user.deactivate"]
    assert all("password" not in (e.after or {}) for e in Event.objects.all())


def test_errors_inline_and_input_kept(world, client):
    client.force_login(world["admin"])
    resp = client.post(reverse("user_new"), {"username": "wang", "first_name": "王五"})
    body = resp.content.decode()
    assert resp.status_code == 400
    assert body.count('class="field-error"') == 2  # region and roles, both at once
    assert 'value="王五"' in body and 'value="wang"' in body


def test_region_picker_offers_only_the_scope(world, client):
    client.force_login(world["admin"])
    body = client.get(reverse("user_new")).content.decode()
    assert "530822100201" in body and "530823100201" not in body
    assert "530000000000" not in body  # nothing above the county


def test_no_user_outside_the_scope_and_no_role_without_the_permission(world):
    other = make_user("other_v", world["regions"]["530823100201"], Role.VILLAGE_ENTRY)
    with pytest.raises(OutOfScope):
        services.reset_password(actor=world["admin"], user_id=other.pk)
    with pytest.raises(OutOfScope):
        services.create_user(
            actor=world["admin"], username="x", region=world["regions"]["530823100201"],
            roles=["auditor"],
        )  # fmt: skip
    clerk = make_user("clerk", world["regions"][COUNTY], Role.COUNTY_APPROVAL)
    with pytest.raises(NotPermitted):
        services.reset_password(actor=clerk, user_id=world["admin"].pk)
    with pytest.raises(ValidationFailed):
        services.set_active(actor=world["admin"], user_id=world["admin"].pk, active=False,
                            reason="x")  # fmt: skip


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_only_administrators_reach_the_pages(world, client, role):
    client.force_login(make_user(f"u_{role}", world["regions"][COUNTY], role))
    assert client.get(reverse("users")).status_code == 403
    assert client.get(reverse("user_new")).status_code == 403
