"""zh-Hans by default, English available: the English catalogue is complete, its compiled .mo is
up to date with the .po, and the pages switch language.

After editing django.po, recompile it (no msgfmt needed)::

    .venv/bin/python -c "import polib; p='lantu/locale/en/LC_MESSAGES/django.po'; \
polib.pofile(p).save_as_mofile(p[:-2] + 'mo')"
"""

import gettext
import re
from pathlib import Path

import polib
import pytest
from django.urls import reverse

import lantu
from lantu.accounts.roles import Role
from tests.factories import make_world

PACKAGE = Path(lantu.__file__).parent
PO = PACKAGE / "locale" / "en" / "LC_MESSAGES" / "django.po"
TRANS = re.compile(r"""{%\s*trans\s+(?:"([^"]+)"|'([^']+)')""")


def test_every_entry_is_translated():
    po = polib.pofile(str(PO))
    assert not po.untranslated_entries()
    assert not po.fuzzy_entries()


def test_compiled_catalogue_matches_the_po():
    po = polib.pofile(str(PO))
    with PO.with_suffix(".mo").open("rb") as f:
        mo = gettext.GNUTranslations(f)
    for entry in po.translated_entries():
        if entry.msgid_plural:
            assert mo.ngettext(entry.msgid, entry.msgid_plural, 2) == entry.msgstr_plural[1]
        else:
            assert mo.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_every_template_string_is_in_the_catalogue():
    known = {e.msgid for e in polib.pofile(str(PO))}
    mine = [
        *(PACKAGE / "templates").rglob("*.html"),
        *(PACKAGE / "registry" / "templates").rglob("*.html"),
    ]
    for template in mine:
        for match in TRANS.finditer(template.read_text("utf-8")):
            msgid = match.group(1) or match.group(2)
            assert msgid in known, f"{template.name}: {msgid} is not in django.po"


@pytest.mark.django_db
def test_pages_default_to_chinese_and_switch_to_english(client, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = make_world()
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    url = reverse("registry:household_detail", args=[world["inside"].pk])
    body = client.get(url).content.decode()
    assert "家庭基本情况" in body and "因病" in body
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = client.get(url).content.decode()
    assert "Basic situation" in body and "Household members" in body
    assert "illness" in body  # a code's English label
    assert "家庭基本情况" not in body
