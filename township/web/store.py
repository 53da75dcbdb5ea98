"""The web intake's own small store (SQLite, `TOWNSHIP_WEB_DB`): sign-in tokens and uploads.

Tokens: one per village code, and one for the office (OFFICE). Only the token's sha256 is
kept; a token is shown once, when issued. Uploads: one row per file a village uploaded, with
its check's outcome, so that the village's page and the office's board list them.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from township.privacy import owner_only

OFFICE = "office"
TOKEN_BYTES = 24

SCHEMA = """
create table if not exists tokens (
    who text primary key,          -- a village code, or 'office'
    token_sha256 text not null,
    issued_at text not null
);
create table if not exists uploads (
    upload_id text primary key,    -- random, never derived from the village or the time
    village_code text not null,
    report_month text not null,
    stored_path text not null,     -- under the raw folder
    original_name text not null,   -- shown to the village only; never used as a path
    uploaded_at text not null,
    status text,
    on_time integer,
    n_errors integer not null default 0,
    n_warnings integer not null default 0,
    report_path text,
    detail text not null           -- the findings, the row ledger, what it supersedes (JSON)
);
create index if not exists uploads_by_village on uploads (village_code, uploaded_at);
"""


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@contextmanager
def connect(db: Path):
    db = Path(db)
    with owner_only():
        db.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(db, timeout=30)) as con:
        con.row_factory = sqlite3.Row
        con.executescript(SCHEMA)
        with con:  # one transaction, committed on leaving
            yield con
    db.chmod(0o600)


def issue(db: Path, who: str) -> str:
    """A new token for `who` (replacing any earlier one: rotating); shown once, kept hashed."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    with connect(db) as con:
        con.execute(
            "insert into tokens values (?, ?, ?) on conflict (who) do update set "
            "token_sha256 = excluded.token_sha256, issued_at = excluded.issued_at",
            (who, _hash(token), datetime.now().isoformat(timespec="seconds")),
        )
    return token


def revoke(db: Path, who: str) -> bool:
    with connect(db) as con:
        return con.execute("delete from tokens where who = ?", (who,)).rowcount > 0


def listed(db: Path) -> list[tuple[str, str]]:
    """(who, issued at) of every token, never the token."""
    with connect(db) as con:
        return [tuple(r) for r in con.execute("select who, issued_at from tokens order by who")]


def verify(db: Path, who: str, token: str) -> str | None:
    """The token's generation (a prefix of its hash, kept in the session so that rotating or
    revoking ends the sessions signed in with it) when `token` is `who`'s; else None. The hash
    compared in constant time; an unknown `who` costs the same comparison."""
    with connect(db) as con:
        row = con.execute("select token_sha256 from tokens where who = ?", (who,)).fetchone()
    stored = row["token_sha256"] if row else "0" * 64
    given = _hash(token)
    if hmac.compare_digest(stored, given) and row is not None:
        return stored[:16]
    return None


def generation(db: Path, who: str) -> str | None:
    with connect(db) as con:
        row = con.execute("select token_sha256 from tokens where who = ?", (who,)).fetchone()
    return row["token_sha256"][:16] if row else None


@dataclass
class Upload:
    upload_id: str
    village_code: str
    report_month: str
    stored_path: str
    original_name: str
    uploaded_at: datetime
    status: str | None
    on_time: bool | None
    n_errors: int
    n_warnings: int
    report_path: str | None
    detail: dict

    @classmethod
    def of(cls, row: sqlite3.Row) -> Upload:
        values = dict(row)
        values["uploaded_at"] = datetime.fromisoformat(values["uploaded_at"])
        values["on_time"] = None if values["on_time"] is None else bool(values["on_time"])
        values["detail"] = json.loads(values["detail"])
        return cls(**values)


def new_upload_id() -> str:
    return secrets.token_hex(12)


def add_upload(db: Path, upload: Upload) -> None:
    with connect(db) as con:
        con.execute(
            "insert into uploads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                upload.upload_id,
                upload.village_code,
                upload.report_month,
                upload.stored_path,
                upload.original_name,
                upload.uploaded_at.isoformat(),  # to the microsecond, as the warehouse has it
                upload.status,
                None if upload.on_time is None else int(upload.on_time),
                upload.n_errors,
                upload.n_warnings,
                upload.report_path,
                json.dumps(upload.detail, ensure_ascii=False),
            ),
        )


def uploads(db: Path, village_code: str | None = None) -> list[Upload]:
    """A village's uploads (or every upload), newest first."""
    query = "select * from uploads"
    args: tuple = ()
    if village_code is not None:
        query, args = query + " where village_code = ?", (village_code,)
    with connect(db) as con:
        rows = con.execute(query + " order by uploaded_at desc, rowid desc", args).fetchall()
    return [Upload.of(r) for r in rows]


def upload(db: Path, upload_id: str, village_code: str | None) -> Upload | None:
    """One upload, if it is the village's (None: the office, which sees every upload)."""
    with connect(db) as con:
        row = con.execute("select * from uploads where upload_id = ?", (upload_id,)).fetchone()
    if row is None or (village_code is not None and row["village_code"] != village_code):
        return None
    return Upload.of(row)
