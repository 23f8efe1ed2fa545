"""The assistance room's English catalogue is complete, compiled, and covers every template
string; the pages switch language."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import lantu
from lantu.accounts.roles import Role
from tests.factories import make_world

ROOM = Path(lantu.__file__).parent / "assistance"
PO = ROOM / "locale" / "en" / "LC_MESSAGES" / "django.po"
MAIN = Path(lantu.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
TRANS = re.compile(r"""{%\s*trans\s+(?:"([^"]+)"|'([^']+)')""")


def test_catalogue_complete_and_compiled():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries() and not po.fuzzy_entries()
    with PO.with_suffix(".mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for e in po.translated_entries():
        if not e.msgid_plural:
            assert mo.gettext(e.msgid) == e.msgstr


def test_every_template_string_is_translated():
    known = {e.msgid for e in polib.pofile(str(PO))} | {e.msgid for e in polib.pofile(str(MAIN))}
    for template in (ROOM / "templates").rglob("*.html"):
        for m in TRANS.finditer(template.read_text(encoding="utf-8")):
            assert (m.group(1) or m.group(2)) in known, (template.name, m.group(0))


@pytest.mark.django_db
def test_pages_in_english(client):
    w = make_world()
    client.force_login(w["users"][Role.CADRE])
    client.post(reverse("set_language"), {"language": "en"})
    body = client.get(reverse("assistance:mine")).content.decode()
    assert "Due this week" in body and "本周应走访" not in body
