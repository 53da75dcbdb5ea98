"""One received file to a FileRead: identity, report month, forms, records with their cells."""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

from township.calendar import DEFAULT_TIMEZONE, local_time
from township.config import (
    DEFAULT_MAX_COMPRESSION_RATIO,
    DEFAULT_MAX_SHEET_COLUMNS,
    DEFAULT_MAX_UNCOMPRESSED_BYTES,
    DEFAULT_SCAN_SHEET_BYTES,
)
from township.forms import Catalogue, Form, load_catalogue, normalise_label
from township.model import ERROR, FileRead, Finding, SheetRead
from township.privacy import mask_ids_in
from township.read.copies import not_read, take_one, title_copies
from township.read.grid import Limits, Rejected, Sheet, load_sheets
from township.read.headers import guess_field, unread_columns, unread_items, village_keys
from township.read.layout import (
    MONTH_MISSING,
    Layout,
    SheetProblem,
    _blank,
    _figure,
    _row_matches,
    a1,
    detect_layout,
    guess_form,
    is_notes_sheet,
)
from township.read.rows import cells_filled, has_figure, is_period, titled, words_only
from township.read.sheets import extract, formula_cells, items_given_twice, may_hide_formulas
from township.read.values import months_meant
from township.rules.catalog import finding
from township.villages import Village, VillageRegistry, short_name

