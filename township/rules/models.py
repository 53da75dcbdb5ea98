"""The pandera models, one per form: the columns and their element checks follow from the
form's definition (schemas/forms.yaml: each field's type and whether it is required); a form's
own rules across its columns are the methods of its model below. A form without such rules
needs no class here: its model is built from its definition alone.

Every check is named by its rule id (township/rules/catalog.yaml): a failure becomes that
rule's finding at the cell (township/rules/validate.py)."""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from township.forms import load_catalogue
from township.rules import checks

# Element checks by field type: (rule id, the test of one column).
ID_CHECKS = {
    "id.mangled": lambda s: checks.id_passes(s, "id.mangled"),
    "id.format": lambda s: checks.id_passes(s, "id.format"),
    "id.date": lambda s: checks.id_passes(s, "id.date"),
    "id.check_char": lambda s: checks.id_passes(s, "id.check_char"),
    "id.county": lambda s: s.map(lambda v: not isinstance(v, str) or checks.county_known(v)),
}


def _vocabulary(kind: str):
    allowed = set(load_catalogue().allowed(kind))
    return {f"{kind}.vocab": lambda s: checks.in_vocabulary(s, allowed)}


def _type_checks() -> dict[str, dict]:
    return {
        "id": ID_CHECKS,
        "date": {"date.invalid": checks.is_date},
        "count": {"count.invalid": checks.is_count},
        "sex": _vocabulary("sex"),
        "residence": _vocabulary("residence"),
        "category": _vocabulary("category"),
        "parity": {"parity.vocab": lambda s: s.map(lambda v: isinstance(v, int) and v >= 1)},
        "in_policy": {"in_policy.vocab": lambda s: s.map(lambda v: isinstance(v, bool))},
    }


@cache
def form_columns(form_name: str) -> type[pa.DataFrameModel]:
    """A model of the form's columns: each field, nullable unless required, with the element
    checks of its type (a date must be a date, an ID a valid 18-character number …)."""
    form = load_catalogue().forms[form_name]
    namespace: dict = {"__annotations__": {}, "Config": _Config}
    by_type = _type_checks()
    for field in form.fields:
        namespace["__annotations__"][field.name] = Series[object]
        namespace[field.name] = pa.Field(nullable=not field.required)
    for kind, rules in by_type.items():
        columns = [f.name for f in form.fields if f.type == kind]
        for rule, test in rules.items() if columns else ():
            method = f"check_{rule.replace('.', '_')}"
            namespace[method] = pa.check(*columns, name=rule)(_column_check(test))
    return type(f"{form.name.title()}Columns", (pa.DataFrameModel,), namespace)


class _Config:
    strict = False  # the frames carry their lineage columns too
    coerce = False  # cells are checked as read: a count typed as text is an error, not a 0


def _column_check(test):
    def check(cls, series):
        return test(series)

    return check


# -- each form's own rules across its columns ---------------------------------------------


def _dates(series: pd.Series) -> pd.Series:
    return series.map(lambda v: v if isinstance(v, date) else None)


def _said_late(df: pd.DataFrame) -> pd.Series:
    """The row's 备注 already says it is reported late (补报, 补登, 补录): no need to warn."""
    return df["note"].map(lambda v: isinstance(v, str) and checks.says_late(v))


class Births(form_columns("births")):
    @pa.check("mother_id", name="mother_id.sex_digit")
    def mother_is_female(cls, s):
        return s.map(
            lambda v: (
                not isinstance(v, str) or checks.id_problem(v) is not None or int(v[16]) % 2 == 0
            )
        )

    @pa.dataframe_check(name="birth_date.future")
    def not_after_report_month(cls, df):
        ends = df["_report_month"].map(checks.month_end)
        born = _dates(df["birth_date"])
        return born.isna() | (born <= ends)

    @pa.dataframe_check(name="birth_date.late")
    def not_late_in_year(cls, df):
        # A birth of the last days of a month is registered in the next: only a birth before
        # the previous month is late, and not one the village already marks as 补报.
        starts = df["_report_month"].map(checks.month_start).map(checks.previous_month_start)
        year_starts = df["_report_month"].map(checks.month_start).map(checks.statistical_year_start)
        born = _dates(df["birth_date"])
        return born.isna() | (born >= starts) | (born < year_starts) | _said_late(df)

    @pa.dataframe_check(name="birth_date.prior_year")
    def not_from_prior_year(cls, df):
        year_starts = df["_report_month"].map(checks.month_start).map(checks.statistical_year_start)
        born = _dates(df["birth_date"])
        return born.isna() | (born >= year_starts) | _said_late(df)

    @pa.dataframe_check(name="births.duplicate_in_file")
    def once_per_file(cls, df):
        """A birth twice in a file; rows missing a part of the key are no birth to compare
        (their blank cells are findings of their own)."""
        key = ["_file", "mother_id", "birth_date", "parity"]
        complete = df[key].notna().all(axis=1)
        return ~(df[key].astype(str).duplicated(keep="first") & complete)


def _ages(df: pd.DataFrame) -> list[int | None]:
    births = df["id_number"].map(checks.birth_date_of_id)
    return [checks.age_on(b, on) for b, on in zip(births, df["approved_on"], strict=True)]


class Beneficiaries(form_columns("beneficiaries")):
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


CONTRACEPTION_METHODS = [
    f.name for f in load_catalogue().forms["contraception"].fields if f.name != "married_women"
]
# The counts that may not exceed another count of the same record: form -> (field, its limit).
# One definition: the checks below and the template's data validation both follow it.
UPPER_BOUNDS: dict[str, list[tuple[str, str]]] = {
    "contraception": [(m, "married_women") for m in CONTRACEPTION_METHODS],
    "migrants": [
        ("out_certified", "out_married_women"),
        ("out_contacted", "out_married_women"),
        ("out_married_women", "out_migrants"),
    ],
    "services": [("checkups_done", "checkups_due")],
}


def _within_bounds(df: pd.DataFrame, form: str, limits: tuple[str, ...]) -> pd.DataFrame:
    """Per cell (see checks.not_above): each of the form's bounded counts within its limit."""
    ok = pd.DataFrame(True, index=df.index, columns=df.columns)
    for limit in limits:
        capped = [f for f, by in UPPER_BOUNDS[form] if by == limit]
        ok &= checks.not_above(df, capped, limit)
    return ok


class Contraception(form_columns("contraception")):
    @pa.dataframe_check(name="contraception.method_exceeds")
    def method_within_married_women(cls, df):
        return _within_bounds(df, "contraception", ("married_women",))

    @pa.dataframe_check(name="contraception.sum")
    def methods_add_up(cls, df):
        total = sum(checks.as_number(df[c]).fillna(0) for c in CONTRACEPTION_METHODS)
        married = checks.as_number(df["married_women"])
        return married.isna() | (total == married)


class Migrants(form_columns("migrants")):
    @pa.dataframe_check(name="migrants.order")
    def certified_contacted_women_migrants_in_order(cls, df):
        return _within_bounds(df, "migrants", ("out_married_women", "out_migrants"))


class Services(form_columns("services")):
    @pa.dataframe_check(name="services.checkups")
    def done_within_due(cls, df):
        return _within_bounds(df, "services", ("checkups_due",))


OWN_RULES = {
    "births": Births,
    "beneficiaries": Beneficiaries,
    "contraception": Contraception,
    "migrants": Migrants,
    "services": Services,
}


def models() -> dict[str, type[pa.DataFrameModel]]:
    """Every data form's model, in the catalogue's order."""
    return {
        f.name: OWN_RULES.get(f.name) or form_columns(f.name) for f in load_catalogue().data_forms
    }
