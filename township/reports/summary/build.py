"""The township summary as data: everything its text, JSON, workbook and charts show, read from
the warehouse once (build_summary), for one township and its villages."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

import pandas as pd

from township.calendar import Period
from township.forms import load_catalogue
from township.reports.summary.compare import comparisons, values_for
from township.reports.summary.figures import (
    JUDGED,
    rate_interval,
    sex_ratio_band,
    sex_ratio_interval,
    verdict,
)
from township.reports.summary.words import paragraph, remarks
from township.store import Warehouse, indicators, queries

# Births by month are shown by parity: (indicator code, Chinese label, ASCII label).
PARITIES = [
    ("births_parity_1", "一孩", "1st child"),
    ("births_parity_2", "二孩", "2nd child"),
    ("births_parity_3plus", "多孩", "3rd+ child"),
]


class NoData(Exception):
    """The warehouse holds nothing for the period asked."""


@dataclass(frozen=True)
class Detail:
    """What the workbook and its charts show beyond the text, read only for them."""

    town: pd.DataFrame  # the catalog, + value, num, den, note, previous_value, year_earlier_value
    villages: pd.DataFrame  # one row per village listed under the township: one column per code
    months: pd.DataFrame  # month, then the births of each parity (PARITIES)
    outliers: pd.DataFrame  # stock.outlier findings: village_code, report_month, field_zh …
    submissions: pd.DataFrame  # every file received for the period's months, with its status


@dataclass(frozen=True)
class Summary:
    """A period's township summary: one township (the first by code unless named) and its
    villages, as the warehouse knew them at `as_of` (None: now)."""

    period: Period
    as_of: datetime | None
    last_month: str | None  # the latest report month with an accepted file, by as_of
    township_code: str
    township_name: str
    paragraph: str  # the seed report's first paragraph (contract §9)
    remarks: str  # the sex ratio against its band, the 两非 cases
    values: pd.DataFrame  # indicator_values of the township and of its villages (by code)
    catalog: pd.DataFrame  # the indicator catalog
    # The township's indicators against the previous period and a year earlier; None when not
    # asked for (the monthly run's summary leaves them out).
    comparisons: pd.DataFrame | None
    files: pd.DataFrame | None  # the file ledger of the period's months; None as of a past moment
    # The township's villages behind in the period: village_code, village_name, report_month,
    # issue (missing | late | errors | quarantined) and n (files with errors, rows quarantined).
    behind: pd.DataFrame
    # The village rates that small numbers make uncertain (figures.JUDGED), one row per village
    # and rate: value, numerator, denominator, cases, the 95 % interval (low, high), the
    # reference it is judged against (reference_low, reference_high) and the verdict.
    judged: pd.DataFrame
    detail: Detail | None  # None when not asked for (a text or JSON summary has no use for it)


def build_summary(
    wh: Warehouse,
    period_text: str,
    as_of: datetime | None = None,
    township: str | None = None,
    compare: bool = True,
    detail: bool = True,
) -> Summary:
    """The summary of a period; NoData when the warehouse has nothing for it (or for the
    township named). `compare`: with the comparisons against earlier periods; `detail`: with
    the tables of the workbook and its charts."""
    period = Period.parse(period_text)
    values = _township_values(wh, period, as_of, township)
    catalog = indicators.catalog(wh)
    last = queries.latest_report_month(wh, as_of)
    own = values[values["org_level"] == "township"].sort_values("org_code")
    code, name = own["org_code"].iloc[0], own["org_name"].iloc[0]
    compared = _comparisons(wh, period, as_of, code) if compare else None
    summary = Summary(
        period=period,
        as_of=as_of,
        last_month=last,
        township_code=code,
        township_name=name,
        paragraph=paragraph(period, values, last),
        remarks=remarks(values),
        values=values,
        catalog=catalog,
        comparisons=compared,
        files=_file_ledger(wh, period) if as_of is None else None,
        behind=_villages_behind(wh, period, as_of, code),
        judged=judge_villages(values, catalog),
        detail=None,
    )
    return replace(summary, detail=_detail(wh, summary)) if detail else summary


ISSUE_ORDER = ["missing", "late", "errors", "quarantined"]


def _members(wh: Warehouse, township: str) -> set[str]:
    registry = queries.villages(wh)
    return set(registry.loc[registry["township_code"] == township, "village_code"])


def _villages_behind(
    wh: Warehouse, period: Period, as_of: datetime | None, township: str
) -> pd.DataFrame:
    """The township's villages missing, late, with errors or quarantined rows, by month."""
    frame = queries.period_villages_behind(wh, period.start_month, period.end_month, as_of)
    return frame[frame["village_code"].isin(_members(wh, township))].reset_index(drop=True)


