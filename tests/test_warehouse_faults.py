"""Faults: a crash in the middle of a load, and a warehouse held by another process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from builders import birth_row, office_connection, write_births

from township.config import Settings
from township.ingest import ingest
from township.publish import analyst_snapshot_path, publish_analyst_snapshot
from township.warehouse import Warehouse, WarehouseOutdated, restricted_path

FUHE, TAOYUAN = "420117104201", "420117104202"
KILL_DURING_LOAD = """
import sys, time
from pathlib import Path
import township.ingest as ingest_module
from township.config import Settings

ingest_module.CHUNK_FILES = 1  # one file per chunk: the first chunk is inserted, then we stall
prepare, calls = ingest_module.prepare, []

def prepare_then_stall(*args):
    calls.append(args)
    if len(calls) == 2:  # the first chunk is already in the open transaction
        Path("ready").write_text("loading")
        time.sleep(120)
    return prepare(*args)

ingest_module.prepare = prepare_then_stall
ingest_module.ingest(Settings())
"""
KILL_WHILE_MATERIALIZING = """
import time
from pathlib import Path
import township.ingest as ingest_module
from township.config import Settings
from township.publish import analyst_snapshot_path, publish_analyst_snapshot
from township.warehouse import Warehouse, WarehouseOutdated, restricted_path

def stall(self):
    Path("ready").write_text("materializing")  # the load has committed
    time.sleep(120)

Warehouse.materialize_indicators = stall
ingest_module.ingest(Settings())
"""
HOLD_WAREHOUSE = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
open("held", "w").write("held")
time.sleep(float(sys.argv[2]))
con.close()
"""


def snapshot(path: Path) -> dict[str, list]:
    con = duckdb.connect(str(path), read_only=True)
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() order by all"
    ).fetchall()
    out = {
        f"{s}.{t}": con.execute(f'select * from "{s}"."{t}" order by all').fetchall()
        for s, t in tables
    }
    con.close()
    return out


def figures(path: Path) -> list[tuple]:
    con = duckdb.connect(str(path), read_only=True)
    rows = con.execute(
        "select period, org_code, indicator, value from marts.indicator_values order by all"
    ).fetchall()
    con.close()
    return rows


def _wait_for(path: Path, proc: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else "subprocess ended early"
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _months(settings: Settings) -> None:
    write_births(settings.raw_dir / "2026-02" / f"{FUHE}.xlsx", [birth_row(1, "2026-02-01")])
    for n, village in enumerate((FUHE, TAOYUAN), start=2):
        rows = [birth_row(10 * n + k, f"2026-03-0{k + 1}") for k in range(3)]
        write_births(settings.raw_dir / "2026-03" / f"{village}.xlsx", rows)


def test_crash_mid_load_leaves_the_warehouse_as_before_and_rerun_completes(settings, tmp_path):
    write_births(settings.raw_dir / "2026-01" / f"{FUHE}.xlsx", [birth_row(9, "2026-01-09")])
    ingest(settings)
    before = snapshot(settings.warehouse)
    _months(settings)
    _run_and_kill_when_ready(KILL_DURING_LOAD, tmp_path)
    assert snapshot(settings.warehouse) == before
    ingest(settings)
    uninterrupted = tmp_path / "uninterrupted.duckdb"
    ingest(Settings(warehouse=uninterrupted))
    assert figures(settings.warehouse) == figures(uninterrupted)


def test_crash_after_the_load_commits_leaves_no_stale_figure_and_rerun_materializes(
    settings, tmp_path
):
    """The load commits before the indicators are built from it: killed in between, readers
    compute the figures from the committed rows, and the next run (nothing new) builds them."""
    write_births(settings.raw_dir / "2026-01" / f"{FUHE}.xlsx", [birth_row(9, "2026-01-09")])
    ingest(settings)
    _months(settings)
    _run_and_kill_when_ready(KILL_WHILE_MATERIALIZING, tmp_path)
    uninterrupted = tmp_path / "uninterrupted.duckdb"
    ingest(Settings(warehouse=uninterrupted))
    with Warehouse(settings.warehouse, read_only=True) as wh:
        assert wh.indicators_stale()
        assert len(wh.con.execute("select * from raw.submissions").fetchall()) == 4
        live = wh.indicator_values("2026-03")
    with Warehouse(uninterrupted, read_only=True) as wh:
        assert not wh.indicators_stale()
        pd.testing.assert_frame_equal(live, wh.indicator_values("2026-03"))
    assert figures(settings.warehouse) != figures(uninterrupted)  # the table itself is behind
    result = ingest(settings)
    assert result.files_skipped == 4 and result.indicator_rows > 0
    assert figures(settings.warehouse) == figures(uninterrupted)
    with Warehouse(settings.warehouse, read_only=True) as wh:
        assert not wh.indicators_stale()


def _run_and_kill_when_ready(script: str, folder: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd()), *sys.path])}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], cwd=folder, env=env, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_for(folder / "ready", proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)


