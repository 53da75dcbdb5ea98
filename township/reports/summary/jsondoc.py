"""The township summary as JSON: the period, the values of the township and its villages, and
(when the summary has them) the comparisons with earlier periods."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from township.config import Settings
from township.reports.summary.build import Summary
from township.reports.summary.figures import ISSUES_ZH, verdict_zh


def _records(frame: pd.DataFrame) -> list[dict]:
    """JSON records: null for a missing value and for an unbounded interval's end (JSON has no
    infinity)."""
    frame = frame.replace([float("inf"), float("-inf")], None)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _named(frame: pd.DataFrame, catalog: pd.DataFrame, key: str = "indicator") -> pd.DataFrame:
    """The frame with each indicator's Chinese name and unit beside its code."""
    names = catalog[["code", "name_zh", "unit"]].rename(columns={"code": key})
    extra = [c for c in ("name_zh", "unit") if c in frame.columns]
    return frame.drop(columns=extra).merge(names, on=key, how="left")


def _behind(summary: Summary) -> dict[str, list[dict]]:
    """issue → the villages with it: code, name and the months (and rows, where counted)."""
    out = {}
    for issue in ISSUES_ZH:
        rows = summary.behind[summary.behind["issue"] == issue]
        out[issue] = [
            {
                "village_code": code,
                "village_name": name,
                "months": list(g["report_month"]),
                "count": int(g["n"].sum()),
            }
            for (code, name), g in rows.groupby(["village_code", "village_name"], sort=True)
        ]
    return out


def show(summary: Summary) -> str:
    """One document: the township, the paragraph (with its remarks), each value with its
    indicator's Chinese name and unit and its unit's name, the villages behind (missing, late,
    with errors, with quarantined rows, each with its months), the villages' judged rates with
    their 95 % intervals and verdicts; a "comparisons" key (one record per township indicator:
    value, previous and year-earlier values, and the changes) when the summary has them."""
    document = {
        "period": summary.period.key,
        "period_type": summary.period.type,
        "as_of": summary.as_of.isoformat() if summary.as_of else None,
        "township_code": summary.township_code,
        "township_name": summary.township_name,
        "paragraph": summary.paragraph + summary.remarks,
        "issues_zh": ISSUES_ZH,
        "villages_behind": _behind(summary),
        "indicators": _records(summary.catalog),
        "values": _records(_named(summary.values, summary.catalog)),
        "judged": _records(
            summary.judged.assign(verdict_zh=summary.judged["verdict"].map(verdict_zh))
        ),
    }
    if summary.comparisons is not None:
        document["comparisons"] = _records(summary.comparisons)
    return json.dumps(document, ensure_ascii=False, indent=1, default=str)


def write(summary: Summary, path: Path, settings: Settings) -> list[Path]:
    path.write_text(show(summary) + "\n", encoding="utf-8")
    return [path]
