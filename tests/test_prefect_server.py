"""`township serve` against a running Prefect server (the session's), and on its own (no server
configured: it starts one).

Each test starts real processes (`township serve`, the flow run, a Prefect server) and stops
them even when an assertion fails; those tests are marked `prefect_server`.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
from builders import VILLAGES_CSV, birth_row, write_births

from township.prefect_settings import PREFECT_DEFAULTS

FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
SERVER_START_SECONDS = 240
RUN_SECONDS = 300


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def stop(process: subprocess.Popen, sig: int = signal.SIGTERM, grace: float = 20) -> int:
    """Signal a process started in its own session, then kill whatever of its session is left
    (flow-run processes, a server)."""
    gone = contextlib.suppress(ProcessLookupError, PermissionError)
    if process.poll() is None:
        with gone:
            process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with gone:
        os.killpg(process.pid, signal.SIGKILL)  # stragglers: flow-run processes, a server
    return process.wait()


def clean_env(home: Path) -> dict[str, str]:
    """This project's Prefect defaults, its own PREFECT_HOME, no inherited server or SMTP; the
    runner of `township serve` asks for runs every second rather than every ten."""
    env = {
        **os.environ,
        **PREFECT_DEFAULTS,
        "PREFECT_HOME": str(home),
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
    }
    for name in [n for n in env if n.startswith(("PREFECT_API_", "TOWNSHIP_"))]:
        del env[name]
    return env


def township_command() -> list[str]:
    script = Path(sys.executable).with_name("township")
    return [str(script)] if script.exists() else [sys.executable, "-m", "township.cli"]


@pytest.fixture
def prefect_server(prefect_harness, tmp_path):
    """The session's Prefect server (a real server in a process of its own, as the office's
    is) and a PREFECT_HOME of this test's own for the processes it starts."""
    from prefect.settings import PREFECT_API_URL

    return PREFECT_API_URL.value(), tmp_path / "prefect-home"


@pytest.fixture
def township_dir(tmp_path) -> Path:
    """Three villages; March files from each, one of them with a warning."""
    work = tmp_path / "office"
    villages = work / "data" / "reference" / "villages.csv"
    villages.parent.mkdir(parents=True)
    villages.write_text(VILLAGES_CSV, encoding="utf-8")
    march = work / "data" / "raw" / "2026-03"
    write_births(
        march / f"{FUHE}_3月.xlsx", [birth_row(1, "2026-03-02")], received=datetime(2026, 4, 2)
    )
    write_births(march / f"{TAOYUAN}_3月.xlsx", [birth_row(2, "2026-03-09", sex="女")])
    write_births(
        march / f"{LIJIAWAN}_3月.xlsx", [birth_row(3, "2026-03-15"), birth_row(4, "2026-01-20")]
    )
    return work


