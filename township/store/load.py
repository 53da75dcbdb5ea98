"""Loading: what is known already, and the rows of one ingest, in one transaction."""

from __future__ import annotations

import os
import socket
import uuid
from datetime import datetime

import pandas as pd
import pyarrow as pa

from township.store.warehouse import Warehouse


def known_files(
    wh: Warehouse,
) -> dict[tuple[str, int, datetime], list[tuple[str, str | None, str]]]:
    """(relative path, size, received_at) -> [(submission id, village code, sha256)]: to skip
    unchanged files without reading them. Several only where an ID masked in two names made
    them one (tell them apart by their content)."""
    known: dict[tuple[str, int, datetime], list[tuple[str, str | None, str]]] = {}
    for p, s, r, sid, v, sha in wh.rows("known_files"):
        known.setdefault((p, s, r), []).append((sid, v, sha))
    return known


def known_submissions(wh: Warehouse) -> tuple[set[str], set[tuple[str, str]]]:
    """The submission ids received, and the (report month, sha256) of those received
    from a village (not refused)."""
    rows = wh.rows("known_submissions")
    ids = {sid for sid, _, _, _ in rows}
    return ids, {(month, sha) for _, month, sha, status in rows if status != "rejected"}


def villages_unchanged(wh: Warehouse, villages: pd.DataFrame) -> bool:
    """Whether the warehouse's village list is the one given, cell for cell."""
    stored = wh.rows("village_list")
    given = villages[
        ["village_code", "village_name", "township_code", "township_name", "aliases", "email"]
    ].sort_values("village_code")
    if len(stored) != len(given):
        return False
    # blanks as None, column by column (a prefecture's 10,000 villages, cell by cell: slow)
    columns = [
        [None if pd.isna(v) else v for v in values]
        for values in (given[c].tolist() for c in given.columns)
    ]
    return stored == list(zip(*columns, strict=True))


def insert_batch(wh: Warehouse, tables: dict[str, pa.Table | pd.DataFrame]) -> None:
    """Every table's new rows of one batch of files (facts.LoadBatch.tables)."""
    for name, rows in tables.items():
        wh.insert(name, rows)


def record_ingest(wh: Warehouse, run: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """An ingest's ledger (raw.ingests, raw.file_outcomes), in the open transaction."""
    wh.insert("raw.ingests", run)
    wh.insert("raw.file_outcomes", outcomes)


def record_ingest_alone(wh: Warehouse, run: pd.DataFrame, outcomes: pd.DataFrame) -> None:
    """The ledger of an ingest that loaded nothing, in a transaction of its own."""
    wh.transaction(lambda: record_ingest(wh, run, outcomes))


def finish_load(wh: Warehouse, n_files: int, load_id: str | None = None) -> int:
    """Commit the load, then materialize the indicators in a transaction of their own;
    returns the number of indicator rows.

    The load is all or nothing; the indicators are derived from it, and built from committed
    rows they take half the time. Between the two commits, and after a crash there, the
    indicators are stale: raw.loads says so, readers then compute them from the rows, and the
    next ingest materializes them."""
    from township.store.indicators import refresh

    wh.run(
        "record_load",
        load_id=load_id or uuid.uuid4().hex,
        n_files=n_files,
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    wh.commit_load()
    return refresh(wh)


def add_findings(wh: Warehouse, public: pd.DataFrame, private: pd.DataFrame) -> None:
    """Findings found after loading (cross-village, outliers), counted into their submissions."""
    if not len(public):
        return
    wh.insert("raw.findings", public)
    wh.insert("restricted.findings", private)
    counts = public.groupby("submission_id")["severity"].value_counts().unstack(fill_value=0)
    for submission_id, row in counts.iterrows():
        wh.run(
            "count_findings",
            warnings=int(row.get("warning", 0)),
            errors=int(row.get("error", 0)),
            submission_id=submission_id,
        )


def withdraw_resent_late_findings(wh: Warehouse, submission_ids: list[str]) -> int:
    """Late-birth warnings on births the village already sent for an earlier month, withdrawn
    (a register sent whole every month is not late again each month); their submissions'
    counts and statuses follow. Returns how many were withdrawn."""
    return _withdraw(wh, wh.frame("resent_late_findings", submission_ids))


def withdraw_empty_forms_held_elsewhere(wh: Warehouse, submission_ids: list[str]) -> int:
    """The `record.empty` errors on one-record forms the village holds this month from another
    file, filled in (a supplement on the blank template), withdrawn. Returns how many."""
    return _withdraw(wh, wh.frame("empty_forms_held_elsewhere", submission_ids))


def _withdraw(wh: Warehouse, found: pd.DataFrame) -> int:
    """Findings withdrawn (finding_key, submission_id, severity), their submissions' counts and
    statuses following."""
    if not len(found):
        return 0
    keys = found["finding_key"].tolist()
    wh.run("withdraw_findings", keys)
    wh.run_private("withdraw_restricted_findings", keys)
    for submission_id, group in found.groupby("submission_id"):
        errors = int((group["severity"] == "error").sum())
        wh.run(
            "uncount_findings",
            warnings=len(group) - errors,
            errors=errors,
            submission_id=submission_id,
        )
    return len(keys)


def submission_statuses(wh: Warehouse, submission_ids: list[str]) -> list[dict]:
    frame = wh.frame("submission_statuses", submission_ids)
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def next_finding_numbers(wh: Warehouse, submission_ids: list[str]) -> dict[str, int]:
    return {sid: int(n) for sid, n in wh.rows("next_finding_numbers", submission_ids)}


def cross_village_losers(wh: Warehouse, submission_ids: list[str]) -> pd.DataFrame:
    """Births of these submissions that count for another village (contract §6)."""
    return wh.frame("cross_village_losers", submission_ids)


def older_than_loaded(wh: Warehouse, submission_ids: list[str]) -> pd.DataFrame:
    """Forms of these submissions not used: a version received later was loaded before."""
    return wh.frame("older_than_loaded", submission_ids)


def stock_outliers(wh: Warehouse, submission_ids: list[str]) -> pd.DataFrame:
    """Stock figures of these submissions far from their village's other months."""
    return wh.frame("stock_outliers", submission_ids, submission_ids)


def population_imbalances(wh: Warehouse, submission_ids: list[str], tolerance: int) -> pd.DataFrame:
    """人口变动 records of these submissions whose population change their own figures do not
    explain, by more than `tolerance` people."""
    return wh.frame("population_imbalances", ids=submission_ids, tolerance=tolerance)
