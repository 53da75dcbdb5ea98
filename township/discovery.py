"""What is under the raw folder: the files to read, and a reason for every other path.

Files are read from `<raw>/<YYYY-MM>/` (and folders below it: the month is the top folder's).
Every other path gets an outcome with a reason, so that nothing under the raw folder is ever
passed over in silence: a file beside the month folders, a folder named `2026-3` or `misc`,
a link (never followed: it may lead anywhere, or round in a loop), a pipe or a device, an
Excel lock file. Only what `os.scandir` says of an entry is used (no stat per file), and no
link is ever followed.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

MONTH_DIR = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
# the names an office's file system leaves beside real files
SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store"})

# Why a path is not read (the ledger's reason codes), in the office's language.
IGNORED_ZH = {
    "outside_month_folder": "不在报告期目录中：文件应放在 raw/<YYYY-MM>/ 目录下，本次未读取",
    "not_a_month_folder": "所在目录名不是报告期（应为 YYYY-MM，如 2026-03），本次未读取",
    "symlink": "符号链接（快捷方式），系统不跟随链接读取，请放入文件本身",
    "not_a_file": "不是普通文件（设备、管道等），未读取",
    "lock_file": "Excel/WPS 打开文件时留下的临时文件（~$ 开头），不是报表",
    "hidden_file": "隐藏文件或系统文件，不是报表",
    "vanished": "列出后、读取前文件被移走或删除；如仍需报送，下次入库时会读取",
    "unreadable_folder": "目录无法打开（权限不足），其中的文件未读取",
}


class RawFolderMissing(FileNotFoundError):
    """The raw folder itself is not there (a share not mounted, a wrong path)."""


@dataclass(frozen=True)
class Ignored:
    path: Path
    reason_code: str
    month: str | None = None  # the report-month folder it lies in, if any

    @property
    def reason_zh(self) -> str:
        return IGNORED_ZH[self.reason_code]


@dataclass
class Discovery:
    """Files to read as (path, report month), oldest month first; and every path not read."""

    files: list[tuple[Path, str]]
    ignored: list[Ignored]


def discover(raw_dir: Path, month: str | None = None) -> Discovery:
    """The files of every report-month folder (or of `month` only), and the paths that are not
    read. Paths outside any month folder are listed by every ingest, whatever its month."""
    raw_dir = Path(raw_dir)
    if not raw_dir.is_dir():
        raise RawFolderMissing(f"raw folder not found: {raw_dir}")
    found = Discovery([], [])
    months = []
    for entry in _entries(raw_dir):
        if entry.is_symlink():
            found.ignored.append(Ignored(Path(entry.path), "symlink"))
        elif entry.is_dir():
            if MONTH_DIR.match(entry.name):
                months.append(entry)
            else:
                _ignore_tree(Path(entry.path), "not_a_month_folder", found)
        elif not _placeholder(entry):
            reason = _file_reason(entry) or "outside_month_folder"
            found.ignored.append(Ignored(Path(entry.path), reason))
    for folder in sorted(months, key=lambda e: e.name):
        if month is None or folder.name == month:
            _month_files(Path(folder.path), folder.name, found)
    return found


def _entries(folder: Path, found: Discovery | None = None) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as entries:
            return sorted(entries, key=lambda e: e.name)
    except OSError:
        if found is None:
            raise
        found.ignored.append(Ignored(folder, "unreadable_folder"))
        return []


def _placeholder(entry: os.DirEntry) -> bool:
    """The empty .gitkeep that keeps the raw folder in a repository (as this project's own
    data/raw/ has): no file anyone sent, so not listed."""
    return (
        entry.name == ".gitkeep"
        and entry.is_file(follow_symlinks=False)
        and not (entry.stat(follow_symlinks=False).st_size)
    )


def _file_reason(entry: os.DirEntry) -> str | None:
    """Why a file (not a folder) is never a report, or None when it may be one."""
    if entry.is_symlink():
        return "symlink"
    if not entry.is_file(follow_symlinks=False):
        return "not_a_file"
    if entry.name.startswith("~$"):
        return "lock_file"
    if entry.name.startswith(".") or entry.name.lower() in SYSTEM_FILES:
        return "hidden_file"
    return None


def _month_files(folder: Path, month: str, found: Discovery) -> None:
    for entry in _entries(folder, found):
        if entry.is_dir(follow_symlinks=False):
            if entry.name.startswith("."):
                _ignore_tree(Path(entry.path), "hidden_file", found, month)
            else:
                _month_files(Path(entry.path), month, found)
        elif reason := _file_reason(entry):
            found.ignored.append(Ignored(Path(entry.path), reason, month))
        else:
            found.files.append((Path(entry.path), month))


def _ignore_tree(folder: Path, reason: str, found: Discovery, month: str | None = None) -> None:
    """Every file below a folder that is not read, each with the folder's reason."""
    for entry in _entries(folder, found):
        if entry.is_dir(follow_symlinks=False):
            _ignore_tree(Path(entry.path), reason, found, month)
        else:
            found.ignored.append(Ignored(Path(entry.path), _file_reason(entry) or reason, month))
