"""The statistical tables the township files upward (township/reports/tables.yaml), filled from
the warehouse's indicator values: one row per village, a 合计 row (the township's value), as an
xlsx workbook (one sheet a table, printable one page wide) or CSV files (one a table)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import xlsxwriter
import yaml

from township.calendar import Period
from township.reports.summary.build import NoData
from township.store import Warehouse, indicators

SPEC_FILE = Path(__file__).with_name("tables.yaml")
FIRST_COLUMNS = [("单位名称", "甲"), ("代码", "乙")]
FORMATS = ("xlsx", "csv")


class NoTownship(Exception):
    """The warehouse holds no township of that code (or none at all)."""


@dataclass(frozen=True)
class Column:
    label: str
    indicator: str
    group: str | None = None


@dataclass(frozen=True)
class TableSpec:
    title: str
    number: str
    unit: str
    columns: tuple[Column, ...]


@dataclass
class Filled:
    """One table for one township and period: a row of values per village, and the 合计."""

    spec: TableSpec
    period: Period
    township: tuple[str, str]  # code, name
    rows: list[tuple[str, str, list[float | None]]]  # village code, name, values
    total: list[float | None]
    notes: list[str]


@cache
def specs() -> tuple[tuple[TableSpec, ...], tuple[str, ...], str]:
    """The tables, the footer, and the words for a village without the figure."""
    raw = yaml.safe_load(SPEC_FILE.read_text(encoding="utf-8"))
    tables = tuple(
        TableSpec(t["title"], t["number"], t["unit"], tuple(Column(**c) for c in t["columns"]))
        for t in raw["tables"]
    )
    return tables, tuple(raw["footer"]), raw["no_data"]


def build_tables(wh: Warehouse, period: Period, township: str | None = None) -> list[Filled]:
    """Every table for the township (the first by code unless named) and period."""
    towns = indicators.township_codes(wh)
    code = township or (towns[0] if towns else None)
    if code not in towns:
        raise NoTownship(
            f"no township {code} in the warehouse" if code else "the warehouse is empty"
        )
    values = indicators.values(wh, period.key, None, code)
    if values["value"].isna().all():  # nothing received for the period: no table to file
        raise NoData(f"no data for period {period.key} in township {code}")
    tables, _, no_data = specs()
    return [_fill(spec, period, code, values, no_data) for spec in tables]


def _fill(spec: TableSpec, period: Period, town: str, values: pd.DataFrame, no_data: str) -> Filled:
    figure = {
        (org, code): None if pd.isna(v) else float(v)
        for org, code, v in zip(
            values["org_code"], values["indicator"], values["value"], strict=True
        )
    }
    names = dict(zip(values["org_code"], values["org_name"], strict=False))
    levels = dict(zip(values["org_code"], values["org_level"], strict=False))
    codes = [c.indicator for c in spec.columns]
    villages = sorted(org for org, level in levels.items() if level == "village")
    rows = [(v, names[v], [figure.get((v, c)) for c in codes]) for v in villages]
    total = [figure.get((town, c)) for c in codes]
    notes = _partial_notes(spec, rows, no_data)
    return Filled(spec, period, (town, names.get(town, town)), rows, total, notes)


def _partial_notes(spec: TableSpec, rows: list, no_data: str) -> list[str]:
    """A total that leaves villages out says so: which villages, for which columns."""
    notes = []
    for k, column in enumerate(spec.columns, start=1):
        missing = [name for _, name, values in rows if values[k - 1] is None]
        if missing:
            notes.append(f"第{k}栏（{column.label}）：{'、'.join(missing)}{no_data}，合计不含。")
    return notes


def shown(value: float | None, no_data: str) -> object:
    """A cell as printed: a whole number, or the words for no figure."""
    if value is None:
        return no_data
    return int(value) if float(value).is_integer() else value


# -- xlsx ----------------------------------------------------------------------------------


def write_xlsx(tables: list[Filled], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True, "strings_to_formulas": False})
    formats = _formats(workbook)
    _, footer, no_data = specs()
    for table in tables:
        _write_sheet(workbook.add_worksheet(table.spec.title), table, formats, footer, no_data)
    workbook.close()
    return path


def _formats(workbook) -> dict:
    base = {"font_name": "宋体", "font_size": 10, "valign": "vcenter"}
    cell = {**base, "border": 1, "align": "center", "text_wrap": True}
    return {
        "title": workbook.add_format({**base, "bold": True, "font_size": 16, "align": "center"}),
        "plain": workbook.add_format(base),
        "right": workbook.add_format({**base, "align": "right"}),
        "head": workbook.add_format({**cell, "bold": True}),
        "cell": workbook.add_format(cell),
        "name": workbook.add_format({**cell, "align": "left"}),
        "total": workbook.add_format({**cell, "bold": True}),
    }


def _write_sheet(ws, table: Filled, f: dict, footer: tuple[str, ...], no_data: str) -> None:
    spec = table.spec
    last = len(FIRST_COLUMNS) + len(spec.columns) - 1
    ws.merge_range(0, 0, 0, last, spec.title, f["title"])
    ws.write_string(1, last, f"表号：{spec.number}", f["right"])
    ws.write_string(2, 0, f"填报单位：{table.township[1]}", f["plain"])
    ws.write_string(2, 3, f"期间：{table.period.label_zh}", f["plain"])
    ws.write_string(2, last, f"单位：{spec.unit}", f["right"])
    top = _write_header(ws, 3, spec, f)
    row = top
    row = _write_row(ws, row, ("合计", table.township[0]), table.total, f["total"], no_data)
    for code, name, values in table.rows:
        row = _write_row(ws, row, (name, code), values, f["cell"], no_data, f["name"])
    for note in table.notes:
        ws.write_string(row, 0, f"注：{note}", f["plain"])
        row += 1
    ws.write_string(row + 1, 0, "        ".join(footer), f["plain"])
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 14)
    ws.set_column(2, last, 9)
    ws.set_row(4, 42)
    _page_setup(ws, top)


def _write_header(ws, row: int, spec: TableSpec, f: dict) -> int:
    """Two label rows (a group's name over its columns), then the numbering row: 甲 乙 1 2 …"""
    for c, (label, mark) in enumerate(FIRST_COLUMNS):
        ws.merge_range(row, c, row + 1, c, label, f["head"])
        ws.write_string(row + 2, c, mark, f["head"])
    start = len(FIRST_COLUMNS)
    c = start
    for group, members in _groups(spec.columns):
        if group is None:
            ws.merge_range(row, c, row + 1, c, members[0].label, f["head"])
        else:
            if len(members) > 1:
                ws.merge_range(row, c, row, c + len(members) - 1, group, f["head"])
            else:
                ws.write_string(row, c, group, f["head"])
            for k, column in enumerate(members):
                ws.write_string(row + 1, c + k, column.label, f["head"])
        c += len(members)
    for k in range(len(spec.columns)):
        ws.write_number(row + 2, start + k, k + 1, f["head"])
    return row + 3


def _groups(columns: tuple[Column, ...]) -> list[tuple[str | None, list[Column]]]:
    """Consecutive columns of one group together; a column of no group alone."""
    out: list[tuple[str | None, list[Column]]] = []
    for column in columns:
        if column.group is not None and out and out[-1][0] == column.group:
            out[-1][1].append(column)
        else:
            out.append((column.group, [column]))
    return out


def _write_row(ws, row, names, values, fmt, no_data, name_fmt=None) -> int:
    ws.write_string(row, 0, names[0], name_fmt or fmt)
    ws.write_string(row, 1, names[1], fmt)
    for k, value in enumerate(values, start=len(FIRST_COLUMNS)):
        cell = shown(value, no_data)
        if isinstance(cell, str):
            ws.write_string(row, k, cell, fmt)
        else:
            ws.write_number(row, k, cell, fmt)
    return row + 1


def _page_setup(ws, header_end: int) -> None:
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)  # one page wide, as many long as it takes
    ws.repeat_rows(3, header_end - 1)  # the header on every page
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.5)
    ws.center_horizontally()


