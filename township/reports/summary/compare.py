"""Comparisons for the township summary: this period against the previous one and a year earlier."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from township.calendar import Period
from township.store import Warehouse, indicators

COLUMNS = [
    "org_code",
    "org_name",
    "indicator",
    "name_zh",
    "unit",
    "decimals",
    "period",
    "value",
    "previous_period",
    "previous_value",
    "previous_change",
    "year_earlier_period",
    "year_earlier_value",
    "year_earlier_change",
]


def values_for(wh: Warehouse, keys: list[str], as_of: datetime | None = None) -> pd.DataFrame:
    """indicator_values for several periods: one query each from the materialized table, or a
    single recomputation (filtered afterwards) when as of a past moment."""
    if as_of is None:
        frames = [indicators.values(wh, key) for key in dict.fromkeys(keys)]
        found = [f for f in frames if not f.empty]  # concat warns about empty frames
        return pd.concat(found, ignore_index=True) if found else frames[0]
    every = indicators.values(wh, None, as_of)
    return every[every["period"].isin(keys)].reset_index(drop=True)


def _change(new: object, old: object, decimals: int) -> float | None:
    if new is None or old is None or pd.isna(new) or pd.isna(old):
        return None
    return round(float(new) - float(old), decimals)


def _number(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def comparisons(wh: Warehouse, period_key: str, as_of: datetime | None = None) -> pd.DataFrame:
    """For the township (each township in the warehouse), every catalog indicator: its value,
    the previous period's and the year-earlier period's values and the changes (value minus
    the earlier value; percentage points for rates). None where the warehouse has no such
    period, or no value for it."""
    period = Period.parse(period_key)
    prev, earlier = period.previous().key, period.year_earlier().key
    values = values_for(wh, [period.key, prev, earlier], as_of)
    town = values[values["org_level"] == "township"]
    # An earlier period is known to the warehouse when some report month inside it was received.
    # Births reported late (counted by birth date) alone create rows for months nobody reported
    # in this system; comparing a half-year against those few births would mislead.
    covered = {
        (r.period, r.org_code)
        for r in town.itertuples(index=False)
        if r.indicator == "villages_expected" and pd.notna(r.value) and r.value > 0
    }
    lookup = {
        (r.period, r.org_code, r.indicator): r.value
        for r in town.itertuples(index=False)
        if r.period == period.key or (r.period, r.org_code) in covered
    }
    orgs = town.drop_duplicates("org_code").sort_values("org_code")
    catalog = indicators.catalog(wh)
    rows = []
    for org in orgs.itertuples(index=False):
        for item in catalog.itertuples(index=False):
            decimals = int(item.decimals)
            value = _number(lookup.get((period.key, org.org_code, item.code)))
            before = _number(lookup.get((prev, org.org_code, item.code)))
            year_ago = _number(lookup.get((earlier, org.org_code, item.code)))
            rows.append(
                {
                    "org_code": org.org_code,
                    "org_name": org.org_name,
                    "indicator": item.code,
                    "name_zh": item.name_zh,
                    "unit": None if pd.isna(item.unit) else item.unit,
                    "decimals": decimals,
                    "period": period.key,
                    "value": value,
                    "previous_period": prev,
                    "previous_value": before,
                    "previous_change": _change(value, before, decimals),
                    "year_earlier_period": earlier,
                    "year_earlier_value": year_ago,
                    "year_earlier_change": _change(value, year_ago, decimals),
                }
            )
    return pd.DataFrame(rows, columns=COLUMNS, dtype=object)
