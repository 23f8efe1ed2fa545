"""A cadre records a visit on a phone-sized screen, in a real browser (headless Chromium):
log in, see what is due this week, open the form, save, see it recorded. Skips, saying why, when
Chromium or its driver is absent."""

from __future__ import annotations

import shutil

import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.assistance.models import Visit
from tests.factories import make_world

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


@pytest.fixture
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(DRIVER)):
        pytest.skip("Chromium or chromedriver is not installed (apt-get install chromium "
                    "chromium-driver)")  # fmt: skip
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run",
                "--window-size=390,844"):  # fmt: skip
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


@pytest.mark.django_db(transaction=True)
def test_a_cadre_records_a_visit_on_a_phone(live_server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    w = make_world()
    user = w["users"][Role.CADRE]
    user.set_password("pw-cadre")
    user.save()
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys("pw-cadre")
    login_page = browser.current_url
    browser.find_element(
        By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]"
    ).click()
    # The login's POST and redirect must finish (the session cookie set) before the next page.
    WebDriverWait(browser, 30).until(lambda d: d.current_url != login_page)
    browser.get(live_server.url + reverse("assistance:mine"))
    due = WebDriverWait(browser, 30).until(lambda d: d.find_element(By.CSS_SELECTOR, ".visit-due"))
    assert w["inside"].household_no in due.text
    # fits the phone's width: no horizontal scrolling (headless Chromium keeps a minimum window
    # width of its own, so the width is read from the page rather than assumed)
    inner = browser.execute_script("return window.innerWidth")
    wide = browser.execute_script("return document.documentElement.scrollWidth")
    assert wide <= inner and due.size["width"] <= inner, (wide, inner, due.size)
    due.find_element(By.TAG_NAME, "summary").click()
    due.find_element(By.NAME, "notes").send_keys("了解务工和医疗报销情况")
    due.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    from selenium.webdriver.support import expected_conditions as ec

    saved = WebDriverWait(browser, 30).until(
        ec.presence_of_element_located((By.CSS_SELECTOR, ".notice.ok"))
    )  # the redirect after saving may take a while on a busy machine
    assert "走访已记录" in saved.text
    visit = Visit.objects.get(household=w["inside"])
    assert visit.notes == "了解务工和医疗报销情况" and visit.cadre.user_id == user.pk


@pytest.mark.django_db(transaction=True)
def test_a_cadre_edits_a_household_plan_in_the_browser(live_server, browser):
    """From the household file to the plan form: a measure added, a wrong cadre number refused
    with the reason in both languages and the typing kept, then corrected and saved."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from lantu.assistance.models import Plan

    w = make_world()
    user = w["users"][Role.CADRE]
    user.set_password("pw-cadre")
    user.save()
    browser.get(live_server.url + reverse("login"))
    browser.find_element(By.NAME, "username").send_keys(user.username)
    browser.find_element(By.NAME, "password").send_keys("pw-cadre")
    login_page = browser.current_url
    browser.find_element(
        By.CSS_SELECTOR, "form button[type=submit], form input[type=submit]"
    ).click()
    WebDriverWait(browser, 30).until(lambda d: d.current_url != login_page)
    browser.get(live_server.url + reverse("registry:household_detail", args=[w["inside"].pk]))
    WebDriverWait(browser, 30).until(ec.element_to_be_clickable((By.ID, "plan-edit"))).click()
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "plan-form"))

    def fill(cadre_no: str) -> None:
        Select(browser.find_element(By.NAME, "m-0-measure")).select_by_value("industry")
        box = browser.find_element(By.NAME, "m-0-cadre_no")
        box.clear()
        box.send_keys(cadre_no)
        amount = browser.find_element(By.NAME, "m-0-planned_amount")
        amount.clear()
        amount.send_keys("3000")

    def save() -> None:
        # the first POST after a cookie login can meet the CSRF refusal (a known flake): once more
        browser.find_element(By.ID, "plan-save").click()
        WebDriverWait(browser, 30).until(
            lambda d: (
                d.find_elements(By.ID, "plan-errors")
                or d.find_elements(By.ID, "plan-saved")
                or "403" in d.title
                or "CSRF" in d.page_source
            )
        )

    fill("NOSUCH")
    save()
    if not browser.find_elements(By.ID, "plan-errors"):  # the CSRF refusal: reload and again
        browser.get(live_server.url + reverse("assistance:plan", args=[w["inside"].pk]))
        WebDriverWait(browser, 30).until(lambda d: d.find_element(By.ID, "plan-form"))
        fill("NOSUCH")
        save()
    errors = browser.find_element(By.ID, "plan-errors").text
    assert "NOSUCH不存在" in errors and "does not exist" in errors
    assert browser.find_element(By.NAME, "m-0-cadre_no").get_attribute("value") == "NOSUCH"
    assert not Plan.objects.exists()
    fill(user.cadre.cadre_no)
    save()
    assert browser.find_elements(By.ID, "plan-saved")
    plan = Plan.objects.get(household=w["inside"])
    assert [(m.measure, m.cadre.cadre_no) for m in plan.measures.all()] == [
        ("industry", user.cadre.cadre_no)
    ]