# -- csv -----------------------------------------------------------------------------------


def write_csv(tables: list[Filled], folder: Path, stem: str) -> list[Path]:
    """One CSV a table (UTF-8 with a byte-order mark: Excel opens it as Chinese)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    _, footer, no_data = specs()
    paths = []
    for k, table in enumerate(tables, start=1):
        path = folder / f"{stem}_{k}_{table.spec.title}.csv"
        path.write_bytes(_csv_text(table, footer, no_data).encode("utf-8-sig"))
        paths.append(path)
    return paths


def _csv_text(table: Filled, footer: tuple[str, ...], no_data: str) -> str:
    spec = table.spec
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([spec.title])
    writer.writerow([f"表号：{spec.number}"])
    writer.writerow(
        [f"填报单位：{table.township[1]}", f"期间：{table.period.label_zh}", f"单位：{spec.unit}"]
    )
    labels = [c.label if c.group is None else f"{c.group}：{c.label}" for c in spec.columns]
    writer.writerow([label for label, _ in FIRST_COLUMNS] + labels)
    writer.writerow([mark for _, mark in FIRST_COLUMNS] + list(range(1, len(labels) + 1)))
    writer.writerow(["合计", table.township[0], *(shown(v, no_data) for v in table.total)])
    for code, name, values in table.rows:
        writer.writerow([name, code, *(shown(v, no_data) for v in values)])
    for note in table.notes:
        writer.writerow([f"注：{note}"])
    writer.writerow(list(footer))
    return out.getvalue()
