"""Cell values as villages type them, turned into canonical values.

Every normaliser returns the canonical value, ``None`` for a blank, or the submitted text
unchanged when it cannot be understood: validation then reports that text to the village,
so nothing is guessed and nothing is silently dropped.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache

from stdnum.cn import ric

from township.forms import load_catalogue, normalise_label

# Bounded: `township serve` runs for months and must not keep every ID it has seen.
CACHE_SIZE = 65536

EXCEL_EPOCH = date(1899, 12, 30)
# Excel serials for 1954-10-04 … 2119-01-08: wide enough for births and approvals, narrow
# enough that a count (e.g. 350) is never read as a date.
SERIAL_RANGE = (20000, 80000)

_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
# A date in Chinese numerals, as written in a letter or a certificate (二〇二六年三月五日)
_CHINESE_DATE = re.compile(
    r"^([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]$"
)
_CHINESE_DIGITS = {
    ch: n for n, chars in enumerate(("〇○零", *"一二三四五六七八九")) for ch in chars
}
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月?(?:份)?$"),
    re.compile(r"^(\d{4})(\d{2})$"),
]
_SPACES = re.compile(r"\s+")
# A unit after a count (12件, 5 人, 300（人次）): any word of one to three characters, except
# those that change the number (万, 千), make it approximate (余, 多, 左右), make it a date
# or a period (2月末, 3月份, 2026年, 5日: a heading or a date typed where the count goes), or
# count households (20户), where every count of the forms is of persons or things.
_UNIT = re.compile(r"\s*[(\[【]?\s*([\u4e00-\u9fff]{1,3})\s*[)\]】]?$")
NOT_UNITS = frozenset("十百千万亿兆余多来几左右上下约半零〇一二三四五六七八九两年月日号户")
# Characters never kept: controls (NUL, bell…; tabs and line breaks are spaces to the
# normalisers, which collapse them), invisible formatting (zero-width spaces, bidi overrides,
# the BOM) and lone surrogates. Private-use characters stay: old systems put rare name
# characters there.
_HIDDEN_CATEGORIES = frozenset({"Cf", "Cs"})


def _hidden(ch: str) -> bool:
    category = unicodedata.category(ch)
    return category in _HIDDEN_CATEGORIES or (category == "Cc" and not ch.isspace())


def visible(text: str) -> str:
    """Text without control or invisible formatting characters."""
    if text.isprintable():  # the usual case: one pass in C
        return text
    return "".join(ch for ch in text if not _hidden(ch))


def _as_typed(text: str) -> str:
    """A value that is not understood, for validation to quote back: as typed, less spaces
    around it and any control character (never stored, never shown)."""
    return visible(text).strip()


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@lru_cache(maxsize=CACHE_SIZE)
def clean_text(value: str) -> str:
    """NFKC (full-width digits and letters to ASCII), no control characters, spaces trimmed
    and collapsed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", visible(value))).strip()


# The largest count or 孩次 a cell may hold: the warehouse's integer columns (32-bit) hold no
# more. A larger number (an ID number pasted into a count cell, 1e300) stays the cell's text,
# which the rules refuse at its cell, instead of failing the load of every file.
MAX_COUNT = 2**31 - 1


def _is_whole(value: float | int) -> bool:
    return isinstance(value, int) or value.is_integer()


def _number_text(value: float | int) -> str:
    if isinstance(value, int):
        # str() of an int over 4300 digits raises; no spreadsheet cell holds one anyway.
        return str(value) if value.bit_length() <= 64 else format(Decimal(value), ".5E")
    if value.is_integer() and abs(value) >= 1e15:  # as Excel shows it: 1E+300, 4.20117E+17
        return format(value, ".6G")
    return str(int(value)) if value.is_integer() else str(value)


def _small_int(text: str, digits: int = 15) -> int | None:
    """Decimal digits as an int; None for anything else (``isdigit`` accepts ² and ፩, which
    ``int`` refuses, and ``int`` refuses strings over 4300 digits)."""
    return int(text) if text.isdecimal() and len(text) <= digits else None


