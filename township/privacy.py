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
# ID), in ASCII or full-width digits: 18 characters anywhere in a run of digits (glued to a month,
# say), a 15-digit legacy one as a run of its own, or 18 written in groups (420102-19900303-0033).
_DIGIT = "0-9０-９"
_CHECK = "XxＸｘ"
_RUN = re.compile(rf"[{_DIGIT}]+[{_CHECK}]?")
_GROUPED = re.compile(  # a lookahead: overlapping candidates, digits around them or not
    rf"(?=([{_DIGIT}]{{6}}[-－ _.][{_DIGIT}]{{8}}[-－ _.][{_DIGIT}]{{3}}[{_DIGIT}{_CHECK}]))"
)


def mask_ids_in(text: str) -> str:
    """A file or sheet name with every ID number in it masked as mask_id masks it, each
    character in its place: such names are stored outside `restricted` and reach the analysts'
    copy. Digits that are no valid ID (a village code followed by a month) are kept as they are."""
    if not any(ch.isdigit() for ch in text):
        return text
    chars = list(text)
    for positions in _id_positions(text):
        shown = positions[:6] + positions[-4:] if len(positions) == 18 else positions[-2:]
        for i in set(positions) - set(shown):
            chars[i] = "*"
    return "".join(chars)


def _id_positions(text: str):
    """The places in `text` of each ID number's characters (separators left out)."""
    for run in _RUN.finditer(text):
        digits = unicodedata.normalize("NFKC", run[0]).upper()
        if len(digits) == 15 and _is_an_id(digits):
            yield list(range(run.start(), run.end()))
        for k in range(len(digits) - 17):  # every 18 characters of a longer run too
            if _is_an_id(digits[k : k + 18]):
                yield list(range(run.start() + k, run.start() + k + 18))
    for grouped in _GROUPED.finditer(text):
        places = [grouped.start() + i for i, ch in enumerate(grouped[1]) if ch not in "-－ _."]
        if _is_an_id(unicodedata.normalize("NFKC", "".join(text[i] for i in places)).upper()):
            yield places


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
