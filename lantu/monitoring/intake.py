"""Every channel's way in: a clue becomes a ticket routed to its village and its departments.

``submit`` takes a self-report (本人申报) or a report for someone else (他人代举) from the public
page or the API, checks every field at once (``ReportInvalid`` lists them all, in Chinese and
English), and applies the abuse limits, which are policy values (``policies/monitoring.yaml``):

- per reporter phone, how many *different* people it may report on in 24 hours (a family's or a
  neighbour's shared phone reporting for several households still goes through);
- per network address (a keyed hash, never the address), how many reports an hour;
- duplicates: a second report about a person with a ticket still open joins that ticket (its
  reporter may follow it with their own phone; new needs add departments) instead of opening
  another; the same phone sending the same report twice gets the same receipt back.

``raise_clue`` is the staff and system side (visits, department alerts) with the same routing.
A person found in the registry (by ID number) is routed to their household's village.
"""

from __future__ import annotations

import datetime
import re
import secrets
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from lantu.core.errors import ValidationFailed
from lantu.monitoring import catalogue, photos, policy, progress, sms
from lantu.monitoring.models import OPEN_STATES, Channel, Reporter, Task, Ticket
from lantu.procedures import clock
from lantu.procedures.engine import village_of
from lantu.procedures.notices import RateLimited, source_of
from lantu.regions.models import Level, Region
from lantu.registry.ids import check_id
from lantu.registry.models import Member

MOBILE = re.compile(r"^1[3-9]\d{9}$")


class ReportInvalid(ValidationFailed):
    """Every problem of a report at once: field → (zh, en)."""

    def __init__(self, errors: dict[str, tuple[str, str]]) -> None:
        self.errors = errors
        zh = "；".join(z for z, _ in errors.values())
        en = "; ".join(e for _, e in errors.values())
        super().__init__(zh, en)


@dataclass
class Report:
    name: str
    id_number: str
    phone: str
    village: str  # village (or group) code
    event: str
    needs: list[str]
    description: str = ""
    event_date: datetime.date | None = None
    for_other: bool = False
    reporter_name: str = ""
    reporter_phone: str = ""
    relation: str = ""
    phone_code: str = ""  # the SMS code, when the policy asks for one (lantu.monitoring.sms)


@dataclass
class Submitted:
    ticket: Ticket
    joined: bool = False  # added to a ticket already open about the same person
    errors: list[str] = field(default_factory=list)