def start_serve(work: Path, env: dict[str, str], log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        township_command() + ["serve"],
        cwd=work,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def read_log(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace")


def children(pid: int) -> list[str]:
    tasks = Path(f"/proc/{pid}/task")
    return [c for t in tasks.iterdir() for c in (t / "children").read_text().split()]


def wait_for_no_children(proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while children(proc.pid):
        assert time.monotonic() < deadline, children(proc.pid)
        time.sleep(0.2)


@pytest.mark.prefect_server
def test_served_deployment_runs_on_a_real_server_and_reports_back(
    prefect_server, township_dir, tmp_path
):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL, temporary_settings

    api_url, home = prefect_server
    serve_log = tmp_path / "serve.log"
    serve = start_serve(township_dir, {**clean_env(home), "PREFECT_API_URL": api_url}, serve_log)
    try:
        with (
            temporary_settings(updates={PREFECT_API_URL: api_url}),
            get_client(sync_client=True) as client,
        ):
            deployment = wait_for_deployment(client, serve, serve_log)
            assert deployment.parameters["month"] == "previous"
            assert Path(deployment.parameters["warehouse"]).is_absolute()
            (schedule,) = deployment.schedules
            assert (schedule.schedule.cron, schedule.schedule.timezone) == (
                "0 6 6 * *",
                "Asia/Shanghai",
            )
            assert schedule.active

            run = run_deployment(
                "monthly-ingest/monthly",
                parameters={"month": "2026-03"},
                timeout=RUN_SECONDS,
                poll_interval=1,
                as_subflow=False,
            )
            assert run.state.is_completed(), (run.state, read_log(serve_log))
            assert run.name == "ingest-2026-03"
            (artifact,) = client.read_artifacts(
                flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[run.id]))
            )
        assert serve.poll() is None, read_log(serve_log)
        # the runner learns the run's process has ended a moment after the run reports
        # Completed; stopped before that, it marks the run it still tracks as cancelled
        wait_for_no_children(serve, seconds=30)
        assert stop(serve) == 0
    finally:
        stop(serve)

    status = subprocess.run(
        [*township_command(), "status"],
        cwd=township_dir,
        env={**clean_env(home), "PREFECT_API_URL": api_url, "COLUMNS": "200"},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert status.returncode == 0, status.stderr
    (line,) = [x for x in status.stdout.splitlines() if "ingest-2026-03" in x]
    assert "完成" in line

    warehouse = township_dir / "data" / "warehouse" / "township.duckdb"
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        statuses = dict(con.execute("select village_code, status from raw.submissions").fetchall())
        births = con.execute(
            "select value from marts.indicator_values where period = '2026-03' "
            "and org_level = 'township' and indicator = 'births_total'"
        ).fetchone()
    finally:
        con.close()
    assert statuses == {
        FUHE: "accepted",
        TAOYUAN: "accepted",
        LIJIAWAN: "accepted_with_warnings",
    }
    assert births == (3,)  # the late-reported January birth counts in January

    outbox = township_dir / "data" / "outbox" / "2026-03"
    for code in (FUHE, TAOYUAN, LIJIAWAN):
        (report,) = outbox.glob(f"{code}_*.xlsx")
        assert report.with_suffix(".txt").exists()

    assert artifact.key == "monthly-ingest" and artifact.type == "markdown"
    markdown = artifact.data
    assert f"| {LIJIAWAN} 李家湾村 | 0 | 1 | 0 | 0 | 0 | 1 |" in markdown
    assert f"| {FUHE} 复合村 | 1 | 0 | 0 | 0 | 0 | 0 |" in markdown
    assert "| birth_date.late | 警告 | 1 |" in markdown
    assert "全镇摘要" in markdown and "全镇共出生婴儿" in markdown

    output = read_log(serve_log)
    assert "Traceback" not in output
    assert not re.search(r"\|\s*(WARNING|ERROR|CRITICAL)\s*\|", output), output


def wait_for_deployment(client, serve: subprocess.Popen, serve_log: Path):
    deadline = time.monotonic() + 180
    while True:
        try:
            return client.read_deployment_by_name("monthly-ingest/monthly")
        except Exception:
            assert serve.poll() is None, read_log(serve_log)
            assert time.monotonic() < deadline, "the deployment was never registered"
            time.sleep(1)


@pytest.mark.prefect_server
def test_serve_without_a_server_starts_one_that_schedules_the_6th_at_6(township_dir, tmp_path):
    """The embedded default: no PREFECT_API_URL, so `township serve` runs a local server (a
    temporary server would never schedule anything) and stops it when it is stopped."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterName
    from prefect.settings import PREFECT_API_URL, temporary_settings

    home = tmp_path / "prefect-home"  # empty: the office's first start, its database made
    serve_log = tmp_path / "serve.log"
    port = free_port()
    env = {
        **clean_env(home),
        "TOWNSHIP_PREFECT_PORT": str(port),
        # the server's scheduler looks for new deployments every second rather than every five
        "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1",
    }
    serve = start_serve(township_dir, env, serve_log)
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not (
            found := re.search(r"local server (http://127\.0\.0\.1:\d+/api)", read_log(serve_log))
        ):
            assert serve.poll() is None, read_log(serve_log)
            assert time.monotonic() < deadline, read_log(serve_log)
            time.sleep(0.5)
        api_url = found[1]
        assert api_url == f"http://127.0.0.1:{port}/api"
        # the Prefect UI is on, at the server's address, and `township serve` says where
        assert f"runs, logs and artifacts: http://127.0.0.1:{port}" in read_log(serve_log)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as page:
            assert page.status == 200 and "<html" in page.read().decode("utf-8", "replace").lower()
        with (
            temporary_settings(updates={PREFECT_API_URL: api_url}),
            get_client(sync_client=True) as client,
        ):
            wait_for_deployment(client, serve, serve_log)
            deadline = time.monotonic() + 120
            while not (
                runs := client.read_flow_runs(
                    deployment_filter=DeploymentFilter(name=DeploymentFilterName(any_=["monthly"]))
                )
            ):
                assert time.monotonic() < deadline, "the scheduler created no runs"
                time.sleep(1)
        first = min(r.expected_start_time for r in runs)
        assert first == next_sixth_at_six(), first
        serve.send_signal(signal.SIGTERM)  # as a service manager stops it
        assert serve.wait(timeout=60) == 0
        assert not healthy(api_url), "the local server outlived `township serve`"
        with contextlib.closing(sqlite3.connect(home / "prefect.db")) as history:
            kept = history.execute("select name from deployment").fetchall()
        assert ("monthly",) in kept  # history kept in PREFECT_HOME
    finally:
        stop(serve)
    output = read_log(serve_log)
    assert "Traceback" not in output
    assert not re.search(r"\|\s*(WARNING|ERROR|CRITICAL)\s*\|", output), output


def next_sixth_at_six() -> datetime:
    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime.now(shanghai)
    candidate = now.replace(day=6, hour=6, minute=0, second=0, microsecond=0)
    if candidate <= now:
        candidate = (candidate.replace(day=1) + timedelta(days=32)).replace(day=6)
    return candidate