def judge_villages(values: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """Each village's judged rates (figures.JUDGED) with their intervals and verdicts: a figure
    is flagged only when its whole 95 % interval lies beyond the reference."""
    band = sex_ratio_band(catalog)
    names = dict(zip(catalog["code"], catalog["name_zh"], strict=True))
    town = values[values["org_level"] == "township"].set_index("indicator")["value"]
    village = values[values["org_level"] == "village"]
    rows = []
    for r in village[village["indicator"].isin(list(JUDGED))].itertuples(index=False):
        num, den = r.numerator, r.denominator
        if JUDGED[r.indicator] == "band":
            interval = sex_ratio_interval(num, den)
            cases = None if pd.isna(num) or pd.isna(den) else int(num) + int(den)
            reference = band
        else:
            interval = rate_interval(num, den)
            cases = None if pd.isna(den) else int(den)
            reference = (town.get(r.indicator), None)
        rows.append(
            {
                "org_code": r.org_code,
                "org_name": r.org_name,
                "indicator": r.indicator,
                "name_zh": names.get(r.indicator, r.indicator),
                "value": None if pd.isna(r.value) else float(r.value),
                "numerator": None if pd.isna(num) else int(num),
                "denominator": None if pd.isna(den) else int(den),
                "cases": cases,
                "low": None if interval is None else interval[0],
                "high": None if interval is None else interval[1],
                "reference_low": reference[0],
                "reference_high": reference[1],
                "verdict": verdict(r.value, interval, *reference),
            }
        )
    columns = ["org_code", "org_name", "indicator", "name_zh", "value", "numerator"]
    columns += ["denominator", "cases", "low", "high", "reference_low", "reference_high"]
    frame = pd.DataFrame(rows, columns=[*columns, "verdict"])
    order = frame["indicator"].map(list(JUDGED).index)  # the sex ratio first, as JUDGED has it
    return (
        frame.assign(order=order)
        .sort_values(["order", "org_code"], ignore_index=True)
        .drop(columns="order")
    )


def _detail(wh: Warehouse, summary: Summary) -> Detail:
    """The workbook's tables, for the township's villages as the reference list has them."""
    period, as_of, code = summary.period, summary.as_of, summary.township_code
    members = _members(wh, code)
    values = summary.values
    listed = values[(values["org_code"] == code) | values["org_code"].isin(members)]
    own = values[values["org_level"] == "township"]
    outliers = _stock_outliers(wh, period, as_of)
    submissions = queries.period_submissions(wh, period.start_month, period.end_month, as_of)
    return Detail(
        town=_town_table(summary.catalog, own, summary.comparisons),
        villages=_village_table(listed, summary.catalog),
        months=_births_by_month(wh, period, summary.last_month, code, as_of),
        outliers=outliers[outliers["village_code"].isin(members)],
        submissions=submissions[
            submissions["village_code"].isin(members) | submissions["village_code"].isna()
        ],
    )


def _township_values(
    wh: Warehouse, period: Period, as_of: datetime | None, township: str | None
) -> pd.DataFrame:
    """A period's values for one township and its villages (a county or prefecture warehouse
    holds several townships: the first by code unless one is named)."""
    towns = indicators.township_codes(wh)
    code = township or (towns[0] if towns else None)
    values = indicators.values(wh, period.key, as_of, code) if code in towns else pd.DataFrame()
    if values.empty:
        when = f" as of {as_of:%Y-%m-%d %H:%M}" if as_of else ""
        where = f" in township {township}" if township else ""
        raise NoData(f"no data for period {period.key}{when}{where}")
    return values


def _comparisons(
    wh: Warehouse, period: Period, as_of: datetime | None, township: str
) -> pd.DataFrame:
    compared = comparisons(wh, period.key, as_of)
    return compared[compared["org_code"] == township]


def _town_table(
    catalog: pd.DataFrame, own: pd.DataFrame, compared: pd.DataFrame | None
) -> pd.DataFrame:
    """Every catalog indicator with the township's value, numerator, denominator and note, and
    its values in the previous period and a year earlier (blank without comparisons)."""
    earlier = ["indicator", "previous_value", "year_earlier_value"]
    compared = compared if compared is not None else pd.DataFrame(columns=earlier, dtype=object)
    figures = own.rename(columns={"numerator": "num", "denominator": "den"})
    return catalog.merge(
        figures[["indicator", "value", "num", "den", "note"]],
        left_on="code",
        right_on="indicator",
        how="left",
    ).merge(compared[earlier], on="indicator", how="left")


def _village_table(values: pd.DataFrame, catalog: pd.DataFrame) -> pd.DataFrame:
    """One row per village (org_code, org_name), one column per catalog indicator."""
    village = values[values["org_level"] == "village"]
    wide = (
        village.pivot(index=["org_code", "org_name"], columns="indicator", values="value")
        .reindex(columns=list(catalog["code"]))
        .reset_index()
        .sort_values("org_code", ignore_index=True)
    )
    wide.columns.name = None
    return wide


def _file_ledger(wh: Warehouse, period: Period) -> pd.DataFrame:
    """Each path's latest outcome for the period's report months (and those outside any)."""
    return queries.file_ledger(wh, period.start_month, period.end_month)


def _births_by_month(
    wh: Warehouse, period: Period, last: str | None, township: str, as_of: datetime | None
) -> pd.DataFrame:
    """Township births by parity for each month of the period up to the last report month."""
    months = period.months
    shown = [m for m in months if last is None or m <= last] or months
    values = values_for(wh, shown, as_of)
    town = values[(values["org_level"] == "township") & (values["org_code"] == township)]
    wide = town.pivot(index="period", columns="indicator", values="value")
    codes = [c for c, _, _ in PARITIES]
    frame = wide.reindex(index=shown, columns=codes).rename_axis("month").reset_index()
    frame.columns.name = None
    return frame


def _stock_outliers(wh: Warehouse, period: Period, as_of: datetime | None) -> pd.DataFrame:
    """stock.outlier findings on the current version of a village's sheet, months of the period
    (a figure a village has since corrected is not shown), with the field's Chinese name."""
    frame = queries.period_stock_outliers(wh, period.start_month, period.end_month, as_of)
    forms = load_catalogue().forms
    frame["field_zh"] = [
        forms[form].field(name).name_zh if form in forms else name
        for form, name in zip(frame["form"], frame["field"], strict=True)
    ]
    return frame
