"""Exports: tickets of a range and the KPI summary, as CSV or as an XLSX workbook (written with the
standard library's zipfile); both stream, so memory stays flat for any range."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from xml.sax.saxutils import escape

from django.db.models import F

from helpline.reports.filters import ReportFilter
from helpline.reports.kpis import tickets
from helpline.reports.sql import seconds_between

TICKET_COLUMNS = (
    "number",
    "created_at",
    "status",
    "channel",
    "language",
    "type",
    "team",
    "assignee",
    "first_response_seconds",
    "resolution_seconds",
    "csat",
)
CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def ticket_rows(f: ReportFilter) -> Iterator[Sequence[Any]]:
    qs = (
        tickets(f)
        .filter(f.in_range("created_at"))
        .annotate(
            frt=seconds_between("first_response_at", "created_at"),
            res=seconds_between("solved_at", "created_at"),
            team_name=F("team__name"),
            assignee_name=F("assignee__username"),
            csat=F("csat_survey__rating"),
        )
        .order_by("created_at", "id")
        .values_list(
            "number",
            "created_at",
            "status",
            "channel",
            "language",
            "ticket_type",
            "team_name",
            "assignee_name",
            "frt",
            "res",
            "csat",
        )
    )
    for row in qs.iterator(chunk_size=CHUNK):
        number, created, *rest = row
        yield (
            number,
            created.astimezone(f.tz).isoformat(timespec="seconds"),
            *[("" if v is None else (round(v) if isinstance(v, float) else v)) for v in rest],
        )


def stream_csv(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        yield writer.writerow(row)


def _cell(ref: str, value: Any) -> str:
    if isinstance(value, bool) or value is None or value == "":
        return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value or ""))}</t></is></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


def _column(n: int) -> str:
    name = ""
    n += 1
    while n:
        n, rem = divmod(n - 1, 26)
        name = chr(65 + rem) + name
    return name


class _Pipe(io.RawIOBase):
    """A write-only, unseekable file that hands out what was written so far (zipfile then writes
    data descriptors instead of seeking back, so a workbook can be sent while it is written)."""

    def __init__(self) -> None:
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._chunks.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


XML = '<?xml version="1.0" encoding="UTF-8"?>'
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
ROWS_PER_CHUNK = 500


def _workbook_parts(names: Sequence[str]) -> dict[str, str]:
    count = range(1, len(names) + 1)
    overrides = "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>' for i in count)
    sheets = "".join(
        f'<sheet name="{escape(name[:31])}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, 1)
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{i}.xml"/>' for i in count
    )
    return {
        "[Content_Types].xml": f'{XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'{XML}<Relationships xmlns="{PKG_REL_NS}">'
        f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'{XML}<workbook xmlns="{SHEET_NS}" xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>',
        "xl/_rels/workbook.xml.rels": f'{XML}<Relationships xmlns="{PKG_REL_NS}">{rels}</Relationships>',
    }


def stream_xlsx(sheets: Sequence[tuple[str, Iterable[Sequence[Any]]]]) -> Iterator[bytes]:
    """A workbook with one sheet per (name, rows), yielded in pieces while the rows are read (memory
    stays flat for any number of rows); strings inline, numbers as numbers."""
    pipe = _Pipe()
    with zipfile.ZipFile(pipe, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in _workbook_parts([name for name, _rows in sheets]).items():
            z.writestr(name, text)
        yield pipe.take()
        for i, (_name, rows) in enumerate(sheets, 1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as part:
                part.write(f'{XML}<worksheet xmlns="{SHEET_NS}"><sheetData>'.encode())
                batch: list[str] = []
                for r, row in enumerate(rows, 1):
                    cells = "".join(_cell(f"{_column(c)}{r}", v) for c, v in enumerate(row))
                    batch.append(f'<row r="{r}">{cells}</row>')
                    if len(batch) >= ROWS_PER_CHUNK:
                        part.write("".join(batch).encode())
                        batch.clear()
                        if chunk := pipe.take():
                            yield chunk
                part.write(("".join(batch) + "</sheetData></worksheet>").encode())
            yield pipe.take()
    yield pipe.take()
