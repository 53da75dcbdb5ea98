"""Scale-out benchmark: the county year (400 villages × 12 months, 4,800 files) ingested by the
monthly flow with the default runner (worker processes) and with the Dask runner (Prefect's
DaskTaskRunner on a LocalCluster of 2 workers), into the DuckDB file; and, where PostgreSQL is
installed, into a DuckLake whose catalog is on a throwaway PostgreSQL.

    uv run python bench/bench_scale_out.py            # ~6 minutes on 2 cores
    uv run python bench/bench_scale_out.py --no-write # print only

The data set is the one bench/run.py generates and caches under bench/cache/. Each run is a
fresh process running the flow (reports off: the ingest alone), as the office runs it; every run
must give the same marts.indicator_values as the default, or the benchmark stops. On 2 cores
Dask cannot be faster than the default's 2 worker processes: the point is correctness and the
overhead (a cluster to start, tasks reported to Prefect, batches pickled over TCP). The figures
go to bench/RESULTS.md between the scale-out markers.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench"), str(ROOT / "tests")]

from results import write_section  # noqa: E402
from run import CACHE, COUNTY_MONTHS, dataset, machine  # noqa: E402

START, END = "<!-- scale-out:start -->", "<!-- scale-out:end -->"
WORKERS = 2

FLOW_RUN = """
import json, sys, time
t0 = time.perf_counter()
from flows.monthly_ingest import monthly_ingest
raw, warehouse, villages, outbox, runner, address = sys.argv[1:7]
out = monthly_ingest(raw_dir=raw, warehouse=warehouse, villages=villages, outbox=outbox,
                     village_reports=False, runner=runner, dask_address=address or None)
print(json.dumps({"files": len(out["result"].submissions), "seconds": time.perf_counter() - t0}))
"""


def run_flow(folder: Path, work: Path, runner: str, address: str = "", env: dict | None = None):
    """One flow run in a fresh process: wall time, peak memory of that process (RSS; a Dask
    worker's own memory is not in it)."""
    args = [
        sys.executable,
        "-c",
        FLOW_RUN,
        str(folder / "raw"),
        str(work / "township.duckdb"),
        str(folder / "villages.csv"),
        str(work / "outbox"),
        runner,
        address,
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TOWNSHIP_WORKERS": str(WORKERS), **(env or {})}
    env["TOWNSHIP_KEY_FILE"] = str(work.parent / "person_key")  # one key: comparable hashes
    start = time.perf_counter()
    with open(work / "stderr.log", "w") as log:
        proc = subprocess.Popen(
            args, cwd=work, env=env, stdout=subprocess.PIPE, stderr=log, text=True
        )
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"flow run failed ({runner}): see {work / 'stderr.log'}")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "wall": wall, "peak_mb": usage.ru_maxrss / 1024}


def values(settings) -> dict:
    from township.store import Warehouse

    with Warehouse.open(settings, read_only=True) as wh:
        rows = wh.con.execute("select * from marts.indicator_values").fetchall()
    return {(r[0], r[3], r[5]): r for r in rows}


def measure(with_lake: bool, repeats: int) -> dict:
    """The runs, all reporting to one Prefect server started here, as in production (a run
    without PREFECT_API_URL would start a temporary server of its own, which stops with it
    while the running cluster's workers may still be sending it their task runs' events)."""
    from township.prefect_settings import configure_prefect

    configure_prefect()
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()
    server.start()
    os.environ["PREFECT_API_URL"] = server.api_url
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    try:
        return _measure(with_lake, repeats)
    finally:
        server.stop()


