"""The blank workbook villages fill in, generated from the form catalogue."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from typer.testing import CliRunner

from township.cli import app
from township.forms import load_catalogue, normalise_label
from township.read.grid import load_grids
from township.reports.template import PREPARED_ROWS, write_template, write_village_templates
from township.rules.models import UPPER_BOUNDS

CATALOGUE = load_catalogue()
PERSON_FORMS = [f for f in CATALOGUE.forms.values() if f.kind == "person"]
RECORD_FORMS = [f for f in CATALOGUE.forms.values() if f.kind == "record"]
EXPECTED_CHOICES = {
    "child_sex": {"男", "女"},
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
def test_person_sheets_freeze_the_header_keep_ids_as_text_and_dates_as_dates(book, form):
    sheet = book[form.name_zh]
    assert sheet.freeze_panes == "A2"
    for col, field in enumerate(form.fields, start=1):
        letter = get_column_letter(col)
        assert sheet.column_dimensions[letter].width >= 8
        expected = {"id": "@", "date": "yyyy-mm-dd"}.get(field.type)
        for row in (2, PREPARED_ROWS + 1) if expected else ():
            assert sheet[f"{letter}{row}"].number_format == expected, (field.name, row)


@pytest.mark.parametrize("form", PERSON_FORMS, ids=lambda f: f.name)
def test_ids_dates_and_parities_are_checked_as_typed(book, form):
    sheet = book[form.name_zh]
    expected = {
        "id": ("textLength", "equal", "18"),
        "date": ("date", None, None),  # between (the default) 1900-01-01 and 2099-12-31
        "parity": ("whole", "greaterThanOrEqual", "1"),  # no cap at 4: a fifth child is real
    }
    for col, field in enumerate(form.fields, start=1):
        if field.type not in expected:
            continue
        dv = _validation_at(sheet, f"{get_column_letter(col)}{PREPARED_ROWS + 1}")
        kind, operator, value = expected[field.type]
        assert (dv.type, dv.operator) == (kind, operator), field.name
        assert value is None or dv.formula1 == value
        assert dv.showErrorMessage and dv.error


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
def test_record_sheets_accept_only_whole_numbers_from_zero_within_their_limits(book, form):
    sheet = book[form.name_zh]
    limits = dict(UPPER_BOUNDS.get(form.name, []))
    letters = {f.name: get_column_letter(c) for c, f in enumerate(form.fields, start=1)}
    for field in form.fields:
        dv = _validation_at(sheet, f"{letters[field.name]}2")
        assert dv is not None
        if field.name in limits:  # e.g. each method within 已婚育龄妇女数, 实查 within 应查
            assert dv.type == "custom"
            assert f"{letters[field.name]}2<=${letters[limits[field.name]]}$2" in dv.formula1
        else:
            assert (dv.type, dv.operator, dv.formula1) == ("whole", "greaterThanOrEqual", "0")


def test_the_bounds_the_template_checks_include_methods_and_checkups(book):
    assert ("iud", "married_women") in UPPER_BOUNDS["contraception"]
    assert ("checkups_done", "checkups_due") in UPPER_BOUNDS["services"]


@pytest.mark.parametrize("form", PERSON_FORMS + RECORD_FORMS, ids=lambda f: f.name)
def test_headers_are_protected_and_the_cells_to_fill_are_not(book, form):
    sheet = book[form.name_zh]
    assert sheet.protection.sheet
    assert all(c.protection.locked for c in sheet[1])
    assert not any(c.protection.locked for c in sheet[2])


def test_a_village_template_comes_with_its_cover_filled_in_and_unlocked(tmp_path):
    villages = [
        SimpleNamespace(code="420117104201", name="复合村"),
        SimpleNamespace(code="420117104202", name="桃园村"),
    ]
    paths = write_village_templates(tmp_path, villages, "2026-03")
    assert [p.name for p in paths] == [
        "420117104201_复合村_2026年3月计生月报.xlsx",
        "420117104202_桃园村_2026年3月计生月报.xlsx",
    ]
    cover = openpyxl.load_workbook(paths[1])["封面"]
    values = {r[0].value: r[1] for r in cover.iter_rows(min_row=2)}
    assert (values["村代码"].value, values["村名"].value) == ("420117104202", "桃园村")
    assert values["报告期"].value == "2026-03" and values["报告期"].data_type == "s"
    assert cover.protection.sheet and cover["A2"].protection.locked
    assert not values["填报人"].protection.locked
    grids = load_grids(paths[1])
    assert ["村代码", "420117104202"] in grids["封面"]


def test_a_blank_template_reads_back_as_headers_only(template):
    grids = load_grids(template)
    for form in PERSON_FORMS + RECORD_FORMS:
        grid = grids[form.name_zh]
        assert grid[0] == [f.name_zh for f in form.fields]
        assert all(v in (None, "") for row in grid[1:] for v in row)


def test_template_is_byte_identical_between_runs(tmp_path):
    first = write_template(tmp_path / "a.xlsx").read_bytes()
    assert write_template(tmp_path / "b.xlsx").read_bytes() == first


def test_the_command_writes_one_template_per_village_or_one_for_a_village(settings, tmp_path):
    runner = CliRunner()
    folder = tmp_path / "模板"
    result = runner.invoke(app, ["template", "--all", "--month", "2026-04", str(folder)])
    assert result.exit_code == 0, result.stderr
    assert len(list(folder.glob("*_2026年4月计生月报.xlsx"))) == 3
    result = runner.invoke(app, ["template", "--village", "420117104202", "--month", "2026-04"])
    assert result.exit_code == 0, result.stderr
    (one,) = Path().glob("420117104202_*_2026年4月计生月报.xlsx")
    assert ["报告期", "2026-04"] in load_grids(one)["封面"]
    unknown = runner.invoke(app, ["template", "--village", "420117109999"])
    assert unknown.exit_code == 2 and "420117109999" in unknown.stderr
    # -o, as every other command that writes a file takes it
    result = runner.invoke(app, ["template", "-o", str(tmp_path / "空白.xlsx")])
    assert result.exit_code == 0 and ["报告期", ""] in load_grids(tmp_path / "空白.xlsx")["封面"]


def test_a_villages_template_locks_its_code_and_name_and_checks_the_month(tmp_path):
    path = write_template(tmp_path / "v.xlsx", "420117104201", "复合村", "2026-04")
    cover = openpyxl.load_workbook(path)["封面"]
    locked = {row[0].value: row[1].protection.locked for row in cover.iter_rows(min_row=2)}
    assert locked == {
        "村代码": True,
        "村名": True,
        "报告期": False,
        "填报人": False,
        "联系电话": False,
        "填报日期": False,
    }
    assert cover.protection.sheet
    (month_check,) = [v for v in cover.data_validations.dataValidation if str(v.sqref) == "B4"]
    # a warning, not a refusal: the reader takes 2026年4月 too
    assert month_check.type == "custom" and month_check.errorStyle == "warning"
    assert "LEN(B4)=7" in month_check.formula1
