"""The marts views of a period (or all) as Parquet or CSV files, for Excel pivots, R and other
tools, read from the analysts' copy: the same rows as the analysts' tables, so no name or full
ID number (they live in `restricted` alone, which the copy does not hold)."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

from township.calendar import Period
from township.store.connection import connect

FORMATS = ("parquet", "csv")
BOM = "\ufeff".encode()  # Excel reads a CSV as UTF-8 only with it


@dataclass(frozen=True)
class Exported:
    view: str
    path: Path
    rows: int

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def _period_filter(columns: list[str], period: Period) -> duckdb.Expression | None:
    """Rows of the period: by its key (indicator values), by the periods a row counts in (a
    birth, a beneficiary), else by report month; None: the view has no time (villages)."""
    col, const = duckdb.ColumnExpression, duckdb.ConstantExpression
    if "period" in columns:
        return col("period") == const(period.key)
    if "periods" in columns:
        return duckdb.FunctionExpression("list_contains", col("periods"), const(period.key))
    if "report_month" in columns:
        month = col("report_month")
        return (month >= const(period.start_month)) & (month <= const(period.end_month))
    return None


def export_marts(
    analyst_copy: Path, out_dir: Path, period: Period | None, fmt: str, wait_seconds: float
) -> list[Exported]:
    """Every marts view, one file each (`<view>.parquet` or `.csv`), into `out_dir`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}: use {' or '.join(FORMATS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    con = connect(analyst_copy, read_only=True, wait_seconds=wait_seconds)
    try:
        views = con.execute(_sql("marts_views")).fetchall()
        return [_export_one(con, name, cols, out_dir, period, fmt) for name, cols in views]
    finally:
        con.close()


def _export_one(con, view: str, columns: list[str], out_dir: Path, period, fmt) -> Exported:
    rel = con.sql(_sql("export_view"), params={"view": f"marts.{view}"})
    where = _period_filter(columns, period) if period is not None else None
    if where is not None:
        rel = rel.filter(where)
    path = out_dir / f"{view}.{fmt}"
    if fmt == "parquet":
        rel.write_parquet(str(path), compression="zstd")
    else:
        _write_csv_for_excel(rel, path)
    return Exported(view, path, rel.aggregate("count(*)").fetchone()[0])


def _write_csv_for_excel(rel, path: Path) -> None:
    """UTF-8 with a BOM, so that Excel shows the Chinese; a header row; ISO dates."""
    plain = path.with_suffix(".tmp.csv")
    rel.write_csv(str(plain), header=True, date_format="%Y-%m-%d")
    with open(path, "wb") as out, open(plain, "rb") as src:
        out.write(BOM)
        shutil.copyfileobj(src, out)
    plain.unlink()


def _sql(name: str) -> str:
    from township.store.manifest import sql

    return sql(f"queries/{name}.sql")
