"""The page's language, for text that carries both languages (zh-Hans is the default).

Some records keep a bilingual text because they are written once for every reader: a status
change's reason is stored as ``"中文 / English"`` (the procedure engine) or ``"导入 import"`` (the
registry importer). ``one_language`` shows the part of such a text in the page's language and leaves
any other text as it is.
"""

from __future__ import annotations

from django.utils.translation import get_language

SEPARATOR = " / "
# Short bilingual markers written without the separator (lantu.registry.bulk.IMPORT_REASON).
PAIRS = {"导入 import": ("导入", "import")}


def english() -> bool:
    """True when the page is in English."""
    return (get_language() or "").startswith("en")


def pick(zh: str, en: str) -> str:
    return en if english() else zh


def one_language(text: str) -> str:
    """The page-language half of a stored ``"中文 / English"`` text (or a known short pair)."""
    if text in PAIRS:
        return pick(*PAIRS[text])
    if SEPARATOR in text:
        zh, en = text.split(SEPARATOR, 1)
        return pick(zh, en)
    return text
