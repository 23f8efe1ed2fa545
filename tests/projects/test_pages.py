"""The room's pages as a user reaches them: the library and its XLSX and PDF, a project's page
acting on its lifecycle, the village construction plan, the household's 投入产出清, the funds, the
work queue, the import page, and the public notice with an objection and its PDF."""

import datetime
import io

import openpyxl
import pytest

from lantu.procedures import pdf
from lantu.projects import services
from lantu.projects.models import Finding, Project
from tests.projects.test_services import SIX

needs_font = pytest.mark.skipif(pdf.cjk_font() is None, reason="no CJK font (apt fonts-noto-cjk)")


@pytest.fixture
def project(world, now):
    county = world["users"]["county_approval"]
    services.set_availability(
        actor=county, county=world["county"], source="central", year=2021, amount="1000"
    )
    p = services.create_project(
        actor=county,
        code="XM-7",
        name="蔬菜大棚",
        category="industry",
        county=world["county"],
        year=2021,
        areas=[world["village"]],
        **SIX,
    )
    services.allocate(actor=county, project=p, source="central", year=2021, amount="800")
    services.add_beneficiary(actor=county, project=p, household=world["poor"], mechanism="wages")
    services.disburse(
        actor=county,
        project=p,
        household=world["poor"],
        amount="300",
        voucher="V1",
        date=datetime.date(2021, 5, 1),
        bank_account="6228480000000000011",
    )
    return p


def test_library_and_exports(client, world, project):
    client.force_login(world["users"]["county_approval"])
    body = client.get("/projects/?year=2021").content.decode()
    assert "XM-7" in body and "蔬菜大棚" in body and "800.00" in body and "300.00" in body
    resp = client.get("/projects/?year=2021&format=xlsx")
    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    cells = [c for row in book.active.iter_rows(values_only=True) for c in row]
    assert "XM-7" in cells
    client.force_login(world["users"]["village"])  # seen from the village it serves
    assert "XM-7" in client.get("/projects/").content.decode()


@needs_font
def test_plan_pdfs(client, world, project):
    client.force_login(world["users"]["county_approval"])
    for url in (
        "/projects/?format=pdf",
        "/projects/village/530822100201/?year=2021&format=pdf",
        "/projects/roadmap/530822100000/?format=pdf",
    ):
        resp = client.get(url)
        assert resp.status_code == 200 and resp.content[:4] == b"%PDF", url


def test_project_page_acts_on_the_lifecycle(client, world, project, now):
    client.force_login(world["users"]["county_approval"])
    page = client.get(f"/projects/{project.pk}/").content.decode()
    assert "入库审核" in page and "六定" in page and "6228480000000000011" in page
    client.force_login(world["users"]["supervisor_view"])
    masked = client.get(f"/projects/{project.pk}/").content.decode()
    assert "***************0011" in masked and "6228480000000000011" not in masked
    client.force_login(world["users"]["county_approval"])
    case_version = 1
    resp = client.post(
        f"/projects/{project.pk}/act/", {"action": "approve", "version": case_version}
    )
    assert resp.status_code == 302
    assert Project.objects.get(pk=project.pk).stage == "library"
    client.post(f"/projects/{project.pk}/act/", {"action": "approve", "version": 2})
    assert Project.objects.get(pk=project.pk).stage == "approved"
    public = client.get("/public/projects/530822000000/").content.decode()
    assert "蔬菜大棚" in public and "提出异议" in public and "6228" not in public
    assert world["poor"].head_name in public  # names allowed by the default policy
    client.logout()
    resp = client.post(f"/public/projects/p/{project.pk}/object/", {"text": "大棚选址占用耕地"})
    assert resp.status_code == 302
    client.force_login(world["users"]["county_approval"])
    assert "大棚选址占用耕地" in client.get(f"/projects/{project.pk}/").content.decode()


@needs_font
def test_public_pdf(client, world, project):
    Project.objects.filter(pk=project.pk).update(
        stage="implementing", notice_date=datetime.date(2021, 3, 1)
    )
    resp = client.get(f"/public/projects/p/{project.pk}.pdf")
    assert resp.status_code == 200 and resp.content[:4] == b"%PDF"


def test_village_household_funds_queue_import(client, world, project):
    client.force_login(world["users"]["county_approval"])
    v = client.get("/projects/village/530822100201/?year=2021").content.decode()
    assert "蔬菜大棚" in v and "投入产出清" in v and "300.00" in v
    file = client.get(f"/registry/households/{world['poor'].pk}/").content.decode()
    assert "投入产出清" in file and "300.00" in file  # on the household file
    h = client.get(f"/projects/household/{world['poor'].pk}/").content.decode()
    assert "300.00" in h and "蔬菜大棚" in h
    f = client.get("/projects/funds/").content.decode()
    assert "1000.00" in f and "200.00" in f  # available, left
    resp = client.post("/projects/findings/", {"run": "1", "year": "2021"})
    assert resp.status_code == 302 and Finding.objects.count() == 0
    tpl = client.get("/projects/import/template/allocations.xlsx")
    assert tpl.status_code == 200
    up = io.BytesIO("项目编号,资金来源,年度,安排金额（元）\nXM-7,central,2021,1000.01\n".encode())
    up.name = "a.csv"
    page = client.post("/projects/import/", {"table": "allocations", "file": up}).content.decode()
    assert "超过可用额度" in page and "下载错误清单" in page


NEW = {"code": "XM-NEW", "name": "村组道路硬化", "category": "road", "county": "530822000000",
       "areas": "530822100201", "year": "2022", "planned_amount": "120,000.50",
       "implementer": "县交通运输局", "start_date": "2022-03-01"}  # fmt: skip


def test_create_project_form(client, world):
    """The form proposes a project through the service (its case opens at 入库审核, a ledger
    event); every error comes back at once, in the page's language, and nothing is written."""
    from lantu.ledger.models import Event

    client.force_login(world["users"]["county_approval"])
    assert client.get("/projects/new/").status_code == 200
    events = Event.objects.count()
    bad = NEW | {"name": "", "year": "22", "areas": "530822100201、530823100201", "end_date": "x"}
    r = client.post("/projects/new/", bad)
    assert r.status_code == 400
    text = r.content.decode()
    for zh in ("请填写项目名称", "计划年度须为四位年份", "530823100201", "完工日期“x”不是日期"):
        assert zh in text
    assert not Project.objects.filter(code="XM-NEW").exists() and Event.objects.count() == events
    r = client.post("/projects/new/", bad, HTTP_ACCEPT_LANGUAGE="en")
    assert "name is required" in r.content.decode()
    r = client.post("/projects/new/", NEW)
    assert r.status_code == 302
    p = Project.objects.get(code="XM-NEW")
    assert p.case_id and p.stage == "proposed" and str(p.planned_amount) == "120000.50"
    assert Event.objects.filter(action="project.create", object_id=str(p.pk)).exists()
    r = client.post("/projects/new/", NEW)  # the same number again: refused, zh/en
    assert r.status_code == 400 and "已存在" in r.content.decode()
    client.force_login(world["users"]["supervisor_view"])  # may view, not edit
    assert client.get("/projects/new/").status_code == 403
