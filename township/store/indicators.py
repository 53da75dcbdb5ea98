"""The indicators: the catalog (data), their materialization, and reading them back."""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterator
from datetime import datetime

import duckdb
import pandas as pd

from township.indicators.catalog import load_catalog
from township.store.warehouse import Warehouse


def catalog_fingerprint() -> str:
    """The SHA-256 of the indicator catalog: a changed catalog makes the figures stale."""
    return hashlib.sha256(json.dumps(load_catalog(), sort_keys=True).encode()).hexdigest()


def stale(wh: Warehouse) -> bool:
    """Whether a load committed after the indicators were last materialized, or the catalog
    changed since, or rows were loaded and nothing was materialized yet."""
    return bool(wh.rows("indicators_stale", catalog_fingerprint())[0][0])


def refresh(wh: Warehouse) -> int:
    """Materialize the indicators in a transaction of their own (in a lake, retried when
    another process materialized meanwhile). Returns the number of rows."""

    def work() -> int:
        wh.before_materialize()
        return materialize(wh)

    return wh.transaction(work)


def materialize(wh: Warehouse) -> int:
    """Replace the materialized indicators with those of the rows (in the open transaction)."""
    _load_catalog(wh)
    # the units and the facts keyed by them, in one transaction: their keys agree
    wh.con.execute("delete from marts.indicator_orgs")
    wh.con.execute(
        "insert into marts.indicator_orgs by name "
        "select org_key, org_level, org_code, org_name from staging.indicator_orgs"
    )
    wh.con.execute("delete from marts.indicator_facts")
    with _measures_stored(wh, None) as measures:
        wh.con.execute(
            "insert into marts.indicator_facts by name select * from marts.indicator_facts_of(?)",
            [measures],
        )
    wh.con.execute("delete from marts.indicator_builds")
    wh.run("record_indicator_build", catalog=catalog_fingerprint())
    return wh.con.execute("select count(*) from marts.indicator_facts").fetchone()[0]


def _load_catalog(wh: Warehouse) -> None:
    wh.con.execute("delete from marts.indicator_catalog")
    wh.insert("marts.indicator_catalog", pd.DataFrame(load_catalog()))


def values(
    wh: Warehouse,
    period: str | None = None,
    as_of: datetime | None = None,
    township: str | None = None,
) -> pd.DataFrame:
    """Indicator values for a period: the materialized ones, or recomputed as of a past
    moment; for one township and its villages when a township code is given. Recomputed too
    while the materialized ones are stale (see load.finish_load): figures are never old."""
    if as_of is None and not stale(wh):
        return wh.frame("indicator_values", period=period, township=township)
    with _measures_stored(wh, as_of) as measures:
        return wh.frame("indicator_values_at", measures=measures, period=period, township=township)


@contextlib.contextmanager
def _measures_stored(wh: Warehouse, as_of: datetime | None) -> Iterator[str]:
    """marts.village_measures(as_of) in a temporary table, whose name it yields: the indicators
    are computed from it (marts.indicator_facts_of), in a statement of their own, so that a
    prefecture's fit in DuckDB's memory limit.

    Meanwhile the optimizer keeps the hash joins' sides as the SQL writes them: it misjudges
    the size of the indicators' grid (periods × units × indicators) and would build its hash
    tables on the grid, millions of rows, instead of on the measures they look up."""
    name = "indicator_measures"
    wh.con.execute(
        f"create or replace temp table {name} as select * from marts.village_measures(?)",
        [as_of],
    )
    wh.con.execute("set disabled_optimizers = 'build_side_probe_side'")
    try:
        yield name
    finally:
        # after a failed statement the transaction refuses both: its rollback drops the table,
        # and the failure ends the ingest that holds the connection
        with contextlib.suppress(duckdb.Error):
            wh.con.execute("reset disabled_optimizers")
        with contextlib.suppress(duckdb.Error):
            wh.con.execute(f"drop table if exists temp.main.{name}")


def lineage(
    wh: Warehouse,
    period: str,
    org_code: str,
    indicator: str | None,
    as_of: datetime | None = None,
) -> pd.DataFrame:
    """The source rows (file, sheet, Excel row) behind one indicator value; with no indicator,
    behind every indicator's value of the period and unit (column `indicator` says which)."""
    return wh.frame("indicator_lineage", period, org_code, indicator, as_of)


def catalog(wh: Warehouse) -> pd.DataFrame:
    return wh.con.execute("select * from marts.indicator_catalog").df()


def township_codes(wh: Warehouse) -> list[str]:
    return [code for (code,) in wh.rows("township_codes")]
