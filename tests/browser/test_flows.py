"""The main flows as a person does them, in a real headless Chromium: find a household by its
number, change its facts by a change request (village enters, township approves), take a case
from the village to the county through a concluded notice, and manage a user."""

from __future__ import annotations

from typing import Any

import pytest
from selenium.common.exceptions import WebDriverException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

from lantu.accounts.models import User
from lantu.accounts.roles import Role
from lantu.ledger.services import verify
from lantu.procedures import engine
from lantu.procedures.models import Case, CaseState
from lantu.registry.models import Household
from tests.factories import COUNTY, make_user
from tests.procedures.conftest import TOWNSHIP, VILLAGE, Clock, household, ruler_says, small_tree

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db: Any) -> dict[str, Any]:
    regions = small_tree()
    users = {
        "village": make_user("v1", regions[VILLAGE], Role.VILLAGE_ENTRY),
        "township": make_user("t1", regions[TOWNSHIP], Role.TOWNSHIP_REVIEW),
        "county": make_user("c1", regions[COUNTY], Role.COUNTY_APPROVAL),
        "admin": make_user("a1", regions[COUNTY], Role.ADMIN),
    }
    return {"regions": regions, "users": users}


def login(browser: Any, live_server: Any, user: User, path: str = "/") -> None:
    browser.delete_all_cookies()
    browser.get(f"{live_server.url}/login/?next={path}")
    browser.add_cookie({"name": "django_language", "value": "zh-hans"})  # the default UI
    browser.get(f"{live_server.url}/login/?next={path}")
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys(f"pw-{user.username}")
    go(browser, browser.find_element(By.CSS_SELECTOR, "form button[type=submit].primary"))


def loaded(browser: Any) -> None:
    WebDriverWait(browser, 15).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )


def gone(element: Any) -> bool:
    """Has the element's page been replaced? (Chromium answers a stale node either with
    StaleElementReference or with 'Node … does not belong to the document'.)"""
    try:
        element.is_enabled()
    except WebDriverException:
        return True
    return False


def go(browser: Any, element: Any) -> None:
    """Click a link or submit button and wait until the next page has replaced this one. Chromium
    may report an error for a click whose page is already being replaced; the wait for the old
    page to go decides whether the click happened."""
    try:
        element.click()
    except WebDriverException:
        pass
    WebDriverWait(browser, 15).until(lambda _d: gone(element))
    loaded(browser)


def approve(browser: Any) -> None:
    loaded(browser)
    go(browser, browser.find_element(By.CSS_SELECTOR, "button[value=approve]"))


def text(browser: Any) -> str:
    return str(browser.find_element(By.TAG_NAME, "body").text)


def test_search_by_household_number_and_its_tail(browser, live_server, world):
    hh = household(world, household_no="5308221002010042")
    login(browser, live_server, world["users"]["county"], "/registry/")
    for typed in ("5308221002010042", "0042", "53082210020100"):
        box = browser.find_element(By.NAME, "q")
        box.clear()
        box.send_keys(typed)
        go(browser, box.find_element(By.XPATH, "./ancestor::form//button[@type='submit']"))
        assert "5308221002010042" in text(browser), typed
        assert "共 1 户" in text(browser)
    go(browser, browser.find_element(By.LINK_TEXT, hh.household_no))
    assert "户档" in text(browser)


def test_change_request_from_village_to_township(browser, live_server, world):
    hh = household(world, address="老寨")
    login(browser, live_server, world["users"]["village"], f"/registry/households/{hh.pk}/")
    go(browser, browser.find_element(By.ID, "request-change"))
    address = browser.find_element(By.NAME, "hh-address")
    address.clear()
    address.send_keys("新寨12号")
    go(browser, browser.find_element(By.ID, "submit-change"))  # no grounds given yet
    assert "请修改下面标红的项" in text(browser)
    assert browser.find_element(By.NAME, "hh-address").get_attribute("value") == "新寨12号"
    browser.find_element(By.NAME, "reason").send_keys("入户核实：已搬家")
    go(browser, browser.find_element(By.ID, "submit-change"))
    assert "下一步由乡镇审核（乡镇）办理" in text(browser)
    case_url = browser.current_url
    login(browser, live_server, world["users"]["township"], case_url.replace(live_server.url, ""))
    approve(browser)
    assert "已办结" in text(browser)
    hh.refresh_from_db()
    assert hh.address == "新寨12号"
    assert not verify()[1]


