"""What a reader worker does with a chunk of files: read each, validate the chunk in one
pandera call per form, shape the rows for the warehouse, and say what became of each file.
It touches no storage: the parent process loads what comes back (township/ingest.py)."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from township import ledger
from township.config import Settings
from township.discovery import Ignored
from township.facts import LoadBatch, build_load_batch
from township.ledger import FileOutcome
from township.model import FileRead, Rejection
from township.read.files import NotARegularFile, file_identity, read_file, relative_path
from township.rules.validate import validate_batch
from township.villages import VillageRegistry

log = logging.getLogger(__name__)
# Files read and validated together: bounds memory, amortises pandera's fixed cost per call.
CHUNK_FILES = 1000


def ignored_outcome(item: Ignored, raw_dir: Path, month: str | None = None) -> FileOutcome:
    return FileOutcome(
        relative_path(item.path, raw_dir),
        month or item.month,
        ledger.IGNORED,
        item.reason_code,
        item.reason_zh,
    )


MEMORY_LIMIT = Rejection(
    "memory_limit",
    "文件展开后内容过多，读取时超出了系统设定的内存上限，未能读取。"
    "请在 Excel/WPS 中打开，删除多余的工作表、空行和格式后另存为 .xlsx 再报送。",
)
UNREADABLE = Rejection("unreadable", "文件无法读取，请在 Excel/WPS 中打开确认后重新保存并报送。")


def read_one(
    path: Path, month: str, registry: VillageRegistry, settings: Settings, sha256: str | None = None
) -> FileRead | Ignored:
    """Read a file; whatever goes wrong is recorded against that file alone. A file gone, or
    no longer a plain file, since it was listed is not read (Ignored)."""
    try:
        limits = settings.reader_limits
        return read_file(path, month, registry, **limits, sha256=sha256, zone=settings.zone)
    except FileNotFoundError:
        return Ignored(path, "vanished")
    except NotARegularFile:
        return Ignored(path, "symlink" if os.path.islink(path) else "not_a_file")
    except MemoryError:
        return refused_file(path, month, registry, MEMORY_LIMIT, settings.zone)
    except Exception as exc:  # one broken file never stops the batch
        log.warning("could not read %s: %s", path, exc)
        return refused_file(path, month, registry, UNREADABLE, settings.zone)


def refused_file(
    path: Path, month: str, registry: VillageRegistry, rejection: Rejection, zone: ZoneInfo
) -> FileRead | Ignored:
    """A file the reader gave up on, refused, for the village its file name names (if any)."""
    try:
        sha, size, received = file_identity(path, zone)
    except FileNotFoundError:
        return Ignored(path, "vanished")
    except NotARegularFile:
        return Ignored(path, "not_a_file")
    out = FileRead(path, sha, size, received, month, rejection=rejection)
    village = registry.in_file_name(path.name)
    if village is not None:
        out.village_code, out.village_name = village.code, village.name
    return out


def chunks(items: list, size: int) -> Iterator[list]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def prepare(
    items: list[tuple[Path, str, str | None]],
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
    on_read: Callable[[], None] | None = None,
) -> LoadBatch:
    """Read, validate and shape a chunk of (file, month, sha256 or None: hashed here, from the
    bytes read) items: one pandera call per form for the chunk. Runs in a worker process, so
    it touches no storage. `on_read` is called after each file is read (progress)."""
    reads = []
    for path, month, sha in items:
        reads.append(read_one(path, month, registry, settings, sha))
        if on_read is not None:
            on_read()
    return shape(reads, [month for _, month, _ in items], registry, settings, key)


def shape(
    reads: list[FileRead | Ignored],
    months: list[str],
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
) -> LoadBatch:
    """What was read, validated and shaped as the warehouse's rows, with each file's outcome."""
    files, outcomes, seen = [], [], {}
    for read, month in zip(reads, months, strict=True):
        if isinstance(read, Ignored):
            outcomes.append(ignored_outcome(read, settings.raw_dir, month))
            continue
        outcome = _read_outcome(read, settings.raw_dir)
        if read.submission_id in seen:  # a byte-identical copy within the chunk: one of each
            outcomes.append(outcome.as_unchanged())
            continue
        seen[read.submission_id] = True
        files.append(read)
        outcomes.append(outcome)
    batch = build_load_batch(files, validate_batch(files), key, settings.raw_dir, datetime.now())
    batch.outcomes = outcomes
    return batch


def _read_outcome(fr: FileRead, raw_dir: Path) -> FileOutcome:
    rel = relative_path(fr.path, raw_dir)
    if fr.rejection:
        kind, code, reason = ledger.REFUSED, fr.rejection.code, fr.rejection.public_message
    else:  # the status is set once the file's checks are all made (see ingest)
        kind, code, reason = ledger.LOADED, "accepted", ""
    return FileOutcome(
        rel,
        fr.report_month,
        kind,
        code,
        reason,
        fr.submission_id,
        fr.village_code,
        fr.size,
        fr.received_at,
    )
