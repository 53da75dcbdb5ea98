"""The blank workbook villages fill in, generated from the form catalogue (schemas/forms.yaml).

Every header is written exactly as the field's `name_zh`, which is always one of the field's
aliases, so a filled-in template is read back without any guessing. Given a village and a month,
the 封面 comes filled in. The header rows are protected (the cells to fill are not); Excel's data
validation checks what it can as the officer types: an ID number of 18 characters, a real date,
whole numbers, and a count within its limit (each method within 已婚育龄妇女数, 实查 within 应查:
township.rules.models.UPPER_BOUNDS, the same bounds the validation checks).
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet

from township.calendar import month_zh
from township.forms import Catalogue, Field, Form, load_catalogue
from township.rules.models import UPPER_BOUNDS

PREPARED_ROWS = 200  # person forms: rows pre-formatted and validated below the header
INSTRUCTIONS_SHEET = "填表说明"
# A fixed creation time keeps the template byte-identical from run to run.
TEMPLATE_CREATED = datetime(2026, 1, 1)

# Coded fields whose choices are not simply the distinct values of their vocabulary.
FIXED_CHOICES = {"in_policy": ["是", "否"]}
CODED_TYPES = ("sex", "in_policy", "residence", "category")
TEXT_TYPES = ("id", "month")  # kept as text so Excel cannot mangle them
FIRST_DAY, LAST_DAY = datetime(1900, 1, 1), datetime(2099, 12, 31)
# What the officer may change on a protected sheet: widths, heights, sorting, filtering.
PROTECTION = {"format_columns": True, "format_rows": True, "sort": True, "autofilter": True}

WIDTH_BY_TYPE = {"id": 22, "date": 13, "month": 12, "category": 16, "residence": 11}

INPUT_HINTS = {
    "id": ("身份证号", "18位身份证号，按文本填写（末位可以是X）。"),
    "date": ("日期", "格式如 2026-03-05。"),
    "month": ("报告期", "格式如 2026-03。"),
    "parity": ("孩次", "孩次填数字：1、2、3……"),
}


def write_template(
    path: Path,
    village_code: str | None = None,
    village_name: str | None = None,
    month: str | None = None,
) -> Path:
    """Write the monthly workbook to `path` and return it; its 封面 filled in with the village
    and the month when given."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    catalogue = load_catalogue()
    workbook = xlsxwriter.Workbook(str(path), {"in_memory": True})
    workbook.set_properties({"title": "村计生月报表", "created": TEMPLATE_CREATED})
    formats = _formats(workbook)
    cover = {"village_code": village_code, "village_name": village_name, "report_month": month}
    _write_instructions(workbook.add_worksheet(INSTRUCTIONS_SHEET), catalogue, formats)
    for form in catalogue.forms.values():
        sheet = workbook.add_worksheet(form.name_zh)
        if form.kind == "cover":
            _write_cover(sheet, form, formats, cover)
        elif form.kind == "person":
            _write_person_form(sheet, form, catalogue, formats)
        else:
            _write_record_form(sheet, form, formats)
        sheet.protect("", PROTECTION)  # no password: it keeps the headers from slips, no more
    workbook.close()
    return path


def village_template_name(village_code: str, village_name: str, month: str) -> str:
    """420117104201_复合村_2026年3月计生月报.xlsx: the file a village fills in and sends back."""
    return f"{village_code}_{village_name}_{month_zh(month)}计生月报.xlsx"


def write_village_templates(folder: Path, villages, month: str) -> list[Path]:
    """One template per village (objects with `code` and `name`), 封面 filled in."""
    return [
        write_template(folder / village_template_name(v.code, v.name, month), v.code, v.name, month)
        for v in villages
    ]


def _formats(workbook: xlsxwriter.Workbook) -> dict:
    cell = {"border": 1, "valign": "vcenter"}
    header = {**cell, "bold": True, "align": "center", "text_wrap": True, "bg_color": "#DDEBF7"}
    return {
        "title": workbook.add_format({"bold": True, "font_size": 14}),
        "heading": workbook.add_format({"bold": True}),
        "line": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "header": workbook.add_format(header),
        # Required columns stand out; the header text itself stays exactly name_zh.
        "header_required": workbook.add_format({**header, "bg_color": "#F8CBAD"}),
        "text": workbook.add_format({**cell, "num_format": "@", "locked": False}),
        "plain": workbook.add_format({**cell, "locked": False}),
        "date": workbook.add_format({**cell, "num_format": "yyyy-mm-dd", "locked": False}),
        "count": workbook.add_format({**cell, "num_format": "0", "locked": False}),
        "label": workbook.add_format(cell),
        # the village's own code and name, filled in by the township: locked, greyed
        "given": workbook.add_format({**cell, "num_format": "@", "bg_color": "#EDEDED"}),
    }


