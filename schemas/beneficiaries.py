"""奖励扶助: one row per new beneficiary approved this month (SPEC §4)."""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import checks

CATEGORIES = {"农村奖励扶助", "特别扶助", "独女户高考加分"}


def _ages(df):
    births = df["id_number"].map(checks.birth_date_of_id)
    return [checks.age_on(b, on) for b, on in zip(births, df["approved_on"], strict=True)]


class Beneficiaries(pa.DataFrameModel):
    name: Series[object] = pa.Field(nullable=False)
    id_number: Series[object] = pa.Field(nullable=False)
    category: Series[object] = pa.Field(nullable=False)
    approved_on: Series[object] = pa.Field(nullable=False)

    class Config:
        strict = False
        coerce = False

    @pa.check("id_number", name="id.mangled")
    def id_not_mangled(cls, s):
        return checks.id_passes(s, "id.mangled")

    @pa.check("id_number", name="id.format")
    def id_format(cls, s):
        return checks.id_passes(s, "id.format")

    @pa.check("id_number", name="id.date")
    def id_date(cls, s):
        return checks.id_passes(s, "id.date")

    @pa.check("id_number", name="id.check_char")
    def id_check_char(cls, s):
        return checks.id_passes(s, "id.check_char")

    @pa.check("id_number", name="id.county")
    def id_county(cls, s):
        return s.map(lambda v: not isinstance(v, str) or checks.county_known(v))

    @pa.check("category", name="category.vocab")
    def category_known(cls, s):
        return checks.in_vocabulary(s, CATEGORIES)

    @pa.check("approved_on", name="date.invalid")
    def approved_on_is_date(cls, s):
        return checks.is_date(s)

    @pa.dataframe_check(name="reward.age")
    def reward_recipients_are_60(cls, df):
        ages = _ages(df)
        return pd.Series(
            [
                not (c == "农村奖励扶助" and a is not None and a < 60)
                for c, a in zip(df["category"], ages, strict=True)
            ],
            index=df.index,
        )

    @pa.dataframe_check(name="special.age")
    def special_assistance_women_are_49(cls, df):
        ages = _ages(df)
        female = df["id_number"].map(
            lambda v: isinstance(v, str) and checks.id_problem(v) is None and int(v[16]) % 2 == 0
        )
        return pd.Series(
            [
                not (c == "特别扶助" and f and a is not None and a < 49)
                for c, f, a in zip(df["category"], female, ages, strict=True)
            ],
            index=df.index,
        )

    @pa.dataframe_check(name="approved_on.outside_month")
    def approved_in_report_month(cls, df):
        starts = df["_report_month"].map(checks.month_start)
        ends = df["_report_month"].map(checks.month_end)
        return pd.Series(
            [
                not hasattr(d, "year") or s <= d <= e
                for d, s, e in zip(df["approved_on"], starts, ends, strict=True)
            ],
            index=df.index,
        )
