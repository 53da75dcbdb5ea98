from __future__ import annotations

import os
from pathlib import Path

import pytest
from builders import township_in

from township.config import Settings
from township.prefect_settings import configure_prefect

configure_prefect()

# The files that take longest, slowest first: each file's wall time in a whole run on 2 cores
# (`pytest --durations=0`, its tests' setup, call and teardown summed per file; remeasure when
# the order drifts). The run (two xdist workers, a file at a time, see pyproject.toml) starts
# them before the many quick files, which then fill both workers up to the end instead of one
# slow file finishing alone on one worker. The files of ON_PREFECT_SERVER go as one unit, queued
# where the first of them ranks; their ranks order them within it.
SLOWEST_FILES = (
    "test_scale_out.py",
    "test_prefect_server.py",
    "test_monthly_automation.py",
    "test_run_alerts.py",
    "test_flow_end_to_end.py",
    "test_bench_small.py",
    "test_rules.py",
    "test_warehouse_semantics.py",
    "test_cli_exit_status.py",
    "test_analyst_access.py",
    "test_summary_outputs.py",
    "test_warehouse_faults.py",
    "test_population_form.py",
    "test_read_hostile.py",
    "test_personal_values_at_rest.py",
    "test_conservation.py",
    "test_notebooks.py",
    "test_file_ledger.py",
    "test_export.py",
    "test_read_limits.py",
    "test_indicators.py",
    "test_check.py",
    "test_reader_isolation.py",
    "test_web_security.py",
    "test_web_browser.py",
    "test_read_properties.py",
)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "prefect_server: `township serve` and its flow runs against a real Prefect server "
        "(10-40 s each); deselect locally with -m 'not prefect_server', CI runs them",
    )
    config.addinivalue_line(
        "markers",
        "scale_out: a DuckLake on a throwaway PostgreSQL and a Dask LocalCluster (about a "
        "minute); CI installs PostgreSQL for them, elsewhere they skip without it",
    )


# The files whose tests run flows against the session's Prefect server: one worker takes them all
# (pytest_xdist_make_scheduler), so that the server, the costliest fixture there is, starts once.
ON_PREFECT_SERVER = (
    "test_scale_out.py",
    "test_prefect_server.py",
    "test_bench_small.py",
    "test_run_alerts.py",
    "test_flow_end_to_end.py",
    "test_monthly_automation.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return SLOWEST_FILES.index(name) if name in SLOWEST_FILES else len(SLOWEST_FILES)

    items.sort(key=rank)  # stable: each file's tests keep their order


@pytest.fixture(autouse=True)
def _listed_when_on_the_prefect_server(request: pytest.FixtureRequest) -> None:
    """A test file using the session's Prefect server must be in ON_PREFECT_SERVER, or its
    worker starts a server of its own. Checked per test, where xdist shows the failure (an
    error raised while a worker collects ends the run with no word of it). A file that asks
    for the fixture by name at run time (request.getfixturevalue) is not seen."""
    name = request.path.name
    if "prefect_harness" in request.fixturenames and name not in ON_PREFECT_SERVER:
        pytest.fail(
            f"{name} uses prefect_harness: add it to ON_PREFECT_SERVER in tests/conftest.py",
            pytrace=False,
        )


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log):
    """With --dist loadfile (pyproject.toml): a file to a worker at a time, as xdist does, and
    the files of ON_PREFECT_SERVER as one."""
    if config.getvalue("dist") != "loadfile":
        return None
    from xdist.scheduler import LoadFileScheduling

    class FilesAndTheServersFiles(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            file = super()._split_scope(nodeid)
            return "prefect server" if Path(file).name in ON_PREFECT_SERVER else file

    return FilesAndTheServersFiles(config, log)


@pytest.fixture
def settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A township under tmp_path: three villages, empty raw folder and warehouse."""
    return township_in(tmp_path, monkeypatch)


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
