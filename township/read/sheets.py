"""Finding forms in grids: the header row (or two-column list), the data rows, their cells."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from operator import itemgetter

from township.forms import Catalogue, Form, load_catalogue, normalise_label
from township.model import SheetRead
from township.read.headers import (
    alias_index,
    begins_a_label,
    field_for_label,
    label_lookup,
    loose_first_chars,
    loosened,
    qualified,
)
from township.read.values import NORMALISERS, names_month

HEADER_SCAN_ROWS = 30
LIST_SCAN_ROWS = 200
# A units or type-hint cell is a word or two (份, （人次）, 单位:件, 男/女, yyyy-mm-dd).
LABEL_LENGTH = 12
UNIT_WORDS = frozenset(
    normalise_label(w)
    for w in ["人", "份", "条", "套", "人次", "个", "例", "起", "户", "元", "日期", "文本"]
)


# A header ending in a bracket may be a name with its qualifier after it: 户籍人口（期末）.
CLOSING = frozenset(")）]】〕")
# Rows of a register with words where the ID goes that are looked at as another table's header.
HEADER_CHECKS = 20
# A name longer than this may be a table's title (see _is_title): looked at once more.
NAME_LENGTH = 6
# Words beside a row of figures that say it is not this month's (上月末 | 100 | 40 …).
EARLIER_ROW_WORDS = ("上月", "上期", "上年", "去年", "同期", "前月", "年初")


class SheetProblem(Exception):
    """A sheet that holds a form but cannot be used: the rule (sheet.<code>), its cell, and the
    words the catalog's message is filled with."""

    def __init__(self, code: str, cell: str | None = None, **words: object):
        super().__init__(code)
        self.code, self.cell, self.words = code, cell, words


@dataclass(frozen=True)
class Layout:
    form: Form
    kind: str  # table | list
    header_row: int  # 0-based grid index
    columns: dict[str, int]  # field -> column index (table); label column for list layout
    value_column: int | None = None  # list layout: where its figures are (or start)
    label_column: int | None = None  # list layout: its labels
    value_fixed: bool = False  # list layout: a column header says which column is this month's
    # list layout: fields listed in a second list beside the first (项目 | 数量 | 项目 | 数量)
    beside: dict[str, int] = dataclasses.field(default_factory=dict)  # field -> its label column


@cache
def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def a1(row_index: int, col_index: int) -> str:
    return f"{column_letter(col_index)}{row_index + 1}"


@cache
def _matcher(form_name: str) -> tuple[bool, frozenset[str]]:
    """What header scanning needs of a form: whether any alias is plain ASCII, and the
    characters a header of it can start with (see _row_matches)."""
    index = alias_index(form_name)
    return (
        any(label.isascii() for label in index),
        frozenset(label[0] for label in index if label) | loose_first_chars(),
    )


@cache
def _sheet_labels(aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalise_label(alias) for alias in aliases)


def names_earlier(sheet_name: str) -> bool:
    """A sheet name saying it holds an earlier period's figures (节育措施(上月))."""
    return any(word in sheet_name for word in EARLIER_ROW_WORDS)


@lru_cache(maxsize=1024)
def is_notes_sheet(sheet_name: str) -> bool:
    """A sheet named instructions, an example or a template (出生登记填表说明, 示例, 样表):
    read only where no other sheet holds its form, and no header in it is no problem."""
    label = normalise_label(sheet_name)
    return any(word in label for word in load_catalogue().notes_sheet_words)


def form_for_sheet_name(name: str, catalogue: Catalogue) -> Form | None:
    label = normalise_label(name)
    for form in catalogue.forms.values():
        if label in _sheet_labels(form.sheet_aliases):
            return form
    for form in catalogue.forms.values():  # file names such as 420117104215_出生登记.csv
        if any(alias in label for alias in _sheet_labels(form.sheet_aliases[:1])):
            return form
    return None


@lru_cache(maxsize=16384)
def _label(text: str) -> str:
    """normalise_label for header scanning: the same header words recur in every file and are
    scanned once per form, so the work is done once."""
    return normalise_label(text)


def _row_matches(row: list[object], form: Form) -> dict[int, str]:
    """Column -> field for the cells of a row that are header aliases of the form.

    Most cells are names, ID numbers and dates: they are turned away before being normalised,
    exactly. An ASCII cell normalises to ASCII, so it cannot match when no alias is ASCII; a
    cell starting with a CJK unified ideograph keeps it as its first character (NFKC leaves
    U+4E00–U+9FFF alone, nothing composes with them, they are neither spaces nor punctuation),
    so it cannot match unless some alias starts with that character, or it ends in a bracket
    (户籍人口（期末）: the qualifier after the name, tried first)."""
    any_ascii, first_chars = _matcher(form.name)
    lookup = label_lookup(form.name)
    if not any_ascii:  # the usual catalogue: every alias has a Chinese character
        return {
            c: field
            for c, v in enumerate(row)
            if isinstance(v, str)
            and not v.isascii()  # also turns away ""
            and (v[0] in first_chars or not "\u4e00" <= v[0] <= "\u9fff" or v[-1] in CLOSING)
            and (field := lookup(v)) is not None
        }
    return {
        c: field
        for c, v in enumerate(row)
        if isinstance(v, str)
        and v
        and (v[0] in first_chars or not "\u4e00" <= v[0] <= "\u9fff" or v[-1] in CLOSING)
        and (field := lookup(v)) is not None
    }


