"""The monthly flow unattended: e-mail delivery once per report, a corrupt file, a busy warehouse."""

from __future__ import annotations

import email
import email.policy
import json
import logging
import os
import socket
import subprocess
import sys
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path

import duckdb
import pytest
from aiosmtpd.controller import Controller
from builders import birth_row, write_births

import township.delivery as delivery
from township.config import Settings, SmtpSettings
from township.delivery import addresses, build_message

FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
ADDRESS = {FUHE: "cun01@example.cn", LIJIAWAN: "cun03@example.cn"}  # tests/builders.py
NAME = {FUHE: "复合村", TAOYUAN: "桃园村", LIJIAWAN: "李家湾村"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping every message; `refuse` answers 451 to that many DATAs first."""

    def __init__(self, refuse: int = 0):
        self.messages: list[EmailMessage] = []
        self.refuse = refuse

    async def handle_DATA(self, server, session, envelope):
        if self.refuse:
            self.refuse -= 1
            return "451 4.3.0 mailbox busy, try again"
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        msg["X-Rcpt"] = ",".join(envelope.rcpt_tos)
        self.messages.append(msg)
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("TOWNSHIP_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("TOWNSHIP_SMTP_PORT", str(controller.port))
    monkeypatch.setenv("TOWNSHIP_SMTP_FROM", "计生办 <jsb@example.cn>")
    monkeypatch.setattr(delivery, "RETRY_DELAYS", (0.05,))
    yield inbox
    controller.stop()


def month_files(settings, month: str = "2026-03") -> None:
    """One file per village: two clean, 李家湾村's with a late-reported birth (a warning)."""
    folder = settings.raw_dir / month
    write_births(
        folder / f"{FUHE}_3月.xlsx", [birth_row(1, "2026-03-02")], received=datetime(2026, 4, 2)
    )
    write_births(
        folder / f"{TAOYUAN}_3月.xlsx",
        [birth_row(2, "2026-03-09", sex="女")],
        received=datetime(2026, 4, 3),
    )
    write_births(
        folder / f"{LIJIAWAN}_3月.xlsx",
        [birth_row(3, "2026-03-15"), birth_row(4, "2026-01-20", sex="女")],
        received=datetime(2026, 4, 4),
    )


def query(settings, sql: str) -> list[tuple]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def attachment(msg: EmailMessage) -> tuple[str, bytes]:
    (part,) = list(msg.iter_attachments())
    return part.get_filename(), part.get_content()


def test_each_village_with_an_address_receives_its_own_report_once_over_two_runs(
    settings, smtp, prefect_harness, caplog
):
    from flows.monthly_ingest import monthly_ingest

    month_files(settings)
    with caplog.at_level(logging.INFO):
        first = monthly_ingest(month="2026-03")
    assert first["delivery"].sent == 2
    # A late file from the village without an address: the month's reports are all rewritten.
    write_births(
        settings.raw_dir / "2026-03" / f"{TAOYUAN}_3月_更正.xlsx",
        [birth_row(2, "2026-03-09", sex="女"), birth_row(5, "2026-03-20")],
        received=datetime(2026, 4, 5),
    )
    with caplog.at_level(logging.INFO):
        second = monthly_ingest(month="2026-03")
    assert len(second["result"].submissions) == 1
    assert second["delivery"].sent == 0 and second["delivery"].already_sent == 2

    received: dict[str, list[EmailMessage]] = {}
    for msg in smtp.messages:
        received.setdefault(msg["X-Rcpt"], []).append(msg)
    assert set(received) == set(ADDRESS.values())
    for code, address in ADDRESS.items():
        (msg,) = received[address]  # exactly one, after two runs
        (report,) = (settings.outbox / "2026-03").glob(f"{code}_*.xlsx")
        name, data = attachment(msg)
        assert name == report.name and data == report.read_bytes()
        assert NAME[code] in msg["Subject"] and "2026年3月" in msg["Subject"]
        assert msg.get_body(("plain",)).get_content().replace("\r\n", "\n").strip() == (
            report.with_suffix(".txt").read_text(encoding="utf-8").strip()
        )
    assert "有警告" in received[ADDRESS[LIJIAWAN]][0]["Subject"]
    assert "通过" in received[ADDRESS[FUHE]][0]["Subject"]

    log = [json.loads(line) for line in (settings.outbox / ".deliveries.jsonl").open()]
    assert sorted((r["village_code"], r["status"], r["attempts"]) for r in log) == [
        (FUHE, "sent", 1),
        (LIJIAWAN, "sent", 1),
    ]
    noisy = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert noisy == []


def test_failed_delivery_is_retried_recorded_and_sent_by_the_next_run(
    settings, smtp, prefect_harness, monkeypatch
):
    from flows.monthly_ingest import monthly_ingest

    month_files(settings)
    smtp_port = os.environ["TOWNSHIP_SMTP_PORT"]
    monkeypatch.setenv("TOWNSHIP_SMTP_PORT", str(free_port()))  # nobody listens: server down
    out = monthly_ingest(month="2026-03")
    assert out["delivery"].failed == 2 and smtp.messages == []
    assert len(out["result"].submissions) == 3  # the run itself succeeded
    log = [json.loads(line) for line in (settings.outbox / ".deliveries.jsonl").open()]
    assert {r["status"] for r in log} == {"failed"}
    assert any("cannot connect" in r["error"] for r in log)

    monkeypatch.setenv("TOWNSHIP_SMTP_PORT", smtp_port)
    smtp.refuse = 1  # the first message is turned away once (451), then accepted
    again = monthly_ingest(month="2026-03")
    assert again["result"].submissions == [] and again["delivery"].sent == 2
    assert sorted(m["X-Rcpt"] for m in smtp.messages) == sorted(ADDRESS.values())
    log = [json.loads(line) for line in (settings.outbox / ".deliveries.jsonl").open()]
    assert {r["status"] for r in log} == {"sent"}
    # Last run: three attempts for the first report, then the server was known to be down.
    # This run: the first report turned away once (2 attempts), the second sent at once.
    assert {r["village_code"]: r["attempts"] for r in log} == {FUHE: 3 + 2, LIJIAWAN: 0 + 1}


def test_a_corrupt_file_is_rejected_with_its_reason_and_everything_else_loads(
    settings, smtp, prefect_harness
):
    from flows.monthly_ingest import monthly_ingest

    month_files(settings)
    bad = settings.raw_dir / "2026-03" / f"{LIJIAWAN}_3月.xlsx"
    bad.write_bytes(bad.read_bytes()[: bad.stat().st_size // 2])  # cut off mid-transfer

    out = monthly_ingest(month="2026-03")
    status = {s["file_name"]: s["status"] for s in out["result"].submissions}
    assert status == {
        f"{FUHE}_3月.xlsx": "accepted",
        f"{TAOYUAN}_3月.xlsx": "accepted",
        bad.name: "rejected",
    }
    (report,) = (settings.outbox / "2026-03").glob(f"{LIJIAWAN}_*.txt")
    text = report.read_text(encoding="utf-8")
    assert "已拒收" in text and "拒收原因：文件已损坏或不完整" in text
    assert query(settings, "select count(*) from raw.births") == [(2,)]
    births = query(
        settings,
        "select org_code, value from marts.indicator_values "
        "where period = '2026-03' and indicator = 'births_total' and org_level = 'village'",
    )
    births = dict(births)
    assert births[FUHE] == 1 and births[TAOYUAN] == 1 and not births.get(LIJIAWAN)
    assert len(out["reports"]) == 3
    # The village named in the file name is told, though its file could not be opened.
    (told,) = [m for m in smtp.messages if m["X-Rcpt"] == ADDRESS[LIJIAWAN]]
    assert "李家湾村" in told["Subject"] and "已拒收" in told["Subject"]
    assert attachment(told)[0] == report.with_suffix(".xlsx").name


def test_township_serve_rejects_a_bad_schedule_with_exit_status_2(settings):
    from typer.testing import CliRunner

    from township.cli import app

    result = CliRunner().invoke(app, ["serve", "--cron", "61 6 6 * *"])
    assert result.exit_code == 2
    assert result.stderr.startswith("township: bad schedule '61 6 6 * *' (Asia/Shanghai)")
    assert len(result.stderr.strip().splitlines()) == 1


# ---------------------------------------------------------------- a busy warehouse

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("create table if not exists holder_was_here (x int)")
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
"""


def hold_warehouse(path: Path, seconds: float) -> subprocess.Popen:
    """Another process with a write connection to the warehouse, for `seconds`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert holder.stdout.readline().strip() == "holding"
    return holder


@pytest.fixture
def impatient(monkeypatch):
    """Wait 0.3 s for the lock (not 60) and 0.3 s between ingest retries (not minutes): four
    attempts span about 2 s."""
    import flows.monthly_ingest as module
    from township.store import Warehouse, WarehouseBusy

    monkeypatch.setenv("TOWNSHIP_LOCK_WAIT_SECONDS", "0.3")
    busy: list[str] = []
    open_warehouse = Warehouse.open

    def counting_open(*args, **kwargs):
        try:
            return open_warehouse(*args, **kwargs)
        except WarehouseBusy as exc:
            busy.append(str(exc))
            raise

    monkeypatch.setattr(Warehouse, "open", staticmethod(counting_open))
    monkeypatch.setattr(
        module, "ingest_files", module.ingest_files.with_options(retry_delay_seconds=0.3)
    )
    return busy


def test_busy_warehouse_is_retried_and_the_run_completes_when_it_is_released(
    settings, prefect_harness, impatient, monkeypatch
):
    from flows.monthly_ingest import monthly_ingest

    monkeypatch.delenv("TOWNSHIP_SMTP_HOST", raising=False)
    month_files(settings)
    holder = hold_warehouse(settings.warehouse, seconds=1.5)
    try:
        out = monthly_ingest(month="2026-03")
    finally:
        holder.wait(timeout=30)
    assert impatient, "the first attempt should have found the warehouse busy"
    assert len(out["result"].submissions) == 3
    assert query(settings, "select count(*) from raw.submissions") == [(3,)]


def test_busy_warehouse_fails_the_run_with_one_clear_message_and_writes_nothing(
    settings, prefect_harness, impatient, monkeypatch
):
    from flows.monthly_ingest import monthly_ingest

    monkeypatch.delenv("TOWNSHIP_SMTP_HOST", raising=False)
    write_births(
        settings.raw_dir / "2026-02" / f"{FUHE}_2月.xlsx",
        [birth_row(9, "2026-02-02")],
        received=datetime(2026, 3, 2),
    )
    monthly_ingest(month="2026-02")
    before = query(settings, "select submission_id from raw.submissions")
    month_files(settings)

    holder = hold_warehouse(settings.warehouse, seconds=120)
    try:
        state = monthly_ingest(month="2026-03", return_state=True)
    finally:
        holder.kill()
        holder.wait()
    assert state.is_failed()
    assert len(impatient) == 4  # the first attempt and three retries
    assert "WarehouseBusy" in state.message and "held by another process" in state.message
    assert query(settings, "select submission_id from raw.submissions") == before
    assert not (settings.outbox / "2026-03").exists()


# ---------------------------------------------------------------- library pieces


def test_previous_month_is_on_the_township_calendar():
    from zoneinfo import ZoneInfo

    from township.calendar import previous_month

    utc = ZoneInfo("UTC")
    # 06:00 on 6 April in Shanghai is still 5 April in UTC
    assert previous_month(datetime(2026, 4, 5, 22, 0, tzinfo=utc)) == "2026-03"
    assert previous_month(datetime(2026, 1, 6, 6, 0, tzinfo=ZoneInfo("Asia/Shanghai"))) == "2025-12"
    # 23:30 UTC on 31 March is already 1 April in Shanghai
    assert previous_month(datetime(2026, 3, 31, 23, 30, tzinfo=utc)) == "2026-03"


def smtp_settings_from(monkeypatch, environ: dict[str, str]) -> SmtpSettings | None:
    """The SMTP settings of an environment holding these TOWNSHIP_SMTP_* variables alone."""
    for name in [n for n in os.environ if n.startswith("TOWNSHIP_SMTP_")]:
        monkeypatch.delenv(name)
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    return Settings().smtp


def test_smtp_settings_come_from_the_environment(monkeypatch):
    assert smtp_settings_from(monkeypatch, {}) is None
    s = smtp_settings_from(
        monkeypatch,
        {
            "TOWNSHIP_SMTP_HOST": "smtp.163.com",
            "TOWNSHIP_SMTP_SSL": "true",
            "TOWNSHIP_SMTP_USER": "fuhe@163.com",
            "TOWNSHIP_SMTP_PASSWORD": "secret",
        },
    )
    assert (s.host, s.port, s.use_ssl, s.sender) == ("smtp.163.com", 465, True, "fuhe@163.com")
    assert "secret" not in repr(s)
    assert addresses("a@x.cn；b@x.cn, ") == ["a@x.cn", "b@x.cn"]


def test_message_has_chinese_subject_plain_body_and_the_workbook(tmp_path):
    report = tmp_path / f"{FUHE}_复合村_20260402-000000.xlsx"
    report.write_bytes(b"PK\x03\x04 workbook")
    msg = build_message(
        "【复合镇计生月报校验】复合村 2026年3月：通过",
        "校验结果：通过\n",
        report,
        "计生办 <jsb@example.cn>",
        ["cun01@example.cn"],
    )
    parsed = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    assert parsed["Subject"] == "【复合镇计生月报校验】复合村 2026年3月：通过"
    assert parsed.get_body(("plain",)).get_content() == "校验结果：通过\n"
    assert attachment(parsed) == (report.name, report.read_bytes())
    assert parsed["Message-ID"].endswith("@example.cn>")
