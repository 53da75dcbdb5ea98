"""Files to grids of cells (sheet name -> rows), or one clear reason why not."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path

import python_calamine as pc
from charset_normalizer import from_bytes

from township.config import (
    DEFAULT_MAX_COMPRESSION_RATIO,
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_MAX_SHEET_COLUMNS,
    DEFAULT_MAX_SHEET_ROWS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    DEFAULT_SCAN_SHEET_BYTES,
)
from township.model import Rejection
from township.privacy import mask_ids_in
from township.read import archive
from township.read.values import visible

Grid = list[list[object]]

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
CSV_ENCODINGS = ["utf_8", "gb18030", "gbk", "big5"]
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xlsb", ".xls", ".et", ".ods")
# Formats read only since villages started sending them: when calamine cannot read one, the
# village is told to save it as .xlsx (rather than that it is corrupt).
NEWER_FORMATS = ("xlsb", "ods", "et")
# Below this, a file cannot hurt whatever its compression ratio (a sheet of empty formatted
# cells compresses a hundredfold).
RATIO_FLOOR = 1024 * 1024
# The OLE directory entry of a BIFF workbook stream ("Workbook", or "Book" before Excel 97).
BIFF_STREAMS = ("Workbook".encode("utf-16-le"), "Book\0".encode("utf-16-le"))


@dataclass(frozen=True)
class Limits:
    """How much the reader takes on from one file; None: no limit. Each is checked before the
    parsing that would cost it (README "What villages may send")."""

    max_bytes: int | None = DEFAULT_MAX_FILE_BYTES
    max_rows: int | None = DEFAULT_MAX_SHEET_ROWS
    max_columns: int | None = DEFAULT_MAX_SHEET_COLUMNS
    max_uncompressed_bytes: int | None = DEFAULT_MAX_UNCOMPRESSED_BYTES
    max_compression_ratio: float | None = DEFAULT_MAX_COMPRESSION_RATIO
    scan_sheet_bytes: int = DEFAULT_SCAN_SHEET_BYTES


class Package:
    """The members of a zip-based workbook, for what is looked up in them only when needed."""

    def __init__(self, data: bytes, directory: archive.Directory):
        self.data, self.directory = data, directory

    @property
    def found(self) -> dict[str, archive.Member]:
        return self.directory.members

    @cached_property
    def parts(self) -> dict[str, str]:
        return archive.sheet_parts(self.data, self.found)

    def formulas(self, sheet: str) -> list[tuple[int, int, str | None]]:
        try:
            member = self.found.get(self.parts.get(sheet, ""))
            if member is None or not self.parts[sheet].endswith(".xml"):
                return []  # an xlsb saves every formula's result
            return archive.formulas_without_value(self.data, member)
        except archive.BadArchive:  # calamine read the sheet: it is not to be refused for this
            return []


@dataclass(slots=True)
class Sheet:
    """One sheet as read: its grid, or why it was not read (`refused`: a sheet.* rule code)."""

    name: str  # as shown to villages and stored: no control characters
    grid: Grid | None
    rows: int = 0  # its last row number (a refused sheet: as found before reading it)
    columns: int = 0
    hidden: bool = False
    refused: str | None = None  # too_many_rows | too_many_columns
    merged: Sequence[tuple[int, int, int, int]] = ()  # r0, c0, r1, c1
    formulas: Sequence[tuple[int, int, str | None]] | None = ()  # None: not looked for yet
    package: Package | None = None  # where to look for them
    source: str = ""  # the name as the workbook spells it

    def formulas_without_value(self) -> Sequence[tuple[int, int, str | None]]:
        """Cells holding a formula with no saved value, or an error (#N/A) saved as its value:
        (row, column, the error or None); calamine reads them all as blank."""
        if self.formulas is None:
            self.formulas = self.package.formulas(self.source) if self.package else ()
        return self.formulas


class Rejected(Exception):
    """A file that cannot be read at all; carries the one reason given to the village."""

    def __init__(self, code: str, message_zh: str, public_zh: str | None = None):
        super().__init__(code)
        self.rejection = Rejection(code, message_zh, public_zh)


def load_grids(
    path: Path,
    max_bytes: int | None = None,
    data: bytes | None = None,
    limits: Limits | None = None,
) -> dict[str, Grid]:
    """Every sheet of a workbook (or the one table of a CSV) as rows of Python values; a sheet
    over a limit (the defaults: township.config) is left out. `data`: the file's bytes, when
    the caller has read them already.

    Rows keep their Excel numbering: grid[0] is Excel row 1, even above the first non-empty cell.
    """
    limits = replace(limits or Limits(), max_bytes=max_bytes)
    return {s.name: s.grid for s in load_sheets(path, limits, data) if s.grid is not None}


def load_sheets(path: Path, limits: Limits, data: bytes | None = None) -> list[Sheet]:
    """Every sheet of a file, visible ones first, each read or refused for a limit."""
    path = Path(path)
    size = path.stat().st_size if data is None else len(data)
    if size == 0:
        raise Rejected("empty_file", "文件是空的（0 字节），请重新保存后再报送。")
    if limits.max_bytes is not None and size > limits.max_bytes:
        raise Rejected(
            "file_too_large",
            f"文件过大（{size / 1048576:.1f} MB，上限 {limits.max_bytes / 1048576:.1f} MB），"
            "请删除多余的工作表或图片后再报送。",
        )
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return [_csv_sheet(path.stem, path.read_bytes() if data is None else data, limits)]
    if suffix not in WORKBOOK_SUFFIXES:
        raise Rejected("unsupported_format", "不支持的文件类型，请报送 .xlsx、.xls 或 .csv 文件。")
    # read once (the size was checked): signature, zip directory, calamine
    return _workbook_sheets(suffix, path.read_bytes() if data is None else data, limits)


# ----------------------------------------------------------------------------- workbooks


def _workbook_sheets(suffix: str, data: bytes, limits: Limits) -> list[Sheet]:
    kind, package, extents = _inspect(suffix, data, limits)
    try:
        workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheets = [
            _read_sheet(workbook, meta, extents.get(meta.name), limits)
            for meta in workbook.sheets_metadata
        ]
        if kind == "xlsx":
            for sheet in sheets:
                sheet.package = package
    except pc.PasswordError as exc:
        raise _password_protected() from exc
    except Rejected:
        raise
    except Exception as exc:  # calamine raises plain errors for some broken archives
        raise _cannot_read(kind, suffix) from exc
    if any(s.name != s.source for s in sheets):
        _unique_names(sheets)
    if any(s.hidden for s in sheets):
        sheets.sort(key=lambda s: s.hidden)  # a hidden sheet is never preferred
    return sheets


VISIBLE = pc.SheetVisibleEnum.Visible


def _read_sheet(workbook, meta, extent: archive.Extent | None, limits: Limits) -> Sheet:
    name = meta.name
    shown = mask_ids_in(name if name.isprintable() else visible(name))  # stored and shown
    sheet = Sheet(shown, None, formulas=None, source=name)
    if meta.visible != VISIBLE:
        sheet.hidden = True
    if extent is not None:
        sheet.rows, sheet.columns = extent.rows, extent.columns
        sheet.formulas = extent.formulas if extent.scanned else None
        if _refuse(sheet, limits):
            return sheet
    data = workbook.get_sheet_by_name(name)
    end = data.end  # what calamine holds, before any of it becomes Python objects
    if end is not None:
        rows, columns = end[0] + 1, end[1] + 1
        if rows > sheet.rows or columns > sheet.columns:
            if extent is not None:
                rows, columns = max(sheet.rows, rows), max(sheet.columns, columns)
            sheet.rows, sheet.columns = rows, columns
            if _refuse(sheet, limits):
                return sheet
    sheet.grid = data.to_python(skip_empty_area=False)
    merged = data.merged_cell_ranges  # None: calamine does not know them for this format
    if merged:
        sheet.merged = [(r0, c0, r1, c1) for (r0, c0), (r1, c1) in merged]
    elif merged is None and extent is not None:
        sheet.merged = extent.merged
    return sheet


def _refuse(sheet: Sheet, limits: Limits) -> bool:
    if limits.max_rows is not None and sheet.rows > limits.max_rows:
        sheet.refused = "too_many_rows"
    elif limits.max_columns is not None and sheet.columns > limits.max_columns:
        sheet.refused = "too_many_columns"
    return sheet.refused is not None


def _unique_names(sheets: list[Sheet]) -> None:
    """Two sheet names that differ only by control characters stay two sheets."""
    seen: set[str] = set()
    for sheet in sheets:
        name, n = sheet.name, 1
        while sheet.name in seen:
            n += 1
            sheet.name = f"{name}({n})"
        seen.add(sheet.name)


def _inspect(
    suffix: str, data: bytes, limits: Limits
) -> tuple[str, Package | None, dict[str, archive.Extent]]:
    """The workbook's real format (whatever its name says) and, for the zip-based ones, its
    members and the extent of the sheets looked at before calamine opens it."""
    head = data[:8]
    if head.startswith(OLE_SIGNATURE):
        if suffix in (".xlsx", ".xlsm", ".xlsb") and not any(s in data for s in BIFF_STREAMS):
            # Excel stores a password-protected .xlsx inside an OLE container.
            raise _password_protected()
        return ("et" if suffix == ".et" else "xls"), None, {}
    if not head.startswith(ZIP_SIGNATURE):
        raise _not_a_workbook(suffix, data)
    try:
        directory = archive.read_directory(data)
        _check_expansion(directory, limits)
        kind = _zip_kind(data, directory, suffix)
        package = Package(data, directory)
        if kind == "xlsx" and directory.largest < limits.scan_sheet_bytes:
            return kind, package, {}  # no sheet large enough to be looked at first
        return kind, package, _extents(package, kind, limits)
    except archive.BadArchive as exc:
        raise _corrupt() from exc


def _check_expansion(directory: archive.Directory, limits: Limits) -> None:
    size, packed = directory.size, directory.packed
    if limits.max_uncompressed_bytes is not None and size > limits.max_uncompressed_bytes:
        raise Rejected(
            "uncompressed_too_large",
            f"文件解压后过大（约 {size / 1048576:.0f} MB，上限 "
            f"{limits.max_uncompressed_bytes / 1048576:.0f} MB），系统不予读取。"
            "请删除多余的工作表、图片或大片空白格式后，在 Excel/WPS 中另存为 .xlsx 再报送。",
        )
    ratio = size / max(packed, 1)
    if (
        limits.max_compression_ratio is not None
        and size > RATIO_FLOOR
        and ratio > limits.max_compression_ratio
    ):
        raise Rejected(
            "compression_ratio",
            f"文件的压缩比异常（解压后是原来的 {ratio:.0f} 倍，上限 "
            f"{limits.max_compression_ratio:.0f} 倍），可能已损坏或不是正常的表格文件，系统不予读取。"
            "请在 Excel/WPS 中打开确认后另存为 .xlsx 再报送。",
        )


def _zip_kind(data: bytes, directory: archive.Directory, suffix: str) -> str:
    if directory.holds(b"xl/workbook.xml"):  # the usual workbook: no member parsed
        return "xlsx"
    found = directory.members
    if any(n.endswith("workbook.xml") for n in found):
        return "xlsx"
    if any(n.endswith("workbook.bin") for n in found):
        return "xlsb"
    mimetype = found.get("mimetype")
    if mimetype and archive.read_member(data, mimetype).strip().endswith(b"spreadsheet"):
        return "ods"
    raise Rejected(
        "not_a_workbook",
        f"文件不是 Excel 工作簿（可能是 Word 文档或压缩包，只是扩展名为 {suffix}）。"
        "请在 Excel/WPS 中打开报表后“另存为” Excel 工作簿（.xlsx）再报送。",
    )


def _extents(package: Package, kind: str, limits: Limits) -> dict[str, archive.Extent]:
    """Sheet name -> extent, for the sheets calamine must not be left to find out about
    (large ones: over a limit they are not read; an xlsb's, whose cells calamine may misplace;
    merged ranges of xlsb and ods, which calamine does not give)."""
    data, found = package.data, package.found
    if kind == "xlsx":
        large = limits.scan_sheet_bytes
        scanned = {
            name: archive.sheet_extent(data, m, limits.max_rows, limits.max_columns)
            for name, m in found.items()
            if m[2] >= large and name.startswith("xl/worksheets/") and name.endswith(".xml")
        }
    elif kind == "xlsb":
        scanned = {}
        for name, m in found.items():
            if name.startswith("xl/worksheets/") and name.endswith(".bin"):
                scanned[name], short = archive.scan_xlsb_sheet(data, m)
                if short:
                    raise _cannot_read(kind, ".xlsb")
    elif kind == "ods":
        return _ods_extents(data, found)
    else:
        return {}
    if not any(_notable(e, limits) for e in scanned.values()):
        return {}
    return {name: scanned[part] for name, part in package.parts.items() if part in scanned}


def _notable(extent: archive.Extent, limits: Limits) -> bool:
    probe = Sheet("", None, rows=extent.rows, columns=extent.columns)
    return bool(extent.formulas or extent.merged) or _refuse(probe, limits)


def _ods_extents(data: bytes, found: dict[str, archive.Member]) -> dict[str, archive.Extent]:
    content = found.get("content.xml")
    if content is None:
        return {}
    xml = archive.read_member(data, content)
    if b"number-rows-spanned" not in xml:  # nothing merged down rows: nothing to fill
        return {}
    return {name: archive.Extent(merged=m) for name, m in archive.ods_merged(xml).items()}


def _not_a_workbook(suffix: str, data: bytes) -> Rejected:
    text = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if text.startswith(b"<"):
        return Rejected(
            "html_saved_as_xlsx",
            f"文件实际是网页（HTML）或 XML，只是扩展名为 {suffix}。"
            "请在 Excel/WPS 中“另存为” Excel 工作簿（.xlsx）。",
        )
    if b"\0" in data[:512]:
        return _corrupt()
    return Rejected(
        "text_saved_as_xlsx",
        f"文件实际是文本（可能是 CSV），只是扩展名为 {suffix}。"
        "请在 Excel/WPS 中“另存为” Excel 工作簿（.xlsx）。",
    )


def _password_protected() -> Rejected:
    return Rejected(
        "password_protected", "文件设置了打开密码，系统无法读取。请取消密码后重新报送。"
    )


def _corrupt() -> Rejected:
    return Rejected(
        "corrupt_file", "文件已损坏或不完整，无法打开。请在 Excel/WPS 中打开确认后重新保存并报送。"
    )


def _cannot_read(kind: str, suffix: str) -> Rejected:
    if kind not in NEWER_FORMATS:
        return _corrupt()
    return Rejected(
        "unreadable_format",
        f"系统无法正确读取这个 {suffix} 文件。请在 Excel/WPS 中打开后“另存为” Excel 工作簿（.xlsx）再报送。",
    )


# ----------------------------------------------------------------------------- CSV


def decode_text(data: bytes) -> str:
    """Bytes of a CSV as text, with the encoding detected (UTF-8, UTF-8 BOM, GBK, GB18030)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    best = from_bytes(data, cp_isolation=CSV_ENCODINGS).best()
    if best is None:
        raise Rejected(
            "unknown_encoding", "无法识别文件的文字编码。请用 Excel/WPS 另存为“CSV UTF-8”或 .xlsx。"
        )
    encoding = best.encoding
    # GBK is a subset of GB18030: decoding with the superset never loses a character.
    if encoding in ("gbk", "gb2312"):
        encoding = "gb18030"
    return data.decode(encoding)


CSV_DELIMITERS = (",", "\t", ";")  # the first is the default: ties go to it
SNIFF_LINES = 20


def _delimiter(text: str) -> str:
    """The delimiter that splits most of the first lines into the same number of cells: WPS
    and European Excel save tab- or semicolon-separated text under .csv, whose remarks may
    hold commas (a comma in some lines only is not the delimiter)."""
    lines = [line for line in text.splitlines()[:SNIFF_LINES] if line.strip()]

    def steady_lines(d: str) -> int:
        counts = [line.count(d) for line in lines]
        usual = max(set(counts), key=counts.count, default=0)
        return counts.count(usual) if usual else 0

    return max(CSV_DELIMITERS, key=steady_lines)


def _unwrapped(cell: str) -> str:
    """="4201…": how exports keep a long number as text in a CSV (Excel shows 4201…)."""
    if cell.startswith('="') and cell.endswith('"') and len(cell) >= 3:
        return cell[2:-1]
    return cell


def _csv_sheet(name: str, data: bytes, limits: Limits) -> Sheet:
    text = decode_text(data)
    if not text.strip():
        raise Rejected("empty_file", "文件没有内容，请填写后再报送。")
    sheet = Sheet(mask_ids_in(visible(name)), None)
    try:
        # lines bound the rows from above (a quoted cell may hold a line break)
        if limits.max_rows is not None and text.count("\n") >= limits.max_rows:
            sheet.rows = sum(1 for _ in csv.reader(io.StringIO(text)))
            if _refuse(sheet, limits):
                return sheet
        grid = [
            [_unwrapped(cell) for cell in row]
            for row in csv.reader(io.StringIO(text), delimiter=_delimiter(text))
        ]
    except csv.Error as exc:  # e.g. one cell longer than csv.field_size_limit() (128 KiB)
        raise Rejected(
            "malformed_csv",
            "CSV 文件格式有误（某一格内容过长），无法读取。请用 Excel/WPS 打开检查后另存为 .xlsx 再报送。",
        ) from exc
    sheet.rows, sheet.columns = len(grid), max(map(len, grid), default=0)
    if not _refuse(sheet, limits):
        sheet.grid = grid
    return sheet
