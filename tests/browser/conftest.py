"""A real headless Chromium (Debian's chromium and chromium-driver) driven by Selenium against
the live test server. Skips, saying how to install it, where Chromium is absent."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--lang=zh-CN",
)  # fmt: skip
HINT = "Chromium absent: apt-get install chromium chromium-driver (make test-sysdeps)"


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM) or shutil.which("chromium")) and bool(
        shutil.which(CHROMEDRIVER) or shutil.which("chromedriver")
    )


def make_driver(width: int = 1366, height: int = 900) -> Any:
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for flag in FLAGS:
        options.add_argument(flag)
    options.binary_location = shutil.which(CHROMIUM) or str(shutil.which("chromium"))
    service = Service(shutil.which(CHROMEDRIVER) or str(shutil.which("chromedriver")))
    driver = webdriver.Chrome(options=options, service=service)
    driver.set_window_size(width, height)
    driver.implicitly_wait(5)
    return driver


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not chromium_available():
        pytest.skip(HINT)
    driver = make_driver()
    yield driver
    driver.quit()