def _measure(with_lake: bool, repeats: int) -> dict:
    from distributed import LocalCluster

    from township.config import Settings

    county = dataset("county", 400, COUNTY_MONTHS)
    work = CACHE / "scale-out"
    shutil.rmtree(work, ignore_errors=True)
    runs: dict[str, list[dict]] = {}
    expected: dict = {}

    def one(name: str, runner: str, address: str = "", pg=None) -> None:
        """`repeats` runs into fresh warehouses; each must equal the default's values."""
        for i in range(repeats):
            folder = work / f"{name}-{i}"
            folder.mkdir(parents=True)
            env, catalog = {}, None
            if pg is not None:
                catalog = pg.create_database(f"{name.replace('-', '_')}_{i}")
                env = {"TOWNSHIP_CATALOG": catalog, "TOWNSHIP_LAKE_DATA": str(folder / "lake")}
            run = run_flow(county, folder, runner, address, env)
            runs.setdefault(name, []).append(run)
            print(f"{name}: {run['wall']:.1f} s, {run['files']} files", flush=True)
            got = values(
                Settings(
                    raw_dir=county / "raw",
                    villages=county / "villages.csv",
                    warehouse=folder / "township.duckdb",
                    catalog=catalog,
                )
            )
            if not expected:
                expected.update(got)
            elif got != expected:
                raise SystemExit(f"{name}: indicator values differ from the default's")

    lake = contextlib.nullcontext()
    if with_lake:
        from throwaway_postgres import throwaway_postgres

        lake = throwaway_postgres()
    with lake as pg:
        one("default", "local")
        if pg is not None:
            one("default-ducklake", "local", pg=pg)
        one("dask-own-cluster", "dask")
        with LocalCluster(
            n_workers=WORKERS, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster:
            one("dask-running-cluster", "dask", cluster.scheduler_address)
            if pg is not None:
                one("dask-ducklake", "dask", cluster.scheduler_address, pg=pg)
    return {
        "machine": machine(),
        "runs": runs,
        "repeats": repeats,
        "indicator_rows": len(expected),
    }


def report(m: dict) -> str:
    best = {name: min(runs, key=lambda r: r["wall"]) for name, runs in m["runs"].items()}
    base = best["default"]["wall"]
    labels = {
        "default": "default runner (2 worker processes), DuckDB file",
        "default-ducklake": "default runner, DuckLake on PostgreSQL",
        "dask-own-cluster": "Dask runner, a LocalCluster of 2 started by the run, DuckDB file",
        "dask-running-cluster": "Dask runner, a running LocalCluster of 2 (`--address`), DuckDB file",
        "dask-ducklake": "Dask runner, a running LocalCluster of 2, DuckLake on PostgreSQL",
    }
    rows = [
        f"| {labels[name]} | {r['wall']:.1f} s | "
        + " / ".join(f"{x['wall']:.1f}" for x in m["runs"][name])
        + f" | {r['wall'] / base:.2f}× | {r['wall'] - base:+.1f} s | {r['peak_mb']:.0f} MB |"
        for name, r in best.items()
    ]
    files = best["default"]["files"]
    return "\n".join(
        [
            START,
            "## Scale-out: the Dask runner and the DuckLake against the default",
            "",
            f"Machine: {m['machine']}. Command: `uv run python bench/bench_scale_out.py`.",
            "",
            f"County year ({files} files, 400 villages × 12 months): the monthly flow's ingest "
            "(reports off) in a fresh process, into a fresh warehouse, all runs reporting to one "
            f"running Prefect server; wall time including the process's start-up, best of "
            f"{m['repeats']}:",
            "",
            "| run | wall (best) | each run, s | against the default | overhead "
            "| peak RSS, flow's process |",
            "|---|---:|---:|---:|---:|---:|",
            *rows,
            "",
            f"Every run gave the default's {m['indicator_rows']} rows of "
            "`marts.indicator_values`, value for value. On 2 cores the Dask runner can only "
            "cost: the same 2 processes do the reading, plus a cluster to start (when the run "
            "starts its own), a Prefect task run per chunk of 1,000 files reported to the API, "
            "and every batch pickled back over TCP. What it buys is workers on other machines. "
            "The DuckLake's cost is its catalog round trips to PostgreSQL and Parquet files "
            "instead of DuckDB's own storage; what it buys is ingests committing at once.",
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-write", action="store_true", help="print, leave RESULTS.md alone")
    parser.add_argument("--no-lake", action="store_true", help="skip the DuckLake runs")
    parser.add_argument("--repeats", type=int, default=2, help="runs of each, the best counts")
    args = parser.parse_args()
    from throwaway_postgres import postgres_bin_dir

    with_lake = not args.no_lake and postgres_bin_dir() is not None
    section = report(measure(with_lake, args.repeats))
    print(section)
    if not args.no_write:
        write_section(section, START, END)


if __name__ == "__main__":
    main()
