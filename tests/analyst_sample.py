"""The sample warehouse and its analysts' copy, built once per test session; a stand-in ingest."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from township.config import Settings
from township.docs import build_sample_warehouse
from township.store import analyst_copy_path

_BUILT: dict[str, Settings] = {}


def sample_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """generate_sample + ingest + publish under one session folder; tests only read it."""
    if "sample" not in _BUILT:
        _BUILT["sample"] = build_sample_warehouse(tmp_path_factory.mktemp("analyst_sample"))
    return _BUILT["sample"]


def snapshot_of(settings: Settings) -> Path:
    return analyst_copy_path(settings.warehouse)


HOLD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("begin transaction")
con.execute("update raw.villages set email = email")
print("holding", flush=True)
sys.stdin.read()
con.execute("rollback")
con.close()
"""


# Only the file named, open for writing: the restricted file beside the warehouse, say, as an
# ingest holds it too (or between opening the one and attaching the other).
HOLD_FILE = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
con.close()
"""


@contextmanager
def ingest_holding(warehouse: Path, script: str = HOLD) -> Iterator[subprocess.Popen]:
    """Another process with the warehouse open for writing, mid-transaction, as an ingest has it
    (`script=HOLD_FILE`: only the file given, open for writing)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(warehouse)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
        yield proc
    finally:
        proc.stdin.close()  # it rolls back and exits
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=30)
        proc.stdout.close()
