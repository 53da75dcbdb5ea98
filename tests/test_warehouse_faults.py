"""Faults: a crash in the middle of a load, and a warehouse held by another process."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from builders import birth_row, office_connection, write_births

from township.config import Settings
from township.ingest import ingest
from township.store import Warehouse, indicators, manifest

FUHE, TAOYUAN = "420117104201", "420117104202"
KILL_DURING_LOAD = """
import sys, time
from pathlib import Path
import township.ingest as ingest_module
import township.prepare as prepare_module
from township.config import Settings

ingest_module.CHUNK_FILES = 1  # one file per chunk: the first chunk is inserted, then we stall
prepare, calls = prepare_module.prepare, []

def prepare_then_stall(*args, **kwargs):
    calls.append(args)
    if len(calls) == 2:  # the first chunk is already in the open transaction
        Path("ready").write_text("loading")
        time.sleep(120)
    return prepare(*args, **kwargs)

prepare_module.prepare = prepare_then_stall
ingest_module.ingest(Settings())
"""
KILL_WHILE_MATERIALIZING = """
import time
from pathlib import Path
import township.ingest as ingest_module
from township.config import Settings
import township.store.indicators as indicators

def stall(wh):
    Path("ready").write_text("materializing")  # the load has committed
    time.sleep(120)

indicators.materialize = stall
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
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        assert indicators.stale(wh)
        assert len(wh.con.execute("select * from raw.submissions").fetchall()) == 4
        live = indicators.values(wh, "2026-03")
    with Warehouse.at(uninterrupted, read_only=True) as wh:
        assert not indicators.stale(wh)
        pd.testing.assert_frame_equal(live, indicators.values(wh, "2026-03"))
    assert figures(settings.warehouse) != figures(uninterrupted)  # the table itself is behind
    result = ingest(settings)
    assert result.files_skipped == 4 and result.indicator_rows > 0
    assert figures(settings.warehouse) == figures(uninterrupted)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        assert not indicators.stale(wh)


def _run_and_kill_when_ready(script: str, folder: Path) -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path.cwd()), *sys.path])}
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        cwd=folder,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _wait_for(folder / "ready", proc)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGKILL)  # its worker processes, stalled, with it
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
        env = {**os.environ, "TOWNSHIP_LOCK_WAIT_SECONDS": "0.3"}
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
        [sys.executable, "-c", HOLD_WAREHOUSE, str(settings.warehouse), "1"], cwd=tmp_path
    )
    try:
        _wait_for(tmp_path / "held", holder)
        result = ingest(Settings(lock_wait_seconds=60))
    finally:
        holder.wait(timeout=60)
    assert result.by_status == {"accepted": 1}


def test_the_definitions_are_applied_once_per_version_of_them(settings, monkeypatch):
    """Opening to write re-creates the tables, views and macros only when their definitions
    changed: a view dropped by hand stays dropped until the definitions change, then it is back."""
    Warehouse.at(settings.warehouse).close()
    con = duckdb.connect(str(settings.warehouse))
    con.execute("drop view marts.villages")
    con.close()

    def views(path: Path) -> set[str]:
        with Warehouse.at(path, read_only=True) as wh:
            rows = wh.con.execute(
                "select view_name from duckdb_views() where schema_name = 'marts'"
            )
            return {r[0] for r in rows.fetchall()}

    Warehouse.at(settings.warehouse).close()
    assert "villages" not in views(settings.warehouse)
    changed = manifest.sql("marts/villages.sql") + "\n-- changed\n"
    original_sql = manifest.sql
    with monkeypatch.context() as patched:
        patched.setattr(
            manifest,
            "sql",
            lambda name: changed if name == "marts/villages.sql" else original_sql(name),
        )
        manifest.definitions.cache_clear()
        manifest.fingerprint.cache_clear()
        try:
            Warehouse.at(settings.warehouse).close()
        finally:
            manifest.definitions.cache_clear()
            manifest.fingerprint.cache_clear()
    assert "villages" in views(settings.warehouse)


def test_a_load_failing_between_its_two_commits_leaves_no_person_twice(settings, monkeypatch):
    """The restricted file commits first: a load that fails after it (here the warehouse's own
    commit) leaves names of submissions the warehouse never received; the next load removes
    them before loading the files again, so each person is there once."""
    _months(settings)
    Warehouse.at(settings.warehouse).close()  # created: the next commit is the load's
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
