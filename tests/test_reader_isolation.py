"""One file never stops the batch: files are read in worker processes whose memory is bounded
(TOWNSHIP_MAX_READER_MEMORY); a file that exhausts it, or kills its worker outright (a reader
library aborting), is refused alone and every other file loads. And a load that committed while
the analysts' copy could not be written is not left stale: the next ingest writes the copy."""

from __future__ import annotations

import os
import signal
from datetime import datetime

import pytest
from builders import birth_row, write_births

import township.ingest as ingest_module
import township.prepare as prepare_module
from township.ingest import PublishFailed, ingest
from township.store import analyst_copy_path
from township.store.file import FileWarehouse

VILLAGES = ["420117104201", "420117104202", "420117104203"]


def ten_files(settings) -> list:
    """Ten files of March (three villages, several versions each)."""
    return [
        write_births(
            settings.raw_dir / "2026-03" / f"{VILLAGES[i % 3]}_{i:02d}.xlsx",
            [birth_row(i, "2026-03-02")],
            received=datetime(2026, 4, 1, 9, i),
        )
        for i in range(10)
    ]


@pytest.mark.parametrize("chunk_files", [1, 4, 1000])
def test_a_file_that_kills_its_reader_worker_is_refused_alone(settings, monkeypatch, chunk_files):
    paths = ten_files(settings)
    victim = paths[6]
    read_file = prepare_module.read_file

    def die_on_victim(path, *args, **kwargs):
        if path == victim:
            os.kill(os.getpid(), signal.SIGKILL)  # as an abort inside a reader library
        return read_file(path, *args, **kwargs)

    monkeypatch.setattr(prepare_module, "read_file", die_on_victim)
    monkeypatch.setattr(ingest_module, "CHUNK_FILES", chunk_files)
    result = ingest(settings)
    statuses = {s["file_name"]: (s["status"], s["village_code"]) for s in result.submissions}
    assert statuses.pop(victim.name) == ("rejected", "420117104201")
    assert set(statuses) == {p.name for p in paths} - {victim.name}
    assert {status for status, _ in statuses.values()} == {"accepted"}
    (refused,) = [o for o in result.outcomes if o.outcome == "refused"]
    assert refused.reason_code == "memory_limit" and "内存" in refused.reason_zh


def test_a_file_that_exhausts_the_reader_memory_bound_is_refused_alone(settings, monkeypatch):
    paths = ten_files(settings)
    victim = paths[3]
    read_file = prepare_module.read_file

    def balloon_on_victim(path, *args, **kwargs):
        if path == victim:
            return bytearray(512 * 1024 * 1024)  # far past the bound set below
        return read_file(path, *args, **kwargs)

    monkeypatch.setattr(prepare_module, "read_file", balloon_on_victim)
    settings = settings.with_options(max_reader_memory=128 * 1024 * 1024)
    result = ingest(settings)
    statuses = {s["file_name"]: s["status"] for s in result.submissions}
    assert statuses.pop(victim.name) == "rejected"
    assert set(statuses.values()) == {"accepted"} and len(statuses) == 9


def test_a_failed_copy_for_analysts_is_written_by_the_next_ingest(settings, monkeypatch):
    write_births(settings.raw_dir / "2026-03" / "420117104201.xlsx", [birth_row(1, "2026-03-02")])

    def disk_full(wh, tmp):
        raise OSError(28, "No space left on device")

    with monkeypatch.context() as patched:
        patched.setattr(FileWarehouse, "write_copy", disk_full)
        with pytest.raises(PublishFailed, match="the load is committed"):
            ingest(settings)
    assert not analyst_copy_path(settings.warehouse).exists()
    again = ingest(settings)  # nothing new to load: only the copy is written
    assert again.submissions == []
    assert analyst_copy_path(settings.warehouse).exists()
