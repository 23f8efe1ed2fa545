"""One error hierarchy for Lantu. Every domain error carries its message in Chinese and English and
the HTTP status a view or API handler should answer with::

    LantuError (400)
    ├── ValidationFailed (400)      a value or a row is wrong; says what to fix
    │   └── ImportRejected (400)    a whole file is refused (empty, truncated, encrypted, binary)
    ├── InvariantViolated (409)     the change would break a registry invariant
    ├── Conflict (409)              someone else changed it first
    ├── OutOfScope (404)            not in the acting user's region: indistinguishable from missing
    ├── NotPermitted (403)          the role may not do this
    └── Throttled (429)             too many requests in a short time; says when to retry
"""

from __future__ import annotations


class LantuError(Exception):
    status = 400

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(f"{zh} / {en}")
        self.zh = zh
        self.en = en

    def as_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


class ValidationFailed(LantuError):
    status = 400


class ImportRejected(ValidationFailed):
    status = 400


class InvariantViolated(LantuError):
    status = 409


class Conflict(LantuError):
    status = 409


class OutOfScope(LantuError):
    status = 404

    def __init__(
        self, zh: str = "未找到（或不在您的辖区内）", en: str = "Not found (or outside your region)"
    ) -> None:
        super().__init__(zh, en)


class NotPermitted(LantuError):
    status = 403


class Throttled(LantuError):
    status = 429
