"""An upload, from the moment it is in: kept under the raw folder for the monthly run, checked
at once (township/check.py), its outcome recorded for the village's page and the board."""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import BinaryIO

from township.calendar import local_time
from township.check import CheckResult, check_files
from township.config import Settings
from township.read.files import ACCEPTED_SUFFIXES
from township.store import WarehouseBusy
from township.web import store

UNKNOWN_SUFFIX = ".bin"  # a file of a type the reader does not take: kept, and refused by it


def stored_name(village_code: str, uploaded_at: datetime, original_name: str) -> str:
    """<village>_<YYYYMMDD-HHMMSS>_web<random>.<ext>: nothing of the client's name but its
    extension, and that only when it is one the reader takes."""
    suffix = Path(original_name).suffix.lower()
    suffix = suffix if suffix in ACCEPTED_SUFFIXES else UNKNOWN_SUFFIX
    return f"{village_code}_{uploaded_at:%Y%m%d-%H%M%S}_web{secrets.token_hex(4)}{suffix}"


def keep(source: BinaryIO, settings: Settings, village_code: str, month: str, name: str) -> Path:
    """The upload written into raw/<month>/ under a hidden name (the ingest skips hidden
    files), then linked under its own name, which fails rather than replace a file."""
    folder = Path(settings.raw_dir) / month
    folder.mkdir(parents=True, exist_ok=True)
    final = folder / stored_name(village_code, datetime.now(), name)
    partial = folder / f".{final.name}.part"
    fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out, 1 << 20)
        os.link(partial, final)  # FileExistsError: never over another file
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
    return final


def receive(
    settings: Settings, village_code: str, month: str, original_name: str, source: BinaryIO
) -> store.Upload:
    """Keep the upload, check it (its receipt time: now, the file's modification time), and
    record what the check found."""
    path = keep(source, settings, village_code, month, original_name)
    uploaded_at = local_time(path.stat().st_mtime, settings.zone)
    upload_id = store.new_upload_id()
    try:
        # a folder per upload: two uploads of one village in one second name their reports alike
        [result] = check_files([path], settings, month, reports_dir(settings) / upload_id)
    except WarehouseBusy:
        # the monthly run holds the warehouse: nothing kept, the village sends it again later
        path.unlink()
        raise
    upload = store.Upload(
        upload_id=upload_id,
        village_code=village_code,
        report_month=month,
        stored_path=str(path.relative_to(settings.raw_dir)),
        original_name=original_name[:200],
        uploaded_at=uploaded_at,
        status=result.status or "rejected",
        on_time=result.on_time,
        n_errors=result.errors,
        n_warnings=result.warnings,
        report_path=str(result.report) if result.report else None,
        detail=_detail(result),
    )
    store.add_upload(settings.web_db, upload)
    return upload


def reports_dir(settings: Settings) -> Path:
    """data/web/reports/<upload id>/<month>/<the report's own name>"""
    return Path(settings.web_db).parent / "reports"


def _detail(result: CheckResult) -> dict:
    return {
        "reason": result.reason_zh if result.status in (None, "rejected") else None,
        "deadline": result.deadline.isoformat(),
        "village_name": result.village_name,
        "findings": [
            {
                "sheet": f.sheet,
                "cell": f.cell,
                "severity": f.severity,
                "message": f.message_zh,
                "fix": f.fix_zh,
            }
            for f in result.findings
        ],
        "ledger": result.ledger,
        "supersedes": [asdict(s) for s in result.supersedes],
    }
