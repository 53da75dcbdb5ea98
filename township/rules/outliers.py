"""The over-time rule: a stock figure far from the village's own history (modified z-score)."""

from __future__ import annotations

import pandas as pd

THRESHOLD = 3.5
MIN_HISTORY = 3
# Village stocks drift by a few people a month, so a near-flat history has a MAD of 1 or 2 and
# would flag a change of three people. The spread is floored at 2% of the median: a figure
# within about 10% of the village's usual level is never an outlier.
RELATIVE_SPREAD_FLOOR = 0.02


def modified_z(value: float, history: pd.Series) -> float | None:
    """Iglewicz–Hoaglin modified z-score; None when the history is too short to judge."""
    history = history.dropna()
    if len(history) < MIN_HISTORY:
        return None
    median = history.median()
    mad = max((history - median).abs().median(), RELATIVE_SPREAD_FLOOR * abs(median), 1.0)
    return 0.6745 * (value - median) / mad


def outliers(history: pd.DataFrame, new_values: pd.DataFrame) -> pd.DataFrame:
    """Rows of new_values (village_code, report_month, form, field, value) whose |z| > 3.5,
    with the z-score and the median of that village's other months."""
    flagged = []
    for row in new_values.itertuples(index=False):
        mask = (
            (history["village_code"] == row.village_code)
            & (history["field"] == row.field)
            & (history["report_month"] != row.report_month)
        )
        past = history.loc[mask, "value"].astype(float)
        z = modified_z(float(row.value), past) if pd.notna(row.value) else None
        if z is not None and abs(z) > THRESHOLD:
            flagged.append({**row._asdict(), "z": z, "median": float(past.median())})
    return pd.DataFrame(flagged)
