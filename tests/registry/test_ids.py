import datetime

import pytest

from lantu.registry.ids import check_id, mask, normalise, upgrade_15


@pytest.mark.parametrize(
    "raw",
    [" 360426199101010071 ", "３６０４２６１９９１０１０１００７１", "360426-19910101-0071"],
)
def test_normalised_forms_accepted(raw):
    c = check_id(raw)
    assert c.ok and c.number == "360426199101010071"
    assert c.birth_date == datetime.date(1991, 1, 1) and c.sex == "1"


def test_lower_case_x():
    assert normalise("11010519491231002x").endswith("X")
    assert check_id("11010519491231002x").ok


def test_legacy_15_digit_upgraded():
    c = check_id("360426910101007")
    assert c.ok and c.number == "360426199101010071" and c.legacy == "360426910101007"
    assert upgrade_15("360426910101007") == "360426199101010071"


def test_wrong_check_character():
    c = check_id("360426199101010072")
    assert not c.ok and "check character" in c.error[1] and "校验位" in c.error[0]


def test_impossible_birth_date():
    body = "36042619910231007"
    from stdnum.cn import ric

    c = check_id(body + ric.calc_check_digit(body + "0"))
    assert not c.ok and "not a date" in c.error[1]


def test_region_created_after_birth_is_accepted():
    # 530114 (呈贡区) exists only since 2011; a person born in 1940 carries it on a re-issued card.
    from stdnum.cn import ric

    body = "53011419400101002"
    number = body + ric.calc_check_digit(body + "0")
    assert not ric.is_valid(number)  # what stdnum's validate() would say
    c = check_id(number)
    assert c.ok and not c.warnings


def test_unknown_region_warns_only():
    from stdnum.cn import ric

    body = "99999919800101001"
    c = check_id(body + ric.calc_check_digit(body + "0"))
    assert c.ok and c.warnings


def test_mask():
    assert mask("360426199101010071") == "3604************71"
