"""Stored bilingual texts are shown in the page's language only."""

from django.utils import translation

from lantu.core.i18n import one_language


def test_a_stored_bilingual_reason_shows_the_pages_language():
    reason = "返贫纳入程序办结（案件203） / return to poverty completed (case 203)"
    with translation.override("zh-hans"):
        assert one_language(reason) == "返贫纳入程序办结（案件203）"
        assert one_language("导入 import") == "导入"
        assert one_language("村里核实") == "村里核实"
    with translation.override("en"):
        assert one_language(reason) == "return to poverty completed (case 203)"
        assert one_language("导入 import") == "import"
