"""`township export`: the analysts' tables of a period (or all) as Parquet or CSV files, run as
a user runs it (a subprocess), on the session's sample warehouse; no name or ID number of the
sample in any exported value. And the DuckDB command line pinned with the project."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from analyst_sample import sample_warehouse, snapshot_of

from township.store import restricted_path


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_warehouse(tmp_path_factory)


def township(args: list[str], sample, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_")}
    env["TOWNSHIP_WAREHOUSE"] = str(sample.warehouse)
    return subprocess.run(
        [sys.executable, "-m", "township.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def personal_values(sample) -> set[str]:
    """Every name and ID number the sample's villages sent (the restricted file holds them)."""
    con = duckdb.connect(str(restricted_path(sample.warehouse)), read_only=True)
    try:
        rows = con.sql(
            "select mother_name, mother_id, father_name, father_id, child_name from births "
            "union all select name, id_number, null, null, null from beneficiaries"
        ).fetchall()
    finally:
        con.close()
    return {v for row in rows for v in row if v and len(v) >= 2}


def test_export_of_a_period_writes_every_marts_view_as_parquet_with_its_rows(sample, tmp_path):
    done = township(["export", "SY2026H1", "--out", str(tmp_path / "out")], sample, tmp_path)
    assert done.returncode == 0, done.stderr
    files = {p.stem: p for p in (tmp_path / "out").glob("*.parquet")}
    con = duckdb.connect(str(snapshot_of(sample)), read_only=True)
    try:
        views = {
            r[0]
            for r in con.sql(
                "select view_name from duckdb_views() where schema_name = 'marts' and not internal"
            ).fetchall()
        }
        births = con.sql(
            "select value from marts.indicator_values where period = 'SY2026H1' "
            "and org_level = 'township' and indicator = 'births_total'"
        ).fetchone()[0]
    finally:
        con.close()
    assert set(files) == views
    assert len(pd.read_parquet(files["births"])) == births
    values = pd.read_parquet(files["indicator_values"])
    assert set(values["period"]) == {"SY2026H1"}
    months = set(pd.read_parquet(files["submissions"])["report_month"])
    assert months and months <= {"2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"}
    assert f"导出{len(views)}张表" in done.stdout


def test_csv_export_opens_in_excel_as_utf8_and_holds_no_name_or_id_number(sample, tmp_path):
    done = township(["export", "--format", "csv", "--out", str(tmp_path / "csv")], sample, tmp_path)
    assert done.returncode == 0, done.stderr
    secrets = personal_values(sample)
    assert len(secrets) > 500  # the sample's names and ID numbers, to look for
    found = []
    for path in sorted((tmp_path / "csv").glob("*.csv")):
        raw = path.read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), path.name  # the BOM Excel needs for UTF-8
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", keep_default_na=False)
        cells = {v for col in frame.columns for v in frame[col]}
        found += [(path.name, v) for v in cells if v in secrets]
        text = raw.decode("utf-8-sig")
        found += [(path.name, s) for s in secrets if len(s) >= 15 and s in text]  # IDs anywhere
    assert found == []


def test_export_refuses_a_bad_period_or_format_with_2_and_a_missing_copy_with_1(sample, tmp_path):
    for args in (["export", "SY2026H9"], ["export", "--format", "xlsx"]):
        done = township(args, sample, tmp_path)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith("township: ") and len(done.stderr.splitlines()) == 1
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_")}
    env["TOWNSHIP_WAREHOUSE"] = str(tmp_path / "none" / "township.duckdb")
    done = subprocess.run(
        [sys.executable, "-m", "township.cli", "export"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1 and "analysts' copy not found" in done.stderr


def test_the_pinned_duckdb_command_line_opens_the_analysts_copy_read_only(sample):
    cli = Path(sys.executable).with_name("duckdb")
    assert cli.exists(), "the duckdb-cli wheel is not installed"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True, timeout=60)
    assert version.stdout.split()[0] == f"v{duckdb.__version__}"
    done = subprocess.run(
        [
            str(cli),
            "-readonly",
            "-csv",
            str(snapshot_of(sample)),
            "-c",
            "select count(*) from marts.births",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.splitlines()[-1]) > 0
