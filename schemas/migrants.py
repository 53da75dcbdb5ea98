"""流动人口: migrant population stock at month end, one record (SPEC §4)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas import checks

COUNTS = [
    "out_migrants",
    "out_married_women",
    "out_certified",
    "out_contacted",
    "in_migrants",
    "in_married_women",
]


class Migrants(pa.DataFrameModel):
    out_migrants: Series[object] = pa.Field(nullable=False)
    out_married_women: Series[object] = pa.Field(nullable=True)
    out_certified: Series[object] = pa.Field(nullable=True)
    out_contacted: Series[object] = pa.Field(nullable=True)
    in_migrants: Series[object] = pa.Field(nullable=True)
    in_married_women: Series[object] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check(*COUNTS, name="count.invalid")
    def whole_counts(cls, s):
        return checks.is_count(s)

    @pa.dataframe_check(name="migrants.order")
    def certified_contacted_women_migrants_in_order(cls, df):
        within_women = checks.not_above(df, ["out_certified", "out_contacted"], "out_married_women")
        within_migrants = checks.not_above(df, ["out_married_women"], "out_migrants")
        return within_women & within_migrants
