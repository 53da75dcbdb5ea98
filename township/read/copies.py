"""One sheet per form: which of a form's copies is read (tabs kept a month each, copies stacked
in a sheet, a template's empty tab beside a filled 样表), and what is said of the others."""

from __future__ import annotations

from township.forms import load_catalogue
from township.model import FileRead, Finding, SheetRead
from township.read.layout import (
    MONTH_MISSING,
    NOT_THE_MONTHS_OWN,
    THIS_MONTH,
    _blank,
    is_notes_sheet,
    names_earlier,
)
from township.read.rows import cells_filled, form_titled, words_only
from township.read.values import month_named_in, names_month
from township.rules.catalog import finding


def title_copies(grid: list[list[object]], reads: list[SheetRead]) -> None:
    """Copies of one form in a sheet (2月's 节育措施, then 3月's) are told apart by the words
    above each header (2026年2月节育措施情况, 上月) or by a title taken for its header (a list
    with no 项目 | 数量 row); else by the nearest period heading above it, not beyond the copy
    before it (2026年1月 over a month's forms); else by the row each starts at."""
    for read in reads:
        copies = [r.header_row or 1 for r in reads if r.form == read.form]
        if len(copies) < 2:
            continue
        header = (read.header_row or 1) - 1
        top = header
        while top > 0 and words_only(grid[top - 1]):
            top -= 1
        alone = cells_filled(grid[header], enough=2) == 1 if header < len(grid) else False
        rows = grid[top : header + 1 if alone else header]
        title = " ".join(str(v).strip() for row in rows for v in row if not _blank(v))
        if not _names_a_period(title):
            floor = max((h for h in copies if h - 1 < header), default=0)
            title = " ".join(filter(None, (_period_heading(grid, floor, top), title)))
        read.title = title or f"第{read.header_row or 1}行起"


def _names_a_period(text: str) -> bool:
    """2026年2月, 3月份, 上月, 本月: a month, an earlier period or this one."""
    return (
        month_named_in(text) is not None
        or names_earlier(text)
        or any(word in text for word in THIS_MONTH)
    )


def _period_heading(grid: list[list[object]], start: int, top: int) -> str:
    """The nearest line of rows [start, top) that is a period alone (2026年1月)."""
    for row in reversed(grid[start:top]):
        if cells_filled(row, enough=2) == 1:
            text = str(next(v for v in row if not _blank(v))).strip()
            if _names_a_period(text):
                return text
    return ""


def _shown(read: SheetRead) -> str:
    """A sheet read as the village knows it: its name, and a copy's title (节育措施（上月）)."""
    return f"{read.sheet}（{read.title}）" if read.title else read.sheet


def _period_name(read: SheetRead) -> str:
    """What says a sheet read's period: a copy's title when it names one, else its sheet's name
    (a sheet 3月报表 holding 2月's and 3月's copies)."""
    return read.title if _names_a_period(read.title) else read.sheet


def _not_the_month(name: str, month: str | None) -> bool:
    """A name saying another period: another month, an earlier one, a running total."""
    return (
        names_month(name, month) is False
        or names_earlier(name)
        or any(word in name for word in NOT_THE_MONTHS_OWN)
    )


def _the_month(name: str, month: str | None) -> bool:
    """A name saying the report month: the month itself, or 本月/本期/期末 naming no other."""
    named = names_month(name, month)
    return named is True or (
        named is None
        and any(word in name for word in THIS_MONTH)
        and not _not_the_month(name, month)
    )


def take_one(
    out: FileRead, form: str, found: list[tuple[SheetRead, list[Finding]]], stacked: set[int]
) -> None:
    """One sheet per form is read. Of two or more, the one whose name names the report month
    (a workbook kept with a tab for each month; a copy in a sheet by its title, see
    title_copies); else of those not named an earlier period's
    (节育措施(上月)), one with rows (the template's tab left empty beside a filled 样表); else
    one not named instructions or an example (出生登记示例); else one on a sheet named for it
    (not a block of 汇总 nor one below the births); else one alone on its sheet (not stacked
    with other forms: a chart's table below them); else the first. Each other is
    said not read: as another month's when its name names another month (or an earlier
    period) and the read one's does not, else as a second copy of the form."""
    month = out.report_month
    if len(found) > 1 and month and all(_another_months(c[0], month) for c in found):
        out.findings.append(_no_copy_of_the_month(form, [c[0] for c in found], month))
        return
    read, findings = (
        found[0]
        if len(found) == 1
        else min(
            found,
            key=lambda c: (
                not _the_month(_period_name(c[0]), month),
                _not_the_month(_period_name(c[0]), month),
                not c[0].records,
                is_notes_sheet(c[0].sheet),
                not _named_for(c[0].sheet, form),
                id(c[0]) in stacked,
            ),
        )
    )
    out.sheets[form] = read
    out.findings += findings
    out.findings += [
        said
        for other, _ in found
        if other is not read
        and (said := not_read(_shown(other), _shown(read), month, other, _periods(other, read)))
        is not None
    ]


def _another_months(read: SheetRead, month: str) -> bool:
    return names_month(_period_name(read), month) is False


def _no_copy_of_the_month(form: str, copies: list[SheetRead], month: str) -> Finding:
    """Copies of a form (tabs or blocks), each another month's and none the report month's:
    none is read, as for columns of other months only (a file for April holding 2月 and 3月)."""
    first = copies[0]
    return finding(
        f"sheet.{MONTH_MISSING}",
        field_zh=load_catalogue().forms[form].name_zh,
        value="、".join(_period_name(c) for c in copies),
        other=f"{int(month[5:7])}月",
        sheet=first.sheet,
        cell=f"A{first.header_row}" if first.title and first.header_row else None,
    )


def _periods(other: SheetRead, read: SheetRead) -> tuple[str, str]:
    return _period_name(other), _period_name(read)


def _named_for(sheet: str, form: str) -> bool:
    named = form_titled(sheet)
    return named is not None and named.name == form


def not_read(
    other: str,
    read: str,
    month: str | None,
    copy: SheetRead | None = None,
    periods: tuple[str, str] | None = None,
) -> Finding | None:
    """What is said of a sheet of a form beside the one read: another month's when its name
    says another period (another month, an earlier one, a running total) and the read one's
    does not, or when the read one's names the report month; else a second copy of the form;
    nothing for an example or instructions beside the form filled in. `copy`: the copy not
    read, when it is one of a sheet's (said at its header); `periods`: what says the period of
    each (_period_name), when not their names."""
    if is_notes_sheet(other) and not is_notes_sheet(read):
        return None
    other_period, read_period = periods or (other, read)
    another = _not_the_month(other_period, month) and (
        not _not_the_month(read_period, month) or _the_month(read_period, month)
    )
    rule = "sheet.other_month" if another else "sheet.duplicate_form"
    if copy is not None and copy.title:
        cell = f"A{copy.header_row}" if copy.header_row else None
        return finding(rule, field_zh=other, other=read, sheet=copy.sheet, cell=cell)
    return finding(rule, field_zh=other, other=read, sheet=other)
