"""Header labels: which field a header names (as written, or a little off: a unit in brackets,
a numbering before it, 人数 for 数), and the filled columns of a sheet that no field reads."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache, lru_cache

from township.forms import load_catalogue, normalise_label

# A note in brackets at the end (口服药（人）, 出生日期(年月日)) and a numbering at the start
# (1. 上环, （一）上环, 二、女扎): neither changes what the column is.
_TRAILING_NOTE = re.compile(r"[(\[（【〔][^)\]）】〕]*[)\]）】〕]\s*$")
_NUMBERING = re.compile(
    r"^\s*(?:[(（]?[0-9一二三四五六七八九十]{1,3}[)）.、．:：]|[(（][0-9一二三四五六七八九十]{1,3}[)）])\s*"
)
# the guess offered for an unread column: how alike its header and a field's label must be
GUESS_CUTOFF = 0.6


@cache
def alias_index(form_name: str) -> dict[str, str]:
    """Normalised alias (and Chinese name) -> field, of a form."""
    form = load_catalogue().forms[form_name]
    return {
        normalise_label(alias): f.name for f in form.fields for alias in (*f.aliases, f.name_zh)
    }


def loosened(text: str) -> str:
    """A header without the words around a field's name that do not change it."""
    catalogue = load_catalogue()
    text = unicodedata.normalize("NFKC", text)
    while (bare := _TRAILING_NOTE.sub("", text)) != text and bare.strip():
        text = bare
    text = _NUMBERING.sub("", text)
    label = normalise_label(text)
    for prefix in catalogue.header_prefixes:
        if label.startswith(prefix) and len(label) > len(prefix) + 1:
            label = label[len(prefix) :]
            break
    for suffix in catalogue.header_suffixes:
        if label.endswith(suffix) and len(label) > len(suffix) + 1:
            return label[: -len(suffix)]
    return label


@cache
def _loose_index(form_name: str) -> dict[str, str]:
    """Loosened alias -> field, where the loosened alias names one field of the form only."""
    form = load_catalogue().forms[form_name]
    fields_of: dict[str, set[str]] = {}
    for f in form.fields:
        for alias in (*f.aliases, f.name_zh):
            fields_of.setdefault(loosened(alias), set()).add(f.name)
    return {stem: next(iter(fs)) for stem, fs in fields_of.items() if len(fs) == 1 and stem}


@lru_cache(maxsize=16384)
def field_for_label(form_name: str, text: str) -> str | None:
    """The field a header cell names: an alias as written, else as loosened; None when none."""
    field = alias_index(form_name).get(normalise_label(text))
    if field is None:
        field = _loose_index(form_name).get(loosened(text))
    return field


@cache
def loose_first_chars() -> frozenset[str]:
    """Characters a header can start with before the field's name (其中, 一、)."""
    prefixes = load_catalogue().header_prefixes
    return frozenset("一二三四五六七八九十") | {p[0] for p in prefixes if p}


def unread_columns(
    grid: list[list[object]], header_row: int, mapped: set[int], data_rows: list[int]
) -> list[tuple[int, str]]:
    """(column, header) of the header row's labelled columns that no field reads and that hold
    something in a data row (`data_rows`: Excel rows); a column the township does not collect
    (columns_not_read), or a column of the rows' labels (项目), is left out."""
    header = grid[header_row] if header_row < len(grid) else []
    catalogue = load_catalogue()
    skip = catalogue.columns_not_read | catalogue.list_item_headers  # 项目: the rows' labels
    out = []
    for c, value in enumerate(header):
        if c in mapped or not isinstance(value, str) or not normalise_label(value):
            continue
        if normalise_label(value) in skip or loosened(value) in skip:
            continue
        if any(_filled(grid, r - 1, c) for r in data_rows):
            out.append((c, value.strip()))
    return out


def _filled(grid: list[list[object]], r: int, c: int) -> bool:
    row = grid[r] if 0 <= r < len(grid) else []
    value = row[c] if c < len(row) else None
    return value is not None and not (isinstance(value, str) and not value.strip())


def guess_field(form_name: str, header: str, taken: set[str]) -> str | None:
    """The Chinese name of the field not read from any column that a header most resembles."""
    form = load_catalogue().forms[form_name]
    label = loosened(header)
    best, score = None, GUESS_CUTOFF
    for f in form.fields:
        if f.name in taken:
            continue
        for alias in (*f.aliases, f.name_zh):
            ratio = difflib.SequenceMatcher(None, label, loosened(alias)).ratio()
            if ratio > score:
                best, score = f.name_zh, ratio
    return best


_FIGURE = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")


def unread_items(
    grid: list[list[object]], rows_of: dict[str, int], label_column: int, value_column: int
) -> list[tuple[int, int, str]]:
    """Of a two-column list (label | value), the rows from its first item down whose label no
    field reads and that give a figure: (row, the label's column, label). The footer
    (填表人 …) ends the list; totals, units and columns_not_read are no items."""
    catalogue = load_catalogue()
    used = set(rows_of.values())
    skip = (*catalogue.totals_markers, *catalogue.list_item_headers)
    out = []
    for r in range(min(used, default=len(grid)), len(grid)):
        row = grid[r]
        label = row[label_column] if label_column < len(row) else None
        text = normalise_label(label) if isinstance(label, str) else ""
        if r in used or not text:
            continue
        if text.startswith(catalogue.footer_markers):
            break
        if text.startswith(skip) or text in catalogue.columns_not_read:
            continue
        if any(_is_figure(row, c) for c in range(value_column, value_column + 3)):
            out.append((r, label_column, label.strip()))
    return out


def _is_figure(row: list[object], c: int) -> bool:
    value = row[c] if c < len(row) else None
    if value.__class__ in (int, float):
        return True
    return isinstance(value, str) and _FIGURE.match(value) is not None
