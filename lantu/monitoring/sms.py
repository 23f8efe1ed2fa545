"""Checking that a reporter holds the phone they give (the receipt + phone pair is the key to a
ticket's status, so the phone should be theirs): a six-digit code sent by SMS, typed back into the
report.

- The sender is pluggable: ``settings.LANTU_SMS_SENDER`` names a class with
  ``send(phone, text)``; the default, ``LogSender``, writes the message to the ``lantu.sms`` log
  (the console in development and the demo). A province plugs its SMS gateway in here.
- Whether a report needs the code is a policy value, ``report_phone_check`` (0 or 1; default 0:
  with no gateway configured a villager could never receive the code). Turn it on with the
  gateway.
- Codes live in the shared Django cache (``LANTU_CACHE_URL``, so every server process sees them):
  valid 10 minutes, stored as a keyed hash, dropped after 5 wrong tries; one code a minute and 5 an
  hour per phone. A phone checked from an address stays checked there for 30 minutes, so a
  villager reporting for several neighbours types one code.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from typing import Protocol

from django.conf import settings
from django.core.cache import cache
from django.utils.module_loading import import_string

from lantu.monitoring import policy
from lantu.procedures.notices import RateLimited

log = logging.getLogger("lantu.sms")
CODE_SECONDS = 600
VERIFIED_SECONDS = 1800
TRIES = 5
PER_HOUR = 5


class Sender(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class LogSender:
    """Development and demo: the message goes to the log (the console), nowhere else."""

    def send(self, phone: str, text: str) -> None:
        log.warning("SMS to %s: %s", phone, text)


def sender() -> Sender:
    path = getattr(settings, "LANTU_SMS_SENDER", "") or "lantu.monitoring.sms.LogSender"
    cls = import_string(path)
    return cls()  # type: ignore[no-any-return]


def required() -> bool:
    return bool(int(policy.value("report_phone_check")))


def _key(kind: str, *parts: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), "|".join(parts).encode(), hashlib.sha256)
    return f"monitoring.sms.{kind}.{digest.hexdigest()[:32]}"


def send_code(phone: str) -> None:
    """Send a fresh code to ``phone`` (digits only, already checked as a mobile number)."""
    if not cache.add(_key("wait", phone), 1, timeout=60):
        raise RateLimited("验证码已发送，请一分钟后再试", "a code was just sent: wait a minute")
    hour = _key("hour", phone)
    cache.add(hour, 0, timeout=3600)
    try:
        sent = cache.incr(hour)
    except ValueError:
        cache.set(hour, 1, timeout=3600)
        sent = 1
    if sent > PER_HOUR:
        raise RateLimited(
            "该手机号验证码发送过多，请一小时后再试", "too many codes for this phone: wait an hour"
        )
    code = f"{secrets.randbelow(10**6):06d}"
    cache.set(_key("code", phone), {"hash": _key("value", phone, code), "tries": 0}, CODE_SECONDS)
    sender().send(phone, f"【蓝图】您的验证码是{code}，10分钟内有效。如非本人操作请忽略。")


def check(phone: str, code: str, source: str) -> bool:
    """True when ``code`` is the one sent to ``phone``, or ``phone`` was checked from ``source``
    in the last 30 minutes."""
    verified = _key("ok", phone, source)
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if not code:
        return bool(cache.get(verified))
    key = _key("code", phone)
    held = cache.get(key)
    if not held:
        return False
    if hmac.compare_digest(held["hash"], _key("value", phone, code)):
        cache.delete(key)
        cache.set(verified, 1, VERIFIED_SECONDS)
        return True
    held["tries"] += 1
    if held["tries"] >= TRIES:
        cache.delete(key)
    else:
        cache.set(key, held, CODE_SECONDS)
    return False
