"""The statistics and jobs rooms keep their own English catalogues: complete, compiled, covering
every template string, and the dashboard reads in English when asked (indicator names from the
declarations' own ``en``)."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import lantu
from lantu.accounts.roles import Role
from lantu.regions.models import Region
from tests.factories import make_user

PACKAGE = Path(lantu.__file__).parent
ROOMS = ["stats", "jobs"]
TRANS = re.compile(r"""{%\s*trans\s+(?:"([^"]+)"|'([^']+)')""")


def _po(room: str) -> Path:
    return PACKAGE / room / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.mark.parametrize("room", ROOMS)
def test_catalogue_complete_and_compiled(room):
    po = polib.pofile(str(_po(room)))
    assert not po.untranslated_entries() and not po.fuzzy_entries()
    with _po(room).with_suffix(".mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for entry in po.translated_entries():
        assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


@pytest.mark.parametrize("room", ROOMS)
def test_every_template_string_is_in_the_room_catalogue(room):
    known = {e.msgid for e in polib.pofile(str(_po(room)))}
    for template in (PACKAGE / room / "templates").rglob("*.html"):
        for match in TRANS.finditer(template.read_text("utf-8")):
            msgid = match.group(1) or match.group(2)
            assert msgid in known, f"{template.name}: {msgid} is not in {room}'s django.po"


def test_dashboard_in_english(client, stats_world):
    user = make_user("en_u", Region.objects.get(code="530822000000"), Role.COUNTY_APPROVAL)
    client.force_login(user)
    client.cookies["django_language"] = "en"
    page = client.get(reverse("stats:dashboard") + "?year=2020").content.decode()
    assert "Trends over the years" in page and "registered households (cumulative)" in page
    assert "逐年趋势" not in page
    runs = client.get(reverse("jobs:runs")).content.decode()
    assert "Background jobs" in runs and "Refresh the statistics" in runs
