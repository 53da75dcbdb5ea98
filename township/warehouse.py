"""The one module that touches storage: the DuckDB file, its schemas, loads and queries."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import yaml

SQL_DIR = Path(__file__).with_name("sql")
INDICATOR_CATALOG = Path(__file__).parent / "indicators" / "catalog.yaml"
SCHEMAS = ("raw", "staging", "marts", "restricted")
# Creation order: macros before the macros that call them.
DDL_FILES = [
    "raw/villages.sql",
    "raw/submissions.sql",
    "raw/submission_forms.sql",
    "raw/births.sql",
    "raw/beneficiaries.sql",
    "raw/contraception.sql",
    "raw/migrants.sql",
    "raw/services.sql",
    "raw/findings.sql",
    "restricted/births.sql",
    "restricted/beneficiaries.sql",
    "restricted/findings.sql",
    "staging/periods_of.sql",
    "staging/round_half_up.sql",
    "staging/current_forms.sql",
    "staging/births.sql",
    "staging/beneficiaries.sql",
    "staging/contraception.sql",
    "staging/migrants.sql",
    "staging/services.sql",
    "marts/indicator_catalog.sql",
    "marts/indicator_values_table.sql",
    "marts/village_measures.sql",
    "marts/indicator_lineage.sql",
    "marts/births.sql",
    "marts/birth_rows.sql",
    "marts/beneficiaries.sql",
    "marts/contraception.sql",
    "marts/migrants.sql",
    "marts/services.sql",
    "marts/form_versions.sql",
    "marts/submissions.sql",
    "marts/findings.sql",
    "marts/quarantined_rows.sql",
    "marts/villages.sql",
]
LOAD_ORDER = [
    "raw.submissions",
    "raw.submission_forms",
    "raw.births",
    "restricted.births",
    "raw.beneficiaries",
    "restricted.beneficiaries",
    "raw.contraception",
    "raw.migrants",
    "raw.services",
    "raw.findings",
    "restricted.findings",
]


class WarehouseBusy(Exception):
    """Another process holds the warehouse for longer than we were willing to wait."""


def sql(name: str) -> str:
    return (SQL_DIR / name).read_text(encoding="utf-8")


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc).lower()
    return "lock" in text or "conflicting" in text


def connect(
    path: Path, read_only: bool = False, wait_seconds: float = 60.0
) -> duckdb.DuckDBPyConnection:
    """Open the file, waiting while another process holds its write lock."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + wait_seconds
    delay = 0.2
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only)
            # no progress bar: long statements would otherwise draw one on the terminal
            con.execute("set enable_progress_bar = false")
            return con
        except duckdb.IOException as exc:
            if not _is_lock_error(exc) or time.monotonic() >= deadline:
                if _is_lock_error(exc):
                    raise WarehouseBusy(
                        f"warehouse {path} is held by another process (waited {wait_seconds:.0f} s); "
                        "try again when the other ingest has finished"
                    ) from exc
                raise
            time.sleep(delay)
            delay = min(delay * 2, 2.0)


