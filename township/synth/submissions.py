"""A village's submission laid out cell by cell in its own style, and written to files.

A Submission is one file (or, for a CSV village, one set of CSV files); its grids say what goes
in each sheet, cell by cell, and which Excel row each tagged record lands on, so the truth can
point at the rows the pipeline must find.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from township.forms import Catalogue
from township.synth.events import Beneficiary, Birth, MonthRecords, Village
from township.synth.months import month_of
from township.synth.styles import (
    Style,
    format_category,
    format_count,
    format_date,
    format_month,
    format_parity,
    format_residence,
    format_sex,
    format_text,
    header_label,
    sheet_name,
)
from township.synth.writer import COVER, COVER_HEADER, Merge, Sheet, write_csv, write_workbook

BIRTH_FIELDS = [
    "mother_name",
    "mother_id",
    "child_sex",
    "birth_date",
    "parity",
    "in_policy",
    "residence",
]
BIRTH_FIELDS_FULL = [
    "mother_name",
    "mother_id",
    "father_name",
    "father_id",
    "child_name",
    "child_sex",
    "birth_date",
    "parity",
    "in_policy",
    "residence",
    "note",
]
BENEFICIARY_FIELDS = ["name", "id_number", "category", "approved_on", "note"]
UNITS = {
    "births": "单位：人",
    "beneficiaries": "单位：人",
    "contraception": "单位：人",
    "migrants": "单位：人",
    "services": "单位：份、条、套、人次",
}
TITLES = {
    "births": "出生登记表",
    "beneficiaries": "新增奖励扶助对象花名册",
    "contraception": "已婚育龄妇女节育措施情况",
    "migrants": "流动人口管理情况",
    "services": "宣传服务情况",
}


def catalogue_form_name(form: str) -> str:
    from township.forms import load_catalogue

    return load_catalogue().forms[form].name_zh


TYPE_HINTS = {
    "text": "文本",
    "id": "身份证号",
    "sex": "男/女",
    "date": "年-月-日",
    "parity": "数字",
    "in_policy": "是/否",
    "residence": "户籍/流入/流出",
    "category": "奖扶/特扶/独女户",
}


@dataclass
class BirthRow:
    """A birth as one village writes it in one file; overrides are raw cells (planted errors)."""

    birth: Birth
    residence: str
    overrides: dict[str, object] = field(default_factory=dict)
    tag: str = ""


@dataclass
class BeneficiaryRow:
    """A new beneficiary as one village writes them in one file."""

    beneficiary: Beneficiary
    tag: str = ""


# ---------------------------------------------------------------------------------------------
# Grids: what goes in each sheet, cell by cell
# ---------------------------------------------------------------------------------------------


@dataclass
class SheetGrid:
    """A sheet's cells (rows[0] is Excel row 1) and the Excel rows of tagged records."""

    name: str
    rows: list[list[object]] = field(default_factory=list)
    merged_rows: set[int] = field(default_factory=set)  # title rows merged across the table
    width: int = 1
    date_format: str = "yyyy-mm-dd"
    tags: dict[str, int] = field(default_factory=dict)

    def add(self, cells: list[object], tag: str = "") -> int:
        self.rows.append(cells)
        if tag:
            self.tags[tag] = len(self.rows)
        return len(self.rows)

    def add_title(self, text: str, merged: bool) -> None:
        self.add([text] + [None] * (self.width - 1))
        if merged and self.width > 1:
            self.merged_rows.add(len(self.rows) - 1)

    def add_units(self, text: str) -> None:
        # Units sit at the right edge, above the header, as on printed forms.
        self.add([None] * (self.width - 1) + [text])

    def sheet(self) -> Sheet:
        """The sheet as the writer takes it: merged titles in larger type, the table's columns
        (A:B at least) widened."""
        return Sheet(
            self.name,
            self.rows,
            merges=[Merge(r, 0, r, self.width - 1, font_size=14) for r in sorted(self.merged_rows)],
            columns=(max(self.width, 2), 14),
            date_format=self.date_format,
        )


@dataclass
class Submission:
    """One file (or, for the CSV village, one set of CSV files) sent by a village."""

    village: Village
    month: str
    style: Style
    received: datetime
    file_stem: str
    births: list[BirthRow]
    beneficiaries: list[BeneficiaryRow]
    records: MonthRecords
    as_csv: bool = False
    csv_encoding: str = "utf-8-sig"


