"""A zip-based workbook (xlsx, xlsm, xlsb, ods) looked at before calamine parses it.

calamine allocates what a file declares: every byte a zip member inflates to, and a dense block
of rows x columns for each sheet's used range (one cell at XFD1048576 aborts the process). So
the zip's central directory is read first (declared sizes: zip bombs), then, where it is worth
its cost, a worksheet's own XML or records (its extent; formulas saved without a value).
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import NamedTuple

_END = b"PK\x05\x06"
_END_RECORD = struct.Struct("<4x4xHHLLH")  # entries, total entries, size, offset, comment
_CENTRAL = struct.Struct("<4s6xH8xLLHHH8xL")  # signature … method, sizes, name lengths, offset
_LOCAL = struct.Struct("<4s22xHH")
_ZIP64 = 0xFFFFFFFF
# Blocks of sheet XML scanned at a time: a sheet of any size is scanned in bounded memory.
CHUNK = 4 * 1024 * 1024
# Deflate inflates at most 1032-fold: a member packed into this little is inflated in one call.
SMALL = CHUNK // 1032


class BadArchive(Exception):
    """A zip whose directory or members cannot be trusted (truncated, lying about sizes)."""


class Member(NamedTuple):
    method: int  # 0 stored, 8 deflated
    compressed: int
    size: int  # as declared in the central directory
    header: int  # offset of the local header


class Directory:
    """A zip's central directory: what its members declare, nothing inflated; the members
    themselves (name -> Member) parsed only when asked for."""

    def __init__(self, data: bytes, start: int, end: int, count: int):
        self.data, self.start, self.end, self.count = data, start, end, count
        self.size, self.packed, self.largest = _sizes(data, start, end, count)

    @cached_property
    def members(self) -> dict[str, Member]:
        return _parse(self.data, self.start, self.count)

    def holds(self, name: bytes) -> bool:
        """Whether a member of that name (or ending so) is listed: one search in C."""
        return self.data.find(name, self.start, self.end) >= 0


# signature, compressed and uncompressed sizes, name, extra field and comment lengths
_ENTRY = struct.Struct("<4s16xLLHHH")


class _Zip64(Exception):
    """Sizes kept in ZIP64 extra fields: left to zipfile."""


def read_directory(data: bytes) -> Directory:
    """The central directory, read quickly: entry by entry for their sizes alone."""
    end = data.rfind(_END, max(0, len(data) - 65557))
    if end < 0 or end + 22 > len(data):
        raise BadArchive("no end of central directory")
    _, count, size, offset, _ = _END_RECORD.unpack_from(data, end)
    if count == 0xFFFF or offset == _ZIP64 or offset + size > end:
        return _members_by_zipfile(data)
    try:
        return Directory(data, offset, offset + size, count)
    except _Zip64:
        return _members_by_zipfile(data)


def _sizes(data: bytes, pos: int, end: int, count: int) -> tuple[int, int, int]:
    total = packed = largest = 0
    entry = _ENTRY.unpack_from
    try:
        for _ in range(count):
            sig, compressed, unpacked, n, x, c = entry(data, pos)
            if sig != b"PK\x01\x02":
                raise BadArchive("bad central directory entry")
            if _ZIP64 in (compressed, unpacked):
                raise _Zip64
            total, packed = total + unpacked, packed + compressed
            if unpacked > largest:
                largest = unpacked
            pos += 46 + n + x + c
    except struct.error as exc:
        raise BadArchive("truncated central directory") from exc
    if pos > end:
        raise BadArchive("truncated central directory")
    return total, packed, largest


def _parse(data: bytes, pos: int, count: int) -> dict[str, Member]:
    out, unpack = {}, _CENTRAL.unpack_from
    for _ in range(count):
        _, method, packed, unpacked, n, x, c, header = unpack(data, pos)
        if header == _ZIP64:
            return _members_by_zipfile(data).members
        out[data[pos + 46 : pos + 46 + n].decode("utf-8", "replace")] = Member(
            method, packed, unpacked, header
        )
        pos += 46 + n + x + c
    return out


def _members_by_zipfile(data: bytes) -> Directory:
    """zipfile for what the quick reading leaves aside (ZIP64 directories)."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise BadArchive(str(exc)) from exc
    directory = Directory.__new__(Directory)
    directory.data, directory.start, directory.end, directory.count = data, 0, 0, len(infos)
    directory.members = {
        i.filename: Member(i.compress_type, i.compress_size, i.file_size, i.header_offset)
        for i in infos
    }
    sizes = [i.file_size for i in infos]
    directory.size, directory.packed = sum(sizes), sum(i.compress_size for i in infos)
    directory.largest = max(sizes, default=0)
    return directory