def _table_layout(
    grid: list[list[object]],
    form: Form,
    by_row: list[dict[int, str]] | None = None,
    split: bool = True,
) -> Layout | None:
    """The header row: the row of the first HEADER_SCAN_ROWS naming most columns (≥ 2 fields);
    failing that, of the first LIST_SCAN_ROWS (pages of instructions above the header).
    `by_row`: _row_matches of the grid's first rows, when the caller has them already;
    `split`: a header over two rows looked for too, when no single row is one."""
    if by_row is None:
        by_row = [_row_matches(row, form) for row in grid[:HEADER_SCAN_ROWS]]
    best = _best_header(by_row[:HEADER_SCAN_ROWS], 0)
    if best is None and len(grid) > HEADER_SCAN_ROWS:
        more = by_row[HEADER_SCAN_ROWS:LIST_SCAN_ROWS] or [
            _row_matches(row, form) for row in grid[HEADER_SCAN_ROWS:LIST_SCAN_ROWS]
        ]
        best = _best_header(more, HEADER_SCAN_ROWS)
    if best is not None or split:
        best = _two_row_header(grid, form, best, by_row)
    if best is None:
        return None
    _, header_row, matches = best
    if len(set(matches.values())) < len(matches):
        matches = _requalified(grid[header_row], matches, form)
    matches = _with_sub_items(grid[header_row], matches, form)
    seen: dict[str, int] = {}
    for col, field in matches.items():
        if field in seen:
            raise SheetProblem(
                "duplicate_column",
                a1(header_row, col),
                field_zh=form.field(field).name_zh,
                other=f"{column_letter(seen[field])}列和{column_letter(col)}列",
            )
        seen[field] = col
    return Layout(form, "table", header_row, seen)


def _two_row_header(
    grid: list[list[object]],
    form: Form,
    best: tuple[int, int, dict[int, str]] | None,
    by_row: list[dict[int, str]],
) -> tuple[int, int, dict[int, str]] | None:
    """A header split over two rows (母亲 merged over 姓名 | 身份证号, 婴儿性别 merged down
    both), when the best single row lacks a required field, opens a group (三查), or has a
    row naming fields beside it (流出人口 over 人数 | 已办婚育证明数), and the pair names more
    fields: the pairs around that row, or, without one, every pair of the first
    HEADER_SCAN_ROWS. Its lower row is the header."""
    if best is None:
        pairs = range(min(len(grid) - 1, HEADER_SCAN_ROWS))
    elif (
        _required(form.name) <= set(best[2].values())
        and not _opens_a_group(grid[best[1]], best[2], form)
        and not any(0 <= r < len(by_row) and by_row[r] for r in (best[1] - 1, best[1] + 1))
    ):
        return best  # the usual header: one row naming every required field
    else:
        pairs = [r for r in (best[1] - 1, best[1]) if 0 <= r < len(grid) - 1]
    for r in pairs:
        matches = _pair_matches(grid[r], grid[r + 1], form)
        fields = len(set(matches.values()))
        if fields >= 2 and (best is None or fields > len(set(best[2].values()))):
            best = (len(matches), r + 1, matches)
    return best


def _opens_a_group(row: list[object], matches: dict[int, str], form: Form) -> bool:
    """A header cell no field is named by that begins some (三查 over 应查 | 实查)."""
    return any(
        v.__class__ is str and c not in matches and begins_a_label(_label(v), form.name)
        for c, v in enumerate(row)
    )


def _requalified(header: list[object], matches: dict[int, str], form: Form) -> dict[int, str]:
    """A flat header where a bare label follows the person it is of (父亲姓名 | 身份证号码 |
    母亲姓名 | 身份证号码): the bare label given the qualified field of the person named just
    left of it, where that field has no column of its own."""
    out, counts = dict(matches), {}
    for field in matches.values():
        counts[field] = counts.get(field, 0) + 1
    for c, field in matches.items():
        left = header[c - 1] if c > 0 else None
        if counts[field] < 2 or not isinstance(left, str) or not isinstance(header[c], str):
            continue
        person = _label(left)[:2]
        other = qualified(person, _label(header[c]), form.name)
        if other is not None and other != field and other not in out.values():
            out[c] = other
    return out


