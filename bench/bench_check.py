"""`township check` benchmark: one village workbook (封面 and the forms) checked against the
sample warehouse, warm, against the bare python-calamine read of the same file.

    uv run python bench/bench_check.py [--repeat 7]

The sample township (22 villages, six months) is built once into bench/cache/check/ (git-
ignored). The checked file is 复合村's March workbook with one figure changed, so the check
loads it as a new submission superseding the one in the warehouse: the whole dry run (copy of
the warehouse, read, validate, load into the copy, the checks that need the warehouse, the
village report). The first check warms the process (imports, the validation models) and is
not counted; the median of the rest is. Writes the "Check" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import python_calamine as pc

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from results import write_section  # noqa: E402

CACHE = ROOT / "bench" / "cache" / "check"
START, END = "<!-- check:start -->", "<!-- check:end -->"
MONTH = "2026-03"
TARGET_SECONDS = 1.0


def sample():
    """The sample township, ingested: built once for each version of the warehouse's
    definitions (a copy on older ones would have them applied again in every check)."""
    from township.docs import build_sample_warehouse, sample_settings
    from township.store.manifest import fingerprint

    done = CACHE / "done"
    if not done.exists() or done.read_text() != fingerprint():
        import shutil

        shutil.rmtree(CACHE, ignore_errors=True)
        print("building the sample warehouse…", flush=True)
        build_sample_warehouse(CACHE)
        done.write_text(fingerprint())
    return sample_settings(CACHE)


def changed_workbook(settings, folder: Path) -> Path:
    """复合村's March workbook with its 宣传资料份数 changed: a new submission."""
    import openpyxl

    source = next((settings.raw_dir / MONTH).glob("复合村*.xlsx"))
    book = openpyxl.load_workbook(source)
    sheet = book["宣传服务"]
    sheet["A2"] = int(sheet["A2"].value or 0) + 7
    path = folder / source.name
    book.save(path)
    return path


def bare_read(path: Path) -> float:
    start = time.perf_counter()
    book = pc.CalamineWorkbook.from_path(str(path))
    for name in book.sheet_names:
        book.get_sheet_by_name(name).to_python()
    return time.perf_counter() - start


def measure(repeat: int) -> dict:
    from township.check import check_files

    settings = sample()
    with tempfile.TemporaryDirectory(prefix="bench-check-") as tmp:
        path = changed_workbook(settings, Path(tmp))
        out = Path(tmp) / "out"
        check_files([path], settings, out_dir=out)  # warm-up, not counted
        checks, reads, result = [], [], None
        for _ in range(repeat):
            reads.append(bare_read(path))
            start = time.perf_counter()
            [result] = check_files([path], settings, out_dir=out)
            checks.append(time.perf_counter() - start)
        sheets = len(pc.CalamineWorkbook.from_path(str(path)).sheet_names)
    return {
        "check": statistics.median(checks),
        "worst": max(checks),
        "read": statistics.median(reads),
        "sheets": sheets,
        "status": result.status,
        "supersedes": len(result.supersedes),
        "warehouse_mb": settings.warehouse.stat().st_size / 1e6,
        "load": os.getloadavg()[0],
    }


def report(m: dict) -> str:
    ratio = m["check"] / m["read"]
    verdict = "met" if m["check"] <= TARGET_SECONDS else "NOT met"
    return "\n".join(
        [
            START,
            "## Check (`township check`, the web intake's check)",
            "",
            "`uv run python bench/bench_check.py`: one village workbook "
            f"({m['sheets']} sheets: 封面 and the forms) checked against the sample warehouse "
            f"({m['warehouse_mb']:.1f} MB, 22 villages × 6 months), warm, median of the runs.",
            "",
            "| measure | time | against the bare read |",
            "|---|---:|---:|",
            f"| bare python-calamine read of the workbook | {1000 * m['read']:.1f} ms | 1× |",
            f"| `check_files`: copy, read, validate, load into the copy, report | "
            f"{1000 * m['check']:.0f} ms (worst {1000 * m['worst']:.0f} ms) | {ratio:.0f}× |",
            "",
            f"Target ≤ {TARGET_SECONDS:.0f} s per workbook: {verdict}. The file comes out "
            f"{m['status']}, superseding {m['supersedes']} form(s) of the earlier file. The "
            f"machine's load average during the run: {m['load']:.1f} (2 cores, shared). The "
            "bare read is a floor, not a target: the check also forks a reader worker, "
            "validates, loads into a copy of the warehouse, queries it and writes the report.",
            END,
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    section = report(measure(args.repeat))
    print(section)
    write_section(section, START, END)


if __name__ == "__main__":
    main()
