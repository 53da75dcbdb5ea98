"""出生登记: one row per live-born child (SPEC §4)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from schemas import checks

SEXES = {"男", "女"}
RESIDENCES = {"户籍", "流入", "流出"}


def _birth_dates(df: pd.DataFrame) -> pd.Series:
    return df["birth_date"].map(lambda v: v if isinstance(v, date) else None)


class Births(pa.DataFrameModel):
    mother_name: Series[object] = pa.Field(nullable=False)
    mother_id: Series[object] = pa.Field(nullable=False)
    child_sex: Series[object] = pa.Field(nullable=False)
    birth_date: Series[object] = pa.Field(nullable=False)
    parity: Series[object] = pa.Field(nullable=False)
    in_policy: Series[object] = pa.Field(nullable=True)
    residence: Series[object] = pa.Field(nullable=True)
    father_id: Series[object] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = False

    @pa.check("mother_id", "father_id", name="id.mangled")
    def id_not_mangled(cls, s):
        return checks.id_passes(s, "id.mangled")

    @pa.check("mother_id", "father_id", name="id.format")
    def id_format(cls, s):
        return checks.id_passes(s, "id.format")

    @pa.check("mother_id", "father_id", name="id.date")
    def id_date(cls, s):
        return checks.id_passes(s, "id.date")

    @pa.check("mother_id", "father_id", name="id.check_char")
    def id_check_char(cls, s):
        return checks.id_passes(s, "id.check_char")

    @pa.check("mother_id", "father_id", name="id.county")
    def id_county(cls, s):
        return s.map(lambda v: not isinstance(v, str) or checks.county_known(v))

    @pa.check("mother_id", name="mother_id.sex_digit")
    def mother_is_female(cls, s):
        return s.map(
            lambda v: (
                not isinstance(v, str) or checks.id_problem(v) is not None or int(v[16]) % 2 == 0
            )
        )

    @pa.check("birth_date", name="date.invalid")
    def birth_date_is_date(cls, s):
        return checks.is_date(s)

    @pa.check("child_sex", name="sex.vocab")
    def sex_known(cls, s):
        return checks.in_vocabulary(s, SEXES)

    @pa.check("parity", name="parity.vocab")
    def parity_known(cls, s):
        return s.map(lambda v: isinstance(v, int) and v >= 1)

    @pa.check("in_policy", name="in_policy.vocab")
    def in_policy_known(cls, s):
        return s.map(lambda v: isinstance(v, bool))

    @pa.check("residence", name="residence.vocab")
    def residence_known(cls, s):
        return checks.in_vocabulary(s, RESIDENCES)

    @pa.dataframe_check(name="birth_date.future")
    def not_after_report_month(cls, df):
        ends = df["_report_month"].map(checks.month_end)
        born = _birth_dates(df)
        return born.isna() | (born <= ends)

    @pa.dataframe_check(name="birth_date.late")
    def not_late_in_year(cls, df):
        starts = df["_report_month"].map(checks.month_start)
        year_starts = starts.map(checks.statistical_year_start)
        born = _birth_dates(df)
        return born.isna() | (born >= starts) | (born < year_starts)

    @pa.dataframe_check(name="birth_date.prior_year")
    def not_from_prior_year(cls, df):
        year_starts = df["_report_month"].map(checks.month_start).map(checks.statistical_year_start)
        born = _birth_dates(df)
        return born.isna() | (born >= year_starts)

    @pa.dataframe_check(name="births.duplicate_in_file")
    def once_per_file(cls, df):
        key = ["_file", "mother_id", "birth_date", "parity"]
        return ~df[key].astype(str).duplicated(keep="first")
