"""Personal data: the keyed hash that stands for a person, and the masked ID analysts see."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from datetime import date
from pathlib import Path

from stdnum.cn import ric


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


# An ID number inside a name (a file named 420117199003030033.xlsx, a sheet named after a mother's
# ID): 18 characters or a 15-digit legacy one, in ASCII or full-width digits, not part of a longer
# run of digits.
_DIGIT = "0-9０-９"
_ID_IN_TEXT = re.compile(
    rf"(?<![{_DIGIT}])(?:[{_DIGIT}]{{17}}[{_DIGIT}XxＸｘ]|[{_DIGIT}]{{15}})(?![{_DIGIT}XxＸｘ])"
)


def mask_ids_in(text: str) -> str:
    """A file or sheet name with every ID number in it masked (mask_id): such names are stored
    outside `restricted` and reach the analysts' copy. A run of digits that is no valid ID (a
    village code followed by a month) is kept as it is."""
    if not any(ch.isdigit() for ch in text):
        return text
    return _ID_IN_TEXT.sub(_masked, text)


def _masked(match: re.Match) -> str:
    digits = unicodedata.normalize("NFKC", match[0]).upper()
    return mask_id(digits) if _is_an_id(digits) else match[0]


def _is_an_id(digits: str) -> bool:
    """A date of birth from 1900 to today and, for 18 characters, the right check character
    (stdnum's own is_valid also wants the county to have existed in the birth year: real IDs
    fail it; a village code followed by a month, 420117104201202603, has no such date)."""
    first = 1900
    if len(digits) == 15:  # first-generation: 19xx years, issued to the living of 1984–1999
        body, first = digits[:6] + "19" + digits[6:], 1920
        digits = body + ric.calc_check_digit(body + "0")
    try:
        born = ric.get_birth_date(digits)
    except Exception:
        return False
    return (
        first <= born.year and born <= date.today() and ric.calc_check_digit(digits) == digits[-1]
    )
