"""The township summary for a period: the seed report's paragraph, the other figures, per village."""

from __future__ import annotations

import json
from datetime import datetime

import pandas as pd

from township.calendar import Period, month_zh
from township.ledger import FileOutcome, ledger_lines
from township.store import Warehouse, indicators

QUALITY = [
    "villages_expected",
    "villages_reported",
    "reporting_rate",
    "reporting_on_time_rate",
    "rows_quarantined",
    "duplicates_removed",
]
VILLAGE_COLUMNS = [
    "births_total",
    "births_parity_1",
    "births_parity_2",
    "births_parity_3plus",
    "births_out_of_policy",
    "policy_compliance_rate",
    "sex_ratio_at_birth",
]
PARAGRAPH_CODES = {
    "births_total",
    "births_parity_1",
    "births_parity_2",
    "births_parity_3plus",
    "births_out_of_policy_parity_2",
    "policy_compliance_rate",
    "sex_ratio_at_birth",
    "births_male",
    "births_female",
    "two_non_cases",
}

# Compared with the previous period and a year earlier when summary_text is given comparisons.
COMPARED = [
    "births_total",
    "policy_compliance_rate",
    "sex_ratio_at_birth",
    "contraceptive_prevalence",
    "reporting_rate",
]


class NoData(Exception):
    """The warehouse holds nothing for the period asked."""


def load_summary(
    wh: Warehouse, period_text: str, as_of: datetime | None = None, township: str | None = None
) -> tuple[Period, pd.DataFrame, pd.DataFrame]:
    """A period's values for one township and its villages (a county or prefecture warehouse
    holds several townships: the first by code unless one is named)."""
    period = Period.parse(period_text)
    towns = indicators.township_codes(wh)
    code = township or (towns[0] if towns else None)
    values = indicators.values(wh, period.key, as_of, code) if code in towns else pd.DataFrame()
    if values.empty:
        when = f" as of {as_of:%Y-%m-%d %H:%M}" if as_of else ""
        where = f" in township {township}" if township else ""
        raise NoData(f"no data for period {period.key}{when}{where}")
    return period, values, indicators.catalog(wh)


def _fmt(value: object, decimals: int = 0) -> str:
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.{decimals}f}" if decimals else f"{int(round(value))}"


def _township(values: pd.DataFrame) -> dict[str, object]:
    town = values[values["org_level"] == "township"]
    return dict(zip(town["indicator"], town["value"], strict=True))


def _through(period: Period, wh_last_month: str | None) -> str:
    last = min(period.end_month, wh_last_month or period.end_month)
    return f"截止{month_zh(last)}底"


def paragraph(period: Period, values: pd.DataFrame, last_month: str | None) -> str:
    """The first paragraph of the seed report, in its own words (SPEC §9), from the warehouse."""
    t = _township(values)
    return (
        f"{_through(period, last_month)}，全镇共出生婴儿{_fmt(t.get('births_total'))}人，"
        f"其中一孩{_fmt(t.get('births_parity_1'))}人，二孩{_fmt(t.get('births_parity_2'))}人，"
        f"多孩{_fmt(t.get('births_parity_3plus'))}人。"
        f"计外出生二孩{_fmt(t.get('births_out_of_policy_parity_2'))}人，"
        f"符合政策生育率为{_fmt(t.get('policy_compliance_rate'), 1)}%，"
        f"人口出生性别比为100：{_fmt(t.get('sex_ratio_at_birth'))}。"
    )


def remarks(values: pd.DataFrame) -> str:
    """What the seed adds after the figures: the sex ratio against its band, the 两非 cases."""
    t = _township(values)
    ratio, cases = t.get("sex_ratio_at_birth"), t.get("two_non_cases")
    parts = []
    if ratio is not None and not pd.isna(ratio):
        if 103 <= ratio <= 107:
            parts.append("出生人口性别比在103–107的正常值范围内")
        else:
            side = "低于" if ratio < 103 else "高于"
            parts.append(f"出生人口性别比{side}103–107的正常值范围")
    if cases is not None and not pd.isna(cases):
        parts.append("无“两非”案件发生" if cases == 0 else f"发生“两非”案件{_fmt(cases)}起")
    return "，".join(parts) + "。" if parts else ""


def _indicator_lines(values: pd.DataFrame, catalog: pd.DataFrame, codes: list[str]) -> list[str]:
    town = values[values["org_level"] == "township"].set_index("indicator")
    lines = []
    for item in (
        catalog.set_index("code").loc[[c for c in codes if c in set(catalog["code"])]].itertuples()
    ):
        row = town.loc[item.Index] if item.Index in town.index else None
        value = None if row is None else row["value"]
        shown = _fmt(value, int(item.decimals)) + (
            "" if item.unit in (None, "") or pd.isna(item.unit) else f" {item.unit}"
        )
        note = "" if row is None or pd.isna(row["note"]) else f"（{row['note']}）"
        lines.append(f"  {item.name_zh}：{shown}{note}")
    return lines


