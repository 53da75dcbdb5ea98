"""Reports back to villages by e-mail: each report sent once, retried, recorded, never fatal.

Every report lands in the outbox regardless. Where villages.csv gives a village an `email`, its
reports are also sent: the Chinese subject names the village, the month and the status, the
plain-text summary (the `.txt` beside the workbook) is the body, the workbook is attached.

The delivery log, `<outbox>/.deliveries.jsonl`, holds one JSON record per report (the report's
path relative to the outbox plus the sha256 of its bytes): `queued`, then `sent` or `failed`
with the attempts made and the last error. It is rewritten atomically (temporary file, then
rename) under a lock file, so two runs at once cannot send a report twice. A report whose path
and bytes were sent before is never sent again, however often the flow runs and rewrites it; a
failed one is retried on the next run.

The SMTP server is a setting (township.config): TOWNSHIP_SMTP_HOST (unset: no e-mail, the outbox
only), TOWNSHIP_SMTP_PORT (25; 465 with TOWNSHIP_SMTP_SSL), the user, password, sender, STARTTLS.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import re
import smtplib
import ssl
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from township.calendar import month_zh
from township.config import Settings, SmtpSettings
from township.reports.outbox import month_reports
from township.reports.village import STATUS_ZH, ReportInput, VillageReport, report_path
from township.store import Warehouse
from township.villages import Village, VillageRegistry

log = logging.getLogger(__name__)

LOG_NAME = ".deliveries.jsonl"
LOCK_NAME = ".deliveries.lock"
XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
ATTEMPTS = 3  # per report and run
RETRY_DELAYS = (2.0, 10.0)  # seconds before the 2nd and 3rd attempt
QUEUED, SENT, FAILED = "queued", "sent", "failed"
_ADDRESS_SPLIT = re.compile(r"[;,，；、\s]+")


class DeliveryError(Exception):
    """A report could not be sent; `permanent` when retrying now cannot help (5xx)."""

    def __init__(self, message: str, permanent: bool = False, unreachable: bool = False):
        super().__init__(message)
        self.permanent = permanent
        self.unreachable = unreachable


# ---------------------------------------------------------------- the message


def addresses(email: str | None) -> list[str]:
    """`a@x.cn; b@x.cn` (or comma, Chinese punctuation, spaces) as a list of addresses."""
    return [a for a in _ADDRESS_SPLIT.split(email or "") if "@" in a]


def subject_for(inp: ReportInput | VillageReport, village_name: str | None = None) -> str:
    """【复合镇计生月报校验】复合村 2026年3月：有警告"""
    village = village_name or inp.village_name or inp.village_code or "未识别的村"
    status = STATUS_ZH.get(inp.status, inp.status)
    month = month_zh(inp.report_month)
    return f"【{inp.township_name or ''}计生月报校验】{village} {month}：{status}"


def build_message(
    subject: str, body: str, attachment: Path, sender: str, recipients: Sequence[str]
) -> EmailMessage:
    """A plain-text message (UTF-8) with the workbook attached under its own Chinese name."""
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=True)
    domain = parseaddr(sender)[1].rpartition("@")[2] or "localhost"
    msg["Message-ID"] = make_msgid(domain=domain)  # no DNS look-up on an offline machine
    msg.set_content(body, charset="utf-8")
    msg.add_attachment(
        attachment.read_bytes(),
        maintype=XLSX_TYPE[0],
        subtype=XLSX_TYPE[1],
        filename=attachment.name,
    )
    return msg


def send_message(msg: EmailMessage, smtp: SmtpSettings) -> None:
    """One attempt; raises DeliveryError saying whether trying again could help."""
    try:
        context = ssl.create_default_context()
        if smtp.use_ssl:
            client = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=smtp.timeout, context=context)
        else:
            client = smtplib.SMTP(smtp.host, smtp.port, timeout=smtp.timeout)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"cannot connect to {smtp.host}:{smtp.port}: {exc}", unreachable=True
        ) from exc
    try:
        with client:
            if smtp.starttls:
                client.starttls(context=context)
            if smtp.user:
                client.login(smtp.user, smtp.password or "")
            refused = client.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _ in exc.recipients.values()]
        raise DeliveryError(
            f"recipients refused: {_describe(exc.recipients)}", permanent=min(codes) >= 500
        ) from exc
    except smtplib.SMTPResponseException as exc:
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        raise DeliveryError(f"SMTP {exc.smtp_code} {text}", permanent=exc.smtp_code >= 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{type(exc).__name__}: {exc}") from exc
    if refused:  # delivered to the others: sending again would duplicate it for them
        log.warning("some recipients refused %s: %s", msg["Subject"], _describe(refused))


def _describe(refused: dict) -> str:
    return "; ".join(
        f"{addr} ({code} {msg.decode('utf-8', 'replace') if isinstance(msg, bytes) else msg})"
        for addr, (code, msg) in refused.items()
    )


def send_with_retries(
    msg: EmailMessage,
    smtp: SmtpSettings,
    attempts: int | None = None,
    delays: Sequence[float] | None = None,
) -> tuple[int, DeliveryError | None]:
    """(attempts made, None) when sent; (attempts made, the last error) when not."""
    attempts = ATTEMPTS if attempts is None else attempts
    delays = RETRY_DELAYS if delays is None else delays
    error: DeliveryError | None = None
    for n in range(1, attempts + 1):
        try:
            send_message(msg, smtp)
            return n, None
        except DeliveryError as exc:
            error = exc
            if exc.permanent or n == attempts:
                return n, exc
            time.sleep(delays[min(n - 1, len(delays) - 1)] if delays else 0)
    return attempts, error


# ---------------------------------------------------------------- the log


def file_sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


class DeliveryLog:
    """`<outbox>/.deliveries.jsonl`: the latest record per (report, sha256), oldest first."""

    def __init__(self, outbox: Path):
        self.outbox = Path(outbox)
        self.path = self.outbox / LOG_NAME
        self.records: dict[tuple[str, str], dict] = {}
        if self.path.exists():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    record = json.loads(line)
                except ValueError:  # a line cut short by a crash: the rest still counts
                    continue
                self.records[(record["report"], record["sha256"])] = record

    def get(self, report: str, sha256: str) -> dict | None:
        return self.records.get((report, sha256))

    def put(self, record: dict) -> None:
        record = {**record, "at": datetime.now().astimezone().isoformat(timespec="seconds")}
        self.records.pop((record["report"], record["sha256"]), None)
        self.records[(record["report"], record["sha256"])] = record
        self._save()

    def pending(self) -> list[dict]:
        return [r for r in self.records.values() if r["status"] in (QUEUED, FAILED)]

    def _save(self) -> None:
        self.outbox.mkdir(parents=True, exist_ok=True)
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.records.values())
        fd, tmp = tempfile.mkstemp(prefix=LOG_NAME, suffix=".tmp", dir=self.outbox)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


@contextlib.contextmanager
def _locked(outbox: Path) -> Iterator[None]:
    """One delivering process at a time per outbox (waits for the other to finish)."""
    outbox.mkdir(parents=True, exist_ok=True)
    with open(outbox / LOCK_NAME, "a+b") as fh:
        if os.name == "nt":  # pragma: no cover - the office may run Windows
            import msvcrt

            fh.seek(0)
            while True:
                try:
                    msvcrt.locking(fh.fileno(), msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    continue
            try:
                yield
            finally:
                fh.seek(0)
                msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# ---------------------------------------------------------------- delivering


@dataclass
class DeliveryResult:
    sent: int = 0
    failed: int = 0
    already_sent: int = 0
    without_email: int = 0
    configured: bool = True  # TOWNSHIP_SMTP_HOST set
    not_configured: int = 0  # reports that would have been e-mailed, had SMTP been set up
    failures: list[dict] = field(default_factory=list)  # report, to, error
    error: str | None = None  # delivery could not run at all

    def line(self) -> str:
        """One Chinese line for the run artifact."""
        if self.error:
            return f"邮件未能发送：{self.error}（报告已在发件箱目录）"
        if not self.configured:
            return f"邮件未配置（TOWNSHIP_SMTP_HOST）：{self.not_configured} 份应发邮件的报告仅在发件箱目录"
        parts = [f"已发送 {self.sent} 份", f"此前已发送 {self.already_sent} 份"]
        if self.failed:
            parts.append(f"发送失败 {self.failed} 份（下次运行时重试）")
        parts.append(f"无邮箱的村 {self.without_email} 份")
        return "邮件：" + "，".join(parts)


def deliver_reports(
    settings: Settings,
    months: Sequence[str],
    smtp: SmtpSettings | None = None,
    attempts: int | None = None,
    delays: Sequence[float] | None = None,
) -> DeliveryResult:
    """Queue the reports of `months` whose village has an e-mail, then send everything queued
    or failed before. Each (report path, content) goes out once; failures are recorded."""
    smtp = smtp or settings.smtp
    registry = VillageRegistry.load(settings.villages)
    emails = {v.code: v.email for v in registry.villages}
    outbox = Path(settings.outbox)
    result = DeliveryResult()
    inputs = [(inp, village_of(inp, registry)) for inp in _month_inputs(settings, months)]
    if smtp is None:
        result.configured = False
        result.not_configured = sum(1 for _, v in inputs if v and addresses(v.email))
        result.without_email = len(inputs) - result.not_configured
        return result
    with _locked(outbox):
        book = DeliveryLog(outbox)
        for inp, village in inputs:
            _queue(book, outbox, inp, village, result)
        unreachable: DeliveryError | None = None
        for record in book.pending():
            unreachable = _send(
                book, outbox, record, emails, smtp, attempts, delays, unreachable, result
            )
    return result


def village_of(inp: ReportInput | VillageReport, registry: VillageRegistry) -> Village | None:
    """The village a report goes to. A file rejected before its village could be read (corrupt,
    password) still names it in the file name (contract §3): its report, which holds no data, goes
    there too."""
    if inp.village_code:
        return registry.by_code.get(inp.village_code)
    if inp.status == "rejected":
        return registry.in_file_name(inp.file_name)
    return None


def _month_inputs(settings: Settings, months: Sequence[str]) -> list[VillageReport]:
    """The reports of `months`: one per village and month."""
    if not months:
        return []
    with Warehouse.open(settings, read_only=True, wait_seconds=settings.lock_wait_seconds) as wh:
        return [r for m in sorted(set(months)) for r in month_reports(wh, m, settings.raw_dir)]


def _queue(
    book: DeliveryLog,
    outbox: Path,
    inp: VillageReport,
    village: Village | None,
    result: DeliveryResult,
) -> None:
    to = addresses(village.email) if village else []
    if not to:
        result.without_email += 1
        return
    path = report_path(outbox, inp)
    if not path.exists():  # not written (yet): the next run that writes it queues it
        return
    report, sha = path.relative_to(outbox).as_posix(), file_sha256(path)
    known = book.get(report, sha)
    if known is not None:
        if known["status"] == SENT:
            result.already_sent += 1
        return
    book.put(
        {
            "report": report,
            "sha256": sha,
            "village_code": village.code,
            "subject": subject_for(inp, village.name),
            "to": to,
            "status": QUEUED,
            "attempts": 0,
            "error": None,
        }
    )


def _send(
    book: DeliveryLog,
    outbox: Path,
    record: dict,
    emails: dict[str, str | None],
    smtp: SmtpSettings,
    attempts: int | None,
    delays: Sequence[float] | None,
    unreachable: DeliveryError | None,
    result: DeliveryResult,
) -> DeliveryError | None:
    """Send one queued or failed report; returns the connection error that stops the rest."""
    path = outbox / record["report"]
    # The current address wins: a corrected villages.csv fixes a failed delivery.
    to = addresses(emails.get(record["village_code"])) or record["to"]
    if not path.exists() or file_sha256(path) != record["sha256"]:
        book.put({**record, "status": "superseded", "error": "报告已被更新或删除"})
        return unreachable
    if unreachable is not None:
        made, error = 0, unreachable  # the server is down: don't hammer it for every report
    else:
        body_file = path.with_suffix(".txt")
        body = body_file.read_text(encoding="utf-8") if body_file.exists() else record["subject"]
        msg = build_message(record["subject"], body, path, smtp.sender, to)
        made, error = send_with_retries(msg, smtp, attempts, delays)
    total = record.get("attempts", 0) + made
    if error is None:
        book.put({**record, "to": to, "status": SENT, "attempts": total, "error": None})
        result.sent += 1
        return None
    book.put({**record, "to": to, "status": FAILED, "attempts": total, "error": str(error)})
    result.failed += 1
    result.failures.append({"report": record["report"], "to": to, "error": str(error)})
    log.warning("could not e-mail %s to %s: %s", record["report"], ", ".join(to), error)
    return error if error.unreachable else unreachable
