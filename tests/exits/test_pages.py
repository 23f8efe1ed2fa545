"""The exit pages and API as the users would use them: the province draws, downloads the list
and the form, imports the answers and estimates; the dossier shows the 三率一度; the county and
the villages open their exit cases; who may not is refused."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from lantu.exits import views
from lantu.exits.models import Assessment
from lantu.procedures.models import Case
from lantu.procedures.pdf import cjk_font
from tests.exits.test_flow import _answers
from tests.factories import COUNTY, OTHER_COUNTY
from tests.procedures.conftest import VILLAGE, VILLAGE2

pytestmark = pytest.mark.django_db


def _request(user):
    r = RequestFactory().get("/")
    r.user = user
    return r


def client(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def test_the_province_runs_the_assessment_on_the_pages(county_world):
    p = client(county_world["users"]["province"])
    url = reverse("exits:county", args=[COUNTY])
    assert "尚未抽样" in p.get(url).content.decode()
    r = p.post(reverse("exits:draw", args=[COUNTY]), {"year": "2019", "seed": "3"})
    assert r.status_code == 302
    a = Assessment.objects.get()
    book = openpyxl.load_workbook(io.BytesIO(p.get(
        reverse("exits:download", args=[a.pk, "list.xlsx"])).content))  # fmt: skip
    assert book.active.max_row == a.households.count() + 1
    form = p.get(reverse("exits:download", args=[a.pk, "form.xlsx"]))
    assert openpyxl.load_workbook(io.BytesIO(form.content)).sheetnames == [
        "survey", "choices", "settings"]  # fmt: skip
    bad = io.BytesIO(_answers(a).replace(b"interviewed", b"interviewd", 1))
    bad.name = "kobo.csv"
    r = p.post(reverse("exits:import", args=[a.pk]), {"file": bad})
    assert r.status_code == 400 and r.content[:2] == b"PK"  # the error workbook
    good = io.BytesIO(_answers(a))
    good.name = "kobo.csv"
    assert p.post(reverse("exits:import", args=[a.pk]), {"file": good}).status_code == 302
    assert p.post(reverse("exits:estimate", args=[a.pk])).status_code == 302
    body = p.get(url).content.decode()
    assert "错退率" in body and "群众认可度" in body and 'id="overall"' in body
    pdf = p.get(reverse("exits:dossier_pdf", args=[COUNTY]))
    if cjk_font() is None:  # the page says what to install
        assert pdf.status_code == 503 and "fonts-noto-cjk" in pdf.content.decode()
    else:
        assert pdf.content.startswith(b"%PDF")
        assert p.get(reverse("exits:dossier_pdf", args=[COUNTY]) + "?lang=en").content.startswith(
            b"%PDF")  # fmt: skip
    # The printable dossier: Chinese by default, English on request.
    ctx = views._dossier(_request(county_world["users"]["province"]), COUNTY)
    zh = render_to_string("exits/dossier_print.html", ctx | {"font": "x"})
    with translation.override("en"):
        en = render_to_string("exits/dossier_print.html", ctx | {"font": "x"})
    assert "贫困县退出评估档案" in zh and "错退率" in zh and 'lang="zh-Hans"' in zh
    assert "exit dossier" in en and "wrong-exit rate" in en and "三率一度 estimated" not in en
    assert "评估编号" not in en and "Overall" in en
    plan = p.get(url + "?margin=0.01&rate=0.02&deff=2.5&population=1000000&per_village=27")
    assert "753" in plan.content.decode()


def test_only_the_province_assesses(county_world):
    c = client(county_world["users"]["county"])
    r = c.post(reverse("exits:draw", args=[COUNTY]), {"year": "2019", "seed": "3"})
    assert r.status_code == 403
    v = client(county_world["users"]["village"])
    assert v.post(reverse("exits:draw", args=[COUNTY]), {"year": "2019"}).status_code == 403
    assert v.get(reverse("exits:county", args=[COUNTY])).status_code == 200  # its own county
    assert v.get(reverse("exits:county", args=[OTHER_COUNTY])).status_code == 404


def test_villages_and_county_open_their_exit_on_the_pages(county_world):
    users = county_world["users"]
    v = client(users["village"])
    form = {"kind": "village_exit", "year": "2019", "village": [VILLAGE, VILLAGE2]}
    r = v.post(reverse("exits:open", args=[COUNTY]), form)
    # The village cadre opens its own village only (the other is outside its scope).
    assert r.status_code == 302
    assert list(Case.objects.values_list("village__code", flat=True)) == [VILLAGE]
    r = client(users["county"]).post(reverse("exits:open", args=[COUNTY]),
                                     {"kind": "county_exit", "year": "2019"})  # fmt: skip
    case = Case.objects.get(kind="county_exit")
    assert r["Location"] == reverse("procedures:case", args=[case.pk])
    page = client(users["county"]).get(r["Location"]).content.decode()
    assert "贫困县退出" in page and "墨江县" in page


def test_api(county_world):
    p = client(county_world["users"]["province"])
    r = p.post(f"/api/exits/counties/{COUNTY}/assessments", {"year": 2019, "seed": 2},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 201, r.content
    a = r.json()
    assert a["households"] > 0 and a["design"]["villages_per_county"] == 29
    assert p.post(f"/api/exits/assessments/{a['id']}/estimate").status_code == 400  # no answers
    plan = p.get("/api/exits/plan?margin=0.01&rate=0.02&population=1000000&deff=1").json()
    assert plan["n_srs"] == 753 and plan["zero_error_n"] == 149
    c = client(county_world["users"]["county"])
    r = c.post(f"/api/exits/counties/{COUNTY}/exit-cases", {"kind": "county_exit", "year": 2019},
               content_type="application/json")  # fmt: skip
    assert r.status_code == 201 and len(r.json()) == 1
    assert c.get(f"/api/exits/counties/{OTHER_COUNTY}").status_code == 404


def _csv(text: str, name: str = "rosters.csv") -> io.BytesIO:
    f = io.BytesIO(text.encode("utf-8"))
    f.name = name
    return f


def test_the_county_uploads_the_register_counts_all_or_nothing(county_world):
    from lantu.exits.models import VillageRoster

    users = county_world["users"]
    url = reverse("exits:rosters", args=[COUNTY])
    before = dict(VillageRoster.objects.values_list("village__code", "households"))
    c = client(users["county"])
    bad = _csv(f"村代码,户数\n{VILLAGE},120\n{VILLAGE2},many\n530000999999,4\n{VILLAGE},3\n")
    r = c.post(url, {"file": bad, "year": "2030"})
    assert r.status_code == 400 and r.content[:2] == b"PK"  # the registry's error workbook
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    text = " ".join(str(c.value) for row in book.active.iter_rows() for c in row)
    assert "户数应为0至100000的整数" in text and "must be a whole number" in text
    assert "没有这个村" in text and "村代码重复" in text
    assert dict(VillageRoster.objects.values_list("village__code", "households")) == before
    r = c.post(url, {"file": _csv(f"village_code,households\n{VILLAGE},120\n{VILLAGE2},80\n"),
                     "year": "2030"})  # fmt: skip
    assert r.status_code == 302
    assert set(VillageRoster.objects.filter(year=2030).values_list("village__code",
                                                                   "households")) == {
        (VILLAGE, 120), (VILLAGE2, 80)}  # fmt: skip
    # Who may not: the province's assessor reads only; a user of another county cannot reach it.
    one = f"村代码,户数\n{VILLAGE},1\n"
    r = client(users["province"]).post(url, {"file": _csv(one), "year": "2030"})
    assert r.status_code == 403
    other = reverse("exits:rosters", args=[OTHER_COUNTY])
    assert c.post(other, {"file": _csv(one), "year": "2030"}).status_code == 404
