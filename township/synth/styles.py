"""How a village fills its workbook: the style choices and how each value is written.

A Style is one village's habits (title rows, header aliases, date and parity forms, the file's
name …); STYLE_OPTIONS lists the choices of each feature that villages really make.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date

from township.forms import Catalogue
from township.synth.events import Village


@dataclass(frozen=True)
class Style:
    """One village's habits in filling its workbook; the defaults are the plainest."""

    has_cover: bool = True
    file_pattern: str = "name_month"  # code_name | alias_month | name_month | report_name
    sheet_names: str = "canonical"  # canonical | alias | generic
    title: str = "none"  # none | plain | merged
    units_row: bool = False
    blank_rows: bool = False
    totals_row: bool = False
    footer: str = "none"  # none | single | split
    headers: str = "canonical"  # canonical | alias
    alias_shift: int = 0
    shuffle_columns: bool = False
    seq_column: bool = False
    extra_columns: bool = False  # father, child name, note
    date_style: str = "excel_iso"
    parity_style: str = "int"
    sex_style: str = "zh"  # zh | code
    policy_words: tuple[str, str] = ("是", "否")
    residence_blank: bool = False  # 户籍 left blank
    count_style: str = "number"  # number | fullwidth | text
    record_layout: str = "table"  # table | list | mixed
    list_headers: tuple[str, str] = ("项目", "数量")
    category_style: str = "full"  # full | short
    pad_text: bool = False
    cover_month: str = "iso"  # 2026-03 | 2026年3月
    empty_beneficiaries: str = "header"  # header | omit
    reporter: str = ""
    phone: str = ""
    # a row right under the header of a table: a unit word per column of the one-record forms
    # (cycled), a hint of what to type per column of the person forms
    column_units: tuple[str, ...] = ()
    type_hints: bool = False


STYLE_OPTIONS: dict[str, list] = {
    "title": ["none", "plain", "merged", "merged"],
    "units_row": [False, True],
    "blank_rows": [False, False, True],
    "totals_row": [False, True],
    "footer": ["none", "single", "split"],
    "headers": ["canonical", "alias", "alias"],
    "alias_shift": [0, 1, 2, 3],
    "shuffle_columns": [False, False, False, True],
    "seq_column": [True, False],
    "extra_columns": [True, False],
    "date_style": ["excel_iso", "excel_slash", "iso", "slash", "dot", "compact", "zh", "mixed"],
    "parity_style": ["int", "int", "text", "word", "ordinal", "fullwidth"],
    "sex_style": ["zh", "zh", "code"],
    "policy_words": [("是", "否"), ("政策内", "政策外"), ("计划内", "计划外"), ("符合", "不符合")],
    "residence_blank": [True, False],
    "count_style": ["number", "number", "fullwidth", "text"],
    "record_layout": ["table", "list", "mixed"],
    "list_headers": [("项目", "数量"), ("指标", "数值")],
    "category_style": ["full", "short"],
    "pad_text": [False, False, True],
    "cover_month": ["iso", "zh"],
    "empty_beneficiaries": ["header", "omit"],
    "sheet_names": ["canonical", "canonical", "alias"],
    "file_pattern": ["name_month", "report_name"],
}

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
PARITY_WORDS = {1: "一孩", 2: "二孩", 3: "三孩", 4: "四孩"}
PARITY_ORDINALS = {1: "第一孩", 2: "第二孩", 3: "第三孩", 4: "第四孩"}
CATEGORY_SHORT = {"农村奖励扶助": "奖扶", "特别扶助": "特扶", "独女户高考加分": "独女户"}


def spread_styles(n: int, rng: random.Random) -> list[dict]:
    """Style choices for n villages: every option of every feature used, in a seeded order."""
    columns = {}
    for feature, options in STYLE_OPTIONS.items():
        values = (options * math.ceil(n / len(options)))[:n]
        rng.shuffle(values)
        columns[feature] = values
    return [{feature: columns[feature][i] for feature in columns} for i in range(n)]


def format_date(day: date, style: Style, row: int) -> object:
    kind = style.date_style
    if kind == "mixed":  # typed by hand on some rows, picked from Excel's date cells on others
        kind = "excel_iso" if row % 3 else "slash"
    if kind.startswith("excel"):
        return day
    return {
        "iso": f"{day:%Y-%m-%d}",
        "slash": f"{day.year}/{day.month}/{day.day}",
        "dot": f"{day.year}.{day.month}.{day.day}",
        "compact": f"{day:%Y%m%d}",
        "zh": f"{day.year}年{day.month}月{day.day}日",
    }[kind]


def format_parity(parity: int, style: Style) -> object:
    kind = style.parity_style
    if kind == "int":
        return parity
    if kind == "word":
        return PARITY_WORDS[parity]
    if kind == "ordinal":
        return PARITY_ORDINALS[parity]
    if kind == "fullwidth":
        return str(parity).translate(FULL_WIDTH)
    return str(parity)


def format_sex(sex: str, style: Style) -> object:
    if style.sex_style == "code":  # GB/T 2261: 1 male, 2 female
        return 1 if sex == "男" else 2
    return sex


def format_count(n: int, style: Style) -> object:
    if style.count_style == "fullwidth":
        return str(n).translate(FULL_WIDTH)
    if style.count_style == "text":
        return f" {n}"
    return n


def format_category(category: str, style: Style) -> str:
    return CATEGORY_SHORT[category] if style.category_style == "short" else category


def format_text(text: str, style: Style, row: int) -> str:
    return f"{text} " if style.pad_text and row % 4 == 1 else text


def format_residence(residence: str, style: Style) -> str | None:
    return None if residence == "户籍" and style.residence_blank else residence


def format_month(month: str, style: Style) -> str:
    return month if style.cover_month == "iso" else f"{int(month[:4])}年{int(month[5:7])}月"


def header_label(catalogue: Catalogue, form: str, field_name: str, style: Style, k: int) -> str:
    spec = catalogue.forms[form].field(field_name)
    if style.headers == "canonical":
        return spec.name_zh
    return spec.aliases[(style.alias_shift + k) % len(spec.aliases)]


def sheet_name(catalogue: Catalogue, form: str, style: Style, index: int) -> str:
    spec = catalogue.forms[form]
    if style.sheet_names == "generic" and form != "cover":
        return f"Sheet{index + 1}"
    if style.sheet_names == "alias":
        return spec.sheet_aliases[1 % len(spec.sheet_aliases)]
    return spec.name_zh


def file_stem(village: Village, month: str, style: Style) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    alias = village.aliases[0] if village.aliases else village.name
    return {
        "code_name": f"{village.code}_{village.name}_{year}年{mon}月",
        "alias_month": f"{alias}{mon}月报表",
        "name_month": f"{village.name}{year}年{mon}月计生月报",
        "report_name": f"计生月报表（{village.name}）{year}.{mon:02d}",
    }[style.file_pattern]