SUB_ITEM = "其中"


def _with_listed_sub_items(
    grid: list[list[object]],
    by_row: list[dict[int, str]],
    label_col: int,
    fields: dict[str, int],
    form: Form,
) -> dict[str, int]:
    """其中：已婚育龄妇女 listed under 流出人口数: the field the sub-item is of the item above;
    应查人数 listed under 三查 (an item with no field of its own that begins some): the field
    the two name together."""
    out, group, opened = fields, "", ""
    for r in range(max(min(fields.values()) - 1, 0), len(by_row)):
        field = by_row[r].get(label_col)
        if field is not None:
            group, opened = _label(form.field(field).name_zh)[:2], ""
            continue
        row = grid[r]
        label = row[label_col] if label_col < len(row) else None
        if label.__class__ is not str or not (text := _label(label)):
            continue
        if begins_a_label(text, form.name):
            opened = text
            continue
        owner = group if text.startswith(SUB_ITEM) else opened
        sub = qualified(owner, loosened(label), form.name) if owner else None
        if sub is not None and sub not in out:
            out = {**out, sub: r}
    return out


def _with_sub_items(header: list[object], matches: dict[int, str], form: Form) -> dict[int, str]:
    """其中：已婚育龄妇女 right of 流出人口数 is 流出已婚育龄妇女数: a sub-item column no alias
    names, read as the field the word opening the nearest column left of it begins."""
    if not any(
        c not in matches and v.__class__ is str and SUB_ITEM in v for c, v in enumerate(header)
    ):
        return matches  # the usual header: no sub-item left unread
    out, group = matches, ""
    for c, value in enumerate(header):
        if value.__class__ is not str:
            continue
        label = _label(value)
        if not label.startswith(SUB_ITEM):
            if c in matches:  # the field's own name: a header over two rows says 人数 here
                group = _label(form.field(matches[c]).name_zh)[:2]
            continue
        if c in matches or not group:
            continue
        field = qualified(group, loosened(value), form.name)
        if field is not None and field not in out.values():
            out = {**out, c: field}
    return out


@cache
def _required(form_name: str) -> frozenset[str]:
    return frozenset(f.name for f in load_catalogue().forms[form_name].fields if f.required)


def _pair_matches(top: list[object], bottom: list[object], form: Form) -> dict[int, str]:
    """Column -> field for labels made of two rows: the top label (carried right over the
    blank top cells a horizontal merge leaves) before the bottom one, the bottom one before
    the top (户籍人口 over 期初 | 期末: 期末户籍人口), or either alone."""
    group, matches = "", {}
    for c in range(max(len(top), len(bottom))):
        above = top[c] if c < len(top) else None
        below = bottom[c] if c < len(bottom) and isinstance(bottom[c], str) else ""
        upper = _label(above) if isinstance(above, str) else ""
        lower = _label(below)
        if upper or not _blank(above):  # a new label, or a value, ends the merged one
            group = upper
        if not lower:
            if upper and (field := field_for_label(form.name, above)) is not None:
                matches[c] = field
        elif (
            (field := qualified(group, lower, form.name)) is not None
            or (field := alias_index(form.name).get(lower + group)) is not None
            or (field := field_for_label(form.name, below)) is not None
            or (group and (field := field_for_label(form.name, group + lower)) is not None)
            or (field := qualified(group[:2], lower, form.name)) is not None
        ):
            matches[c] = field
    return matches


def _best_header(
    by_row: list[dict[int, str]], first: int
) -> tuple[int, int, dict[int, str]] | None:
    best: tuple[int, int, dict[int, str]] | None = None
    for r, matches in enumerate(by_row, first):
        n = len(matches)  # most rows match nothing: the distinct fields are counted last
        if n >= 2 and (best is None or n > best[0]) and len(set(matches.values())) >= 2:
            best = (n, r, matches)
    return best


def _list_layout(
    grid: list[list[object]],
    form: Form,
    by_row: list[dict[int, str]] | None = None,
    month: str | None = None,
) -> Layout | None:
    """The two-column layout of record forms: a label column and a value column."""
    if by_row is None:
        by_row = [_row_matches(row, form) for row in grid[:LIST_SCAN_ROWS]]
    by_column: dict[int, dict[str, int]] = {}
    for r, matches in enumerate(by_row):
        for c, field in matches.items():
            by_column.setdefault(c, {}).setdefault(field, r)
    if not by_column:
        return None
    label_col, fields = max(by_column.items(), key=lambda item: len(item[1]))
    fields = _with_listed_sub_items(grid, by_row, label_col, fields, form)
    if len(fields) < 2 and not (len(fields) == 1 and len(form.fields) <= 2):
        return None
    first_row = min(fields.values())
    this_month = _this_months_column(grid, first_row, label_col, month)
    beside = {
        name: c
        for c, listed in sorted(by_column.items())
        if c > label_col + 1 and len(listed) >= 2
        for name in listed
        if name not in fields
    }
    return Layout(
        form,
        "list",
        max(first_row - 1, 0),
        {**fields, **{name: by_column[c][name] for name, c in beside.items()}},
        value_column=label_col + 1 if this_month is None else this_month,
        label_column=label_col,
        value_fixed=this_month is not None,
        beside=beside,
    )


