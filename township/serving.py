"""The monthly schedule: a Prefect deployment of the monthly flow (flows/monthly_ingest.py,
loaded from its file), served by this process.

Against a real Prefect server (PREFECT_API_URL set, in the environment or the Prefect profile)
the deployment is registered there and this process runs the flow runs the server schedules.

With no server configured, Prefect's temporary server would accept the deployment and never
run it: a temporary server has no scheduler. So `serve_monthly` then starts its own local
`prefect server start` on 127.0.0.1:TOWNSHIP_PREFECT_PORT (4200; scheduler on, the rest as in
township/prefect_settings.py, history in PREFECT_HOME), serves against it and stops it on the
way out. A server already answering on that port (say, one left behind by a killed `township
serve`) is used as it is.

The schedule is not paused when this process stops: a run due while the machine was off stays
scheduled and is run as soon as `township serve` is back.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from township.config import Settings
from township.monthly import PREVIOUS
from township.paths import project_file
from township.prefect_settings import PREFECT_DEFAULTS

DEFAULT_CRON = "0 6 6 * *"  # 06:00 on the 6th: the day after the villages' deadline
DEPLOYMENT_NAME = "monthly"
SERVER_START_TIMEOUT = 180.0  # measured: 20-40 s on 2 cores, cold


class ServerError(Exception):
    """The local Prefect server did not come up."""


def check_schedule(cron: str, timezone: str) -> None:
    """Raise ValueError with a readable reason for a bad cron string or time zone."""
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron, timezone=timezone)
    except Exception as exc:  # pydantic's ValidationError: keep its first message
        errors = getattr(exc, "errors", lambda: [])()
        reason = errors[0]["msg"] if errors else str(exc)
        raise ValueError(f"bad schedule {cron!r} ({timezone}): {reason}") from exc


def load_flow(name: str = "monthly_ingest"):
    """A flow of flows/<name>.py (the function of the same name), loaded from its file as
    Prefect loads a deployment's entrypoint: the library never imports the flows."""
    from prefect.flows import load_flow_from_entrypoint

    return load_flow_from_entrypoint(f"{flow_file(name)}:{name}")


def flow_file(name: str) -> Path:
    return project_file("flows", f"{name}.py")


def build_deployment(
    flow,
    settings: Settings,
    cron: str = DEFAULT_CRON,
    timezone: str | None = None,
    name: str = DEPLOYMENT_NAME,
    month: str = PREVIOUS,
):
    """The monthly flow as a deployment: cron schedule in the township's zone, absolute paths
    (the flow's file too: the runs start wherever the service's working directory is)."""
    from prefect.deployments.runner import EntrypointType
    from prefect.schedules import Cron

    timezone = timezone or settings.timezone
    check_schedule(cron, timezone)
    deployment = flow.to_deployment(
        name=name,
        schedule=Cron(cron, timezone=timezone),
        parameters={
            "month": month,
            "raw_dir": str(Path(settings.raw_dir).resolve()),
            "warehouse": str(Path(settings.warehouse).resolve()),
            "villages": str(Path(settings.villages).resolve()),
            "outbox": str(Path(settings.outbox).resolve()),
        },
        description="村计生月报：每月入库、校验、回执各村、全镇摘要",
        tags=["township"],
        entrypoint_type=EntrypointType.FILE_PATH,
    )
    deployment.entrypoint = f"{flow_file(flow.fn.__name__)}:{flow.fn.__name__}"
    return deployment


def configured_api_url() -> str | None:
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except OSError:
        return False


def server_env(
    home: Path | None = None, scheduler: bool = True, ui: bool = False
) -> dict[str, str]:
    """The environment of a local server: the project's Prefect defaults, scheduler and UI as
    asked."""
    env = {**PREFECT_DEFAULTS, **os.environ}
    env.pop("PREFECT_API_URL", None)
    env["PREFECT_SERVER_SERVICES_SCHEDULER_ENABLED"] = "true" if scheduler else "false"
    env["PREFECT_SERVER_UI_ENABLED"] = "true" if ui else "false"
    if home is not None:
        env["PREFECT_HOME"] = str(home)
    return env


