"""Personal data: the keyed hash that stands for a person, and the masked ID analysts see."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import secrets
from pathlib import Path


def load_or_create_key(key_file: Path, given: bytes | None = None) -> bytes:
    """The HMAC key: the one given (the setting TOWNSHIP_PERSON_KEY), else the key file kept
    outside the warehouse.

    The file is created on first run with mode 0600, so only the office account can read it;
    without the key, a person_key cannot be traced back to an ID number by brute force."""
    if given:
        return given
    key_file = Path(key_file)
    if key_file.exists():
        return key_file.read_bytes().strip()
    with owner_only():
        key_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(secrets.token_hex(32).encode("ascii"))
    return key_file.read_bytes().strip()


@contextlib.contextmanager
def owner_only():
    """Files and folders created meanwhile are readable by their owner alone (umask 077): the
    secrets folder, the restricted file and its write-ahead log, which hold names and IDs."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def person_key(key: bytes, id_number: str | None) -> str | None:
    if not id_number:
        return None
    return hmac.new(key, id_number.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def mask_id(id_number: str | None) -> str | None:
    """110105********002X: region and last four kept, birth date hidden."""
    if not id_number:
        return None
    if len(id_number) == 18:
        return id_number[:6] + "*" * 8 + id_number[-4:]
    return "*" * max(len(id_number) - 2, 1) + id_number[-2:] if len(id_number) > 4 else "****"