def _phone(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def validate(r: Report) -> tuple[Report, Region]:
    errors: dict[str, tuple[str, str]] = {}
    r.name, r.phone = r.name.strip(), _phone(r.phone)
    if not r.name:
        errors["name"] = ("请填写姓名", "enter the name")
    checked = check_id(r.id_number)
    if checked.ok:
        r.id_number = checked.number
    else:
        errors["id_number"] = checked.error or ("身份证号有误", "wrong ID number")
    if r.phone and not MOBILE.match(r.phone):
        errors["phone"] = ("手机号应为11位，以1开头", "a mobile number has 11 digits, starting 1")
    if not r.for_other:
        r.reporter_name, r.reporter_phone, r.relation = r.name, r.phone, "本人"
        if not r.phone:
            errors["phone"] = ("请填写手机号，用于查询办理进度", "enter a mobile number")
    else:
        r.reporter_name, r.reporter_phone = r.reporter_name.strip(), _phone(r.reporter_phone)
        if not r.reporter_name:
            errors["reporter_name"] = ("请填写反映人姓名", "enter your name")
        if not MOBILE.match(r.reporter_phone):
            errors["reporter_phone"] = (
                "请填写反映人的11位手机号，用于查询办理进度",
                "enter your 11-digit mobile number (to follow the progress)",
            )
    place = Region.objects.filter(code=r.village, level__in=[Level.VILLAGE, Level.GROUP]).first()
    if place is None:
        errors["village"] = ("请逐级选择所在的村", "choose the village, level by level")
    if r.event not in catalogue.events():
        errors["event"] = ("请选择发生了什么", "choose what happened")
    try:
        r.needs = catalogue.check_needs(list(r.needs))
    except ValidationFailed as exc:
        errors["needs"] = (exc.zh, exc.en)
    if r.event_date and r.event_date > clock.today():
        errors["event_date"] = ("发生日期不能晚于今天", "the date cannot be in the future")
    r.description = (r.description or "").strip()
    if len(r.description) > 1000:
        errors["description"] = (
            "情况说明请不超过1000字",
            "keep the description to 1,000 characters",
        )
    if errors:
        raise ReportInvalid(errors)
    assert place is not None
    return r, place


def _check_limits(r: Report, source: str) -> None:
    now = timezone.now()
    hour = Reporter.objects.filter(source=source, at__gte=now - datetime.timedelta(hours=1))
    if source and hour.count() >= int(policy.value("report_limit_per_address")):
        raise RateLimited(
            "此网络提交过于频繁，请一小时后再试，或请村委会代为反映",
            "too many reports from this network: try again in an hour, or ask the village",
        )
    day = Reporter.objects.filter(
        phone=r.reporter_phone, at__gte=now - datetime.timedelta(days=1)
    ).exclude(ticket__id_number=r.id_number)
    people = day.values("ticket__id_number").distinct().count()
    if people >= int(policy.value("report_limit_per_phone")):
        raise RateLimited(
            "该手机号今天已反映多人情况，请明天再试，或请村委会代为反映",
            "this phone has reported on many people today: try tomorrow, or ask the village",
        )


def _receipt(today: datetime.date) -> str:
    # Digits only, easy on a phone keypad; unguessable together with the reporter's phone.
    return f"{today:%y%m%d}{secrets.randbelow(10**8):08d}"


def _route(id_number: str, place: Region) -> tuple[Any, Region]:
    member = Member.objects.filter(id_number=id_number, active=True).select_related(
        "household__region"
    )
    found = member.first()
    if found is not None:
        return found.household, village_of(found.household)
    return None, place.parent if place.level == Level.GROUP and place.parent else place


def _add_tasks(ticket: Ticket, needs: list[str], new_ticket: bool = False) -> list[str]:
    have: set[str] = set() if new_ticket else set(ticket.tasks.values_list("department", flat=True))
    new = [d for d in catalogue.departments_for(needs) if d not in have]
    Task.objects.bulk_create(
        [Task(ticket=ticket, department=d, region_path=ticket.region_path) for d in new]
    )
    return new


def _names(departments: list[str]) -> tuple[str, str]:
    deps = [catalogue.departments()[d] for d in departments]
    return "、".join(d.zh for d in deps), ", ".join(d.en for d in deps)


def _join(open_ticket: Ticket, r: Report, source: str, actor: Any) -> Submitted:
    if open_ticket.reporters.filter(phone=r.reporter_phone).exists() and not set(r.needs) - set(
        open_ticket.needs
    ):
        return Submitted(open_ticket, joined=True)  # the same report sent again
    Reporter.objects.create(
        ticket=open_ticket,
        name=r.reporter_name,
        phone=r.reporter_phone,
        relation=r.relation,
        source=source,
    )
    added = [n for n in r.needs if n not in open_ticket.needs]
    open_ticket.needs = [*open_ticket.needs, *added]
    open_ticket.save(update_fields=["needs"])
    new = _add_tasks(open_ticket, added)
    zh, en = _names(new)
    progress.step(
        open_ticket,
        "join",
        "又收到对同一情况的反映，已并入本工单" + (f"，并转{zh}" if new else ""),
        "the same situation was reported again and joined to this ticket"
        + (f"; also sent to {en}" if new else ""),
        actor=actor,
        after={"needs": open_ticket.needs, "departments": new},
    )
    return Submitted(open_ticket, joined=True)


def open_ticket(
    *,
    channel: str,
    name: str,
    id_number: str,
    phone: str,
    place: Region,
    event: str,
    needs: list[str],
    description: str = "",
    event_date: datetime.date | None = None,
    actor: Any = None,
    photo: Any = None,
    reporter: tuple[str, str, str, str] | None = None,
) -> Submitted:
    """A clue from any channel, routed; joined to an open ticket about the same person."""
    today = clock.today()
    household, village = _route(id_number, place)
    with transaction.atomic():
        current = (
            Ticket.objects.select_for_update()
            .filter(id_number=id_number, state__in=OPEN_STATES)
            .first()
        )
        if current is not None and reporter is not None:
            r = Report(name, id_number, phone, village.code, event, needs)
            r.reporter_name, r.reporter_phone, r.relation = reporter[:3]
            return _join(current, r, reporter[3], actor)
        if current is not None:
            return _join_system(current, channel, needs, actor)
        for _attempt in range(5):
            try:
                with transaction.atomic():
                    ticket = Ticket.objects.create(
                        receipt=_receipt(today),
                        channel=channel,
                        village=village,
                        region_path=village.path,
                        township_code=_code_at(village, 3),
                        county_code=_code_at(village, 2),
                        household=household,
                        name=name,
                        id_number=id_number,
                        phone=phone,
                        event=event,
                        event_date=event_date,
                        description=description,
                        needs=needs,
                        received_on=today,
                        due=today + datetime.timedelta(days=policy.days("ticket_response_days")),
                    )
                break
            except IntegrityError:
                continue
        else:  # pragma: no cover - 10^8 receipts a day
            raise RuntimeError("no free receipt number")
        if photo is not None:
            ticket.photo.save(photo.name, photo, save=True)
        if reporter is not None:
            rname, rphone, relation, source = reporter
            Reporter.objects.create(
                ticket=ticket, name=rname, phone=rphone, relation=relation, source=source
            )
        deps = _add_tasks(ticket, needs, new_ticket=True)
        zh, en = _names(deps)
        progress.step(
            ticket,
            "receive",
            f"已受理（{Channel(channel).label}），转村委会收单，并送{zh}办理",
            f"received ({channel}); sent to the village and to {en}",
            actor=actor,
            after={
                "needs": needs,
                "departments": deps,
                "event": event,
                "household": household.pk if household else None,
            },
        )
    return Submitted(ticket)


def _join_system(current: Ticket, channel: str, needs: list[str], actor: Any) -> Submitted:
    added = [n for n in needs if n not in current.needs]
    current.needs = [*current.needs, *added]
    current.save(update_fields=["needs"])
    new = _add_tasks(current, added)
    progress.step(
        current,
        "join",
        "又发现同一情况的线索，已并入本工单",
        "another clue about the same situation was joined to this ticket",
        actor=actor,
        after={"channel_joined": channel, "departments": new},
    )
    return Submitted(current, joined=True)


def _code_at(village: Region, depth: int) -> str:
    codes = [c for c in village.path.strip("/").split("/") if c]
    return codes[depth] if len(codes) > depth else ""


def send_phone_code(phone: str) -> str:
    """Send the SMS code to a reporter's ``phone`` (checked as a mobile number first)."""
    phone = _phone(phone)
    if not MOBILE.match(phone):
        raise ReportInvalid({"phone": ("请填写11位手机号", "a mobile number of 11 digits")})
    sms.send_code(phone)
    return phone


def submit(
    report: Report,
    *,
    address: str,
    photo: UploadedFile | None = None,  # type: ignore[type-arg]
) -> Submitted:
    """A citizen's report from the public page or the API (no account)."""
    errors: dict[str, tuple[str, str]] = {}
    try:
        report, place = validate(report)
    except ReportInvalid as exc:
        errors = dict(exc.errors)
    try:
        clean_photo = photos.clean(photo)
    except ValidationFailed as exc:
        errors["photo"] = (exc.zh, exc.en)
    source = source_of(address) if address else ""
    if (
        not errors
        and sms.required()
        and not sms.check(report.reporter_phone, report.phone_code, source)
    ):
        errors["phone_code"] = (
            "请填写发送到反映人手机的短信验证码",
            "type the code sent by SMS to the reporter's phone",
        )
    if errors:
        raise ReportInvalid(errors)
    _check_limits(report, source)
    channel = Channel.PROXY if report.for_other else Channel.SELF
    reporter = (report.reporter_name, report.reporter_phone, report.relation[:20], source)
    return open_ticket(
        channel=channel,
        name=report.name,
        id_number=report.id_number,
        phone=report.phone,
        place=place,
        event=report.event,
        needs=report.needs,
        description=report.description,
        event_date=report.event_date,
        photo=clean_photo,
        reporter=reporter,
    )