# Column headers of a list's figures that are not this month's stock or count (项目 | 上月数 |
# 本月数 | 累计; 人数 | 其中：本月新增).
NOT_THIS_MONTH = (
    *EARLIER_ROW_WORDS,
    "期初",
    "累计",
    "合计",
    "新增",
    "变动",
    "增减",
    "增加",
    "减少",
    "其中",
)
THIS_MONTH = ("本月", "本期", "当月", "期末")


def _this_months_column(
    grid: list[list[object]], first_row: int, label_col: int, month: str | None
) -> int | None:
    """Of a list whose figures have two or more headed columns (the nearest row of such
    headings above its first item, a units row between allowed), the one headed the report
    month (3月), else this month's (本月数, 期末), else the only one not headed another
    period's; None when no row above heads two columns (the first filled cell is the figure)."""
    headed: dict[int, str] = {}
    for r in range(first_row - 1, max(first_row - 4, -1), -1):
        headed = {
            c: _label(v)
            for c, v in enumerate(grid[r])
            if c > label_col
            and v.__class__ is str
            and _label(v)
            and _label(v) not in UNIT_WORDS
            and not _label(v).startswith("单位")
        }
        if len(headed) >= 2:
            break
    if len(headed) < 2:
        return None
    if month is not None:
        named = [c for c, h in headed.items() if names_month(h, month) is True]
        if len(named) == 1:
            return named[0]
    current = [
        c
        for c, h in headed.items()
        if any(w in h for w in THIS_MONTH) and not any(w in h for w in NOT_THIS_MONTH)
    ]
    if len(current) == 1:
        return current[0]
    others = [c for c, h in headed.items() if not any(w in h for w in NOT_THIS_MONTH)]
    if month is not None:  # columns for months, none of them this one's: not a guess
        others = [c for c in others if names_month(headed[c], month) is None]
    return others[0] if len(others) == 1 else None


def detect_layout(grid: list[list[object]], form: Form, month: str | None = None) -> Layout | None:
    """The form's layout in a grid; `month`, the report month, picks a list's column of
    figures where columns are headed by month."""
    if form.kind == "person":
        return _table_layout(grid, form)
    by_row = [_row_matches(row, form) for row in grid[:LIST_SCAN_ROWS]]  # once for both layouts
    table = _table_layout(grid, form, by_row, split=False)
    lst = _list_layout(grid, form, by_row, month)
    if table is None:
        return lst or _table_layout(grid, form, by_row)
    if lst is None:
        return table
    return table if len(table.columns) >= len(lst.columns) else lst


def guess_form(
    grid: list[list[object]], catalogue: Catalogue, month: str | None = None
) -> Layout | None:
    """A sheet whose name says nothing: the form whose headers it matches best (≥ 3 fields); a
    form's header that cannot be used (a column twice) is said when no other form fits."""
    best: Layout | None = None
    problem: SheetProblem | None = None
    for form in catalogue.data_forms:
        try:
            layout = detect_layout(grid, form, month)
        except SheetProblem as raised:
            problem = problem or raised  # said when no form fits the sheet
            continue
        if (
            layout
            and len(layout.columns) >= 3
            and (best is None or len(layout.columns) > len(best.columns))
        ):
            best = layout
    if best is None and problem is not None:
        raise problem
    return best


# A unit note is short and holds no digit: 单位：人, （份）, 人次. A remark that happens to start
# with 单位 (单位：武汉钢铁公司, the mother's employer) is longer, and a row with an ID number,
# a date or a count beside it is a person's row.
UNIT_NOTE_CHARS = 4


def _only_unit_notes(row: list[object], catalogue: Catalogue) -> bool:
    """Every filled cell of a row with a units marker is a unit note (units row) or not (data)."""
    for value in row:
        if _blank(value):
            continue
        if value.__class__ is not str:
            return False
        note = normalise_label(value)
        for marker in catalogue.units_markers:
            marker = normalise_label(marker)
            if marker and note.startswith(marker):
                note = note[len(marker) :]
                break
        if len(note) > UNIT_NOTE_CHARS or any(c.isdigit() for c in note):
            return False
    return True


