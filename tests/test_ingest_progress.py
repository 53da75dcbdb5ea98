"""The ingest's progress: file by file with the total, the stages named in the office's words,
and the command's last line in Chinese."""

from __future__ import annotations

import os
import subprocess
import sys

from builders import birth_row, township_settings, write_births

from township import prepare
from township.ingest import INDICATORS, LOADING, READING, ingest
from township.privacy import load_or_create_key
from township.villages import VillageRegistry

VILLAGES = ("420117104201", "420117104202", "420117104203")


def some_files(settings, months=("2026-01", "2026-02", "2026-03")) -> int:
    n = 0
    for month in months:
        for i, village in enumerate(VILLAGES, start=1):
            write_births(
                settings.raw_dir / month / f"{village}.xlsx", [birth_row(i, f"{month}-02")]
            )
            n += 1
    return n


def test_progress_tells_each_stage_in_order_with_every_file_counted(tmp_path):
    settings = township_settings(tmp_path)
    files = some_files(settings)
    told: list[tuple[str, int, int]] = []
    ingest(settings, progress=lambda stage, done, total: told.append((stage, done, total)))
    stages = list(dict.fromkeys(stage for stage, _, _ in told))
    assert stages == [READING, LOADING, INDICATORS]
    reading = [(done, total) for stage, done, total in told if stage == READING]
    assert {total for _, total in reading} == {files}
    assert reading[0][0] == 0 and reading[-1] == (files, files)
    assert [d for d, _ in reading] == sorted(d for d, _ in reading)  # never goes back
    assert told[-1] == (INDICATORS, 1, 1)


def test_a_chunk_reports_each_file_as_it_is_read_not_once_at_its_end(tmp_path):
    settings = township_settings(tmp_path)
    some_files(settings, months=("2026-03",))
    items = [(p, "2026-03", None) for p in sorted(settings.raw_dir.glob("*/*.xlsx"))]
    registry = VillageRegistry.load(settings.villages)
    key = load_or_create_key(settings.key_file, None)
    seen: list[int] = []
    prepare.prepare(items, registry, settings, key, on_read=lambda: seen.append(len(seen) + 1))
    assert seen == [1, 2, 3]  # one chunk of three files: three steps


def test_ingest_command_shows_the_named_stages_and_ends_in_chinese(tmp_path):
    settings = township_settings(tmp_path)
    files = some_files(settings)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TOWNSHIP_")}
    env |= {
        "TOWNSHIP_RAW_DIR": str(settings.raw_dir),
        "TOWNSHIP_VILLAGES": str(settings.villages),
        "TOWNSHIP_WAREHOUSE": str(settings.warehouse),
        "TOWNSHIP_KEY_FILE": str(settings.key_file),
        # rich draws its live display only on a terminal: these make it draw into the pipe
        "FORCE_COLOR": "1",
        "TTY_INTERACTIVE": "1",
        "COLUMNS": "120",
    }
    done = subprocess.run(
        [sys.executable, "-m", "township.cli", "ingest"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    for words in (READING, INDICATORS, f"{files}/{files}", "剩余"):
        assert words in done.stderr, words
    assert "Traceback" not in done.stderr
    line = done.stdout.strip().splitlines()[0]
    assert line == f"入库完成：新文件{files}个（通过{files}个）；未变化的文件0个已跳过"