def _body(data: bytes, member: Member, most: int | None = None) -> bytes:
    """A member's bytes as stored (`most`: no more than that many)."""
    try:
        sig, n, x = _LOCAL.unpack_from(data, member[3])
    except struct.error as exc:
        raise BadArchive("no local header") from exc
    if sig != b"PK\x03\x04":
        raise BadArchive("no local header")
    start = member[3] + 30 + n + x
    return data[start : start + (member[1] if most is None else min(member[1], most))]


def inflate(data: bytes, member: Member, chunk: int = CHUNK):
    """A member's bytes, a chunk at a time; never more than its declared size."""
    method, packed, size, _ = member
    body = _body(data, member)
    if method == 0:
        for start in range(0, min(len(body), size), chunk):
            yield body[start : start + chunk]
        return
    if method != 8:
        raise BadArchive(f"compression method {method}")
    if packed <= SMALL:  # cannot inflate to more than 1032 times its size: at once
        yield _checked(_inflate_small(body), size)
        return
    inflater, produced, pending = zlib.decompressobj(-15), 0, body
    while True:
        out = _inflate_part(inflater, pending, chunk)
        produced += len(out)
        if produced > size:
            raise BadArchive("a member inflates past its declared size")
        if out:
            yield out
        pending = inflater.unconsumed_tail
        if inflater.eof or not (out or pending):
            return


def _inflate_small(body: bytes) -> bytes:
    try:
        return zlib.decompress(body, -15)
    except zlib.error as exc:
        raise BadArchive(str(exc)) from exc


def _inflate_part(inflater, pending: bytes, chunk: int) -> bytes:
    try:
        return inflater.decompress(pending, chunk)
    except zlib.error as exc:
        raise BadArchive(str(exc)) from exc


def _checked(out: bytes, size: int) -> bytes:
    if len(out) > size:
        raise BadArchive("a member inflates past its declared size")
    return out


def read_member(data: bytes, member: Member) -> bytes:
    method, packed, size, _ = member
    if method == 8 and packed <= SMALL:  # most members: at once
        return _checked(_inflate_small(_body(data, member)), size)
    return b"".join(inflate(data, member))


# ----------------------------------------------------------------------------- sheet XML


@dataclass
class Extent:
    """What a worksheet holds, found before it is parsed: its last row and column (1-based;
    0 when unknown) and the cells (0-based row, column) holding a formula with no saved value."""

    rows: int = 0
    columns: int = 0
    # (row, column, error): a formula with no saved value (error None), or whose saved value
    # is an error (#N/A, #DIV/0!): calamine reads both as blank
    formulas: list[tuple[int, int, str | None]] = field(default_factory=list)
    # merged ranges (row, column, last row, last column; 0-based) where calamine gives none
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    scanned: bool = False  # the whole sheet looked at (its formulas are all known)


