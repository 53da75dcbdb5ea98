"""Workbooks nobody here would write, written byte by byte: the sheet XML is given as is, and
members of any declared size can be packed without ever being held in memory.

An xlsx is a zip of XML parts; `xlsx()` writes the minimal skeleton Excel and calamine accept
(content types, relationships, workbook, one part per sheet) around the sheet XML given.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from township.read.layout import column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


class Packed:
    """A zip member given as its deflate stream, with its CRC and size (for huge members)."""

    def __init__(self, deflated: bytes, crc: int, size: int, declared: int | None = None):
        self.deflated, self.crc, self.size = deflated, crc, size
        self.declared = size if declared is None else declared


def deflate(data: bytes) -> Packed:
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Packed(packer.compress(data) + packer.flush(), zlib.crc32(data), len(data))


def repeated(head: bytes, unit: bytes, times: int, tail: bytes) -> Packed:
    """head + unit * times + tail, deflated without building it: after a full flush, deflate
    compresses each copy of `unit` to the same bytes, so the stream is built by repetition."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    piece = packer.compress(unit) + packer.flush(zlib.Z_FULL_FLUSH)
    again = packer.compress(unit) + packer.flush(zlib.Z_FULL_FLUSH)
    assert piece == again
    last = packer.compress(tail) + packer.flush()
    crc = zlib.crc32(head)
    for _ in range(times):  # a real CRC, as a real bomb has (0.3 s a gigabyte)
        crc = zlib.crc32(unit, crc)
    return Packed(
        first + piece * times + last,
        zlib.crc32(tail, crc),
        len(head) + len(unit) * times + len(tail),
    )


def write_zip(
    path: Path, members: Iterable[tuple[str, bytes | Packed]], zip64: bool = False
) -> Path:
    """A zip of the members; `zip64`: every size in a ZIP64 extra field, as some writers do
    whatever the size (the directory's own size fields then hold 0xFFFFFFFF)."""
    out, directory = bytearray(), bytearray()
    count = 0
    for name, member in members:
        packed = member if isinstance(member, Packed) else deflate(member)
        raw = name.encode()
        offset = len(out)
        real = (len(packed.deflated), packed.declared)
        shown = (0xFFFFFFFF, 0xFFFFFFFF) if zip64 else real
        extra = struct.pack("<HHQQ", 1, 16, real[1], real[0]) if zip64 else b""
        sizes = (packed.crc, *shown, len(raw))
        out += struct.pack("<4s5H3L2H", b"PK\x03\x04", 45, 0x800, 8, 0, 0x21, *sizes, len(extra))
        out += raw + extra + packed.deflated
        directory += struct.pack(
            "<4s6H3L5H2L",
            b"PK\x01\x02",
            45,
            45,
            0x800,
            8,
            0,
            0x21,
            *sizes,
            len(extra),
            0,
            0,
            0,
            0,
            offset,
        )
        directory += raw + extra
        count += 1
    end = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, count, count, len(directory), len(out), 0)
    path.write_bytes(bytes(out + directory + end))
    return path


def xlsx(
    path: Path,
    sheets: dict[str, bytes | Packed],
    extra: dict[str, bytes | Packed] | None = None,
    zip64: bool = False,
) -> Path:
    """A workbook of the given sheet parts (name -> worksheet XML), plus any other parts."""
    names = list(sheets)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{SHEET_TYPE}"/>'
        for i in range(1, len(names) + 1)
    )
    content_types = (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )
    root_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        f'<Relationship Id="rId1" Type="{DOC_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    workbook = (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" xmlns:r="{DOC_RELS}"><sheets>'
        + "".join(
            f'<sheet name={quoteattr(name)} sheetId="{i}" r:id="rId{i}"/>'
            for i, name in enumerate(names, 1)
        )
        + "</sheets></workbook>"
    )
    workbook_rels = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{RELS}">'
        + "".join(
            f'<Relationship Id="rId{i}" Type="{DOC_RELS}/worksheet" Target="worksheets/sheet{i}.xml"/>'
            for i in range(1, len(names) + 1)
        )
        + "</Relationships>"
    )
    parts: list[tuple[str, bytes | Packed]] = [
        ("[Content_Types].xml", content_types.encode()),
        ("_rels/.rels", root_rels.encode()),
        ("xl/workbook.xml", workbook.encode()),
        ("xl/_rels/workbook.xml.rels", workbook_rels.encode()),
    ]
    parts += [(f"xl/worksheets/sheet{i}.xml", sheets[n]) for i, n in enumerate(names, 1)]
    parts += list((extra or {}).items())
    return write_zip(path, parts, zip64)


def cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


def sheet_xml(rows: list[list[object]], dimension: str | None = None, tail: str = "") -> bytes:
    """Worksheet XML of rows of values (None: no cell), Excel row 1 first; a cell given as
    raw XML (a str starting with '<c') is written as is."""
    body = []
    for r, row in enumerate(rows, 1):
        cells = "".join(
            v if isinstance(v, str) and v.startswith("<c") else cell(f"{column_letter(c)}{r}", v)
            for c, v in enumerate(row)
        )
        if cells:
            body.append(f'<row r="{r}">{cells}</row>')
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dim}'
        f"<sheetData>{''.join(body)}</sheetData>{tail}</worksheet>"
    ).encode()
