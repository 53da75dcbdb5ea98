"""Resource limits, each checked before the parsing that would cost it, on real files.

A village file must never take the ingest down: a zip bomb is refused from its zip directory
before a byte is inflated, a sheet of a million rows before calamine reads it, a cell far
out at XFD1048576 (calamine would allocate rows x columns and abort the process) likewise.
The costly cases run in a subprocess whose peak memory is measured.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import zlib
from functools import cache
from pathlib import Path

import pytest
import xlsxwriter
from hostile_files import Packed, deflate, repeated, sheet_xml, xlsx

from township.config import (
    DEFAULT_MAX_COMPRESSION_RATIO,
    DEFAULT_MAX_SHEET_COLUMNS,
    DEFAULT_MAX_SHEET_ROWS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    Settings,
)
from township.model import ERROR, FileRead
from township.read.files import read_file
from township.read.grid import load_grids
from township.villages import VillageRegistry

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
REGISTRY = VillageRegistry.load(CORPUS / "villages.csv")
MONTH = "2026-03"
NAME = "420117104201.xlsx"  # the village 复合村, by the code in the file name
MIB = 1024 * 1024
BIRTHS_HEADER = ["母亲姓名", "母亲身份证号", "婴儿性别", "出生日期", "孩次"]
SERVICES = [["宣传资料份数", "标语条数", "咨询人次"], [520, 12, 48]]


def read(path: Path, **limits) -> FileRead:
    return read_file(path, MONTH, REGISTRY, **{"max_bytes": 20 * MIB, "max_rows": 20000, **limits})


def read_measured(path: Path, **limits) -> dict:
    """read_file in a fresh process: what it found and its peak memory (its time is
    bench/bench_read.py's to measure)."""
    script = textwrap.dedent(
        f"""
        import json, re, sys
        from pathlib import Path
        from township.read.files import read_file
        from township.villages import VillageRegistry
        registry = VillageRegistry.load(Path({str(CORPUS / "villages.csv")!r}))
        def peak_mb():  # this program's own peak (ru_maxrss keeps the forking parent's)
            status = Path("/proc/self/status").read_text()
            return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
        fr = read_file(Path({str(path)!r}), {MONTH!r}, registry, **{limits!r})
        print(json.dumps({{
            "peak_mb": peak_mb(),
            "rejection": fr.rejection and fr.rejection.code,
            "message": fr.rejection and fr.rejection.message_zh,
            "findings": [[f.rule_id, f.sheet, f.value] for f in fr.findings],
            "forms": sorted(fr.sheets),
        }}))
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]  # an abort (134) is a failure too
    return json.loads(done.stdout)


@cache
def _birth_rows(rows: int) -> tuple[bytes, ...]:
    """Rows 2… of a 出生登记 sheet, in blocks of 50,000 (made once for every test)."""
    return tuple(
        "".join(
            f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>母{r}</t></is></c>'
            f'<c r="C{r}"><v>2</v></c></row>'
            for r in range(start, min(start + 50000, rows + 1))
        ).encode()
        for start in range(2, rows + 1, 50000)
    )


def births(rows: int, dimension: bool) -> Packed:
    """A 出生登记 sheet of `rows` rows, streamed into its deflate stream a block at a time."""
    head, rest = sheet_xml([BIRTHS_HEADER]).split(b"<sheetData>")
    if dimension:
        head += f'<dimension ref="A1:E{rows}"/>'.encode()
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    parts, crc, size = [], 0, 0
    header = rest.split(b"</sheetData>")[0]
    for block in (head + b"<sheetData>" + header, *_birth_rows(rows), b"</sheetData></worksheet>"):
        parts.append(packer.compress(block))
        crc, size = zlib.crc32(block, crc), size + len(block)
    parts.append(packer.flush())
    return Packed(b"".join(parts), crc, size)


# ----------------------------------------------------------------------------- settings


def test_every_limit_is_a_setting_with_a_default(monkeypatch):
    for name in (
        "TOWNSHIP_MAX_SHEET_ROWS",
        "TOWNSHIP_MAX_SHEET_COLUMNS",
        "TOWNSHIP_MAX_UNCOMPRESSED_BYTES",
        "TOWNSHIP_MAX_COMPRESSION_RATIO",
    ):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings()
    assert (
        defaults.max_sheet_rows,
        defaults.max_sheet_columns,
        defaults.max_uncompressed_bytes,
        defaults.max_compression_ratio,
    ) == (
        DEFAULT_MAX_SHEET_ROWS,
        DEFAULT_MAX_SHEET_COLUMNS,
        DEFAULT_MAX_UNCOMPRESSED_BYTES,
        DEFAULT_MAX_COMPRESSION_RATIO,
    )
    monkeypatch.setenv("TOWNSHIP_MAX_SHEET_COLUMNS", "40")
    monkeypatch.setenv("TOWNSHIP_MAX_UNCOMPRESSED_BYTES", "1000")
    monkeypatch.setenv("TOWNSHIP_MAX_COMPRESSION_RATIO", "12.5")
    settings = Settings()
    assert (
        settings.max_sheet_columns,
        settings.max_uncompressed_bytes,
        settings.max_compression_ratio,
    ) == (40, 1000, 12.5)


# ----------------------------------------------------------------------------- zip bombs


def bomb(path: Path, mib: int, declared: int | None = None, zip64: bool = False) -> Path:
    """A valid workbook whose shared strings hold one string of `mib` MiB of one letter."""
    strings = repeated(
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{"http://schemas.openxmlformats.org/spreadsheetml/2006/main"}" count="1" uniqueCount="1"><si><t>'.encode(),
        b"A" * MIB,
        mib,
        b"</t></si></sst>",
    )
    if declared is not None:
        strings.declared = declared
    sheet = sheet_xml([BIRTHS_HEADER, ['<c r="A2" t="s"><v>0</v></c>']])
    return xlsx(path, {"出生登记": sheet}, {"xl/sharedStrings.xml": strings}, zip64)


def test_zip_bomb_is_refused_from_its_directory_without_inflating_it(tmp_path):
    path = bomb(tmp_path / NAME, 2048)  # 2 MB on disk, 2 GiB inflated
    assert path.stat().st_size < 3 * MIB
    found = read_measured(path, max_bytes=20 * MIB, max_rows=20000)
    assert found["rejection"] == "uncompressed_too_large"
    assert "2048 MB" in found["message"] and "另存为" in found["message"]
    assert found["peak_mb"] < 150, found  # 2 GiB were not inflated into memory


def test_a_smaller_bomb_is_refused_for_its_compression_ratio(tmp_path):
    found = read(bomb(tmp_path / NAME, 8))  # 8 MiB from 8 KB: under the size limit
    assert found.rejection.code == "compression_ratio"
    assert "倍" in found.rejection.message_zh
    assert read(tmp_path / NAME, max_compression_ratio=None).rejection is None  # read whole


def test_a_member_inflating_past_its_declared_size_is_refused_as_corrupt(tmp_path):
    # declares 1 KB of shared strings and holds 64 MiB: calamine's zip reader stops there
    assert read(bomb(tmp_path / NAME, 64, declared=1024)).rejection.code == "corrupt_file"
    # declares a 100-byte sheet and holds more: the sheet scan stops there
    sheet = deflate(sheet_xml([BIRTHS_HEADER, ["张丽", "420102199503120227", "女", 46086, 1]]))
    sheet.declared = 100
    path = xlsx(tmp_path / "420117104201_b.xlsx", {"出生登记": sheet})
    assert read(path).rejection.code == "corrupt_file"


def test_sizes_kept_in_zip64_fields_are_read_not_taken_for_a_bomb(tmp_path):
    sheet = sheet_xml([BIRTHS_HEADER, ["张丽", "420102199503120227", "女", 46086, 1]])
    path = xlsx(tmp_path / NAME, {"出生登记": sheet}, zip64=True)
    fr = read(path)
    assert fr.rejection is None and fr.sheets["births"].rows == [2]
    bombed = bomb(tmp_path / "420117104201_b.xlsx", 200, zip64=True)
    assert read(bombed).rejection.code == "uncompressed_too_large"


def test_ordinary_workbooks_are_far_below_both_limits():
    for path in sorted((CORPUS / MONTH).glob("*.xlsx")):
        if not path.name.startswith("bad_"):
            fr = read(path, max_uncompressed_bytes=1 * MIB, max_compression_ratio=20)
            assert fr.rejection is None, path.name


# ----------------------------------------------------------------------------- rows


@pytest.mark.parametrize("dimension", [True, False], ids=["with dimension", "without"])
def test_million_row_sheet_is_refused_before_it_is_read_and_the_rest_loads(tmp_path, dimension):
    path = xlsx(
        tmp_path / NAME,
        {"出生登记": births(1_000_000, dimension), "宣传服务": sheet_xml(SERVICES)},
    )
    assert path.stat().st_size < 20 * MIB
    found = read_measured(path, max_bytes=20 * MIB, max_rows=20000)
    assert found["rejection"] is None
    assert found["findings"] == [["sheet.too_many_rows", "出生登记", "1000000"]]
    assert found["forms"] == ["services"]
    assert found["peak_mb"] < 150, found  # the million rows were not held


def test_a_sheet_at_the_row_limit_is_read_and_one_row_over_is_not(tmp_path):
    rows = [BIRTHS_HEADER, *[[f"母{r}", None, "女", 46086, 1] for r in range(2, 11)]]
    path = xlsx(tmp_path / NAME, {"出生登记": sheet_xml(rows, "A1:E10")})
    assert len(read(path, max_rows=10).sheets["births"].rows) == 9
    (finding,) = read(path, max_rows=9).findings
    assert (finding.rule_id, finding.severity, finding.value) == (
        "sheet.too_many_rows",
        ERROR,
        "10",
    )


def test_a_dimension_understating_the_sheet_does_not_hide_its_rows(tmp_path):
    rows = [BIRTHS_HEADER, *[[f"母{r}", None, "女", 46086, 1] for r in range(2, 51)]]
    for dimension in ("A1", None):  # what some writers put, and nothing
        path = xlsx(tmp_path / NAME, {"出生登记": sheet_xml(rows, dimension)})
        (finding,) = read(path, max_rows=20).findings
        assert (finding.rule_id, finding.value) == ("sheet.too_many_rows", "50")


def test_csv_over_the_row_limit_is_a_sheet_error_counted_before_the_grid_is_built(tmp_path):
    path = tmp_path / "420117104201_出生登记.csv"
    lines = [",".join(BIRTHS_HEADER)] + [f"母{r},,女,2026-03-05,1" for r in range(2, 30)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    (finding,) = read(path, max_rows=20).findings
    assert (finding.rule_id, finding.value) == ("sheet.too_many_rows", "29")
    assert len(read(path, max_rows=29).sheets["births"].rows) == 28


# ----------------------------------------------------------------------------- columns


@pytest.mark.parametrize("dimension", ["A1:XFD1048576", None], ids=["with dimension", "without"])
def test_a_cell_far_out_at_xfd1048576_neither_aborts_nor_allocates(tmp_path, dimension):
    # calamine would allocate 2^20 x 2^14 cells for it and abort the process. A sheet this
    # small is looked at first only when every sheet is (scan_sheet_bytes=0); by default, a
    # sheet is looked at first from 256 KiB of XML up (see the next test).
    far = '<c r="XFD1048576"><v>1</v></c>'
    rows = [BIRTHS_HEADER, ["张丽", None, "女", 46086, 1]]
    sheet = sheet_xml(rows, dimension).replace(
        b"</sheetData>", f'<row r="1048576">{far}</row></sheetData>'.encode()
    )
    path = xlsx(tmp_path / NAME, {"出生登记": sheet, "宣传服务": sheet_xml(SERVICES)})
    found = read_measured(path, max_bytes=20 * MIB, max_rows=20000, scan_sheet_bytes=0)
    assert found["findings"] == [["sheet.too_many_rows", "出生登记", "1048576"]]
    assert found["forms"] == ["services"]
    assert found["peak_mb"] < 150, found


def test_a_large_sheet_is_looked_at_before_it_is_read_by_default(tmp_path):
    rows = [BIRTHS_HEADER, *[[f"母{r}", None, "女", 46086, 1] for r in range(2, 6000)]]
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    sheet = sheet_xml(rows, "A1:XFD1048576").replace(b"</sheetData>", far.encode())
    assert len(sheet) > 256 * 1024
    path = xlsx(tmp_path / NAME, {"出生登记": sheet, "宣传服务": sheet_xml(SERVICES)})
    found = read_measured(path, max_bytes=20 * MIB, max_rows=20000)
    assert found["findings"] == [["sheet.too_many_rows", "出生登记", "1048576"]]


def test_a_sheet_wider_than_the_limit_is_refused_and_the_rest_loads(tmp_path):
    path = tmp_path / NAME
    workbook = xlsxwriter.Workbook(str(path))
    births = workbook.add_worksheet("出生登记")
    births.write_row(0, 0, BIRTHS_HEADER)
    births.write_row(1, 0, ["张丽", "420102199503120227", "女", "2026-03-05", 1])
    births.write_string(30, 299, "误填")  # column 300 (KN), row 31
    services = workbook.add_worksheet("宣传服务")
    for r, row in enumerate(SERVICES):
        services.write_row(r, 0, row)
    workbook.close()
    fr = read(path)
    (finding,) = fr.findings
    assert (finding.rule_id, finding.sheet, finding.value) == (
        "sheet.too_many_columns",
        "出生登记",
        "300",
    )
    assert "300" in finding.message_zh and "256" in finding.message_zh
    assert sorted(fr.sheets) == ["services"]
    assert read(path, max_columns=300).sheets["births"].rows == [2]


def test_the_report_writer_never_reads_a_sheet_over_the_limits(tmp_path):
    path = xlsx(
        tmp_path / NAME,
        {"出生登记": births(30000, dimension=True), "宣传服务": sheet_xml(SERVICES)},
    )
    assert list(load_grids(path)) == ["宣传服务"]  # township.reports copies what it gets
