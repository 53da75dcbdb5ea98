"""One sheet per form: which of a form's copies is read (tabs kept a month each, copies stacked
in a sheet, a template's empty tab beside a filled 样表), and what is said of the others."""

from __future__ import annotations

import re
from functools import cache

from township.forms import load_catalogue
from township.model import FileRead, Finding, SheetRead
from township.read.layout import (
    MONTH_MISSING,
    TITLE_ROWS,
    _a_list_heading,
    _blank,
    a1,
    heading_text,
    is_example_sheet,
    is_notes_sheet,
    month_words,
)
from township.read.periods import (
    THIS_MONTH,
    a_date_or_note,
    a_period_title,
    counts_events,
    is_running_total,
    may_name_a_period,
    names_a_period,
    names_an_earlier_period,
    names_month,
    names_this_month,
    plainly_another_period,
    says_another_period,
    sent,
    title_clauses,
    without_filing_notes,
    without_plans,
    without_title_words,
)
from township.read.rows import cells_filled, form_titled, words_only
from township.read.sheets import UNIT_NOTE_CHARS
from township.rules.catalog import finding


def title_copies(grid: list[list[object]], reads: list[SheetRead], month: str | None) -> None:
    """Copies of one form in a sheet (2月's 节育措施, then 3月's) are told apart by their titles
    (_title). A form's only copy keeps its title where it says another period (2026年2月节育
    措施情况 in a March file): its figures are then none of the month's (take_one). Each read
    keeps the cells that may name its village (named_cells) and a title saying it is an
    example (example_title), said once the file's village is known (files.py)."""
    for read in reads:
        copies = [r.header_row or 1 for r in reads if r.form == read.form]
        if len(copies) > 1:
            _title(grid, read, copies)
            continue
        top = _title_top(grid, (read.header_row or 1) - 1)
        if month and _one_record(read.form):
            _only_copys_title(grid, read, month, top)
            if not read.title:
                _a_note_of_its_period(grid, read, month)
        read.named_cells = _named_cells(grid, read, top)
        # 宣传服务填报示例, 出生登记（示例）: a template's example, filled in or not; not a note
        # pointing at one (填写示例见第二张表)
        if _example_word_above(grid, read):  # rare: most titles hold no 例 at all
            header = (read.header_row or 1) - 1
            titles = ((a1(r, c), str(v)) for r in range(top, header) for c, v in enumerate(grid[r]))
            said = next(((cell, v) for cell, v in titles if v and _an_example_title(v)), None)
            if said is not None:
                read.example_cell, read.example_title = said


def _only_copys_title(grid: list[list[object]], read: SheetRead, month: str, top: int) -> None:
    """A form's only copy titled another period: its title rows above its header (or the
    title taken for it; each row's title as _title_of_row gives it: not a list's heading 项目 |
    上月 | 本月, nor a filing line, 填报日期：2026年4月2日; a day before the month began is a
    period), when they name another month, an earlier period as a clause of its own (上月节育
    措施情况, 2025年度) or, of a form counting events, a sum over months. `top`: its title's row."""
    header = (read.header_row or 1) - 1
    if names_this_month(read.sheet, month):
        return  # its tab named the month (3月节育措施): a title left from last month's copy
    cells = [str(v) for row in grid[top : header + 1] for v in row if v]
    if not any(map(may_name_a_period, cells)):
        return  # the usual title and header (复合村节育措施情况 | 项目 | 数量): no period at all
    words = "  ".join(cells)  # a cell a clause (a wide gap parts them)
    sums = counts_events(read.form)  # a stock's at a quarter's end is its last month's
    # each cell by itself: a header's 期末户籍人口 exempts no title beside it
    earlier = any(names_an_earlier_period(w, month) for w in cells)
    if not (_another_period(words, month, sums) or earlier):
        return  # the usual title: none (复合村节育措施情况) or the month's (2026年3月…)
    titled = [
        (r, title)
        for r in range(top, min(header + 1, len(grid)))
        if (title := _title_of_row(grid[r], month))
    ]
    title = " ".join(word for _, word in titled)
    if any(names_this_month(w, month) and not _another_period(w, month, sums) for _, w in titled):
        return  # a title saying 本月 over a note on February's (2月的数字另表填报)
    if titled and (_another_period(title, month, sums) or names_an_earlier_period(title, month)):
        r = titled[0][0]
        read.title = title
        read.title_cell = a1(r, next(c for c, v in enumerate(grid[r]) if not _blank(v)))