def test_ingest_while_warehouse_is_held_fails_with_one_clear_line(settings, tmp_path):
    write_births(settings.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-01")])
    ingest(settings)
    before = snapshot(settings.warehouse)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(settings.warehouse), "30"], cwd=tmp_path
    )
    try:
        _wait_for(tmp_path / "held", holder)
        write_births(settings.raw_dir / "2026-03" / f"{TAOYUAN}.xlsx", [birth_row(2, "2026-03-02")])
        env = {**os.environ, "TOWNSHIP_LOCK_WAIT_SECONDS": "1"}
        done = subprocess.run(
            [sys.executable, "-m", "township.cli", "ingest", "--quiet"],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 3
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "held by another process" in lines[0], done.stderr
    assert snapshot(settings.warehouse) == before


def test_ingest_waits_for_a_short_hold_and_completes(settings, tmp_path):
    write_births(settings.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-01")])
    Settings().warehouse.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_WAREHOUSE, str(settings.warehouse), "2"], cwd=tmp_path
    )
    try:
        _wait_for(tmp_path / "held", holder)
        result = ingest(Settings(lock_wait_seconds=60))
    finally:
        holder.wait(timeout=60)
    assert result.by_status == {"accepted": 1}


def _as_an_earlier_version(path: Path, before_the_load_log: bool = False) -> None:
    """Rewrite a warehouse the way earlier versions left it: the indicators materialized in a
    table marts.indicator_values (no marts.indicator_facts, nor what labels it), names and ID
    numbers in the file itself; and, earlier still, no raw.loads or marts.indicator_builds."""
    con = duckdb.connect(str(path))
    con.execute("create table marts.figures as select * from marts.indicator_values")
    con.execute("drop view marts.indicator_values")
    con.execute("alter table marts.figures rename to indicator_values")
    con.execute("drop macro table marts.indicator_facts_at")
    con.execute("drop table marts.indicator_facts")
    con.execute("drop table marts.indicator_orgs")
    con.execute("drop view staging.indicator_orgs")
    con.execute("drop macro staging.period_type")
    if before_the_load_log:
        con.execute("drop table raw.loads")
        con.execute("drop table marts.indicator_builds")
    con.close()
    _with_restricted_inside(path)


def test_a_warehouse_from_before_the_load_log_still_reads_read_only(settings):
    """Warehouses built before raw.loads existed loaded and materialized in one transaction:
    opened read-only (no schema upgrade), their materialized figures are read as they are."""
    _months(settings)
    ingest(settings)
    expected = figures(settings.warehouse)
    _as_an_earlier_version(settings.warehouse, before_the_load_log=True)
    with Warehouse(settings.warehouse, read_only=True) as wh:
        assert not wh.indicators_stale()
        values = wh.indicator_values("2026-03")
    assert len(values) == len([f for f in expected if f[0] == "2026-03"]) > 0


def test_an_earlier_versions_warehouse_asked_for_a_past_moment_says_to_ingest_once(settings):
    _months(settings)
    ingest(settings)
    _as_an_earlier_version(settings.warehouse)
    with Warehouse(settings.warehouse, read_only=True) as wh:
        assert len(wh.indicator_values("2026-03")) > 0  # its materialized figures, as they are
        with pytest.raises(WarehouseOutdated, match="township ingest"):
            wh.indicator_values("2026-03", as_of=datetime.now())


@pytest.mark.parametrize("before_the_load_log", [False, True])
def test_an_earlier_versions_warehouse_is_upgraded_by_the_next_ingest_with_the_same_figures(
    settings, before_the_load_log
):
    _months(settings)
    ingest(settings)
    expected = figures(settings.warehouse)
    _as_an_earlier_version(settings.warehouse, before_the_load_log)
    with Warehouse(settings.warehouse) as wh:  # opened to write: the schema is upgraded
        assert wh.indicators_stale()  # the old table is gone, nothing is materialized yet
        live = wh.indicator_values("2026-03")
    result = ingest(settings)  # nothing new: it materializes
    assert result.files_skipped == 3 and result.indicator_rows > 0
    assert figures(settings.warehouse) == expected
    with Warehouse(settings.warehouse, read_only=True) as wh:
        assert not wh.indicators_stale()
        pd.testing.assert_frame_equal(live, wh.indicator_values("2026-03"))
        kinds = wh.con.execute(
            "select table_type from information_schema.tables "
            "where table_schema = 'marts' and table_name = 'indicator_values'"
        ).fetchall()
    assert kinds == [("VIEW",)]


