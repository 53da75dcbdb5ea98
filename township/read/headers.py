"""Header labels: which field a header names (as written, or a little off: a unit in brackets,
a numbering before it, 人数 for 数), and the filled columns of a sheet that no field reads."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache, lru_cache

from township.forms import load_catalogue, normalise_label
from township.read.periods import ONLY_A_MONTH, plain_numerals
from township.read.units import in_households

# A note in brackets at the end (口服药（人）, 出生日期(年月日)) and a numbering or an age range
# at the start (1. 上环, （一）上环, 二、女扎, 15-49岁): neither changes what the column is.
_TRAILING_NOTE = re.compile(r"[(\[（【〔]([^()\[\]（）【】〔〕]*)[)\]）】〕]\s*$")
_NUMBERING = re.compile(
    r"^\s*(?:\d{1,2}(?:[.．]\d{1,2})+[.、．]?"  # 1.1 上环, 2.3.1
    r"|[(（]?[0-9一二三四五六七八九十]{1,3}[)）.、．:：]|[(（][0-9一二三四五六七八九十]{1,3}[)）]"
    r"|\d{1,2}\s*[-~～—至到]\s*\d{1,2}\s*岁"
    # ①上环 (NFKC makes it 1上环), 1 已婚育龄妇女数: a digit alone before a name, not a
    # count's (1孩, 3个月)
    r"|\d(?!\s*[位岁月年日号孩胎个人次周对户项类])(?=\s*[\u4e00-\u9fff]))\s*"
)
# a header longer than this is no column name: not loosened (and no regex runs on it)
LONGEST_HEADER = 40
# the guess offered for an unread column: how alike its header and a field's label must be
GUESS_CUTOFF = 0.6


@cache
def alias_index(form_name: str) -> dict[str, str]:
    """Normalised alias (and Chinese name) -> field, of a form."""
    form = load_catalogue().forms[form_name]
    return {
        normalise_label(alias): f.name for f in form.fields for alias in (*f.aliases, f.name_zh)
    }


@lru_cache(maxsize=16384)
def loosened(text: str) -> str:
    """A header without the words around a field's name that do not change it: a bracketed
    note only where it is a unit or a format (上环（人）, not 户籍人口（期末） or 迁入（户）)."""
    if len(text) > LONGEST_HEADER:
        return normalise_label(text)
    catalogue = load_catalogue()
    text = unicodedata.normalize("NFKC", text)
    note = _TRAILING_NOTE.search(text)
    if note and _is_unit_note(note.group(1), catalogue) and text[: note.start()].strip():
        text = text[: note.start()]
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


def _note_first(text: str) -> tuple[str, str] | None:
    """(qualifier, name) of a name with a bracketed word after it that qualifies it:
    户籍人口（期末） is 期末户籍人口, 身份证号码（父亲） the father's 身份证号."""
    if len(text) > LONGEST_HEADER:
        return None
    note = _TRAILING_NOTE.search(unicodedata.normalize("NFKC", text))
    if note is None or not note.group(1).strip():
        return None
    return normalise_label(note.group(1)), normalise_label(note.string[: note.start()])


def _is_unit_note(note: str, catalogue) -> bool:
    """单位：人, 人次, 年月日, 必填, 18位, yyyy-mm-dd: what a bracket after a column's name says
    that does not change what the column is."""
    label = normalise_label(note)
    return not label or label.isascii() or label.startswith(catalogue.header_notes)


@lru_cache(maxsize=4096)
def begins_a_label(group: str, form_name: str) -> bool:
    """A word that begins some of the form's labels (母亲, 父亲, 婴儿), not a title or a value."""
    return bool(group) and any(a.startswith(group) and a != group for a in alias_index(form_name))


@lru_cache(maxsize=4096)
def qualified(group: str, lower: str, form_name: str) -> str | None:
    """The field of the label the top word begins, its rest as written below or a little
    longer or shorter (父亲 over 身份证号码: 父亲身份证号, not the bare 身份证号码, which is the
    mother's); None when none."""
    if not begins_a_label(group, form_name):
        return None
    best = None
    for alias, field in alias_index(form_name).items():
        rest = alias[len(group) :] if alias.startswith(group) else ""
        fits = rest and (
            lower.startswith(rest) or (rest.startswith(lower) and len(rest) - len(lower) <= 2)
        )
        if fits and (best is None or len(rest) > best[0]):
            best = (len(rest), field)
    return best[1] if best else None