def _village_table(values: pd.DataFrame, catalog: pd.DataFrame) -> list[str]:
    names = dict(zip(catalog["code"], catalog["name_zh"], strict=True))
    village = values[values["org_level"] == "village"]
    wide = village.pivot(index="org_code", columns="indicator", values="value")
    org_names = dict(zip(village["org_code"], village["org_name"], strict=False))
    lines = ["  村代码        村名      " + " ".join(f"{names[c]:>6}" for c in VILLAGE_COLUMNS)]
    for code, row in wide.iterrows():
        cells = " ".join(
            f"{_fmt(row.get(c), 1 if c == 'policy_compliance_rate' else 0):>8}"
            for c in VILLAGE_COLUMNS
        )
        lines.append(f"  {code}  {org_names[code]:<6} {cells}")
    return lines


def _shown(value: object, decimals: int, unit: object) -> str:
    if value is None or pd.isna(value):
        return "无数据"
    text = _fmt(value, decimals)
    if unit == "%":
        return f"{text}%"
    return text if unit in (None, "", "女=100") or pd.isna(unit) else f"{text}{unit}"


def _delta(change: object, decimals: int, unit: object) -> str:
    if change is None or pd.isna(change):
        return ""
    if round(float(change), decimals) == 0:
        return "，持平"
    size = _fmt(abs(float(change)), decimals)
    if unit == "%":
        return f"，{'上升' if change > 0 else '下降'}{size}个百分点"
    if unit in (None, "", "女=100") or pd.isna(unit):
        return f"，{'上升' if change > 0 else '下降'}{size}"
    return f"，{'增加' if change > 0 else '减少'}{size}{unit}"


def _comparison_lines(comparisons: pd.DataFrame) -> list[str]:
    """The key indicators against the previous period and the same period a year earlier."""
    rows = comparisons[comparisons["indicator"].isin(COMPARED)].copy()
    rows["order"] = rows["indicator"].map(COMPARED.index)
    several = rows["org_code"].nunique() > 1
    lines = []
    for r in rows.sort_values(["org_code", "order"]).itertuples(index=False):
        d = int(r.decimals)
        lines.append(
            f"  {f'{r.org_name} ' if several else ''}{r.name_zh}："
            f"本期{_shown(r.value, d, r.unit)}；"
            f"上期（{r.previous_period}）{_shown(r.previous_value, d, r.unit)}"
            f"{_delta(r.previous_change, d, r.unit)}；"
            f"去年同期（{r.year_earlier_period}）{_shown(r.year_earlier_value, d, r.unit)}"
            f"{_delta(r.year_earlier_change, d, r.unit)}"
        )
    return lines


def _file_lines(files: pd.DataFrame | None) -> list[str]:
    """The file ledger of the period's months: counts, then each refused or ignored path."""
    if files is None or files.empty:
        return []
    outcomes = [
        FileOutcome(r.file_path, None, r.outcome, "", r.reason_zh)
        for r in files.itertuples(index=False)
    ]
    head, *rest = ledger_lines(outcomes)
    return [f"  {head}", *rest]


def summary_text(
    period: Period,
    values: pd.DataFrame,
    catalog: pd.DataFrame,
    last_month: str | None,
    comparisons: pd.DataFrame | None = None,
    files: pd.DataFrame | None = None,
) -> str:
    """The summary text; given `comparisons` (township.reports.compare.comparisons) it adds a
    与上期、去年同期比较 section for the key indicators (COMPARED); given `files`
    (township.store.queries.file_ledger), the files refused or not read in the data quality section."""
    others = [c for c in catalog["code"] if c not in PARAGRAPH_CODES and c not in QUALITY]
    compared = (
        ["与上期、去年同期比较：", *_comparison_lines(comparisons), ""]
        if comparisons is not None and not comparisons.empty
        else []
    )
    parts = [
        f"【{period.key} 全镇人口和计划生育统计】",
        paragraph(period, values, last_month) + remarks(values),
        "",
        *compared,
        "其他指标：",
        *_indicator_lines(values, catalog, others),
        "",
        "各村情况：",
        *_village_table(values, catalog),
        "",
        "数据质量：",
        *_indicator_lines(values, catalog, QUALITY),
        *_file_lines(files),
    ]
    return "\n".join(parts)


def summary_json(
    period: Period,
    values: pd.DataFrame,
    as_of: datetime | None,
    comparisons: pd.DataFrame | None = None,
) -> str:
    """The values as JSON; given `comparisons`, also a "comparisons" key (one record per
    township indicator: value, previous and year-earlier values, and the changes)."""
    records = values.astype(object).where(values.notna(), None).to_dict("records")
    document = {
        "period": period.key,
        "period_type": period.type,
        "as_of": as_of.isoformat() if as_of else None,
        "values": records,
    }
    if comparisons is not None:
        document["comparisons"] = (
            comparisons.astype(object).where(comparisons.notna(), None).to_dict("records")
        )
    return json.dumps(
        document,
        ensure_ascii=False,
        indent=1,
        default=str,
    )
