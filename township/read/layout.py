"""Where a form is in a grid: which sheet holds which form, its header row (over one or two
rows) or its two-column list, and which column or row holds each field."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

from township.forms import Catalogue, Form, load_catalogue, normalise_label
from township.read.headers import (
    alias_index,
    begins_a_label,
    field_for_label,
    field_in_households,
    first_item,
    header_label,
    label_lookup,
    loose_first_chars,
    loosened,
    not_collected,
    qualified,
    weakly_named,
)
from township.read.periods import (
    NOT_THIS_MONTH,
    ONLY_A_MONTH,
    OTHER_PERIODS,
    PRESENT,
    a_date_or_note,
    counts_events,
    heads_a_period,
    is_month_heading,
    is_running_total,
    is_this_months,
    names_an_earlier_period,
    names_month,
    plain_numerals,
    says_this_month,
)
from township.read.units import in_households
from township.read.values import to_text

HEADER_SCAN_ROWS = 30
LIST_SCAN_ROWS = 200
UNIT_WORDS = frozenset(
    normalise_label(w)
    for w in ["人", "份", "条", "套", "人次", "个", "例", "起", "户", "元", "日期", "文本"]
)
# Longer than this, a cell is no column's heading (a remark, a pasted paragraph).
LONG_LABEL = 20
# A header ending in a bracket may be a name with its qualifier after it: 户籍人口（期末）.
CLOSING = frozenset(")）]】〕")


class SheetProblem(Exception):
    """A sheet that holds a form but cannot be used: the rule (sheet.<code>), its cell, and the
    words the catalog's message is filled with."""

    def __init__(
        self, code: str, cell: str | None = None, form: Form | None = None, **words: object
    ):
        super().__init__(code)
        self.code, self.cell, self.words = code, cell, words
        self.form = form  # given when the sheet is that form's, were it not for the problem


# Figures in columns for other months than the report month's (SheetProblem's code)
MONTH_MISSING = "month_column_missing"


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
    # list layout: fields read from the column of their own count word (人数 | 人次: 咨询人次 from
    # 人次's); field -> its value column
    by_unit: dict[str, int] = dataclasses.field(default_factory=dict)


@cache
def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def month_words(month: str) -> str:
    """The report month as a village says it: 2026-03 → 3月."""
    return f"{int(month[5:7])}月"


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


@lru_cache(maxsize=1024)
def is_notes_sheet(sheet_name: str) -> bool:
    """A sheet named instructions, an example or a template (出生登记填表说明, 示例, 样表):
    read only where no other sheet holds its form, and no header in it is no problem."""
    label = normalise_label(sheet_name)
    return any(word in label for word in load_catalogue().notes_sheet_words)


@lru_cache(maxsize=1024)
def is_example_sheet(sheet_name: str, instructions: bool = False) -> bool:
    """A sheet named an example (出生登记示例), or with `instructions` instructions too (填表说明),
    not the template (样表)."""
    label, catalogue = normalise_label(sheet_name), load_catalogue()
    words = catalogue.example_sheet_words
    if instructions:
        words += catalogue.instruction_sheet_words
    return any(word in label for word in words)


def form_for_sheet_name(name: str, catalogue: Catalogue) -> Form | None:
    label = normalise_label(name)
    for form in catalogue.forms.values():
        if label in _sheet_labels(form.sheet_aliases):
            return form
    for form in catalogue.forms.values():  # file names such as 420117104215_出生登记.csv
        if any(alias in label for alias in _sheet_labels(form.sheet_aliases[:1])):
            return form
    return None


_label = header_label


def _row_matches(row: list[object], form: Form) -> dict[int, str]:
    """Column -> field for the cells of a row that are header aliases of the form.

    Most cells are names, ID numbers and dates: they are turned away before being normalised,
    exactly. An ASCII cell normalises to ASCII, so it cannot match when no alias is ASCII; a
    cell starting with a CJK unified ideograph keeps it as its first character (NFKC leaves
    U+4E00–U+9FFF alone, nothing composes with them, they are neither spaces nor punctuation),
    so it cannot match unless some alias starts with that character, or it ends in a bracket
    (户籍人口（期末）: the qualifier after the name, tried first)."""
    any_ascii, first_chars = _matcher(form.name)
    lookup = _heading_lookup(form.name)
    if not any_ascii:  # the usual catalogue: every alias has a Chinese character
        found = {
            c: field
            for c, v in enumerate(row)
            if isinstance(v, str)
            and not v.isascii()  # also turns away ""
            and (v[0] in first_chars or not "\u4e00" <= v[0] <= "\u9fff" or v[-1] in CLOSING)
            and (field := lookup(v)) is not None
        }
    else:
        found = {
            c: field
            for c, v in enumerate(row)
            if isinstance(v, str)
            and v
            and (v[0] in first_chars or not "\u4e00" <= v[0] <= "\u9fff" or v[-1] in CLOSING)
            and (field := lookup(v)) is not None
        }
    if found and any(in_households(row[c]) for c in found if row[c][-1:] in CLOSING):
        return _households_kept_where_alone(row, found)
    return found


