"""The seed report's own words (contract §9): its first paragraph, the remarks after it, and numbers
as the summary writes them."""

from __future__ import annotations

import pandas as pd

from township.calendar import Period, month_zh
from township.reports.summary.figures import sex_ratio_interval


def number(value: object, decimals: int = 0) -> str:
    """A figure as the summary shows it: `—` where there is none."""
    if value is None or pd.isna(value):
        return "—"
    return f"{value:.{decimals}f}" if decimals else f"{int(round(value))}"


def township_figures(values: pd.DataFrame) -> dict[str, object]:
    """indicator code → the township's value, from indicator_values rows."""
    town = values[values["org_level"] == "township"]
    return dict(zip(town["indicator"], town["value"], strict=True))


def _through(period: Period, last_month: str | None) -> str:
    last = min(period.end_month, last_month or period.end_month)
    return f"截止{month_zh(last)}底"


def paragraph(period: Period, values: pd.DataFrame, last_month: str | None) -> str:
    """The first paragraph of the seed report, in its own words (contract §9), from the warehouse."""
    t = township_figures(values)
    return (
        f"{_through(period, last_month)}，全镇共出生婴儿{number(t.get('births_total'))}人，"
        f"其中一孩{number(t.get('births_parity_1'))}人，二孩{number(t.get('births_parity_2'))}人，"
        f"多孩{number(t.get('births_parity_3plus'))}人。"
        f"计外出生二孩{number(t.get('births_out_of_policy_parity_2'))}人，"
        f"符合政策生育率为{number(t.get('policy_compliance_rate'), 1)}%，"
        f"人口出生性别比为100：{number(t.get('sex_ratio_at_birth'))}。"
    )


def _undecided(values: pd.DataFrame) -> str:
    """A clause when the township's sex ratio lies outside its band but its 95 % interval
    (Wilson's, for the share of boys) still reaches the band: too few births to judge."""
    town = values[
        (values["org_level"] == "township") & (values["indicator"] == "sex_ratio_at_birth")
    ]
    if town.empty:
        return ""
    boys, girls = town["numerator"].iloc[0], town["denominator"].iloc[0]
    interval = sex_ratio_interval(boys, girls)
    if interval is None or interval[1] < 103 or interval[0] > 107:
        return ""
    return (
        f"，但以出生{number(boys + girls)}人计，其95%置信区间为{number(interval[0])}–"
        f"{interval_end(interval[1])}，与正常值范围重叠，尚不能判断偏离"
    )


def interval_end(value: float, decimals: int = 0) -> str:
    """An interval's bound as the summary writes it: ∞ for an unbounded ratio."""
    return "∞" if value == float("inf") else number(value, decimals)


def remarks(values: pd.DataFrame) -> str:
    """What the seed adds after the figures: the sex ratio against its band, the 两非 cases."""
    t = township_figures(values)
    ratio, cases = t.get("sex_ratio_at_birth"), t.get("two_non_cases")
    parts = []
    if ratio is not None and not pd.isna(ratio):
        if 103 <= ratio <= 107:
            parts.append("出生人口性别比在103–107的正常值范围内")
        else:
            side = "低于" if ratio < 103 else "高于"
            parts.append(f"出生人口性别比{side}103–107的正常值范围" + _undecided(values))
    if cases is not None and not pd.isna(cases):
        parts.append("无“两非”案件发生" if cases == 0 else f"发生“两非”案件{number(cases)}起")
    return "，".join(parts) + "。" if parts else ""
