from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import VILLAGES_CSV

from township.config import Settings
from township.prefect_settings import configure_prefect

configure_prefect()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "prefect_server: starts a real `prefect server` (30-90 s each); "
        "deselect locally with -m 'not prefect_server', CI runs them",
    )
    config.addinivalue_line(
        "markers",
        "scale_out: a DuckLake on a throwaway PostgreSQL and a Dask LocalCluster (about a "
        "minute); CI installs PostgreSQL for them, elsewhere they skip without it",
    )


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A township under tmp_path: three villages, empty raw folder and warehouse."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TOWNSHIP_PERSON_KEY", raising=False)
    for name in ("TOWNSHIP_RAW_DIR", "TOWNSHIP_VILLAGES", "TOWNSHIP_WAREHOUSE", "TOWNSHIP_OUTBOX"):
        monkeypatch.delenv(name, raising=False)
    for name in (
        "TOWNSHIP_CATALOG",
        "TOWNSHIP_LAKE_DATA",
        "TOWNSHIP_RUNNER",
        "TOWNSHIP_DASK_ADDRESS",
    ):
        monkeypatch.delenv(name, raising=False)  # the single-machine default
    villages = tmp_path / "data" / "reference" / "villages.csv"
    villages.parent.mkdir(parents=True)
    villages.write_text(VILLAGES_CSV, encoding="utf-8")
    (tmp_path / "data" / "raw").mkdir(parents=True)
    return Settings()


@pytest.fixture(scope="session")
def prefect_harness():
    """One temporary Prefect server for the whole session (its start costs seconds)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(
        server_startup_timeout=int(
            os.environ.get("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", 180)
        )
    ):
        yield
