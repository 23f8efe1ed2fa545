"""The printable notice: the public page's HTML rendered to PDF by WeasyPrint, ready for the
village board.

WeasyPrint needs Debian's pango libraries and, for Chinese, a CJK font (``fonts-noto-cjk``;
``make sysdeps`` installs both). Without a CJK font the PDF would silently show empty boxes, so
``require_cjk_font`` asks fontconfig first and refuses with a message that says what to install.
"""

from __future__ import annotations

import functools
import shutil
import subprocess

from django.template.loader import render_to_string

from lantu.core.errors import LantuError

CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi", "Source Han")


class FontMissing(LantuError):
    status = 503


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed CJK font, or None."""
    if shutil.which("fc-list") is None:
        return None
    out = subprocess.run(
        ["fc-list", ":lang=zh", "family"], capture_output=True, text=True, check=False
    ).stdout
    families = [f.strip() for line in out.splitlines() for f in line.split(",")]
    for wanted in CJK_FAMILIES:
        for fam in families:
            if fam.startswith(wanted):
                return fam
    return families[0] if families else None


def require_cjk_font() -> str:
    font = cjk_font()
    if font is None:
        raise FontMissing(
            "未安装中文字体，无法生成公示PDF：请安装 fonts-noto-cjk（运行 make sysdeps）",
            "no CJK font is installed, so the notice PDF cannot be made: install fonts-noto-cjk "
            "(run make sysdeps)",
        )
    return font


def render(context: dict[str, object]) -> bytes:
    return render_template("procedures/notice_print.html", context)


def render_template(template: str, context: dict[str, object]) -> bytes:
    """Any printable page (its template gets ``font``, the CJK family) as a PDF."""
    font = require_cjk_font()
    try:
        from weasyprint import HTML
    except OSError as exc:  # pango missing
        raise FontMissing(
            "缺少 pango 库，无法生成PDF：请运行 make sysdeps",
            "the pango libraries are missing, so no PDF can be made: run make sysdeps",
        ) from exc
    html = render_to_string(template, context | {"font": font})
    return bytes(HTML(string=html).write_pdf())
