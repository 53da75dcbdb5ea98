"""Paths and settings: environment variables with defaults relative to the working directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path


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
        default_factory=lambda: int(os.environ.get("TOWNSHIP_MAX_FILE_BYTES", 20 * 1024 * 1024))
    )
    max_sheet_rows: int = field(
        default_factory=lambda: int(os.environ.get("TOWNSHIP_MAX_SHEET_ROWS", 20000))
    )
    workers: int = field(default_factory=lambda: int(os.environ.get("TOWNSHIP_WORKERS", 0)))
    lock_wait_seconds: float = field(
        default_factory=lambda: float(os.environ.get("TOWNSHIP_LOCK_WAIT_SECONDS", 60))
    )

    def with_paths(self, **paths: Path | None) -> Settings:
        """A copy with the given paths replaced; None keeps the current value."""
        changes = {k: Path(v) for k, v in paths.items() if v is not None}
        return Settings(**{**self.__dict__, **changes})
