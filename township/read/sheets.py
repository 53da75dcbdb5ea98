"""Finding forms in grids: the header row (or two-column list), the data rows, their cells."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache

from township.forms import Catalogue, Form, load_catalogue, normalise_label
from township.model import SheetRead
from township.read.values import NORMALISERS

HEADER_SCAN_ROWS = 30
UNIT_WORDS = frozenset(
    normalise_label(w)
    for w in ["人", "份", "条", "套", "人次", "个", "例", "起", "户", "元", "日期", "文本"]
)


class SheetProblem(Exception):
    """A sheet that holds a form but cannot be used: code, Chinese reason, cell."""

    def __init__(self, code: str, message_zh: str, cell: str | None = None):
        super().__init__(code)
        self.code, self.message_zh, self.cell = code, message_zh, cell


@dataclass(frozen=True)
class Layout:
    form: Form
    kind: str  # table | list
    header_row: int  # 0-based grid index
    columns: dict[str, int]  # field -> column index (table); label column for list layout
    value_column: int | None = None


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
def _alias_index(form_name: str) -> dict[str, str]:
    form = load_catalogue().forms[form_name]
    return {
        normalise_label(alias): f.name for f in form.fields for alias in (*f.aliases, f.name_zh)
    }


@cache
def _ascii_alias(form_name: str) -> bool:
    """Whether any header alias of the form is plain ASCII. When none is (the usual case), an
    ASCII cell (an ID number, a date, a count) cannot be a header and is not normalised."""
    return any(label.isascii() for label in _alias_index(form_name))


@cache
def _sheet_labels(aliases: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(normalise_label(alias) for alias in aliases)


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
    index, any_ascii = _alias_index(form.name), _ascii_alias(form.name)
    return {
        c: field
        for c, v in enumerate(row)
        if isinstance(v, str)
        and (any_ascii or not v.isascii())
        and (field := index.get(_label(v))) is not None
    }


def _table_layout(grid: list[list[object]], form: Form) -> Layout | None:
    best: tuple[int, int, dict[int, str]] | None = None
    for r, row in enumerate(grid[:HEADER_SCAN_ROWS]):
        matches = _row_matches(row, form)
        if len(set(matches.values())) >= 2 and (best is None or len(matches) > best[0]):
            best = (len(matches), r, matches)
    if best is None:
        return None
    _, header_row, matches = best
    seen: dict[str, int] = {}
    for col, field in matches.items():
        if field in seen:
            raise SheetProblem(
                "duplicate_column",
                f"“{form.field(field).name_zh}”列出现了两次（{column_letter(seen[field])}列和{column_letter(col)}列），"
                "请删除重复的一列后重新报送。",
                a1(header_row, col),
            )
        seen[field] = col
    return Layout(form, "table", header_row, seen)


def _list_layout(grid: list[list[object]], form: Form) -> Layout | None:
    """The two-column layout of record forms: a label column and a value column."""
    index, any_ascii = _alias_index(form.name), _ascii_alias(form.name)
    by_column: dict[int, dict[str, int]] = {}
    for r, row in enumerate(grid[:200]):
        for c, value in enumerate(row):
            if not isinstance(value, str) or (value.isascii() and not any_ascii):
                continue
            field = index.get(_label(value))
            if field:
                by_column.setdefault(c, {}).setdefault(field, r)
    if not by_column:
        return None
    label_col, fields = max(by_column.items(), key=lambda item: len(item[1]))
    if len(fields) < 2 and not (len(fields) == 1 and len(form.fields) <= 2):
        return None
    first_row = min(fields.values())
    return Layout(form, "list", max(first_row - 1, 0), fields, value_column=label_col + 1)


def detect_layout(grid: list[list[object]], form: Form) -> Layout | None:
    table = _table_layout(grid, form)
    if form.kind == "person":
        return table
    lst = _list_layout(grid, form)
    if table is None:
        return lst
    if lst is None:
        return table
    return table if len(table.columns) >= len(lst.columns) else lst


def guess_form(grid: list[list[object]], catalogue: Catalogue) -> Layout | None:
    """A sheet whose name says nothing: the form whose headers it matches best (≥ 3 fields)."""
    best: Layout | None = None
    for form in catalogue.data_forms:
        try:
            layout = detect_layout(grid, form)
        except SheetProblem:
            continue
        if (
            layout
            and len(layout.columns) >= 3
            and (best is None or len(layout.columns) > len(best.columns))
        ):
            best = layout
    return best


def _first_text(row: list[object]) -> str:
    for value in row:
        if value is not None and str(value).strip():
            return normalise_label(value)
    return ""


def is_non_data_row(row: list[object], catalogue: Catalogue) -> bool:
    first = _first_text(row)
    if not first:
        return True
    if first.startswith(catalogue.totals_markers) or first.startswith(catalogue.footer_markers):
        return True
    if any(v.strip().startswith(catalogue.units_markers) for v in row if isinstance(v, str)):
        return True
    if first not in UNIT_WORDS:  # the usual data row: no need to look at the other cells
        return False
    return all(
        normalise_label(v) in UNIT_WORDS for v in row if v is not None and str(v).strip()
    )


def _normalise(form: Form, field: str, value: object) -> object:
    return NORMALISERS[form.field(field).type](value)


# Coded, date and count columns repeat a few values (男/女, 1/2, 是, the days of one month):
# each distinct value is normalised once. Names and ID numbers are unique: not worth caching.
REPEATING_TYPES = ("sex", "parity", "in_policy", "residence", "category", "count", "date", "month")


@cache
def _normaliser(kind: str):
    normalise = NORMALISERS[kind]
    if kind not in REPEATING_TYPES:
        return normalise
    # typed: 1, 1.0 and True are equal keys to a plain cache, but not the same cell value
    cached = lru_cache(maxsize=4096, typed=True)(normalise)

    def normalise_repeating(value: object) -> object:
        try:
            return cached(value)
        except TypeError:  # an unhashable value: never from a grid, but normalise it anyway
            return normalise(value)

    normalise_repeating.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    return normalise_repeating


def _converters(layout: Layout) -> list[tuple[str, int, str, object]]:
    """Per column, once per sheet: field, column index, column letter, normaliser."""
    form = layout.form
    return [
        (field, c, column_letter(c), _normaliser(form.field(field).type))
        for field, c in layout.columns.items()
    ]


def extract(
    sheet: str, grid: list[list[object]], layout: Layout, catalogue: Catalogue
) -> SheetRead:
    if layout.kind == "list":
        return _extract_list(sheet, grid, layout)
    out = SheetRead(layout.form.name, sheet, layout.header_row + 1, "table")
    form = layout.form
    converters = _converters(layout)
    required = [f.name for f in form.fields if f.required]
    for r in range(layout.header_row + 1, len(grid)):
        row = grid[r]
        if is_non_data_row(row, catalogue):
            continue
        record, cells = {}, {}
        width, excel_row = len(row), r + 1
        for field, c, letter, normalise in converters:
            record[field] = normalise(row[c] if c < width else None)
            cells[field] = f"{letter}{excel_row}"
        if form.kind == "person" and all(record.get(name) is None for name in required):
            continue  # a row of remarks or stray text: no required field filled
        out.records.append(record)
        out.rows.append(r + 1)
        out.cells.append(cells)
        if form.kind != "person":
            break  # record forms hold one value row under the header
    return out


def _extract_list(sheet: str, grid: list[list[object]], layout: Layout) -> SheetRead:
    out = SheetRead(layout.form.name, sheet, layout.header_row + 1, "list")
    record, cells = {}, {}
    for field, r in layout.columns.items():
        row = grid[r]
        c = _value_column(row, layout.value_column)
        record[field] = _normalise(layout.form, field, row[c] if c < len(row) else None)
        cells[field] = a1(r, c)
    out.records.append(record)
    out.rows.append(min(layout.columns.values()) + 1)
    out.cells.append(cells)
    return out


def _value_column(row: list[object], start: int) -> int:
    """The first filled cell right of the label (villages sometimes leave a gap column)."""
    for c in range(start, min(len(row), start + 3)):
        if row[c] is not None and str(row[c]).strip():
            return c
    return start