_ROOT = re.compile(rb"<(\w+:)?worksheet\b")
# the corner of <dimension ref="A1:K21"> farthest from A1 (or its only cell)
_DIMENSION = re.compile(rb"""\s+ref\s*=\s*["'](?:[^"':]*:)?\$?([A-Za-z]{0,3})\$?(\d*)""")
_REF = re.compile(rb"""\sr\s*=\s*["']([A-Za-z]{0,3})(\d*)["']""")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c(?=[\s>/])([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_VALUE = re.compile(rb"<(?:\w+:)?v>\s*[^<\s]")
_EMPTY_VALUE = re.compile(rb"<(?:\w+:)?v\s*(?:/>|>\s*<)")
_TEXT_RESULT = re.compile(rb"""\st\s*=\s*["']str["']""")
_ERROR_RESULT = re.compile(rb"""\st\s*=\s*["']e["']""")
_VALUE_TEXT = re.compile(rb"<(?:\w+:)?v>\s*([^<]*?)\s*<")
_AFTER_NAME = frozenset(b" \t\r\n>/")
_COLUMN = re.compile(rb"""<(?:\w+:)?c\s[^>]*?\br\s*=\s*["']([A-Za-z]{1,3})""")


@lru_cache(maxsize=1024)
def column_number(letters: bytes) -> int:
    number = 0
    for byte in letters.upper():
        number = number * 26 + byte - 64
    return number


# The head of a worksheet's XML holding its <dimension> (after the root and <sheetPr>).
HEAD = 2048


def sheet_extent(data: bytes, member: Member, max_rows: int | None, max_columns: int | None):
    """The extent of an xlsx worksheet before calamine reads it: its <dimension>, from the
    head of its XML alone (what Excel, WPS, LibreOffice and the libraries write); without a
    trustworthy one (none, or the "A1" some writers put), the whole sheet scanned."""
    method = member[0]
    body = _body(data, member, HEAD)
    if method == 0:
        head = body
    elif method == 8:
        head = _inflate_part(zlib.decompressobj(-15), body, HEAD)
    else:
        raise BadArchive(f"compression method {method}")
    lo = head.find(b"sheetData")
    extent = _head(head, len(head) if lo < 0 else lo)
    if extent.rows > 1 or extent.columns > 1:
        return extent
    return scan_worksheet(data, member, max_rows, max_columns)


def scan_worksheet(data: bytes, member: Member, max_rows: int | None, max_columns: int | None):
    """The extent and the formulas without value of an xlsx worksheet, block by block.

    The extent is the sheet's <dimension> (what Excel, WPS, LibreOffice and the libraries
    write), else its last cell and widest column. A sheet whose dimension is over a limit is
    not inflated further."""
    extent, last, wide, trusted, prefix = None, (b"", 0, 0), 0, False, b""
    for block, lo, hi in _blocks(data, member):
        if extent is None:
            extent = _head(block, lo)
            if _over(extent, max_rows, max_columns):
                return extent
            # "A1" is what some writers put whatever the sheet holds
            trusted = extent.rows > 1 or extent.columns > 1
            prefix = b"" if trusted else _prefix(block)
        if hi <= lo:
            continue
        if block.find(b"f", lo, hi) >= 0 and _FORMULA.search(block, lo, hi):
            extent.formulas += _formula_cells(block, lo, hi)
        if not trusted:  # every cell's column, not the last one's alone
            wide = max([wide, *(column_number(m) for m in set(_COLUMN.findall(block, lo, hi)))])
            last = (block, lo, hi)
    if not trusted:
        row, column = _last_cell(*last, prefix)
        extent.rows, extent.columns = max(extent.rows, row), max(extent.columns, column, wide)
    extent.scanned = True
    return extent


def _blocks(data: bytes, member: Member):
    method, packed, size, _ = member
    if method == 8 and packed <= SMALL:  # the usual sheet: inflated at once, scanned once
        xml = _checked(_inflate_small(_body(data, member)), size)
        lo = xml.find(b"sheetData")
        return ((xml, len(xml) if lo < 0 else lo, xml.rfind(b"row>") + 4),)
    return _row_blocks(inflate(data, member))


def formulas_without_value(data: bytes, member: Member) -> list[tuple[int, int, str | None]]:
    """The cells of an xlsx worksheet holding a formula with no saved value, or with an error
    saved as its value (row, column, the error or None)."""
    return scan_worksheet(data, member, None, None).formulas


def _over(extent: Extent, max_rows: int | None, max_columns: int | None) -> bool:
    return (max_rows is not None and extent.rows > max_rows) or (
        max_columns is not None and extent.columns > max_columns
    )


def _row_blocks(chunks):
    """(block, lo, hi): sheet XML cut after a row's end tag, so no row spans two blocks;
    [lo, hi) is the part holding rows (after <sheetData>, up to the last row's end)."""
    carry, first = b"", True
    for chunk in chunks:
        block = carry + chunk if carry else chunk
        cut = block.rfind(b"row>") + 4
        if cut < 4:
            carry = block
            continue
        lo = _sheet_data(block) if first else 0
        first = False
        carry = block[cut:]
        yield block, lo, cut
    if first:  # no row at all
        yield carry, _sheet_data(carry), 0


def _sheet_data(block: bytes) -> int:
    start = block.find(b"sheetData")
    return len(block) if start < 0 else start


def _head(block: bytes, lo: int) -> Extent:
    """The extent the <dimension> gives (0 rows and columns without one)."""
    at = block.find(b"dimension", 0, lo)
    corner = _DIMENSION.match(block, at + 9) if at > 0 else None
    if not corner:
        return Extent()
    return Extent(int(corner.group(2) or 0), column_number(corner.group(1)))


def _prefix(block: bytes) -> bytes:
    """The element prefix: `x:` in files written by the Open XML SDK, else none."""
    root = _ROOT.search(block, 0, 4096)
    return (root.group(1) or b"") if root else b""


def _last_cell(block: bytes, lo: int, hi: int, prefix: bytes) -> tuple[int, int]:
    """Row and column of the last cell element (1-based); its row's number when it has no r."""
    tag = b"<" + prefix + b"c"
    at = block.rfind(tag, lo, hi)
    while at >= 0 and block[at + len(tag)] not in _AFTER_NAME:
        at = block.rfind(tag, lo, at)
    if at < 0:
        return 0, 0
    ref = _REF.match(block, at + len(tag), block.find(b">", at) + 1)
    if ref and ref.group(2):
        return int(ref.group(2)), column_number(ref.group(1))
    row_at = block.rfind(b"<" + prefix + b"row", lo, at)
    row_ref = _REF.search(block, row_at, block.find(b">", row_at) + 1) if row_at >= 0 else None
    if row_ref and row_ref.group(2):
        return int(row_ref.group(2)), 0
    return block.count(b"<" + prefix + b"row", lo, hi), 0


def _formula_cells(block: bytes, lo: int, hi: int) -> list[tuple[int, int, str | None]]:
    """Cells holding a formula and no value: what a program writing formulas without
    computing them leaves (Excel, WPS and LibreOffice save the result beside the formula).
    An empty result typed as a string (t="str", <v></v>) is a computed empty text. And cells
    whose formula's saved result is an error (t="e", <v>#N/A</v>), with the error."""
    found = []
    for cell in _CELL.finditer(block, lo, hi):
        attributes, body = cell.group(1), cell.group(2)
        if not body or not _FORMULA.search(body):
            continue
        error = None
        if _VALUE.search(body):
            if not _ERROR_RESULT.search(attributes):
                continue
            error = _VALUE_TEXT.search(body).group(1).decode("utf-8", "replace")
        elif _TEXT_RESULT.search(attributes) and _EMPTY_VALUE.search(body):
            continue
        ref = _REF.search(b" " + attributes)
        if ref and ref.group(1) and ref.group(2):
            found.append((int(ref.group(2)) - 1, column_number(ref.group(1)) - 1, error))
    return found


# ----------------------------------------------------------------------------- xlsb records

_BRT_WS_DIM = 0x94
_BRT_ROW_HDR = 0x00
_BRT_BUNDLE_SH = 0x9C
_BRT_MERGE_CELL = 0xB0
# BrtShortBlank … BrtShortIsst: cells without their column (the previous cell's plus one).
# Excel writes the full records; SheetJS and others write these, which calamine skips.
_SHORT_CELLS = range(12, 19)
_FULL_CELLS = range(1, 12)


def _records(buf: bytes):
    """(record type, start, size) of a BIFF12 record stream."""
    i, end = 0, len(buf)
    try:
        while i < end:
            kind = buf[i]
            i += 1
            if kind & 0x80:
                kind = (kind & 0x7F) | (buf[i] & 0x7F) << 7
                i += 1
            size = 0
            for shift in (0, 7, 14, 21):
                byte = buf[i]
                i += 1
                size |= (byte & 0x7F) << shift
                if not byte & 0x80:
                    break
            yield kind, i, size
            i += size
    except IndexError as exc:
        raise BadArchive("truncated record") from exc


def scan_xlsb_sheet(data: bytes, member: Member) -> tuple[Extent, bool]:
    """The extent of an xlsb worksheet and whether it holds cells calamine cannot place."""
    buf, extent, short = read_member(data, member), Extent(), False
    for kind, start, size in _records(buf):
        if kind == _BRT_WS_DIM and size >= 16:
            _, last_row, _, last_col = struct.unpack_from("<4L", buf, start)
            extent.rows, extent.columns = (
                max(extent.rows, last_row + 1),
                max(extent.columns, last_col + 1),
            )
        elif kind == _BRT_ROW_HDR and size >= 4:
            extent.rows = max(extent.rows, struct.unpack_from("<L", buf, start)[0] + 1)
        elif kind in _FULL_CELLS and size >= 4:
            extent.columns = max(extent.columns, struct.unpack_from("<L", buf, start)[0] + 1)
        elif kind in _SHORT_CELLS:
            short = True
        elif kind == _BRT_MERGE_CELL and size >= 16:
            first_row, last_row, first_col, last_col = struct.unpack_from("<4L", buf, start)
            extent.merged.append((first_row, first_col, last_row, last_col))
    return extent, short


# ----------------------------------------------------------------------------- ods

_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_CELLS = (f"{_TABLE}table-cell", f"{_TABLE}covered-table-cell")


def ods_merged(content: bytes) -> dict[str, list[tuple[int, int, int, int]]]:
    """Sheet name -> merged ranges of an ods content.xml (calamine gives none for ods)."""
    import xml.etree.ElementTree as ET  # noqa: PLC0415 - only for ods with merged cells

    merged: dict[str, list[tuple[int, int, int, int]]] = {}
    try:
        _ods_walk(ET.iterparse(io.BytesIO(content), ("start", "end")), merged)
    except (ET.ParseError, ValueError) as exc:
        raise BadArchive(str(exc)) from exc
    return merged


def _ods_walk(events, merged: dict[str, list[tuple[int, int, int, int]]]) -> None:
    name, row, col, repeat = "", 0, 0, 1
    for event, element in events:
        tag, get = element.tag, element.get
        if tag == f"{_TABLE}table" and event == "start":
            name, row = get(f"{_TABLE}name", ""), 0
        elif tag == f"{_TABLE}table-row":
            if event == "start":
                col, repeat = 0, int(get(f"{_TABLE}number-rows-repeated", 1))
            else:
                row += repeat
                element.clear()
        elif tag in _ODS_CELLS and event == "start":
            rows = int(get(f"{_TABLE}number-rows-spanned", 1))
            cols = int(get(f"{_TABLE}number-columns-spanned", 1))
            if rows > 1 or cols > 1:
                merged.setdefault(name, []).append((row, col, row + rows - 1, col + cols - 1))
            col += int(get(f"{_TABLE}number-columns-repeated", 1))


# ----------------------------------------------------------------------------- sheet parts

# An element's two attributes in either order (one C-level findall per document).
_PAIR = r"""<(?:[\w.-]+:)?{}\s(?=[^>]*?\b{}\s*=\s*["']([^"']*)["'])(?=[^>]*?{}\s*=\s*["']([^"']*)["'])"""
_RELATIONSHIPS = re.compile(_PAIR.format("Relationship", "Id", r"\bTarget").encode())
_OFFICE_DOCUMENT = re.compile(_PAIR.format("Relationship", "Type", r"\bTarget").encode())
_SHEETS = re.compile(_PAIR.format("sheet", "name", r":id").encode())  # r:id, any prefix
# The order every writer seen uses, matched many times faster (starting with a literal).
_RELATIONSHIPS_IN_ORDER = re.compile(rb'Relationship Id="([^"]*)" Type="[^"]*" Target="([^"]*)"')
_SHEETS_IN_ORDER = re.compile(
    rb'sheet name="([^"]*)" sheetId="[^"]*"(?: state="[^"]*")? r:id="([^"]*)"'
)


def _pairs(fast: re.Pattern[bytes], general: re.Pattern[bytes], element: bytes, xml: bytes):
    found = fast.findall(xml)
    return found if len(found) >= xml.count(element) else general.findall(xml)


def _text(value: bytes) -> str:
    text = value.decode("utf-8", "replace")
    return html.unescape(text) if "&" in text else text


def sheet_parts(data: bytes, found: dict[str, Member]) -> dict[str, str]:
    """Sheet name -> the member holding it (xlsx and xlsb), from the workbook part and its
    relationships: sheet1.xml is not always the first sheet."""
    main = _main_part(data, found)
    folder, _, base = main.rpartition("/")
    rels = _relationships(
        data, found, f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
    )
    workbook = read_member(data, found[main])
    sheets = _xlsb_sheets(workbook) if main.endswith(".bin") else _xml_sheets(workbook)
    return {name: _resolve(folder, rels[rid]) for name, rid in sheets if rid in rels}


def _main_part(data: bytes, found: dict[str, Member]) -> str:
    for part in ("xl/workbook.xml", "xl/workbook.bin"):
        if part in found:
            return part
    if "_rels/.rels" in found:
        for kind, target in _OFFICE_DOCUMENT.findall(read_member(data, found["_rels/.rels"])):
            if kind.endswith(b"/officeDocument") and _resolve("", _text(target)) in found:
                return _resolve("", _text(target))
    raise BadArchive("no workbook part")


def _relationships(data: bytes, found: dict[str, Member], part: str) -> dict[str, str]:
    if part not in found:
        return {}
    return {
        _text(rid): _text(target)
        for rid, target in _pairs(
            _RELATIONSHIPS_IN_ORDER,
            _RELATIONSHIPS,
            b"Relationship ",
            read_member(data, found[part]),
        )
    }


def _resolve(folder: str, target: str) -> str:
    if not target.startswith("/") and "./" not in target:
        return f"{folder}/{target}" if folder else target  # worksheets/sheet1.xml
    parts = [] if target.startswith("/") else [p for p in folder.split("/") if p]
    for piece in target.lstrip("/").split("/"):
        if piece == "..":
            parts = parts[:-1]
        elif piece not in ("", "."):
            parts.append(piece)
    return "/".join(parts)


def _xml_sheets(workbook: bytes) -> list[tuple[str, str]]:
    pairs = _pairs(_SHEETS_IN_ORDER, _SHEETS, b"<sheet ", workbook)
    return [(_text(name), _text(rid)) for name, rid in pairs]


def _xlsb_sheets(workbook: bytes) -> list[tuple[str, str]]:
    sheets = []
    for kind, start, _ in _records(workbook):
        if kind == _BRT_BUNDLE_SH:
            rid, at = _wide_string(workbook, start + 8)
            name, _ = _wide_string(workbook, at)
            sheets.append((name, rid))
    return sheets


def _wide_string(buf: bytes, at: int) -> tuple[str, int]:
    (count,) = struct.unpack_from("<L", buf, at)
    if count == 0xFFFFFFFF:
        return "", at + 4
    end = at + 4 + 2 * count
    return buf[at + 4 : end].decode("utf-16-le", "replace"), end
