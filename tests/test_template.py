"""The blank workbook villages fill in, generated from the form catalogue."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from township.forms import load_catalogue, normalise_label
from township.read.grid import load_grids
from township.reports.template import PREPARED_ROWS, write_template

CATALOGUE = load_catalogue()
PERSON_FORMS = [f for f in CATALOGUE.forms.values() if f.kind == "person"]
RECORD_FORMS = [f for f in CATALOGUE.forms.values() if f.kind == "record"]
EXPECTED_CHOICES = {
    "child_sex": {"男", "女"},
    "parity": {"1", "2", "3", "4"},
    "in_policy": {"是", "否"},
    "residence": {"户籍", "流入", "流出"},
    "category": {"农村奖励扶助", "特别扶助", "独女户高考加分"},
}


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    return write_template(tmp_path_factory.mktemp("tpl") / "村计生月报表.xlsx")


@pytest.fixture(scope="module")
def book(template: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(template)


def _validation_at(sheet, ref: str):
    hits = [dv for dv in sheet.data_validations.dataValidation if ref in dv.sqref]
    return next((dv for dv in hits if dv.type is not None), None)


def _list_values(dv) -> set[str]:
    return set(dv.formula1.strip('"').split(","))


def test_sheets_are_instructions_cover_then_every_data_form(book):
    expected = ["填表说明", "封面"] + [f.name_zh for f in CATALOGUE.data_forms]
    assert book.sheetnames == expected


def test_instructions_cover_deadline_formats_required_fields_and_what_is_not_collected(book):
    text = "\n".join(str(c.value) for row in book["填表说明"].iter_rows() for c in row if c.value)
    for phrase in ("次月5日", "18位", "2026-03-05", "社会抚养费", "补救措施", "*"):
        assert phrase in text
    assert "母亲身份证号*" in text
    assert "父亲姓名*" not in text


def test_every_header_is_one_of_its_fields_aliases():
    for form in CATALOGUE.forms.values():
        for field in form.fields:
            aliases = {normalise_label(a) for a in field.aliases}
            assert normalise_label(field.name_zh) in aliases, (form.name, field.name)


@pytest.mark.parametrize("form", PERSON_FORMS + RECORD_FORMS, ids=lambda f: f.name)
def test_data_sheets_carry_the_canonical_headers_in_row_one(book, form):
    sheet = book[form.name_zh]
    headers = [c.value for c in sheet[1]]
    assert headers == [f.name_zh for f in form.fields]


def test_cover_is_a_two_column_list_of_cover_fields(book):
    rows = list(book["封面"].iter_rows(values_only=True))
    assert rows[0] == ("项目", "内容")
    assert [r[0] for r in rows[1:]] == [f.name_zh for f in CATALOGUE.forms["cover"].fields]


@pytest.mark.parametrize("form", PERSON_FORMS, ids=lambda f: f.name)
def test_person_sheets_freeze_the_header_and_keep_ids_and_dates_as_text(book, form):
    sheet = book[form.name_zh]
    assert sheet.freeze_panes == "A2"
    for col, field in enumerate(form.fields, start=1):
        letter = get_column_letter(col)
        assert sheet.column_dimensions[letter].width >= 8
        if field.type in ("id", "date"):
            for row in (2, PREPARED_ROWS + 1):
                assert sheet[f"{letter}{row}"].number_format == "@", (field.name, row)


@pytest.mark.parametrize("form", PERSON_FORMS, ids=lambda f: f.name)
def test_coded_columns_offer_drop_down_lists(book, form):
    sheet = book[form.name_zh]
    for col, field in enumerate(form.fields, start=1):
        if field.name not in EXPECTED_CHOICES:
            continue
        letter = get_column_letter(col)
        for row in (2, PREPARED_ROWS + 1):
            dv = _validation_at(sheet, f"{letter}{row}")
            assert dv is not None and dv.type == "list", (field.name, row)
            assert _list_values(dv) == EXPECTED_CHOICES[field.name]


@pytest.mark.parametrize("form", RECORD_FORMS, ids=lambda f: f.name)
def test_record_sheets_accept_only_whole_numbers_from_zero(book, form):
    sheet = book[form.name_zh]
    for col in range(1, len(form.fields) + 1):
        dv = _validation_at(sheet, f"{get_column_letter(col)}2")
        assert dv is not None
        assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")


def test_a_blank_template_reads_back_as_headers_only(template):
    grids = load_grids(template)
    for form in PERSON_FORMS + RECORD_FORMS:
        grid = grids[form.name_zh]
        assert grid[0] == [f.name_zh for f in form.fields]
        assert all(v in (None, "") for row in grid[1:] for v in row)


def test_template_is_byte_identical_between_runs(tmp_path):
    first = write_template(tmp_path / "a.xlsx").read_bytes()
    assert write_template(tmp_path / "b.xlsx").read_bytes() == first
