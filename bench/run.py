"""Scale benchmark: a county year (400 villages × 12 months) and a prefecture month (10,000
villages), against the floor of reading the same files with bare python-calamine.

    uv run python bench/run.py            # everything (~10 minutes on 2 cores, first run longer)
    uv run python bench/run.py --quick    # 1,000 villages instead of 10,000: a smoke run

Data sets are generated once (deterministically) and cached under bench/cache/. Each pipeline
measurement runs in a fresh subprocess, the way the office runs it, so that start-up and peak
memory are those of a real run. Ratios are taken against the floor measured in the same run.
The figures go to bench/RESULTS.md between the pipeline markers.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from results import write_section

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "bench" / "cache"
START, END = "<!-- pipeline:start -->", "<!-- pipeline:end -->"
RUNS = (1, 2, 3)
# small benchmarks run after the scale runs: the check of one file (and the web intake's)
EXTRA_BENCHES = ("bench_check.py", "bench_web.py")
COUNTY_MONTHS = [f"2025-{m:02d}" for m in (10, 11, 12)] + [f"2026-{m:02d}" for m in range(1, 10)]

FLOW_RUN = """
import json, sys, time
t0 = time.perf_counter()
from flows.monthly_ingest import monthly_ingest
out = monthly_ingest(month=sys.argv[1] or None, raw_dir=sys.argv[2], warehouse=sys.argv[3],
                     villages=sys.argv[4], outbox=sys.argv[5], village_reports=False)
print(json.dumps({"files": len(out["result"].submissions), "skipped": out["result"].files_skipped,
                  "seconds": time.perf_counter() - t0}))
"""


def dataset(name: str, villages: int, months: list[str]) -> Path:
    """Generated once; a marker file says the generation finished."""
    folder = CACHE / f"{name}-{villages}"
    if not (folder / "done").exists():
        from township.synth import generate_scaled

        shutil.rmtree(folder, ignore_errors=True)
        print(f"generating {folder.name} ({villages} villages × {len(months)} months)…", flush=True)
        generate_scaled(
            folder / "raw", folder / "villages.csv", folder / "truth.json", villages, months
        )
        (folder / "done").write_text("ok")
    return folder


def bare_read_seconds(raw: Path) -> tuple[float, int]:
    """The floor: every sheet of every file read by python-calamine, nothing else."""
    import python_calamine as pc

    files = sorted(p for p in raw.rglob("*") if p.suffix in (".xlsx", ".csv"))
    start = time.perf_counter()
    for path in files:
        if path.suffix == ".csv":
            path.read_bytes().decode("utf-8", errors="replace")
            continue
        book = pc.CalamineWorkbook.from_path(str(path))
        for name in book.sheet_names:
            book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start, len(files)


def run_flow(folder: Path, warehouse: Path, month: str = "") -> dict:
    """One flow run in a fresh process: wall time, the flow's own time, peak memory (RSS)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    args = [
        sys.executable,
        "-c",
        FLOW_RUN,
        month,
        str(folder / "raw"),
        str(warehouse),
        str(folder / "villages.csv"),
        str(folder / "outbox"),
    ]
    start = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=folder, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    tree = TreeMemory(proc.pid)
    tree.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    tree.stop.set()
    tree.join()
    out = proc.stdout.read()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"flow run failed in {folder}: {out}")
    result = json.loads(out.strip().splitlines()[-1])
    return {**result, "wall": wall, "peak_mb": usage.ru_maxrss / 1024, "tree_mb": tree.peak_mb}


class TreeMemory(threading.Thread):
    """Peak memory of a process and its workers together, sampled: the sum of their PSS
    (proportional set size: a page shared by forked workers counts once in all). RSS peaks
    (ru_maxrss) are per process and miss the workers alive at the same moment."""

    def __init__(self, pid: int, every: float = 0.2):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak_mb = pid, every, 0.0
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(self.every):
            kb = sum(_pss_kb(p) for p in _tree(self.pid))
            self.peak_mb = max(self.peak_mb, kb / 1024)


