"""The warehouse describing itself, for the data dictionary (township/docs.py): tables, views,
columns and macros with their comments, read on a plain connection to the file (the analysts'
copy has no restricted file to attach, so no Warehouse)."""

from __future__ import annotations

import duckdb

from township.store.manifest import sql


def _rows(con: duckdb.DuckDBPyConnection, query: str, **named) -> list[tuple]:
    return con.execute(sql(f"queries/{query}.sql"), named).fetchall()


def relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[str, str, str | None]]:
    """(name, 'table' | 'view', comment) of the schema's tables and views, by name."""
    return _rows(con, "dictionary_relations", schema=schema)


def columns(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> list[tuple]:
    """(column, type, comment) of a table or view, in order."""
    return _rows(con, "dictionary_columns", schema=schema, name=name)


def macros(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple]:
    """(name, 'macro' | 'table_macro', parameters, comment) of the schema's macros, by name."""
    return _rows(con, "dictionary_macros", schema=schema)
