"""Scaling out (README "Scaling out"): reading and validation on a Dask cluster through Prefect's
Dask task runner, the warehouse a DuckLake with its catalog in PostgreSQL; against the
single-machine default on the same sample.

Needs PostgreSQL's binaries (the Debian `postgresql` package, which `.ci/run` installs): CI
runs these tests; elsewhere they are skipped, with the reason, when the package is missing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from analyst_sample import sample_warehouse
from throwaway_postgres import postgres_bin_dir, throwaway_postgres

from township.config import Settings
from township.store import Warehouse, WarehouseBusy, WarehouseMissing, indicators, load
from township.store.paths import analyst_copy_path, restricted_path

pytestmark = pytest.mark.scale_out

ROOT = Path(__file__).resolve().parent.parent
EARLY, LATE = ["2025-10", "2025-11", "2025-12"], ["2026-01", "2026-02", "2026-03"]

# One process of the acceptance test: waits for its sibling, then ingests every month of its
# raw folder (TOWNSHIP_RAW_DIR, its own) in one transaction, with the settings from the
# environment (the lake, the dask runner and the scheduler's address).
INGEST_MONTHS = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from township.config import Settings
    from township.ingest import ingest
    me, other = Path(sys.argv[1]), Path(sys.argv[2])
    settings = Settings()
    assert settings.runner == "dask" and settings.catalog, settings
    me.touch()
    deadline = time.time() + 120
    while not other.exists() and time.time() < deadline:
        time.sleep(0.05)
    start = time.time()
    result = ingest(settings)
    print(json.dumps([start, time.time(), len(result.submissions)]))
    """
)


@pytest.fixture(scope="module")
def postgres():
    if postgres_bin_dir() is None:
        if os.environ.get("CI"):
            pytest.fail("PostgreSQL is not installed: .ci/run installs the postgresql package")
        pytest.skip("PostgreSQL is not installed (apt-get install -y postgresql)")
    with throwaway_postgres() as pg:
        yield pg


@pytest.fixture(scope="module")
def dask_cluster():
    """A LocalCluster of 2 worker processes, shared by the tests and the ingest processes."""
    from distributed import LocalCluster

    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def single_machine(tmp_path_factory) -> Settings:
    """The session's sample township, ingested by the default runner into a DuckDB file: the
    reference. The tests only read its files and write warehouses and outboxes of their own."""
    return sample_warehouse(tmp_path_factory)


@pytest.fixture(scope="module")
def expected(single_machine) -> dict:
    with Warehouse.open(single_machine, read_only=True) as wh:
        return indicator_values(wh)


@pytest.fixture
def sample(single_machine, tmp_path) -> Settings:
    """The sample township with a warehouse and an outbox of this test's own."""
    return single_machine.with_paths(
        warehouse=tmp_path / "data" / "warehouse" / "township.duckdb",
        outbox=tmp_path / "data" / "outbox",
    )


def indicator_values(wh: Warehouse) -> dict[tuple[str, str, str], tuple]:
    rows = wh.con.execute("select * from marts.indicator_values").fetchall()
    assert len(rows) == len({r[:1] + r[3:4] + r[5:6] for r in rows})  # one per (period, org, code)
    return {(r[0], r[3], r[5]): r for r in rows}