def to_text(value: object) -> str | None:
    if value is None:
        return None
    if value.__class__ is str:  # the usual case, first: spaces collapsed (str.split ≡ \s+)
        if not value.isprintable():
            value = visible(value)
        return " ".join(value.split()) or None
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return _number_text(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return _SPACES.sub(" ", visible(str(value))).strip()


def to_count(value: object) -> int | str | None:
    if _is_blank(value):
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        return int(value) if _is_whole(value) and 0 <= value <= MAX_COUNT else _number_text(value)
    return _count_from_text(str(value))


# An ASCII comma between thousands (1,234): any other comma (12,15, 12，345: two figures in one
# cell) leaves the text no count, said to the village rather than read as 1215
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?:\D|$))")


@lru_cache(maxsize=CACHE_SIZE)
def _count_from_text(text: str) -> int | str | None:
    if "，" in text:  # a Chinese comma parts two figures (12，345), never thousands
        return _as_typed(text)
    cleaned = _THOUSANDS.sub("", clean_text(text))
    if cleaned in load_catalogue().blank_counts:  # /, —, 无: nothing, as an empty cell
        return None
    unit = _UNIT.search(cleaned)
    if unit and unit.start() and not NOT_UNITS.intersection(unit.group(1)):
        cleaned = cleaned[: unit.start()]  # 12件, 5 户, 300（人次）: the number, whatever the unit
    number = _small_int(cleaned)
    if number is None and re.fullmatch(r"\d{1,15}\.0+", cleaned):
        number = int(float(cleaned))
    if number is not None and number <= MAX_COUNT:
        return number
    return _as_typed(text)


def to_date(value: object) -> date | str | None:
    if _is_blank(value):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int | float):
        if SERIAL_RANGE[0] <= value <= SERIAL_RANGE[1] and _is_whole(value):
            return EXCEL_EPOCH + timedelta(days=int(value))
        return _date_from_text(_number_text(value))
    return _date_from_text(str(value))


@lru_cache(maxsize=CACHE_SIZE)
def _date_from_text(text: str) -> date | str:
    cleaned = clean_text(text).replace(" 年", "年").replace(" 月", "月")
    for pattern in _DATE_PATTERNS:
        match = pattern.match(cleaned)
        if match:
            try:
                return date(*(int(part) for part in match.groups()))
            except ValueError:
                return _as_typed(text)
    if (chinese := _CHINESE_DATE.match(cleaned)) is not None:
        return _chinese_date(*chinese.groups()) or _as_typed(text)
    serial = _small_int(cleaned, 5)
    if serial is not None and SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
        return EXCEL_EPOCH + timedelta(days=serial)
    return _as_typed(text)


def _chinese_date(year: str, month: str, day: str) -> date | None:
    try:
        return date(
            int("".join(str(_CHINESE_DIGITS[ch]) for ch in year)),
            _chinese_number(month),
            _chinese_number(day),
        )
    except (KeyError, TypeError, ValueError):  # 十十日, 二五日, 二月三十日
        return None


def _chinese_number(word: str) -> int | None:
    """三 → 3, 十二 → 12, 二十五 → 25; None for what is no number (二五)."""
    tens, ten, units = word.partition("十")
    if not ten:
        return _CHINESE_DIGITS[word] if len(word) == 1 else None
    if len(tens) > 1 or len(units) > 1:
        return None
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[units] if units else 0)


class ShortenedMonth(str):
    """A month Excel may have shortened: 2025.10 typed into a General cell is stored as the
    number 2025.1, the same number as 2025.1 typed for January. It reads as 'YYYY-01';
    `also` is its other reading, 'YYYY-10'."""

    also: str

    def __new__(cls, year: str) -> ShortenedMonth:
        month = super().__new__(cls, f"{year}-01")
        month.also = f"{year}-10"
        return month

    def __reduce__(self):  # to and from the reader workers
        return (ShortenedMonth, (self[:4],))


def months_meant(month: str) -> tuple[str, ...]:
    """The report months a 报告期 as read may mean: one, or two for a shortened one."""
    return (month, month.also) if isinstance(month, ShortenedMonth) else (month,)


