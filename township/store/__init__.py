"""Storage: the one package that talks SQL.

warehouse.py   Warehouse: a connection, transactions, named queries (sql/queries/*.sql)
file.py        the DuckDB file (the default)      lake.py   a DuckLake: the seam's other side
manifest.py    the definitions (sql/raw, restricted, staging, marts), in dependency order
templates.py   SQL files as templates over the form definitions
load.py        what is known; one ingest's rows in one transaction
indicators.py  materializing the indicators, reading them back, lineage
queries.py     what reports and the summary read
publish.py     the analysts' copy
dictionary.py  the warehouse's own description (tables, columns, comments) for docs.py
connection.py  connecting; errors.py what can go wrong; paths.py the files beside
"""

# file and lake register their storages with Warehouse when imported
from township.store import file, indicators, lake, load, publish, queries  # noqa: F401
from township.store.errors import (
    WarehouseBusy,
    WarehouseDamaged,
    WarehouseMissing,
    WarehouseUnavailable,
)
from township.store.paths import analyst_copy_path, restricted_path, warehouse_exists
from township.store.warehouse import Warehouse

__all__ = [
    "Warehouse",
    "WarehouseBusy",
    "WarehouseDamaged",
    "WarehouseMissing",
    "WarehouseUnavailable",
    "analyst_copy_path",
    "indicators",
    "load",
    "publish",
    "queries",
    "restricted_path",
    "warehouse_exists",
]