@cache
def _heading_lookup(form_name: str):
    """label_lookup, and the field of a heading in households (field_in_households: 流出人口数
    （户）, also 流出人口数（单位：户）, which label_lookup reads as the field's plain heading)."""
    lookup = label_lookup(form_name)

    @lru_cache(maxsize=16384)  # one C-level call for the words every file repeats
    def heading(text: str) -> str | None:
        if text[-1:] in CLOSING and (field := field_in_households(form_name, text)):
            return field
        return lookup(text)

    return heading


def _households_kept_where_alone(row: list[object], found: dict[int, str]) -> dict[int, str]:
    """The row's headings of a field in households whose field no other heading names: read,
    to be said (sheets.py) rather than the sheet's header missed; beside one that names it
    (流出人口数（户） | 流出人口数), not read."""
    households = {c for c in found if in_households(row[c])}
    plain = {field for c, field in found.items() if c not in households}
    return {c: field for c, field in found.items() if c not in households or field not in plain}


def _persons_over_households(
    grid: list[list[object]], by_row: list[dict[int, str]]
) -> tuple[list[dict[int, str]], bool]:
    """`by_row` without the rows naming fields in households only (流出人口数（户） |
    流入人口数（户）), where another row names two fields as they are: that is the form's header,
    the other a table of households beside it. And whether any heading is in households."""
    households = {
        r: {c for c in m if grid[r][c][-1:] in CLOSING and in_households(grid[r][c])}
        for r, m in enumerate(by_row)
        if m
    }
    if not any(households.values()):
        return by_row, False  # most sheets: no heading closing with a bracket, none with 户
    if not any(len(by_row[r]) - len(cs) >= 2 for r, cs in households.items()):
        return by_row, True
    kept = [m if len(households.get(r, ())) < len(m) else {} for r, m in enumerate(by_row)]
    return kept, True


def _named_as_they_are(layout: Layout, grid: list[list[object]]) -> int:
    """How many of a layout's fields are named as they are, not in households (流出人口数（户）)."""
    if layout.kind == "table":
        header = grid[layout.header_row]
        return sum(not in_households(_cell(header, c)) for c in layout.columns.values())
    return sum(
        not in_households(_cell(grid[r], layout.label_column)) for r in layout.columns.values()
    )