def _instruction_lines(catalogue: Catalogue) -> list[tuple[str, str]]:
    """(style, text) lines of the 填表说明 sheet."""
    lines = [
        ("title", "村计生月报表 填表说明"),
        ("line", "1. 每个村每月报送一个工作簿，于次月5日前报送镇计生办。"),
        ("line", "2. 不要修改工作表名称和表头文字，不要删除或调换列；没有发生的表可以留空。"),
        ("line", "3. 身份证号填写18位，按文本填写（单元格已设为文本格式），不要写成数字。"),
        ("line", "4. 日期写成 2026-03-05 的格式；封面的报告期写成 2026-03。"),
        ("line", "5. 出生登记每个婴儿一行（双胞胎写两行），奖励扶助每人一行。"),
        ("line", "6. 节育措施、流动人口、宣传服务只填一行数字（没有发生的填 0）。"),
        ("line", "7. 性别、是否符合政策、流动性质、类别请从下拉列表中选择；孩次填数字 1、2、3……"),
        ("line", "8. 带 * 的项目必须填写（表头为橙色的列）。"),
        ("line", "9. 社会抚养费、补救措施已不再统计，不需要填报。"),
        ("heading", "各表项目（* 为必填）："),
    ]
    for form in catalogue.forms.values():
        # All of a form's fields go in one cell, so this sheet never looks like a header row.
        names = "、".join(f.name_zh + ("*" if f.required else "") for f in form.fields)
        lines.append(("line", f"{form.name_zh}：{names}"))
    return lines


def _write_instructions(sheet: Worksheet, catalogue: Catalogue, formats: dict) -> None:
    sheet.set_column(0, 0, 100)
    for row, (style, text) in enumerate(_instruction_lines(catalogue)):
        sheet.write_string(row, 0, text, formats[style])


def _write_cover(sheet: Worksheet, form: Form, formats: dict, given: dict) -> None:
    """Two-column list: 项目 | 内容, one cover field a row; the village and month when given."""
    sheet.set_column(0, 0, 16)
    sheet.set_column(1, 1, 36)
    sheet.write_string(0, 0, "项目", formats["header"])
    sheet.write_string(0, 1, "内容", formats["header"])
    for row, field in enumerate(form.fields, start=1):
        label_format = formats["header_required"] if field.required else formats["label"]
        sheet.write_string(row, 0, field.name_zh, label_format)
        value = given.get(field.name)
        cell_format = formats["date"] if field.type == "date" else formats["text"]
        if value and field.name in LOCKED_WHEN_GIVEN:
            cell_format = formats["given"]
        if value:
            sheet.write_string(row, 1, value, cell_format)
        else:
            sheet.write_blank(row, 1, None, cell_format)
        _add_input_check(sheet, row, 1, row, field)


def _write_person_form(sheet: Worksheet, form: Form, catalogue: Catalogue, formats: dict) -> None:
    _write_header(sheet, form, formats)
    sheet.freeze_panes(1, 0)
    for col, field in enumerate(form.fields):
        cell_format = _cell_format(field, formats)
        # The column's format unlocks the rows past the prepared ones too.
        sheet.set_column(col, col, _width(field), cell_format)
        # Column formats alone are not cell formats: write the prepared cells explicitly.
        for row in range(1, PREPARED_ROWS + 1):
            sheet.write_blank(row, col, None, cell_format)
        choices = _choices(field, catalogue)
        if choices:
            _add_list_validation(sheet, col, field, choices)
        else:
            _add_input_check(sheet, 1, col, PREPARED_ROWS, field)


def _cell_format(field: Field, formats: dict):
    if field.type == "date":
        return formats["date"]  # a real date, which Excel's date validation can check
    return formats["text"] if field.type in TEXT_TYPES else formats["plain"]