@cache
def _units_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    """A text cell that starts (after spaces) with a units marker, in a row's text cells joined
    by \x1f: one regex search per row instead of a Python loop over its cells."""
    return re.compile(r"(?:^|\x1f)\s*(?:" + "|".join(re.escape(m) for m in markers) + ")")


def is_non_data_row(row: list[object], catalogue: Catalogue) -> bool:
    texts = "\x1f".join([v for v in row if v.__class__ is str])
    for marker in catalogue.units_markers:
        if marker in texts:  # a plain substring test first: data rows rarely hold one
            if _units_pattern(catalogue.units_markers).search(texts):
                return _only_unit_notes(row, catalogue)
            break
    for value in row:
        if value is None:
            continue
        if value.__class__ is not str:
            # A number or date first (序号, a count): not a marker and not a unit word.
            return False
        if value.strip():
            break
    else:
        return True  # nothing but blanks
    first = normalise_label(value)
    if not first:  # a dash or a slash first (a name not known): a data row if anything follows
        return all(v.__class__ is str and not normalise_label(v) for v in row if not _blank(v))
    if first.startswith(catalogue.totals_markers) or first.startswith(catalogue.footer_markers):
        return True
    if first not in UNIT_WORDS:  # the usual data row: no need to look at the other cells
        return False
    return all(normalise_label(v) in UNIT_WORDS for v in row if v is not None and str(v).strip())


# Coded, date and count columns repeat a few values (男/女, 1/2, 是, the days of one month):
# each distinct value is normalised once. Names and ID numbers are unique: not worth caching.
REPEATING_TYPES = ("sex", "parity", "in_policy", "residence", "category", "count", "date", "month")


@cache
def _field_types(form_name: str) -> dict[str, str]:
    return {f.name: f.type for f in load_catalogue().forms[form_name].fields}


@cache
def _normaliser(kind: str):
    """The normaliser of a field type, caching each distinct value of the repeating types.

    `typed`: 1, 1.0 and True are equal keys to a plain cache, but not the same cell value.
    A cached normaliser raises TypeError for an unhashable value (never found in a grid):
    callers then use NORMALISERS directly."""
    normalise = NORMALISERS[kind]
    return lru_cache(maxsize=4096, typed=True)(normalise) if kind in REPEATING_TYPES else normalise


def _normalise_cell(kind: str, value: object) -> object:
    try:
        return _normaliser(kind)(value)
    except TypeError:
        return NORMALISERS[kind](value)


def _converters(layout: Layout) -> list[tuple[str, int, str, object]]:
    """Per column, once per sheet: field, column index, column letter, normaliser."""
    types = _field_types(layout.form.name)
    return [
        (field, c, column_letter(c), _normaliser(types[field]))
        for field, c in layout.columns.items()
    ]


def extract(
    sheet: str,
    grid: list[list[object]],
    layout: Layout,
    catalogue: Catalogue,
    merged: list[tuple[int, int, int, int]] = (),
) -> SheetRead:
    """The records of a sheet. `merged`: its merged ranges (row, column, last row, last column,
    0-based), as calamine gives them; a value merged down a data column fills every row."""
    if layout.kind == "list":
        return _extract_list(sheet, grid, layout)
    if merged:
        _fill_merged(grid, layout, merged)
    out = SheetRead(layout.form.name, sheet, layout.header_row + 1, "table")
    form = layout.form
    converters = _converters(layout)
    letters = [(field, letter) for field, _, letter, _ in converters]
    width = max(c for _, c, _, _ in converters) + 1 if converters else 0
    person = form.kind == "person"
    # a person row with none of these filled is remarks or stray text, not a person
    required = [f.name for f in form.fields if f.required] if person else []
    none_starts = _none_starts()
    key = form.person_key.field if person and form.person_key else None
    headers_left = HEADER_CHECKS  # rows with words for an ID looked at as a header
    near_header = True
    values: list[tuple[dict, int, dict[str, str]]] = []  # a one-record form's rows of figures
    totals = None  # a one-record form's 合计 row: its figures, where it has no other row
    for r in range(layout.header_row + 1, len(grid)):
        row = grid[r]
        if is_non_data_row(row, catalogue):
            if not person and totals is None and _is_totals_row(row, catalogue):
                totals = r
            continue
        if near_header:
            if is_label_row(row, layout):
                continue
            near_header = False
        if len(row) < width:  # CSV rows may be ragged
            row = [*row, *([None] * (width - len(row)))]
        try:
            record = {field: normalise(row[c]) for field, c, _, normalise in converters}
        except TypeError:  # an unhashable value (see _normaliser): no caches for this row
            types = _field_types(form.name)
            record = {field: _normalise_cell(types[field], row[c]) for field, c, _, _ in converters}
        if person:
            # a row that is no person has its first required field blank or saying nobody
            first = record.get(required[0])
            if (
                first is None
                or (
                    first.__class__ is str
                    and (first[:1] in none_starts or len(first) > NAME_LENGTH)
                )
            ) and _nobody(record, required, row, layout):
                continue
            # words where the ID number goes: a header, of this table repeated or of another
            if key and headers_left and _not_digits(record.get(key)):
                headers_left -= 1  # looked at in a few rows only: a sheet of text IDs stays fast
                if _header_like(row, catalogue):
                    if _repeats_header(row, layout):
                        continue
                    _end_at_another_table(out, grid, r)
                    break
        excel_row = str(r + 1)
        cells = {field: letter + excel_row for field, letter in letters}
        if not person and out.records:  # a one-record form's second row: figures, or remarks
            if _holds_a_number(record):
                values.append((record, r + 1, cells))
            continue
        out.records.append(record)
        out.rows.append(r + 1)
        out.cells.append(cells)
        if not person:
            values = [(record, r + 1, cells)]
    # the village's total: of its groups' rows (一组, 二组 … 合计), or its only row
    whole = not person and totals is not None and (len(values) > 1 or not out.records)
    if whole and _read_totals_row(out, grid, totals, converters):
        return out
    if not person and len(values) > 1:
        _read_one_row_of_figures(out, values, grid, layout.columns)
    return out


