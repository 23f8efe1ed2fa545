"""In a real browser (headless Chromium): the province draws the sample, uploads the field
team's export and estimates; the dossier shows the verdict; a village cadre starts its village's
exit and records the appraisal on the case page; the county uploads its register counts. Skips
when Chromium is absent."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lantu.exits.models import Assessment
from lantu.procedures.models import Case
from tests.browser.login import cookie_login
from tests.exits.test_flow import _answers
from tests.factories import COUNTY

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and shutil.which(DRIVER)),
        reason="Chromium and chromedriver are not installed (make test-sysdeps)",
    ),
]


@pytest.fixture
def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"):  # fmt: skip
        opts.add_argument(flag)
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def login(driver, live_server, user) -> None:
    cookie_login(driver, live_server, user)


def click_and_wait(driver, by, value) -> None:
    """Click and wait until the browser has left the page (the POST's redirect has loaded)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    body = driver.find_element("tag name", "body")
    driver.find_element(by, value).click()
    # On a loaded machine Chromium may answer "node does not belong to the document" while the old
    # page is being torn down: keep polling until it is gone and the new one has loaded.
    wait = WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,))
    wait.until(ec.staleness_of(body))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")


def test_exit_on_the_web(browser, live_server, county_world, tmp_path):
    from selenium.webdriver.common.by import By

    users = county_world["users"]
    login(browser, live_server, users["province"])
    browser.get(f"{live_server.url}/exits/counties/{COUNTY}/")
    year = browser.find_element(By.ID, "draw-year")
    year.clear()
    year.send_keys("2019")
    click_and_wait(browser, By.ID, "draw")
    assert "XLSForm" in browser.find_element(By.TAG_NAME, "body").text
    a = Assessment.objects.get()
    answers = tmp_path / "kobo-export.csv"
    answers.write_bytes(_answers(a))
    browser.find_element(By.ID, "answers").send_keys(str(answers))
    click_and_wait(browser, By.ID, "import")
    click_and_wait(browser, By.ID, "estimate")
    overall = browser.find_element(By.ID, "overall").text
    assert overall in ("达标", "不达标", "尚无法判定")
    assert "错退率" in browser.find_element(By.TAG_NAME, "body").text

    # The county uploads its villages' household-register counts (all or nothing).
    from lantu.exits.models import VillageRoster
    from tests.procedures.conftest import VILLAGE

    login(browser, live_server, users["county"])
    browser.get(f"{live_server.url}/exits/counties/{COUNTY}/")
    rosters = tmp_path / "rosters.csv"
    rosters.write_text(f"村代码,户数\n{VILLAGE},321\n", encoding="utf-8")
    browser.find_element(By.ID, "rosters").send_keys(str(rosters))
    year = browser.find_element(By.ID, "rosters-year")
    year.clear()
    year.send_keys("2031")
    click_and_wait(browser, By.ID, "upload-rosters")
    assert VillageRoster.objects.get(year=2031).households == 321

    login(browser, live_server, users["village"])
    browser.get(f"{live_server.url}/exits/counties/{COUNTY}/")
    browser.find_element(By.CSS_SELECTOR, "input[name=village]").click()
    click_and_wait(browser, By.ID, "open-villages")
    case = Case.objects.get(kind="village_exit")
    browser.get(f"{live_server.url}/procedures/cases/{case.pk}/")
    for box in browser.find_elements(By.CSS_SELECTOR, "input[type=number]"):
        box.send_keys("9" if box.get_attribute("name").endswith("_for") else "0")
    click_and_wait(browser, By.CSS_SELECTOR, "button[value=approve]")
    case.refresh_from_db()
    assert case.step == "township_review"