def _example_word_above(grid: list[list[object]], read: SheetRead) -> bool:
    """Whether a cell above the form's header holds 例, which each example word has."""
    rows = grid[: (read.header_row or 1) - 1]
    return any(v.__class__ is str and "例" in v for row in rows for v in row)


def _an_example_title(words: str) -> bool:
    """宣传服务填报示例, 出生登记（示例）: a clause that is an example word but for the form's
    name and the words of titles; not a note (注：第一行为填写示例, 日期格式参照示例)."""
    examples = load_catalogue().example_sheet_words
    return any(without_title_words(clause) in examples for clause in title_clauses(words))


# A note saying whose the figures are (注：本表数据为上月末数, 以上为1-3月累计数): its predicate
_STATEMENT = re.compile(
    r"(?:本表|表中|以上|上表|此表)的?(?:数据|数字|各项数字|数)?"
    r"(?:(?:为|是|系|均为)(.+)|((?:截至|截止).+))"  # 截至3月底: the period says it up to
)
NOTE_ROWS = 40  # how far below a form's header its notes are looked for


def _a_note_of_its_period(grid: list[list[object]], read: SheetRead, month: str) -> None:
    """A one-record form's note saying its figures are another period's (注：本表数据为上月末数;
    under a form counting events, 说明：表中数字为本年累计): taken for its title, as if it
    were one (take_one), at the note's cell. A note opens its row."""
    header = (read.header_row or 1) - 1
    for r in range(max(header - TITLE_ROWS, 0), min(len(grid), header + NOTE_ROWS)):
        c, v = next(((c, v) for c, v in enumerate(grid[r]) if not _blank(v)), (0, None))
        statement = v.__class__ is str and any(w in v for w in ("为", "是", "系", "截"))
        said = _STATEMENT.search(v) if statement else None  # a cheap look first
        period = (said[1] or said[2]) if said else ""
        if not period or any(w in period for w in THIS_MONTH):
            continue  # 注：本表为上月数据，本月未变: the month's, as last month's
        if plainly_another_period(period, month, counts_events(read.form), True):
            read.title, read.title_cell, read.title_is_note = period, a1(r, c), True
            return


def _title_top(grid: list[list[object]], header: int) -> int:
    """The first of the rows of words right above a form's header (its title, a units note)."""
    top = header
    while top > 0 and words_only(grid[top - 1]):
        top -= 1
    return top


def _named_cells(grid: list[list[object]], read: SheetRead, top: int) -> list[tuple[int, int, str]]:
    """(row, column, words) of the cells that may name whose a form is: its title, and of a
    one-record form its header and rows' labels (项目 | 桃园村, 东湖村 | 498 | 199); not a
    register's header nor persons (an address)."""
    header = (read.header_row or 1) - 1
    rows = list(range(top, header))
    if _one_record(read.form):
        rows += [header, *(r - 1 for r in read.rows)]
    return [
        (r, c, v)
        for r in rows
        if r < len(grid)
        for c, v in enumerate(grid[r])
        if v.__class__ is str and v
    ]


def _another_period(title: str, month: str, sums: bool) -> bool:
    """Another month (2026年2月), or of a form counting events a sum over months (1-3月), not
    in a clause about a plan or how often (全年计划1200份, 三查每季度一次)."""
    if names_month(title, month) is False:
        return True
    return sums and is_running_total(without_plans(title), sums)


def _title_of_row(row: list[object], month: str) -> str:
    """A row's title that may say whose figures these are: its one word that is no date nor
    note, with a day beside it before the month began (节育措施情况 | | 2026年2月28日), not the
    filing notes (| 制表日期：2026年3月2日), or a form's name with periods beside it (节育措施情况
    | 上月); "" for a row of several other words (项目 | 上月 | 本月)."""
    # a cell's filing clause dropped (节育措施情况（截至2026年2月28日） 打印日期：2026年4月1日); a
    # cell that is nothing else kept, a label of the cell beside it (上报时间 | 2026年4月)
    words = [without_filing_notes(w) or w for w in _title_words(row)]
    plain = [w for w in words if not a_date_or_note(w)]
    if len(plain) > 1 and form_titled(plain[0]) and all(map(names_a_period, plain[1:])):
        return " ".join(words)  # 节育措施情况 | 上月: a title over two cells
    if len(plain) > 1 or (len(words) > 1 and plain and _a_list_heading(plain[0])):
        return ""  # 项目 | 截至2月28日 | 截至3月31日: a list's heading
    whole = " ".join(words)
    if not sent(whole):  # 2026年2月26日 | 至 | 2026年3月25日: its last day
        return whole if a_period_title(whole, month) else " ".join(plain)
    # 填报单位：东湖村 | 统计截止：2026年2月28日: the words that are no filing note
    return " ".join(w for w in words if a_period_title(w, month))