def _not_digits(value: object) -> bool:
    return value.__class__ is str and not value[:1].isdigit()


def _header_like(row: list[object], catalogue: Catalogue) -> bool:
    """A row of words only (no number, no date, nothing starting with a digit) naming two or
    more fields of some form: a header, not a person (whose row has a date or a figure)."""
    for v in row:
        if v is not None and (v.__class__ is not str or v.lstrip()[:1].isdigit()):
            return False
    return any(len(_row_matches(row, form)) >= 2 for form in catalogue.data_forms)


def _repeats_header(row: list[object], layout: Layout) -> bool:
    """The table's own header again (repeated on each printed page)."""
    matches = _row_matches(row, layout.form)
    return len(matches) >= 2 and all(layout.columns.get(f) == c for c, f in matches.items())


def _end_at_another_table(out: SheetRead, grid: list[list[object]], r: int) -> None:
    """Another table below the person rows (死亡登记 under 出生登记): its rows are not this
    form's. Its title, read as a row of one filled cell just before, is no person either."""
    out.other_table_at = r + 1
    if out.rows and _is_title(grid[out.rows[-1] - 1]):
        out.records.pop(), out.rows.pop(), out.cells.pop()


# Words of a table's title (死亡登记, 复合村出生登记花名册（续）), never of a person's name.
TITLE_WORDS = ("登记", "表", "名单", "名册", "情况", "统计", "汇总", "续")


def _is_title(row: list[object]) -> bool:
    """A row of one filled cell naming a table."""
    filled = [v for v in row if not _blank(v)]
    return (
        len(filled) == 1
        and filled[0].__class__ is str
        and any(word in filled[0] for word in TITLE_WORDS)
    )


def _nobody(record: dict, required: list[str], row: list[object], layout: Layout) -> bool:
    """A person form's row that is no person: none of the required fields filled (remarks,
    stray text), or its fields only saying there is nobody (本月无出生, 以下空白, 无, 0)."""
    catalogue, starts = load_catalogue(), _none_starts()
    filled, says_none = 0, False
    for name in required:
        value = record.get(name)
        if value is not None:
            filled += 1
            says_none = says_none or (value.__class__ is str and value[:1] in starts)
    if not filled or _is_title(row):  # a page's title repeated (……花名册（续）)
        return True
    if not says_none:  # the usual row: a person (a blank required field is said at its cell)
        return False
    cells = [row[c] for c in layout.columns.values() if not _blank(row[c])]
    return all(_none_word(v, catalogue) for v in cells)


@cache
def _none_starts() -> frozenset[str]:
    """What a field's value saying nobody starts with: a none word's first character, 0, -."""
    markers = load_catalogue().none_markers
    return frozenset({m[0] for m in markers if m} | {"0", "-", "—", "/", "／", "－"})


def _none_word(value: object, catalogue: Catalogue) -> bool:
    if value.__class__ in (int, float):
        return value == 0
    if not isinstance(value, str):
        return False
    label = normalise_label(value)
    return not label or label == "0" or label.startswith(catalogue.none_markers)


def _is_totals_row(row: list[object], catalogue: Catalogue) -> bool:
    first = next((v for v in row if not _blank(v)), None)
    return (
        isinstance(first, str)
        and normalise_label(first).startswith(catalogue.totals_markers)
        and any(_is_number(v) for v in row)
    )


