"""宣传服务: publicity and services this month, one record (SPEC §4)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas import checks

COUNTS = [
    "leaflets",
    "slogans",
    "posters",
    "consultations",
    "checkups_due",
    "checkups_done",
    "follow_up_visits",
    "two_non_cases",
]


class Services(pa.DataFrameModel):
    leaflets: Series[object] = pa.Field(nullable=True)
    slogans: Series[object] = pa.Field(nullable=True)
    posters: Series[object] = pa.Field(nullable=True)
    consultations: Series[object] = pa.Field(nullable=True)
    checkups_due: Series[object] = pa.Field(nullable=True)
    checkups_done: Series[object] = pa.Field(nullable=True)
    follow_up_visits: Series[object] = pa.Field(nullable=True)
    two_non_cases: Series[object] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check(*COUNTS, name="count.invalid")
    def whole_counts(cls, s):
        return checks.is_count(s)

    @pa.dataframe_check(name="services.checkups")
    def done_within_due(cls, df):
        return checks.not_above(df, ["checkups_done"], "checkups_due")