@contextlib.contextmanager
def local_server(
    home: Path | None = None,
    port: int | None = None,
    scheduler: bool = True,
    timeout: float = SERVER_START_TIMEOUT,
    log_file: Path | None = None,
    ui: bool = False,
) -> Iterator[str]:
    """`prefect server start` on 127.0.0.1 while the block runs; yields its API URL. With `ui`,
    the Prefect UI too, at the same address without /api (the runs, their logs and artifacts).

    The server is stopped on the way out, whatever happened (terminate, then kill)."""
    port = port or free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = server_env(home, scheduler, ui)
    log_path = log_file or Path(env.get("PREFECT_HOME") or Path.home() / ".prefect") / "server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start"]
            + ["--host", "127.0.0.1", "--port", str(port), "--analytics-off"]
            + ([] if ui else ["--no-ui"]),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + timeout
        while not healthy(api_url):
            if process.poll() is not None:
                raise ServerError(
                    f"the local Prefect server exited with status {process.returncode}; "
                    f"see {log_path}"
                )
            if time.monotonic() > deadline:
                raise ServerError(
                    f"the local Prefect server did not answer within {timeout:.0f} s; see {log_path}"
                )
            time.sleep(0.5)
        yield api_url
    finally:
        stop_process(process)


def ui_url(api_url: str) -> str:
    """The Prefect UI of a server, from its API URL (http://127.0.0.1:4200/api → …:4200)."""
    return api_url.removesuffix("/").removesuffix("/api")


def stop_process(process: subprocess.Popen, grace: float = 15.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def serve_monthly(
    flow,
    settings: Settings,
    cron: str = DEFAULT_CRON,
    timezone: str | None = None,
    name: str = DEPLOYMENT_NAME,
    month: str = PREVIOUS,
    announce=print,
) -> None:
    """Serve the monthly deployment until interrupted (Ctrl-C, SIGTERM)."""
    from prefect import serve
    from prefect.settings import PREFECT_API_URL, temporary_settings

    deployment = build_deployment(flow, settings, cron, timezone, name, month)
    where = f"{deployment.flow_name}/{name}"
    schedule = f"cron {cron!r} ({timezone or settings.timezone})"
    api_url = configured_api_url()
    if api_url:
        announce(f"serving {where} on {api_url}, {schedule}")
        serve(deployment, limit=1, pause_on_shutdown=False, print_starting_message=False)
        return
    port = settings.prefect_port
    running = f"http://127.0.0.1:{port}/api"
    # with the UI on: the office looks at the runs, their logs and artifacts there
    server = (
        contextlib.nullcontext(running) if healthy(running) else local_server(port=port, ui=True)
    )
    with server as api_url:
        os.environ["PREFECT_API_URL"] = api_url  # for the flow-run processes
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            announce(f"serving {where} on local server {api_url}, {schedule}")
            announce(f"runs, logs and artifacts: {ui_url(api_url)}")
            serve(deployment, limit=1, pause_on_shutdown=False, print_starting_message=False)


def status_api_url(settings: Settings) -> str | None:
    """The Prefect server to ask for run history: PREFECT_API_URL, else the local one `township
    serve` runs (127.0.0.1:TOWNSHIP_PREFECT_PORT) when it answers; None when neither does."""
    configured = configured_api_url()
    if configured:
        return configured
    local = f"http://127.0.0.1:{settings.prefect_port}/api"
    return local if healthy(local) else None


def last_runs(api_url: str, limit: int = 10, flow_name: str = "monthly-ingest") -> list[dict]:
    """The flow's latest runs, newest first: name, state, message, start, end (aware times)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowFilter, FlowFilterName
    from prefect.client.schemas.sorting import FlowRunSort
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with (
        temporary_settings(updates={PREFECT_API_URL: api_url}),
        get_client(sync_client=True) as client,
    ):
        runs = client.read_flow_runs(
            flow_filter=FlowFilter(name=FlowFilterName(any_=[flow_name])),
            sort=FlowRunSort.EXPECTED_START_TIME_DESC,
            limit=limit,
        )
    return [
        {
            "name": r.name,
            "state": r.state.name if r.state else "?",
            "message": (r.state.message if r.state else None) or "",
            "expected": r.expected_start_time,
            "start": r.start_time,
            "end": r.end_time,
            "id": str(r.id),
        }
        for r in runs
    ]
