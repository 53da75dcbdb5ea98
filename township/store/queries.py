"""What the reports and the summary read from the warehouse: one function per named query
(township/sql/queries/<name>.sql), nothing but its result."""

from __future__ import annotations

from datetime import datetime

import pandas as pd

from township.store.warehouse import Warehouse


def villages(wh: Warehouse) -> pd.DataFrame:
    return wh.frame("villages")


def latest_report_month(wh: Warehouse, as_of: datetime | None = None) -> str | None:
    """The latest report month with an accepted file among the files received by as_of."""
    rows = wh.rows("latest_report_month", as_of)
    return rows[0][0] if rows else None


def month_submissions(wh: Warehouse, month: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Submissions, their findings with wording, and records per sheet, for a report month."""
    return tuple(
        wh.frame(name, month)
        for name in ("month_submissions", "month_findings", "month_form_counts")
    )


def file_ledger(wh: Warehouse, first_month: str, last_month: str) -> pd.DataFrame:
    """Each path's latest outcome, for report months first_month … last_month, and the
    paths outside any report-month folder."""
    return wh.frame("period_file_ledger", first=first_month, last=last_month)


def period_stock_outliers(
    wh: Warehouse, first_month: str, last_month: str, as_of: datetime | None = None
) -> pd.DataFrame:
    return wh.frame("period_stock_outliers", first=first_month, last=last_month, as_of=as_of)


def period_submissions(
    wh: Warehouse, first_month: str, last_month: str, as_of: datetime | None = None
) -> pd.DataFrame:
    return wh.frame("period_submissions", first=first_month, last=last_month, as_of=as_of)


def period_villages_behind(
    wh: Warehouse, first_month: str, last_month: str, as_of: datetime | None = None
) -> pd.DataFrame:
    return wh.frame("period_villages_behind", first=first_month, last=last_month, as_of=as_of)