def _read_totals_row(out: SheetRead, grid: list[list[object]], r: int, converters) -> bool:
    """A one-record form whose record is its 合计 row (the village's total over its groups'
    rows, or its only row of figures): that row is the record, if it holds a figure."""
    row = grid[r]
    width = max((c for _, c, _, _ in converters), default=-1) + 1
    row = [*row, *([None] * (width - len(row)))]
    record = {field: normalise(row[c]) for field, c, _, normalise in converters}
    if not _holds_a_number(record):
        return False
    out.records[:], out.rows[:] = [record], [r + 1]
    out.cells[:] = [{field: letter + str(r + 1) for field, _, letter, _ in converters}]
    out.unread = []
    return True


def _is_number(value: object) -> bool:
    return value.__class__ in (int, float)


def _holds_a_number(record: dict) -> bool:
    return any(_is_number(v) for v in record.values())


def _read_one_row_of_figures(out: SheetRead, values: list, grid, columns: dict[str, int]) -> None:
    """A one-record form with two or more rows of figures: the first is read, unless the words
    beside it (in no field's column) say it is an earlier month's and another row's do not.
    The rows not read are kept in `unread` (Excel row, first cell of a figure), to be said."""

    def earlier(excel_row: int) -> bool:
        used = set(columns.values())
        words = "".join(str(v) for c, v in enumerate(grid[excel_row - 1]) if c not in used and v)
        return any(w in words for w in EARLIER_ROW_WORDS)

    chosen = values[0]
    if earlier(chosen[1]):
        chosen = next((v for v in values if not earlier(v[1])), chosen)
    record, row, cells = chosen
    out.records[:], out.rows[:], out.cells[:] = [record], [row], [cells]
    out.unread = [
        (r, a1(r - 1, min(columns[f] for f, v in rec.items() if _is_number(v))))
        for rec, r, _ in values
        if r != row
    ]


def _blank(value: object) -> bool:
    return value is None or (value.__class__ is str and not value.strip())


def _fill_merged(grid: list[list[object]], layout: Layout, merged) -> None:
    """A parity, a date or a 政策属性 written once in a cell merged down two or more rows
    applies to each of them (calamine gives it in the top cell alone). Only down one data
    column, below the header, into rows that hold something else: a merged title or header,
    a remark merged across columns, or rows left blank stay as they are."""
    down = [m for m in merged if m[1] == m[3] and m[2] > m[0] > layout.header_row]
    if not down:  # the usual merges: a title, a footer, across columns
        return
    columns = set(layout.columns.values())
    down = [(r0, c0, min(r1, len(grid) - 1)) for r0, c0, r1, _ in down if c0 in columns]
    down = [(r0, c, r1) for r0, c, r1 in down if r0 < len(grid)]
    occupied = {
        r
        for r0, _, r1 in down
        for r in range(r0 + 1, r1 + 1)
        if not all(_blank(v) for v in grid[r])
    }
    for r0, c, r1 in down:
        value = grid[r0][c] if c < len(grid[r0]) else None
        if _blank(value):
            continue
        for r in range(r0 + 1, r1 + 1):
            row = grid[r]
            if r in occupied and c < len(row) and _blank(row[c]):
                row[c] = value


@cache
def _valid_values() -> dict[str, frozenset]:
    vocabularies = load_catalogue().vocabularies
    return {
        kind: frozenset(vocabularies[kind].values()) for kind in ("sex", "residence", "category")
    }


def _is_value(kind: str, value: object) -> bool:
    """Whether a normalised cell is a value of its type (not text kept for validation)."""
    if kind in ("count", "parity"):
        return value.__class__ is int
    if kind == "date":
        return isinstance(value, date)
    if kind == "in_policy":
        return value.__class__ is bool
    if kind == "id":  # 15 or 18 characters, or Excel's 4.20102E+17 (to be reported)
        return isinstance(value, str) and (len(value) >= 15 or "E+" in value)
    if kind == "month":
        return isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value) is not None
    return value in _valid_values().get(kind, ())


def is_label_row(row: list[object], layout: Layout) -> bool:
    """A units or type-hint row under the header (份 | 人次 | （件）, 文本 | 18位 | 男/女):
    recognised by its shape, whatever the words: every filled cell a short text that is no
    value of its column (a count's unit has no digit), at least one word under a typed column."""
    for value in row:  # the shape first: a person or a record row fails it at once
        if value.__class__ is not str:
            if value is not None:
                return False  # a number or a date is a value
        elif len(value) > LABEL_LENGTH and len(value.strip()) > LABEL_LENGTH:
            return False
    kinds = _column_kinds(layout)
    typed = False
    for c, value in enumerate(row):
        kind = kinds.get(c)
        if value is None or kind is None or kind == "text" or not value.strip():
            continue
        text = value.strip()
        if kind == "count" and any(ch.isdigit() for ch in text):
            return False
        if _is_value(kind, _normalise_cell(kind, value)):
            return False
        typed = typed or any(ch.isalnum() for ch in text)  # a word, not a dash
    return typed