def _tree(root: int) -> list[int]:
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int(
                    (entry / "stat").read_text().rsplit(")", 1)[1].split()[1]
                )
            except (OSError, IndexError, ValueError):
                continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, ppid in parents.items() if ppid in frontier]
        found += frontier
    return found


def _pss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def best(runs) -> dict:
    """The fastest of several runs, with the highest peak memory seen among them."""
    runs = list(runs)
    fastest = min(runs, key=lambda r: r["wall"])
    return {
        **fastest,
        "peak_mb": max(r["peak_mb"] for r in runs),
        "tree_mb": max(r["tree_mb"] for r in runs),
    }


def materialize_seconds(warehouse: Path) -> float:
    from township.store import Warehouse, indicators

    with Warehouse.at(warehouse) as wh:
        wh.begin()
        start = time.perf_counter()
        indicators.materialize(wh)
        seconds = time.perf_counter() - start
        wh.rollback()
    return seconds


def reingest_seconds(folder: Path, warehouse: Path) -> float:
    """The ingest of an unchanged folder by itself, best of 3: the flow runs' difference is
    within their noise. Everything it does is in it: the village list, the scan, the stat of
    every file against the warehouse."""
    from township.config import Settings
    from township.ingest import ingest

    settings = Settings(
        raw_dir=folder / "raw",
        villages=folder / "villages.csv",
        warehouse=warehouse,
        key_file=folder / "data" / "secrets" / "person_key",
    )
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = ingest(settings)
        best = min(best, time.perf_counter() - start)
        assert not result.submissions, "the folder was expected unchanged"
    return best


def summary_ms(warehouse: Path, periods: list[str], repeats: int = 5) -> dict[str, float]:
    from township.reports.summary.build import build_summary
    from township.reports.summary.renderers import RENDERERS
    from township.store import Warehouse

    out = {}
    with Warehouse.at(warehouse, read_only=True) as wh:
        for period in periods:
            best = float("inf")
            for _ in range(repeats):
                start = time.perf_counter()
                summary = build_summary(wh, period, compare=False, detail=False)
                RENDERERS["text"].show(summary)
                best = min(best, time.perf_counter() - start)
            out[period] = best * 1000
    return out


def machine() -> str:
    mem_kb = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores, {mem_kb / 1048576:.1f} GiB memory, Python {sys.version.split()[0]}"


