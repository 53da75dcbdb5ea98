"""What a row of a grid holds (cells filled, figures, only words), and the form a title or a sheet
name names: the tests that tell blocks of a sheet apart (files.py) and copies of a form (copies.py)."""

from __future__ import annotations

from functools import lru_cache

from township.forms import Catalogue, Form, load_catalogue
from township.read.layout import _figure, form_for_sheet_name
from township.read.periods import month_named_in


def cells_filled(row: list[object], enough: int | None = None) -> int:
    """How many cells of a row hold something (_blank's test, quicker on rows of ''), counted
    up to `enough` when given."""
    n = 0
    for v in row:
        if v not in _EMPTY and not (v.__class__ is str and v.isspace()):
            n += 1
            if n == enough:
                break
    return n


_EMPTY = ("", None)


def words_only(row: list[object]) -> bool:
    """A filled row with no figure in it: a title, a heading, a units row, a note."""
    return cells_filled(row, enough=1) > 0 and not has_figure(row)


def has_figure(row: list[object]) -> bool:
    """A row with a figure in it (300, "12件", an ID number); 2月 or 2026年3月 is a heading."""
    return any(_figure(v) and not is_period(v) for v in row)


def is_period(value: object) -> bool:
    """2月, 2026年3月, 5日, or a month typed as text with its year (2026.02, 2026-02)."""
    if value.__class__ is not str:
        return False
    if any(mark in value for mark in "年月日号"):
        return True
    named = month_named_in(value)
    return named is not None and named[0] is not None


@lru_cache(maxsize=4096)
def form_titled(text: str) -> Form | None:
    return form_for_sheet_name(text, load_catalogue())


def titled(text: str, catalogue: Catalogue) -> Form | None:
    """The form a title or a sheet name names (流动人口情况); the same ones recur in every file."""
    if catalogue is load_catalogue():
        return form_titled(text)
    return form_for_sheet_name(text, catalogue)