def present(browser: Any, by: str, selector: str) -> list[Any]:
    """The elements now, without waiting for them to appear (a page already loaded)."""
    browser.implicitly_wait(0)
    try:
        return list(browser.find_elements(by, selector))
    finally:
        browser.implicitly_wait(5)


def _step(browser: Any, fill: Any = None) -> None:
    if fill:
        fill(browser)
    approve(browser)
    errors = present(browser, By.ID, "case-error")
    assert not errors, errors[0].text if errors else ""


def _votes(browser: Any) -> None:
    for name in ("internal", "party", "villagers"):
        browser.find_element(By.NAME, f"votes_{name}_for").send_keys("9")
        browser.find_element(By.NAME, f"votes_{name}_against").send_keys("0")


def _checklist(browser: Any) -> None:
    for box in browser.find_elements(By.CSS_SELECTOR, "input[name^=check_]"):
        box.click()


def _consent(browser: Any) -> None:
    browser.find_element(By.NAME, "consent").click()


def test_exit_case_from_village_to_county_with_concluded_notices(
    browser, live_server, world, monkeypatch
):
    now = Clock(monkeypatch)
    hh = household(world)
    ruler_says([hh], 2021, household_exit=True)
    u = world["users"]
    case = engine.open_case(actor=u["village"], kind="household_exit", household=hh, year=2021)
    path = f"/procedures/cases/{case.pk}/"
    login(browser, live_server, u["village"], path)
    _step(browser, _votes)
    # a wrong step is refused inline with what was ticked kept: two of five checks only
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[name^=check_]")
    boxes[0].click()
    boxes[1].click()
    approve(browser)
    assert "五查五看未完成" in browser.find_element(By.ID, "case-error").text
    kept = browser.find_elements(By.CSS_SELECTOR, "input[name^=check_]")
    assert [b.is_selected() for b in kept] == [True, True, False, False, False]
    for b in kept[2:]:
        b.click()
    _step(browser)
    _step(browser, _consent)
    now.advance(8)  # the village notice (7 days) has run out without objection
    browser.get(live_server.url + path)
    _step(browser)
    assert "下一步由乡镇审核（乡镇）办理" in text(browser)
    assert not present(browser, By.CSS_SELECTOR, "button[value=approve]")
    login(browser, live_server, u["township"], path)
    _step(browser)
    login(browser, live_server, u["county"], path)
    _step(browser)
    now.advance(8)
    login(browser, live_server, u["village"], path)
    _step(browser)
    assert "已办结" in text(browser)
    case.refresh_from_db()
    hh.refresh_from_db()
    assert case.state == CaseState.COMPLETED and hh.status == "exited"
    history = text(browser)
    assert "村级录入" in history and "县级审批" in history and "county_approval" not in history


def test_user_management(browser, live_server, world):
    login(browser, live_server, world["users"]["admin"], "/users/")
    go(browser, browser.find_element(By.ID, "new-user"))
    browser.find_element(By.NAME, "username").send_keys("wang_v")
    browser.find_element(By.NAME, "first_name").send_keys("王五")
    go(browser, browser.find_element(By.ID, "save-user"))  # no region, no role: both errors at once
    assert len(browser.find_elements(By.CLASS_NAME, "field-error")) == 2
    assert browser.find_element(By.NAME, "first_name").get_attribute("value") == "王五"
    Select(browser.find_element(By.NAME, "region")).select_by_value(
        str(world["regions"][VILLAGE].pk)
    )
    browser.find_element(By.CSS_SELECTOR, "input[value=village_entry]").click()
    go(browser, browser.find_element(By.ID, "save-user"))
    assert "临时密码" in browser.find_element(By.ID, "user-message").text
    go(browser, browser.find_element(By.ID, "reset-password"))
    assert "临时密码" in browser.find_element(By.ID, "user-message").text
    browser.find_element(By.ID, "deactivate-reason").send_keys("调离")
    go(browser, browser.find_element(By.ID, "deactivate"))
    assert "已停用" in text(browser)
    assert not User.objects.get(username="wang_v").is_active
    assert Household.objects.count() == 0 and Case.objects.count() == 0