def _column_kinds(layout: Layout) -> dict[int, str]:
    types = _field_types(layout.form.name)
    return {c: types[f] for f, c in layout.columns.items()}


# Fields whose blank a formula saved without its result could hide. Not free text, IDs of
# others or 流动性质 (blank there is a value: 户籍): these are left blank all the time, and
# looking into the sheet's XML for each would cost every file.
_WATCHED_TYPES = frozenset({"count", "date", "parity", "sex", "in_policy", "category", "month"})


@cache
def _watched(form_name: str, mapped: tuple[str, ...]):
    """The watched fields of a record as a tuple (one C call a record)."""
    form = load_catalogue().forms[form_name]
    watched = [n for n in mapped if form.field(n).required or form.field(n).type in _WATCHED_TYPES]
    if not watched:
        return lambda record: ()
    return itemgetter(*watched, *watched)  # twice: a tuple even for a single field


def may_hide_formulas(read: SheetRead, layout: Layout, grid_rows: int) -> bool:
    """Whether a form read from a sheet has a blank where a formula without its saved result
    would read as one (calamine reads such a cell as blank, and a row of them as no row):
    a watched field blank in the first or last record, a row skipped between records, rows
    under a header that gave none. Formulas without results come from programs, which write
    a whole column or row so (Excel, WPS and LibreOffice save the results)."""
    rows = read.rows
    if not rows:
        return layout.form.kind == "record" or grid_rows > layout.header_row + 1
    if layout.form.kind == "record":  # one record, every field a count
        return None in read.records[0].values()
    if rows[-1] - rows[0] + 1 != len(rows):
        return True
    watched = _watched(layout.form.name, tuple(layout.columns))
    return None in watched(read.records[0]) or None in watched(read.records[-1])


def formula_cells(
    read: SheetRead,
    grid: list[list[object]],
    layout: Layout,
    formulas: list[tuple[int, int]],
    catalogue: Catalogue,
) -> list[tuple[str, int, int]]:
    """(field, row, column) of the cells among `formulas` that the form reads: the record's
    value cells, and the mapped cells of data rows (a row of formulas alone reads as blank);
    not totals, footers or units rows, and for a one-record form nothing below its record."""
    if layout.kind == "list":
        wanted = {cell: field for field, cell in read.cells[0].items()} if read.cells else {}
        return [(wanted[a1(r, c)], r, c) for r, c in formulas if a1(r, c) in wanted]
    fields = {c: f for f, c in layout.columns.items()}
    last = len(grid) if layout.form.kind == "person" or not read.rows else read.rows[0] - 1
    return [
        (fields[c], r, c)
        for r, c in formulas
        if c in fields and layout.header_row < r <= last and not _marker_row(grid, r, catalogue)
    ]


def _marker_row(grid: list[list[object]], r: int, catalogue: Catalogue) -> bool:
    row = grid[r] if r < len(grid) else []
    return is_non_data_row(row, catalogue) and not all(_blank(v) for v in row)


def _extract_list(sheet: str, grid: list[list[object]], layout: Layout) -> SheetRead:
    out = SheetRead(layout.form.name, sheet, layout.header_row + 1, "list")
    record, cells = {}, {}
    for name, r in layout.columns.items():
        row = grid[r]
        kind = _field_types(layout.form.name)[name]
        if name in layout.beside:
            c = _value_column(row, layout.beside[name] + 1, kind == "count")
        elif layout.value_fixed:
            c = layout.value_column
        else:
            c = _value_column(row, layout.value_column, kind == "count")
        record[name] = _normalise_cell(kind, row[c] if c < len(row) else None)
        cells[name] = a1(r, c)
    out.records.append(record)
    out.rows.append(min(layout.columns.values()) + 1)
    out.cells.append(cells)
    return out


def _value_column(row: list[object], start: int, count: bool = False) -> int:
    """The first filled cell right of the label (villages sometimes leave a gap column); for
    a count, the first after a 单位 column (项目 | 单位 | 数量: 人 | 86)."""
    filled = [c for c in range(start, min(len(row), start + 3)) if not _blank(row[c])]
    if count and len(filled) > 1 and _is_unit(row[filled[0]]):
        return filled[1]
    return filled[0] if filled else start


def _is_unit(value: object) -> bool:
    """A unit word: short text with a letter and no digit (人, 件, （户）, 单位:元)."""
    if value.__class__ is not str:
        return False
    text = value.strip()
    return (
        len(text) <= LABEL_LENGTH
        and any(ch.isalpha() for ch in text)
        and not any(ch.isdigit() for ch in text)
    )