def _title(grid: list[list[object]], read: SheetRead, copies: list[int]) -> None:
    """A copy's title: the words above its header (2026年2月节育措施情况, 上月) or a title taken
    for its header (a list with no 项目 | 数量 row); else the nearest period heading above it,
    not beyond the copy before it (2026年1月 over a month's forms); else the row it starts at."""
    header = (read.header_row or 1) - 1
    top = _title_top(grid, header)
    # a title taken for the header (a list with no 项目 | 数量 row), a units note beside it
    alone = header < len(grid) and len(_title_words(grid[header])) == 1
    rows = grid[top : header + 1 if alone else header]
    title = " ".join(word for row in rows for word in _title_words(row))
    if not names_a_period(title):
        floor = max((h for h in copies if h - 1 < header), default=0)
        title = " ".join(filter(None, (_period_heading(grid, floor, top), title)))
    read.title = title or f"第{read.header_row or 1}行起"
    first = next((c for c, v in enumerate(grid[top]) if not _blank(v)), 0) if grid else 0
    read.title_cell = a1(top, first)


def _title_words(row: list[object]) -> list[str]:
    """A title row's words, each without a units note (a note alone is no word)."""
    words = (_without_units_note(str(heading_text(v)).strip()) for v in row if not _blank(v))
    return [w for w in words if w]


def _without_units_note(text: str) -> str:
    """A title's words without the units note after them or below them (单位：人), which tells the
    village nothing about which copy is meant."""
    words = _units_note(load_catalogue().units_markers).sub("", text).strip()
    if words.count("（") > words.count("）"):  # the note closed the title's bracket
        words += "）"
    return words


@cache
def _units_note(markers: tuple[str, ...]) -> re.Pattern[str]:
    """A units marker and a word or two after it, to the end of the text: 单位：人, （单位:件）."""
    marker = "|".join(re.escape(m) for m in markers)
    word = rf"[^\d\s（()）]{{0,{UNIT_NOTE_CHARS}}}"
    return re.compile(rf"[\s（(]*(?:{marker})\s*[:：]?\s*{word}[）)]?\s*$")


def _period_heading(grid: list[list[object]], start: int, top: int) -> str:
    """The nearest line of rows [start, top) that is a period alone (2026年1月)."""
    for row in reversed(grid[start:top]):
        if cells_filled(row, enough=2) == 1:
            text = str(next(v for v in row if not _blank(v))).strip()
            if names_a_period(text):
                return text
    return ""


def _shown(read: SheetRead) -> str:
    """A sheet read as the village knows it: its name, and a copy's title (节育措施（上月）)."""
    return f"{read.sheet}（{_said_once(read.title, read.sheet)}）" if read.title else read.sheet


def _said_once(title: str, sheet: str) -> str:
    """A copy's title after its sheet's name, without that name again: 流动人口情况（2026年2月份）
    on a sheet 流动人口 is 2026年2月份, where its period is all that is left."""
    if not title.startswith(sheet):
        return title
    rest = title[len(sheet) :].removeprefix("情况").removeprefix("表").strip()
    if rest[:1] in "（(" and rest[-1:] in "）)":
        rest = rest[1:-1].strip()
    return rest if rest and names_a_period(rest) else title


def _titled(read: SheetRead) -> bool:
    """Whether _period_name is the read's title, not its tab's name."""
    return bool(read.title) and names_a_period(read.title)  # most have none: no look


def _period_name(read: SheetRead) -> str:
    """What says a sheet read's period: a copy's title when it names one, else its sheet's name
    (a sheet 3月报表 holding 2月's and 3月's copies)."""
    return read.title if _titled(read) else read.sheet


def _one_record(form: str) -> bool:
    """A form of one record a month (节育措施): its only tab or copy says whose figures they
    are; a register's persons (出生登记) are told by their dates, a late one reported now."""
    return load_catalogue().forms[form].kind == "record"


