"""The reporter's phone check (an SMS code through a pluggable sender) and the limits kept in the
shared cache that every server process sees."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.test import Client

from lantu.monitoring import intake, sms
from lantu.monitoring.models import Ticket
from lantu.procedures.notices import RateLimited
from tests.factories import make_id
from tests.monitoring.conftest import report

pytestmark = pytest.mark.django_db
SENT: list[tuple[str, str]] = []


class Capture:
    def send(self, phone: str, text: str) -> None:
        SENT.append((phone, text))


@pytest.fixture
def checked(settings, monkeypatch):
    settings.LANTU_SMS_SENDER = "tests.monitoring.test_sms.Capture"
    monkeypatch.setattr(sms, "required", lambda: True)
    SENT.clear()
    return SENT


def _code() -> str:
    m = re.search(r"验证码是(\d{6})", SENT[-1][1])
    assert m
    return m.group(1)


def test_a_report_needs_the_code_sent_to_the_reporters_phone(mworld, checked):
    r = report(id_number=make_id(datetime.date(1975, 2, 1)))
    with pytest.raises(intake.ReportInvalid) as no_code:
        intake.submit(r, address="10.0.0.1")
    assert "phone_code" in no_code.value.errors
    intake.send_phone_code("139 1234 5678")
    assert SENT[-1][0] == "13912345678"
    with pytest.raises(RateLimited):  # one code a minute
        intake.send_phone_code("13912345678")
    with pytest.raises(intake.ReportInvalid):
        intake.submit(report(id_number=r.id_number, phone_code="000000"), address="10.0.0.1")
    done = intake.submit(report(id_number=r.id_number, phone_code=_code()), address="10.0.0.1")
    assert done.ticket.receipt
    # The same phone from the same address stays checked: a neighbour's report needs no new code.
    other = report(id_number=make_id(datetime.date(1966, 5, 5)), name="王五")
    assert intake.submit(other, address="10.0.0.1").ticket.pk != done.ticket.pk
    with pytest.raises(intake.ReportInvalid):  # but not from another address
        intake.submit(report(id_number=make_id(datetime.date(1967, 5, 5))), address="10.9.9.9")


def test_wrong_codes_burn_the_code(mworld, checked):
    intake.send_phone_code("13912345678")
    code = _code()
    for _ in range(sms.TRIES):
        assert not sms.check("13912345678", "999999" if code != "999999" else "111111", "a")
    assert not sms.check("13912345678", code, "a")


def test_the_page_sends_the_code_and_keeps_what_was_typed(mworld, checked):
    c = Client()
    form = {"for_other": "0", "name": "李四", "phone": "13912345678", "village": "530822100201",
            "event": "illness", "needs": ["medical_bills"],
            "id_number": make_id(datetime.date(1980, 6, 1))}  # fmt: skip
    page = c.get("/monitoring/report/").content.decode()
    assert 'id="phone_code"' in page
    sent = c.post("/monitoring/report/code/", form)
    assert sent.status_code == 200 and 'value="李四"' in sent.content.decode()
    assert SENT[-1][0] == "13912345678"
    assert c.post("/monitoring/report/", form).status_code == 400
    ok = c.post("/monitoring/report/", form | {"phone_code": _code()})
    assert ok.status_code == 200 and Ticket.objects.count() == 1
    api = c.post(
        "/api/monitoring/public/phone-code", {"phone": "12"}, content_type="application/json"
    )
    assert api.status_code == 400


def test_the_default_sender_logs_and_the_check_is_off_by_default(mworld, caplog):
    assert not sms.required()
    sms.LogSender().send("13900000000", "hello")
    assert "13900000000" in caplog.text


def test_lookup_failures_are_counted_in_the_shared_cache(mworld):
    """Another worker process reads the same file cache (the default, LANTU_CACHE_URL)."""
    assert settings.CACHES["default"]["BACKEND"].endswith("FileBasedCache")
    Client().post("/monitoring/status/", {"receipt": "1", "phone": "2"})
    other_worker = FileBasedCache(settings.CACHES["default"]["LOCATION"], {})
    from lantu.procedures.notices import source_of

    assert other_worker.get(f"monitoring.lookup.{source_of('127.0.0.1')}") == 1