def _write_record_form(sheet: Worksheet, form: Form, formats: dict) -> None:
    """Header row plus one row of whole numbers, each within its limit where it has one."""
    _write_header(sheet, form, formats)
    limits = dict(UPPER_BOUNDS.get(form.name, []))
    columns = {f.name: col for col, f in enumerate(form.fields)}
    for col, field in enumerate(form.fields):
        sheet.set_column(col, col, _width(field))
        sheet.write_blank(1, col, None, formats["count"])
        limit = limits.get(field.name)
        if limit is None:
            check = {"validate": "integer", "criteria": ">=", "value": 0}
            message = f"{field.name_zh}请填0或正整数。"
        else:
            check = {"validate": "custom", "value": _within(1, col, columns[limit])}
            limit_zh = form.field(limit).name_zh
            message = f"{field.name_zh}请填0或正整数，且不能大于{limit_zh}。"
        sheet.data_validation(
            1, col, 1, col, {**check, "error_title": "请核对", "error_message": message}
        )


def _within(row: int, col: int, limit_col: int) -> str:
    """A whole number ≥ 0, not above the limit cell (not checked while that is still blank)."""
    cell = xl_rowcol_to_cell(row, col)
    limit = xl_rowcol_to_cell(row, limit_col, row_abs=True, col_abs=True)
    return f'=AND(ISNUMBER({cell}),{cell}>=0,INT({cell})={cell},OR({limit}="",{cell}<={limit}))'


def _write_header(sheet: Worksheet, form: Form, formats: dict) -> None:
    sheet.set_row(0, 30)
    for col, field in enumerate(form.fields):
        header_format = formats["header_required"] if field.required else formats["header"]
        sheet.write_string(0, col, field.name_zh, header_format)


def _width(field: Field) -> float:
    # CJK characters are about two Excel width units each.
    return max(WIDTH_BY_TYPE.get(field.type, 10), 2 * len(field.name_zh) + 3)


def _choices(field: Field, catalogue: Catalogue) -> list[str]:
    """The drop-down values of a coded field: its vocabulary's canonical values."""
    if field.type not in CODED_TYPES:
        return []
    if field.type in FIXED_CHOICES:
        return FIXED_CHOICES[field.type]
    return list(dict.fromkeys(str(v) for v in catalogue.vocabularies[field.type].values()))


def _add_list_validation(sheet: Worksheet, col: int, field: Field, choices: list[str]) -> None:
    hint = f"请从下拉列表中选择：{'、'.join(choices)}。"
    sheet.data_validation(
        1,
        col,
        PREPARED_ROWS,
        col,
        {
            "validate": "list",
            "source": choices,
            "input_title": field.name_zh[:32],
            "input_message": hint,
            "error_title": "填写有误",
            "error_message": hint,
        },
    )


# a village's template names it: the officer fills in the month, not another village
LOCKED_WHEN_GIVEN = ("village_code", "village_name")

INPUT_CHECKS = {
    "id": {"validate": "length", "criteria": "==", "value": 18},
    "date": {"validate": "date", "criteria": "between", "minimum": FIRST_DAY, "maximum": LAST_DAY},
    "parity": {"validate": "integer", "criteria": ">=", "value": 1},
}


def _add_input_check(sheet: Worksheet, first: int, col: int, last: int, field: Field) -> None:
    """A prompt shown when the cell is selected and, where Excel can check it, a check of what
    is typed (an ID of 18 characters, a real date, a parity of 1 or more)."""
    if field.type not in INPUT_HINTS:
        return
    title, message = INPUT_HINTS[field.type]
    check = INPUT_CHECKS.get(field.type) or _formula_check(
        field.type, xl_rowcol_to_cell(first, col)
    )
    options = {**(check or {"validate": "any"}), "input_title": title, "input_message": message}
    if check:
        options |= {"error_title": f"{title}有误", "error_message": message}
    sheet.data_validation(first, col, last, col, options)


def _formula_check(kind: str, cell: str) -> dict | None:
    """A check Excel runs as a formula on the cell: a month typed as 2026-03. Only a warning:
    the reader takes other spellings too (2026年3月), and the officer may keep one."""
    if kind != "month":
        return None
    month = f"VALUE(RIGHT({cell},2))"
    formula = (
        f'=AND(LEN({cell})=7,MID({cell},5,1)="-",ISNUMBER(VALUE(LEFT({cell},4))),'
        f"ISNUMBER({month}),{month}>=1,{month}<=12)"
    )
    return {"validate": "custom", "value": formula, "error_type": "warning"}
