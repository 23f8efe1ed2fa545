"""The project pages in a real browser (headless Chromium): the county library, the create-project
form (an error first, shown in place with nothing saved, then the project proposed), the
project's page with its case, and the public notice page. Skips when Chromium is absent."""

from __future__ import annotations

from typing import Any

import pytest

from lantu.projects.models import Project
from tests.browser.conftest import HINT, chromium_available, make_driver
from tests.exits.test_browser import login as _login  # the cookie login

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not chromium_available(), reason=HINT),
]


@pytest.fixture
def browser():
    driver = make_driver()
    yield driver
    driver.quit()


def _wait(driver: Any, css: str) -> Any:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def _submit(driver: Any, fields: dict[str, str]) -> None:
    """Fill the form and send it; once more if the first POST after the cookie login meets the
    CSRF refusal (the known flake, see BRIEF)."""
    from selenium.webdriver.support.ui import WebDriverWait

    for attempt in range(2):
        form = _wait(driver, "#project-new")
        for name, value in fields.items():
            box = form.find_element("name", name)
            box.clear()
            box.send_keys(value)
        old = driver.find_element("tag name", "html")
        form.find_element("id", "project-save").click()
        WebDriverWait(driver, 30).until(lambda d, old=old: _stale(old))
        refused = "403" in driver.title or "CSRF" in driver.page_source[:3000]
        if not refused or attempt:
            return
        driver.back()
        driver.refresh()


def _stale(element: Any) -> bool:
    from selenium.common.exceptions import StaleElementReferenceException

    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


def test_library_form_project_and_public_page(browser, live_server, world):
    _login(browser, live_server, world["users"]["county_approval"])
    browser.get(live_server.url + "/projects/")
    _wait(browser, "#project-new-link").click()
    fields = {"code": "XM-B1", "name": "村组道路硬化", "areas": "530822100201", "year": "22",
              "planned_amount": "80000"}  # fmt: skip
    _submit(browser, fields)
    errors = _wait(browser, "#form-errors")
    assert "计划年度须为四位年份" in errors.text
    assert not Project.objects.filter(code="XM-B1").exists()
    _submit(browser, {"year": "2022"})
    _wait(browser, "h1")
    p = Project.objects.get(code="XM-B1")
    assert browser.current_url.endswith(f"/projects/{p.pk}/")
    assert "XM-B1" in browser.page_source and p.case_id
    browser.get(live_server.url + "/projects/?year=2022")
    assert "XM-B1" in _wait(browser, "table.data").text
    browser.get(live_server.url + "/public/projects/530822000000/")
    assert _wait(browser, "h1").text