def test_the_definitions_are_applied_once_per_version_of_them(settings, monkeypatch):
    """Opening to write re-creates the tables, views and macros only when their DDL changed:
    a view dropped by hand stays dropped until the definitions change, then it is back."""
    import township.warehouse as warehouse_module

    Warehouse(settings.warehouse).close()
    con = duckdb.connect(str(settings.warehouse))
    con.execute("drop view marts.villages")
    con.close()

    def views(path: Path) -> set[str]:
        with Warehouse(path, read_only=True) as wh:
            rows = wh.con.execute(
                "select view_name from duckdb_views() where schema_name = 'marts'"
            )
            return {r[0] for r in rows.fetchall()}

    Warehouse(settings.warehouse).close()
    assert "villages" not in views(settings.warehouse)
    changed = warehouse_module.sql("marts/villages.sql") + "\n-- changed\n"
    original_sql = warehouse_module.sql
    monkeypatch.setattr(
        warehouse_module,
        "sql",
        lambda name: changed if name == "marts/villages.sql" else original_sql(name),
    )
    warehouse_module.ddl_fingerprint.cache_clear()
    try:
        Warehouse(settings.warehouse).close()
    finally:
        warehouse_module.ddl_fingerprint.cache_clear()
    assert "villages" in views(settings.warehouse)


def _with_restricted_inside(path: Path) -> None:
    """Rewrite a warehouse as earlier versions kept it: names and ID numbers in a schema
    `restricted` of the warehouse file itself, no file beside it."""
    private = restricted_path(path)
    con = duckdb.connect(str(path))
    con.execute(f"attach '{private}' as private (read_only)")
    con.execute("create schema restricted")
    for table in ("births", "beneficiaries", "findings"):
        con.execute(f"create table restricted.{table} as select * from private.{table}")
    con.execute("detach private")
    con.execute("drop table if exists raw.schema_versions")
    con.close()
    private.unlink()


def test_an_earlier_versions_single_file_is_split_and_its_file_rebuilt_without_a_name(settings):
    """Opened to write, the names and ID numbers move to the restricted file, and the warehouse
    file is written anew: the bytes of the old one held them (in its free space too)."""
    _months(settings)
    ingest(settings)
    expected = figures(settings.warehouse)
    people = office_connection(settings.warehouse)
    names = people.execute("select mother_name, mother_id from restricted.births").fetchall()
    people.close()
    _with_restricted_inside(settings.warehouse)
    secrets = [value.encode() for row in names for value in row]
    assert any(s in settings.warehouse.read_bytes() for s in secrets)
    with Warehouse(settings.warehouse, read_only=True) as wh:  # read as it is, not split
        assert wh.con.execute("select count(*) from restricted.births").fetchone()[0] == 7
    assert not restricted_path(settings.warehouse).exists()

    with Warehouse(settings.warehouse) as wh:
        assert sorted(
            wh.con.execute("select mother_name, mother_id from restricted.births").fetchall()
        ) == sorted(names)
    assert [s for s in secrets if s in settings.warehouse.read_bytes()] == []
    assert figures(settings.warehouse) == expected
    result = ingest(settings)
    assert result.files_skipped == 3 and result.submissions == []
    snapshot_bytes = analyst_snapshot_path(settings.warehouse)
    publish_analyst_snapshot(settings.warehouse)
    assert [s for s in secrets if s in snapshot_bytes.read_bytes()] == []


def test_a_load_failing_between_its_two_commits_leaves_no_person_twice(settings, monkeypatch):
    """The restricted file commits first: a load that fails after it (here the warehouse's own
    commit) leaves names of submissions the warehouse never received; the next load removes
    them before loading the files again, so each person is there once."""
    _months(settings)
    fail = {"once": True}
    original = Warehouse.commit

    def commit_failing_once(self):
        if fail.pop("once", False):
            raise duckdb.IOException("disk full (simulated)")
        original(self)

    monkeypatch.setattr(Warehouse, "commit", commit_failing_once)
    with pytest.raises(duckdb.IOException, match="simulated"):
        ingest(settings)
    people = office_connection(settings.warehouse)
    orphans = people.execute("select count(*) from restricted.births").fetchone()[0]
    people.close()
    assert orphans == 7  # committed in the restricted file, not in the warehouse
    assert ingest(settings).by_status == {"accepted": 3}
    people = office_connection(settings.warehouse)
    counts = people.execute(
        "select (select count(*) from restricted.births), (select count(*) from raw.births)"
    ).fetchone()
    people.close()
    assert counts == (7, 7)
