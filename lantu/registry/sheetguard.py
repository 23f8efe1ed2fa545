"""Refusing a spreadsheet whose size would exhaust the server, before any reader allocates for it.

A spreadsheet reader allocates the rectangle from A1 to the last cell: a 5 KB XLSX whose only cell
is XFD1048576 asks for 17 billion cells and kills the process. So before calamine sees a zip-based
file (XLSX, ODS), this module looks at it with the standard library only:

1. the members' declared sizes must add up to less than ``MAX_UNZIPPED`` (zip bombs), and every
   member must decompress cleanly (any zlib/zip damage is a refusal, never a traceback);
2. in each XLSX worksheet it reads, as a stream, the declared ``<dimension ref>`` and every cell
   and row reference (``r="XFD1048576"``); in an ODS it walks the rows with their repeat counts
   (a reader expands a repeated cell that has content, not an empty stretch). The last row and
   column found must stay within ``MAX_ROWS`` and ``MAX_COLUMNS``, their product within
   ``MAX_CELLS``.

Legacy .xls files are bounded by their format (65,536 × 256) and are read as they are.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from xml.etree import ElementTree
from xml.etree.ElementTree import ParseError

from lantu.core.errors import ImportRejected

MAX_COLUMNS = 200  # the registry has about 70 columns
MAX_ROWS = 1_100_000  # a whole Excel sheet; the member list of a prefecture fits
MAX_CELLS = 40_000_000
MAX_UNZIPPED = 1_000_000_000  # bytes, all members together
CHUNK = 1 << 20

_CELL_REF = re.compile(rb'<(?:\w+:)?(?:c|row)\b[^>]*?\br="([A-Z]{0,3})([0-9]{1,9})"')
_CELL_TAG = re.compile(rb"<(?:\w+:)?c[\s>/]")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\bref="(?:[A-Z]+[0-9]+:)?([A-Z]+)([0-9]+)"')
_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"


def column_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def too_large(rows: int, cols: int) -> ImportRejected:
    return ImportRejected(
        f"表格过大：{rows}行×{cols}列（上限{MAX_ROWS}行、{MAX_COLUMNS}列）。"
        "请删除多余的行列（或清除远处单元格的内容和格式）后另存再上传",
        f"the sheet is too large: {rows} rows × {cols} columns (at most {MAX_ROWS} rows and "
        f"{MAX_COLUMNS} columns). Delete the extra rows and columns (or clear far-away cells "
        "and their formatting), save and upload again",
    )


def damaged(detail: str) -> ImportRejected:
    return ImportRejected(
        f"文件已损坏，无法解压（{detail}），请在 Excel/WPS 中重新保存后上传",
        f"the file is damaged and cannot be unpacked ({detail}): save it again in Excel or WPS "
        "and upload it",
    )


def check_zip(data: bytes) -> None:
    """Raise ImportRejected unless the zip-based spreadsheet ``data`` is safe to read."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
            if sum(i.file_size for i in infos) > MAX_UNZIPPED:
                raise damaged("解压后过大 / too large when unpacked")
            for info in infos:
                if info.filename == "content.xml":
                    _check(*_ods_extent(zf, info))
                    continue
                sheet = info.filename.startswith("xl/worksheets/")
                extent = [0, 0, 0, 0]  # last row, last column, <row> tags, <c> tags
                for chunk in _stream(zf, info):  # every member: reading to the end checks the CRC
                    if sheet:
                        _grow(chunk, extent)
    except ImportRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError) as exc:
        raise damaged(type(exc).__name__) from exc
    except (NotImplementedError, ValueError, OSError, RuntimeError, KeyError, ParseError) as exc:
        # unsupported compression, encrypted members, bad headers: all mean "cannot read this"
        raise damaged(type(exc).__name__) from exc


def _check(rows: int, cols: int) -> None:
    if rows > MAX_ROWS or cols > MAX_COLUMNS or rows * cols > MAX_CELLS:
        raise too_large(rows, cols)


def _stream(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> Iterator[bytes]:
    """The member's bytes in chunks that overlap by a little, so no reference is cut in two."""
    tail = b""
    with zf.open(info) as fh:
        while chunk := fh.read(CHUNK):
            yield tail + chunk
            tail = chunk[-200:]


def _grow(chunk: bytes, extent: list[int]) -> None:
    """Widen ``extent`` by the references in ``chunk``. Cells and rows written without a reference
    are placed one after another by readers, so their counts bound the sheet too."""
    for letters, digits in _DIMENSION.findall(chunk) + _CELL_REF.findall(chunk):
        extent[0] = max(extent[0], int(digits))
        if letters:
            extent[1] = max(extent[1], column_number(letters))
    # Counted per chunk: the 200-byte overlap may count a tag twice, erring on the safe side.
    extent[2] += len(_ROW_TAG.findall(chunk))
    extent[3] += len(_CELL_TAG.findall(chunk))
    _check(max(extent[0], extent[2]), extent[1])
    if extent[3] > MAX_CELLS:
        raise too_large(max(extent[0], extent[2]), extent[3])


def _ods_extent(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column holding content in any table of an ODS content.xml."""
    last_row = last_col = row = 0
    with zf.open(info) as fh:
        for _, el in ElementTree.iterparse(fh, events=("end",)):
            tag = el.tag.rsplit("}", 1)[-1]
            if tag == "table-row":
                repeat = int(el.get(_TABLE + "number-rows-repeated") or 1)
                col = width = 0
                for cell in el:
                    n = int(cell.get(_TABLE + "number-columns-repeated") or 1)
                    col += n
                    if cell.get(_OFFICE + "value-type") or len(cell):
                        width = col
                row += repeat
                if width:
                    last_row, last_col = row, max(last_col, width)
                    _check(last_row, last_col)
                el.clear()
            elif tag == "table":
                row = 0
                el.clear()
    return last_row, last_col
