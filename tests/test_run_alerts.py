"""A failed monthly run reaches a person: the flow's failure hook e-mails the office (a real
SMTP server, aiosmtpd) the run, the reason and what the run committed before it failed."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from analyst_sample import ingest_holding
from builders import no_warehouse_yet
from test_monthly_automation import Inbox, free_port, month_files

from township.alerts import RunFailure, committed_lines, notify_office
from township.config import Settings

OFFICE = "jsb@example.cn"


@pytest.fixture
def office_inbox(monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("TOWNSHIP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TOWNSHIP_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("TOWNSHIP_SMTP_FROM", "township <township@example.cn>")
    monkeypatch.setenv("TOWNSHIP_OFFICE_EMAIL", OFFICE)
    yield inbox
    controller.stop()


def body(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def test_a_run_failing_after_its_load_emails_the_office_the_reason_and_what_committed(
    settings, office_inbox, prefect_harness
):
    from flows.monthly_ingest import monthly_ingest

    month_files(settings)
    with pytest.raises(ValueError):  # the load commits, then the summary period is refused
        monthly_ingest(month="2026-03", summary_period="SY2026H9", village_reports=False)
    to_office = [m for m in office_inbox.messages if m["X-Rcpt"] == OFFICE]
    assert len(to_office) == 1
    msg = to_office[0]
    assert msg["Subject"] == "【镇计生月报】月度运行失败：ingest-2026-03"
    text = body(msg)
    assert "SY2026H9" in text.split("原因：")[1].splitlines()[0]  # the reason, from the state
    committed = text.split("已提交的内容：")[1]
    assert "已提交入库：新文件3个（报告期 2026-03），指标已随后更新" in committed
    assert "运行编号：" in text


def test_a_run_failing_before_any_load_says_nothing_committed(
    settings, office_inbox, prefect_harness
):
    from flows.monthly_ingest import monthly_ingest

    month_files(no_warehouse_yet(settings))
    settings.villages.write_text("village_code,name\n", encoding="utf-8")  # unusable
    with pytest.raises(Exception):  # noqa: B017 - whichever the list's failure, the run fails
        monthly_ingest(month="2026-03", village_reports=False)
    (msg,) = [m for m in office_inbox.messages if m["X-Rcpt"] == OFFICE]
    assert "village" in body(msg).split("原因：")[1].splitlines()[0].lower()
    assert "仓库尚不存在，未写入任何数据。" in body(msg)


def test_a_crash_is_told_as_such_and_nothing_is_sent_without_an_office_address(
    settings, office_inbox, monkeypatch
):
    crash = RunFailure("ingest-2026-03", "Crashed", "Execution was cancelled by SIGTERM", None)
    assert notify_office(Settings(), crash)
    (msg,) = office_inbox.messages
    assert "崩溃" in msg["Subject"] and "SIGTERM" in body(msg)
    monkeypatch.delenv("TOWNSHIP_OFFICE_EMAIL")
    assert not notify_office(Settings(), crash)
    assert len(office_inbox.messages) == 1


def test_committed_lines_name_no_load_when_the_run_committed_none(settings):
    from township.ingest import ingest

    month_files(settings)
    ingest(settings)
    later = datetime.now(UTC)
    assert committed_lines(settings, later) == [
        "本次运行没有提交任何入库：仓库与运行前相同，下次运行会重新入库。"
    ]


RUN_FLOW = (
    "from township.serving import load_flow; "
    "load_flow('monthly_ingest')(month='2026-03', village_reports=False)"
)


def test_a_run_killed_by_sigterm_is_reported_as_crashed_by_its_own_process(
    settings, office_inbox, tmp_path, prefect_harness
):
    """A real flow process (reporting to the session's Prefect server, as a served flow reports
    to the office's), stopped by SIGTERM as a service manager stops it while it waits for a
    busy warehouse: its crash hook e-mails the office."""
    from prefect.settings import PREFECT_API_URL

    from township.ingest import ingest

    month_files(settings)
    ingest(settings)  # a warehouse to be busy
    env = {**os.environ, "TOWNSHIP_LOCK_WAIT_SECONDS": "120", "PYTHONUNBUFFERED": "1"}
    env["PREFECT_API_URL"] = PREFECT_API_URL.value()
    for name, value in Settings().model_dump().items():  # the settings fixture's paths
        if name in ("raw_dir", "villages", "warehouse", "outbox", "key_file"):
            env[Settings.env_name(name)] = str(Path(value).resolve())
    log_path = tmp_path / "flow.log"
    with ingest_holding(settings.warehouse), open(log_path, "w") as log:
        flow = subprocess.Popen(
            [sys.executable, "-c", RUN_FLOW],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # whatever it starts, stopped at the end
        )
        try:
            deadline = time.monotonic() + 180
            while "Beginning flow run" not in log_path.read_text():
                assert flow.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.5)
            time.sleep(2)  # into the ingest, waiting for the warehouse
            flow.send_signal(signal.SIGTERM)
            flow.wait(timeout=120)
        finally:
            if flow.poll() is None:
                flow.kill()
                flow.wait()
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(flow.pid, signal.SIGKILL)
    output = log_path.read_text()
    assert "Running hook 'tell_the_office' in response to entering state 'Crashed'" in output
    (msg,) = [m for m in office_inbox.messages if m["X-Rcpt"] == OFFICE]
    assert msg["Subject"] == "【镇计生月报】月度运行崩溃（进程中断）：ingest-2026-03"
    assert "termination signal" in body(msg)


# A flow run in a `township` command, reporting to the session's server: atexit, which stops a
# temporary Prefect server (`township demo` without a server), must still run after a SIGTERM.
WAITING_FLOW = """
import atexit, sys, time
from pathlib import Path
from prefect import flow
from township.cli import exit_on_sigterm
exit_on_sigterm()
atexit.register(Path(sys.argv[1]).write_text, "stopped at exit")
@flow(name="waits")
def waits():
    print("waiting", flush=True)
    time.sleep(120)
waits()
"""


def test_a_sigterm_during_a_flow_run_still_runs_the_exit_handlers(tmp_path, prefect_harness):
    from prefect.settings import PREFECT_API_URL

    marker, log_path = tmp_path / "marker", tmp_path / "flow.log"
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PYTHONUNBUFFERED": "1"}
    with open(log_path, "w") as log:
        flow = subprocess.Popen(
            [sys.executable, "-c", WAITING_FLOW, str(marker)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 120
            while "waiting" not in log_path.read_text():
                assert flow.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
            flow.send_signal(signal.SIGTERM)
            # Prefect reports the crash to the server before exiting: on a busy machine its
            # client retries for a while (a run once took over 60 s); the log says where it was
            try:
                status = flow.wait(timeout=180)
            except subprocess.TimeoutExpired:
                pytest.fail(f"no exit 180 s after SIGTERM:\n{log_path.read_text()}")
            assert status == 128 + signal.SIGTERM, log_path.read_text()
        finally:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(flow.pid, signal.SIGKILL)
    assert marker.read_text() == "stopped at exit", log_path.read_text()
    assert "Finished in state Crashed" in log_path.read_text()  # Prefect's handler came first
