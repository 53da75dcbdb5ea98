"""What the workbook and its charts both draw: the indicators shown and their normal bands."""

from __future__ import annotations

import pandas as pd

SEX_RATIO = "sex_ratio_at_birth"
ON_TIME = "reporting_on_time_rate"


def missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def out_of_range(value: object, low: object, high: object) -> bool:
    if missing(value):
        return False
    return (not missing(low) and value < low) or (not missing(high) and value > high)


def sex_ratio_band(catalog: pd.DataFrame) -> tuple[float | None, float | None]:
    """The sex ratio's normal range (low, high) from the indicator catalog."""
    row = catalog[catalog["code"] == SEX_RATIO]
    if row.empty:
        return None, None
    low, high = row["normal_low"].iloc[0], row["normal_high"].iloc[0]
    return (None if missing(low) else float(low)), (None if missing(high) else float(high))


def bound_text(value: object) -> str:
    return "" if missing(value) else f"{float(value):g}"