def take_one(
    out: FileRead, form: str, found: list[tuple[SheetRead, list[Finding]]], stacked: set[int]
) -> None:
    """One sheet per form is read. Of two or more: not an example's or instructions' where
    another tab of the form says there is nobody (本月无出生); then the one whose name names the
    report month (a workbook kept with a tab for each month; a copy in a sheet by its title, see
    title_copies); else of those not named an earlier period's
    (节育措施(上月)), one with rows (the template's tab left empty beside a filled 样表); else
    one not named instructions or an example (出生登记示例); else one on a sheet named for it
    (not a block of 汇总 nor one below the births); else one alone on its sheet (not stacked
    with other forms: a chart's table below them); else the first. Each other is
    said not read: as another month's when its name names another month (or an earlier
    period) and the read one's does not, else as a second copy of the form."""
    month = out.report_month
    if len(found) == 1:  # the usual case
        read, findings = found[0]
        if (
            month
            and _one_record(form)
            and plainly_another_period(
                _period_name(read), month, counts_events(form), years=_titled(read)
            )
        ):
            # its only tab or copy another period's (2月节育措施, 节育措施(上月)): as columns
            out.findings.append(_no_copy_of_the_month(form, [read], month))
            return
        out.sheets[form] = read
        out.findings += findings + _example_read(read)
        return
    periods = {id(c[0]): _period_name(c[0]) for c in found}
    if month and all(says_another_period(p, month) for p in periods.values()):
        out.findings.append(_no_copy_of_the_month(form, [c[0] for c in found], month))
        return
    # an example's rows never beat the form's own tab saying there is nobody (本月无出生)
    says_none = any(
        c[0].says_none and not is_example_sheet(c[0].sheet, instructions=True) for c in found
    )
    read, findings = min(
        found,
        key=lambda c: (
            says_none and is_example_sheet(c[0].sheet, instructions=True),
            not names_this_month(periods[id(c[0])], month),
            says_another_period(periods[id(c[0])], month),
            not c[0].records,
            is_notes_sheet(c[0].sheet),
            not _named_for(c[0].sheet, form),
            id(c[0]) in stacked,
        ),
    )
    out.sheets[form] = read
    out.findings += findings + _example_read(read)
    out.findings += [
        said
        for other, _ in found
        if other is not read
        and (said := not_read(_shown(other), _shown(read), month, other, read)) is not None
    ]


def _example_read(read: SheetRead) -> list[Finding]:
    """An example's rows read, no other sheet holding the form (出生登记示例, filled in by the
    village, or the made-up birth of a template's example): said."""
    by_name = is_example_sheet(read.sheet)
    if not read.records or not (by_name or read.example_title):
        return []
    form = load_catalogue().forms[read.form].name_zh
    if by_name:
        return [finding("sheet.example_read", field_zh=read.sheet, value=form, sheet=read.sheet)]
    return [  # the title as written, at its cell
        finding(
            "sheet.example_read",
            variant="title",
            field_zh=read.sheet,
            value=read.example_title,
            other=form,
            sheet=read.sheet,
            cell=read.example_cell,
        )
    ]


def _no_copy_of_the_month(form: str, copies: list[SheetRead], month: str) -> Finding:
    """Copies of a form (tabs or blocks), each another period's (another month, an earlier
    one, a running total) and none the report month's: none is read, as for columns of other
    months only (a file for April holding 2月 and 3月)."""
    first = copies[0]
    return finding(
        f"sheet.{MONTH_MISSING}",
        field_zh=load_catalogue().forms[form].name_zh,
        value="、".join(_period_name(c) for c in copies),
        other=month_words(month),
        sheet=first.sheet,
        cell=first.title_cell or None,
        variant="note" if first.title_is_note else "copy" if first.title else "tab",
    )


def _named_for(sheet: str, form: str) -> bool:
    named = form_titled(sheet)
    return named is not None and named.name == form


def not_read(
    other: str,
    read: str,
    month: str | None,
    other_copy: SheetRead | None = None,
    read_copy: SheetRead | None = None,
) -> Finding | None:
    """What is said of a sheet of a form (`other`, as the village knows it) beside the one
    read: another month's when it says another period (another month, an earlier one, a
    running total) and the read one does not, or when the read one names the report month;
    else a second copy of the form; nothing for an example or instructions beside the form
    filled in. The copies, when given, say their periods by their titles (_period_name), and a
    copy of a sheet's is said at its title."""
    if is_notes_sheet(other) and not is_notes_sheet(read):
        return None
    other_period = _period_name(other_copy) if other_copy else other
    read_period = _period_name(read_copy) if read_copy else read
    another = says_another_period(other_period, month) and (
        not says_another_period(read_period, month) or names_this_month(read_period, month)
    )
    rule = "sheet.other_month" if another else "sheet.duplicate_form"
    if other_copy is not None and other_copy.title:
        return finding(
            rule,
            field_zh=other,
            other=read,
            sheet=other_copy.sheet,
            cell=other_copy.title_cell or None,
            variant="copy",
        )
    return finding(rule, field_zh=other, other=read, sheet=other)