def _open_grid(name: str, width: int, form: str, sub: Submission) -> SheetGrid:
    style = sub.style
    grid = SheetGrid(name, width=width)
    grid.date_format = "yyyy/m/d" if style.date_style == "excel_slash" else "yyyy-mm-dd"
    if style.title != "none":
        year, mon = int(sub.month[:4]), int(sub.month[5:7])
        owner = sub.village.township_name if form == "births" else sub.village.name
        title = TITLES.get(form, f"{catalogue_form_name(form)}表")
        grid.add_title(f"{owner}{year}年{mon}月{title}", style.title == "merged")
    if style.units_row:
        grid.add_units(UNITS.get(form, "单位：人"))
    return grid


def _close_grid(grid: SheetGrid, sub: Submission) -> None:
    style = sub.style
    if style.footer == "none":
        return
    filled = f"{sub.received.year}年{sub.received.month}月{sub.received.day}日"
    parts = [f"填表人：{style.reporter}", "审核人：胡建国", f"填报日期：{filled}"]
    if style.footer == "single":
        grid.add(["    ".join(parts)])
    elif grid.width >= 5:  # spread over the table's width, as typed under a printed form
        grid.add([parts[0], None, parts[1], None, parts[2]])
    else:
        grid.add(parts)


def birth_columns(style: Style, shuffle_seed: int) -> list[str]:
    fields = list(BIRTH_FIELDS_FULL if style.extra_columns else BIRTH_FIELDS)
    if style.shuffle_columns:
        random.Random(shuffle_seed).shuffle(fields)
    return (["_seq"] if style.seq_column else []) + fields


def birth_cells(row: BirthRow, style: Style, i: int) -> dict[str, object]:
    b = row.birth
    cells: dict[str, object] = {
        "mother_name": format_text(b.mother.name, style, i),
        "mother_id": b.mother.id_number,
        "father_name": b.father.name,
        "father_id": b.father.id_number,
        "child_name": b.child_name,
        "child_sex": format_sex(b.child_sex, style),
        "birth_date": format_date(b.birth_date, style, i),
        "parity": format_parity(b.parity, style),
        "in_policy": style.policy_words[0 if b.in_policy else 1],
        "residence": format_residence(row.residence, style),
        "note": birth_note(b),
        "_seq": i + 1,
    }
    cells.update(row.overrides)
    return cells


def birth_note(b: Birth) -> str | None:
    if b.twin:
        return "双胞胎"
    return "补报" if month_of(b.birth_date) < b.report_month else None


def births_grid(catalogue: Catalogue, sub: Submission, name: str) -> SheetGrid:
    style = sub.style
    columns = birth_columns(style, int(sub.village.code))
    grid = _open_grid(name, len(columns), "births", sub)
    grid.add(
        [
            "序号" if c == "_seq" else header_label(catalogue, "births", c, style, k)
            for k, c in enumerate(columns)
        ]
    )
    _add_type_hints(grid, catalogue, "births", columns, style)
    if style.blank_rows:
        grid.add([])
    rows = sub.births
    for i, row in enumerate(rows):
        cells = birth_cells(row, style, i)
        grid.add([cells.get(c) for c in columns], row.tag)
        if style.blank_rows and i == len(rows) // 2:
            grid.add([])  # a row left empty in the middle of the list
    _add_totals(grid, style, len(rows))
    _close_grid(grid, sub)
    return grid


def _add_type_hints(grid, catalogue: Catalogue, form: str, columns: list[str], style) -> None:
    """What to type in each column, in a row under the header, as some printed forms have."""
    if style.type_hints:
        fields = catalogue.forms[form]
        grid.add(["" if c == "_seq" else TYPE_HINTS[fields.field(c).type] for c in columns])


def _add_totals(grid: SheetGrid, style: Style, n: int) -> None:
    if style.totals_row:
        grid.add(["合计", f"{n}人"] + [None] * (grid.width - 2))


def beneficiaries_grid(catalogue: Catalogue, sub: Submission, name: str) -> SheetGrid:
    style = sub.style
    columns = (["_seq"] if style.seq_column else []) + BENEFICIARY_FIELDS
    grid = _open_grid(name, len(columns), "beneficiaries", sub)
    grid.add(
        [
            "序号" if c == "_seq" else header_label(catalogue, "beneficiaries", c, style, k)
            for k, c in enumerate(columns)
        ]
    )
    _add_type_hints(grid, catalogue, "beneficiaries", columns, style)
    for i, row in enumerate(sub.beneficiaries):
        b = row.beneficiary
        cells = {
            "_seq": i + 1,
            "name": format_text(b.person.name, style, i),
            "id_number": b.person.id_number,
            "category": format_category(b.category, style),
            "approved_on": format_date(b.approved_on, style, i),
            "note": None,
        }
        grid.add([cells[c] for c in columns], row.tag)
    _add_totals(grid, style, len(sub.beneficiaries))
    _close_grid(grid, sub)
    return grid


