"""Where an ingest's time goes: each stage of one in-process ingest (no Prefect) of a cached
benchmark folder into a fresh warehouse, and the CPU its worker processes used.

    uv run python bench/profile_ingest.py                 # the prefecture month (bench/run.py makes it)
    uv run python bench/profile_ingest.py county-400      # the county year

The stages are timed by wrapping the library's own functions; nothing else changes. The reading
stage is what is left of the wall time once every timed stage is taken out: the wait for the
worker processes (which read, validate and shape every chunk) not hidden behind the inserts.
"""

from __future__ import annotations

import functools
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402

import township.ingest as ingest_module  # noqa: E402
from township.config import Settings  # noqa: E402
from township.store import indicators, load  # noqa: E402
from township.store.file import FileWarehouse  # noqa: E402

START, END = "<!-- profile:start -->", "<!-- profile:end -->"
STAGES = {
    (ingest_module, "discover"): "find the files (scandir)",
    (ingest_module, "new_files"): "what is new: stat and compare with the warehouse",
    (ingest_module, "_new_only"): "leave out copies of files already loaded (by sha256)",
    (FileWarehouse, "begin_load"): "open the load's transaction, replace the village list",
    (load, "insert_batch"): "insert each chunk's rows (Arrow), in the parent",
    (ingest_module, "_add_derived_findings"): "warehouse-level rules (other village, outliers)",
    (load, "submission_statuses"): "statuses for the run's summary",
    (load, "record_ingest"): "the file ledger (raw.ingests, raw.file_outcomes)",
    (FileWarehouse, "commit"): "commits: the load, then the indicators",
    (indicators, "materialize"): "materialize the indicators",
    (ingest_module, "_publish_for_analysts"): "write the analysts' copy",
}


def _timed(owner, name: str, spent: dict[str, float]) -> None:
    original = getattr(owner, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

    setattr(owner, name, wrapper)


def main() -> None:
    folder = ROOT / "bench" / "cache" / (sys.argv[1] if len(sys.argv) > 1 else "prefecture-10000")
    if not (folder / "done").exists():
        raise SystemExit(f"{folder} is not generated yet: run bench/run.py first")
    spent: dict[str, float] = {}
    for owner, name in STAGES:
        _timed(owner, name, spent)
    work = Path(tempfile.mkdtemp(prefix="township-profile-"))
    try:
        settings = Settings(
            raw_dir=folder / "raw",
            villages=folder / "villages.csv",
            warehouse=work / "township.duckdb",
            key_file=work / "person_key",
        )
        start = time.perf_counter()
        result = ingest_module.ingest(settings)
        total = time.perf_counter() - start
    finally:
        shutil.rmtree(work, ignore_errors=True)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    section = report(folder.name, len(result.submissions), total, spent, workers)
    print(section)
    if folder.name == "prefecture-10000":
        write_section(section, START, END)


def report(name: str, files: int, total: float, spent: dict[str, float], workers) -> str:
    lines = [
        START,
        "## Where a prefecture ingest's time goes",
        "",
        "Command: `uv run python bench/profile_ingest.py` (after `bench/run.py` has generated the "
        f"data): one in-process ingest, no Prefect, of {files} files ({name}) into a fresh "
        f"warehouse: **{total:.2f} s**.",
        "",
        "| stage | s | share |",
        "|---|---:|---:|",
    ]
    timed = 0.0
    for (_, stage), what in STAGES.items():
        seconds = spent.get(stage, 0.0)
        timed += seconds
        lines.append(f"| {what} | {seconds:.2f} | {100 * seconds / total:.0f}% |")
    rest = total - timed
    lines.append(
        f"| waiting for the workers (read, validate, shape), the rest | {rest:.2f} "
        f"| {100 * rest / total:.0f}% |"
    )
    cpu = workers.ru_utime + workers.ru_stime
    lines += [
        "",
        f"Worker processes: {cpu:.1f} s of CPU, {1000 * cpu / max(files, 1):.2f} ms a file.",
        END,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
