"""What the workbook and its charts both draw: the indicators shown and their normal bands."""

from __future__ import annotations

import pandas as pd

SEX_RATIO = "sex_ratio_at_birth"
ON_TIME = "reporting_on_time_rate"


def missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def out_of_range(value: object, low: object, high: object) -> bool:
    if missing(value):
        return False
    return (not missing(low) and value < low) or (not missing(high) and value > high)


def sex_ratio_band(catalog: pd.DataFrame) -> tuple[float | None, float | None]:
    """The sex ratio's normal range (low, high) from the indicator catalog."""
    row = catalog[catalog["code"] == SEX_RATIO]
    if row.empty:
        return None, None
    low, high = row["normal_low"].iloc[0], row["normal_high"].iloc[0]
    return (None if missing(low) else float(low)), (None if missing(high) else float(high))


def bound_text(value: object) -> str:
    return "" if missing(value) else f"{float(value):g}"


# The village rates judged against a reference, whose numerator and denominator can be small:
# code → which side is a concern: "band" (outside the catalog's normal range, either way) or
# "low" (below the township's own rate).
JUDGED = {
    SEX_RATIO: "band",
    "policy_compliance_rate": "low",
    "certificate_rate": "low",
}
Z95 = 1.959963984540054  # the normal quantile of a two-sided 95 % interval


def wilson(successes: float, trials: float, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a proportion successes/trials (None without trials): it stays
    inside 0–1 and keeps its coverage on the small counts of a village."""
    if missing(successes) or missing(trials) or trials <= 0:
        return None
    n, p = float(trials), float(successes) / float(trials)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * (p * (1 - p) / n + z * z / (4 * n * n)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)


def ratio_of_share(p: float) -> float:
    """Boys per 100 girls from the share of boys p: 100·p/(1−p) (infinite when p = 1)."""
    return float("inf") if p >= 1 else 100 * p / (1 - p)


def sex_ratio_interval(boys: float, girls: float) -> tuple[float, float] | None:
    """The sex ratio's 95 % interval: Wilson's for the share of boys, as a ratio."""
    if missing(boys) or missing(girls):
        return None
    share = wilson(boys, float(boys) + float(girls))
    return None if share is None else (ratio_of_share(share[0]), ratio_of_share(share[1]))


def rate_interval(numerator: float, denominator: float, factor: float = 100) -> tuple | None:
    share = wilson(numerator, denominator)
    return None if share is None else (share[0] * factor, share[1] * factor)


def verdict(value, interval, low, high) -> str | None:
    """How a village figure stands against its reference low–high (a band, or one value):
    "high"/"low" when its whole interval lies beyond it; "unclear" when the figure itself is
    outside but the interval reaches it (too few cases to judge); "normal" otherwise; None
    without a figure."""
    if missing(value) or interval is None:
        return None
    if not missing(high) and interval[0] > high:
        return "high"
    if not missing(low) and interval[1] < low:
        return "low"
    return "unclear" if out_of_range(value, low, high) else "normal"


VERDICT_ZH = {
    "high": "偏高",
    "low": "偏低",
    "unclear": "数字太小，无法判断",
    "normal": "正常",
    None: "无数值",
}


def verdict_zh(value: object) -> str:
    return VERDICT_ZH[None if missing(value) else value]


ISSUES_ZH = {
    "missing": "未报（该月没有收到可用的报表）",
    "late": "迟报（次月5日后才收到）",
    "errors": "报表有错误（当前版本有错误，待重报）",
    "quarantined": "有隔离记录（有错误的行未入统计）",
}


def behind_by_village(behind: pd.DataFrame, issue: str) -> list[tuple[str, str, str]]:
    """(village code, name, months) of the villages with this issue: `2025-10、2025-11`, with
    the rows for quarantined ones (`2025-11 1行`)."""
    rows = behind[behind["issue"] == issue]
    out = []
    for (code, name), g in rows.groupby(["village_code", "village_name"], sort=True):
        months = [
            f"{m} {int(n)}行" if issue == "quarantined" else m
            for m, n in zip(g["report_month"], g["n"], strict=True)
        ]
        out.append((code, name, "、".join(months)))
    return out
