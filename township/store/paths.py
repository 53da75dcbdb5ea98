"""Where the warehouse's files are, beside the one the settings name."""

from __future__ import annotations

from pathlib import Path


def restricted_path(warehouse: Path) -> Path:
    """data/warehouse/township.duckdb -> data/warehouse/township_restricted.duckdb"""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}_restricted{warehouse.suffix or '.duckdb'}")


def analyst_copy_path(warehouse: Path) -> Path:
    """data/warehouse/township.duckdb -> data/warehouse/township_analyst.duckdb"""
    warehouse = Path(warehouse)
    return warehouse.with_name(f"{warehouse.stem}_analyst{warehouse.suffix or '.duckdb'}")


def warehouse_exists(settings) -> bool:
    """Whether there is a warehouse to read: the file exists (a lake is asked when opened)."""
    return bool(settings.catalog) or Path(settings.warehouse).exists()