def _table_layout(
    grid: list[list[object]],
    form: Form,
    by_row: list[dict[int, str]] | None = None,
    split: bool = True,
    month: str | None = None,
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
    # a field two columns give: whose each is (父亲 | 身份证号码), the child's, the named one
    matches = _requalified(grid[header_row], matches, form)
    matches = _the_childs(grid, header_row, matches, form)
    matches = _strong_over_weak(grid[header_row], matches, form)
    matches = _with_sub_items(grid[header_row], matches, form)
    header_row, matches = _period_sub_columns(grid, header_row, matches, month, form)
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
        and not (
            best[1] + 1 < len(grid)
            and _has_gaps(grid[best[1]], best[2], grid[best[1] + 1])
            and _sub_columns(grid[best[1] + 1])
        )
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


def _has_gaps(header: list[object], matches: dict[int, str], below: list[object]) -> bool:
    """A blank heading right of a named one, with something under it in the row below: what
    a heading merged across columns leaves (户籍人口 over 期初 | 期末)."""
    width = min(len(header), len(below))
    return any(
        c + 1 < width and _blank(header[c + 1]) and not _blank(below[c + 1]) for c in matches
    )


@cache
def _first_word(form_name: str, field: str) -> str:
    """The word a field's Chinese name opens with (流出, 流入): what its sub-items lack."""
    return normalise_label(load_catalogue().forms[form_name].field(field).name_zh)[:2]


def _sub_columns(row: list[object]) -> bool:
    """A row under a header naming sub-columns: 其中 …, or periods (上月 | 本月, 2月 | 3月)."""
    return any(
        v.__class__ is str
        and len(v) <= LONG_LABEL
        and ((label := _label(v)).startswith(SUB_ITEM) or heads_a_period(label))
        for v in row
    )


def _period_sub_columns(
    grid: list[list[object]],
    header_row: int,
    matches: dict[int, str],
    month: str | None,
    form: Form,
) -> tuple[int, dict[int, str]]:
    """A field's heading merged over columns for periods in the row below (户籍人口 over
    期初 | 期末, 上环 over 2月 | 3月, 咨询人次 over 累计 | 本月): the field is read from the
    report month's or this month's column, and the row of periods is the header."""
    header = grid[header_row]
    below = grid[header_row + 1] if header_row + 1 < len(grid) else []
    if form.kind == "person" or not _has_gaps(header, matches, below):
        return header_row, matches  # the usual header; a register's rows are people's
    periods = {
        c: _label(v)
        for c, v in enumerate(_row_headings(below))
        if v.__class__ is str
        and len(v) <= LONG_LABEL
        and heads_a_period(_label(v))
        and not a_date_or_note(v)
    }
    out = dict(matches)
    for c, field in matches.items():
        span = [c]
        while span[-1] + 1 < len(below) and _blank(_cell(header, span[-1] + 1)):
            span.append(span[-1] + 1)
        headed = {k: periods[k] for k in span if k in periods}
        if len(headed) < 2:
            # 户籍人口 over 户数 | 人数, 流出人口数 over 男 | 女 | 合计: parts, or what else
            subs = {k: h for k, h in _headings(below, -1, units=True).items() if k in span}
            if (named := _sub_fields(below, subs, field, out, form)) is not None:
                del out[c]  # 流出人口 over 人数 | 已婚育龄妇女: each its field
                out.update(named)
                continue
            chosen = _whole_or_unclear(grid, header_row + 1, header_row + 2, subs, month, form)
            if chosen is not None:
                del out[c]
                out[chosen] = field
            continue
        stock = form.field(field).measure == "stock"
        if (chosen := _this_months(headed, month, stock)) is None:
            _say_the_month_is_missing(headed, month, header_row + 1, form)
            continue
        del out[c]
        out[chosen] = field
    return (header_row + 1, out) if out != matches else (header_row, matches)


# A sub-column's heading that is the field's own figure beside its sub-items (流出人口 over
# 人数 | 已婚育龄妇女)
OWN_FIGURE = ("人数", "数量", "总数", "合计", "人口数", "数")


def _sub_fields(
    below: list[object], subs: dict[int, str], field: str, taken: dict[int, str], form: Form
) -> dict[int, str] | None:
    """Sub-columns under a field's heading that name fields with it (流出 + 已婚育龄妇女), the
    one left its own figure (人数): column -> field; None when they are not that."""
    group = _first_word(form.name, field)
    named = {
        k: f
        for k in subs
        if (f := qualified(group, loosened(str(_cell(below, k))), form.name)) is not None
        and f != field
        and f not in taken.values()
    }
    own = [k for k, h in subs.items() if k not in named and h in OWN_FIGURE]
    if not named or len(own) != 1 or len(named) + 1 != len(subs):
        return None
    return {own[0]: field, **named}


def _cell(row: list[object], c: int) -> object:
    return row[c] if c < len(row) else None


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
    out, twice = dict(matches), _given_twice(matches)
    for c, field in matches.items():
        # a two-row header's columns may reach past its first row
        left, label = (_cell(header, c - 1) if c > 0 else None), _cell(header, c)
        if field not in twice or not isinstance(left, str) or not isinstance(label, str):
            continue
        person = _label(left)[:2]
        other = qualified(person, _label(label), form.name)
        if other is not None and other != field and other not in out.values():
            out[c] = other
    return out


def _the_childs(
    grid: list[list[object]], header_row: int, matches: dict[int, str], form: Form
) -> dict[int, str]:
    """Two columns of a child's field where one is the child's and the others a parent's (母亲
    | 出生日期 … 婴儿 | 出生日期, or 出生日期 … 婴儿出生日期): the child's is the field (a
    birth's date, sex), the parent's not read. A field is the child's when an alias of it says
    so (婴儿出生日期); a parent's field (母亲身份证号) is never given to a column so."""
    header = grid[header_row]
    # the upper row of a header over two rows (母亲 | 婴儿), not a title (新生儿出生登记表)
    two_rows = header_row > 0 and sum(not _blank(v) for v in grid[header_row - 1]) > 1
    upper = grid[header_row - 1] if two_rows else []
    out = dict(matches)
    for field in _given_twice(matches):
        if not _a_childs_field(form.field(field)):
            continue
        columns = [c for c, f in matches.items() if f == field]
        whose = {c: _whose(header, upper, c) for c in columns}
        childs = [c for c in columns if whose[c] == "child"]
        if len(childs) == 1 and all(whose[c] == "parent" for c in columns if c != childs[0]):
            for c in columns:
                if c != childs[0]:
                    del out[c]
    return out


def _given_twice(matches: dict[int, str]) -> set[str]:
    """The fields two or more columns give."""
    fields = list(matches.values())
    return {f for f in fields if fields.count(f) > 1}


def _strong_over_weak(header: list[object], matches: dict[int, str], form: Form) -> dict[int, str]:
    """Two columns of one field, one named by an alias and the others by a weak alias (母亲身份证号
    … 身份证, of a contact or the father): the alias's is the field, the others not read."""
    out = dict(matches)
    for field in _given_twice(matches):
        columns = [c for c, f in matches.items() if f == field]
        weak = {c for c in columns if weakly_named(form.name, _cell(header, c))}
        if len(columns) - len(weak) == 1:
            for c in weak:
                del out[c]
    return out


def _a_childs_field(field) -> bool:
    words, catalogue = " ".join(field.aliases), load_catalogue()
    return any(w in words for w in catalogue.child_words) and not any(
        w in words for w in catalogue.parent_words
    )


def _whose(header: list[object], upper: list[object], c: int) -> str | None:
    """child, parent or None: by the column's heading, the heading over it (merged from its
    left), else the nearest heading left of it naming a person (母亲姓名 | 出生日期)."""
    above = next((v for v in reversed(upper[: c + 1]) if not _blank(v)), None) if upper else None
    catalogue = load_catalogue()  # whose words: `header_words` in schemas/forms.yaml
    for text in (_cell(header, c), above, *reversed(header[:c])):
        if not isinstance(text, str):
            continue
        if any(w in text for w in catalogue.child_words):
            return "child"
        if any(w in text for w in catalogue.parent_words):
            return "parent"
    return None


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
    out, above, opened = fields, None, ""
    for r in range(max(min(fields.values()) - 1, 0), len(by_row)):
        field = by_row[r].get(label_col)
        if field is not None:
            above, opened = field, ""
            continue
        row = grid[r]
        label = row[label_col] if label_col < len(row) else None
        if label.__class__ is not str or not (text := _label(label)):
            continue
        if begins_a_label(text, form.name):
            opened = text
            continue
        group = _first_word(form.name, above) if above else ""
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
                group = _first_word(form.name, matches[c])
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
            or (field := qualified(group[:2], loosened(below), form.name)) is not None
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
            listed = by_column.setdefault(c, {})
            earlier = listed.setdefault(field, r)
            if earlier != r and in_households(grid[earlier][c]) > in_households(grid[r][c]):
                listed[field] = r  # 流出人口数（户） above 流出人口数: the item in persons
    if not by_column:
        return None
    label_col, fields = max(by_column.items(), key=lambda item: len(item[1]))
    label_col = _copy_of_the_month(grid, by_column, label_col, month, form)
    fields = _with_listed_sub_items(grid, by_row, label_col, by_column[label_col], form)
    if len(fields) < 2 and not (len(fields) == 1 and len(form.fields) <= 2):
        return None
    first_row = min(fields.values())
    this_month = _this_months_column(grid, first_row, label_col, month, form)
    beside = {
        name: c
        for c, listed in sorted(by_column.items())
        if c > label_col + 1 and len(listed) >= 2
        for name in listed
        if name not in fields
    }
    by_unit = _by_count_word(grid, first_row, label_col, fields, form)
    if by_unit:  # the other items: their figure wherever it stands (宣传资料份数 | | 200)
        this_month = None
    value_column = label_col + 1 if this_month is None else this_month
    return Layout(
        form,
        "list",
        max(first_item(grid, first_row, label_col, value_column) - 1, 0),
        {**fields, **{name: by_column[c][name] for name, c in beside.items()}},
        value_column=value_column,
        label_column=label_col,
        value_fixed=this_month is not None,
        beside=beside,
        by_unit=by_unit,
    )


# Count words that head a list's columns of two kinds of count (人数 | 人次: persons and visits)
COUNT_WORD_COLUMNS = ("人数", "人次")


def _by_count_word(
    grid: list[list[object]], first_row: int, label_col: int, fields: dict[str, int], form: Form
) -> dict[str, int]:
    """A list headed by both count words (项目 | 人数 | 人次): each item whose field's name ends
    in one (咨询人次, 三查应查人数) read from that word's column, not all from the first."""
    if first_row == 0:
        return {}
    row = grid[first_row - 1]
    headed = {_label(v): c for c, v in enumerate(row) if c > label_col and v.__class__ is str}
    if not all(word in headed for word in COUNT_WORD_COLUMNS):
        return {}
    return {
        name: headed[word]
        for name in fields
        for word in COUNT_WORD_COLUMNS
        if form.field(name).name_zh.endswith(word)
    }


def _this_months_column(
    grid: list[list[object]], first_row: int, label_col: int, month: str | None, form: Form
) -> int | None:
    """Of a list whose figures have two or more headed columns (the nearest row of such
    headings above its first item, a units row between allowed), the one headed the report
    month (3月), else this month's (本月数, 期末), else the only one not headed another
    period's; None when no row above heads two columns (the first filled cell is the figure).
    A template's example column (示例) is never the one. Columns for months without the report
    month's are said (SheetProblem), not guessed."""
    headed: dict[int, str] = {}
    nearest: tuple[int, dict[int, str]] | None = None  # the nearest row heading one column
    r = first_row
    for r in range(first_row - 1, max(first_row - 4, -1), -1):
        # numbers under a row of headings are the columns' numbers (项目 | 本月数, then 项目 | 1)
        numbered = r == 0 or not _headings(grid[r - 1], label_col)
        headed = _headings(grid[r], label_col, numbers=numbered)
        if len(headed) >= 2:
            break
        if headed:  # the list's own heading (项目 | 数量): a line above it is not the list's
            nearest = (r, headed)
            break
    # 示例 | 本月数: the month's column, filled or blank, never the example's (示例 | 上月数:
    # no month's column, refused below)
    examples = [c for c, h in headed.items() if _an_example_heading(h)]
    beside_one = examples and len(headed) - len(examples) == 1
    if beside_one and (only := _this_months(headed, month, _a_stock(form))) is not None:
        return only
    if len(headed) < 2:
        if nearest is not None and _heads_a_list(grid[nearest[0]], label_col, nearest[1]):
            # 项目 | 2月 in a March file: February's figures
            _say_the_month_is_missing(nearest[1], month, nearest[0], form)
        if (
            month
            and nearest is not None
            and _another_periods(grid[nearest[0]], label_col, month, form)
        ):
            # 项目 | 上月数, 项目 | 本年累计 over the only figures: not the month's
            (c,) = nearest[1]
            shown = heading_text(_cell(grid[nearest[0]], c))
            raise month_missing(a1(nearest[0], c), form, [str(shown)], month)
        if first_row > 0:  # 项目 | 户 | 人: parts in unit words, which are no period
            parts = _headings(grid[first_row - 1], label_col, units=True)
            if len(parts) < 2:
                return None  # the usual list: 项目 | 数量
            if (chosen := _this_months(parts, month, _a_stock(form))) is not None:
                return chosen  # 项目 | 本月 | 户: the month's beside a household count
            return _total_or_unclear(grid, first_row - 1, first_row, label_col, parts, month, form)
        return None
    chosen = _this_months(headed, month, _a_stock(form))
    if chosen is None:
        _say_the_month_is_missing(headed, month, r, form)
        return _total_or_unclear(grid, r, first_row, label_col, headed, month, form)
    elif not _only_periods(headed.values()) and _figures_in(grid, first_row, label_col + 1, chosen):
        return None  # a line about the filing (填报单位 | 复合村 | 报告期 | 2026.03), no heading
    return chosen


def _another_periods(row: list[object], label_col: int, month: str, form: Form) -> bool:
    """Whether a list's heading row heads its only column of figures with another period than
    the month (项目 | 上月数, 项目 | 2月底数)."""
    label = _cell(row, label_col)
    ((c, heading),) = _headings(row, label_col).items() or [(0, "")]
    if heading in load_catalogue().list_value_headers:
        return False  # the usual heading: 项目 | 数量
    shown = str(heading_text(_cell(row, c)))
    named = names_month(shown, month)
    another = named is False or (
        named is None
        and (any(w in heading for w in OTHER_PERIODS) or names_an_earlier_period(shown, month))
    )
    return _heads_its_labels(label) and (
        (counts_events(form.name) and is_running_total(shown, events=True))  # 本年累计, 截至本月
        or (another and not says_this_month(heading))
    )


def _copy_of_the_month(
    grid: list[list[object]],
    by_column: dict[int, dict[str, int]],
    label_col: int,
    month: str | None,
    form: Form,
) -> int:
    """Lists of the same items side by side (2月's | 3月's, 上月数 | 本月数): the label column of
    the one whose words above its first item (its title, its figures' heading) say the report
    month; refused at their figures when none does, or several."""
    copies = sorted(
        c
        for c, listed in by_column.items()
        if c == label_col or len(set(listed) & set(by_column[label_col])) >= 2
    )
    if month is None or len(copies) < 2:
        return label_col
    said = {c: _words_above(grid, min(by_column[c].values()), c) for c in copies}
    chosen = _this_months({c: _label(w) for c, w in said.items()}, month, _a_stock(form))
    if chosen is not None:
        return chosen
    first = min(by_column[label_col].values())
    raise SheetProblem(
        UNCLEAR,
        a1(max(first - 1, 0), copies[0] + 1),
        form,
        field_zh=form.name_zh,
        value="、".join(said[c] or f"{column_letter(c)}列起" for c in copies),
        other=month_words(month),
    )


TITLE_ROWS = 4  # a copy's title, units row and heading above its first item


def _of_words(row: list[object]) -> bool:
    """A row with words and no count in it (a title, a units row, a heading)."""
    return any(not _blank(v) for v in row) and not any(
        v.__class__ in (int, float) or (v.__class__ is str and v.strip().isdigit()) for v in row
    )


def _words_above(grid: list[list[object]], first: int, c: int) -> str:
    """The words over a list's labels and figures (columns c, c+1) in the rows of words right
    above its first item: its title and its figures' heading (2026年3月 | 单位：人 | 指标 |
    本月数), without the heading's and the units' words, which tell no copy apart."""
    catalogue = load_catalogue()
    top = first
    while top > max(first - TITLE_ROWS, 0) and _of_words(grid[top - 1]):
        top -= 1
    words = (
        str(heading_text(v)).strip()
        for row in grid[top:first]
        for v in (_cell(row, c), _cell(row, c + 1))
        if not _blank(v)
    )
    return " ".join(
        w
        for w in words
        if _label(w) not in catalogue.list_item_headers | catalogue.list_value_headers
        and not w.startswith(catalogue.units_markers)
    )


def _headings(
    row: list[object], label_col: int, units: bool = False, numbers: bool = False
) -> dict[int, str]:
    """The headings right of a list's labels (column -> words), not a units note; unit words
    (户, 人) only when `units`; whole numbers too when `numbers` and a word heads the labels
    (项目 | 1 | 2 | 3: months? column numbers? Not read as the first column's without a word;
    月份 | 1 | 2 | 3: months)."""
    cells = _row_headings(row)
    label = _cell(row, label_col) if label_col >= 0 else None
    if numbers and _a_list_heading(label):
        months = "月份" in _label(label)
        cells = [_number_heading(v, months) for v in cells]
    return {
        c: _label(v)
        for c, v in enumerate(cells)
        if c > label_col
        and v.__class__ is str
        and _label(v)
        and (units or _label(v) not in UNIT_WORDS)
        and not _label(v).startswith("单位")
    }


def _number_heading(value: object, months: bool = False) -> object:
    """A whole number over a list's figures as its digits (1 → "1"), or as a month (1 → "1月");
    anything else as it is."""
    if value.__class__ in (int, float) and value == int(value) and value > 0:
        return f"{int(value)}月" if months and value <= 12 else str(int(value))
    return value


# The column of a whole beside its parts' (男 | 女 | 合计, 小计 | 男 | 女, 人数 | 女, 数量 | 金额);
# a rate is no figure of a count (人数 | 比例（%）).
WHOLE_OPENINGS = ("合计", "总计", "小计", "总")
RATE_WORDS = ("率", "比", "%", "％")


def _a_breakdown(heading: str) -> bool:
    """其中：流动人口, 其中：男: a part of the figure beside it, not another period's figure
    (其中：本月 is one)."""
    return heading.startswith(SUB_ITEM) and not heads_a_period(heading[len(SUB_ITEM) :])


def _a_whole(heading: str) -> bool:
    return heading.startswith(WHOLE_OPENINGS) or heading in load_catalogue().list_value_headers


# Figures in several columns, none said to be the report month's (SheetProblem's code)
UNCLEAR = "figure_column_unclear"


def _total_or_unclear(
    grid: list[list[object]],
    r: int,
    first_row: int,
    label_col: int,
    headed: dict[int, str],
    month: str | None,
    form: Form,
) -> int | None:
    """Two or more headed columns of figures, none said to be this month's: the whole's, where
    the others are its parts (男 | 女 | 合计); else the sheet is refused at them (计划 | 完成,
    户 | 人, 上月 | 本月新增 | 累计), as any of them read would be a guess. A row above the list
    that is no heading of it (填报单位 | 复合村 | 填报时间 | 2026年4月): None, its first column."""
    label = _cell(grid[r], label_col)
    if not _heads_its_labels(label):
        return None  # no heading of the list's
    # a second list beside the first starts at its own 项目
    beside = min((c for c, h in headed.items() if h in LIST_HEADINGS), default=len(grid[r]))
    heads = {c: h for c, h in headed.items() if c < beside}
    return _whole_or_unclear(grid, r, first_row, heads, month, form)


def _whole_or_unclear(
    grid: list[list[object]],
    r: int,
    first_row: int,
    headed: dict[int, str],
    month: str | None,
    form: Form,
) -> int | None:
    """Of columns headed at row `r` (none of them this month's), over figures from `first_row`:
    the whole's where the others are its parts, None where fewer than two hold figures, else
    the sheet refused at them. No month to tell by (the sheet's form being guessed): None."""
    rows = grid[first_row : first_row + LIST_SCAN_ROWS]
    figures = [
        c
        for c, h in headed.items()
        if not any(w in h for w in RATE_WORDS)
        and not _a_breakdown(h)
        and any(_figure(_cell(row, c)) for row in rows)
    ]
    if month is None or len(figures) < 2:
        return None
    filled = [row for row in rows if any(_figure(_cell(row, c)) for c in figures)]
    if len(filled) > 1 and len({tuple(_cell(row, c) for row in filled) for c in figures}) == 1:
        return figures[0]  # 上报数 | 核实数 agreeing on every figure: nothing to choose
    wholes = [c for c in figures if _a_whole(headed[c])]
    parts = [headed[c] for c in figures if c not in wholes]
    if len(wholes) == 1 and not any(map(heads_a_period, parts)):
        return wholes[0]
    # beside a column of remarks, households or money (备注, 户数, 金额): the one left
    counted = [c for c in figures if heads_a_period(headed[c]) or not not_collected(headed[c])]
    if len(counted) == 1:
        return counted[0]
    raise SheetProblem(
        UNCLEAR,
        a1(r, min(figures)),
        form,
        field_zh=form.name_zh,
        value="、".join(str(_number_heading(heading_text(_cell(grid[r], c)))) for c in figures),
        other=month_words(month),
    )


def _figures_in(grid: list[list[object]], first_row: int, column: int, not_in: int) -> bool:
    """Whether a list's figures stand in `column` while the column `not_in` holds none."""
    rows = grid[first_row : first_row + LIST_SCAN_ROWS]
    return not any(_figure(_cell(row, not_in)) for row in rows) and any(
        _figure(_cell(row, column)) for row in rows
    )


def _row_headings(row: list[object]) -> list[object]:
    """A row's cells as headings (heading_text), its months typed as numbers read in order
    (typed_months)."""
    typed = typed_months(row)
    return [typed.get(c) or heading_text(v) for c, v in enumerate(row)]


def typed_months(cells: list[object]) -> dict[int, str]:
    """The months typed as numbers among `cells` (2026.03 → 2026年3月), by position, read in
    their order. Excel keeps 2026.10 as 2026.1, the number typed for January: 2026.1 is
    October after 2026.09 or before 2026.11, January before 2026.02 or after 2025.12, and
    alone (or both) no month."""
    typed = [(i, int(m[1]), m[2]) for i, v in enumerate(cells) if (m := _number_month(v))]
    out = {}
    for k, (i, year, digits) in enumerate(typed):
        before = typed[k - 1][1:] if k else None
        after = typed[k + 1][1:] if k + 1 < len(typed) else None
        if digits != "1":
            number = int(digits)
        else:
            october = before in ((year, "09"), (year, "9")) or after == (year, "11")
            january = after in ((year, "02"), (year, "2")) or before == (year - 1, "12")
            number = 10 if october and not january else 1 if january and not october else 0
        if 1 <= number <= 12:
            out[i] = f"{year}年{number}月"
    return out


# A month typed as a number, as text (2026.03, 2026.1): a year and one or two digits
_NUMBER_MONTH = re.compile(r"((?:19|20)\d{2})\.(\d{1,2})")


def _number_month(value: object) -> re.Match | None:
    return _NUMBER_MONTH.fullmatch(to_text(value)) if value.__class__ is float else None


def heading_text(value: object) -> object:
    """A heading as text: a date cell on a month's first day (Excel makes one of a typed
    2026年1月) is its month; another (a filing date) keeps its day. A month in formal
    numerals (叁月) is in ordinary ones. (Months typed as numbers: typed_months.)"""
    if isinstance(value, date):
        day = "" if value.day == 1 else f"{value.day}日"
        return f"{value.year}年{value.month}月{day}"
    if value.__class__ is str:
        return plain_numerals(value)
    return value


# What heads a list's labels (项目 | 2月): beside another word (上报时间 | 2026年4月) a month is
# a value of a line about the filing, not a column's heading.
LIST_HEADINGS = ("项目", "指标", "名称", "类别", "内容", "序号", "月份", "时期")
LIST_HEADING_LENGTH = 4  # 项目名称, 指标名称


def _heads_its_labels(cell: object) -> bool:
    """Whether a heading row's cell over a list's labels is its heading: blank or 项目, 指标 …"""
    return _blank(cell) or any(w in _label(str(cell)) for w in LIST_HEADINGS)


def _a_list_heading(cell: object) -> bool:
    """项目, 指标名称, 月份 …: a word heading a list's labels (not a blank cell, nor an item
    that has such a word in it: 宣传活动内容)."""
    if cell.__class__ is not str:
        return False
    label = _label(cell)
    return len(label) <= LIST_HEADING_LENGTH and label.startswith(LIST_HEADINGS)


def _heads_a_list(row: list[object], label_col: int, headed: dict[int, str]) -> bool:
    """Whether a row with one heading right of the labels is the list's heading row (项目 |
    2月, or 2月 alone above the figures), its heading a month and nothing else."""
    label = _cell(row, label_col)
    return all(map(ONLY_A_MONTH.match, headed.values())) and (_heads_its_labels(label))


def _say_the_month_is_missing(
    headed: dict[int, str], month: str | None, row: int, form: Form
) -> None:
    """Columns of figures headed by months, none of them the report month's, and none left to
    read (1月 | 2月, or 2月 | 合计, in a March file): refused at the first one's heading."""
    headings = list(headed.values())
    if other_months_only(headings, month, form):
        raise month_missing(a1(row, min(headed)), form, headings, month)


def other_months_only(headings: list[str], month: str | None, form: Form) -> bool:
    """Whether headings (or row labels) of figures are periods naming months, none of them the
    report month's: any of them read would be another month's figures, or a sum of them,
    taken as this month's. A heading with a day or a colon (填报日期：2026年4月2日, 2月26日-
    3月25日) is a date or a note, not a month's; a register's rows are never month headings."""
    if month is None or form.kind == "person" or not _only_periods(headings):
        return False
    said = [is_this_months(h, month) for h in headings if is_month_heading(h)]
    return False in said and True not in said


def month_missing(cell: str, form: Form, headings: list[str], month: str) -> SheetProblem:
    return SheetProblem(
        MONTH_MISSING,
        cell,
        form,
        field_zh=form.name_zh,
        value="、".join(headings),
        other=month_words(month),
    )


PERIOD_WORD_LENGTH = 8  # 上年同期, 1-3月累计, 2026年2月份: longer is a note, not a period


def _only_periods(headings: Iterable[str]) -> bool:
    """Whether every heading (or row label) is a period and nothing else (1月, 2月末, 合计,
    上年同期, 3月累计): only then do months without the report month's say the figures are
    another month's. A village's name, a filing date or a note among them says they are not
    a row of periods (东湖村 | 上月（2月）; 填报单位 | 东湖村 | 填报时间 | 2026年4月)."""
    return all(
        len(h) <= PERIOD_WORD_LENGTH
        and not a_date_or_note(h)
        and (heads_a_period(h) or h in ("小计", "总计"))
        for h in headings
    )


def _a_stock(form: Form) -> bool:
    """A form of stocks only (节育措施): its figure 截至本月 is this month's."""
    return not counts_events(form.name)


def _this_months(headed: dict[int, str], month: str | None, stock: bool = False) -> int | None:
    """Of columns headed by periods, the report month's (3月), else this month's (本月数,
    期末; for a `stock`, 现有 before 本月, which then heads the month's change), else the only
    one not headed another period's; None when none is."""
    # a template's example column (示例 | 本月数) is never the month's, nor any period's
    headed = {c: h for c, h in headed.items() if not _an_example_heading(h)}
    if month is not None:  # 3月, not 上年3月 nor 3月累计
        named = [c for c, h in headed.items() if is_this_months(h, month)]
        if len(named) == 1:
            return named[0]
    # this month's, not a sum up to it of events (截至本月 of 宣传服务)
    current = [
        c
        for c, h in headed.items()
        if says_this_month(h) and (stock or not is_running_total(h, True))
    ]
    present = [
        c
        for c, h in headed.items()
        if any(w in h for w in PRESENT) and not any(w in h for w in NOT_THIS_MONTH)
    ]
    if len(present) == 1 and (stock or not current):
        return present[0]
    if len(current) == 1:
        return current[0]
    if not current and not stock and (part := _the_months_part(headed)) is not None:
        return part
    # a figure's own word (数量, 人数, 实有数) beside other periods'; a heading with digits is
    # some period's or date's (2026/2), and not the month's, or it would be named
    others = [
        c
        for c, h in headed.items()
        if not any(w in h for w in NOT_THIS_MONTH)
        and not any(map(str.isdigit, h))
        and h not in UNIT_WORDS  # 户 beside 计划: households, no month's figure of persons
        and not is_running_total(h)  # 一至三月, 今年以来
    ]
    if month is not None:  # columns for months, none of them this one's: not a guess
        others = [c for c in others if names_month(headed[c], month) is None]
    return others[0] if len(others) == 1 else None


def _an_example_heading(heading: str) -> bool:
    """示例, 样例, 例: a template's example column beside the figures."""
    return heading == "例" or any(w in heading for w in load_catalogue().example_sheet_words)


def _the_months_part(headed: dict[int, str]) -> int | None:
    """本年累计 | 其中：本月, of a form counting events: the month's part of a sum so far (of a
    stock, 人数 | 其中：本月 is the month's new part of its figure, 人数)."""
    parts = [
        c
        for c, h in headed.items()
        if h.startswith(SUB_ITEM) and says_this_month(h[len(SUB_ITEM) :])
    ]
    sums = [c for c, h in headed.items() if c not in parts and is_running_total(h, True)]
    return parts[0] if len(parts) == 1 and sums else None


def detect_layout(grid: list[list[object]], form: Form, month: str | None = None) -> Layout | None:
    """The form's layout in a grid; `month`, the report month, picks a list's column of
    figures where columns are headed by month."""
    if form.kind == "person":
        return _table_layout(grid, form, month=month)
    by_row = [_row_matches(row, form) for row in grid[:LIST_SCAN_ROWS]]  # once for both layouts
    by_row, any_in_households = _persons_over_households(grid, by_row)
    table = _table_layout(grid, form, by_row, split=False, month=month)
    lst = _list_layout(grid, form, by_row, month)
    if table is None:
        return lst or _table_layout(grid, form, by_row, month=month)
    if lst is None:
        return table
    if not any_in_households:
        return table if len(table.columns) >= len(lst.columns) else lst
    as_they_are = (_named_as_they_are(table, grid), len(table.columns))
    return table if as_they_are >= (_named_as_they_are(lst, grid), len(lst.columns)) else lst


def _would_be_taken(grid: list[list[object]], form: Form) -> bool:
    """Whether a sheet named for no form would be taken for `form` (≥ 3 of its fields), its
    month problem aside."""
    return (layout := detect_layout(grid, form)) is not None and len(layout.columns) >= 3


def guess_form(
    grid: list[list[object]],
    catalogue: Catalogue,
    month: str | None = None,
    forms: Iterable[Form] | None = None,
    fewest: int = 3,
) -> Layout | None:
    """A sheet whose name says nothing: the form whose headers it matches best (≥ `fewest`
    fields, and every required one but one at most: a roster of women, 姓名 | 身份证号 | 性别 |
    出生日期, is no births register missing its mother's name and parity); a form's header
    that cannot be used (a column twice) is said when no other form fits. `forms`: the forms
    to try (by default every data form)."""
    best: Layout | None = None
    problem: SheetProblem | None = None
    for form in catalogue.data_forms if forms is None else forms:
        try:
            layout = detect_layout(grid, form, month)
        except SheetProblem as raised:
            if raised.code != MONTH_MISSING or _would_be_taken(grid, form):
                problem = problem or raised  # said when no form fits the sheet
            continue
        if (
            layout
            and len(layout.columns) >= fewest
            and _lacks_one_required_at_most(layout, grid)
            and (best is None or len(layout.columns) > len(best.columns))
        ):
            best = layout
    if best is None and problem is not None:
        raise problem
    return best


def _lacks_one_required_at_most(layout: Layout, grid: list[list[object]]) -> bool:
    """Every required field but one at most named by an alias (a weak one makes no form: 姓名 |
    身份证号 | 人员类别 is a roster, not the beneficiaries)."""
    header = grid[layout.header_row] if layout.kind == "table" else []
    named = {
        f for f, c in layout.columns.items() if not weakly_named(layout.form.name, _cell(header, c))
    }
    return sum(f.name not in named for f in layout.form.fields if f.required) <= 1


def _figure(value: object) -> bool:
    """A number, or a number typed as text (12, "12", "12件")."""
    if value.__class__ in (int, float):
        return True
    return value.__class__ is str and value.strip()[:1].isdigit()


def _blank(value: object) -> bool:
    return value is None or (value.__class__ is str and not value.strip())
