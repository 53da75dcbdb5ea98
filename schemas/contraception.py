"""节育措施: contraception stock at month end, one record (SPEC §4)."""

from __future__ import annotations

import pandera.pandas as pa
from pandera.typing import Series

from schemas import checks

METHODS = [
    "iud",
    "implant",
    "female_sterilization",
    "male_sterilization",
    "pill",
    "condom",
    "other_method",
]


class Contraception(pa.DataFrameModel):
    married_women: Series[object] = pa.Field(nullable=False)
    iud: Series[object] = pa.Field(nullable=True)
    implant: Series[object] = pa.Field(nullable=True)
    female_sterilization: Series[object] = pa.Field(nullable=True)
    male_sterilization: Series[object] = pa.Field(nullable=True)
    pill: Series[object] = pa.Field(nullable=True)
    condom: Series[object] = pa.Field(nullable=True)
    other_method: Series[object] = pa.Field(nullable=True)
    no_method: Series[object] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check("married_women", *METHODS, "no_method", name="count.invalid")
    def whole_counts(cls, s):
        return checks.is_count(s)

    @pa.dataframe_check(name="contraception.method_exceeds")
    def method_within_married_women(cls, df):
        return checks.not_above(df, [*METHODS, "no_method"], "married_women")

    @pa.dataframe_check(name="contraception.sum")
    def methods_add_up(cls, df):
        total = sum(checks.as_number(df[c]).fillna(0) for c in [*METHODS, "no_method"])
        married = checks.as_number(df["married_women"])
        return married.isna() | (total == married)