@cache
def _loose_index(form_name: str) -> dict[str, str]:
    """Loosened alias -> field, where the loosened alias names one field of the form only."""
    form = load_catalogue().forms[form_name]
    fields_of: dict[str, set[str]] = {}
    for f in form.fields:
        for alias in (*f.aliases, f.name_zh):
            fields_of.setdefault(loosened(alias), set()).add(f.name)
    return {stem: next(iter(fs)) for stem, fs in fields_of.items() if len(fs) == 1 and stem}


def field_for_label(form_name: str, text: str) -> str | None:
    """The field a header cell names: an alias as written, else as loosened; None when none."""
    return label_lookup(form_name)(text)


@cache
def label_lookup(form_name: str):
    """field_for_label of one form, as a function of the text alone: header scanning asks it
    of the same few words in every file, and a one-argument cache answers quickest."""
    index, loose = alias_index(form_name), _loose_index(form_name)

    @lru_cache(maxsize=16384)
    def lookup(text: str) -> str | None:
        field = index.get(normalise_label(text))
        if field is None:
            field = loose.get(loosened(text))
        if field is None and (turned := _note_first(text)):
            field = index.get(turned[0] + turned[1]) or qualified(*turned, form_name)
        return field

    return lookup


def field_in_households(form_name: str, text: str) -> str | None:
    """The field a header names but for its bracket saying households (流出人口数（户）, 迁入
    【户数】, 流出人口数（单位：户））: a figure of the field, in the wrong unit, said as such."""
    if not in_households(text):
        return None
    turned = _note_first(text)
    return label_lookup(form_name)(turned[1]) if turned and turned[1] else None


@cache
def village_keys() -> frozenset[str]:
    """The words a village's name is keyed or headed by (村名, 填报单位: the 封面's keys of it)."""
    aliases = load_catalogue().forms["cover"].field("village_name").aliases
    return frozenset(normalise_label(a) for a in aliases)


@cache
def _weak_labels(form_name: str) -> frozenset[str]:
    form = load_catalogue().forms[form_name]
    return frozenset(normalise_label(a) for f in form.fields for a in f.weak_aliases)


def weakly_named(form_name: str, header: object) -> bool:
    """A header that is a weak alias of a field (身份证): it names the field only alone."""
    weak = _weak_labels(form_name)
    return (
        bool(weak)
        and isinstance(header, str)
        and (normalise_label(header) in weak or loosened(header) in weak)
    )


@cache
def loose_first_chars() -> frozenset[str]:
    """Characters a header can start with before the field's name (其中, 一、)."""
    prefixes = load_catalogue().header_prefixes
    return frozenset("一二三四五六七八九十") | {p[0] for p in prefixes if p}


@lru_cache(maxsize=4096)
def not_collected(header: str) -> bool:
    """A column or item the township does not collect (columns_not_read), or the rows'
    labels (项目): not reported when no field reads it."""
    catalogue = load_catalogue()
    label = _label(header)
    return (
        not label
        or label in catalogue.columns_not_read
        or label in catalogue.list_item_headers
        or loosened(header) in catalogue.columns_not_read
        or "".join(_note_first(header) or ()) in catalogue.columns_not_read
        or ONLY_A_MONTH.match(plain_numerals(label)) is not None  # another month's (2月, 贰月)
        or any(word in label for word in catalogue.columns_not_read_containing)
        or _NUMBERING.sub("", unicodedata.normalize("NFKC", header))
        .strip()
        .startswith(catalogue.columns_not_read_opening)
    )


def unread_columns(
    grid: list[list[object]], header_row: int, mapped: set[int], data_rows: list[int]
) -> list[tuple[int, str]]:
    """(column, header) of the header row's labelled columns that no field reads, that hold
    something in a data row (`data_rows`: Excel rows) and that the township collects."""
    header = grid[header_row] if header_row < len(grid) else []
    return [
        (c, value.strip())
        for c, value in enumerate(header)
        if c not in mapped
        and value.__class__ is str
        and not not_collected(value)  # cached: asked before the column's rows are scanned
        and any(_filled(grid, r - 1, c) for r in data_rows)
    ]