class Warehouse:
    def __init__(self, path: Path, read_only: bool = False, wait_seconds: float = 60.0):
        self.path = Path(path)
        self.con = connect(self.path, read_only=read_only, wait_seconds=wait_seconds)
        if not read_only:
            self.ensure_schema()

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Warehouse:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------
    def ensure_schema(self) -> None:
        self.con.execute("begin transaction")
        for schema in SCHEMAS:
            self.con.execute(f"create schema if not exists {schema}")
        for name in DDL_FILES:
            self.con.execute(sql(name))
        self.con.execute("commit")

    # -- what is known --------------------------------------------------------------------
    def known_files(self) -> dict[tuple[str, int, datetime], str]:
        """(relative path, size, received_at) -> sha256, to skip unchanged files without hashing."""
        rows = self.con.execute(
            "select file_path, size_bytes, received_at, file_sha256 from raw.submissions"
        ).fetchall()
        return {(p, s, r): sha for p, s, r, sha in rows}

    def known_submissions(self) -> set[str]:
        rows = self.con.execute("select submission_id from raw.submissions").fetchall()
        return {r[0] for r in rows}

    # -- loading --------------------------------------------------------------------------
    def begin(self) -> None:
        self.con.execute("begin transaction")

    def commit(self) -> None:
        self.con.execute("commit")

    def rollback(self) -> None:
        self.con.execute("rollback")

    def villages_unchanged(self, villages: pd.DataFrame) -> bool:
        stored = self.con.execute(
            "select village_code, village_name, township_code, township_name, aliases, email "
            "from raw.villages order by village_code"
        ).fetchall()
        given = villages[
            ["village_code", "village_name", "township_code", "township_name", "aliases", "email"]
        ].sort_values("village_code")
        return stored == [
            tuple(None if pd.isna(v) else v for v in row) for row in given.itertuples(index=False)
        ]

    def replace_villages(self, villages: pd.DataFrame) -> None:
        self.con.execute("delete from raw.villages")
        self._insert("raw.villages", villages)

    def insert_tables(self, tables: dict[str, pd.DataFrame]) -> None:
        for name in LOAD_ORDER:
            frame = tables.get(name)
            if frame is not None and len(frame):
                self._insert(name, frame)

    def _insert(self, table: str, frame: pd.DataFrame) -> None:
        self.con.register("incoming", frame)
        try:
            self.con.execute(f"insert into {table} by name select * from incoming")
        finally:
            self.con.unregister("incoming")

    def cross_village_losers(self, submission_ids: list[str]) -> pd.DataFrame:
        return self.con.execute(sql("queries/cross_village_losers.sql"), [submission_ids]).df()

    def stock_outliers(self, submission_ids: list[str]) -> pd.DataFrame:
        """Stock figures of these submissions far from their village's other months."""
        return self.con.execute(
            sql("queries/stock_outliers.sql"), [submission_ids, submission_ids]
        ).df()

    def add_findings(self, public: pd.DataFrame, private: pd.DataFrame) -> None:
        """Findings found after loading (cross-village, outliers), counted into their submissions."""
        if not len(public):
            return
        self._insert("raw.findings", public)
        self._insert("restricted.findings", private)
        counts = public.groupby("submission_id")["severity"].value_counts().unstack(fill_value=0)
        for submission_id, row in counts.iterrows():
            self.con.execute(
                """
                update raw.submissions
                set n_warnings = n_warnings + ?,
                    n_errors = n_errors + ?,
                    status = case
                        when ? > 0 then 'has_errors'
                        when status = 'accepted' and ? > 0 then 'accepted_with_warnings'
                        else status end
                where submission_id = ?
                """,
                [
                    int(row.get("warning", 0)),
                    int(row.get("error", 0)),
                    int(row.get("error", 0)),
                    int(row.get("warning", 0)),
                    submission_id,
                ],
            )

    def submission_statuses(self, submission_ids: list[str]) -> list[dict]:
        frame = self.con.execute(
            "select submission_id, file_name, report_month, village_code, status from raw.submissions "
            "where submission_id in (select unnest(?::varchar[])) order by report_month, file_name",
            [submission_ids],
        ).df()
        return frame.astype(object).where(frame.notna(), None).to_dict("records")

    def next_finding_numbers(self, submission_ids: list[str]) -> dict[str, int]:
        rows = self.con.execute(
            "select submission_id, max(finding_no) from raw.findings "
            "where submission_id in (select unnest(?::varchar[])) group by all",
            [submission_ids],
        ).fetchall()
        return {sid: int(n) for sid, n in rows}

    # -- marts ----------------------------------------------------------------------------
    def load_indicator_catalog(self) -> None:
        catalog = yaml.safe_load(INDICATOR_CATALOG.read_text(encoding="utf-8"))["indicators"]
        self.con.execute("delete from marts.indicator_catalog")
        self.con.executemany(
            "insert into marts.indicator_catalog values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                [
                    i["code"],
                    i["name_zh"],
                    i["kind"],
                    i["numerator"],
                    i.get("denominator"),
                    int(i.get("factor", 1)),
                    int(i.get("decimals", 0)),
                    i.get("unit"),
                    i.get("normal_low"),
                    i.get("normal_high"),
                ]
                for i in catalog
            ],
        )

    def materialize_indicators(self) -> int:
        self.load_indicator_catalog()
        self.con.execute("delete from marts.indicator_values")
        self.con.execute(
            "insert into marts.indicator_values by name "
            + sql("marts/indicator_values.sql").rstrip().rstrip(";"),
            [None],
        )
        return self.con.execute("select count(*) from marts.indicator_values").fetchone()[0]

    def indicator_values(
        self, period: str | None = None, as_of: datetime | None = None
    ) -> pd.DataFrame:
        """Indicator values for a period: the materialized table, or recomputed as of a past moment."""
        if as_of is None:
            query = "select * from marts.indicator_values"
            params: list = []
        else:
            query = sql("marts/indicator_values.sql").rstrip().rstrip(";")
            query = f"select * from ({query})"
            params = [as_of]
        if period is not None:
            query += " where period = ?"
            params.append(period)
        return self.con.execute(
            query + " order by org_level desc, org_code, indicator", params
        ).df()

    def indicator_catalog(self) -> pd.DataFrame:
        return self.con.execute("select * from marts.indicator_catalog").df()

    def villages(self) -> pd.DataFrame:
        return self.con.execute("select * from raw.villages order by village_code").df()

    # -- reports back to villages (reads restricted) -----------------------------------------
    def month_submissions(self, month: str) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        """Submissions, their findings with wording, and records per sheet, for a report month."""
        return tuple(
            self.con.execute(sql(f"queries/{name}.sql"), [month]).df()
            for name in ("month_submissions", "month_findings", "month_form_counts")
        )

    def latest_report_month(self, as_of: datetime | None = None) -> str | None:
        """The latest report month with an accepted file among the files received by as_of."""
        row = self.con.execute(
            "select max(report_month) from raw.submissions where status <> 'rejected' "
            "and received_at <= coalesce(?::timestamp, 'infinity'::timestamp)",
            [as_of],
        ).fetchone()
        return row[0] if row else None

    def lineage(
        self, period: str, org_code: str, indicator: str, as_of: datetime | None = None
    ) -> pd.DataFrame:
        """The source rows (file, sheet, Excel row) behind one indicator value."""
        return self.con.execute(
            "select * from marts.indicator_lineage(?, ?, ?, as_of := ?)",
            [period, org_code, indicator, as_of],
        ).df()
