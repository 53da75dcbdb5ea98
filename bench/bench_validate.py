"""Validation benchmark: the pandera models and the rule catalog over the reading corpus.

    uv run python bench/bench_validate.py

Reads the 300 workbooks of bench/bench_read.py once, then validates them three ways in the same
process: as one batch (one pandera call per form for all files: what the pipeline does), in
chunks of 50, and file by file (one call per file and form: what it must never do). Prints the
per-file cost of each and writes the "Validation" section of bench/RESULTS.md.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_read import corpus, machine  # noqa: E402
from results import write_section  # noqa: E402

from township.read.files import read_file  # noqa: E402
from township.rules.validate import validate_batch  # noqa: E402

START, END = "<!-- validation:start -->", "<!-- validation:end -->"
REPEATS = 3


def per_file_ms(files: list, chunk: int) -> float:
    """Best over REPEATS of validating every file, `chunk` files per call."""
    best = float("inf")
    for _ in range(REPEATS):
        start = time.perf_counter()
        for i in range(0, len(files), chunk):
            validate_batch(files[i : i + chunk])
        best = min(best, time.perf_counter() - start)
    return 1000 * best / len(files)


def main() -> None:
    paths, registry = corpus(300)
    files = [read_file(p, "2026-03", registry) for p in paths]
    validate_batch(files[:2])  # imports and first-call set-up are not part of the cost
    rows = [
        (f"one batch of {len(files)}", per_file_ms(files, len(files))),
        ("chunks of 50", per_file_ms(files, 50)),
        ("file by file (one call per file and form)", per_file_ms(files, 1)),
    ]
    batch = rows[0][1]
    lines = [
        START,
        "## Validation",
        "",
        f"Command: `uv run python bench/bench_validate.py`. Machine: {machine()}.",
        "",
        f"The reading corpus ({len(files)} workbooks, five forms each) validated by the pandera "
        "models and the rule catalog; best of 3.",
        "",
        "| calls | ms per file | against one batch |",
        "|---|---:|---:|",
        *(f"| {name} | {ms:.2f} | {ms / batch:.1f}× |" for name, ms in rows),
        "",
        "The pipeline validates each chunk of 1,000 files as one batch (one pandera call per "
        "form), so the fixed cost of a call is paid per chunk, not per file.",
        END,
    ]
    section = "\n".join(lines)
    print(section)
    write_section(section, START, END)


if __name__ == "__main__":
    main()
