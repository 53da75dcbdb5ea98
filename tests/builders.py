"""Small real files for tests: village workbooks (written by township.synth.writer), valid ID
numbers, a township's settings."""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from stdnum.cn import ric

from township.config import Settings
from township.store import restricted_path
from township.store.file import FileWarehouse
from township.synth import writer

# The writer's own, which tests take from here.
Formula = writer.Formula  # a formula cell with the result Excel would have cached
set_received = writer.set_received  # a file's modification time: its receipt (Asia/Shanghai)

CREATED = datetime(2026, 1, 1)  # the workbooks' creation time: fixed, so files are reproducible

BIRTH_HEADER = [
    "母亲姓名",
    "母亲身份证号",
    "婴儿性别",
    "出生日期",
    "孩次",
    "是否符合政策",
    "流动性质",
]
VILLAGES_CSV = """village_code,village_name,aliases,township_code,township_name,email
420117104201,复合村,复合,420117104,复合镇,cun01@example.cn
420117104202,桃园村,桃园,420117104,复合镇,
420117104203,李家湾村,李家湾,420117104,复合镇,cun03@example.cn
"""


def make_id(born: date, seq: int, county: str = "420102", female: bool = True) -> str:
    """A valid 18-character ID: the sequence digit parity gives the sex."""
    sequence = f"{seq:02d}{(seq % 5) * 2 + (0 if female else 1)}"
    body = f"{county}{born:%Y%m%d}{sequence}"
    return body + ric.calc_check_digit(body + "0")


def mother(n: int) -> tuple[str, str]:
    return f"母亲{n}", make_id(date(1990, 1, 1 + n % 28), n)


def birth_row(
    n: int, born: str, parity: int = 1, sex: str = "男", policy: str = "是", residence: str = ""
) -> list:
    name, mid = mother(n)
    return [name, mid, sex, born, parity, policy, residence]


def write_births(
    path: Path,
    rows: list[list],
    cover_code: str | None = None,
    cover_month: str | None = None,
    received: datetime | None = None,
    title: bool = True,
) -> Path:
    """A village workbook holding a 出生登记 sheet (title row, header, rows) and optionally a 封面.

    Every value is written as text, except floats (numbers) and None (an empty cell)."""
    births = writer.Sheet("出生登记")
    if title:
        births.rows.append(["出生登记表"])
        births.merges.append(writer.Merge(0, 0, 0, 6))
    births.rows.append(list(BIRTH_HEADER))
    births.rows += [[_text_or_float(v) for v in row] for row in rows]
    cover = _cover(cover_code, cover_month)
    sheets = [writer.Sheet(writer.COVER, cover)] if cover else []
    return writer.write_workbook(path, [*sheets, births], created=CREATED, received=received)


def _text_or_float(value: object) -> object:
    return value if value is None or isinstance(value, float) else str(value)


def _cover(cover_code: str | None, cover_month: str | None) -> list[list] | None:
    """The rows of a 封面 giving 村代码 and 报告期, when either is given."""
    if not (cover_code or cover_month):
        return None
    return writer.cover_sheet([("村代码", cover_code), ("报告期", cover_month)]).rows


# ---------------------------------------------------------------- any form, any layout

CONTRACEPTION_HEADER = [
    "已婚育龄妇女数",
    "上环",
    "皮埋",
    "女扎",
    "男扎",
    "口服药",
    "避孕套",
    "其他",
    "未避孕",
]
MIGRANTS_HEADER = [
    "流出人口数",
    "流出已婚育龄妇女数",
    "已办婚育证明数",
    "定期联系数",
    "流入人口数",
    "流入已婚育龄妇女数",
]
SERVICES_HEADER = [
    "宣传资料份数",
    "标语条数",
    "宣传挂图",
    "咨询人次",
    "三查应查人数",
    "三查实查人数",
    "随访人次",
    "两非案件数",
]
BENEFICIARY_HEADER = ["姓名", "身份证号", "类别", "认定日期"]


def write_workbook(
    path: Path,
    sheets: dict[str, list[list]],
    cover_code: str | None = None,
    cover_month: str | None = None,
    received: datetime | None = None,
    merges: dict[str, list[str]] | None = None,
) -> Path:
    """A workbook whose sheets are given cell by cell: rows[0] is Excel row 1, column A first.

    None leaves a cell empty; str is written as text (never as a formula), int/float as a
    number, date/datetime as an Excel date, Formula as a formula, anything else as its text.
    An optional 封面 goes first. `merges`: a sheet's merged ranges ("B2:B4")."""
    if cover := _cover(cover_code, cover_month):
        sheets = {writer.COVER: cover, **sheets}  # a 封面 of the caller's own wins
    merges = merges or {}
    described = [
        writer.Sheet(
            name,
            [[_known(v) for v in row] for row in rows],
            merges=[writer.Merge.cells(m) for m in merges.get(name, [])],
        )
        for name, rows in sheets.items()
    ]
    return writer.write_workbook(path, described, created=CREATED, received=received)


