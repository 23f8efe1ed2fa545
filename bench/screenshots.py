"""Screenshots of the main pages at phone width (390×844) and desktop width (1366×900), saved as
small PNGs under docs/screenshots/. Re-run after a page changes::

    LANTU_VAR_DIR=/tmp/demo lantu demo --no-serve      # a demo county with its case history
    LANTU_VAR_DIR=/tmp/demo python bench/screenshots.py [--out docs/screenshots]

It serves that demo database on a free local port (with the training clock on), logs in as the
demo users in a headless Chromium and captures each page, then quantises the PNGs (Pillow) so
they stay small in the repository. Prints each file with its size.
"""

from __future__ import annotations

import argparse
import io
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

SIZES = {"phone": (390, 844), "desktop": (1366, 900)}
PASSWORD = os.environ.get("LANTU_DEMO_PASSWORD", "lantu-demo-2026")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(port: int) -> subprocess.Popen[bytes]:
    env = os.environ | {"LANTU_TRAINING": "1", "PYTHONPATH": str(Path(__file__).parents[1])}
    cmd = [sys.executable, "-m", "django", "runserver", f"127.0.0.1:{port}", "--insecure",
           "--noreload", "--settings=lantu.settings"]  # fmt: skip
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _pages() -> list[tuple[str, str, str]]:
    """(file name, demo user, path) — paths found from the demo database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantu.settings")
    django.setup()
    from lantu.procedures.models import Case
    from lantu.registry.models import Household

    village = Household.objects.filter(cases__kind="change_request").first()
    hh = village or Household.objects.order_by("id").first()
    change = Case.objects.filter(kind="change_request", state="open").first()
    reviewed = Case.objects.filter(step="township_review").exclude(kind="change_request").first()
    notice = Case.objects.filter(step="publicity", state="open").select_related("village").first()
    pages = [
        ("login", "", "/login/"),
        ("households", "county", f"/registry/?q={hh.household_no[-4:] if hh else ''}"),
        ("household", "village", f"/registry/households/{hh.pk}/" if hh else "/registry/"),
        ("change-request", "village", f"/procedures/change/{hh.pk}/" if hh else "/"),
        ("queue-county", "county", "/procedures/"),
        ("queue-township", "township", "/procedures/"),
        ("users", "admin", "/users/"),
        ("training-clock", "admin", "/procedures/clock/"),
    ]
    if change:
        pages.append(("case-change-request", "township", f"/procedures/cases/{change.pk}/"))
    if reviewed:
        pages.append(("case-township-review", "township", f"/procedures/cases/{reviewed.pk}/"))
    if notice:
        pages.append(("public-notices", "", f"/procedures/public/{notice.village.code}/"))
    return pages


def _login(driver: Any, base: str, user: str) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.expected_conditions import staleness_of
    from selenium.webdriver.support.ui import WebDriverWait

    driver.delete_all_cookies()
    driver.get(f"{base}/login/")
    driver.add_cookie({"name": "django_language", "value": "zh-hans"})
    if not user:
        return
    driver.get(f"{base}/login/")
    driver.find_element(By.NAME, "username").send_keys(user)
    driver.find_element(By.NAME, "password").send_keys(PASSWORD)
    button = driver.find_element(By.CSS_SELECTOR, "form button.primary")
    button.click()
    WebDriverWait(driver, 15).until(staleness_of(button))  # logged in before the next page


def _small_png(data: bytes) -> bytes:
    from PIL import Image

    image = Image.open(io.BytesIO(data)).convert("RGB").quantize(colors=64)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(Path(__file__).parents[1] / "docs" / "screenshots"))
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).parents[1]))
    from tests.browser.conftest import make_driver

    pages = _pages()
    port = _free_port()
    server = _serve(port)
    base = f"http://127.0.0.1:{port}"
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    try:
        for size, (w, h) in SIZES.items():
            driver = make_driver(w, h)
            try:
                for name, user, path in pages:
                    _login(driver, base, user)
                    driver.get(base + path)
                    target = out / f"{name}-{size}.png"
                    target.write_bytes(_small_png(driver.get_screenshot_as_png()))
                    print(f"{target}  {target.stat().st_size / 1024:.0f} KiB")
            finally:
                driver.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
