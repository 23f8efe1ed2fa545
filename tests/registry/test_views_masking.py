"""Masking in one place (lantu.registry.masking): what each kind of personal value becomes."""

import datetime

from django.contrib.auth.models import AnonymousUser

from lantu.accounts.models import User
from lantu.accounts.roles import GRANTS, Perm, Role
from lantu.registry.masking import HIDDEN, PERSONAL, Masker, mask_tail, masker_for


def test_mask_tail_keeps_the_last_four():
    assert mask_tail("13812345678") == "*******5678"
    assert mask_tail("123") == "***"
    assert mask_tail("") == ""


def test_masked_values():
    m = Masker(unmasked=False)
    assert m.value("id_number", "530822195003010131") == "5308************31"
    assert m.value("phone", "13812345678") == "*******5678"
    assert m.value("member_phone", "13812345678") == "*******5678"
    assert m.value("bank_account", "6228480000000000011") == "***************0011"
    assert m.value("health", "chronic") == HIDDEN
    assert m.value("disability_grade", 2) == HIDDEN
    assert m.value("birth_date", datetime.date(1950, 3, 1)) == "1950-**-**"
    assert m.value("health", "") == ""  # nothing recorded stays nothing
    assert m.value("name", "张三") == "张三"  # not personal data in this sense


def test_unmasked_values_pass_through():
    m = Masker(unmasked=True)
    for column in PERSONAL:
        assert m.value(column, "x") == "x"


def test_row_masks_every_personal_column():
    row = {"id_number": "530822195003010131", "name": "张三", "health": "serious"}
    assert Masker(unmasked=False).row(row) == {
        "id_number": "5308************31",
        "name": "张三",
        "health": HIDDEN,
    }


def test_who_sees_what():
    assert not masker_for(AnonymousUser()).unmasked
    for role in Role:
        user = User(username=role.value, roles=[role.value])
        expected = Perm.PERSONAL_DATA in GRANTS[role]  # all but the supervising roles
        assert masker_for(user).unmasked is expected, role
    assert not masker_for(User(username="none", roles=[])).unmasked
    assert not masker_for(User(username="s", roles=[Role.SUPERVISOR_VIEW.value])).unmasked