def measure(prefecture_villages: int) -> dict:
    county = dataset("county", 400, COUNTY_MONTHS)
    prefecture = dataset("prefecture", prefecture_villages, ["2026-03"])
    work = CACHE / "runs"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    # Best of three for each: these machines are shared, and the same run varies by 15%. The
    # three are taken in turn (floor, empty month, prefecture month), so that a slow spell of
    # the machine falls on all three measures rather than on one of them.
    floors, empties, firsts = [], [], []
    for i in RUNS:
        floors.append(bare_read_seconds(prefecture / "raw"))
        empties.append(run_flow(prefecture, work / f"empty{i}.duckdb", month="2099-01"))
        firsts.append(run_flow(prefecture, work / f"prefecture{i}.duckdb"))
        print(
            f"round {i}: floor {floors[-1][0]:.1f} s, empty month {empties[-1]['wall']:.1f} s, "
            f"prefecture month {firsts[-1]['wall']:.1f} s",
            flush=True,
        )
    (floor, n_files), empty, first = min(floors), best(empties), best(firsts)
    pw = work / "prefecture1.duckdb"
    again = best(run_flow(prefecture, pw) for _ in RUNS)
    print(f"re-ingest unchanged: {again['wall']:.1f} s", flush=True)
    again_in_process = reingest_seconds(prefecture, pw)
    cw = work / "county.duckdb"
    county_run = run_flow(county, cw)
    print(f"county year ingest: {county_run['wall']:.1f} s", flush=True)
    return {
        "machine": machine(),
        "files": n_files,
        "floor": floor,
        "empty": empty,
        "first": first,
        "again": again,
        "again_in_process": again_in_process,
        "county": county_run,
        "county_files": county_run["files"],
        "materialize_prefecture": materialize_seconds(pw),
        "materialize_county": materialize_seconds(cw),
        "summary_ms": summary_ms(
            cw, ["2026-03", "2026Q1", "2026", "SY2026", "SY2026H1", "SY2026H2"]
        ),
        "runner_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def report(m: dict) -> str:
    fixed = m["empty"]["wall"]
    marginal = m["first"]["wall"] - fixed
    again = max(m["again"]["wall"] - fixed, 0.0)
    worst_summary = max(m["summary_ms"].values())
    rows = [
        (
            "bare python-calamine read of the prefecture month (floor)",
            f"{m['floor']:.1f} s",
            f"{m['files']} files",
        ),
        ("fixed start-up: flow run with nothing to ingest", f"{fixed:.1f} s", "target ≤ 15 s"),
        ("prefecture month: full flow run", f"{m['first']['wall']:.1f} s", "target < 120 s"),
        (
            "… marginal (run − fixed start-up)",
            f"{marginal:.1f} s",
            f"{marginal / m['floor']:.2f}× the floor (target ≤ 3×)",
        ),
        (
            "re-ingest of the unchanged folder, marginal",
            f"{again:.1f} s",
            f"{100 * again / marginal:.1f}% of the first (target ≤ 5%); the runs: "
            f"{m['again']['wall']:.1f} s against {fixed:.1f} s with nothing to do",
        ),
        (
            "… the same, the ingest alone in process (no Prefect)",
            f"{m['again_in_process']:.2f} s",
            f"{100 * m['again_in_process'] / marginal:.1f}% of the first's marginal",
        ),
        (
            "peak memory, prefecture run: largest process (RSS)",
            f"{m['first']['peak_mb']:.0f} MB",
            "target ≤ 1,500 MB",
        ),
        (
            "… the flow's process and its workers together (PSS, sampled)",
            f"{m['first']['tree_mb']:.0f} MB",
            "target ≤ 1,500 MB",
        ),
        ("indicator materialization alone, prefecture", f"{m['materialize_prefecture']:.1f} s", ""),
        ("indicator materialization alone, county year", f"{m['materialize_county']:.1f} s", ""),
        (
            "county year: full flow run",
            f"{m['county']['wall']:.1f} s",
            f"{m['county_files']} files",
        ),
        (
            "township summary, slowest period, county-year warehouse",
            f"{worst_summary:.0f} ms",
            "target ≤ 200 ms",
        ),
    ]
    lines = [
        START,
        "## Pipeline at county and prefecture scale",
        "",
        f"Machine: {m['machine']}. Command: `uv run python bench/run.py`.",
        "",
        f"Each flow run is a fresh process; every figure is the best of {len(RUNS)} runs (the "
        "floor's too), taken in turn (floor, empty month, prefecture month): the same run "
        "varies by up to 15% on this shared machine.",
        "",
        "| measurement | figure | against |",
        "|---|---:|---|",
        *(f"| {a} | {b} | {c} |" for a, b, c in rows),
        "",
        "Summary per period (best of 5, ms): "
        + ", ".join(f"{k} {v:.0f}" for k, v in m["summary_ms"].items()),
        END,
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1,000 villages instead of 10,000")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    measured = measure(1000 if args.quick else 10000)
    section = report(measured)
    print(section)
    if not args.quick:
        write_section(section, START, END)
    for script in EXTRA_BENCHES:  # each writes its own section of RESULTS.md
        subprocess.run([sys.executable, str(ROOT / "bench" / script)], check=True)


if __name__ == "__main__":
    main()