def record_layout(style: Style, form: str) -> str:
    if style.record_layout == "mixed":
        return "table" if form == "contraception" else "list"
    return style.record_layout


def record_grid(
    catalogue: Catalogue, sub: Submission, form: str, name: str, values: dict
) -> SheetGrid:
    style = sub.style
    fields = [f for f in catalogue.forms[form].field_names if f in values]
    labels = [header_label(catalogue, form, f, style, k) for k, f in enumerate(fields)]
    cells = [format_count(values[f], style) for f in fields]
    if record_layout(style, form) == "list":
        grid = _open_grid(name, 2, form, sub)
        grid.add(list(style.list_headers))
        for label, cell in zip(labels, cells, strict=True):
            grid.add([label, cell])
    else:
        grid = _open_grid(name, len(fields), form, sub)
        grid.add(labels)
        if style.column_units:
            grid.add([style.column_units[k % len(style.column_units)] for k in range(len(fields))])
        grid.add(cells)
    _close_grid(grid, sub)
    return grid


def cover_grid(catalogue: Catalogue, sub: Submission) -> SheetGrid:
    style = sub.style
    filled = format_date(sub.received.date(), style, 1)
    values = {
        "village_code": sub.village.code,
        "village_name": sub.village.name,
        "report_month": format_month(sub.month, style),
        "reporter": style.reporter,
        "phone": style.phone,
        "filled_on": filled,
    }
    grid = SheetGrid(COVER, width=2)
    grid.date_format = "yyyy-mm-dd"
    if style.title != "none":
        grid.add_title(f"{sub.village.township_name}村级人口计生月报", style.title == "merged")
    grid.add(list(COVER_HEADER))
    for k, (name, value) in enumerate(values.items()):
        grid.add([header_label(catalogue, "cover", name, style, k), value])
    return grid


def submission_grids(catalogue: Catalogue, sub: Submission) -> list[tuple[str, SheetGrid]]:
    """(form, grid) for every sheet of a submission, cover first."""
    grids: list[tuple[str, SheetGrid]] = []
    if sub.style.has_cover and not sub.as_csv:
        grids.append(("cover", cover_grid(catalogue, sub)))
    for index, form in enumerate(f.name for f in catalogue.data_forms):
        name = sheet_name(catalogue, form, sub.style, index)
        if form == "births":  # written even when empty: "no births this month" is news too
            grids.append((form, births_grid(catalogue, sub, name)))
        elif form == "beneficiaries":
            if sub.beneficiaries or sub.style.empty_beneficiaries == "header":
                grids.append((form, beneficiaries_grid(catalogue, sub, name)))
        elif (values := getattr(sub.records, form, None)) is not None:
            grids.append((form, record_grid(catalogue, sub, form, name, values)))
    return grids


# ---------------------------------------------------------------------------------------------
# Writing files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    """Where a tagged record landed."""

    file: str  # relative to raw_dir, with forward slashes
    sheet: str
    row: int  # Excel row number


def write_submission(
    raw_dir: Path, catalogue: Catalogue, sub: Submission
) -> tuple[list[str], dict[str, Location]]:
    """Write a submission's file(s) with their received time as mtime.

    Returns the files written (relative to raw_dir) and the Excel rows of tagged records.
    """
    folder = raw_dir / sub.month
    grids = submission_grids(catalogue, sub)
    locations: dict[str, Location] = {}
    written: list[Path] = []
    if sub.as_csv:
        for form, grid in grids:
            path = folder / f"{sub.file_stem}_{catalogue.forms[form].name_zh}.csv"
            write_csv(path, grid.rows, sub.csv_encoding, received=sub.received)
            written.append(path)
            locations.update(_locate(raw_dir, path, path.stem, grid))
    else:
        path = folder / f"{sub.file_stem}.xlsx"
        write_workbook(
            path,
            [grid.sheet() for _, grid in grids],
            created=sub.received - timedelta(minutes=17),  # saved a little before it was sent
            author="村计生专干",
            received=sub.received,
        )
        written.append(path)
        for _, grid in grids:
            locations.update(_locate(raw_dir, path, grid.name, grid))
    return [p.relative_to(raw_dir).as_posix() for p in written], locations


def _locate(raw_dir: Path, path: Path, sheet: str, grid: SheetGrid) -> dict[str, Location]:
    relpath = path.relative_to(raw_dir).as_posix()
    return {tag: Location(relpath, sheet, row) for tag, row in grid.tags.items()}
