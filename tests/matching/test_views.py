"""The work queue, the household snippet and bulk referral to the procedure engine."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template import Context, Template
from django.test import RequestFactory

from lantu.accounts.roles import Role
from lantu.matching import findings, referrals, services
from lantu.matching.models import Finding
from lantu.procedures.models import Case
from tests.factories import make_world
from tests.matching.test_services import _vehicles

pytestmark = pytest.mark.django_db


@pytest.fixture
def found():
    world = make_world()
    actor = world["users"][Role.COUNTY_APPROVAL]
    table, head, _ = _vehicles(world)
    rep = services.load_dataset(
        actor=actor, dataset="vehicles", table=table, as_of=datetime.date(2020, 12, 31)
    )
    services.link_load(actor=actor, load_id=rep.load_id)
    path = actor.region.path
    rows, pol = findings.detect(year=2020, policy="yunnan", region_path=path)
    findings.store(rows, pol, actor=actor, year=2020, region_path=path)
    return world, head


def test_work_queue_lists_findings_masked_for_supervisors(client, found):
    world, head = found
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    page = client.get("/matching/").content.decode()
    assert world["inside"].household_no in page and "#v1" in page
    assert head.id_number not in page and head.id_number[:4] in page
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    assert head.id_number in client.get("/matching/").content.decode()


def test_household_snippet_shows_the_households_findings(found):
    world, _ = found
    request = RequestFactory().get("/")
    request.user = world["users"][Role.COUNTY_APPROVAL]
    html = Template('{% include "matching/_household_findings.html" %}').render(
        Context({"household": world["inside"], "request": request})
    )
    assert "excl_vehicle" not in html and "#v1" in html
    outside = Template('{% include "matching/_household_findings.html" %}').render(
        Context({"household": world["outside"], "request": request})
    )
    assert "#v" not in outside


def test_referral_opens_removal_cases_in_bulk(found):
    world, _ = found
    actor = world["users"][Role.COUNTY_APPROVAL]
    ids = list(Finding.objects.values_list("pk", flat=True))
    out = referrals.refer(actor=actor, finding_ids=ids)
    assert out.opened == 1 and not out.failed
    case = Case.objects.get()
    assert (case.kind, case.household_id) == ("removal", world["inside"].pk)
    assert Finding.objects.get().status == "referred"
    # Referred findings are kept, and not found again by the next run.
    path = actor.region.path
    rows, pol = findings.detect(year=2020, policy="yunnan", region_path=path)
    assert findings.store(rows, pol, actor=actor, year=2020, region_path=path) == 0


def test_upload_page_loads_a_file_or_lists_every_error(client):
    world = make_world()
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    page = client.get("/matching/datasets/").content.decode()
    assert "vehicles" in page and "owner_id_number" not in page and "购置价" in page
    head = world["inside"].members.get(relation="head")
    good = f"记录编号,身份证号,姓名,购置价\n1,{head.id_number},{head.name},80000\n".encode()
    bad = b"record_id,name,purchase_price\n1,,x\n"
    for data, expected in ((good, "已导入 1 行"), (bad, "2 处错误")):
        f = SimpleUploadedFile("v.csv", data, content_type="text/csv")
        res = client.post(
            "/matching/datasets/", {"dataset": "vehicles", "as_of": "2020-12-31", "file": f}
        )
        assert expected in res.content.decode()
    from lantu.matching.models import DatasetLoad

    assert DatasetLoad.objects.count() == 1
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    f = SimpleUploadedFile("v.csv", good, content_type="text/csv")
    client.post("/matching/datasets/", {"dataset": "vehicles", "file": f})
    assert DatasetLoad.objects.count() == 1


def test_supervisors_see_but_cannot_act(client, found):
    world, _ = found
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    assert 'name="finding"' not in client.get("/matching/").content.decode()
    ids = [str(pk) for pk in Finding.objects.values_list("pk", flat=True)]
    res = client.post("/matching/", {"finding": ids, "action": "dismiss", "reason": "x"})
    assert res.status_code == 403 and Finding.objects.get().status == "open"
    client.force_login(world["users"][Role.TOWNSHIP_REVIEW])
    assert 'name="finding"' in client.get("/matching/").content.decode()
    client.post("/matching/", {"finding": ids, "action": "dismiss", "reason": "已核实为误报"})
    assert Finding.objects.get().status == "dismissed"


def test_evidence_labels_follow_the_language(client, found):
    world, _ = found
    client.force_login(world["users"][Role.COUNTY_APPROVAL])
    zh = client.get("/matching/").content.decode()
    assert "购置价 80000" in zh and "purchase price" not in zh
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    en = client.get("/matching/").content.decode()
    assert "purchase price 80000" in en and "购置价 80000" not in en


def test_department_phone_in_evidence_is_masked_for_supervisors(client):
    import polars as pl

    world = make_world()
    actor = world["users"][Role.COUNTY_APPROVAL]
    table, _, _ = _vehicles(world)
    table = table.with_columns(
        pl.Series("owner_phone", ["13912345678", "13900000002", "13900000003", ""])
    )
    rep = services.load_dataset(
        actor=actor, dataset="vehicles", table=table, as_of=datetime.date(2020, 12, 31)
    )
    assert rep.ok, rep.errors[:3]
    services.link_load(actor=actor, load_id=rep.load_id)
    path = actor.region.path
    rows, pol = findings.detect(year=2020, policy="yunnan", region_path=path)
    findings.store(rows, pol, actor=actor, year=2020, region_path=path)
    client.force_login(actor)
    assert "13912345678" in client.get("/matching/").content.decode()  # the data is there
    client.force_login(world["users"][Role.SUPERVISOR_VIEW])
    page = client.get("/matching/").content.decode()
    assert "13912345678" not in page and "5678" in page
