"""The township summary as JSON: the period, the values of the township and its villages, and
(when the summary has them) the comparisons with earlier periods."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from township.config import Settings
from township.reports.summary.build import Summary


def _records(frame: pd.DataFrame) -> list[dict]:
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def show(summary: Summary) -> str:
    """One document; a "comparisons" key (one record per township indicator: value, previous
    and year-earlier values, and the changes) when the summary has comparisons."""
    document = {
        "period": summary.period.key,
        "period_type": summary.period.type,
        "as_of": summary.as_of.isoformat() if summary.as_of else None,
        "values": _records(summary.values),
    }
    if summary.comparisons is not None:
        document["comparisons"] = _records(summary.comparisons)
    return json.dumps(document, ensure_ascii=False, indent=1, default=str)


def write(summary: Summary, path: Path, settings: Settings) -> list[Path]:
    path.write_text(show(summary) + "\n", encoding="utf-8")
    return [path]