ACCEPTED_SUFFIXES = (".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".et", ".csv")
# Refusals about who sent the file: never attributed to a village by its file name.
UNATTRIBUTED = ("unknown_village", "identity_conflict")


def relative_path(path: Path, root: Path) -> str:
    """Where a file sits under the raw folder (`2026-03/村.xlsx`), as stored and compared: an
    ID number in it masked (a file named after a mother's ID; see real_path for the way back).

    Without touching the disk when the path was found under the root as given (resolving
    links is slow over a prefecture's files); else with links resolved; else the path itself
    (a file from outside the raw folder)."""
    return mask_ids_in(_relative(path, root))


def _relative(path: Path, root: Path) -> str:
    text, prefix = str(path), os.path.join(str(root), "")
    if text.startswith(prefix) and ".." not in text:  # what relative_to gives, without pathlib
        return text[len(prefix) :]
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        pass
    try:
        return str(Path(path).resolve().relative_to(Path(root).resolve()))
    except ValueError:
        return str(path)


def real_path(root: Path, stored: str, sha256: str) -> Path:
    """The file a stored path names: itself, or, when an ID in its name or its folder's was
    masked, the file under the root whose path masks to it and whose content is the one
    received."""
    path = Path(root) / stored
    if "*" not in stored or path.exists():
        return path
    found = _unmasked(Path(root), Path(stored).parts, sha256)
    return found if found is not None else path


def _unmasked(folder: Path, parts: tuple[str, ...], sha256: str) -> Path | None:
    name, rest = parts[0], parts[1:]
    try:
        entries = [e for e in folder.iterdir() if mask_ids_in(e.name) == name]
    except OSError:
        return None
    for entry in entries:
        if rest and entry.is_dir() and (found := _unmasked(entry, rest, sha256)):
            return found
        if not rest and entry.is_file() and _sha256_of(entry) == sha256:
            return entry
    return None


def _sha256_of(path: Path) -> str | None:
    try:
        return file_identity(path)[0]
    except OSError:  # NotARegularFile too
        return None


class NotARegularFile(OSError):
    """The path is not (or no longer) a plain file: a link, a folder, a device or a pipe.
    Never read: a link may lead out of the raw folder, a pipe would block the ingest."""


def _open_regular(path: Path) -> tuple[int, os.stat_result]:
    """An open descriptor on the file itself, never through a link, never blocking on a pipe.
    FileNotFoundError when the file is gone (moved or deleted since it was listed)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise
    except OSError as exc:  # ELOOP: a link in the file's place
        raise NotARegularFile(f"{path}: {exc.strerror}") from exc
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise NotARegularFile(f"{path}: not a regular file")
    return fd, st


def read_regular(
    path: Path, max_bytes: int | None, zone: str | ZoneInfo = DEFAULT_TIMEZONE
) -> tuple[bytes | None, int, datetime, str]:
    """(the bytes, or None when over max_bytes; size; received time on the township's clock in
    `zone`; sha256), the file read once through one descriptor: what is hashed is what is
    parsed."""
    fd, st = _open_regular(path)
    with os.fdopen(fd, "rb") as handle:
        if max_bytes is not None and st.st_size > max_bytes:
            digest = hashlib.sha256()
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
            return None, st.st_size, local_time(st.st_mtime, zone), digest.hexdigest()
        data = handle.read()
    return data, len(data), local_time(st.st_mtime, zone), hashlib.sha256(data).hexdigest()


def file_identity(path: Path, zone: str | ZoneInfo = DEFAULT_TIMEZONE) -> tuple[str, int, datetime]:
    _, size, received, sha256 = read_regular(path, 0, zone)
    return sha256, size, received


def read_file(
    path: Path,
    report_month: str,
    registry: VillageRegistry,
    max_bytes: int | None = None,
    max_rows: int | None = None,
    sha256: str | None = None,
    max_uncompressed_bytes: int | None = DEFAULT_MAX_UNCOMPRESSED_BYTES,
    max_compression_ratio: float | None = DEFAULT_MAX_COMPRESSION_RATIO,
    max_columns: int | None = DEFAULT_MAX_SHEET_COLUMNS,
    scan_sheet_bytes: int = DEFAULT_SCAN_SHEET_BYTES,
    zone: str | ZoneInfo = DEFAULT_TIMEZONE,
) -> FileRead:
    """Everything the pipeline needs from one file; a file that cannot be used is rejected whole.

    The limits (None: none) are the settings of the same names (township.config); `zone` the
    township's time zone (TOWNSHIP_TIMEZONE), in which the received time is read."""
    path = Path(path)
    # read once: hashed and parsed from the same bytes (one too large is hashed, not kept)
    data, size, received, hashed = read_regular(path, max_bytes, zone)
    out = FileRead(path, sha256 or hashed, size, received, report_month)
    limits = _limits(
        max_bytes,
        max_rows,
        max_columns,
        max_uncompressed_bytes,
        max_compression_ratio,
        scan_sheet_bytes,
    )
    try:
        _read_forms(out, load_sheets(path, limits, data), load_catalogue(), limits)
        _resolve_identity(out, registry)
        refused = _read_the_own_villages_rows(out, registry)
        out.findings += _other_villages_named(out, registry, refused)
    except Rejected as rejected:
        out.rejection = rejected.rejection
        out.rows_read = {form: (s.sheet, len(s.records)) for form, s in out.sheets.items()}
        out.sheets.clear()
        if out.village_code is None and rejected.rejection.code not in UNATTRIBUTED:
            # A file that cannot be opened still names its village: tell that village why.
            village = registry.in_file_name(out.path.name)
            if village is not None:
                out.village_code, out.village_name = village.code, village.name
    return out


def _read_the_own_villages_rows(out: FileRead, registry: VillageRegistry) -> set[str]:
    """A one-record table with a row for each of several villages (a township's sheet, each
    village filling its row): the file's own village's row is its record, not the first row
    nor their 合计; the other villages' rows are theirs, not said as rows left unread. Such a
    sheet with no row of the file's own village (other villages' rows only), or with several
    (复合村一组 | 复合村二组 beside 桃园村), has no row that is the month's: its figures are
    refused, said at the row read. Returns the sheets refused."""
    refused = set()
    for read in out.sheets.values():
        named = _villages_named(read, registry, out)
        own = [row for row in read.village_rows if _is_own(named[row[2]], out)]
        if len(own) > 1:  # 复合村一组, 复合村二组, 复合村合计
            own = _its_total(own, named[own[0][2]])
        others = {r: v.name for r, v in named.items() if v is not None and not _is_own(v, out)}
        if not others and len(own) == 1 and _the_groups_total(read, own[0], named[own[0][2]], out):
            _read_the_row(read, own[0], out, set(named))
            continue
        if not others or (not own and len(others) < 2):
            continue  # a neighbour's template, the village's own name or groups: as read
        # the row read: the own village's; of a sheet refused, the first (own) village's row,
        # where the village is told why, kept out with its figures
        named_rows = {r for r, v in named.items() if v is not None}
        _read_the_row(read, own[0] if own else read.village_rows[0], out, named_rows)
        if len(own) != 1:
            refused.add(read.sheet)
            names = list(dict.fromkeys(others.values()))
            out.findings.append(_no_own_villages_row(out, read, names, [r[2] for r in own]))
    return refused


def _villages_named(read: SheetRead, registry: VillageRegistry, out: FileRead) -> dict:
    """Excel row -> the village its label names, of the rows of a one-record table. Under a 组别
    heading the rows are groups, whatever their names, but for the own village's full name (its
    total); under no 村名 heading, labels naming villages by an alias or short name alone (桃园 |
    李家湾 | 合计) are the groups' names of natural villages, unless the own village is named."""
    labels = {r: label for label, _, r, _, _ in read.village_rows}
    named = {r: _village_of(label, registry) for r, label in labels.items()}
    if read.labelled_by == "groups":
        full = {r: v for r, v in named.items() if _the_village_itself(labels[r], v, out, True)}
        return {r: full.get(r) for r in named}
    if read.labelled_by != "villages" and not any(_is_own(v, out) for v in named.values()):
        return {r: v if _named_in_full(labels[r], v, registry) else None for r, v in named.items()}
    return named


def _named_in_full(label: str, village: Village | None, registry: VillageRegistry) -> bool:
    """A row label naming the village by its full name (桃园村, 桃园村一组) or its code."""
    plain = _label_of_row(label)
    return village is not None and (
        _opening_village(plain, registry) is village or registry.code_of(label) is village
    )


def _the_groups_total(read: SheetRead, row: tuple, village: Village | None, out: FileRead) -> bool:
    """The own village's only row among rows of no other village (一组 | 二组 | 复合村, 东湖村 |
    复合村 | 合计), labelled by its name alone: its figures, the total of the others. Where a
    合计 was read, a row of its alias alone (复合) is one of the groups."""
    total_read = read.rows[0] not in {r for _, _, r, _, _ in read.village_rows}
    return _the_village_itself(row[0], village, out, full_name_only=total_read)


def _read_the_row(read: SheetRead, village_row: tuple, out: FileRead, rows: set[int]) -> None:
    """The one-record form's record: this row of the villages' rows, and its label's cell; the
    `rows` (the other villages', or groups of the row's total) not said as rows left unread."""
    out.findings = [f for f in out.findings if not _a_villages_row_unread(f, read, rows)]
    label, record, row, cells, column = village_row
    before = {r - 1 for r in read.rows}  # the row read first: its label's cells
    read.records[:], read.rows[:], read.cells[:] = [record], [row], [cells]
    read.named_cells = [c for c in read.named_cells if c[0] not in before]
    read.named_cells.append((row - 1, column, label))


def _the_village_itself(
    label: str, village: Village | None, out: FileRead, full_name_only: bool = False
) -> bool:
    """A row labelled by the file's own village alone (复合村, 复合村合计; but for
    `full_name_only`, by its alias or short name too: 复合): not one of its groups (复合村一组)."""
    if not _is_own(village, out):
        return False
    names = {normalise_label(village.name)}
    if not full_name_only:
        names |= {normalise_label(n) for n in village.aliases if n} | {short_name(village.name)}
    return _label_of_row(label) in _with_totals(names - {None})


def _with_totals(names: set[str]) -> set[str]:
    """The names, and each with a total word after it (复合村合计)."""
    return names | {n + w for n in names for w in load_catalogue().totals_markers}


def _its_total(rows: list, village: Village) -> list:
    """Of a village's rows on a sheet of the villages' rows, its only total (复合村合计, not
    复合村片区小计 nor 复合村、桃园村合计), else all."""
    names = {normalise_label(n) for n in (village.name, *village.aliases) if n}
    totals = _with_totals(names) - names
    found = [row for row in rows if _label_of_row(row[0]) in totals]
    return found if len(found) == 1 else rows


def _is_own(village: Village | None, out: FileRead) -> bool:
    return village is not None and village.code == out.village_code


def _village_of(label: str, registry: VillageRegistry) -> Village | None:
    """The village a row's label names: opening with its name (复合村, 复 合 村, 复合村一组,
    after a number: 1.复合村, 序号 | 村名), or its alias, short name or code alone (复合,
    420117104201); not a group whose name ends in 村民组 (桃园村民组 is 桃园 group's)."""
    plain = _label_of_row(label)
    return (
        _opening_village(plain, registry)
        or registry.by_name(plain)
        or registry.by_short_name(plain)
        or registry.code_of(label)
    )


@cache
def _of_villagers() -> tuple[str, ...]:
    """What follows a village's name in a group's (桃园村民组, 桃园村民小组: 民组, 民小组), from
    the groups' headings (schemas/forms.yaml: columns_not_read.groups)."""
    groups = load_catalogue().group_columns
    return tuple(g.removeprefix("村") for g in groups if g.startswith("村民"))


def _opening_village(text: str, registry: VillageRegistry) -> Village | None:
    """The village a text opens with (registry.opening); not a group whose name ends in 村民组
    (桃园村民组, 桃园村民小组: the 村 of 村民; 桃园村民委员会 is the village)."""
    opened = registry.opening(text)
    if opened is None:
        return None
    rest = normalise_label(text)[len(normalise_label(opened.name)) :]
    return None if rest.startswith(_of_villagers()) else opened


def _label_of_row(label: str) -> str:
    """A row's label without spaces, punctuation or a number before it (1.复合村 → 复合村)."""
    return _ROW_NUMBER.sub("", normalise_label(label))


_ROW_NUMBER = re.compile(r"^\d{1,3}(?=\D)")


def _no_own_villages_row(
    out: FileRead, read: SheetRead, others: list[str], own_rows: list[int]
) -> Finding:
    """record.own_village_row, at the label of the row read (the own village's first, or the
    first village's): an error of that record, so that no row's figures count as the month's."""
    row, column = read.rows[0], read.named_cells[-1][1]
    where = {"sheet": read.sheet, "row": row, "cell": a1(row - 1, column)}
    if own_rows:
        rows = "、".join(f"第{r}行" for r in own_rows)
        return finding(
            "record.own_village_row",
            field_zh=read.sheet,
            value=rows,
            other=out.village_name,
            variant="several",
            **where,
        )
    return finding(
        "record.own_village_row",
        field_zh=read.sheet,
        value="、".join(others),
        other=out.village_name,
        **where,
    )


def _a_villages_row_unread(found: Finding, read: SheetRead, rows: set[int]) -> bool:
    return (
        found.rule_id == "record.more_value_rows"
        and found.sheet == read.sheet
        and str(found.value) in {str(r) for r in rows}
    )


def _other_villages_named(
    out: FileRead, registry: VillageRegistry, refused: set[str] = frozenset()
) -> list[Finding]:
    """A form whose title, header or row labels open with another registered village's name and
    none with the file's own (桃园村节育措施情况 in 复合村's file: a neighbour's template, or its
    figures; not 含桃园村迁入人员): its figures are read as the file's village's, and the
    village is told so at the cell. Not of the sheets `refused` (their figures are not read)."""
    said = []
    own = registry.by_code.get(out.village_code)
    own_names = tuple(n for n in (own.name, *own.aliases) if n) if own else ()
    for read in out.sheets.values():
        if read.sheet in refused:
            continue
        cells = [(r, c, _unit_named(words)) for r, c, words in read.named_cells]
        if any(words.lstrip().startswith(own_names) for _, _, words in cells):
            continue  # the usual title: the file's own village's (复合村节育措施情况)
        named = [(a1(r, c), v) for r, c, words in cells if (v := _opening_village(words, registry))]
        if any(v.code == out.village_code for _, v in named):
            continue  # its own name beside another's (复合村 | 桃园村: rows of each)
        other = next(iter(named), None)
        if other is not None:
            said.append(
                finding(
                    "sheet.other_village",
                    field_zh=read.sheet,
                    value=other[1].name,
                    other=out.village_name,
                    sheet=read.sheet,
                    cell=other[0],
                )
            )
    return said


def _unit_named(words: str) -> str:
    """The unit a note names after its key (填报单位：桃园村 → 桃园村: a key of the 封面's
    village name); any other text as it is (说明：桃园村三组已并入本村 names no unit)."""
    if "：" not in words and ":" not in words:
        return words
    key, _, rest = words.replace(":", "：").partition("：")
    return rest if normalise_label(key) in village_keys() else words


_limits = lru_cache(maxsize=8)(Limits)  # the same few settings for every file of a batch


def _read_forms(out: FileRead, sheets: list[Sheet], catalogue: Catalogue, limits: Limits) -> None:
    candidates: dict[str, list[tuple[SheetRead, list[Finding]]]] = {}
    stacked: set[int] = set()  # id() of the reads of forms stacked in a sheet
    # a form's figures in columns for other months: said when no other sheet holds the form;
    # beside the sheet read, it is said as any other sheet of the form is (not_read)
    months_missing: dict[str, Finding] = {}
    for sheet in sheets:
        blocks = list(_read_blocks(sheet, catalogue, limits, out.report_month))
        several = sum(isinstance(block, tuple) for block in blocks) > 1
        title_copies(sheet.grid, [b[0] for b in blocks if isinstance(b, tuple)], out.report_month)
        for found in blocks:
            if isinstance(found, SheetProblem):
                said = finding(
                    f"sheet.{found.code}", sheet=sheet.name, cell=found.cell, **found.words
                )
                if found.code == MONTH_MISSING and found.form is not None:
                    months_missing.setdefault(found.form.name, said)
                else:
                    out.findings.append(said)
                continue
            read, findings = found
            if read.form == "cover":
                out.cover = read.records[0] if read.records else {}
                out.cover_cells = (read.sheet, read.cells[0]) if read.cells else None
            else:
                candidates.setdefault(read.form, []).append(found)
                if several:  # one of the forms stacked in a sheet
                    stacked.add(id(read))
    for form, found in candidates.items():
        take_one(out, form, found, stacked)
    for form, missing in months_missing.items():
        if form not in candidates:
            out.findings.append(missing)
        elif form in out.sheets and (
            said := not_read(missing.sheet, out.sheets[form].sheet, out.report_month)
        ):
            out.findings.append(said)  # another month's tab, or a copy, beside the one read
    _say_forms_left_unread(out, sheets, catalogue)
    if not out.sheets and not any(f.severity == ERROR for f in out.findings):
        raise Rejected(
            "no_form_found",
            f"文件中没有找到任何报表（{'、'.join(f.name_zh for f in catalogue.data_forms)}）。"
            "请使用镇里下发的模板填报。",
        )


# Rows of a sheet looked through for a form's figures that no block read (a register's
# persons below them are not looked at)
UNREAD_SCAN_ROWS = 200


def _say_forms_left_unread(out: FileRead, sheets: list[Sheet], catalogue: Catalogue) -> None:
    """A one-record form of which nothing was read or said, while a sheet gives two or more of
    its fields each with a count beside or below it (a list beside another form's, a table
    right under another's with no blank row): said where its figures are, not dropped."""
    said_at = {f.sheet for f in out.findings if f.severity == ERROR}
    missing = [f for f in catalogue.data_forms if f.kind == "record" and f.name not in out.sheets]
    if not missing:
        return
    # a register's rows are persons, not another form's items
    persons: dict[str, list[tuple[int, int]]] = {}
    for read in out.sheets.values():
        if catalogue.forms[read.form].kind == "person":
            persons.setdefault(read.sheet, []).append(
                (read.header_row or 0, max(read.rows, default=0))
            )
    # an item already said not read (迁入 | 3 in a 流动人口 list) is not said again
    said_items = {(f.sheet, f.cell) for f in out.findings if f.rule_id == "sheet.unknown_item"}
    looked_at = [
        (sheet, rows, [v for v in set().union(*rows) if v.__class__ is str])
        for sheet in sheets
        if sheet.name not in said_at and not is_notes_sheet(sheet.name)
        for rows in [_without_rows(sheet.grid[:UNREAD_SCAN_ROWS], persons.get(sheet.name, []))]
    ]
    for form in missing:
        for sheet, rows, words in looked_at:
            if len(set(_row_matches(words, form).values())) < 2:
                continue  # the usual sheet: not two of the form's labels anywhere in it
            said = {cell for name, cell in said_items if name == sheet.name}
            if (cell := _counts_of(rows, form, said)) is not None:
                out.findings.append(
                    finding(
                        "sheet.form_not_read",
                        field_zh=sheet.name,
                        value=form.name_zh,
                        other=cell,
                        sheet=sheet.name,
                        cell=cell,
                    )
                )
                break


def _without_rows(grid: list[list[object]], spans: list[tuple[int, int]]) -> list[list[object]]:
    """The grid with its rows in each span [start, end) left blank (rows keep their places)."""
    for start, end in spans:
        if end > start:
            grid = [*grid[:start], *([[]] * (end - start)), *grid[end:]]
    return grid


def _counts_of(grid: list[list[object]], form: Form, said: set[str]) -> str | None:
    """Where a grid first gives two of a form's fields, each with a count right of it (a
    list's item) or under it (a table's heading), not at a cell `said` already; None when
    it does not."""
    fields: dict[str, tuple[int, int]] = {}
    for r, row in enumerate(grid[:UNREAD_SCAN_ROWS]):
        under = grid[r + 1] if r + 1 < len(grid) else []
        for c, field in _row_matches(row, form).items():
            if a1(r, c) in said:
                continue
            beside = row[c + 1 : c + 4]
            if any(map(_a_count, beside)) or (c < len(under) and _a_count(under[c])):
                fields.setdefault(field, (r, c))
        if len(fields) >= 2:
            return a1(*min(fields.values()))
    return None


def _a_count(value: object) -> bool:
    """A count, not an ID number nor a date: a whole number, or a few digits as text."""
    if value.__class__ is int or (value.__class__ is float and value.is_integer()):
        return True
    return value.__class__ is str and value.strip().isdigit() and len(value.strip()) <= 7


Found = tuple[SheetRead, list[Finding]]


def _read_blocks(
    sheet: Sheet,
    catalogue: Catalogue,
    limits: Limits,
    month: str | None,
    form: Form | None = None,
) -> Iterator[Found | SheetProblem]:
    """The forms a sheet holds, one above the other (节育措施, then a blank row and 流动人口 with
    its own title and header): each read from its own rows, as if on a sheet of its own, rows
    keeping their Excel numbers. A sheet's problem is yielded, not raised: the blocks read
    before it are kept."""
    found = _attempt(sheet, catalogue, limits, month, form)
    if isinstance(found, tuple) and form is not None and form.kind == "record":
        found = _own_copy(sheet, found, catalogue, limits, month, form)
    if not isinstance(found, tuple):
        yield from [found] if found is not None else []
        return
    read, grid = found[0], sheet.grid
    others = [f for f in catalogue.data_forms if f.name != read.form]
    if read.form == "cover" or not others:
        yield found
        return
    top = _block_top(grid, (read.header_row or 1) - 1, read.layout == "list", others)
    above = _form_above(grid, top, others, catalogue, month)
    below = _next_form(grid, read, others, catalogue, month)
    if below is None and catalogue.forms[read.form].kind == "record":
        below = _next_copy(grid, read, catalogue, month)
    if above is None and below is None:
        yield found
        return
    if isinstance(above, SheetProblem):
        yield above  # another form above, that cannot be read (1月 | 2月 in a March file)
    elif above is not None:
        yield from _read_blocks(_rows_before(sheet, top), catalogue, limits, month, above)
    end = len(grid) if below is None else below[0]
    own = _rows_before(_under_heading(sheet, top, catalogue) if above else sheet, end)
    if (again := _attempt(own, catalogue, limits, month, catalogue.forms[read.form])) is not None:
        yield again
    if below is not None and isinstance(below[1], SheetProblem):
        yield below[1]
    elif below is not None:
        lower = _under_heading(sheet, below[0], catalogue)
        yield from _read_blocks(lower, catalogue, limits, month, below[1])


def _own_copy(
    sheet: Sheet, found: Found, catalogue: Catalogue, limits: Limits, month: str | None, form: Form
) -> Found:
    """A copy of a form (a block below another copy) read from a later copy's rows, the layout
    having preferred a table further down to its own list: read again from its own rows, up to
    the next copy."""
    header = (found[0].header_row or 1) - 1
    first = next((r for r, row in enumerate(sheet.grid) if cells_filled(row, enough=1)), 0)
    if header - first < HEAD_ROWS + 2:
        return found
    at_start = dataclasses.replace(found[0], header_row=first + 1)
    following = _next_copy(sheet.grid, at_start, catalogue, month)
    if following is None or following[0] > header:
        return found
    again = _attempt(_rows_before(sheet, following[0]), catalogue, limits, month, form)
    return again if isinstance(again, tuple) else found


def _attempt(
    sheet: Sheet, catalogue: Catalogue, limits: Limits, month: str | None, form: Form | None
) -> Found | SheetProblem | None:
    """_read_sheet, its problem returned rather than raised."""
    try:
        return _read_sheet(sheet, catalogue, limits, month, form)
    except SheetProblem as problem:
        return problem


def _rows_from(sheet: Sheet, start: int) -> Sheet:
    """The sheet with its rows above `start` left blank: rows keep their Excel numbers."""
    if start == 0:
        return sheet
    return dataclasses.replace(sheet, grid=_padded(sheet.grid, start))


def _under_heading(sheet: Sheet, start: int, catalogue: Catalogue) -> Sheet:
    """The sheet's rows from `start` (a block below another form's list). A list with no
    heading of its own, under a list whose heading names its columns (项目 | 上月 | 本月 over the
    sheet's first list only), takes that heading just above its first item: its figures are
    read from the same column (上月's were read)."""
    block, grid = _rows_from(sheet, start), sheet.grid
    end = min(start + HEAD_ROWS, len(grid))
    heading = _list_heading_above(grid, start, catalogue)
    if heading is None or any(
        words_only(row) and cells_filled(row, enough=2) == 2 for row in grid[start:end]
    ):
        return block  # no heading of several columns above, or the block's own heading
    first = next((r for r in range(start, end) if has_figure(grid[r])), None)
    if first is None or first == 0 or cells_filled(block.grid[first - 1], enough=2) > 1:
        return block
    if sum(_figure(v) and not is_period(v) for v in grid[first]) < 2:
        return block  # one column of figures: nothing to choose (the heading would blank it)
    rows = list(block.grid)
    rows[first - 1] = heading
    return dataclasses.replace(block, grid=rows)


def _list_heading_above(
    grid: list[list[object]], start: int, catalogue: Catalogue
) -> list[object] | None:
    """The heading of the list above `start` when it heads several columns (项目 | 上月 | 本月)."""
    for r in range(start - 1, -1, -1):
        row = grid[r]
        if words_only(row) and cells_filled(row, enough=3) == 3:
            first = next(v for v in row if not _blank(v))
            named = isinstance(first, str) and normalise_label(first) in catalogue.list_item_headers
            return row if named else None
    return None


def _padded(grid: list[list[object]], start: int) -> list[list[object]]:
    return [[] for _ in range(start)] + grid[start:]


def _rows_before(sheet: Sheet, end: int) -> Sheet:
    return dataclasses.replace(sheet, grid=sheet.grid[:end])


def _block_top(grid: list[list[object]], header_row: int, listed: bool, others: list[Form]) -> int:
    """The first row of a form's block (`header_row`: its header's index): the header row, or
    the rows of words right above it (titles, a units row, the upper row of a two-row header,
    a list's 项目 | 上月 | 本月), up to a blank row or a row of figures; a list's first item
    when the row above it is another form's item (上环 | 100 above 流出人口数 | 50)."""
    row = grid[header_row]
    if listed and has_figure(row) and any(_row_matches(row, f) for f in others):
        return header_row + 1
    top = header_row
    while top > 0 and words_only(grid[top - 1]):
        top -= 1
    return top


def _form_above(
    grid: list[list[object]], top: int, others: list[Form], catalogue: Catalogue, month: str | None
) -> Form | SheetProblem | None:
    """Another form's table above the block read from `top` (_block_form), or what keeps it
    from being read."""
    if sum(cells_filled(row) >= 2 for row in grid[:top]) < 2:
        return None  # a title, a units row: no form's table
    return _block_form(grid[:top], others, catalogue, month, from_start=False)


# How many rows of a block below are looked at to tell its form (a list's items, a table's
# header and first rows): the whole rest of a long register need not be.
BLOCK_ROWS = 40


def _next_form(
    grid: list[list[object]],
    read: SheetRead,
    others: list[Form],
    catalogue: Catalogue,
    month: str | None,
) -> tuple[int, Form | SheetProblem] | None:
    """Where another form's block starts below the one read, and which form it is (or what
    keeps it from being read): a block starting after a blank row or at a title naming it,
    its heading within its first rows (titles and units rows above it only); None when none
    does."""
    for start in _block_starts(grid, (read.header_row or 1) + 1, others, catalogue):
        if not _heads_another_form(grid[start : start + HEAD_ROWS], others, catalogue):
            continue  # a register's next rows, a 备注 naming a method, a footer
        found = _block_form(grid[start : start + BLOCK_ROWS], others, catalogue, month)
        if found is None and (named := _titled_form(grid[start : start + HEAD_ROWS], others)):
            # under a title naming its form (宣传服务), two of its items make it
            found = _block_form(grid[start : start + BLOCK_ROWS], [named], catalogue, month, 2)
        if isinstance(found, SheetProblem):  # said where it is in the sheet
            found = _block_form(_padded(grid, start), others, catalogue, month)
        if found is not None:
            return start, found
    return None


HEAD_ROWS = 4  # a block's title, units row and heading, or its first items


def _heads_another_form(rows: list[list[object]], others: list[Form], catalogue: Catalogue) -> bool:
    """A title naming another form, or two of one other form's fields, in a block's first rows."""
    if any(_names_another_form(row, others, catalogue) for row in rows):
        return True
    for form in others:
        fields = {f for row in rows for f in _row_matches(row, form).values()}
        if len(fields) >= 2:
            return True
    return False


def _copy_starts(
    grid: list[list[object]], first: int, form: Form, catalogue: Catalogue
) -> list[int]:
    """_block_starts, and a title alone in its row right under a row of figures (3月)."""
    starts = set(_block_starts(grid, first, [form], catalogue))
    for r in range(max(first, 1), len(grid)):
        row = grid[r]
        if cells_filled(row, enough=2) == 1 and words_only(row) and has_figure(grid[r - 1]):
            starts.add(r)
    return sorted(starts)


def _block_starts(
    grid: list[list[object]], first: int, others: list[Form], catalogue: Catalogue
) -> Iterator[int]:
    """Rows from `first` on that may start another block: a filled row after a blank one, or a
    title naming one of the `others` forms (流动人口情况)."""
    blank_above = first > len(grid) or cells_filled(grid[first - 1]) == 0
    for r in range(first, len(grid)):
        filled = cells_filled(grid[r], enough=2)
        if filled and (
            blank_above or filled == 1 and _names_another_form(grid[r], others, catalogue)
        ):
            yield r
        blank_above = not filled


def _titled_form(rows: list[list[object]], others: list[Form]) -> Form | None:
    """The form of `others` a title alone in its row names (宣传服务情况), in a block's first rows."""
    catalogue = load_catalogue()
    for row in rows:
        filled = [v for v in row if not _blank(v)]
        if len(filled) == 1 and isinstance(filled[0], str):
            form = titled(filled[0], catalogue)
            if form in others:
                return form
    return None


def _names_another_form(row: list[object], others: list[Form], catalogue: Catalogue) -> bool:
    return _titled_form([row], others) is not None


def _block_form(
    rows: list[list[object]],
    forms: list[Form],
    catalogue: Catalogue,
    month: str | None,
    fewest: int = 3,
    from_start: bool = True,
) -> Form | SheetProblem | None:
    """The form of `forms` a block holds: ≥ `fewest` of its fields found, every required one among
    them (a 死亡登记's 姓名 | 身份证号码 | 备注 is no 奖励扶助); or the problem of the form it
    would be. `from_start`: a block below the one read, which must begin with that form's
    heading (within HEAD_ROWS rows, only rows of words above it), so that the
    persons of a register are not taken for the rows above a list further down."""
    found = _block_layout(rows, forms, catalogue, month, from_start, fewest)
    return found.form if isinstance(found, Layout) else found


def _block_layout(
    rows: list[list[object]],
    forms: list[Form],
    catalogue: Catalogue,
    month: str | None,
    from_start: bool = True,
    fewest: int = 3,
) -> Layout | SheetProblem | None:
    """_block_form's layout of the block (≥ `fewest` fields)."""
    try:
        layout = guess_form(rows, catalogue, month, forms, fewest)
    except SheetProblem as problem:
        return problem if not from_start or _near_start(rows, _row_of(problem.cell)) else None
    if layout is None or not {f.name for f in layout.form.fields if f.required} <= set(
        layout.columns
    ):
        return None
    if from_start and not _near_start(rows, layout.header_row):
        return None
    return layout if _holds_figures(rows, layout) else None


def _next_copy(
    grid: list[list[object]], read: SheetRead, catalogue: Catalogue, month: str | None
) -> tuple[int, Form] | None:
    """Where a second copy of the one-record form read starts below it (2月's 节育措施, then
    3月's): a block of that form repeating ≥ 2 of the fields of the rows above it. A block of
    other fields of the form is the same copy's rest (its items grouped by blank rows)."""
    form = catalogue.forms[read.form]
    # a copy's title and units row may come before its heading and items; a footer (填表人)
    # gives no figures
    starts = [
        start
        for start in _copy_starts(grid, (read.header_row or 1) + 1, form, catalogue)
        if any(map(has_figure, head := grid[start : start + HEAD_ROWS + 2]))
        and _heads_another_form(head, [form], catalogue)
    ]
    for start, after in zip(starts, [*starts[1:], len(grid)], strict=False):
        # told from its own rows first: a later copy's table would draw the layout away from
        # it; then with the rows after (its items grouped by blank rows). Two of the form's
        # items make a copy: the rows above must give the same two
        below = _block_layout(
            grid[start : min(after, start + BLOCK_ROWS)], [form], catalogue, month, fewest=2
        )
        if not isinstance(below, Layout) and after < start + BLOCK_ROWS:
            rows = grid[start : start + BLOCK_ROWS]
            below = _block_layout(rows, [form], catalogue, month, fewest=2)
        if not isinstance(below, Layout):
            continue
        with contextlib.suppress(SheetProblem):
            above = detect_layout(grid[:start], form, month)
            if above is not None and len(set(above.columns) & set(below.columns)) >= 2:
                return start, form
    return None


def _holds_figures(rows: list[list[object]], layout: Layout) -> bool:
    """Whether a block gives figures where its form's are read: a table of explanations
    (指标 | 解释) naming another form's items is no form."""
    if layout.kind == "list":
        cells = [(r, layout.value_column) for r in layout.columns.values()]
    else:
        below = range(layout.header_row + 1, min(layout.header_row + 1 + HEAD_ROWS, len(rows)))
        cells = [(r, c) for r in below for c in layout.columns.values()]
    return any(
        r < len(rows) and c is not None and c < len(rows[r]) and _figure(rows[r][c])
        for r, c in cells
    )


def _near_start(rows: list[list[object]], heading: int | None) -> bool:
    first = next((r for r, row in enumerate(rows) if cells_filled(row)), 0)
    if heading is None:
        return False
    heading = max(heading, first)
    return heading - first < HEAD_ROWS and not any(map(has_figure, rows[first:heading]))


def _row_of(cell: str | None) -> int | None:
    """The row index of an A1 cell (B3 → 2)."""
    digits = "".join(ch for ch in cell or "" if ch.isdigit())
    return int(digits) - 1 if digits else None


def _read_sheet(
    sheet: Sheet,
    catalogue: Catalogue,
    limits: Limits,
    month: str | None = None,
    form: Form | None = None,
) -> Found | None:
    """The form a sheet holds (`form`, when the sheet's name is not what says it: a block of a
    sheet), and its formulas saved without their results or with an error as one (#N/A); None
    when the sheet holds no form (notes, a chart) or an optional form left blank."""
    if sheet.refused == "too_many_rows":
        raise SheetProblem(
            sheet.refused, field_zh=sheet.name, value=sheet.rows, other=limits.max_rows
        )
    if sheet.refused == "too_many_columns":
        raise SheetProblem(
            sheet.refused, field_zh=sheet.name, value=sheet.columns, other=limits.max_columns
        )
    grid = sheet.grid
    # a sheet named for no form (Sheet1, 3月报表) titled for one (节育措施情况): read as if named
    form = (
        form
        or titled(sheet.name, catalogue)
        or _titled_form(grid[:HEAD_ROWS], catalogue.data_forms)
    )
    layout = detect_layout(grid, form, month) if form else guess_form(grid, catalogue, month)
    if form and layout is None and not is_notes_sheet(sheet.name):
        raise SheetProblem("header_not_found", field_zh=sheet.name, other=form.fields[0].name_zh)
    if layout is None:
        return None  # a sheet of notes or a chart: not a form
    read = extract(sheet.name, grid, layout, catalogue, sheet.merged, month)
    if not read.records and _may_be_left_out(catalogue, read.form):
        return None  # an optional form left blank (as the template allows) was not sent
    unread = (
        _columns_not_read(sheet, layout, read)
        + _another_table(read)
        + [
            finding(
                "record.example_or_cancelled",
                field_zh=layout.form.name_zh,
                value=mark,
                other=row,
                sheet=sheet.name,
                row=row,
                cell=cell,
            )
            for row, cell, mark in read.left_out
        ]
        + [
            finding(
                "record.more_value_rows",
                field_zh=layout.form.name_zh,
                value=row,
                other=read.rows[0],
                sheet=sheet.name,
                row=read.rows[0],
                cell=cell,
            )
            for row, cell in read.unread
        ]
    )
    if read.form == "cover" or not may_hide_formulas(read, layout, len(sheet.grid)):
        return read, unread
    formulas = sheet.formulas_without_value()
    return read, unread + [
        finding(
            "cell.formula_error" if error else "cell.formula_without_value",
            field_zh=layout.form.field(field).name_zh,
            value=error,
            sheet=sheet.name,
            row=r + 1,
            cell=a1(r, c),
            field=field,
        )
        for field, r, c, error in formula_cells(read, sheet.grid, layout, formulas, catalogue)
    ]


def _another_table(read: SheetRead) -> list[Finding]:
    if read.other_table_at is None:
        return []
    row = read.other_table_at
    return [
        finding(
            "sheet.another_table",
            field_zh=read.sheet,
            value=row,
            sheet=read.sheet,
            cell=f"A{row}",
        )
    ]


def _columns_not_read(sheet: Sheet, layout: Layout, read: SheetRead) -> list[Finding]:
    """The filled columns (rows of a list) no field reads, said to the village; a required
    field with no column of a table that has rows refuses the sheet (SheetProblem)."""
    form, grid = layout.form, sheet.grid
    if layout.kind == "list":
        items = unread_items(
            grid, form.name, layout.columns, layout.label_column, layout.value_column
        )
        taken = set(layout.columns)
        return [
            _unread_finding("sheet.unknown_item", sheet.name, form.name, label, a1(r, c), taken)
            for r, c, label in items
        ] + _items_given_twice(sheet, layout, read)
    columns = unread_columns(grid, layout.header_row, set(layout.columns.values()), read.rows)
    missing = read.records and [
        f for f in form.fields if f.required and f.name not in layout.columns
    ]
    if missing:
        field = missing[0]
        meant = [
            (c, h)
            for c, h in columns
            if guess_field(form.name, h, set(layout.columns)) == field.name_zh
        ]
        raise SheetProblem(
            "missing_column",
            a1(layout.header_row, meant[0][0] if meant else 0),
            field_zh=sheet.name,
            value=meant[0][1] if meant else None,
            other=field.name_zh,
            field=field.name,
            variant=None if meant else "no_guess",
        )
    return [
        _unread_finding(
            "sheet.unknown_column",
            sheet.name,
            form.name,
            header,
            a1(layout.header_row, c),
            set(layout.columns),
        )
        for c, header in columns
    ]


def _items_given_twice(sheet: Sheet, layout: Layout, read: SheetRead) -> list[Finding]:
    """An item of a list given twice with two figures, said at the second; an error of the
    record's row, so that neither figure is loaded as the month's."""
    if not read.records:
        return []
    record, cells = read.records[0], read.cells[0]
    return [
        finding(
            "record.item_twice",
            field_zh=str(sheet.grid[r][layout.label_column]).strip(),
            value=value,
            other=f"{cells[name]} 为 {_shown(record[name])}，{a1(r, c)} 为 {value}",
            sheet=sheet.name,
            row=read.rows[0],
            cell=a1(r, c),
            field=name,
        )
        for name, r, c, value in items_given_twice(sheet.grid, layout, record, sheet.merged)
    ]


def _shown(value: object) -> str:
    """A figure as the village reads it: a blank one as 未填."""
    return "未填" if value is None else str(value)


def _unread_finding(rule: str, sheet: str, form: str, label: str, cell: str, taken: set) -> Finding:
    guess = guess_field(form, label, taken)
    return finding(
        rule,
        field_zh=sheet,
        value=label,
        other=guess or "",
        variant=None if guess else "no_guess",
        sheet=sheet,
        cell=cell,
    )


def _may_be_left_out(catalogue: Catalogue, form: str) -> bool:
    spec = catalogue.forms.get(form)
    return spec is not None and spec.kind == "record" and spec.optional


def _resolve_identity(out: FileRead, registry: VillageRegistry) -> None:
    """The village a file comes from: its 封面's 村代码 and 村名 and its file name, whichever
    are given, must name one village. When they name two, the file is refused, naming the
    conflict, and attributed to no village: neither may receive the other's data."""
    claims = identity_claims(out.cover, out.path.name, registry)
    villages = {v.code: v for _, _, v in claims if v is not None}
    if len(villages) > 1:
        raise Rejected(
            "identity_conflict",
            "文件中的报送单位不一致："
            + "；".join(f"{source}“{text}”{_names(v)}" for source, text, v in claims)
            + "。系统无法确定是哪个村的报表，未予接收。"
            "请核对封面的村代码和村名，并用本村村名命名文件后重新报送。",
            "文件中的报送单位不一致（封面村代码、封面村名与文件名指向不同的村），未予接收。",
        )
    if not villages:
        named = next((text for _, text, _ in claims), out.path.name)
        raise Rejected(
            "unknown_village",
            f"无法确认报送单位：“{named}”不在本镇村名单中。"
            "请在封面填写正确的村代码（12位）和村名后重新报送。",
            "无法确认报送单位：封面与文件名中的村不在本镇村名单中。",
        )
    village = next(iter(villages.values()))
    out.village_code, out.village_name = village.code, village.name
    sheet, cells = out.cover_cells or (None, {})
    for source, text, claimed in claims:
        if claimed is None:  # given but matching no village: the others agree, so say so
            field = "village_code" if source == "封面村代码" else "village_name"
            cell = cells.get(field)
            out.findings.append(
                finding(
                    "cover.unknown_identity",
                    field_zh=load_catalogue().forms["cover"].field(field).name_zh,
                    value=text,
                    other=village.name,
                    sheet=sheet,
                    cell=cell,
                    row=int(cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) if cell else None,
                    field=field,
                )
            )
    cover_month = out.cover.get("report_month")
    if cover_month and out.report_month not in months_meant(cover_month):
        raise Rejected(
            "month_mismatch",
            f"封面的报告期为“{'”或“'.join(months_meant(cover_month))}”，"
            f"但文件报送在 {out.report_month} 月的目录中。"
            "请核对报告期：若是本月报表请改正封面报告期，若是其他月份请按该月报送。",
            f"封面的报告期与报送目录的月份（{out.report_month}）不一致。",
        )


def identity_claims(
    cover: dict, file_name: str, registry: VillageRegistry
) -> list[tuple[str, str, object]]:
    """(source, what it says, the village it names or None) for each identity the file gives:
    the 封面's 村代码 and 村名 when filled, the file name when it names a registered village."""
    claims = []
    code, name = cover.get("village_code"), cover.get("village_name")
    if code is not None and str(code).strip():
        claims.append(("封面村代码", str(code).strip(), registry.code_of(code)))
    if name is not None and str(name).strip():
        claims.append(("封面村名", str(name).strip(), registry.by_name(name)))
    by_file = registry.in_file_name(file_name)
    if by_file is not None:
        claims.append(("文件名", file_name, by_file))
    return claims


def _names(village) -> str:
    return f"是{village.name}" if village is not None else "不在村名单中"
