"""The office told when a monthly run fails or crashes: an e-mail to TOWNSHIP_OFFICE_EMAIL, in
Chinese, with the run, its state, the reason and what the run committed before it stopped (each
month's load is its own transaction: what committed stays, the rest was rolled back). The flow's
state hooks call `notify_office`; it never raises (a run that failed must not fail again)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from township.config import Settings
from township.delivery import addresses, send_with_retries

log = logging.getLogger(__name__)
# A failed run may have failed on a busy warehouse: the alert does not wait long to read it.
READ_WAIT_SECONDS = 5.0
STATE_ZH = {"Failed": "失败", "Crashed": "崩溃（进程中断）", "TimedOut": "超时"}


@dataclass(frozen=True)
class RunFailure:
    """What the hook knows of a run that ended badly."""

    run_name: str
    state: str  # Prefect's state name: Failed, Crashed …
    reason: str  # the state's message, or the exception
    started_at: datetime | None  # with its time zone; None: not started
    run_id: str | None = None
    ui_url: str | None = None  # the run in the Prefect UI, where there is one


def committed_lines(settings: Settings, since: datetime | None) -> list[str]:
    """What the warehouse committed since the run started, in Chinese, one line each."""
    from township.store import Warehouse, warehouse_exists

    if since is None:
        return ["运行未开始，仓库未改动。"]
    if not warehouse_exists(settings):
        return ["仓库尚不存在，未写入任何数据。"]
    try:
        with Warehouse.open(settings, read_only=True, wait_seconds=READ_WAIT_SECONDS) as wh:
            rows = wh.rows("committed_since", since=since)
    except Exception as exc:  # the warehouse may be why the run failed
        return [f"无法读取仓库，不能确认已提交的内容：{type(exc).__name__}: {exc}"]
    if not rows:
        return ["本次运行没有提交任何入库：仓库与运行前相同，下次运行会重新入库。"]
    lines = []
    for loaded_at, n_files, months, builds in rows:
        built = (
            "，指标已随后更新"
            if builds
            else "，指标尚未更新（下次运行或 township materialize 会更新）"
        )
        lines.append(
            f"{loaded_at:%Y-%m-%d %H:%M:%S} 已提交入库：新文件{n_files}个"
            f"（报告期 {months or '—'}）{built}"
        )
    return lines


def failure_message(settings: Settings, failure: RunFailure, committed: list[str]) -> EmailMessage:
    msg = EmailMessage()
    state = STATE_ZH.get(failure.state, failure.state)
    msg["Subject"] = f"【镇计生月报】月度运行{state}：{failure.run_name}"
    smtp = settings.smtp
    msg["From"] = smtp.sender if smtp else "township@localhost"
    msg["To"] = ", ".join(addresses(settings.office_email))
    started = (
        f"{failure.started_at.astimezone(settings.zone):%Y-%m-%d %H:%M:%S}（{settings.timezone}）"
        if failure.started_at
        else "未开始"
    )
    body = [
        f"月度运行 {failure.run_name} {state}。",
        "",
        f"状态：{failure.state}（{state}）",
        f"开始时间：{started}",
        f"原因：{failure.reason}",
        "",
        "已提交的内容：",
        *[f"  {line}" for line in committed],
        "",
        "下次按计划运行时会补上未入库的月份；也可在修复原因后手动运行：",
        "  uv run prefect deployment run monthly-ingest/monthly -p month=<YYYY-MM>",
    ]
    if failure.run_id:
        body.append(f"运行编号：{failure.run_id}")
    if failure.ui_url:
        body.append(f"在 Prefect 界面查看：{failure.ui_url}")
    msg.set_content("\n".join(body))
    return msg


def notify_office(settings: Settings, failure: RunFailure) -> bool:
    """E-mail the office about a failed or crashed run; True when sent. Without an office
    address or an SMTP host nothing is sent; an error is logged, never raised."""
    smtp = settings.smtp
    if not settings.office_email or smtp is None:
        log.warning("run %s %s; no office e-mail set: not sent", failure.run_name, failure.state)
        return False
    try:
        msg = failure_message(settings, failure, committed_lines(settings, failure.started_at))
        _, error = send_with_retries(msg, smtp)
    except Exception as exc:  # the hook runs after the failure: never fail again
        log.error("could not e-mail the office about %s: %s", failure.run_name, exc)
        return False
    if error is not None:
        log.error("could not e-mail the office about %s: %s", failure.run_name, error)
        return False
    return True
