"""The records of a form in a grid: its data rows (not titles, units, totals, footers, rows
saying nobody, another table below), each value normalised, with the cell it came from."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from functools import cache, lru_cache
from operator import itemgetter

from township.forms import Catalogue, Field, load_catalogue, normalise_label
from township.model import SheetRead
from township.read.headers import label_lookup, not_collected, village_keys
from township.read.layout import (
    SUB_ITEM,
    UNIT_WORDS,
    Layout,
    _blank,
    _cell,
    _first_word,
    _row_matches,
    a1,
    column_letter,
    heading_text,
    month_missing,
    other_months_only,
    typed_months,
)
from township.read.periods import (
    a_day_alone,
    counts_events,
    ends_before,
    is_month_heading,
    is_running_total,
    is_this_months,
    may_name_a_period,
    names_a_period,
    names_an_earlier_period,
    names_earlier,
    says_this_month,
    sent,
)
from township.read.rows import cells_filled, has_figure
from township.read.units import a_unit, household_units, in_households, unit_note
from township.read.values import NORMALISERS

# A units or type-hint cell is a word or two (份, （人次）, 单位:件, 男/女, yyyy-mm-dd).
LABEL_LENGTH = 12
# Rows of a register with words where the ID goes that are looked at as another table's header.
HEADER_CHECKS = 20
# A name longer than this may be a table's title (see _is_title): looked at once more.
NAME_LENGTH = 6


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
    month: str | None = None,
) -> SheetRead:
    """The records of a sheet. `merged`: its merged ranges (row, column, last row, last column,
    0-based), as calamine gives them; a value merged down a data column fills every row."""
    if layout.kind == "list":
        return _extract_list(sheet, grid, layout, merged)
    out = _extract_table(sheet, grid, layout, catalogue, merged, month)
    if layout.form.kind != "person":
        _households_in_table(grid, layout, out, merged)
    return out


def _households_in_table(
    grid: list[list[object]], layout: Layout, out: SheetRead, merged: Sequence[Span]
) -> None:
    """A one-record form's table figures in households said as such (_in_households): a column
    whose own heading says so (流出人口数（户）), else a row's own 单位 column saying 户 (村名 |
    单位 | 已婚育龄妇女数 …: 东湖村 | 户 | 498), else a note
    alone in a cell of the header row (（单位：户）, not 期末户数（单位：户）, another column's),
    else the notes above it (_unit_above). A 单位 column is one among the table's headings, not
    past a blank one (another table's beside it)."""
    header = grid[layout.header_row]
    fields_at = set(layout.columns.values())
    own = {k: (unit, "form") for k, v in enumerate(header) if (unit := a_unit(v)) and "位" in v}
    notes = ([own] if own else []) + _notes_above(grid, layout.header_row, merged)
    first, last = min(fields_at), max(fields_at)
    # a header over two rows: the row below may be shorter than the columns headed above it
    while first > 0 and not _blank(_cell(header, first - 1)):
        first -= 1
    while last + 1 < len(header) and not _blank(header[last + 1]):
        last += 1
    unit_columns = [
        k
        for k in range(first, last + 1)
        if k not in fields_at and _a_unit_heading(_cell(header, k))
    ]
    households = household_units()
    headings = {c: households[0] for c in fields_at if in_households(_cell(header, c))}
    if not notes and not unit_columns and not headings:
        return
    types, last = _field_types(layout.form.name), max(fields_at)
    rows = [*zip(out.rows, out.records, strict=True), *((r[2], r[1]) for r in out.village_rows)]
    for excel_row, record in {id(record): (r, record) for r, record in rows}.values():
        row = grid[excel_row - 1] if excel_row - 1 < len(grid) else []
        written = next((u for k in unit_columns if (u := a_unit(_cell(row, k)))), None)
        for name, c in layout.columns.items():
            if types[name] == "count":
                unit = headings.get(c) or written or _unit_above(notes, c, last)
                record[name] = _in_households(record.get(name), unit)


def _extract_table(
    sheet: str,
    grid: list[list[object]],
    layout: Layout,
    catalogue: Catalogue,
    merged: list[tuple[int, int, int, int]],
    month: str | None,
) -> SheetRead:
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
    marks = _left_out_pattern(catalogue.left_out_markers)
    # a register without a residence column, in sections (一、户籍人口, 二、流入人口): each
    # section's rows are of the residence its heading says, at that heading's cell
    by_section = _residence_field(form) if person else None
    if by_section in layout.columns:
        by_section = None
    section: tuple[str, str] | None = None
    # the table's columns: a mark outside them is a note beside the table (注：示例行请删除)
    # (a one-record form's rows are labelled in a column of no heading: 示例 | 99 | 99)
    headed = (
        _columns_of(_header_rows(grid, layout.header_row)) if person else frozenset(range(width))
    )
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
            if _a_total(row):  # 本月合计 | 2人, its label in any column (序号's too)
                continue
            # a row that is no person has its first required field blank or saying nobody
            first = record.get(required[0])
            if (
                first is None
                or (
                    first.__class__ is str
                    and (
                        first[:1] in none_starts
                        or len(first) > NAME_LENGTH
                        or _SECTION.search(first) is not None
                    )
                )
            ) and _nobody(record, required, row, layout):
                # 本月无出生: the register says there is nobody (not a title nor a note)
                out.says_none = out.says_none or (
                    first.__class__ is str
                    and normalise_label(first).startswith(catalogue.none_markers)
                )
                if by_section and (said := _section_residence(row, r, catalogue)) is not None:
                    section = said
                continue
            # words where the ID number goes: a header, of this table repeated or of another
            if key and headers_left and _not_digits(record.get(key)):
                headers_left -= 1  # looked at in a few rows only: a sheet of text IDs stays fast
                if _header_like(row, catalogue):
                    if _repeats_header(row, layout, grid):
                        continue
                    _end_at_another_table(out, grid, r)
                    break
        if (mark := _left_out_mark(row, marks, headed, catalogue)) is not None:
            out.left_out.append((r + 1, a1(r, mark[0]), mark[1]))  # read, and kept out
            if not person:
                continue  # a one-record form's example row (示例 | 99 | 99): not its record
        excel_row = str(r + 1)
        cells = {field: letter + excel_row for field, letter in letters}
        if section is not None:
            record[by_section], cells[by_section] = section
        if not person and out.records:  # a one-record form's second row: figures, or remarks
            if _holds_a_number(record):
                values.append((record, r + 1, cells))
            continue
        out.records.append(record)
        out.rows.append(r + 1)
        out.cells.append(cells)
        if not person:
            values = [(record, r + 1, cells)]
    if person:
        return out
    labels = _row_labels(values, grid, layout)
    if _villages_rows(values, labels, grid, layout):
        out.village_rows = [  # 桃园村 | 498 …, 复合村 | 300 …: files.py reads the file's own
            (labels[r], record, r, cells, _label_cell(grid[r - 1], layout))
            for record, r, cells in values
        ]
        out.labelled_by = _rows_labelled_by(grid, layout)
    months = _row_labels(values, grid, layout, months_only=True) or labels
    # the village's total: of its groups' rows (一组, 二组 … 合计), or its only row; not of
    # rows of months (1月 … 3月, 合计): that is a sum of months, the report month's is its row
    whole = totals is not None and (len(values) > 1 or not out.records)
    # rows of several months; groups' rows beside a 月份 column of one month are no such rows
    of_months = any(map(is_month_heading, months.values())) and len(set(months.values())) > 1
    _refuse_rows_of_other_months(labels, months, grid, layout, month)
    if whole and not of_months and _read_totals_row(out, grid, totals, converters):
        return out
    if len(values) > 1:
        _read_one_row_of_figures(out, values, labels, grid, layout, month)
    return out


def _villages_rows(values: list, labels: dict[int, str], grid, layout: Layout) -> bool:
    """Rows of figures that may be labelled by villages (a township's sheet of every village's
    row, each village filling its own; the registry says which are, in files.py): labelled,
    with no 月份 column and no words of a row naming a period (复合村（上月）, 复合村 | 1-3月,
    a 备注 of 2月数据), whose choice of the month's row stands."""
    if len(values) < 2 or not any(labels.values()):
        return False  # the usual table: one row of figures
    used = set(layout.columns.values())
    words = (
        " ".join(v for c, v in enumerate(grid[r - 1]) if c not in used and v.__class__ is str)
        for _, r, _ in values
    )
    return not _month_columns(grid, layout) and not any(map(_a_periods_label, words))


def _rows_labelled_by(grid: list[list[object]], layout: Layout) -> str | None:
    """What a one-record table's headings left of its figures say its rows are: "villages"
    (村名, 村别: the 封面's words for a village's name), else "groups" (组别, 村民小组, also
    after a 序号: the village's groups, whatever their names, 桃园 | 李家湾); None for neither."""
    if layout.kind != "table":
        return None
    header = grid[layout.header_row][: min(layout.columns.values())]
    words = {normalise_label(v) for v in header if v.__class__ is str}
    if not words.isdisjoint(village_keys()):
        return "villages"
    return None if words.isdisjoint(load_catalogue().group_columns) else "groups"


def _a_periods_label(label: str) -> bool:
    """A row's label naming a period (2月, 上月, 本年累计); not a total of rows (全镇合计)."""
    plain = _TOTAL_WORDS.sub("", label)
    return may_name_a_period(plain) and names_a_period(plain)


_TOTAL_WORDS = re.compile("合计|小计|总计")


def _label_cell(row: list[object], layout: Layout) -> int:
    """The column of a row's first filled cell left of its figures (its label)."""
    first = min(layout.columns.values())
    return next((c for c, v in enumerate(row[:first]) if not _blank(v)), 0)


def _row_labels(
    values: list, grid: list[list[object]], layout: Layout, months_only: bool = False
) -> dict[int, str]:
    """A one-record form's rows of figures (Excel row -> the words left of its figures and in
    a 月份 column, not a 备注 after them), months typed as numbers read in their order
    (2025.09 above 2025.1 makes it October, typed_months). `months_only`: the 月份 column's
    words alone, where there is one (村名 | 月份: 东湖村 | 2026年2月 is February's row)."""
    months = _month_columns(grid, layout)
    if months_only and not months:
        return {}  # the usual table: no 月份 column
    used = set(layout.columns.values())
    # a day in a filing column (填报日期 | 已婚育龄妇女数 …) is when it was sent, of no period;
    # a month there (填报月份 | 2026年2月) is the month the row is of
    header = grid[layout.header_row] if layout.kind == "table" else []
    filing = {c for c, h in enumerate(header[: min(used)]) if h.__class__ is str and sent(h)}
    cells = [
        (r, c, _as_month(v) if c in months else v)
        for _, r, _ in values
        for c, v in enumerate(grid[r - 1])
        if v
        and (c in months or (c < min(used) and not months_only))
        and not (c in filing and a_day_alone(str(heading_text(v))))
    ]
    typed = typed_months([v for _, _, v in cells])
    out = {r: "" for _, r, _ in values}
    for k, (r, _, v) in enumerate(cells):
        out[r] += str(typed.get(k) or heading_text(v))
    return out


def _month_columns(grid: list[list[object]], layout: Layout) -> set[int]:
    """A one-record table's columns headed 月份 (no field's): each row's month."""
    if layout.kind != "table":
        return set()
    used = set(layout.columns.values())
    header, months = grid[layout.header_row], load_catalogue().month_columns
    return {c for c, h in enumerate(header) if c not in used and normalise_label(h) in months}


def _as_month(value: object) -> object:
    """A whole number under 月份 as its month (2, '2' → 2月); anything else as it is."""
    return f"{int(float(value))}月" if _a_month_number(value) else value


def _a_month_number(value: object) -> bool:
    """1 … 12, as a number or typed as text (a CSV's cells, a cell formatted as text)."""
    if value.__class__ is str and value.strip().isdigit():
        value = int(value)
    return value.__class__ in (int, float) and value == int(value) and 1 <= value <= 12


def _residence_field(form) -> str | None:
    return next((f.name for f in form.fields if f.type == "residence"), None)


def _section_residence(row: list[object], r: int, catalogue: Catalogue) -> tuple[str, str] | None:
    """The residence a register's section heading alone in its row says (二、流入人口 → 流入),
    and its cell; None for a heading saying none (一、本月出生, （二）流动人口)."""
    filled = [(c, v) for c, v in enumerate(row) if not _blank(v)]
    if len(filled) != 1 or filled[0][1].__class__ is not str:
        return None
    (c, text), words = filled[0], catalogue.vocabularies["residence"]
    label = normalise_label(text)
    said = next((words[w] for w in sorted(words, key=len, reverse=True) if w in label), None)
    return (said, a1(r, c)) if said else None


def _header_rows(grid: list[list[object]], header_row: int) -> list[list[object]]:
    """A table's header row, and the upper row of a header over two rows (not a title)."""
    if header_row > 0 and cells_filled(grid[header_row - 1], enough=2) > 1:
        return [grid[header_row - 1], grid[header_row]]
    return [grid[header_row]]


def _columns_of(rows: list[list[object]]) -> frozenset[int]:
    """The columns with a heading in these rows: the table's."""
    return frozenset(c for row in rows for c, v in enumerate(row) if not _blank(v))


def _left_out_mark(
    row: list[object], marks: re.Pattern[str], headed: frozenset[int], catalogue: Catalogue
) -> tuple[int, str] | None:
    """The cell of a register's row marking it as the template's example or as cancelled, and
    the mark: in a column of the table (`headed`: those with a heading), a cell that is the mark,
    opens with it or ends with it in brackets (示例 in its 序号, 示例：王芳, 李娜（作废）, 备注
    重复录入，删除此行, 例 alone); not a note mentioning it (原出生医学证明作废，已补办)."""
    if marks.search("|".join([v for v in row if v.__class__ is str])) is None:
        return None  # most rows: one look over the row's words
    for c, v in enumerate(row):
        if c in headed and v.__class__ is str and (mark := _a_mark(v, marks, catalogue)):
            return c, mark
    return None


def _a_mark(text: str, marks: re.Pattern[str], catalogue: Catalogue) -> str | None:
    """The mark a cell is: nothing but marks (作废, （作废）, 重复录入，删除此行, 例), an
    example's opening (示例：王芳), or a name with one in brackets after it (李娜（作废）); not a
    note that mentions one (作废证件已收回, 补报（原表作废）, 重复登记已核实，非同一人)."""
    words = text.strip().strip("（）()【】[] ")
    parts = [p for p in _MARK_SEPARATORS.split(words) if p]
    if (
        parts
        and marks.fullmatch(parts[0])
        and all(marks.fullmatch(p) or p in catalogue.left_out_tails for p in parts[1:])
    ):
        return parts[0]  # 作废, 重复录入，删除, 示例，请删除
    opening = _example_opening(catalogue.example_sheet_words).match(words)
    if opening is not None:
        return opening[1]
    named = _MARK_AFTER_NAME.fullmatch(text.strip())
    if named is not None and marks.fullmatch(named[2]):
        return named[2]
    return None


_MARK_SEPARATORS = re.compile(r"[，,；;、。\s]+")
_MARK_AFTER_NAME = re.compile(rf"([^（()）]{{1,{NAME_LENGTH}}})\s*[（(]\s*([^（()）]+?)\s*[)）]")


@cache
def _example_opening(words: tuple[str, ...]) -> re.Pattern[str]:
    """An example's words opening a cell before a colon (示例：王芳): those of example sheets."""
    return re.compile(rf"({'|'.join(map(re.escape, words))})\s*[:：]")


@cache
def _left_out_pattern(markers: tuple[str, ...]) -> re.Pattern[str]:
    """One of the left-out marks, or 例 (alone in a cell, _a_mark tells)."""
    return re.compile("|".join([*map(re.escape, markers), "例"]))


def _not_digits(value: object) -> bool:
    return value.__class__ is str and not value[:1].isdigit()


def _header_like(row: list[object], catalogue: Catalogue) -> bool:
    """A row of words only (no number, no date, nothing starting with a digit) naming two or
    more fields of some form: a header, not a person (whose row has a date or a figure)."""
    for v in row:
        if v is not None and (v.__class__ is not str or v.lstrip()[:1].isdigit()):
            return False
    return any(len(_row_matches(row, form)) >= 2 for form in catalogue.data_forms)


def _repeats_header(row: list[object], layout: Layout, grid: list[list[object]]) -> bool:
    """The table's own header again (repeated on each printed page, worded a little otherwise
    there: 母亲身份证号码, 出生日期（年月日）, 编号, 备注（续）): its fields in their columns,
    and no word that is neither its header's, a field's of the form nor a column the township
    does not collect (死亡日期 or 怀孕时间 beside 身份证号 | 性别 head another table, of deaths
    or pregnancies, whose rows are no births)."""
    matches = _row_matches(row, layout.form)
    if len(matches) < 2 or any(layout.columns.get(f) != c for c, f in matches.items()):
        return False
    rows = _header_rows(grid, layout.header_row)
    heading = {normalise_label(str(v)) for r in rows for v in r if v}
    headed = _columns_of(rows)  # not 第2页 beside the table
    return all(
        c in matches or normalise_label(v) in heading or "续" in v or not_collected(v)
        for c, v in enumerate(row)
        if c in headed and v.__class__ is str and v.strip()
    )


def _end_at_another_table(out: SheetRead, grid: list[list[object]], r: int) -> None:
    """Another table below the person rows (死亡登记 under 出生登记): its rows are not this
    form's. Its title, read as a row of one filled cell just before, is no person either."""
    out.other_table_at = r + 1
    if out.rows and _is_title(grid[out.rows[-1] - 1]):
        out.records.pop(), out.rows.pop(), out.cells.pop()


# Words of a table's title (死亡登记, 复合村出生登记花名册（续）), never of a person's name.
TITLE_WORDS = ("登记", "表", "名单", "名册", "情况", "统计", "汇总", "续")
# What a register's section heading, total or note has that a person's name never has: a
# numbering in Chinese numerals (一、户籍人口, （二）流入人口; 2、王芳 may be a person numbered),
# a note's opening (附：…, 备注：…; 王芳：身份证待补 is a person), a total (本月合计, 共计2人),
# 人口 (流入人口出生)
_SECTION = re.compile(
    r"^\s*(?:[一二三四五六七八九十]+\s*[、.．]|[(（]\s*[一二三四五六七八九十]+\s*[)）]"
    r"|(?:附|注|备注|说明)\s*[:：])|合计|共计|小计|总计|人口"
)


def _is_title(row: list[object]) -> bool:
    """A row of one filled cell naming a table, or a section of it, or a total or note."""
    filled = [v for v in row if not _blank(v)]
    return (
        len(filled) == 1
        and filled[0].__class__ is str
        and (any(word in filled[0] for word in TITLE_WORDS) or _SECTION.search(filled[0]))
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


_TOTAL = re.compile(r"合计|共计|小计|总计")


def _a_total(row: list[object]) -> bool:
    """A register's total: its first words a total's (本月合计, 共计) and the rest counts (0,
    6人), no ID, date nor word of a person."""
    label = next((v for v in row if not _blank(v)), None)
    if label.__class__ is not str or not _TOTAL.search(label):
        return False  # the usual row: a person's number or name first
    filled = [v for v in row if not _blank(v)]
    return all(v.__class__ in (int, float) or _COUNT_TEXT.fullmatch(str(v)) for v in filled[1:])


_COUNT_TEXT = re.compile(r"\s*\d{1,4}\s*[人个例户名]?\s*")


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


def _a_sum_or_earlier(label: str, form: str, month: str) -> bool:
    """A row's label naming a sum over months of events (本年累计) or an earlier period
    (上月末, a day before the month began: 2026年2月28日)."""
    return (
        (counts_events(form) and is_running_total(label, events=True))
        or names_earlier(label)
        or names_an_earlier_period(label, month)
        or (a_day_alone(label) and bool(ends_before(label, month)))
    )


def _refuse_rows_of_other_months(
    labels: dict[int, str], months: dict[int, str], grid, layout: Layout, month: str | None
) -> None:
    """Rows of figures labelled by months (Excel row -> its words; `months`, its 月份 column's
    words, where there is one, else the same), none the report month's (1月 | 2月 in a March
    file): refused at the first month's label, as such columns are."""
    labelled = [w for w in labels.values() if w]
    form = layout.form.name
    sums = {w for w in labelled if month and _a_sum_or_earlier(w, form, month)}
    if any(says_this_month(w) and w not in sums for w in labelled):
        return  # 本月 beside 2月: the 本月 row is read (not 至本月, a sum of events)
    # every row labelled so (an unlabelled row beside 上月's is the month's)
    every = month and labelled and len(labelled) == len(labels)
    dated = [w for w in months.values() if w]
    if every and len(sums) == len(set(labelled)):
        first = min(r for r, w in labels.items() if w)  # 本年累计, 1-3月, 上月末: not the month
    elif other_months_only(dated, month, layout.form):
        first = min(r for r, w in months.items() if is_month_heading(w))
    else:
        return  # 东湖村 beside 上月（2月）: the village's
    used = set(layout.columns.values())
    row = [(c, v) for c, v in enumerate(grid[first - 1]) if c not in used and v]
    in_months = _month_columns(grid, layout)
    monthly = [c for c, v in row if c in in_months or is_month_heading(str(heading_text(v)))]
    label_col = next(iter(monthly), row[0][0] if row else 0)  # the month's cell, else its label
    raise month_missing(a1(first - 1, label_col), layout.form, labelled, month)


def _read_one_row_of_figures(
    out: SheetRead, values: list, labels: dict[int, str], grid, layout: Layout, month: str | None
) -> None:
    """A one-record form with two or more rows of figures: the first is read, unless the words
    beside it (in no field's column) say it is an earlier month's and another row's do not.
    The rows not read are kept in `unread` (Excel row, first cell of a figure), to be said."""

    columns = layout.columns
    used = set(columns.values())
    # the rows' words read in order: 2025.09 above 2025.1 makes it October (typed_months)
    labels = [(r, c, v) for _, r, _ in values for c, v in enumerate(grid[r - 1]) if c not in used]
    typed = typed_months([v for _, _, v in labels])
    heading = {(r, c): typed[k] for k, (r, c, _) in enumerate(labels) if k in typed}

    months = _month_columns(grid, layout)

    def text(excel_row: int, c: int, v: object) -> str:
        return str(heading.get((excel_row, c)) or heading_text(_as_month(v) if c in months else v))

    def words(excel_row: int) -> str:
        row = grid[excel_row - 1]
        return "".join(text(excel_row, c, v) for c, v in enumerate(row) if c not in used and v)

    def earlier(excel_row: int) -> bool:
        row_words = words(excel_row)
        return names_earlier(row_words) or bool(month and names_an_earlier_period(row_words, month))

    chosen = values[0]
    named = [v for v in values if month and is_this_months(words(v[1]), month)]
    current = [v for v in values if says_this_month(words(v[1]))]
    if len(named) == 1:  # rows labelled by month (2月 | 3月): the report month's
        chosen = named[0]
    elif not named and len(current) == 1:  # 2月 | 本月: this month's
        chosen = current[0]
    elif earlier(chosen[1]):
        chosen = next((v for v in values if not earlier(v[1])), chosen)
    record, row, cells = chosen
    first = min(columns.values())
    out.records[:], out.rows[:], out.cells[:] = [record], [row], [cells]
    out.unread = [
        # at its first figure; a row of dashes (— for none) at its first field's cell
        (r, a1(r - 1, min((columns[f] for f, v in rec.items() if _is_number(v)), default=first)))
        for rec, r, _ in values
        if r != row
    ]


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
    a watched field blank in a record, a row skipped between records, rows under a header
    that gave none. Formulas without results come from programs, which write a whole column
    or row so (Excel, WPS and LibreOffice save the results); a formula's error (#N/A) may
    stand in any one row."""
    rows = read.rows
    if not rows:
        return layout.form.kind == "record" or grid_rows > layout.header_row + 1
    if layout.form.kind == "record":  # one record, every field a count
        return None in read.records[0].values()
    if rows[-1] - rows[0] + 1 != len(rows):
        return True
    watched = _watched(layout.form.name, tuple(layout.columns))
    return any(None in watched(record) for record in read.records)


def formula_cells(
    read: SheetRead,
    grid: list[list[object]],
    layout: Layout,
    formulas: list[tuple[int, int, str | None]],
    catalogue: Catalogue,
) -> list[tuple[str, int, int, str | None]]:
    """(field, row, column, error) of the cells among `formulas` that the form reads: the
    record's value cells, and the mapped cells of data rows (a row of formulas alone reads as
    blank); not totals, footers or units rows (but a record read from its 合计 row), and for a
    one-record form nothing below its record. Errors only in the rows read (_error_matters)."""
    if layout.kind == "list":
        wanted = {cell: field for field, cell in read.cells[0].items()} if read.cells else {}
        return [(wanted[a1(r, c)], r, c, e) for r, c, e in formulas if a1(r, c) in wanted]
    fields = {c: f for f, c in layout.columns.items()}
    last = len(grid) if layout.form.kind == "person" or not read.rows else read.rows[0] - 1
    read_rows = {r - 1 for r in read.rows}  # a record's row may be its 合计 row
    return [
        (fields[c], r, c, e)
        for r, c, e in formulas
        if c in fields
        and layout.header_row < r <= last
        and (r in read_rows or not _marker_row(grid, r, catalogue))
        and (e is None or (r in read_rows and _error_matters(layout.form.field(fields[c]))))
    ]


def _error_matters(field: Field) -> bool:
    """A formula's error (#N/A) in a read row is said where it loses a value the figures or the
    person need: not in an optional note (备注). Rows read as nobody (a lookup dragged down
    a template's empty rows) are not said."""
    return field.required or field.type != "text"


def _marker_row(grid: list[list[object]], r: int, catalogue: Catalogue) -> bool:
    row = grid[r] if r < len(grid) else []
    return is_non_data_row(row, catalogue) and not all(_blank(v) for v in row)


def _extract_list(
    sheet: str, grid: list[list[object]], layout: Layout, merged: Sequence[Span] = ()
) -> SheetRead:
    out = SheetRead(layout.form.name, sheet, layout.header_row + 1, "list")
    record, cells = {}, {}
    units = _ListUnits(grid, layout, merged)
    for name, r in layout.columns.items():
        row = grid[r]
        kind = _field_types(layout.form.name)[name]
        if name in layout.by_unit:
            c = layout.by_unit[name]
        elif name in layout.beside:
            c = _value_column(row, layout.beside[name] + 1, kind == "count")
        elif layout.value_fixed:
            c = layout.value_column
        else:
            c = _value_column(row, layout.value_column, kind == "count")
        record[name] = _normalise_cell(kind, row[c] if c < len(row) else None)
        if kind == "count":  # 86 in a 单位 column saying 户: said, not read as persons
            record[name] = _in_households(record[name], units.of(r, c))
        cells[name] = a1(r, c)
    out.records.append(record)
    out.rows.append(min(layout.columns.values()) + 1)
    out.cells.append(cells)
    return out


@cache
def _unit_labels() -> frozenset[str]:
    """A 单位 column's heading or a note's key: the units markers (单位：, 计量单位)."""
    return frozenset(normalise_label(m) for m in load_catalogue().units_markers)


Span = tuple[int, int, int, int]  # a merged range: row, column, last row, last column (0-based)


class _ListUnits:
    """The units written for a list's figures: its rows' 单位 cells, also one
    merged down several rows (`merged`, as calamine gives them), and the notes above the list,
    looked for once, when first asked."""

    def __init__(self, grid: list[list[object]], layout: Layout, merged: Sequence[Span] = ()):
        self.grid, self.layout, self.merged = grid, layout, merged
        self._notes: list[dict[int, tuple[str, str]]] | None = None

    def of(self, r: int, c: int) -> str | None:
        """The unit written for the figure at row r, column c: households where its item says
        so (流出人口数（户）), else its row's 单位 cell (项目 | 单位 | 数量, or 项目 | 数量 | 单位,
        also 项目 | 数量 | 备注 | 单位), else the notes above the list (_unit_above)."""
        row, layout = self.grid[r] if r < len(self.grid) else [], self.layout
        if in_households(_cell(row, layout.label_column)):
            return household_units()[0]  # 流出人口数（户） | 20, whatever else is written
        for k in range(layout.label_column + 1, min(c, len(row))):
            if (unit := a_unit(self._cell(r, k))) is not None:
                return unit
        header = self.grid[layout.header_row] if layout.header_row < r else []
        k = _unit_column_right_of(header, c)
        if k is not None and k < len(row) and (unit := a_unit(self._cell(r, k))) is not None:
            return unit
        if normalise_label(_cell(header, c)) in household_units():
            return household_units()[0]  # 项目 | 户数: the column's own heading
        if self._notes is None:
            # from the list's first item, one it does not read too (外出务工人员 | 7)
            self._notes = _notes_above(self.grid, layout.header_row + 1, self.merged)
        return _unit_above(self._notes, c, c)

    def _cell(self, r: int, k: int) -> object:
        """The cell's value, or that of the merged range it lies in below its first row."""
        value = self.grid[r][k]
        if value is None or (value.__class__ is str and not value.strip()):
            for r0, c0, r1, c1 in self.merged:
                if r0 < r <= r1 and c0 <= k <= c1:
                    return _cell(self.grid[r0], c0)
        return value


def _unit_column_right_of(header: list[object], c: int) -> int | None:
    """The column headed 单位 right of column c in the same table: not past a blank heading or
    another list's 项目 (项目 | 数量 | | 项目 | 单位 | 数量: the other list's)."""
    items = load_catalogue().list_item_headers
    for k in range(c + 1, len(header)):
        if _blank(header[k]) or normalise_label(header[k]) in items:
            return None
        if _a_unit_heading(header[k]):
            return k
    return None


def _notes_above(
    grid: list[list[object]], first: int, merged: Sequence[Span] = ()
) -> list[dict[int, tuple[str, str]]]:
    """The unit notes (_row_notes) of the rows above a form's `first` row, nearest first, by
    column, a note merged over several columns over each; up to a row of figures (another
    table's, or an item the form does not read: its notes are its own), while a title and a
    note above a blank row are the form's."""
    rows = []
    for r in range(min(first, len(grid)) - 1, -1, -1):
        if not cells_filled(grid[r], enough=1):
            continue
        if has_figure(grid[r]):  # another table's figures, or an item the form does not read
            break  # (流出人口数（单位：户） | 9 right above the list): their notes are theirs
        if notes := _row_notes(grid[r]):
            for r0, c0, _, c1 in merged:
                if r0 == r and c0 in notes and notes[c0][1] == "column":
                    notes.update((k, notes[c0]) for k in range(c0 + 1, c1 + 1))
            rows.append(notes)
    return rows


def _a_unit_heading(value: object) -> bool:
    return value.__class__ is str and "位" in value and normalise_label(value) in _unit_labels()


def _row_notes(row: list[object]) -> dict[int, tuple[str, str]]:
    """A row's unit notes (unit_note) by column; a row of 单位： | 户 (or 单位 | 户) alone as
    one note, at the first (not 单位 | 户数, the headings of two columns)."""
    notes = {k: n for k, v in enumerate(row) if (n := unit_note(v)) is not None}
    filled = [k for k, v in enumerate(row) if not _blank(v)]
    if len(filled) == 2:
        key, unit = row[filled[0]], a_unit(row[filled[1]])
        colon = _a_unit_heading(key) and key.rstrip().endswith((":", "："))
        if unit is not None and (colon or (_a_unit_heading(key) and not unit.endswith("数"))):
            notes = {filled[0]: (unit, "form")}
    return notes


def _unit_above(notes: list[dict[int, tuple[str, str]]], c: int, last: int) -> str | None:
    """The unit the `notes` above a form give its column c: the nearest row's note over column
    c (数量（户）, | （人） | （户）, 户数), or a row's only note saying the form's unit (单位：户) no
    further right than just past its `last` column."""
    for row in notes:
        if c in row:
            return row[c][0]
        forms = [unit for k, (unit, kind) in row.items() if kind == "form" and k <= last + 1]
        if len(row) == 1 and forms:
            return forms[0]
    return None


def _in_households(value: object, unit: str | None) -> object:
    """The figure as said to the village when its unit is households (86（单位：户）); else as
    read."""
    households = household_units()
    if (
        unit not in households
        or value is None
        or (value.__class__ is str and value.endswith(households[0]))
    ):
        return value
    return f"{value}（单位：{households[0]}）"


def items_given_twice(
    grid: list[list[object]], layout: Layout, record: dict, merged: Sequence[Span] = ()
) -> list[tuple[str, int, int, object]]:
    """A list's items named again further down its label column with another figure than the
    one read (流入人口数 | 11 … 流入人口数 | 13): a copy of another month the reader could not
    tell apart, or a line typed twice. Either figure may be the month's, so neither is said to
    be: (field, row, column, figure) of each repeat, up to the footer."""
    footer = load_catalogue().footer_markers
    used, label_col = set(layout.columns.values()), layout.label_column
    lookup = label_lookup(layout.form.name)
    named: dict[int, str] | None = None  # every row's field, once an item is named again
    units = _ListUnits(grid, layout, merged)
    out = []
    for r in range(min(used), len(grid)):
        row = grid[r]
        label = row[label_col] if label_col < len(row) else None
        if r in used or label.__class__ is not str:
            continue
        if label.strip().startswith(footer):
            break
        name = lookup(label)
        if (
            name not in layout.columns
            or name in layout.beside
            or label.strip().startswith(SUB_ITEM)
        ):
            continue
        named = named if named is not None else _items_named(grid, layout, min(used))
        if _in_a_breakdown(grid, named, r, label_col) or _a_sub_item_of_another(
            named, r, layout.columns[name], label, layout.form.name, name
        ):
            continue
        kind = _field_types(layout.form.name)[name]
        c = (
            layout.value_column
            if layout.value_fixed
            else _value_column(row, layout.value_column, kind == "count")
        )
        value = _normalise_cell(kind, row[c] if c < len(row) else None)
        if kind == "count":  # as the record's figure is: with its unit, where that is 户
            value = _in_households(value, units.of(r, c))
        if value is not None and value != record.get(name):
            out.append((name, r, c, value))
    return out


def _items_named(grid: list[list[object]], layout: Layout, first: int) -> dict[int, str]:
    """Row -> the field its label names, of a list's rows from `first`."""
    label_col, lookup = layout.label_column, label_lookup(layout.form.name)
    return {
        r: name
        for r in range(first, len(grid))
        if label_col < len(grid[r])
        and grid[r][label_col].__class__ is str
        and (name := lookup(grid[r][label_col])) is not None
    }


def _item_before(named: dict[int, str], r: int) -> tuple[int, str | None]:
    """The row and field of the nearest item above row r that names one."""
    return next(((k, named[k]) for k in range(r - 1, -1, -1) if k in named), (-1, None))


def _in_a_breakdown(
    grid: list[list[object]], named: dict[int, str], r: int, label_col: int
) -> bool:
    """Row r under a 其中 line of the item above it (未避孕, 其中：孕期, 哺乳期, 其他): the
    breakdown's own line, not that item's field again."""
    above, _ = _item_before(named, r)
    return any(
        label_col < len(grid[k]) and str(grid[k][label_col] or "").strip().startswith(SUB_ITEM)
        for k in range(above + 1, r)
    )


def _a_sub_item_of_another(
    named: dict[int, str], r: int, first: int, label: str, form: str, field: str
) -> bool:
    """A label that does not name its group (办证数, not 流出…), under another group's item
    than where it was read (under 流入人口数, read under 流出人口数): that group's sub-item."""
    _, here = _item_before(named, r)
    _, there = _item_before(named, first)
    return (
        not normalise_label(label).startswith(_first_word(form, field))
        and here is not None
        and there is not None
        and _first_word(form, here) != _first_word(form, there)
    )


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
