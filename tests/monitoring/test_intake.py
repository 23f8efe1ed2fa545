"""Reports: every field checked at once, duplicates joined, limits per phone and per address that
let a shared phone report for several people."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from lantu.monitoring import intake
from lantu.monitoring.models import Reporter, Ticket
from lantu.procedures.notices import RateLimited
from tests.factories import make_id
from tests.monitoring.conftest import report

pytestmark = pytest.mark.django_db


def test_every_error_at_once(mworld):
    bad = report(
        name="", id_number="530822198006010000", phone="123", village="5308", event="x", needs=[]
    )
    with pytest.raises(intake.ReportInvalid) as exc:
        intake.submit(bad, address="a")
    assert set(exc.value.errors) == {"name", "id_number", "phone", "village", "event", "needs"}
    assert not Ticket.objects.exists()


def test_reporting_for_someone_else_needs_the_reporters_phone(mworld):
    with pytest.raises(intake.ReportInvalid) as exc:
        intake.submit(report(for_other=True, phone=""), address="a")
    assert set(exc.value.errors) == {"reporter_name", "reporter_phone"}
    done = intake.submit(
        report(
            for_other=True,
            phone="",
            reporter_name="王五",
            reporter_phone="13700000000",
            relation="邻居",
        ),
        address="a",
    )
    assert done.ticket.channel == "proxy"
    assert done.ticket.reporters.get().phone == "13700000000"


def test_duplicates_join_the_open_ticket(mworld):
    pid = make_id(datetime.date(1975, 2, 2))
    first = intake.submit(report(id_number=pid), address="a").ticket
    again = intake.submit(report(id_number=pid), address="a")
    assert again.joined and again.ticket == first and Reporter.objects.count() == 1
    neighbour = intake.submit(
        report(
            id_number=pid,
            for_other=True,
            reporter_name="王五",
            reporter_phone="13700000000",
            needs=["unsafe_house"],
        ),
        address="b",
    )
    assert neighbour.joined and Ticket.objects.count() == 1
    assert "housing" in set(first.tasks.values_list("department", flat=True))
    assert Reporter.objects.count() == 2


def test_a_shared_phone_may_report_for_several_people_but_not_without_end(mworld):
    phone = "13600000000"
    for i in range(10):
        pid = make_id(datetime.date(1970 + i, 1, 1))
        intake.submit(report(id_number=pid, phone=phone, name=f"村民{i}"), address=f"x{i}")
    with pytest.raises(RateLimited):
        intake.submit(
            report(id_number=make_id(datetime.date(1990, 1, 1)), phone=phone), address="y"
        )


def test_per_address_limit(mworld):
    for i in range(30):
        intake.submit(
            report(
                id_number=make_id(datetime.date(1960, 1, 1 + i % 28)), phone=f"135000000{i:02d}"
            ),
            address="office",
        )
    with pytest.raises(RateLimited):
        intake.submit(report(phone="13511111111"), address="office")
    intake.submit(report(phone="13511111111"), address="elsewhere")  # another address: fine


def _jpeg(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, "red")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    img.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_photo_is_re_encoded_without_metadata(mworld):
    photo = SimpleUploadedFile("a.jpg", _jpeg(), content_type="image/jpeg")
    t = intake.submit(report(), address="a", photo=photo).ticket
    with t.photo.open("rb") as f:
        img = Image.open(f)
        assert img.format == "JPEG" and not img.getexif()


def test_photo_limits(mworld, settings):
    bad = SimpleUploadedFile("a.jpg", b"not an image", content_type="image/jpeg")
    with pytest.raises(intake.ReportInvalid) as exc:
        intake.submit(report(), address="a", photo=bad)
    assert "photo" in exc.value.errors
    huge = SimpleUploadedFile("b.jpg", b"0" * (5121 * 1024), content_type="image/jpeg")
    with pytest.raises(intake.ReportInvalid):
        intake.submit(report(), address="a", photo=huge)
