"""The statistics pages as a user meets them: the work home page with counts linking to the
queues, dashboards, chart tables as XLSX, the yearly and monthly reports as XLSX and PDF, the
headline comparison and the indicator catalogue; out-of-scope regions answer 404."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from lantu.accounts.roles import Role
from lantu.procedures.pdf import cjk_font
from lantu.regions.models import Region
from tests.factories import make_user

COUNTY = "530822000000"


@pytest.fixture
def county_user(stats_world):
    return make_user("county_u", Region.objects.get(code=COUNTY), Role.COUNTY_APPROVAL)


def test_login_lands_on_the_work_home_page(client, county_user):
    resp = client.post(reverse("login"), {"username": "county_u", "password": "pw-county_u"})
    assert resp.status_code == 302 and resp["Location"] == reverse("home")
    page = client.get(reverse("home")).content.decode()
    assert "今天和本周要办的事" in page
    assert reverse("matching:work_queue") + "?status=open" in page
    assert reverse("jobs:runs") in page
    assert "建档立卡户（累计）" in page  # the region's key figures


def test_dashboard_shows_charts_tables_and_no_data_honestly(client, county_user):
    client.force_login(county_user)
    page = client.get(reverse("stats:dashboard") + "?year=2020").content.decode()
    assert 'data-chart="chart-trend-option"' in page and "echarts.min.js" in page
    assert "chart-map-households_registered" in page  # the county tile map
    # every room that provides an indicator is installed: paired cadres are counted, not "no data"
    empty = page[page.index("暂无数据的指标") :] if "暂无数据的指标" in page else ""
    assert "结对帮扶干部" not in empty
    other = client.get(reverse("stats:region", args=["530823000000"]))
    assert other.status_code == 404


def test_chart_and_dashboard_xlsx(client, county_user):
    client.force_login(county_user)
    resp = client.get(reverse("stats:chart_xlsx", args=[COUNTY, "trend"]) + "?year=2020")
    book = openpyxl.load_workbook(io.BytesIO(resp.content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[2][0] == "年度" and any(r[0] == 2020 for r in rows[3:])
    whole = client.get(reverse("stats:xlsx", args=[COUNTY]) + "?year=2020")
    assert len(openpyxl.load_workbook(io.BytesIO(whole.content)).sheetnames) >= 8


def test_reports_xlsx_and_pdf(client, county_user):
    client.force_login(county_user)
    resp = client.get(reverse("stats:report", args=[COUNTY, "2020", "xlsx"]))
    sheet = openpyxl.load_workbook(io.BytesIO(resp.content)).active
    cells = [c for row in sheet.iter_rows(values_only=True) for c in row if c is not None]
    assert any("2020年度" in str(c) for c in cells) and "建档立卡户（累计）" in cells
    monthly = client.get(reverse("stats:report", args=[COUNTY, "2020-6", "xlsx"]))
    assert "本月程序" in openpyxl.load_workbook(io.BytesIO(monthly.content)).sheetnames
    bad = client.get(f"/stats/r/{COUNTY}/report/2020-13.xlsx")
    assert bad.status_code == 404
    if cjk_font() is None:
        pytest.skip("no CJK font (fonts-noto-cjk): the PDF report is not made")
    from pypdf import PdfReader

    pdf = client.get(reverse("stats:report", args=[COUNTY, "2020", "pdf"]))
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    assert "扶贫统计年报" in text


def test_headline_and_catalogue(client, county_user):
    client.force_login(county_user)
    page = client.get(reverse("stats:headline")).content.decode()
    assert "996,000" in page or "996000" in page
    assert "结对帮扶干部" in page and "第一书记" in page  # computed by the assistance room
    cat = client.get(reverse("stats:indicators")).content.decode()
    assert "国开办发〔2014〕24号" in cat


def test_refresh_is_a_job_started_from_the_dashboard(client, county_user):
    from django.core.management import call_command

    from lantu.jobs.models import Run

    client.force_login(county_user)
    resp = client.post(reverse("jobs:start", args=["stats.refresh"]))
    run = Run.objects.get(kind="stats.refresh")
    assert resp.status_code == 302
    call_command("worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run.refresh_from_db()
    assert run.status == "succeeded", run.error
    assert run.summary["rows"] > 0


def test_home_counts_the_users_failed_and_running_jobs(county_user):
    import datetime

    from lantu.jobs.models import Run
    from lantu.stats import home

    path = county_user.region.path
    for status in ("failed", "failed", "running", "queued", "succeeded"):
        Run.objects.create(kind="stats.refresh", started_by=county_user, region_path=path,
                           status=status)  # fmt: skip
    old = Run.objects.create(kind="stats.refresh", started_by=county_user, region_path=path,
                             status="failed")  # fmt: skip
    Run.objects.filter(pk=old.pk).update(
        created_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=8)
    )
    counts = {t.label: t.count for t in home.todos(county_user)}
    assert counts["本周失败的后台任务"] == 2
    assert counts["进行中的后台任务"] == 2
