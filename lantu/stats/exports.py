"""Files from the statistics: a dashboard's (or one chart's) tables as XLSX, and the monthly or
yearly report of a region as XLSX and PDF (WeasyPrint with a CJK font, as the notices are)."""

from __future__ import annotations

import datetime
import io
import re
from dataclasses import dataclass, field
from typing import Any

import xlsxwriter
from django.db.models import Count
from django.http import Http404
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from lantu.regions.models import Region
from lantu.stats import queries
from lantu.stats.charts import Chart
from lantu.stats.indicators import Indicator, catalogue


def _sheet_name(title: str, used: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", title)[:28] or "sheet"
    base, n = name, 2
    while name in used:
        name, n = f"{base[:25]}({n})", n + 1
    used.add(name)
    return name


def charts_xlsx(region: Region, year: int, charts: list[Chart]) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    used: set[str] = set()
    for c in charts:
        sheet = book.add_worksheet(_sheet_name(c.title, used))
        sheet.write(0, 0, f"{region.name} {year} {c.title}")
        sheet.write_row(2, 0, c.columns, bold)
        for i, row in enumerate(c.rows, start=3):
            sheet.write_row(i, 0, ["" if v is None else v for v in row])
        sheet.set_column(0, len(c.columns), 18)
    book.close()
    return out.getvalue()


@dataclass
class ReportLine:
    indicator: Indicator
    value: float | None
    before: float | None


@dataclass
class Report:
    region: Region
    period: str
    year: int
    month: int | None
    lines: list[ReportLine]
    flow: list[tuple[str, int, int]] = field(default_factory=list)  # kind, opened, closed
    made: datetime.datetime = field(default_factory=timezone.now)

    @property
    def title(self) -> str:
        if self.month:
            return _("%(r)s %(y)s年%(m)s月 扶贫统计月报") % {
                "r": self.region.name, "y": self.year, "m": self.month}  # fmt: skip
        return _("%(r)s %(y)s年度 扶贫统计年报") % {"r": self.region.name, "y": self.year}


def _by_kind(qs: Any) -> dict[str, int]:
    return dict(qs.values("kind").annotate(n=Count("id")).values_list("kind", "n"))


def _flow(user: Any, region: Region, year: int, month: int) -> list[tuple[str, int, int]]:
    from lantu.accounts.scope import scoped
    from lantu.procedures import config
    from lantu.procedures.models import Case

    first = datetime.date(year, month, 1)
    last = (first + datetime.timedelta(days=32)).replace(day=1)
    qs = scoped(Case.objects.all(), user).filter(region_path__startswith=region.path)
    opened = _by_kind(qs.filter(opened_at__date__gte=first, opened_at__date__lt=last))
    closed = _by_kind(qs.filter(closed_at__gte=first, closed_at__lt=last))
    kinds = config.kinds()
    return [(kinds[k].zh if k in kinds else k, opened.get(k, 0), closed.get(k, 0))
            for k in sorted(set(opened) | set(closed))]  # fmt: skip


def report(user: Any, region: Region, period: str) -> Report:
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2}))?", period)
    if not m or (m.group(2) and not 1 <= int(m.group(2)) <= 12):
        raise Http404
    year, month = int(m.group(1)), int(m.group(2)) if m.group(2) else None
    figs, before = queries.figures(user, region, year), queries.figures(user, region, year - 1)
    lines = [ReportLine(i, figs.total(n), before.total(n))
             for n, i in catalogue().indicators.items()]  # fmt: skip
    rep = Report(region, period, year, month, lines)
    if month:
        rep.flow = _flow(user, region, year, month)
    return rep


def report_xlsx(rep: Report) -> bytes:
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    bold = book.add_format({"bold": True, "bg_color": "#EEF2F6", "border": 1})
    num = book.add_format({"num_format": "#,##0.##"})
    sheet = book.add_worksheet(_("指标"))
    sheet.write(0, 0, rep.title, book.add_format({"bold": True, "font_size": 14}))
    made = f"{timezone.localtime(rep.made):%Y-%m-%d %H:%M}"
    sheet.write(1, 0, _("生成时间：%(t)s") % {"t": made})
    head = [_("指标"), _("单位"), str(rep.year), str(rep.year - 1), _("口径"), _("来源"), _("依据")]
    sheet.write_row(3, 0, head, bold)
    for i, line in enumerate(rep.lines, start=4):
        ind = line.indicator
        values = ["" if v is None else round(v, 2) for v in (line.value, line.before)]
        sheet.write(i, 0, ind.label)
        sheet.write(i, 1, ind.unit_label)
        sheet.write_row(i, 2, values, num)
        sheet.write_row(i, 4, [ind.definition_label, ind.source, ind.reference])
    sheet.set_column(0, 0, 34)
    sheet.set_column(4, 4, 50)
    if rep.month:
        flow = book.add_worksheet(_("本月程序"))
        flow.write_row(0, 0, [_("程序"), _("本月发起"), _("本月办结")], bold)
        for i, row in enumerate(rep.flow, start=1):
            flow.write_row(i, 0, list(row))
    book.close()
    return out.getvalue()


def report_pdf(rep: Report) -> bytes:
    from weasyprint import HTML

    from lantu.procedures.pdf import require_cjk_font

    font = require_cjk_font()
    html = render_to_string("stats/report_print.html", {"rep": rep, "font": font})
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]
