"""The truth: indicators computed from the true events, and the truth file.

No pipeline code is used: the figures follow from the generator's own list of events, so a
pipeline bug cannot hide in them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from township.synth.events import Beneficiary, Birth, MonthRecords, Village
from township.synth.months import month_of, periods_of_month
from township.synth.submissions import Submission

EVENT_INDICATORS = [
    "births_total",
    "births_male",
    "births_female",
    "births_parity_1",
    "births_parity_2",
    "births_parity_3plus",
    "births_in_policy",
    "births_out_of_policy",
    "births_out_of_policy_parity_2",
    "births_out_of_policy_parity_3plus",
    "new_reward_recipients",
    "new_special_assistance",
    "new_only_daughter_bonus",
    "leaflets",
    "slogans",
    "posters",
    "consultations",
    "follow_up_visits",
    "two_non_cases",
]
SERVICE_INDICATORS = [
    "leaflets",
    "slogans",
    "posters",
    "consultations",
    "follow_up_visits",
    "two_non_cases",
]
STOCK_INDICATORS = {  # indicator -> (form, field) of the one-record form it is read from
    "married_women": ("contraception", "married_women"),
    "out_migrants": ("migrants", "out_migrants"),
    "population": ("population", "population"),
    "one_child_certificates": ("population", "one_child_certificates"),
}
# 人口变动's events, counted in their report month: a village that never sends the form has none
POPULATION_EVENTS = ["deaths", "moved_in", "moved_out", "marriages"]
CATEGORY_INDICATOR = {
    "农村奖励扶助": "new_reward_recipients",
    "特别扶助": "new_special_assistance",
    "独女户高考加分": "new_only_daughter_bonus",
}


def birth_counts(birth: Birth) -> dict[str, int]:
    counts = {"births_total": 1, "births_male" if birth.child_sex == "男" else "births_female": 1}
    parity = "3plus" if birth.parity >= 3 else str(birth.parity)
    counts[f"births_parity_{parity}"] = 1
    if birth.in_policy:
        counts["births_in_policy"] = 1
    else:
        counts["births_out_of_policy"] = 1
        if birth.parity >= 2:
            counts[f"births_out_of_policy_parity_{parity}"] = 1
    return counts


def compute_indicators(
    villages: list[Village],
    births: Iterable[Birth],
    beneficiaries: Iterable[Beneficiary],
    records: dict[tuple[str, str], MonthRecords],
) -> dict[str, dict[str, dict[str, int]]]:
    """{period: {org_code: {indicator: value}}} for the township(s) and every village."""
    township_of = {v.code: v.township_code for v in villages}
    events: list[tuple[str, str, dict[str, int]]] = []  # (village, month, amounts)
    for b in births:
        events.append((b.village, month_of(b.birth_date), birth_counts(b)))
    for p in beneficiaries:
        events.append((p.village, month_of(p.approved_on), {CATEGORY_INDICATOR[p.category]: 1}))
    for (village, month), rec in records.items():
        events.append((village, month, {k: rec.services[k] for k in SERVICE_INDICATORS}))
        if rec.population is not None:
            events.append((village, month, {k: rec.population[k] for k in POPULATION_EVENTS}))

    months = {m for _, m, _ in events}
    periods = sorted({p for m in months for p in periods_of_month(m)})
    orgs = sorted(set(township_of.values())) + [v.code for v in villages]
    table = {p: {org: dict.fromkeys(EVENT_INDICATORS, 0) for org in orgs} for p in periods}
    for village, month, amounts in events:
        for period in periods_of_month(month):
            for org in (village, township_of[village]):
                row = table[period][org]
                for indicator, amount in amounts.items():
                    row[indicator] = row.get(indicator, 0) + amount
    _add_stocks(table, township_of, records)
    return table


def _add_stocks(table: dict, township_of: dict[str, str], records: dict) -> None:
    """Stocks: the value of the last month in the period the village reported; township = sum."""
    latest: dict[tuple[str, str], str] = {}  # (period, village) -> last reported month
    for village, month in records:
        for period in periods_of_month(month):
            key = (period, village)
            if month > latest.get(key, ""):
                latest[key] = month
    for (period, village), month in sorted(latest.items()):
        rec = records[(village, month)]
        values = {
            ind: getattr(rec, form)[f]
            for ind, (form, f) in STOCK_INDICATORS.items()
            if getattr(rec, form) is not None
        }
        township = table[period][township_of[village]]
        table[period][village].update(values)
        for indicator, value in values.items():
            township[indicator] = township.get(indicator, 0) + value


def write_truth(path: Path, truth: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def file_entry(relpath: str, sub: Submission) -> dict:
    """Who sent a file, for which month, and when it was received (naive Asia/Shanghai time)."""
    return {
        "file": relpath,
        "village_code": sub.village.code,
        "month": sub.month,
        "received": sub.received.isoformat(),
    }
