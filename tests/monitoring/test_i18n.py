"""Every string of the monitoring room has its English translation, and the pages switch."""

from pathlib import Path

import polib
import pytest
from django.test import Client

import lantu.monitoring

PO = Path(lantu.monitoring.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"


def test_catalogue_is_complete_and_compiled():
    po = polib.pofile(str(PO))
    assert po.percent_translated() == 100 and not po.fuzzy_entries()
    assert PO.with_suffix(".mo").exists()


@pytest.mark.django_db
def test_public_report_page_in_english(mworld):
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    body = c.get("/monitoring/report/").content.decode()
    assert "Report a hardship" in body or "report a hardship" in body
    assert "minimum living allowance" in body  # the catalogue's own English labels
    assert "civil affairs" in body
