import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lantu.core.errors import ValidationFailed
from lantu.regions.imports import import_regions
from lantu.regions.models import Region
from lantu.regions.queries import subtree
from lantu.regions.services import load_yunnan

pytestmark = pytest.mark.django_db

GOOD = """代码,名称,层级,类型,上级代码
530822100000,联珠镇,乡镇,镇,530822000000
530822100201,碧溪村,行政村,行政村,530822100000
530822100201001,一组,村民小组,,530822100201
"""


def test_import_townships_villages_groups():
    load_yunnan()
    assert import_regions(GOOD.encode("gb18030"), "towns.csv") == 3
    group = Region.objects.get(code="530822100201001")
    assert (
        group.path
        == "/530000000000/530800000000/530822000000/530822100000/530822100201/530822100201001/"
    )
    county = Region.objects.get(code="530822000000")
    assert subtree(county).count() == 4
    assert [r.code for r in group.ancestors()][:2] == ["530000000000", "530800000000"]


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("530822100000,镇,乡镇,镇,539999000000", "does not exist"),
        ("530823100000,镇,乡镇,镇,530822000000", "does not start with its parent"),
        ("530822100201,村,行政村,,530822000000", "one level up"),
        ("5308221,镇,乡镇,镇,530822000000", "bad code length"),
        ("530822100000,镇,公社,,530822000000", "unknown level"),
    ],
)
def test_bad_rows_refused_whole_file(row, expected):
    load_yunnan()
    before = Region.objects.count()
    data = f"代码,名称,层级,类型,上级代码\n530822101000,好镇,乡镇,镇,530822000000\n{row}\n"
    with pytest.raises(ValidationFailed) as err:
        import_regions(data.encode(), "x.csv")
    assert expected in err.value.en
    assert Region.objects.count() == before


def test_command(tmp_path):
    load_yunnan()
    f = tmp_path / "r.csv"
    f.write_text(GOOD)
    call_command("import_data", "regions", str(f))
    assert Region.objects.filter(level="village").count() == 1
    f.write_text("")
    with pytest.raises(CommandError):
        call_command("import_data", "regions", str(f))
