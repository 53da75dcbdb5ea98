"""Paths and settings: environment variables with defaults relative to the working directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

RUNNERS = ("local", "dask")

# What the reader takes on from one file (README "What villages may send"). The reader's own
# defaults are these, so a caller that passes nothing is still protected.
DEFAULT_MAX_FILE_BYTES = 20 * 1024 * 1024
DEFAULT_MAX_SHEET_ROWS = 20000
# Wider than any form; the old .xls limit (IV). Rows x columns is what calamine allocates.
DEFAULT_MAX_SHEET_COLUMNS = 256
# Declared in a workbook's zip directory, checked before anything is inflated: a village
# workbook is a few MB unpacked; a zip bomb is gigabytes.
DEFAULT_MAX_UNCOMPRESSED_BYTES = 128 * 1024 * 1024
DEFAULT_MAX_COMPRESSION_RATIO = 100.0
# Worksheets at least this large (their XML, as the zip directory declares it) are looked at
# before calamine reads them: their extent from <dimension>, refused over a limit unread. A
# smaller sheet is read by calamine and its extent checked before it becomes Python objects
# (it can only be large by a stray cell far out: 0 looks at every sheet, at some cost).
DEFAULT_SCAN_SHEET_BYTES = 256 * 1024


def _env_path(name: str, default: str) -> Path:
    return Path(os.environ.get(name) or default)


@dataclass(frozen=True)
class Settings:
    raw_dir: Path = field(default_factory=lambda: _env_path("TOWNSHIP_RAW_DIR", "data/raw"))
    villages: Path = field(
        default_factory=lambda: _env_path("TOWNSHIP_VILLAGES", "data/reference/villages.csv")
    )
    warehouse: Path = field(
        default_factory=lambda: _env_path("TOWNSHIP_WAREHOUSE", "data/warehouse/township.duckdb")
    )
    outbox: Path = field(default_factory=lambda: _env_path("TOWNSHIP_OUTBOX", "data/outbox"))
    key_file: Path = field(
        default_factory=lambda: _env_path("TOWNSHIP_KEY_FILE", "data/secrets/person_key")
    )
    max_file_bytes: int = field(
        default_factory=lambda: int(
            os.environ.get("TOWNSHIP_MAX_FILE_BYTES", DEFAULT_MAX_FILE_BYTES)
        )
    )
    max_sheet_rows: int = field(
        default_factory=lambda: int(
            os.environ.get("TOWNSHIP_MAX_SHEET_ROWS", DEFAULT_MAX_SHEET_ROWS)
        )
    )
    max_sheet_columns: int = field(
        default_factory=lambda: int(
            os.environ.get("TOWNSHIP_MAX_SHEET_COLUMNS", DEFAULT_MAX_SHEET_COLUMNS)
        )
    )
    max_uncompressed_bytes: int = field(
        default_factory=lambda: int(
            os.environ.get("TOWNSHIP_MAX_UNCOMPRESSED_BYTES", DEFAULT_MAX_UNCOMPRESSED_BYTES)
        )
    )
    max_compression_ratio: float = field(
        default_factory=lambda: float(
            os.environ.get("TOWNSHIP_MAX_COMPRESSION_RATIO", DEFAULT_MAX_COMPRESSION_RATIO)
        )
    )
    scan_sheet_bytes: int = field(
        default_factory=lambda: int(
            os.environ.get("TOWNSHIP_SCAN_SHEET_BYTES", DEFAULT_SCAN_SHEET_BYTES)
        )
    )
    # Address space a reader worker may take beyond what it starts with: a file that still
    # blows up past the reader's checks ends that worker, and is refused alone.
    max_reader_memory: int = field(
        default_factory=lambda: int(os.environ.get("TOWNSHIP_MAX_READER_MEMORY", 2 * 1024**3))
    )
    workers: int = field(default_factory=lambda: int(os.environ.get("TOWNSHIP_WORKERS", 0)))
    lock_wait_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TOWNSHIP_LOCK_WAIT_SECONDS", 60))
    )
    # Scaling out (README "Scaling out"); unset, one DuckDB file and this machine, as before.
    # catalog: a DuckLake catalog instead of the DuckDB file, `postgres:dbname=township host=…`;
    # lake_data: where its data files go (a folder or s3://…), needed when the lake is created.
    catalog: str | None = field(default_factory=lambda: os.environ.get("TOWNSHIP_CATALOG") or None)
    lake_data: str | None = field(
        default_factory=lambda: os.environ.get("TOWNSHIP_LAKE_DATA") or None
    )
    # runner: where files are read and validated, `local` (this machine) or `dask` (a Dask
    # cluster: the scheduler at dask_address, e.g. tcp://10.0.0.5:8786, else a local cluster).
    runner: str = field(default_factory=lambda: os.environ.get("TOWNSHIP_RUNNER") or "local")
    dask_address: str | None = field(
        default_factory=lambda: os.environ.get("TOWNSHIP_DASK_ADDRESS") or None
    )

    def __post_init__(self) -> None:
        if self.runner not in RUNNERS:
            raise ValueError(f"runner {self.runner!r}: use {' or '.join(RUNNERS)}")

    def with_paths(self, **paths: Path | None) -> Settings:
        """A copy with the given paths replaced; None keeps the current value."""
        changes = {k: Path(v) for k, v in paths.items() if v is not None}
        return Settings(**{**self.__dict__, **changes})

    def with_options(self, **options: object) -> Settings:
        """A copy with the given (non-path) settings replaced; None keeps the current value."""
        changes = {k: v for k, v in options.items() if v is not None}
        return Settings(**{**self.__dict__, **changes})

    @property
    def reader_limits(self) -> dict[str, int | float]:
        """The limits the reader checks, as read_file's keyword arguments."""
        return {
            "max_bytes": self.max_file_bytes,
            "max_rows": self.max_sheet_rows,
            "max_columns": self.max_sheet_columns,
            "max_uncompressed_bytes": self.max_uncompressed_bytes,
            "max_compression_ratio": self.max_compression_ratio,
            "scan_sheet_bytes": self.scan_sheet_bytes,
        }

    @property
    def uses_lake(self) -> bool:
        return bool(self.catalog)