def to_month(value: object) -> str | None:
    """A report month as 'YYYY-MM' (a ShortenedMonth for the number YYYY.1), or the text as
    given when it is not one."""
    if _is_blank(value):
        return None
    if isinstance(value, datetime | date):
        return f"{value.year:04d}-{value.month:02d}"
    if value.__class__ is float and re.fullmatch(r"\d{4}\.1", text := _number_text(value)):
        return ShortenedMonth(text[:4])
    text = clean_text(_number_text(value) if isinstance(value, int | float) else str(value))
    for pattern in _MONTH_PATTERNS:
        match = pattern.match(text)
        if match and 1 <= int(match.group(2)) <= 12:
            return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"
    parsed = _date_from_text(text)
    if isinstance(parsed, date):
        return f"{parsed.year:04d}-{parsed.month:02d}"
    return text


def _vocabulary(name: str, value: object) -> object:
    if _is_blank(value):
        return None
    key = _number_text(value) if isinstance(value, int | float) else str(value)
    found = load_catalogue().vocabularies[name].get(normalise_label(key))
    return found if found is not None else _as_typed(key)


def to_sex(value: object) -> str | None:
    return _vocabulary("sex", value)


def to_in_policy(value: object) -> bool | str | None:
    return _vocabulary("in_policy", value)


def to_residence(value: object) -> str:
    """Residence; a blank means 户籍 (contract §4)."""
    return _vocabulary("residence", value) or "户籍"


def to_category(value: object) -> str | None:
    return _vocabulary("category", value)


def to_parity(value: object) -> int | str | None:
    if _is_blank(value):
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if _is_whole(value) and 1 <= value <= MAX_COUNT else _number_text(value)
    return _parity_from_text(str(value))


@lru_cache(maxsize=CACHE_SIZE)
def _parity_from_text(text: str) -> int | str:
    cleaned = clean_text(text)
    number = _small_int(cleaned)
    if number is not None and 1 <= number <= MAX_COUNT:
        return number
    word = load_catalogue().vocabularies["parity_words"].get(normalise_label(cleaned))
    if word is not None:
        return int(word)
    digits = re.fullmatch(r"第?(\d{1,15})[孩胎]?", cleaned)
    if digits and 1 <= int(digits.group(1)) <= MAX_COUNT:
        return int(digits.group(1))
    return _as_typed(text)


def to_id(value: object) -> str | None:
    """An ID number as text. A number cell is reported as Excel shows it (1.10105E+17):
    Excel keeps 15 significant digits, so an 18-digit ID cannot be recovered. A 15-digit
    legacy ID fits in those 15 digits exactly, so a number cell holding one is upgraded."""
    if _is_blank(value):
        return None
    if value.__class__ is str and value.isascii() and value.isalnum():
        # the usual case, first: plain ASCII letters and digits need no cleaning
        cleaned = value.upper()
        return upgrade_legacy_id(cleaned) if len(cleaned) == 15 and cleaned.isdigit() else cleaned
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 10**14 <= value < 10**15 and _is_whole(value):
            return upgrade_legacy_id(str(int(value)))
        return format(Decimal(value), ".5E") if isinstance(value, int) else f"{value:.5E}"
    return _id_from_text(str(value))


@lru_cache(maxsize=CACHE_SIZE)
def _id_from_text(text: str) -> str:
    cleaned = clean_text(text).replace(" ", "").replace("-", "").upper()
    cleaned = cleaned.lstrip("'")  # Excel's text-prefix apostrophe when pasted as text
    if len(cleaned) == 15 and cleaned.isdigit():
        return upgrade_legacy_id(cleaned)
    return cleaned


def upgrade_legacy_id(legacy: str) -> str:
    """A 15-digit first-generation ID to its 18-character form (19xx years, new check char)."""
    body = legacy[:6] + "19" + legacy[6:]
    return body + ric.calc_check_digit(body + "0")


NORMALISERS = {
    "text": to_text,
    "id": to_id,
    "sex": to_sex,
    "date": to_date,
    "parity": to_parity,
    "in_policy": to_in_policy,
    "residence": to_residence,
    "category": to_category,
    "count": to_count,
    "month": to_month,
}
