"""The registry pages: list, filters, search, the household file, import upload."""

import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.registry.models import Member
from tests.factories import make_household, make_world

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def world():
    return make_world()


@pytest.fixture
def county_client(client, world):
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    return client


LIST = reverse("registry:household_list")


def test_login_page_and_login(client, world):
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "登录" in page.content.decode()
    resp = client.post(reverse("login"), {"username": "u_auditor", "password": "pw-u_auditor"})
    assert resp.status_code == 302
    assert client.get(LIST).status_code == 200


def test_wrong_password_is_refused(client, world):
    resp = client.post(reverse("login"), {"username": "u_auditor", "password": "nope"})
    assert resp.status_code == 200
    assert "用户名或密码不正确" in resp.content.decode()


def test_logout_is_a_post(county_client):
    assert county_client.post(reverse("logout")).status_code == 302
    assert county_client.get(LIST).status_code == 302


def test_list_shows_only_households_in_scope(county_client, world):
    body = county_client.get(LIST).content.decode()
    assert world["inside"].household_no in body
    assert world["outside"].household_no not in body
    assert "共 1 户" in body


def test_filters_narrow_the_list(county_client, world):
    extra = make_household(world["regions"]["530822100202"], household_type="dibao")
    body = county_client.get(LIST, {"household_type": "dibao"}).content.decode()
    assert extra.household_no in body and world["inside"].household_no not in body
    body = county_client.get(LIST, {"cause": "1", "year": 2020}).content.decode()
    assert world["inside"].household_no in body and extra.household_no not in body
    body = county_client.get(LIST, {"status": "exited"}).content.decode()
    assert world["inside"].household_no in body and extra.household_no not in body
    body = county_client.get(LIST, {"region": "530822100202"}).content.decode()
    assert extra.household_no in body and world["inside"].household_no not in body


def test_region_outside_scope_is_404(county_client):
    assert county_client.get(LIST, {"region": "530823100201"}).status_code == 404


def test_search_by_id_number_normalises_what_is_typed(county_client, world):
    head = Member.objects.get(household=world["inside"], relation="head")
    typed = (
        " "
        + head.id_number[:6]
        + " "
        + head.id_number[6:].lower().translate({ord(str(d)): chr(ord("０") + d) for d in range(10)})
    )
    body = county_client.get(LIST, {"q": typed}).content.decode()
    assert world["inside"].household_no in body
    assert "共 1 户" in body


def test_search_by_id_number_of_out_of_scope_person_finds_nothing(county_client, world):
    other = Member.objects.get(household=world["outside"], relation="head")
    body = county_client.get(LIST, {"q": other.id_number}).content.decode()
    assert "共 0 户" in body
    assert world["outside"].household_no not in body


def test_search_with_bad_check_character_warns(county_client, world):
    head = Member.objects.get(household=world["inside"], relation="head")
    wrong = head.id_number[:17] + ("0" if head.id_number[17] != "0" else "1")
    body = county_client.get(LIST, {"q": wrong}).content.decode()
    assert "校验位错误" in body


def test_search_by_name_prefix(county_client, world):
    extra = make_household(world["regions"]["530822100202"])
    Member.objects.filter(household=extra, relation="head").update(name="李四")
    body = county_client.get(LIST, {"q": "李"}).content.decode()
    assert extra.household_no in body and world["inside"].household_no not in body


def test_pagination(county_client, world):
    for _ in range(3):
        make_household(world["regions"]["530822100202"], size=1)
    from lantu.core import paging
    from lantu.registry import queries

    qs = queries.households(world["users"][Role.COUNTY_APPROVAL])
    first = paging.page(qs, 1, per_page=3)
    second = paging.page(qs, 2, per_page=3)
    assert first.has_next and not second.has_next
    assert first.count == 4
    assert {h.pk for h in first.rows}.isdisjoint({h.pk for h in second.rows})


def test_household_file_shows_the_seven_aspects(county_client, world):
    hh = world["inside"]
    body = county_client.get(reverse("registry:household_detail", args=[hh.pk])).content.decode()
    for heading in (
        "家庭基本情况",
        "生产生活条件",
        "致贫原因",
        "帮扶责任人",
        "帮扶计划",
        "帮扶措施",
        "帮扶成效",
        "状态变更记录",
        "台账记录",
    ):
        assert heading in body
    assert "因病" in body  # main cause, as its label
    assert "收入达标" in body  # the status history
    assert "状态变更" in body and "录入年度信息" in body  # ledger events
    head = Member.objects.get(household=hh, relation="head")
    assert head.id_number in body  # county approval sees personal data


def test_household_file_out_of_scope_is_the_same_404_as_missing(county_client, world):
    out = county_client.get(reverse("registry:household_detail", args=[world["outside"].pk]))
    missing = county_client.get(reverse("registry:household_detail", args=[10**9]))
    assert out.status_code == missing.status_code == 404
    assert _main(out) == _main(missing)


def _main(resp):
    body = resp.content.decode()
    return body[body.index("<main>") : body.index("</main>")]


def test_admin_registry_is_read_only_and_scoped(client, world):
    admin_user = world["users"][Role.ADMIN]
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    url = reverse("admin:registry_household_changelist")
    body = client.get(url).content.decode()
    assert world["inside"].household_no in body
    assert world["outside"].household_no not in body
    assert client.get(reverse("admin:registry_household_add")).status_code == 403
    change = reverse("admin:registry_household_change", args=[world["outside"].pk])
    assert client.get(change).status_code == 302  # the admin's "does not exist" redirect
    supervisor = world["users"][Role.SUPERVISOR_VIEW]
    supervisor.is_staff = True
    supervisor.save()
    client.force_login(supervisor)
    assert client.get(url).status_code == 403


def test_unknown_page_is_a_lantu_404(county_client, settings):
    settings.DEBUG = False
    resp = county_client.get("/registry/no-such-page/")
    assert resp.status_code == 404
    assert "未找到" in resp.content.decode()