def raw_folder_of(township: Settings, months: list[str], tmp_path: Path) -> Path:
    """A raw folder of these months of the township's files (as received: times kept)."""
    raw = tmp_path / f"raw_{months[0]}"
    for month in months:
        shutil.copytree(township.raw_dir / month, raw / month)
    return raw


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment variables that make `Settings()` in another process these settings."""
    names = ("raw_dir", "villages", "warehouse", "outbox", "key_file", "catalog", "lake_data")
    values = {name: getattr(settings, name) for name in names}
    return {Settings.env_name(k): str(v) for k, v in values.items() if v is not None}


def test_two_processes_ingest_different_months_into_one_ducklake_reading_on_dask(
    sample, single_machine, expected, postgres, dask_cluster, prefect_harness, tmp_path
):
    """The acceptance test: two processes at once, different months (each from a raw folder of
    its own, in one transaction), one DuckLake catalog on PostgreSQL; reading and validation on
    a Dask LocalCluster of 2 workers; then the indicators are materialized: every value of
    marts.indicator_values equals the single-machine run's."""
    from prefect.settings import PREFECT_API_URL

    catalog = postgres.create_database("acceptance")
    lake = sample.with_options(catalog=catalog, lake_data=str(tmp_path / "lake_files"))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_")},
        **settings_env(lake),
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        "TOWNSHIP_RUNNER": "dask",
        "TOWNSHIP_DASK_ADDRESS": dask_cluster,
        "PREFECT_API_URL": PREFECT_API_URL.value(),  # the tasks on the workers report there
    }
    ready = [tmp_path / "a.ready", tmp_path / "b.ready"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", INGEST_MONTHS, str(me), str(other)],
            cwd=tmp_path,
            env={**env, "TOWNSHIP_RAW_DIR": str(raw_folder_of(sample, months, tmp_path))},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for me, other, months in ((ready[0], ready[1], EARLY), (ready[1], ready[0], LATE))
    ]
    outputs = [p.communicate(timeout=240) for p in procs]
    for p, (_, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err[-3000:]
    spans = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    assert all(files > 0 for _, _, files in spans)  # each process loaded files
    assert max(start for start, _, _ in spans) < min(end for _, end, _ in spans), (
        "the two ingests did not run at the same time"
    )

    with Warehouse.open(lake) as wh:
        assert indicator_values(wh) == expected  # as the last ingest to commit left them
        assert indicators.refresh(wh) == len(expected)  # then materialized once more
        assert indicator_values(wh) == expected
        claimed = wh.con.execute(
            "select table_name from duckdb_tables() where database_name = 'lake' "
            "and schema_name = 'lake_meta' and table_name like 'ingest_%' order by 1"
        ).fetchall()
        assert [t for (t,) in claimed] == [f"ingest_{m}" for m in EARLY + LATE]
        counts = {
            t: wh.con.execute(f"select count(*) from {t}").fetchone()[0]
            for t in ("raw.submissions", "raw.births", "restricted.births", "raw.beneficiaries")
        }
    with Warehouse.open(single_machine, read_only=True) as wh:
        for table, n in counts.items():
            assert wh.con.execute(f"select count(*) from {table}").fetchone()[0] == n, table

    # the analysts' copy, published by the ingests one at a time: the last holds everything
    import duckdb

    copy = duckdb.connect(str(analyst_copy_path(lake.warehouse)), read_only=True)
    try:
        rows = copy.execute("select * from marts.indicator_values").fetchall()
        assert {(r[0], r[3], r[5]): r for r in rows} == expected
        schemas = {s for (s,) in copy.execute("select schema_name from duckdb_tables()").fetchall()}
        assert schemas == {"raw", "marts"}  # no restricted, no lake_meta
    finally:
        copy.close()


def test_dask_runner_through_the_monthly_flow_equals_the_default(
    sample, single_machine, expected, dask_cluster, prefect_harness, monkeypatch
):
    """The flow with --runner dask on a LocalCluster of 2 workers, into the default DuckDB
    file: the same indicator values, and the same rows, as the default runner."""
    from flows.monthly_ingest import monthly_ingest

    for name in [n for n in os.environ if n.startswith("TOWNSHIP_")]:
        monkeypatch.delenv(name)
    for name, value in settings_env(sample).items():
        monkeypatch.setenv(name, value)
    out = monthly_ingest(runner="dask", dask_address=dask_cluster, village_reports=False)
    with Warehouse.open(sample, read_only=True) as wh:
        assert indicator_values(wh) == expected
        reference = single_machine.warehouse
        # ATTACH takes no bound parameters; the paths are this test's own temporary folders
        wh.con.execute(f"attach '{reference}' as single (read_only)")
        wh.con.execute(f"attach '{restricted_path(reference)}' as single_private (read_only)")
        theirs = {"restricted.findings": "single_private.findings"}
        for table in ("raw.submissions", "raw.births", "raw.findings", "restricted.findings"):
            columns = "* exclude (ingested_at)" if table == "raw.submissions" else "*"
            differ = wh.con.execute(
                f"select count(*) from (select {columns} from {table} except all "
                f"select {columns} from {theirs.get(table, f'single.{table}')})"
            ).fetchone()[0]
            assert differ == 0, table
        n_files = wh.con.execute("select count(*) from single.raw.submissions").fetchone()[0]
    assert len(out["result"].submissions) == n_files


def test_two_loads_of_one_month_cannot_both_commit_to_the_lake(sample, postgres, tmp_path):
    """DuckLake has no unique keys: a month's load claims the month, so a second concurrent
    load of it fails (to be run again) instead of loading every file twice; other months go."""

    catalog = postgres.create_database("claims")
    lake = sample.with_options(catalog=catalog, lake_data=str(tmp_path / "lake_files"))
    villages = pd.DataFrame(
        [
            {
                "village_code": "420117104201",
                "village_name": "村",
                "township_code": "420117104",
                "township_name": "镇",
                "aliases": "",
                "email": None,
            }
        ]
    )
    with Warehouse.open(lake) as a, Warehouse.open(lake) as b, Warehouse.open(lake) as c:
        a.begin_load(villages, ["2026-03"])
        b.begin_load(villages, ["2026-03"])
        c.begin_load(villages, ["2026-02"])
        assert load.finish_load(a, 0) == load.finish_load(c, 0) == 0  # nothing loaded
        started = time.monotonic()
        with pytest.raises(WarehouseBusy, match="same report month"):
            load.finish_load(b, 0)
        b.rollback()
        assert time.monotonic() - started < 30


def test_the_monthly_catch_up_before_the_lake_exists_takes_every_month(sample, postgres, tmp_path):
    """`--month previous` asks the warehouse which months are new: a lake not yet created (its
    first run) has none of them, rather than failing the run."""
    from township.monthly import months_to_ingest

    catalog = postgres.create_database("first_run")
    lake = sample.with_options(catalog=catalog, lake_data=str(tmp_path / "lake_files"))
    assert months_to_ingest(lake, "2026-04") == [*EARLY, *LATE, "2026-04"]
    with pytest.raises(WarehouseMissing, match="ingest first"):
        Warehouse.open(lake, read_only=True)