def _known(value: object) -> object:
    """The value if the writer knows its type (a bool is text here), else its text."""
    if value is None or isinstance(value, str | Formula | date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    return str(value)


# Where the township is, and the single-machine defaults; other settings (mail, limits) stay
# as a fixture set before this one may have set them.
PLACE_SETTINGS = (
    "person_key",
    "raw_dir",
    "villages",
    "warehouse",
    "outbox",
    "catalog",
    "lake_data",
    "runner",
    "dask_address",
)


def township_in(root: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A township in root, the working directory: three villages, empty raw folder and
    warehouse, none of the PLACE_SETTINGS inherited from the environment."""
    monkeypatch.chdir(root)
    for name in PLACE_SETTINGS:
        monkeypatch.delenv(Settings.env_name(name), raising=False)
    villages = root / "data" / "reference" / "villages.csv"
    villages.parent.mkdir(parents=True)
    villages.write_text(VILLAGES_CSV, encoding="utf-8")
    (root / "data" / "raw").mkdir(parents=True)
    settings = Settings()
    place_empty_warehouse(settings.warehouse)
    return settings


def township_settings(root: Path, **overrides) -> Settings:
    """Settings for a township under root (the three villages above), without touching the
    working directory or the environment: for module-scoped fixtures."""
    villages = root / "data" / "reference" / "villages.csv"
    villages.parent.mkdir(parents=True, exist_ok=True)
    villages.write_text(VILLAGES_CSV, encoding="utf-8")
    (root / "data" / "raw").mkdir(parents=True, exist_ok=True)
    paths = {
        "raw_dir": root / "data" / "raw",
        "villages": villages,
        "warehouse": root / "data" / "warehouse" / "township.duckdb",
        "outbox": root / "data" / "outbox",
        "key_file": root / "data" / "secrets" / "person_key",
        "max_file_bytes": 20 * 1024 * 1024,
        "max_sheet_rows": 20000,
    }
    settings = Settings(**{**paths, **overrides})
    if settings.catalog is None:
        place_empty_warehouse(settings.warehouse)
    return settings


@functools.cache
def _empty_warehouse() -> Path:
    """A warehouse with every definition applied and nothing loaded, made once a process."""
    folder = Path(tempfile.mkdtemp(prefix="township_empty_warehouse_"))
    atexit.register(shutil.rmtree, folder, True)
    FileWarehouse(folder / "township.duckdb").close()
    return folder / "township.duckdb"


def place_empty_warehouse(warehouse: Path) -> None:
    """A copy of the empty warehouse where a test township's goes, unless one is there: the
    same files the first ingest would create (applying the definitions costs a quarter of a
    second, and a run of the suite creates about 150 townships)."""
    warehouse = Path(warehouse)
    if warehouse.exists() or restricted_path(warehouse).exists():
        return
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    template = _empty_warehouse()
    for source, target in (
        (template, warehouse),
        (restricted_path(template), restricted_path(warehouse)),
    ):
        shutil.copy2(source, target)  # the restricted file keeps its owner-only mode


def no_warehouse_yet(settings: Settings) -> Settings:
    """The township before its first ingest: the empty warehouse placed for it removed."""
    for path in (settings.warehouse, restricted_path(settings.warehouse)):
        path.unlink(missing_ok=True)
    return settings


def township_copy(source: Settings, root: Path) -> Settings:
    """A township built once (township_settings) copied into root for one test to change: its
    raw files with their modification times, its warehouse, outbox and key."""
    shutil.copytree(source.raw_dir.parent.parent, root, dirs_exist_ok=True)
    return township_settings(root)


def office_connection(warehouse: Path) -> duckdb.DuckDBPyConnection:
    """The warehouse as the office reads it: the file, read-only, with the file of names and ID
    numbers beside it attached as `restricted` (township.warehouse)."""
    con = duckdb.connect(str(warehouse), read_only=True)
    con.execute(f"attach '{restricted_path(warehouse)}' as restricted (read_only)")
    return con
