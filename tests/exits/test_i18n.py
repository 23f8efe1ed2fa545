"""The exit room's English catalogue is complete, compiled, covers its templates, and the pages
switch to English."""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import lantu.exits
from tests.factories import COUNTY

ROOM = Path(lantu.exits.__file__).parent
PO = ROOM / "locale" / "en" / "LC_MESSAGES" / "django.po"
TRANS = re.compile(r"""{%\s*trans\s+(?:"([^"]+)"|'([^']+)')""")


def test_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries() and not po.fuzzy_entries()
    with PO.with_suffix(".mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for e in po.translated_entries():
        assert mo.gettext(e.msgid) == e.msgstr


def test_every_template_string_is_in_the_catalogue():
    known = {e.msgid.replace("%%", "%") for e in polib.pofile(str(PO))}
    for template in (ROOM / "templates").rglob("*.html"):
        for m in TRANS.finditer(template.read_text("utf-8")):
            assert (m.group(1) or m.group(2)) in known, f"{template.name}: {m.group(0)}"


@pytest.mark.django_db
def test_the_dossier_in_english(client, county_world):
    client.force_login(county_world["users"]["county"])
    client.cookies["django_language"] = "en"
    body = client.get(reverse("exits:county", args=[COUNTY])).content.decode()
    assert "County exit dossier" in body and "Sample-size planner" in body
