"""The signed-in user comes with their region and their cadre record in one query."""

from __future__ import annotations

import datetime

from django.contrib.auth import SESSION_KEY, get_user
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lantu.accounts.roles import Role
from lantu.assistance import codes
from lantu.assistance.models import Cadre
from tests.factories import COUNTY, make_id, make_tree, make_user


def _request(client, user):
    client.force_login(user)  # the first backend that loads users: Lantu's
    session = client.session
    session.get(SESSION_KEY)  # the session's own query, before the ones counted
    return type("R", (), {"session": session})()


def test_user_region_and_cadre_in_one_query(client, db):
    regions = make_tree()
    user = make_user("cadre1", regions[COUNTY], Role.CADRE)
    Cadre.objects.create(
        cadre_no="C1", name="张三", id_number=make_id(datetime.date(1980, 1, 1)),
        level=codes.CADRE_LEVEL[0].code, region=regions[COUNTY],
        region_path=regions[COUNTY].path, user=user,
    )  # fmt: skip
    request = _request(client, user)
    with CaptureQueriesContext(connection) as q:
        loaded = get_user(request)
        assert loaded.region.code == COUNTY
        assert loaded.cadre.user_id == user.pk
    assert len(q.captured_queries) == 1


def test_no_cadre_is_known_without_a_query(client, db):
    regions = make_tree()
    user = make_user("office", regions[COUNTY], Role.COUNTY_APPROVAL)
    request = _request(client, user)
    loaded = get_user(request)
    with CaptureQueriesContext(connection) as q:
        assert getattr(loaded, "cadre", None) is None
    assert q.captured_queries == []


def test_inactive_users_are_not_loaded(client, db):
    regions = make_tree()
    user = make_user("gone", regions[COUNTY], Role.COUNTY_APPROVAL)
    request = _request(client, user)
    user.is_active = False
    user.save()
    assert not get_user(request).is_authenticated
