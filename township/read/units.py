"""The units a village writes for a one-record form's figures (户, 人, 单位：户), and which of
them mean households, where every count of the forms is of persons or things."""

from __future__ import annotations

import re
from functools import cache, lru_cache

from township.forms import load_catalogue

# The unit a one-record form's figure is written in, where a village writes one: in a 单位
# column of its row (项目 | 单位 | 数量: 户 | 86), also in a 单位 cell merged down several rows,
# closing its column's heading (数量（户）, 数量（户数）), as the heading itself (项目 | 户数), in a
# row of units over the columns (| （人） | （户））, or in the form's units note (单位：户, 单位： | 户,
# 东湖村节育措施情况（单位：户））. The field's own heading or item saying households says it
# (流出人口数（户）: the village is told whatever else is written); else the nearest: the row's
# own before the heading's, a note right above before one higher up, none over another table's
# or an unread item's figures. A
# figure in households (户), where every count of the forms is of persons or things, is no
# count: it is said as one typed 86户 is (count.invalid), not read as persons. A row of unit
# words under a table's header is any words (件 | 户 | 人), and a heading 户数 beside 人数 is a
# column of its own.
_UNIT_WORD = r"[^\d\s()（）【】\[\]/／:：,，]{1,3}"
# a note's units, mixed ones too (单位：人/户: not households alone)
_NOTE_UNITS = r"[^\d\s()（）【】\[\]:：,，]{1,5}"
_CLOSING_UNIT = ("）", ")", "】", "]")
_FORM_UNIT = re.compile(
    rf"(?<!填报)(?<!报送)(?:计量)?单\s*位\s*[:：(（]?\s*({_NOTE_UNITS})\s*[)）]?\s*$"
)
_COLUMN_UNIT = re.compile(
    rf"(?:[(（【\[]\s*({_UNIT_WORD})\s*[)）】\]]|(?<!人数)(?<!人次)(?<!人)[/／]\s*({_UNIT_WORD}))\s*$"
)
_MARKED_UNIT = re.compile(
    rf"\s*[(（]?\s*(?:(?:计量)?单\s*位\s*[:：]?\s*)?({_UNIT_WORD})\s*[)）]?\s*"
)


@cache
def unit_words() -> frozenset[str]:
    return load_catalogue().unit_words


@cache
def household_units() -> tuple[str, ...]:
    """The units that mean households (户, 户数: `households` in schemas/forms.yaml); the first
    is the one said to the village (86（单位：户）)."""
    return load_catalogue().household_units


def unit_note(value: object) -> tuple[str, str] | None:
    """(unit, "form") of a text ending in a units note (单位：户, 东湖村…（单位：户））; (unit,
    "column") of one ending in a bracketed unit (（户）, 数量（户））, and of a heading 户数; None
    of any other."""
    if value.__class__ is not str or (
        not value.rstrip().endswith(_CLOSING_UNIT) and "位" not in value and "户" not in value
    ):
        return None  # most cells: no bracket closing them, no 单位, no 户
    if (found := _FORM_UNIT.search(value)) is not None:
        return found[1], "form"
    found = _COLUMN_UNIT.search(value)
    if found is not None and (found[1] or found[2]) in unit_words():
        return found[1] or found[2], "column"  # not 户籍人口（期末）
    return None


def own_unit(heading: object) -> str | None:
    """The unit a field's own heading or item closes with (流出人口数（户）, 上环（人）,
    流出人口数（单位：户））."""
    note = unit_note(heading)
    return None if note is None else note[0]


def a_unit(value: object) -> str | None:
    """The unit a 单位 cell holds (户, （户）, 单位：人); not a village's name there."""
    if value.__class__ is not str or any(ch.isdigit() for ch in value):
        return None
    found = _MARKED_UNIT.fullmatch(value)
    return None if found is None or found[1] not in unit_words() else found[1]


@lru_cache(maxsize=4096)
def in_households(heading: str) -> bool:
    """A field's heading or item whose own unit is households (流出人口数（户）, 流出人口数（户数）,
    流出人口数（单位：户））."""
    return own_unit(heading) in household_units()
