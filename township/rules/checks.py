"""Element tests shared by the form models. Each returns True where the value passes."""

from __future__ import annotations

import re
from datetime import date
from functools import cache, lru_cache

import pandas as pd
from stdnum import numdb
from stdnum.cn import ric

# The models' period checks, from the one calendar (re-exported: checks.month_start …).
from township.calendar import month_end, month_start, statistical_year_start  # noqa: F401

# What a village writes in 备注 of a row it knows is reported late.
LATE_WORDS = re.compile(r"补报|补登|补录|迟报|补上报")

MANGLED_ID = re.compile(r"^\d(\.\d+)?E[+-]?\d+$", re.IGNORECASE)
ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
# Bounded: `township serve` runs for months and must not keep every ID it has seen.
CACHE_SIZE = 65536


@lru_cache(maxsize=CACHE_SIZE)
def id_problem(value: str) -> str | None:
    """The first thing wrong with an ID number, as a rule id, or None."""
    if MANGLED_ID.match(value):
        return "id.mangled"
    if not ID_SHAPE.match(value):
        return "id.format"
    try:
        ric.get_birth_date(value)
    except Exception:
        return "id.date"
    if ric.calc_check_digit(value) != value[-1]:
        return "id.check_char"
    return None


def county_known(value: str) -> bool:
    """Whether stdnum's table of administrative codes knows the first six digits at all.

    stdnum's full validate() also rejects a code that did not exist yet in the birth year, which
    is true of most elderly people of a district created later (420117 新洲区, 1998): real IDs,
    so only a code unknown in every year is worth a warning."""
    if id_problem(value) is not None:
        return True  # already reported as an error
    return _region_code_known(value[:6])


@cache
def _region_code_known(code: str) -> bool:
    # A few thousand codes exist: one lookup each, not one per person.
    return any("county" in props for _, props in numdb.get("cn/loc").info(code))


def id_passes(series: pd.Series, rule: str) -> pd.Series:
    return series.map(lambda v: not isinstance(v, str) or id_problem(v) != rule)


def birth_date_of_id(value: object) -> date | None:
    if isinstance(value, str) and id_problem(value) is None:
        return ric.get_birth_date(value)
    return None


def is_count(series: pd.Series) -> pd.Series:
    return series.map(lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0)


def is_date(series: pd.Series) -> pd.Series:
    return series.map(lambda v: isinstance(v, date))


def in_vocabulary(series: pd.Series, allowed: set) -> pd.Series:
    return series.map(lambda v: not isinstance(v, str) or v in allowed)


def as_number(series: pd.Series) -> pd.Series:
    """Counts as numbers, anything else (blank or invalid, reported elsewhere) as NaN."""
    return pd.to_numeric(series.map(lambda v: v if isinstance(v, int) else None), errors="coerce")


def age_on(birth: date | None, on: object) -> int | None:
    if birth is None or not isinstance(on, date):
        return None
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def not_above(df: pd.DataFrame, columns: list[str], limit: str) -> pd.DataFrame:
    """Per cell: True unless the count is larger than the row's `limit` count.

    Returned as a frame so that each failure names its own column (the cell to mark). The frame
    has df's own shape, as pandera requires of a frame-valued check: with fewer columns its
    assertion fails, and the failure comes back without a row, so nothing would be reported."""
    ceiling = as_number(df[limit])
    out = pd.DataFrame(True, index=df.index, columns=df.columns)
    for c in columns:
        out[c] = ~as_number(df[c]).gt(ceiling)
    return out


def previous_month_start(day: date) -> date:
    """The first day of the month before `day`'s."""
    return date(day.year - 1, 12, 1) if day.month == 1 else date(day.year, day.month - 1, 1)


def says_late(note: str) -> bool:
    return LATE_WORDS.search(note) is not None
