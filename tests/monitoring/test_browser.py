"""The demo's story in a real browser at phone size (headless Chromium, 390×844): a villager
reports on the public page, choosing the village level by level; the ticket reaches the village
and the departments; left alone it is escalated to the county; the departments finish; the
villager opens the status page with receipt and phone and signs off. Skips without Chromium."""

import datetime
import shutil
from pathlib import Path

import pytest

from lantu.monitoring import queries, services
from lantu.monitoring.models import Ticket
from lantu.procedures.escalation import escalate
from tests.factories import make_id

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not (Path(CHROMIUM).exists() and Path(DRIVER).exists()),
        reason="Chromium and chromedriver not installed (apt-get install chromium chromium-driver)",
    ),
]


@pytest.fixture
def phone():
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=390,844",
    ):
        opts.add_argument(arg)
    opts.add_argument("--lang=zh-CN")
    opts.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    opts.add_experimental_option(
        "mobileEmulation", {"deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3}}
    )
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    driver.implicitly_wait(5)
    yield driver
    driver.quit()


def _choose(driver, select_id, code):
    from selenium.webdriver.support.ui import Select, WebDriverWait

    WebDriverWait(driver, 10).until(
        lambda d: any(
            o.get_attribute("value") == code
            for o in Select(d.find_element("id", select_id)).options
        )
    )
    Select(driver.find_element("id", select_id)).select_by_value(code)


def test_report_escalate_sign_off_on_a_phone(live_server, phone, mworld):
    u, clock = mworld["users"], mworld["clock"]
    pid = make_id(datetime.date(1985, 3, 3))
    phone.get(live_server.url + "/monitoring/report/")
    assert phone.execute_script("return document.documentElement.clientWidth") <= 400
    phone.find_element("id", "name").send_keys("李四")
    phone.find_element("id", "id_number").send_keys(pid)
    phone.find_element("id", "phone").send_keys("13912345678")
    for sel, code in (
        ("lvl-prefecture", "530800000000"),
        ("lvl-county", "530822000000"),
        ("lvl-township", "530822100000"),
        ("lvl-village", "530822100201"),
    ):
        _choose(phone, sel, code)
    from selenium.webdriver.support.ui import Select

    Select(phone.find_element("id", "event")).select_by_value("illness")
    for need in ("need-medical_bills", "need-dibao"):
        box = phone.find_element("id", need)
        phone.execute_script("arguments[0].scrollIntoView()", box)
        box.click()
    phone.execute_script("arguments[0].scrollIntoView()", phone.find_element("id", "submit"))
    phone.find_element("id", "submit").click()
    receipt = phone.find_element("id", "receipt").text.strip()
    t = Ticket.objects.get(receipt=receipt)
    assert list(queries.queue(u["village"], "village")) == [t]
    assert t in queries.queue(u["dept_civil_affairs"], "department")
    assert t in queries.queue(u["dept_medical_insurance"], "department")

    clock.advance(11)  # nobody acted: the procedures' 督办 cron raises it to the county
    escalate()
    assert t in queries.queue(u["county"], "escalated")
    services.supervise(actor=u["county"], ticket_id=t.pk, instruction="限三日内办结")
    services.accept(actor=u["village"], ticket_id=t.pk)
    for k in t.tasks.all():
        services.handle(actor=u[f"dept_{k.department}"], task_id=k.pk, result="已办理")

    phone.get(live_server.url + "/monitoring/status/")
    phone.find_element("id", "receipt").send_keys(receipt)
    phone.find_element("id", "phone").send_keys("13912345678")
    phone.find_element("id", "look").click()
    body = phone.find_element("id", "status").text
    assert "督办" in body and pid not in body and "李四" not in body
    phone.execute_script("arguments[0].scrollIntoView()", phone.find_element("id", "sign"))
    button = phone.find_element("id", "sign")
    button.click()
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    # A loaded machine may answer "node does not belong to the document" mid-navigation: poll on.
    wait = WebDriverWait(phone, 30, ignored_exceptions=(WebDriverException,))
    wait.until(ec.staleness_of(button))
    wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
    assert "已办结" in phone.find_element("id", "state").text
    t.refresh_from_db()
    assert t.state == "closed" and t.satisfied is True
