"""The township summary as text: the seed report's paragraph, the key figures against earlier
periods, the other figures, per village, and the data quality with the file ledger."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from township.config import Settings
from township.ledger import FileOutcome, ledger_lines
from township.reports.summary.build import Summary
from township.reports.summary.figures import (
    ISSUES_ZH,
    JUDGED,
    SEX_RATIO,
    behind_by_village,
    bound_text,
    verdict_zh,
)
from township.reports.summary.words import interval_end, number

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

# Compared with the previous period and a year earlier, when the summary has comparisons.
COMPARED = [
    "births_total",
    "policy_compliance_rate",
    "sex_ratio_at_birth",
    "contraceptive_prevalence",
    "reporting_rate",
]


def _indicator_lines(values: pd.DataFrame, catalog: pd.DataFrame, codes: list[str]) -> list[str]:
    town = values[values["org_level"] == "township"].set_index("indicator")
    lines = []
    for item in (
        catalog.set_index("code").loc[[c for c in codes if c in set(catalog["code"])]].itertuples()
    ):
        row = town.loc[item.Index] if item.Index in town.index else None
        value = None if row is None else row["value"]
        shown = number(value, int(item.decimals)) + (
            "" if item.unit in (None, "") or pd.isna(item.unit) else f" {item.unit}"
        )
        note = "" if row is None or pd.isna(row["note"]) else f"（{row['note']}）"
        lines.append(f"  {item.name_zh}：{shown}{note}")
    return lines


def _village_table(values: pd.DataFrame, catalog: pd.DataFrame, judged: pd.DataFrame) -> list[str]:
    """One line per village; after the sex ratio its 95 % interval and the judgement."""
    names = dict(zip(catalog["code"], catalog["name_zh"], strict=True))
    village = values[values["org_level"] == "village"]
    wide = village.pivot(index="org_code", columns="indicator", values="value")
    org_names = dict(zip(village["org_code"], village["org_name"], strict=False))
    ratios = judged[judged["indicator"] == SEX_RATIO].set_index("org_code")
    header = " ".join(f"{names[c]:>6}" for c in VILLAGE_COLUMNS)
    lines = [f"  村代码        村名      {header}  性别比95%区间  判断"]
    for code, row in wide.iterrows():
        cells = " ".join(
            f"{number(row.get(c), 1 if c == 'policy_compliance_rate' else 0):>8}"
            for c in VILLAGE_COLUMNS
        )
        lines.append(f"  {code}  {org_names[code]:<6} {cells}  {_ratio_cell(ratios, code)}")
    return lines


def _ratio_cell(ratios: pd.DataFrame, code: str) -> str:
    if code not in ratios.index or pd.isna(ratios.loc[code, "low"]):
        return f"{'—':>12}  无数值"
    r = ratios.loc[code]
    span = f"{number(r['low'])}–{interval_end(r['high'])}"
    return f"{span:>12}  {verdict_zh(r['verdict'])}"


def _behind_lines(behind: pd.DataFrame) -> list[str]:
    """The villages missing, late, with errors or quarantined rows, with the months."""
    lines = []
    for issue, label in ISSUES_ZH.items():
        villages = behind_by_village(behind, issue)
        named = "；".join(f"{name}（{months}）" for _, name, months in villages)
        lines.append(f"  {label}：{f'{len(villages)}个村：{named}' if villages else '无'}")
    return lines


def _interval(low: object, high: object, decimals: int, unit: str) -> str:
    return f"区间{number(low, decimals)}–{interval_end(high, decimals)}{unit}"


def _judged_lines(judged: pd.DataFrame, catalog: pd.DataFrame) -> list[str]:
    """Each judged rate: the villages its 95 % interval puts beyond the reference, and those
    whose figure looks off but rests on too few cases to judge."""
    lines = []
    for code, side in JUDGED.items():
        rows = judged[judged["indicator"] == code]
        if rows.empty:
            continue
        lines += _sex_ratio_lines(rows) if side == "band" else _rate_lines(rows)
    return lines


def _sex_ratio_lines(rows: pd.DataFrame) -> list[str]:
    band = (
        f"{bound_text(rows['reference_low'].iloc[0])}–{bound_text(rows['reference_high'].iloc[0])}"
    )

    def one(r) -> str:
        return (
            f"{r.org_name} {number(r.value)}（男{number(r.numerator)}、女{number(r.denominator)}，"
            f"{_interval(r.low, r.high, 0, '')}）"
        )

    off = [one(r) for r in rows.itertuples() if r.verdict in ("high", "low")]
    unclear = [one(r) for r in rows.itertuples() if r.verdict == "unclear"]
    cases = rows["cases"].dropna()
    span = f"{int(cases.min())}–{int(cases.max())}" if not cases.empty else "—"
    return [
        f"  出生人口性别比（各村出生{span}人；按男婴占比的95%置信区间判断，正常值范围{band}）：",
        f"    区间整体超出正常值范围的村：{'；'.join(off) if off else '无'}",
        f"    数值在正常值范围外、但出生数太少无法判断的村（{len(unclear)}个）："
        + ("；".join(unclear) if unclear else "无"),
    ]


def _rate_lines(rows: pd.DataFrame) -> list[str]:
    name, town = rows["name_zh"].iloc[0], rows["reference_low"].iloc[0]

    def one(r) -> str:
        return (
            f"{r.org_name} {number(r.value, 1)}%（{number(r.numerator)}/{number(r.denominator)}，"
            f"{_interval(r.low, r.high, 1, '%')}）"
        )

    low = [one(r) for r in rows.itertuples() if r.verdict == "low"]
    unclear = [one(r) for r in rows.itertuples() if r.verdict == "unclear"]
    return [
        f"  {name}（与全镇{number(town, 1)}%相比，按95%置信区间判断）：",
        f"    明显低于全镇的村：{'；'.join(low) if low else '无'}",
        f"    低于全镇、但差别在偶然波动范围内的村（{len(unclear)}个）："
        + ("；".join(unclear) if unclear else "无"),
    ]


def _shown(value: object, decimals: int, unit: object) -> str:
    if value is None or pd.isna(value):
        return "无数据"
    text = number(value, decimals)
    if unit == "%":
        return f"{text}%"
    return text if unit in (None, "", "女=100") or pd.isna(unit) else f"{text}{unit}"


def _delta(change: object, decimals: int, unit: object) -> str:
    if change is None or pd.isna(change):
        return ""
    if round(float(change), decimals) == 0:
        return "，持平"
    size = number(abs(float(change)), decimals)
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
    # whole columns as lists: row by row, Arrow-backed columns cost a call per value
    columns = (files[name].tolist() for name in ("file_path", "outcome", "reason_zh"))
    outcomes = [
        FileOutcome(path, None, outcome, "", reason)
        for path, outcome, reason in zip(*columns, strict=True)
    ]
    head, *rest = ledger_lines(outcomes)
    return [f"  {head}", *rest]


def show(summary: Summary) -> str:
    """The summary text; a 与上期、去年同期比较 section for the key indicators (COMPARED) when the
    summary has comparisons; the files refused or not read in the data quality section."""
    values, catalog, comparisons = summary.values, summary.catalog, summary.comparisons
    others = [c for c in catalog["code"] if c not in PARAGRAPH_CODES and c not in QUALITY]
    compared = (
        ["与上期、去年同期比较：", *_comparison_lines(comparisons), ""]
        if comparisons is not None and not comparisons.empty
        else []
    )
    parts = [
        f"【{summary.period.key} 全镇人口和计划生育统计】",
        summary.paragraph + summary.remarks,
        "",
        *compared,
        "其他指标：",
        *_indicator_lines(values, catalog, others),
        "",
        "需关注的村：",
        *_behind_lines(summary.behind),
        "",
        "各村小数字的判断（只在95%置信区间整体超出参照时才算偏离）：",
        *_judged_lines(summary.judged, catalog),
        "",
        "各村情况：",
        *_village_table(values, catalog, summary.judged),
        "",
        "数据质量：",
        *_indicator_lines(values, catalog, QUALITY),
        *_file_lines(summary.files),
    ]
    return "\n".join(parts)


def write(summary: Summary, path: Path, settings: Settings) -> list[Path]:
    path.write_text(show(summary) + "\n", encoding="utf-8")
    return [path]