@lru_cache(maxsize=16384)
def header_label(text: str) -> str:
    """normalise_label for header scanning: the same header words recur in every file and are
    scanned once per form, so the work is done once."""
    return normalise_label(text)


_label = header_label


def _filled(grid: list[list[object]], r: int, c: int) -> bool:
    row = grid[r] if 0 <= r < len(grid) else []
    value = row[c] if c < len(row) else None
    return value is not None and not (isinstance(value, str) and not value.strip())


def guess_field(form_name: str, header: str, taken: set[str]) -> str | None:
    """The Chinese name of the field not read from any column that a header most resembles;
    None where two fields resemble it as much, or where the header says what the field's
    names do not (户, a period, a person: 迁入（户） is not 迁入, 年初户籍人口 not 期末户籍人口)."""
    catalogue = load_catalogue()
    form = catalogue.forms[form_name]
    label = loosened(header)
    scores: dict[str, float] = {}
    for f in form.fields:
        if f.name in taken:
            continue
        for alias in (*f.aliases, f.name_zh):
            if _says_more(_label(header), _label(alias), catalogue.header_distinctions):
                continue
            ratio = difflib.SequenceMatcher(None, label, loosened(alias)).ratio()
            scores[f.name_zh] = max(scores.get(f.name_zh, 0.0), ratio)
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    if not ranked or ranked[0][1] < GUESS_CUTOFF:
        return None
    if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
        return None
    return ranked[0][0]


def _says_more(header: str, alias: str, distinctions: tuple[str, ...]) -> bool:
    return any(word in header and word not in alias for word in distinctions)


_FIGURE = re.compile(r"^\s*-?\d+(?:\.\d+)?\s*$")


def unread_items(
    grid: list[list[object]],
    form_name: str,
    rows_of: dict[str, int],
    label_column: int,
    value_column: int,
) -> list[tuple[int, int, str]]:
    """Of a two-column list (label | value), the rows of its items whose label no field reads
    and that give a figure: (row, the label's column, label). The items run from the lines
    right above its first known one (up to its heading or a blank row) down to the footer
    (填表人 …); totals, units, what is not collected, and a label naming a field (one given
    twice is record.item_twice's) are no items."""
    catalogue = load_catalogue()
    used = set(rows_of.values())
    out = []
    for r in range(
        first_item(grid, min(used, default=len(grid)), label_column, value_column), len(grid)
    ):
        row = grid[r]
        label = row[label_column] if label_column < len(row) else None
        text = _label(label) if label.__class__ is str else ""
        if r in used or not text:
            continue
        if text.startswith(catalogue.footer_markers):
            break
        if text.startswith(catalogue.totals_markers) or not_collected(label):
            continue
        if field_for_label(form_name, label) is not None:
            continue
        if any(_is_figure(row, c) for c in range(value_column, value_column + 3)):
            out.append((r, label_column, label.strip()))
    return out


def first_item(grid: list[list[object]], first: int, label_column: int, value_column: int) -> int:
    """The first line of a list whose first known item is at row `first`: the lines right
    above it that give a label and a figure (外出务工人员 | 7), up to its heading (项目 | 数量),
    a blank row or an item of a form (another list right above it)."""
    while first > 0 and _an_unknown_item(grid[first - 1], label_column, value_column):
        first -= 1
    return first


def _an_unknown_item(row: list[object], label_column: int, value_column: int) -> bool:
    label = row[label_column] if label_column < len(row) else None
    return (
        label.__class__ is str
        and bool(_label(label))
        and any(
            _is_figure(row, c) and not _a_code(row[c])
            for c in range(value_column, value_column + 3)
        )
        and not any(field_for_label(f.name, label) for f in load_catalogue().data_forms)
    )


def _a_code(value: object) -> bool:
    """A village's code or an ID number (420117104201), not a count: eight digits or more."""
    return len(str(value).strip().removesuffix(".0")) >= 8


def _is_figure(row: list[object], c: int) -> bool:
    value = row[c] if c < len(row) else None
    if value.__class__ in (int, float):
        return True
    return isinstance(value, str) and _FIGURE.match(value) is not None
