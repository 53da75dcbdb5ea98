"""Input nobody here wrote: each test is a class of what other townships' villages send.

Units rows in any words, values merged down a column, formulas saved without their results,
workbook formats other than .xlsx, control characters, hidden sheets, headers far down. The
files are the committed corpus (tests/fixtures/make_corpus.py) or written under tmp_path;
the grids of the property tests are what calamine gives for such sheets.
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from builders import VILLAGES_CSV, Formula, make_id, write_workbook
from hostile_files import sheet_xml, xlsx
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from township.forms import load_catalogue, normalise_label
from township.model import ERROR, FileRead
from township.read.files import ACCEPTED_SUFFIXES, read_file
from township.read.headers import LONGEST_HEADER, alias_index, field_for_label, loosened
from township.read.layout import detect_layout
from township.read.sheets import extract
from township.read.values import MAX_COUNT, NORMALISERS, NOT_UNITS, to_count
from township.rules.catalog import finding
from township.rules.validate import validate_batch
from township.villages import VillageRegistry

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
FILES = CORPUS / "2026-03"
REGISTRY = VillageRegistry.load(CORPUS / "villages.csv")
CATALOGUE = load_catalogue()
BIRTH = date(2026, 3, 5)
MOTHER_ID = "420102199503120408"
MOTHER_ID_2 = "420102199207150522"
BIRTH_HEADER = [
    "母亲姓名",
    "母亲身份证号",
    "婴儿性别",
    "出生日期",
    "孩次",
    "是否符合政策",
    "流动性质",
]
SERVICES = {
    "leaflets": 520,
    "slogans": 12,
    "posters": 6,
    "consultations": 48,
    "checkups_due": 300,
    "checkups_done": 296,
    "follow_up_visits": 75,
    "two_non_cases": 0,
}
GRIDS = settings(
    max_examples=150,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def read(name: str | Path, **limits) -> FileRead:
    path = name if isinstance(name, Path) else FILES / name
    return read_file(path, "2026-03", REGISTRY, max_bytes=5 * 1024 * 1024, max_rows=5000, **limits)


def findings_of(fr: FileRead) -> list[tuple[str, str, str | None]]:
    """Every finding of a file, the reader's and validation's: (rule, sheet, cell)."""
    return [(f.rule_id, f.sheet, f.cell) for f in validate_batch([fr]).findings[0]]


# ----------------------------------------------------------------------------- units rows


def test_units_row_in_any_unit_words_is_not_data():
    # 件, （条）, 单位:套, (户), 【次】, 元 under 宣传服务; （人）/（例）/（盒） a blank row below
    # the 节育措施 header; a 单位 column in the 流动人口 list, with counts typed as 30人, 28件
    fr = read("unit_words_420117104201.xlsx")
    assert fr.rejection is None
    assert fr.sheets["services"].records == [SERVICES]
    assert fr.sheets["services"].rows == [3]
    assert fr.sheets["contraception"].records[0]["married_women"] == 350
    assert fr.sheets["contraception"].rows == [4]
    migrants = fr.sheets["migrants"]
    assert migrants.records[0] == {
        "out_migrants": 86,
        "out_married_women": 30,
        "out_certified": 28,
        "out_contacted": 25,
        "in_migrants": 12,
        "in_married_women": 4,
    }
    assert migrants.cells[0]["out_migrants"] == "C2"  # the value, not the unit in B2
    assert findings_of(fr) == []  # no village is told a unit word is an invalid count


def test_type_hint_row_under_a_person_header_is_not_a_person():
    # 文本 | 18位 | 男/女 | 年-月-日 | 数字 | 是/否 | 户籍/流入/流出 under the births header
    births = read("unit_words_420117104201.xlsx").sheets["births"]
    assert births.rows == [3]
    assert [r["mother_name"] for r in births.records] == ["甘露"]


CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
UNIT_WORD = st.text(CJK, min_size=1, max_size=3)
DRESSED_UNIT = st.builds(
    lambda word, dress: dress.format(word),
    UNIT_WORD,
    st.sampled_from(["{}", "（{}）", "({})", "【{}】", "单位:{}", "单位：{}", " {} ", "{}/人"]),
)
RECORD_FORMS = [f for f in CATALOGUE.forms.values() if f.kind == "record"]


def _not_a_header(word: str, form_name: str) -> bool:
    return normalise_label(word) not in alias_index(form_name)


@GRIDS
@given(form=st.sampled_from(RECORD_FORMS), data=st.data())
def test_units_row_in_arbitrary_short_words_never_becomes_the_record(form, data):
    fields = data.draw(st.lists(st.sampled_from(form.fields), min_size=2, unique=True))
    header = [data.draw(st.sampled_from(f.aliases)) for f in fields]
    units = [data.draw(st.one_of(DRESSED_UNIT, st.sampled_from([None, ""]))) for _ in fields]
    assume(any(units))
    assume(all(u is None or _not_a_header(u, form.name) for u in units))
    values = [data.draw(st.integers(0, 10**6)) for _ in fields]
    blank = [[]] if data.draw(st.booleans()) else []
    grid = [header, *blank, units, values]
    layout = detect_layout(grid, form)
    assert layout is not None and layout.kind == "table"
    read = extract("表", grid, layout, CATALOGUE)
    assert read.records == [{f.name: v for f, v in zip(fields, values, strict=True)}]
    assert read.rows == [len(grid)]


HINTS = {
    "text": ["文本", "汉字", "姓名"],
    "id": ["18位", "身份证号", "18位数字", "文本格式"],
    "sex": ["男/女", "1男2女", "性别"],
    "date": ["年-月-日", "yyyy-mm-dd", "日期", "2026-01-01格式"],
    "parity": ["数字", "第几孩", "1/2/3"],
    "in_policy": ["是/否", "政策内/外"],
    "residence": ["户籍/流入/流出", "选填"],
    "category": ["奖扶/特扶", "类别"],
}


@GRIDS
@given(
    form=st.sampled_from([CATALOGUE.forms["births"], CATALOGUE.forms["beneficiaries"]]),
    data=st.data(),
)
def test_type_hint_row_in_arbitrary_words_never_becomes_a_person(form, data):
    fields = [f for f in form.fields if f.required] + [
        f for f in form.fields if not f.required and data.draw(st.booleans())
    ]
    header = [f.aliases[0] for f in fields]
    hints = []
    for f in fields:
        hint = data.draw(st.one_of(st.sampled_from(HINTS[f.type]), UNIT_WORD, st.none()))
        if hint is not None and f.type != "text":
            typed = NORMALISERS[f.type](hint)
            assume(not isinstance(typed, int | date | bool) and typed not in ("男", "女"))
            assume(
                typed not in ("户籍", "流入", "流出", "农村奖励扶助", "特别扶助", "独女户高考加分")
            )
        hints.append(hint)
    assume(any(h for f, h in zip(fields, hints, strict=True) if f.type != "text"))
    person = {
        "births": {
            "mother_name": "柏青",
            "mother_id": "420102199503120408",
            "child_sex": "女",
            "birth_date": BIRTH,
            "parity": 1,
        },
        "beneficiaries": {
            "name": "施老汉",
            "id_number": "420100196001010130",
            "category": "农村奖励扶助",
            "approved_on": BIRTH,
        },
    }[form.name]
    grid = [header, hints, [person.get(f.name) for f in fields]]
    layout = detect_layout(grid, form)
    read = extract("表", grid, layout, CATALOGUE)
    assert read.rows == [3]
    assert {k: v for k, v in read.records[0].items() if k in person} == person


@given(n=st.integers(0, MAX_COUNT), unit=UNIT_WORD, space=st.sampled_from(["", " "]))
def test_a_count_typed_with_any_unit_word_is_the_count(n, unit, space):
    if NOT_UNITS.intersection(unit):  # 3万 is not 3, 30余 not 30: told to the village
        assert to_count(f"{n}{space}{unit}") == f"{n}{space}{unit}"
    else:
        assert to_count(f"{n}{space}{unit}") == n
        assert to_count(f"{n}（{unit}）") == n


# ----------------------------------------------------------------------------- merged cells


def test_values_merged_down_a_data_column_apply_to_every_row_they_cover():
    fr = read("merged_cells_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.header_row == 2  # the title merged over A1:G1 is still a title
    assert births.rows == [3, 4, 5]  # row 6 (a parity merged into it, else blank) is no birth
    twins = births.records[:2]
    assert [t["mother_name"] for t in twins] == ["孔雀", "孔雀"]
    assert twins[0]["mother_id"] == twins[1]["mother_id"]
    assert [t["birth_date"] for t in twins] == [BIRTH, BIRTH]
    assert [(t["child_sex"], t["parity"]) for t in twins] == [("女", 1), ("男", 2)]
    assert [r["in_policy"] for r in births.records] == [True, True, True]  # F3:F5
    assert [r["residence"] for r in births.records] == ["流入"] * 3  # G3:G5
    assert births.cells[1]["mother_name"] == "A4"  # each twin's own row and cell
    assert findings_of(fr) == []  # the remark merged over A7:G8 is not a birth either


@pytest.mark.parametrize(
    "name",
    [
        "format_xls_420117104201.xls",
        "format_ods_420117104201.ods",
        "format_xlsb_420117104201.xlsb",
    ],
)
def test_merged_cells_are_filled_in_every_format(name):
    births = read(name).sheets["births"]
    assert [r["mother_name"] for r in births.records] == ["鲁班", "鲁班"]
    assert births.records[0]["mother_id"] == births.records[1]["mother_id"]


# ----------------------------------------------------------------------------- formulas


def test_formula_without_a_saved_value_is_an_error_at_its_cell():
    fr = read("bad_formulas_without_value_420117104201.xlsx")
    errors = [f for f in fr.findings if f.severity == ERROR]
    assert [(f.rule_id, f.sheet, f.cell, f.row, f.field) for f in errors] == [
        ("cell.formula_without_value", "宣传服务", "A2", 2, "leaflets"),
        ("cell.formula_without_value", "出生登记", "F2", 2, "in_policy"),
    ]
    assert "公式" in errors[0].message_zh and "宣传资料份数" in errors[0].message_zh
    assert "WPS" in errors[0].fix_zh and "保存" in errors[0].fix_zh
    # F3 holds its saved result; E4 is in the 合计 row: neither is reported
    assert fr.sheets["births"].records[1]["in_policy"] is True


FORMULA_CASES = {
    "no value at all": ('<c r="B2"><f>SUM(A1:A3)</f></c>', True),
    "an empty value": ('<c r="B2"><f>SUM(A1:A3)</f><v/></c>', True),
    "a shared formula": ('<c r="B2"><f t="shared" si="0"/></c>', True),
    "a saved result": ('<c r="B2"><f>SUM(A1:A3)</f><v>12</v></c>', False),
    "an empty text result": ('<c r="B2" t="str"><f>IF(1,"","")</f><v></v></c>', False),
}


@pytest.mark.parametrize("case", FORMULA_CASES, ids=list(FORMULA_CASES))
def test_formula_cells_are_told_apart_by_whether_a_result_was_saved(tmp_path, case):
    xml, reported = FORMULA_CASES[case]
    sheet = sheet_xml([["宣传资料份数", "标语条数", "咨询人次"], [520, xml, 48]])
    fr = read(xlsx(tmp_path / "420117104201.xlsx", {"宣传服务": sheet}))
    found = [(f.rule_id, f.cell) for f in fr.findings]
    assert found == ([("cell.formula_without_value", "B2")] if reported else [])


def test_formulas_are_found_in_files_written_with_a_namespace_prefix(tmp_path):
    # the Open XML SDK writes <x:worksheet>, <x:c>, <x:f>
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    sheet = (
        f'<?xml version="1.0"?><x:worksheet xmlns:x="{main}"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>宣传资料份数</x:t></x:is></x:c>'
        '<x:c r="B1" t="inlineStr"><x:is><x:t>标语条数</x:t></x:is></x:c></x:row>'
        '<x:row r="2"><x:c r="A2"><x:v>5</x:v></x:c><x:c r="B2"><x:f>A2*2</x:f></x:c></x:row>'
        "</x:sheetData></x:worksheet>"
    ).encode()
    fr = read(xlsx(tmp_path / "420117104201.xlsx", {"宣传服务": sheet}))
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("cell.formula_without_value", "B2")]


@pytest.mark.parametrize("after", [["注：请核对"], ["周萍", "420102199503120408", "女", 46086, 1]])
def test_a_row_of_formulas_alone_is_reported_not_skipped_as_blank(tmp_path, after):
    # the row reads as blank: under a header that gave no birth, or between two births
    row = ['<c r="A4"><f>Sheet2!A1</f></c>', '<c r="B4"><f>Sheet2!B1</f></c>', None, None, None]
    births = [["出生登记表"], BIRTH_HEADER[:5]]
    if len(after) > 1:
        births.append(["吴静", "420102199503120520", "女", 46086, 1])
    else:
        births.append([])
    sheet = sheet_xml([*births, row, after])
    fr = read(xlsx(tmp_path / "420117104201.xlsx", {"出生登记": sheet}))
    assert [(f.rule_id, f.cell) for f in fr.findings] == [
        ("cell.formula_without_value", "A4"),
        ("cell.formula_without_value", "B4"),
    ]


# ----------------------------------------------------------------------------- formats


FORMAT_FILES = [
    "format_xls_420117104201.xls",
    "format_et_420117104201.et",
    "format_ods_420117104201.ods",
    "format_xlsb_420117104201.xlsb",
    "xls_named_xlsx_420117104201.xlsx",
]


@pytest.mark.parametrize("name", FORMAT_FILES)
def test_every_workbook_format_calamine_reads_reads_as_the_xlsx_would(name):
    assert Path(name).suffix in ACCEPTED_SUFFIXES
    fr = read(name)
    assert fr.rejection is None and fr.findings == []
    assert fr.sheets["services"].records == [
        {**SERVICES, "two_non_cases": 0}
    ]  # under a units row ending in 件
    births = fr.sheets["births"]
    assert [(r["child_sex"], r["birth_date"], r["parity"]) for r in births.records] == [
        ("女", BIRTH, 1),
        ("男", BIRTH, 2),
    ]


def test_xlsb_whose_cells_calamine_would_misplace_is_refused_with_how_to_resave():
    # SheetJS writes cells without their column (BrtShortSt…): calamine reads column A alone
    fr = read("bad_xlsb_short_cells_420117104201.xlsb")
    assert fr.rejection.code == "unreadable_format"
    assert "另存为" in fr.rejection.message_zh and ".xlsx" in fr.rejection.message_zh
    assert fr.village_code == "420117104201"  # still told to its village


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("bad_html_saved_as_xls_420117104201.xls", "html_saved_as_xlsx"),
        ("bad_docx_named_xlsx_420117104201.xlsx", "not_a_workbook"),
    ],
)
def test_what_is_no_workbook_is_refused_naming_what_it_is(name, code):
    fr = read(name)
    assert fr.rejection.code == code
    assert Path(name).suffix in fr.rejection.message_zh and "另存为" in fr.rejection.message_zh


def test_xlsx_under_an_xls_name_is_read():
    assert read("xlsx_named_xls_420117104201.xls").sheets["births"].rows == [2]


# ----------------------------------------------------------------------------- control characters


def _hidden(text: str) -> bool:
    return any(
        unicodedata.category(ch) in ("Cf", "Cs")
        or (unicodedata.category(ch) == "Cc" and not ch.isspace())
        for ch in text
    )


def _strings(fr: FileRead):
    for sheet in fr.sheets.values():
        yield sheet.sheet
        for record in sheet.records:
            yield from (v for v in record.values() if isinstance(v, str))
    for f in fr.findings:
        yield from (t for t in (f.sheet, f.value, f.message_zh) if t)


def test_control_characters_never_reach_a_stored_name_value_or_sheet_name():
    # sheet 出生\x01登记, header 母亲\x00姓名, name 张\x00丽\u200b, a bell after the ID, NUL
    # after 女, ESC after the date, a bidi override after the parity, isolates in the note
    fr = read("control_chars_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.sheet == "出生登记"
    assert births.records == [
        {
            "mother_name": "张丽",
            "mother_id": "420102199503120643",
            "child_sex": "女",
            "birth_date": BIRTH,
            "parity": 1,
            "note": "双胞胎",
        }
    ]
    assert not any(_hidden(s) for s in _strings(fr))


def test_nul_bytes_in_a_csv_are_dropped(tmp_path):
    path = tmp_path / "420117104201_出生登记.csv"
    rows = [",".join(BIRTH_HEADER[:5]), "王\x00芳,420102199503120408\x00,女,2026-03-05,1"]
    path.write_bytes("\r\n".join(rows).encode("utf-8"))
    fr = read(path)
    assert fr.sheets["births"].records[0]["mother_name"] == "王芳"
    assert fr.sheets["births"].records[0]["mother_id"] == "420102199503120408"


CONTROLLED_TEXT = st.text(
    st.one_of(
        st.characters(min_codepoint=0, max_codepoint=0x3F),
        st.sampled_from("\u200b\u200e\u202e\u2066\ufeff\x7f\x85\u3000张丽12"),
    ),
    max_size=12,
)


@GRIDS
@pytest.mark.parametrize("kind", sorted(NORMALISERS))
@given(text=CONTROLLED_TEXT)
def test_no_normaliser_returns_a_control_character(kind, text):
    value = NORMALISERS[kind](text)
    assert not (isinstance(value, str) and _hidden(value)), (kind, text, value)


# ----------------------------------------------------------------------------- sheets


def test_a_hidden_copy_of_a_form_is_never_preferred_to_the_visible_one():
    fr = read("hidden_sheet_420117104201.xlsx")
    births = fr.sheets["births"]
    assert (births.sheet, births.records[0]["mother_name"]) == ("出生登记", "本月")
    # named last month's: said as another month's tab
    assert [(f.rule_id, f.sheet) for f in fr.findings] == [("sheet.other_month", "出生登记(上月)")]


MONTH_TABS = {  # how a tab for each month is named: the month's number -> the tab's name
    "3月出生登记": lambda m: f"{m}月出生登记",
    "出生登记（2026年3月）": lambda m: f"出生登记（2026年{m}月）",
    "出生登记202603": lambda m: f"出生登记2026{m:02d}",
    "三月出生登记": lambda m: f"{'一二三'[m - 1]}月出生登记",
}


@pytest.mark.parametrize("style", MONTH_TABS)
@pytest.mark.parametrize("months", [(2, 3), (3, 2), (1, 2, 3), (3, 1, 2)])
def test_a_workbook_with_a_tab_for_each_month_is_read_from_the_report_months_tab(
    style, months, tmp_path
):
    """Kept month by month, the births register's March tab is read in March, wherever it is
    in the workbook; each other month's tab is said not read, at its sheet."""
    tab = MONTH_TABS[style]
    sheets = {
        tab(m): [BIRTH_HEADER, [f"{m}月母亲", MOTHER_ID, "女", date(2026, m, 5), 1, "是", None]]
        for m in months
    }
    sheets["节育措施"] = [["已婚育龄妇女数", "上环"], [100, 40]]
    fr = read(write_workbook(tmp_path / "420117104201_月报.xlsx", sheets))
    births = fr.sheets["births"]
    assert (births.sheet, births.records[0]["mother_name"]) == (tab(3), "3月母亲")
    others = sorted(tab(m) for m in months if m != 3)
    assert sorted(f.sheet for f in fr.findings if f.rule_id == "sheet.other_month") == others
    assert [f.rule_id for f in fr.findings] == ["sheet.other_month"] * len(others)
    assert fr.sheets["contraception"].records[0]["married_women"] == 100


@pytest.mark.parametrize(
    "names, said",
    [
        (("出生登记", "出生登记(2)"), "sheet.duplicate_form"),
        (("出生登记", "2月出生登记"), "sheet.other_month"),  # the one read names no other month
    ],
)
def test_two_tabs_of_one_form_neither_named_for_the_report_month_read_the_first(
    names, said, tmp_path
):
    sheets = {
        name: [BIRTH_HEADER, [f"母亲{i}", MOTHER_ID, "女", BIRTH, 1, "是", None]]
        for i, name in enumerate(names)
    }
    fr = read(write_workbook(tmp_path / "420117104201_月报.xlsx", sheets))
    assert fr.sheets["births"].records[0]["mother_name"] == "母亲0"
    assert [(f.rule_id, f.sheet) for f in fr.findings] == [(said, names[1])]


def test_tabs_of_a_form_each_for_another_month_give_none_of_their_figures(tmp_path):
    """1月 and 2月 tabs in a March file: no March figures, as for columns of other months only
    (January's were read, with only a warning that February's tab was a copy)."""
    sheets = {
        name: [BIRTH_HEADER, [f"母亲{i}", MOTHER_ID, "女", BIRTH, 1, "是", None]]
        for i, name in enumerate(("2月出生登记", "1月出生登记"))
    }
    fr = read(write_workbook(tmp_path / "420117104201_月报.xlsx", sheets))
    assert "births" not in fr.sheets
    assert [(f.rule_id, f.severity, f.sheet) for f in fr.findings] == [
        ("sheet.month_column_missing", ERROR, "2月出生登记")
    ]
    assert "2月出生登记、1月出生登记" in fr.findings[0].message_zh


@pytest.mark.parametrize(
    ("labels", "read_row"),
    [(("上月末", "本月末"), 4), (("本月", "上年同期"), 3), ((None, None), 3)],
)
def test_a_one_record_form_with_two_rows_of_figures_reads_this_months(labels, read_row, tmp_path):
    """The row the words beside it do not call an earlier month's; the other is said not read,
    at its first figure."""
    header = ["项目", "已婚育龄妇女数", "上环", "皮埋"]
    rows = [[labels[0], 90, 30, 10], [labels[1], 100, 40, 10]]
    sheets = {"节育措施": [["节育措施情况表"], header, *rows]}
    fr = read(write_workbook(tmp_path / "420117104201_月报.xlsx", sheets))
    contraception = fr.sheets["contraception"]
    assert contraception.rows == [read_row]
    assert contraception.records[0]["married_women"] == rows[read_row - 3][1]
    unread = 7 - read_row
    ((rule, row, cell, message),) = [(f.rule_id, f.row, f.cell, f.message_zh) for f in fr.findings]
    assert (rule, row, cell) == ("record.more_value_rows", read_row, f"B{unread}")
    assert f"第{unread}行" in message and f"读取的是第{read_row}行" in message


@pytest.mark.parametrize(
    ("folder", "refused"), [("2025-10", False), ("2025-01", False), ("2025-11", True)]
)
def test_a_report_month_typed_2025_10_into_a_general_cell_is_october_or_january(
    folder, refused, tmp_path
):
    """Excel stores 2025.10 typed into a General cell as the number 2025.1: the 封面 then names
    October or January, and only another folder's month refuses the file, naming both."""
    path = write_workbook(
        tmp_path / "420117104201_月报.xlsx",
        {"节育措施": [["已婚育龄妇女数", "上环"], [100, 40]]},
        cover_code="420117104201",
        cover_month=2025.10,
    )
    fr = read_file(path, folder, REGISTRY)
    assert (fr.rejection is not None) == refused
    if refused:
        assert fr.rejection.code == "month_mismatch"
        assert "“2025-01”或“2025-10”" in fr.rejection.message_zh


def test_a_header_below_pages_of_instructions_is_found():
    births = read("long_instructions_420117104201.xlsx").sheets["births"]
    assert (births.header_row, births.rows) == (39, [40])


def test_a_header_over_two_rows_with_merged_cells_is_found():
    # 母亲 merged over 姓名 | 身份证号; 婴儿性别, 出生日期, 孩次, 是否符合政策 merged down both
    births = read("split_header_420117104201.xlsx").sheets["births"]
    assert (births.header_row, births.rows) == (3, [4])
    assert births.records[0]["mother_name"] == "邹雨"
    assert births.records[0]["mother_id"] == "420102199503121208"
    assert births.cells[0]["mother_id"] == "C4"
    assert (births.records[0]["child_sex"], births.records[0]["in_policy"]) == ("女", True)


@pytest.mark.parametrize("id_label", ["身份证号码", "身份证号", "身份证"])
def test_a_two_row_header_of_mother_and_father_gives_each_their_own_columns(id_label):
    """母亲 and 父亲 each merged over 姓名 | 身份证号码: the father's ID column is the father's,
    not a second column of the mother's (the bare 身份证号码 is an alias of the mother's ID)."""
    grid = [
        ["序号", "母亲", None, "父亲", None, "婴儿性别", "出生日期", "孩次"],
        [None, "姓名", id_label, "姓名", id_label, None, None, None],
        [1, "邹雨", MOTHER_ID, "王强", "420102199001011234", "女", "2026-03-05", 1],
    ]
    layout = detect_layout(grid, CATALOGUE.forms["births"])
    assert {f: layout.columns.get(f) for f in ("mother_name", "mother_id", "father_name")} == {
        "mother_name": 1,
        "mother_id": 2,
        "father_name": 3,
    }
    assert layout.columns.get("father_id") == 4
    record = extract("出生登记", grid, layout, CATALOGUE).records[0]
    assert (record["mother_id"], record["child_sex"], record["parity"]) == (MOTHER_ID, "女", 1)


def test_a_number_too_large_for_a_count_is_quoted_as_excel_shows_it():
    """The message quotes what the village sees in the cell, not a 301-digit number."""
    assert to_count(1e300) == "1E+300"
    assert to_count(420117199001011220.0) == "4.20117E+17"  # an ID number typed as a number
    assert to_count(float(MAX_COUNT)) == MAX_COUNT
    assert to_count(float(MAX_COUNT + 1)) == str(MAX_COUNT + 1)


# ------------------------------------------------ headers a little off, and columns not read


def _decorations(alias: str) -> list[str]:
    return [
        f"{alias}（人）",
        f"{alias}(单位:户)",
        f"1、{alias}",
        f"（二）{alias}",
        f"其中：{alias}",
    ]


@pytest.mark.parametrize("form", [f.name for f in CATALOGUE.data_forms])
def test_every_alias_with_a_unit_numbering_or_其中_still_names_its_field(form):
    """The decorations villages add around a column's name: for every alias of every field,
    where the loosened alias names that field alone."""
    for field in CATALOGUE.forms[form].fields:
        for alias in field.aliases:
            if field_for_label(form, loosened(alias)) != field.name:
                continue  # a stem two fields share: only the alias as written names a field
            for written in _decorations(alias):
                assert field_for_label(form, written) == field.name, written


@pytest.mark.parametrize(
    ("form", "header", "field"),
    [
        ("contraception", "已婚育龄妇女人数", "married_women"),
        ("migrants", "流入人口总数", "in_migrants"),
        ("contraception", "口服药人数", "pill"),
        ("contraception", "上环（例）", "iud"),
        ("services", "标语（条）", "slogans"),
        ("services", "咨询（人次）", "consultations"),
        ("population", "期末户籍人口（人）", "population"),
        ("births", "出生日期（年月日）", "birth_date"),
        ("births", "是否符合生育政策", "in_policy"),
    ],
)
def test_a_header_with_a_count_word_or_unit_names_its_field(form, header, field):
    assert field_for_label(form, header) == field


def test_a_name_that_ends_like_a_count_word_is_no_header():
    assert {field_for_label(f.name, "王小数") for f in CATALOGUE.data_forms} == {None}


def test_a_filled_column_no_field_reads_is_said_at_its_header_and_the_rest_loads(tmp_path):
    header = [*BIRTH_HEADER, "户籍性质", "家庭住址", "其他情况", "是否符合生育政策"]
    header[5] = "出生医院"  # 是否符合政策 moved to the end, under another wording
    row = ["邹雨", MOTHER_ID, "女", BIRTH, 1, "市妇幼", "户籍", "农业", "3组", None, "否"]
    fr = read(write_workbook(tmp_path / "420117104201_月报.xlsx", {"出生登记": [header, row]}))
    assert fr.sheets["births"].records[0]["in_policy"] is False
    # 出生医院, 家庭住址: not collected; 其他情况: nothing in it
    ((rule, sheet, cell, severity),) = [
        (f.rule_id, f.sheet, f.cell, f.severity) for f in fr.findings
    ]
    assert (rule, sheet, cell, severity) == ("sheet.unknown_column", "出生登记", "H1", "warning")


def test_a_required_column_under_a_header_no_field_reads_refuses_the_sheet_at_it(tmp_path):
    header = ["母亲姓名", "婴儿性别", "出生日期", "孩次", "产妇公民身份证"]
    row = ["邹雨", "女", BIRTH, 1, MOTHER_ID]
    fr = read(write_workbook(tmp_path / "420117104201_月报.xlsx", {"出生登记": [header, row]}))
    assert "births" not in fr.sheets
    ((rule, cell, message, fix),) = [
        (f.rule_id, f.cell, f.message_zh, f.fix_zh) for f in fr.findings
    ]
    assert (rule, cell) == ("sheet.missing_column", "E1")
    assert "母亲身份证号" in message and "产妇公民身份证" in fix


@pytest.mark.parametrize(
    ("columns", "read"),
    [
        (["上月数", "本月数"], 1),
        (["本月数", "上年同期"], 0),
        (["单位", "本月", "累计"], 1),
        (["上月", "本期"], 1),
        (["数量"], 0),
        (["人数", "其中：本月新增"], 0),
        (["期末数", "本期新增"], 0),
        (["1月", "2月", "3月", "4月"], 2),
        (["期初数", "期末数"], 1),
        (["上年3月", "3月"], 1),
        (["3月(上年)", "3月(本年)"], 1),
        (["2月", "3月", "3月累计"], 1),
        ([datetime(2026, 2, 1), datetime(2026, 3, 1)], 1),  # typed 2026年3月, kept as dates
    ],
)
def test_a_list_with_figures_for_several_periods_reads_this_months(columns, read, tmp_path):
    """项目 | 上月数 | 本月数: the column headed this month's, whatever its place."""
    rows = [
        [label, *("人" if c == "单位" else base + i for i, c in enumerate(columns))]
        for label, base in [("已婚育龄妇女数", 300), ("上环", 100), ("口服药", 5)]
    ]
    fr = read_file_at(tmp_path, {"节育措施": [["项目", *columns], *rows]})
    record = fr.sheets["contraception"].records[0]
    assert [record["married_women"], record["iud"], record["pill"]] == [r[1 + read] for r in rows]


def read_file_at(tmp_path: Path, sheets: dict, merges: dict | None = None) -> FileRead:
    return read(write_workbook(tmp_path / "420117104201_月报.xlsx", sheets, merges=merges))


def test_an_item_of_a_list_no_field_reads_is_said_at_its_label(tmp_path):
    sheets = {"节育措施": [["项目", "数量"], ["已婚育龄妇女数", 300], ["取环", 9], ["上环", 100]]}
    fr = read_file_at(tmp_path, sheets)
    assert fr.sheets["contraception"].records[0]["iud"] == 100
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.unknown_item", "A3")]


@pytest.mark.parametrize("id_label", ["身份证号码", "身份证号"])
def test_a_flat_header_with_a_bare_id_after_each_parent_gives_each_their_id(id_label, tmp_path):
    father_id = "420102199001011234"
    header = ["父亲姓名", id_label, "母亲姓名", id_label, "婴儿性别", "出生日期", "孩次"]
    row = ["王强", father_id, "邹雨", MOTHER_ID, "女", BIRTH, 1]
    fr = read_file_at(tmp_path, {"出生登记": [header, row]})
    record = fr.sheets["births"].records[0]
    assert (record["father_id"], record["mother_id"]) == (father_id, MOTHER_ID)
    assert fr.findings == []


@pytest.mark.parametrize(
    "nobody",
    [
        ["本月无出生"],
        ["以下空白"],
        ["无", "无", "无", "无", "无"],
        [0, 0, 0, 0, 0],
        [None, "-", "—"],
    ],
)
def test_a_row_saying_there_is_nobody_this_month_is_no_person(nobody, tmp_path):
    """The words villages write under a register's header, or under its last row, to say there
    is nobody (more): not a person blamed for blank or invalid fields."""
    header = ["序号", *BIRTH_HEADER[:5]]
    birth = [1, "邹雨", MOTHER_ID, "女", BIRTH, 1]
    fr = read_file_at(tmp_path, {"出生登记": [header, birth, [2, *nobody]]})
    assert fr.sheets["births"].rows == [2]
    assert findings_of(fr) == []


def test_a_person_with_a_blank_required_field_is_still_a_person(tmp_path):
    row = ["邹雨", None, "女", BIRTH, 1]
    fr = read_file_at(tmp_path, {"出生登记": [BIRTH_HEADER[:5], row]})
    assert findings_of(fr) == [("required", "出生登记", "B2")]


@pytest.mark.parametrize("label", ["合计", "合 计", "本村合计"])
def test_a_one_record_forms_only_row_labelled_合计_is_its_record(label, tmp_path):
    """A village's total is its one record: labelled 合计, it is read, not dropped as a total."""
    rows = [["村名", "已婚育龄妇女数", "上环", "未避孕"], [label, 100, 40, 60]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    contraception = fr.sheets["contraception"]
    assert (contraception.rows, contraception.records[0]["married_women"]) == ([2], 100)
    assert findings_of(fr) == []


@pytest.mark.parametrize("delimiter", [",", "\t", ";"])
def test_a_csv_separated_by_tabs_or_semicolons_reads_like_one_by_commas(delimiter, tmp_path):
    """WPS and European Excel save tab- or semicolon-separated text under .csv; an export keeps
    an ID number as text by writing it ="…"."""
    path = tmp_path / "420117104201_出生登记.csv"
    rows = [BIRTH_HEADER[:5], ["王芳", f'="{MOTHER_ID}"', "女婴", "2026年3月5号", "二胎"]]
    path.write_text("\r\n".join(delimiter.join(row) for row in rows), encoding="utf-8")
    fr = read(path)
    record = fr.sheets["births"].records[0]
    assert (record["mother_id"], record["child_sex"], record["birth_date"], record["parity"]) == (
        MOTHER_ID,
        "女",
        BIRTH,
        2,
    )
    assert findings_of(fr) == []


def test_a_tab_of_instructions_named_for_a_form_is_not_read(tmp_path):
    notes = [
        ["填表说明"],
        ["1. 母亲身份证号填18位"],
        BIRTH_HEADER[:5],
        ["张三", "（示例）", "男", None, 1],
    ]
    births = [BIRTH_HEADER[:5], ["邹雨", MOTHER_ID, "女", BIRTH, 1]]
    fr = read_file_at(tmp_path, {"出生登记填表说明": notes, "出生登记": births})
    assert fr.sheets["births"].sheet == "出生登记"
    assert findings_of(fr) == []


@pytest.mark.parametrize("order", [0, 1])
def test_a_tab_named_for_last_month_is_not_read_before_this_months(order, tmp_path):
    header = ["已婚育龄妇女数", "上环", "未避孕"]
    tabs = [("节育措施(上月)", [header, [90, 30, 60]]), ("节育措施", [header, [100, 40, 60]])]
    if order:
        tabs.reverse()
    fr = read_file_at(tmp_path, dict(tabs))
    assert fr.sheets["contraception"].records[0]["married_women"] == 100
    assert [(f.rule_id, f.sheet) for f in fr.findings] == [("sheet.other_month", "节育措施(上月)")]


def test_a_bracket_naming_a_period_a_person_or_households_is_kept(tmp_path):
    """户籍人口（期末） is the month-end population and 户籍人口（期初） is not; 出生日期（母亲）
    is not the child's birth date; 迁入（户） counts households, not the persons of 迁入."""
    header = ["户籍人口（期初）", "户籍人口（期末）", "迁入(户)", "迁入人数", "死亡人数"]
    fr = read_file_at(tmp_path, {"人口变动": [header, [2300, 2298, 1, 3, 2]]})
    record = fr.sheets["population"].records[0]
    assert (record["population"], record["moved_in"], record["deaths"]) == (2298, 3, 2)
    # 户籍人口（期初） is 期初户籍人口, not collected; 迁入（户） is said, with no guess
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.unknown_column", "C1")]
    assert "如果这一列就是" not in fr.findings[0].fix_zh
    births = [["母亲姓名", "出生日期（母亲）", "母亲身份证号", "婴儿性别", "婴儿出生日期", "孩次"]]
    births.append(["邹雨", date(1995, 3, 12), MOTHER_ID, "女", BIRTH, 1])
    fr = read_file_at(tmp_path, {"出生登记": births})
    assert fr.sheets["births"].records[0]["birth_date"] == BIRTH


def test_household_counts_beside_person_counts_are_not_read_as_persons(tmp_path):
    header = ["期末户籍人口", "迁入户数", "迁入人数", "迁出户数", "迁出人数", "死亡人数"]
    fr = read_file_at(tmp_path, {"人口变动": [header, [2298, 1, 3, 2, 4, 2]]})
    record = fr.sheets["population"].records[0]
    assert (record["moved_in"], record["moved_out"]) == (3, 4)
    assert fr.findings == []  # households are not collected: not said either


@pytest.mark.parametrize(
    ("top", "bottom", "row", "expected"),
    [
        (
            ["户籍人口", None, "本月变动", None, None, None],
            ["期初", "期末", "出生", "死亡", "迁入", "迁出"],
            [2300, 2298, 3, 2, 1, 4],
            {"population": 2298, "deaths": 2, "moved_in": 1, "moved_out": 4},
        ),
        (
            ["宣传资料份数", "标语条数", "三查", None, "随访人次"],
            [None, None, "应查", "实查", None],
            [300, 5, 200, 190, 30],
            {"leaflets": 300, "checkups_due": 200, "checkups_done": 190, "follow_up_visits": 30},
        ),
    ],
)
def test_a_two_row_header_of_a_one_record_form_is_read_whole(top, bottom, row, expected, tmp_path):
    """户籍人口 over 期初 | 期末 (the qualifier below the name), 三查 over 应查 | 实查."""
    sheet = "人口变动" if "户籍人口" in top else "宣传服务"
    fr = read_file_at(tmp_path, {sheet: [top, bottom, row]})
    (read,) = fr.sheets.values()
    assert {k: read.records[0][k] for k in expected} == expected
    assert not [f for f in fr.findings if f.rule_id == "record.more_value_rows"]


def test_sub_items_of_a_flat_header_are_the_fields_of_the_column_left_of_them(tmp_path):
    header = [
        "流出人口数",
        "其中：已婚育龄妇女",
        "已办婚育证明数",
        "流入人口数",
        "其中：已婚育龄妇女",
    ]
    fr = read_file_at(tmp_path, {"流动人口": [header, [100, 40, 30, 50, 10]]})
    record = fr.sheets["migrants"].records[0]
    assert (record["out_married_women"], record["in_married_women"]) == (40, 10)
    assert fr.findings == []


def test_two_lists_side_by_side_are_both_read(tmp_path):
    rows = [
        ["项目", "数量", "项目", "数量"],
        ["已婚育龄妇女数", 520, "口服药", 20],
        ["上环", 200, "避孕套", 60],
        ["女扎", 150, "未避孕", 90],
    ]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    record = fr.sheets["contraception"].records[0]
    assert (record["married_women"], record["pill"], record["no_method"]) == (520, 20, 90)
    assert fr.sheets["contraception"].cells[0]["pill"] == "D2"


def test_a_bare_id_with_the_parent_in_brackets_is_that_parents(tmp_path):
    header = [
        "母亲姓名",
        "母亲身份证号",
        "父亲姓名",
        "身份证号码（父亲）",
        "婴儿性别",
        "出生日期",
        "孩次",
    ]
    father_id = "420102199001011234"
    fr = read_file_at(
        tmp_path, {"出生登记": [header, ["邹雨", MOTHER_ID, "王强", father_id, "女", BIRTH, 1]]}
    )
    assert fr.sheets["births"].records[0]["father_id"] == father_id


def test_a_column_twice_on_a_sheet_named_for_no_form_is_said(tmp_path):
    header = ["母亲姓名", "母亲身份证号", "婴儿性别", "出生日期", "出生时间", "孩次"]
    row = ["邹雨", MOTHER_ID, "女", BIRTH, BIRTH, 1]
    fr = read_file_at(tmp_path, {"Sheet1": [header, row]})
    assert [(f.rule_id, f.sheet) for f in fr.findings] == [("sheet.duplicate_column", "Sheet1")]


@pytest.mark.parametrize(
    "upper, header",
    [
        (None, ["母亲姓名", "出生日期", "身份证号", "婴儿性别", "出生日期", "孩次"]),
        (None, ["母亲姓名", "出生日期", "身份证号", "婴儿性别", "婴儿出生日期", "孩次"]),
        (
            ["母亲", None, None, "婴儿", None, None],
            ["姓名", "出生日期", "身份证号", "性别", "出生日期", "孩次"],
        ),
    ],
)
def test_the_mothers_date_of_birth_beside_the_babys_is_not_the_birth(upper, header, tmp_path):
    """A register with the mother's date of birth too: refused as a column given twice."""
    row = ["邹雨", date(1995, 3, 12), MOTHER_ID, "女", BIRTH, 1]
    fr = read_file_at(tmp_path, {"出生登记": [*([upper] if upper else []), header, row]})
    record = fr.sheets["births"].records[0]
    assert (record["birth_date"], record["child_sex"], record["parity"]) == (BIRTH, "女", 1)
    assert not [f for f in fr.findings if f.rule_id.startswith("sheet.")]


@given(st.text(min_size=LONGEST_HEADER + 1, max_size=200))
@settings(max_examples=50)
def test_a_cell_too_long_to_be_a_header_is_not_loosened(text):
    """No regex runs over a long cell (a pasted paragraph, a hostile run of brackets)."""
    assert loosened(text) == normalise_label(text)


@pytest.mark.parametrize(
    "title, other_header, other_row",
    [
        (
            ["死亡登记"],
            ["姓名", "身份证号码", "死亡日期", "死亡原因", "备注"],
            [BIRTH, "病故", None],
        ),
        (["死亡登记"], ["姓名", "身份证号码", "死亡日期"], [BIRTH]),
        # its ID and sex in the births' columns: no repeat of the births' header
        (
            ["本月死亡人员登记表"],
            ["姓名", "身份证号码", "性别", "死亡日期", "年龄"],
            ["男", BIRTH, 86],
        ),
        ([], ["姓名", "身份证号码", "性别", "怀孕时间", "孩次"], ["女", BIRTH, 1]),
    ],
    ids=["deaths", "deaths-short", "deaths-in-the-births-columns", "pregnancies-untitled"],
)
def test_another_table_below_a_register_ends_it_and_is_said(
    title, other_header, other_row, tmp_path
):
    """死亡登记 under the births: its title, header and rows are not births (a death's age was
    read as a birth's 孩次 where the other header's ID and sex were in the births' columns)."""
    elder = "420102194001010513"
    rows = [
        ["出生登记表"],
        BIRTH_HEADER[:5],
        ["邹雨", MOTHER_ID, "女", BIRTH, 1],
        [],
        *([title] if title else []),
        other_header,
        ["张老汉", elder, *other_row],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [3]
    assert findings_of(fr) == [("sheet.another_table", "出生登记", "A6" if title else "A5")]


@pytest.mark.parametrize(
    "row, cell",
    [
        (["示例", "王芳", MOTHER_ID, "女", BIRTH, 1, None], "A3"),
        (["例", "王芳", MOTHER_ID, "女", BIRTH, 1, None], "A3"),
        ([1, "示例：王芳", MOTHER_ID, "女", BIRTH, 1, None], "B3"),
        ([1, "（样例）", MOTHER_ID, "女", BIRTH, 1, None], "B3"),
        ([1, "王芳", MOTHER_ID, "女", BIRTH, 1, "作废"], "G3"),
        ([1, "王芳（作废）", MOTHER_ID, "女", BIRTH, 1, None], "B3"),
        ([1, "王芳", MOTHER_ID, "女", BIRTH, 1, "重复录入，删除此行"], "G3"),
        ([1, "王芳", MOTHER_ID, "女", BIRTH, 1, "示例，请删除"], "G3"),
        ([1, "王芳", MOTHER_ID, "女", BIRTH, 1, "重复录入，删除"], "G3"),
    ],
)
def test_a_register_row_marked_an_example_or_cancelled_is_kept_out_and_said(row, cell, tmp_path):
    """The template's example row, or a row the officer marked 作废 rather than deleting it:
    each was counted as a birth without a word."""
    rows = [
        ["出生登记表"],
        ["序号", *BIRTH_HEADER[:5], "备注"],
        row,
        [2, "邹雨", MOTHER_ID_2, "男", BIRTH, 2, None],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [3, 4]
    found = [(f.rule_id, f.severity, f.cell, f.row) for f in validate_batch([fr]).findings[0]]
    assert ("record.example_or_cancelled", "error", cell, 3) in found
    assert not [f for f in found if f[3] == 4]


def test_the_header_repeated_on_each_printed_page_is_skipped(tmp_path):
    second = ["李梅", "420102199503120424", "男", BIRTH, 2]
    rows = [BIRTH_HEADER[:5], ["邹雨", MOTHER_ID, "女", BIRTH, 1], BIRTH_HEADER[:5], second]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2, 4]
    assert findings_of(fr) == []


def test_two_births_missing_their_id_and_date_are_each_said_blank_not_a_duplicate(tmp_path):
    """Rows with a blank part of a birth's key are no birth to compare: the duplicate check
    used to flag them and then fail to find the first row (NaN), stopping the batch."""
    rows = [BIRTH_HEADER[:5], ["吴十", None, "女", None, None], ["郑十一", None, "男", None, None]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    found = findings_of(fr)
    assert {rule for rule, _, _ in found} == {"required"}
    assert ("required", "出生登记", "B2") in found and ("required", "出生登记", "B3") in found


@pytest.mark.parametrize(
    "name, said",
    [
        ("出生登记样表", []),
        ("出生登记（说明：无出生填无）", []),
        ("出生登记示例", [("sheet.example_read", "出生登记示例", None)]),
    ],
)
def test_the_only_tab_of_a_form_is_read_whatever_words_its_name_adds(name, said, tmp_path):
    """Villages fill the template's 出生登记样表 tab in: a tab named like instructions or an
    example is passed over only for another tab of the same form. An example read is said:
    its rows may be the made-up ones."""
    births = [BIRTH_HEADER[:5], ["邹雨", MOTHER_ID, "女", BIRTH, 1]]
    fr = read_file_at(tmp_path, {name: births})
    assert fr.sheets["births"].rows == [2]
    assert findings_of(fr) == said


def test_a_list_whose_period_headings_sit_above_a_units_row_reads_this_months(tmp_path):
    rows = [
        ["项目", "单位", "上月", "本月"],
        [None, None, "（人）", "（人）"],
        ["已婚育龄妇女数", "人", 500, 510],
        ["上环", "人", 200, 205],
    ]
    record = read_file_at(tmp_path, {"节育措施": rows}).sheets["contraception"].records[0]
    assert (record["married_women"], record["iud"]) == (510, 205)


def test_a_two_row_header_whose_top_words_name_fields_reads_the_row_below_too(tmp_path):
    rows = [
        [None, "流出人口", None, None, None, "流入人口", None],
        [
            "村名",
            "人数",
            "其中：已婚育龄妇女",
            "已办婚育证明数",
            "定期联系数",
            "人数",
            "其中：已婚育龄妇女",
        ],
        ["复合村", 120, 40, 30, 25, 50, 20],
    ]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == {
        "out_migrants": 120,
        "out_married_women": 40,
        "out_certified": 30,
        "out_contacted": 25,
        "in_migrants": 50,
        "in_married_women": 20,
    }


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            [
                ["流出人口数", 120],
                ["其中：已婚育龄妇女", 40],
                ["流入人口数", 50],
                ["其中：已婚育龄妇女", 20],
            ],
            {"out_married_women": 40, "in_married_women": 20},
        ),
        (
            [["发放宣传资料", 200], ["三查", None], ["应查人数", 100], ["实查人数", 95]],
            {"checkups_due": 100, "checkups_done": 95},
        ),
    ],
)
def test_a_lists_sub_items_are_the_fields_of_the_item_above(rows, expected, tmp_path):
    sheet = "流动人口" if "流出人口数" in rows[0] else "宣传服务"
    fr = read_file_at(tmp_path, {sheet: [["项目", "数量"], *rows]})
    (read,) = fr.sheets.values()
    assert {k: read.records[0].get(k) for k in expected} == expected
    assert fr.findings == []


def test_a_short_sub_item_is_not_taken_for_a_longer_field(tmp_path):
    """其中：已婚 (married people) is not 流出已婚育龄妇女数; 其中：已婚育龄妇女 is."""
    header = ["流出人口数", "其中：已婚", "其中：已婚育龄妇女", "已办婚育证明数", "流入人口数"]
    fr = read_file_at(tmp_path, {"流动人口": [header, [120, 80, 40, 30, 50]]})
    assert fr.sheets["migrants"].records[0]["out_married_women"] == 40


@pytest.mark.parametrize("total", ["合计", "全村", "全村合计", "汇总"])
def test_a_one_record_forms_rows_per_group_and_their_合计_read_the_total(total, tmp_path):
    """The total labelled 全村 (or 汇总) was read as a third group: 一组's figures were read,
    with a warning on the others."""
    rows = [
        ["村名", "已婚育龄妇女数", "上环", "未避孕"],
        ["一组", 200, 80, 120],
        ["二组", 310, 125, 185],
        [total, 510, 205, 305],
    ]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    contraception = fr.sheets["contraception"]
    assert (contraception.rows, contraception.records[0]["married_women"]) == ([4], 510)
    assert findings_of(fr) == []


def test_a_person_whose_row_holds_words_of_another_forms_header_is_still_a_person(tmp_path):
    """待补 for the ID and 户籍人口 | 死亡 in other columns: a person's row (it has a figure)."""
    header = [*BIRTH_HEADER, "备注"]
    rows = [
        header,
        ["张三", "待补", "男", BIRTH, 1, "是", "户籍人口", "死亡"],
        ["邹雨", MOTHER_ID, "女", BIRTH, 1, "是", "户籍", None],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2, 3]


def test_a_register_keeps_its_last_row_above_another_table_and_skips_a_repeated_title(tmp_path):
    rows = [
        BIRTH_HEADER[:5],
        ["邹雨", MOTHER_ID, "女", BIRTH, 1],
        ["复合村出生登记花名册（续）"],
        ["吴十"],
        ["姓名", "性别", "身份证号", "死亡日期", "死亡原因"],
        ["老王", "男", "420102194001010513", BIRTH, "病故"],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2, 4]
    assert ("sheet.another_table", "出生登记", "A5") in findings_of(fr)


@pytest.mark.parametrize(
    ("top", "below", "figures", "field", "expected"),
    [
        (
            ["户籍人口", None, "本月死亡"],
            ["期初", "期末", None],
            [3190, 3200, 2],
            "population",
            3200,
        ),
        (
            ["已婚育龄妇女数", None, "上环", None],
            ["2月", "3月", "2月", "3月"],
            [495, 500, 198, 200],
            "married_women",
            500,
        ),
        (
            ["宣传资料份数", None, "咨询人次", None],
            ["累计", "本月", "累计", "本月"],
            [900, 300, 100, 45],
            "consultations",
            45,
        ),
    ],
)
def test_a_fields_heading_over_columns_for_periods_reads_this_months(
    top, below, figures, field, expected, tmp_path
):
    """户籍人口 over 期初 | 期末, 上环 over 2月 | 3月, 咨询人次 over 累计 | 本月: the report month's
    or this month's column; the other periods' columns are not said unread."""
    sheet = {"population": "人口变动", "married_women": "节育措施", "consultations": "宣传服务"}
    fr = read_file_at(tmp_path, {sheet[field]: [top, below, figures]})
    (read,) = fr.sheets.values()
    assert read.records[0][field] == expected
    assert fr.findings == []


@pytest.mark.parametrize(
    ("rows", "cell"),
    [
        ([["项目", "1月", "2月"], ["已婚育龄妇女数", 495, 498], ["上环", 198, 199]], "B1"),
        (
            [
                ["已婚育龄妇女数", None, "上环", None],
                ["1月", "2月", "1月", "2月"],
                [495, 498, 198, 199],
            ],
            "A2",
        ),
        ([["项目", "2月", "合计"], ["已婚育龄妇女数", 498, 993], ["上环", 199, 397]], "B1"),
        ([["项目", "2月"], ["已婚育龄妇女数", 498], ["上环", 199]], "B1"),
        ([["项目", "2月", "3月累计"], ["已婚育龄妇女数", 495, 993], ["上环", 198, 397]], "B1"),
        (
            [
                ["已婚育龄妇女数", None, "上环", None],
                ["2月", "3月累计", "2月", "3月累计"],
                [495, 993, 198, 397],
            ],
            "A2",
        ),
        (
            [
                ["项目", datetime(2026, 1, 1), datetime(2026, 2, 1)],
                ["已婚育龄妇女数", 4, 5],
                ["上环", 1, 2],
            ],
            "B1",
        ),
        (
            [
                ["月份", "已婚育龄妇女数", "上环", "未避孕"],
                ["1月", 495, 198, 297],
                ["2月", 500, 200, 300],
            ],
            "A2",
        ),
        (
            [
                ["月份", "已婚育龄妇女数", "上环", "未避孕"],
                [None, 495, 198, 297],
                ["2月", 500, 200, 300],
            ],
            "A3",
        ),
    ],
    ids=[
        "a list",
        "headings over columns",
        "a month and a total",
        "one month",
        "February and the sum to March",
        "headings over February and the sum to March",
        "date cells",
        "rows by month",
        "an unlabelled row and February's",
    ],
)
def test_figures_in_columns_for_months_without_the_report_months_are_refused_at_them(
    rows, cell, tmp_path
):
    """A March file whose figures are in columns for January and February: no column is read
    as March's (the first was), and the village is told where."""
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets
    assert findings_of(fr) == [("sheet.month_column_missing", "节育措施", cell)]
    (finding,) = fr.findings
    assert "2月" in finding.message_zh and "3月" in finding.fix_zh


CONTRACEPTION_ITEMS = [["已婚育龄妇女数", 498], ["上环", 199], ["皮埋", 11]]


@pytest.mark.parametrize(
    "sheets",
    [
        {
            "节育措施": [
                ["东湖村节育措施情况表"],
                ["填报单位：东湖村", "填报人：张三", "填报日期：2026年4月2日"],
                ["项目", "数量"],
                *CONTRACEPTION_ITEMS,
            ]
        },
        {
            "节育措施": [["项目", "数量"], *CONTRACEPTION_ITEMS],
            "节育措施(上月)": [
                ["项目", "1月", "2月"],
                *[[k, 1, v] for k, v in CONTRACEPTION_ITEMS],
            ],
        },
        {
            "节育措施": [["项目", "数量"], *CONTRACEPTION_ITEMS],
            "节育措施示例": [["项目", "1月", "2月"], *[[k, 1, v] for k, v in CONTRACEPTION_ITEMS]],
        },
        {
            "节育措施": [["项目", "数量"], *CONTRACEPTION_ITEMS],
            "图表数据": [["项目", "1月", "2月"], *[[k, 1, v] for k, v in CONTRACEPTION_ITEMS[:2]]],
        },
        {
            "节育措施": [
                ["月份", "已婚育龄妇女数", "上环", "皮埋"],
                ["2月", "—", "—", "—"],
                ["3月", 498, 199, 11],
            ]
        },
        {
            "节育措施": [
                ["填报日期", datetime(2026, 4, 2)],  # a date cell: its day says it is no month's
                ["项目", "数量"],
                *CONTRACEPTION_ITEMS,
            ]
        },
        {"节育措施": [["东湖村", "2026年4月填报"], *CONTRACEPTION_ITEMS]},
        {
            "节育措施": [
                ["时期", "已婚育龄妇女数", "上环", "皮埋"],
                ["2月", 495, 198, 10],
                ["本月", 498, 199, 11],
            ]
        },
        {
            "节育措施": [
                ["已婚育龄妇女数", "上环", "皮埋", "备注"],
                [498, 199, 11, "含2月份补录"],
                [1, 1, 1, None],
            ]
        },
    ],
    ids=[
        "a filing date above",
        "last month's tab",
        "an example tab",
        "a chart's data",
        "a row of dashes",
        "a filing date cell above",
        "a filing month in words above",
        "rows 2月 and 本月",
        "a remark naming a month",
    ],
)
def test_this_months_figures_are_read_beside_other_months_and_dates(sheets, tmp_path):
    """Dates, other months' tabs and rows near this month's figures: read, and no month said
    missing (each was refused or crashed while months were first checked)."""
    fr = read_file_at(tmp_path, sheets)
    record = fr.sheets["contraception"].records[0]
    assert [record["married_women"], record["iud"], record["implant"]] == [498, 199, 11]
    assert "sheet.month_column_missing" not in {f.rule_id for f in fr.findings}


def test_last_months_tab_in_columns_by_month_is_said_not_read_beside_this_months(tmp_path):
    sheets = {
        "节育措施(上月)": [["项目", "1月", "2月"], *[[k, 1, v] for k, v in CONTRACEPTION_ITEMS]],
        "节育措施": [["项目", "数量"], *CONTRACEPTION_ITEMS],
    }
    fr = read_file_at(tmp_path, sheets)
    assert fr.sheets["contraception"].sheet == "节育措施"
    assert ("sheet.other_month", "节育措施(上月)", None) in findings_of(fr)


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["上报时间", "2026年4月"], *CONTRACEPTION_ITEMS], 498),
        (
            [
                ["填报单位", "东湖村", "填报时间", "2026年4月"],
                ["项目", "数量"],
                *CONTRACEPTION_ITEMS,
            ],
            498,
        ),
        (
            [
                ["村名", "已婚育龄妇女数", "上环", "皮埋"],
                ["东湖村", 498, 199, 11],
                ["上月（2月）", 495, 198, 10],
            ],
            498,
        ),
        ([["项目", "一季度", "其中3月"], ["已婚育龄妇女数", 1494, 498], ["上环", 597, 199]], 498),
        (
            [["填报单位", "东湖村", "报告期", "2026年3月"], ["项目", "数量"], *CONTRACEPTION_ITEMS],
            498,
        ),
    ],
    ids=[
        "a filing month beside its label",
        "a filing line",
        "a village's row",
        "其中3月",
        "the report month on a line above the list's heading",
    ],
)
def test_lines_about_the_filing_and_comparison_rows_leave_this_months_figures_read(
    rows, expected, tmp_path
):
    """Months in a filing line, a comparison row or 其中3月 beside a quarter: as read before the
    month check (a helper's realistic layouts; each was refused or read the quarter)."""
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0]["married_women"] == expected
    assert "sheet.month_column_missing" not in {f.rule_id for f in fr.findings}


def test_a_population_list_with_last_months_end_beside_this_months_changes_reads_the_stock(
    tmp_path,
):
    rows = [
        ["项目", "2月末", "本月增加", "本月减少", "现有人数"],
        ["户籍人口", 1000, 5, 3, 1002],
        ["迁入", 0, 2, 0, 2],
        ["迁出", 0, 0, 1, 1],
    ]
    fr = read_file_at(tmp_path, {"人口变动": rows})
    assert fr.sheets["population"].records[0]["population"] == 1002


@pytest.mark.parametrize(
    "sheets, form, expected",
    [
        (
            {
                "流动人口": [
                    ["流入人口", None, "流出人口", None],
                    ["2月末", "现有"] * 2,
                    [50, 52, 30, 31],
                ]
            },
            "migrants",
            {"in_migrants": 52, "out_migrants": 31},
        ),
        (
            {
                "人口变动": [
                    ["户籍人口", None, "迁入", "迁出"],
                    ["2月末", "现有"],
                    [1000, 1002, 2, 1],
                ]
            },
            "population",
            {"population": 1002, "moved_in": 2, "moved_out": 1},
        ),
    ],
    ids=["migrants", "population"],
)
def test_a_fields_heading_over_last_months_end_and_the_present_reads_the_present(
    sheets, form, expected, tmp_path
):
    """流入人口 merged over 2月末 | 现有: the 现有 column is the figure (the heading's text, 2月末,
    was read as the count 2, with only a warning that a second row of figures was left)."""
    fr = read_file_at(tmp_path, sheets)
    assert {k: fr.sheets[form].records[0][k] for k in expected} == expected
    assert findings_of(fr) == []


@pytest.mark.parametrize("typed", ["2月末", "3月份", "2026年", "5日", "12号"])
def test_a_date_or_a_period_typed_for_a_count_is_refused_at_its_cell_not_read_as_its_number(
    typed, tmp_path
):
    fr = read_file_at(
        tmp_path, {"节育措施": [["项目", "数量"], ["已婚育龄妇女数", typed], ["上环", 100]]}
    )
    assert fr.sheets["contraception"].records[0]["married_women"] == typed
    assert ("count.invalid", "节育措施", "B2") in findings_of(fr)


def test_a_register_cell_naming_a_month_is_a_value_not_a_heading(tmp_path):
    header = [*BIRTH_HEADER[:4], None, *BIRTH_HEADER[4:]]
    rows = [header, ["邹雨", MOTHER_ID, "女", "2026年2月25日", "2月补报", 1, "是", "户籍"]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2]


def test_a_one_record_forms_rows_labelled_by_month_read_the_report_months(tmp_path):
    rows = [
        ["月份", "已婚育龄妇女数", "上环", "未避孕"],
        ["2月", 495, 198, 297],
        ["3月", 500, 200, 300],
    ]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0]["married_women"] == 500


def test_a_filled_样表_is_read_over_the_template_tab_left_empty(tmp_path):
    births = [BIRTH_HEADER[:5], ["邹雨", MOTHER_ID, "女", BIRTH, 1]]
    fr = read_file_at(tmp_path, {"出生登记": [BIRTH_HEADER[:5]], "出生登记样表": births})
    assert (fr.sheets["births"].sheet, fr.sheets["births"].rows) == ("出生登记样表", [2])


def test_a_tab_separated_csv_whose_remarks_hold_commas_is_split_by_tabs(tmp_path):
    path = tmp_path / "420117104201_出生登记.csv"
    rows = [
        ["复合村出生登记,2026年3月"],  # as many lines with a comma as with a tab
        [*BIRTH_HEADER[:5], "备注"],
        ["邹雨", MOTHER_ID, "女", "2026-03-05", "1", "剖宫产,母子平安"],
        ["李梅", "420102199503120424", "男", "2026-03-06", "2", "顺产,已建卡,已随访"],
    ]
    path.write_text("\r\n".join("\t".join(row) for row in rows), encoding="utf-8")
    fr = read(path)
    assert fr.sheets["births"].rows == [3, 4]
    assert fr.sheets["births"].records[1]["parity"] == 2
    assert findings_of(fr) == []


# ------------------------------------------------------- months typed as numbers or formally


def contraception_by(headings: list[object]) -> dict:
    """节育措施 as a list with a column of figures under each heading: 300, 301 … married women."""
    n = len(headings)
    return {
        "节育措施": [
            ["项目", *headings],
            ["已婚育龄妇女数", *range(300, 300 + n)],
            ["上环", *range(100, 100 + n)],
            ["未避孕", *[200] * n],
        ]
    }


def contraception_rows(labels: list[object]) -> dict:
    """节育措施 as rows of figures, one labelled by each of `labels`: 300, 301 … married women."""
    rows = [[label, 300 + i, 100 + i, 200] for i, label in enumerate(labels)]
    return {"节育措施": [["月份", "已婚育龄妇女数", "上环", "未避孕"], *rows]}


@pytest.mark.parametrize(
    "sheets, month, married_women",
    [
        (contraception_by([2026.01, 2026.02, 2026.03]), "2026-03", 302),
        (contraception_by([2026.1, 2026.02, 2026.03]), "2026-01", 300),
        (contraception_by([2025.09, 2025.1, 2025.11]), "2025-10", 301),
        (contraception_by([2025.1, 2025.11, 2025.12]), "2025-12", 302),
        (contraception_by([2025.1, 2025.11, 2025.12]), "2025-10", 300),
        (contraception_by(["壹月", "贰月", "叁月"]), "2026-03", 302),
        (contraception_by(["元月", "贰月"]), "2026-01", 300),
        (contraception_rows([2025.09, 2025.1]), "2025-10", 301),
        (contraception_rows(["贰月", "叁月"]), "2026-03", 301),
    ],
    ids=[
        "2026.03",
        "2026.1-january",
        "2025.1-october-beside-09",
        "2025.12-beside-2025.1",
        "2025.1-october-beside-11",
        "叁月",
        "元月",
        "rows-2025.1-october",
        "rows-叁月",
    ],
)
def test_a_month_heading_typed_as_a_number_or_in_formal_numerals_reads_the_report_months(
    sheets, month, married_women, tmp_path
):
    """2026.03 (a number: Excel keeps 2026.10 as 2026.1), 叁月 and 元月 head months as 3月 does;
    they were no headings, and the first column (January's) was read without a word."""
    path = write_workbook(tmp_path / "420117104201_月报.xlsx", sheets)
    fr = read_file(path, month, REGISTRY)
    assert fr.sheets["contraception"].records[0]["married_women"] == married_women
    assert "sheet.month_column_missing" not in {f.rule_id for f in fr.findings}


@pytest.mark.parametrize("headings", [[2026.01, 2026.02], ["壹月", "贰月"]], ids=str)
def test_months_typed_as_numbers_or_formally_without_the_report_months_are_refused(
    headings, tmp_path
):
    fr = read_file_at(tmp_path, contraception_by(headings))
    assert "contraception" not in fr.sheets
    assert ("sheet.month_column_missing", "节育措施", "B1") in findings_of(fr)


# --------------------------------------------------------------- forms stacked in one sheet

CONTRACEPTION_LIST = [["项目", "数量"], ["已婚育龄妇女数", 300], ["上环", 100], ["未避孕", 200]]
MIGRANTS_LIST = [
    ["项目", "数量"],
    ["流出人口数", 50],
    ["流出已婚育龄妇女数", 20],
    ["办证数", 15],
    ["流入人口数", 18],
]
SERVICES_LIST = [["项目", "数量"], ["发放宣传资料", 50], ["标语条数", 3], ["咨询人次", 17]]
MIGRANTS = {"out_migrants": 50, "out_married_women": 20, "out_certified": 15, "in_migrants": 18}
CONTRACEPTION = {"married_women": 300, "iud": 100, "no_method": 200}


@pytest.mark.parametrize(
    "sheets, expected",
    [
        (
            {
                "月报": [
                    ["节育措施情况"],
                    *CONTRACEPTION_LIST,
                    [],
                    ["流动人口情况"],
                    *MIGRANTS_LIST,
                    [],
                    ["宣传服务"],
                    *SERVICES_LIST,
                ]
            },
            {
                "contraception": (3, CONTRACEPTION),
                "migrants": (9, MIGRANTS),
                "services": (16, None),
            },
        ),
        (
            {"月报": [*CONTRACEPTION_LIST, ["流动人口情况"], *MIGRANTS_LIST]},
            {"contraception": (2, CONTRACEPTION), "migrants": (7, MIGRANTS)},
        ),
        (
            {"Sheet1": [*CONTRACEPTION_LIST, *MIGRANTS_LIST]},
            {"contraception": (2, CONTRACEPTION), "migrants": (6, MIGRANTS)},
        ),
        (
            {
                "Sheet1": [
                    ["节育措施"],
                    ["已婚育龄妇女数", "上环", "未避孕"],
                    [300, 100, 200],
                    [],
                    ["流动人口"],
                    ["流出人口数", "流出已婚育龄妇女数", "办证数", "流入人口数"],
                    [50, 20, 15, 18],
                ]
            },
            {"contraception": (3, CONTRACEPTION), "migrants": (7, MIGRANTS)},
        ),
        (
            {"节育措施": [*CONTRACEPTION_LIST, [], ["流动人口情况"], *MIGRANTS_LIST]},
            {"contraception": (2, CONTRACEPTION), "migrants": (8, MIGRANTS)},
        ),
    ],
    ids=["three-lists-titled", "title-between", "no-title-no-blank", "tables", "named-sheet"],
)
def test_forms_stacked_in_one_sheet_are_each_read_from_their_own_rows(sheets, expected, tmp_path):
    """A village's one sheet holding several forms one below the other: each is read (the
    second was said item by item as the first's unknown items, or, guessed first, the one above
    it was dropped without a word)."""
    fr = read_file_at(tmp_path, sheets)
    assert fr.rejection is None
    assert set(fr.sheets) == set(expected)
    for form, (first_row, record) in expected.items():
        assert fr.sheets[form].rows == [first_row]
        if record is not None:
            assert fr.sheets[form].records[0] == record
    assert findings_of(fr) == []


def test_a_list_below_a_register_is_read_as_its_form_and_the_register_ends_above_it(tmp_path):
    rows = [
        ["出生登记"],
        BIRTH_HEADER[:5],
        ["邹雨", MOTHER_ID, "女", BIRTH, 1],
        [],
        ["节育措施情况"],
        *CONTRACEPTION_LIST,
    ]
    fr = read_file_at(tmp_path, {"Sheet1": rows})
    assert fr.sheets["births"].rows == [3]
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert findings_of(fr) == []


def test_a_stacked_forms_findings_point_at_its_own_rows(tmp_path):
    """More out-migrant married women than out-migrants, in the second block: said at its cell."""
    contraception = [*CONTRACEPTION_LIST, ["皮埋", 0], ["女扎", 0], ["避孕套", 0]]  # read first
    migrants = [row if row[0] != "流出已婚育龄妇女数" else [row[0], 60] for row in MIGRANTS_LIST]
    fr = read_file_at(tmp_path, {"月报": [*contraception, [], ["流动人口情况"], *migrants]})
    assert fr.sheets["migrants"].records[0]["out_married_women"] == 60
    assert ("migrants.order", "月报", "B12") in findings_of(fr)


# ------------------------------- what a helper's round found in the month and formula changes


def test_a_register_with_a_blank_headed_date_column_keeps_every_person_and_date(tmp_path):
    """A column with no heading right of 出生日期 (a registration date): a register's rows are
    people, never periods; the first person is not taken for a row of month headings."""
    second = make_id(date(1992, 5, 5), 3)
    rows = [
        [*BIRTH_HEADER[:4], None, *BIRTH_HEADER[4:]],
        ["邹雨", MOTHER_ID, "女", date(2026, 2, 25), date(2026, 3, 2), 1, "是", "户籍"],
        ["李娜", second, "男", date(2026, 3, 8), date(2026, 3, 12), 1, "是", "户籍"],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    births = fr.sheets["births"]
    assert births.rows == [2, 3]
    assert [r["birth_date"] for r in births.records] == [date(2026, 2, 25), date(2026, 3, 8)]


@pytest.mark.parametrize("period", [2026.03, "2026年3月"], ids=["number", "text"])
def test_a_filing_line_above_a_list_is_no_heading_of_its_figures(period, tmp_path):
    rows = [["填报单位", "复合村", "报告期", period], ["已婚育龄妇女数", 300], ["上环", 100]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {"married_women": 300, "iud": 100}


@pytest.mark.parametrize(
    "labels, month, married_women",
    [
        ([2025.12, 2026.1], "2026-01", 301),  # the year turns: January
        ([2025.09, 2025.1, 2025.11], "2025-10", 301),
        ([float(f"2025.{m}") for m in range(1, 13)], "2025-10", 309),  # January and October
    ],
    ids=["year-turn", "october", "a-year-unpadded"],
)
def test_rows_labelled_by_months_typed_as_numbers_are_read_in_their_order(
    labels, month, married_women, tmp_path
):
    path = write_workbook(tmp_path / "420117104201_月报.xlsx", contraception_rows(labels))
    fr = read_file(path, month, REGISTRY)
    assert fr.sheets["contraception"].records[0]["married_women"] == married_women


def test_a_stock_headed_now_and_this_month_reads_the_now_column(tmp_path):
    """户籍人口 over 现有 | 本月: the stock is 现有; 本月 heads the month's change."""
    rows = [["户籍人口", None, "迁入", "迁出"], ["现有", "本月"], [1002, 3, 2, 1]]
    fr = read_file_at(tmp_path, {"人口变动": rows})
    assert fr.sheets["population"].records[0]["population"] == 1002


def test_a_list_headed_last_months_end_this_month_and_now_reads_this_month(tmp_path):
    rows = [
        ["项目", "2月末", "本月", "现有"],
        ["流出人口数", 30, 31, 31],
        ["流入人口数", 50, 52, 52],
    ]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == {"out_migrants": 31, "in_migrants": 52}


NOT_FOUND = Formula("VLOOKUP(1,Z1:Z2,1,0)", "#N/A")


def test_a_lookup_dragged_down_a_templates_empty_rows_or_a_note_is_not_said(tmp_path):
    header = [*BIRTH_HEADER, "备注"]
    person = ["邹雨", MOTHER_ID, "女", BIRTH, 1, None, "户籍", NOT_FOUND]
    empty = [None] * 6 + [NOT_FOUND, None]
    fr = read_file_at(tmp_path, {"出生登记": [header, person, empty, empty]})
    assert fr.sheets["births"].rows == [2]
    assert "cell.formula_error" not in {rule for rule, _, _ in findings_of(fr)}


def test_an_error_in_the_total_row_a_form_is_read_from_is_said_at_its_cell(tmp_path):
    rows = [
        ["组别", "已婚育龄妇女数", "上环", "未避孕"],
        ["一组", 150, 50, 100],
        ["二组", 150, 50, 100],
        ["合计", 300, Formula("SUM(C2:C3)+#REF!", "#REF!"), 200],
    ]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].rows == [4]
    assert ("cell.formula_error", "节育措施", "C4") in findings_of(fr)


def _persons(n: int, first: int = 0, note: str | None = None) -> list[list]:
    return [
        [f"母{i}", make_id(date(1990, 1, 1 + i % 28), i + 1), "女", BIRTH, 1, "是", "户籍", note]
        for i in range(first, first + n)
    ]


@pytest.mark.parametrize("later", [1, 12], ids=["one-more-person", "a-page-more"])
def test_a_register_with_a_blank_row_keeps_every_person_above_a_list_further_down(later, tmp_path):
    """A blank row inside the births, a 备注 naming a method (上环) below it, then 节育措施's list
    after another blank row: the register ends at the list's title, not at its first blank row
    (the persons between were dropped without a word)."""
    rows = [
        [*BIRTH_HEADER, "备注"],
        *_persons(2),
        [],
        *_persons(later, first=2, note="上环"),
        [],
        ["节育措施情况"],
        *CONTRACEPTION_LIST,
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert len(fr.sheets["births"].records) == 2 + later
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert "sheet.another_table" not in {rule for rule, _, _ in findings_of(fr)}


def test_two_lists_without_headings_one_under_the_other_are_both_read(tmp_path):
    rows = [row for row in CONTRACEPTION_LIST + MIGRANTS_LIST if row[0] != "项目"]
    fr = read_file_at(tmp_path, {"月报": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert fr.sheets["migrants"].records[0] == MIGRANTS


@pytest.mark.parametrize("where", ["above", "below"])
def test_a_stacked_form_that_cannot_be_read_is_said_not_dropped(where, tmp_path):
    """流动人口 with columns for January and February only, in a March file, beside 节育措施."""
    by_month = [["项目", "1月", "2月"], ["流出人口数", 50, 51], ["流出已婚育龄妇女数", 20, 20]]
    by_month += [["办证数", 15, 15], ["流入人口数", 18, 19]]
    blocks = [CONTRACEPTION_LIST, [[]], by_month]
    rows = [row for block in (blocks if where == "below" else blocks[::-1]) for row in block]
    fr = read_file_at(tmp_path, {"月报": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert "migrants" not in fr.sheets
    assert "sheet.month_column_missing" in {rule for rule, _, _ in findings_of(fr)}


def test_a_form_on_its_own_sheet_is_read_before_its_copy_below_another_form(tmp_path):
    births = [
        BIRTH_HEADER,
        *[p[:7] for p in _persons(2)],
        [],
        ["节育措施情况"],
        *CONTRACEPTION_LIST,
    ]
    own = [["项目", "数量"], ["已婚育龄妇女数", 310], ["上环", 110], ["未避孕", 200]]
    for order in ({"出生登记": births, "节育措施": own}, {"节育措施": own, "出生登记": births}):
        fr = read_file_at(tmp_path, order)
        assert fr.sheets["contraception"].sheet == "节育措施"
        assert fr.sheets["contraception"].records[0]["married_women"] == 310


def test_a_lookups_error_in_a_middle_row_of_a_register_is_said_at_its_cell(tmp_path):
    """#N/A in 是否符合政策 of the second of three births (not only in the first or last)."""
    people = [p[:7] for p in _persons(3)]
    people[1][5] = NOT_FOUND
    fr = read_file_at(tmp_path, {"出生登记": [BIRTH_HEADER, *people]})
    assert fr.sheets["births"].rows == [2, 3, 4]
    assert ("cell.formula_error", "出生登记", "F3") in findings_of(fr)


# ------------------------------------------- a third helper round on stacked forms' edges

TWO_ROW_BIRTHS = [
    ["母亲姓名", "母亲身份证号", "婴儿情况", None, None, "是否符合政策"],
    [None, None, "性别", "出生日期", "孩次", None],
]


def test_a_register_with_a_two_row_header_below_a_list_keeps_its_upper_header_row(tmp_path):
    people = [p[:6] for p in _persons(2)]
    rows = [["节育措施情况"], *CONTRACEPTION_LIST, [], ["出生登记"], *TWO_ROW_BIRTHS, *people]
    fr = read_file_at(tmp_path, {"Sheet1": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert fr.sheets["births"].rows == [10, 11]
    assert findings_of(fr) == []


def test_a_list_headed_by_months_over_a_units_row_below_another_form_reads_its_month(tmp_path):
    contraception = [["节育措施情况"], ["项目", "2月", "3月"], [None, "人", "人"]]
    contraception += [["已婚育龄妇女数", 298, 300], ["上环", 99, 100], ["未避孕", 199, 200]]
    fr = read_file_at(tmp_path, {"月报": [["流动人口情况"], *MIGRANTS_LIST, [], *contraception]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert fr.sheets["migrants"].records[0] == MIGRANTS


def test_a_list_with_its_figures_left_blank_and_notes_beside_them_is_read_blank(tmp_path):
    rows = [
        ["项目", "本月数", "备注"],
        ["发放宣传资料", None, "本月未发放"],
        ["标语条数", None, "无"],
    ]
    rows += [["咨询人次", None, "本月未开展"]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert "count.invalid" not in {rule for rule, _, _ in findings_of(fr)}


def test_a_forms_own_sheet_is_read_before_its_block_on_a_summary_sheet(tmp_path):
    earlier = [[row[0], row[1] - 5] if isinstance(row[1], int) else row for row in MIGRANTS_LIST]
    summary = [*CONTRACEPTION_LIST, [], ["上月流动人口情况"], *earlier]
    fr = read_file_at(tmp_path, {"汇总": summary, "流动人口": MIGRANTS_LIST})
    assert (fr.sheets["migrants"].sheet, fr.sheets["migrants"].records[0]) == ("流动人口", MIGRANTS)


def test_a_table_explaining_another_forms_items_below_a_form_is_no_form(tmp_path):
    notes = [["指标解释"], ["指标", "解释"], ["流出人口数", "离开户籍地半年以上的人数"]]
    notes += [["办证数", "已办理婚育证明的人数"], ["流入人口数", "来本村居住半年以上的人数"]]
    fr = read_file_at(tmp_path, {"节育措施": [*CONTRACEPTION_LIST, [], *notes]})
    assert set(fr.sheets) == {"contraception"}
    assert "count.invalid" not in {rule for rule, _, _ in findings_of(fr)}


# ------------------------------------------ one form twice in a sheet: last month's, then this

FEBRUARY = {"married_women": 290, "iud": 90, "no_method": 190}
MIGRANT_LABELS = {
    "流出人口数": "out_migrants",
    "流出已婚育龄妇女数": "out_married_women",
    "办证数": "out_certified",
    "流入人口数": "in_migrants",
}


def _contraception_list(figures: dict, heading: bool = True) -> list[list]:
    labels = {"married_women": "已婚育龄妇女数", "iud": "上环", "no_method": "未避孕"}
    items = [[labels[field], n] for field, n in figures.items()]
    return [["项目", "数量"], *items] if heading else items


def _contraception_table(figures: dict) -> list[list]:
    return [["已婚育龄妇女数", "上环", "未避孕"], list(figures.values())]


@pytest.mark.parametrize(
    "titles, blank, table",
    [
        (["2026年2月节育措施情况", "2026年3月节育措施情况"], True, False),
        (["上月", "本月"], True, False),
        (["2月", "3月"], False, False),
        (["1月", "2月", "3月"], True, False),
        (["2026年3月", "2026年2月"], True, False),
        (["2026年2月", "2026年3月"], True, True),
    ],
    ids=["year-month", "last-this", "no-blank-row", "three-months", "this-first", "tables"],
)
def test_a_sheet_holding_a_form_for_several_months_gives_the_report_months_figures(
    titles, blank, table, tmp_path
):
    """节育措施 kept as a copy per month in one sheet, each under a title naming its month:
    the report month's copy is read and each other one is said at its header (February's
    was read without a word)."""
    rows, headers, wanted = [], {}, None
    for title in titles:
        march = "3" in title or title == "本月"
        figures = CONTRACEPTION if march else FEBRUARY
        block = _contraception_table(figures) if table else _contraception_list(figures)
        rows.append([title])
        headers[title] = len(rows) + 1
        rows += block + ([[]] if blank else [])
        wanted = headers[title] if march else wanted
    fr = read_file_at(tmp_path, {"节育措施": rows})
    sheet = fr.sheets["contraception"]
    assert sheet.records[0] == CONTRACEPTION
    assert sheet.rows == [wanted + 1]
    said = {(f.rule_id, f.cell) for f in fr.findings}
    others = [t for t in titles if headers[t] != wanted]
    assert said == {("sheet.other_month", f"A{headers[t] - 1}") for t in others}  # its title


def test_two_untitled_copies_of_a_form_in_a_sheet_are_said_at_the_one_not_read(tmp_path):
    rows = [*_contraception_list(FEBRUARY), [], *_contraception_list(CONTRACEPTION)]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == FEBRUARY
    assert [(f.rule_id, f.sheet, f.cell) for f in fr.findings] == [
        ("sheet.duplicate_form", "节育措施", "A6")
    ]


@pytest.mark.parametrize("between", [[[]], [["其中"]]], ids=["blank-row", "其中"])
def test_a_lists_items_grouped_by_a_blank_row_are_one_copy(between, tmp_path):
    rest = [["皮埋", 0], ["女扎", 0], ["避孕套", 0]]
    fr = read_file_at(tmp_path, {"节育措施": [*CONTRACEPTION_LIST, *between, *rest]})
    assert fr.sheets["contraception"].records[0] == {
        **CONTRACEPTION,
        "implant": 0,
        "female_sterilization": 0,
        "condom": 0,
    }
    assert fr.findings == []


MONTHS_HEADING = [
    ["项目", "上月", "本月"],
    ["已婚育龄妇女数", 290, 300],
    ["上环", 90, 100],
    ["未避孕", 190, 200],
]
MIGRANTS_BY_MONTH = [[row[0], row[1] - 10, row[1]] for row in MIGRANTS_LIST[1:]]


@pytest.mark.parametrize("title", [[], [["流动人口情况"]]], ids=["untitled", "titled"])
@pytest.mark.parametrize(
    "lower", [MIGRANTS_BY_MONTH, MIGRANTS_LIST[1:]], ids=["two-columns", "one-column"]
)
def test_lists_stacked_under_one_heading_of_months_are_all_read_from_this_months_column(
    title, lower, tmp_path
):
    """项目 | 上月 | 本月 heads only the sheet's first list: the list below has no heading of its
    own, and its figures were read from 上月's column without a word (two columns); a list of
    one column below keeps its figures (a helper found them blanked by the heading)."""
    fr = read_file_at(tmp_path, {"月报": [*MONTHS_HEADING, [], *title, *lower]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert fr.sheets["migrants"].records[0] == MIGRANTS
    assert findings_of(fr) == []


@GRIDS
@given(
    n=st.integers(2, 3),
    this=st.integers(0, 2),
    style=st.sampled_from(
        ["{y}年{m}月", "{m}月", "{m}月份", "{y}年{m}月节育措施情况", "{y}.{m:02d}", "{y}-{m}"]
    ),
    blank=st.booleans(),
)
def test_the_copy_titled_with_the_report_month_is_read_whatever_its_place(
    n, this, style, blank, tmp_path_factory
):
    this = min(this, n - 1)
    months = [3 - (this - i) for i in range(n)]  # ascending, March at `this`
    rows = []
    for i, m in enumerate(months):
        rows.append([style.format(y=2026, m=m)])
        figures = CONTRACEPTION if m == 3 else {k: v - i - 1 for k, v in FEBRUARY.items()}
        rows += _contraception_list(figures) + ([[]] if blank else [])
    fr = read_file_at(tmp_path_factory.mktemp("copies"), {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert sorted(f.rule_id for f in fr.findings) == ["sheet.other_month"] * (n - 1)


def test_a_month_heading_over_each_months_forms_picks_each_forms_copy_of_the_report_month(
    tmp_path,
):
    """2026年1月, then 节育措施 and 流动人口 under their own titles; then 2026年2月 …: each
    form's copies are told apart by the month heading their section."""
    rows = []
    for m in (1, 2, 3):
        shift = {k: v + m - 3 for k, v in MIGRANTS.items()}
        rows += [[f"2026年{m}月"], ["节育措施情况"]]
        rows += _contraception_list({k: v + m - 3 for k, v in CONTRACEPTION.items()})
        rows += [[], ["流动人口情况"], ["项目", "数量"]]
        rows += [[label, shift[field]] for label, field in MIGRANT_LABELS.items()] + [[]]
    fr = read_file_at(tmp_path, {"月报": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert fr.sheets["migrants"].records[0] == MIGRANTS
    assert sorted(f.rule_id for f in fr.findings) == ["sheet.other_month"] * 4


FEB_ITEMS = _contraception_list(FEBRUARY, heading=False)
MARCH_ITEMS = _contraception_list(CONTRACEPTION, heading=False)


@pytest.mark.parametrize(
    "sheet, rows, said",
    [
        ("节育措施", [["3月"], *MARCH_ITEMS, [], ["2月"], *FEB_ITEMS], ("sheet.other_month", "A6")),
        (
            "节育措施",
            [["节育措施情况（2月）"], *FEB_ITEMS, [], ["节育措施情况（3月）"], *MARCH_ITEMS],
            ("sheet.other_month", "A1"),
        ),
        (
            "3月报表",
            [["2月"], *_contraception_list(FEBRUARY), [], ["3月"], *MARCH_ITEMS],
            ("sheet.other_month", "A1"),
        ),
        (
            "节育措施",
            [["节育措施情况（上月）"], *FEB_ITEMS, [], ["节育措施情况"], *MARCH_ITEMS],
            ("sheet.other_month", "A1"),
        ),
        (
            "节育措施",
            [["2月"], *FEB_ITEMS, [], ["节育措施情况"], *MARCH_ITEMS],
            ("sheet.other_month", "A1"),
        ),
        ("节育措施", [*FEB_ITEMS, [], ["本月数"], *MARCH_ITEMS], ("sheet.duplicate_form", "A1")),
        (
            "节育措施",
            [["本年累计"], *FEB_ITEMS, [], ["本月"], *MARCH_ITEMS],
            ("sheet.other_month", "A1"),
        ),
        (
            "节育措施",
            [
                ["2026年2月"],
                ["单位：人"],
                *FEB_ITEMS,
                [],
                ["2026年3月"],
                ["单位：人"],
                *MARCH_ITEMS,
            ],
            ("sheet.other_month", "A1"),
        ),
        (
            "节育措施",
            [["截至2月底"], *FEB_ITEMS, [], ["截至3月底"], *MARCH_ITEMS],
            ("sheet.other_month", "A1"),
        ),
        # a copy of another month and one of last year's: neither is this month's
        ("节育措施", [["2026年2月"], *FEB_ITEMS, [], ["上年同期"], *MARCH_ITEMS], None),
        # the copies in column B: each said at its own title
        (
            "节育措施",
            [
                [None, "2月"],
                *[[None, *r] for r in FEB_ITEMS],
                [],
                [None, "3月"],
                *[[None, *r] for r in MARCH_ITEMS],
            ],
            ("sheet.other_month", "B1"),
        ),
    ],
    ids=[
        "no-heading-march-first",
        "form-titles",
        "sheet-named-for-march",
        "last-then-untitled",
        "february-then-untitled",
        "untitled-then-this-month",
        "running-total-then-this-month",
        "units-rows",
        "as-of-month-ends",
        "another-month-and-last-year",
        "column-b",
    ],
)
def test_the_copy_of_this_month_is_read_however_the_copies_are_titled(sheet, rows, said, tmp_path):
    """Found by helpers' rounds: the first copy's title climbed into an untitled copy, a sheet
    named 3月报表 hid its copies' titles, 本月/累计 were never weighed, February's copy was
    read beside last year's, a copy in column B was said at column A."""
    fr = read_file_at(tmp_path, {sheet: rows})
    if said is None:
        assert "contraception" not in fr.sheets
        assert [f.rule_id for f in fr.findings] == ["sheet.month_column_missing"]
        return
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert [(f.rule_id, f.cell) for f in fr.findings] == [said]


@pytest.mark.parametrize(
    ("february", "march"),
    [
        ([["2026年2月"], ["单位：人"]], [["2026年3月"], ["单位：人"]]),
        ([["2026年2月", None, "单位：人"]], [["2026年3月", None, "单位：人"]]),
        ([["节育措施（2026年2月 单位：人）"]], [["节育措施（2026年3月 单位：人）"]]),
    ],
    ids=["units-row", "units-beside", "units-inside"],
)
def test_a_copy_is_named_by_its_title_without_its_units_note(february, march, tmp_path):
    fr = read_file_at(tmp_path, {"节育措施": [*february, *FEB_ITEMS, [], *march, *MARCH_ITEMS]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    (said,) = fr.findings
    assert said.rule_id == "sheet.other_month" and "2026年2月" in said.message_zh
    assert "单位" not in said.message_zh + said.fix_zh


# Items no record form reads: a village's own lines among the template's
STRAY_ITEMS = ["外出务工人员", "临时登记户", "备用栏"]


@GRIDS
@given(
    form=st.sampled_from(RECORD_FORMS),
    n=st.integers(2, 3),
    this=st.integers(0, 2),
    style=st.sampled_from(["{y}年{m}月", "{m}月份", "{name}（{y}年{m}月）", "{y}.{m:02d}"]),
    blank=st.booleans(),
    data=st.data(),
)
def test_copies_of_any_two_or_more_items_are_told_apart_by_their_titles(
    form, n, this, style, blank, data, tmp_path_factory
):
    """Each copy a 项目 | 数量 list of the same items, two or more, with lines no field reads
    among them: copies of two items were not seen as copies, and February's figures were read
    for March's without a word."""
    required = [f for f in form.fields if f.required]
    optional = [f for f in form.fields if not f.required]
    extra = data.draw(st.lists(st.sampled_from(optional), unique=True, min_size=2 - len(required)))
    fields = data.draw(st.permutations(required + extra))
    strays = data.draw(st.lists(st.sampled_from(STRAY_ITEMS), unique=True, max_size=2))
    lines = data.draw(st.permutations([*fields, *strays]))
    march = {f.name: data.draw(st.integers(10, 10**5)) for f in fields}
    this = min(this, n - 1)
    rows = []
    for i, m in enumerate(3 - (this - i) for i in range(n)):
        rows += [[style.format(y=2026, m=m, name=form.name_zh)], ["项目", "数量"]]
        rows += [
            [f, 7] if isinstance(f, str) else [f.aliases[0], march[f.name] - (m != 3) * (i + 1)]
            for f in lines
        ] + ([[]] if blank else [])
    fr = read_file_at(tmp_path_factory.mktemp("copies"), {form.name_zh: rows})
    assert fr.sheets[form.name].records[0] == march
    said = sorted(f.rule_id for f in fr.findings)
    assert said == ["sheet.other_month"] * (n - 1) + ["sheet.unknown_item"] * len(strays)
    # a copy is named by its sheet and its period, the form's name said once
    assert not any(f"（{form.name_zh}" in f.message_zh for f in fr.findings)


def test_an_item_given_twice_in_a_list_gives_neither_figure(tmp_path):
    """February's items, then March's, with no title or blank row between: the list's first
    figures were read as March's, and its later ones passed over without a word."""
    items = [row for row in MIGRANTS_LIST[1:]]
    march = [[label, n + 3] for label, n in items]
    fr = read_file_at(tmp_path, {"流动人口": [["项目", "数量"], *items, *march]})
    said = [(f.rule_id, f.cell, f.row, f.severity) for f in fr.findings]
    assert said == [("record.item_twice", f"B{r}", 2, ERROR) for r in range(6, 10)]
    assert "B2 为 50，B6 为 53" in fr.findings[0].message_zh
    (record,) = validate_batch([fr]).frames["migrants"].to_dict("records")
    assert record["_has_error"]


def test_an_item_under_two_others_is_no_item_given_twice(tmp_path):
    """办证数 under 流出人口数, then under 流入人口数; 其他 among the methods, then in the breakdown
    of 未避孕: each was said given twice, and the form kept out."""
    rows = [["项目", "数量"], ["流出人口数", 50], ["办证数", 25], ["流入人口数", 12], ["办证数", 6]]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0]["out_certified"] == 25
    assert "record.item_twice" not in {f.rule_id for f in fr.findings}
    rows = [["项目", "数量"], *MARCH_ITEMS[:2], ["其他", 5], MARCH_ITEMS[2]]
    rows += [["其中：孕期", 12], ["哺乳期", 8], ["其他", 10]]
    fr = read_file_at(tmp_path / "b", {"节育措施": rows})
    assert fr.sheets["contraception"].records[0]["other_method"] == 5
    assert "record.item_twice" not in {f.rule_id for f in fr.findings}


def test_an_item_given_twice_with_one_figure_is_read_once(tmp_path):
    items = MIGRANTS_LIST[1:]
    fr = read_file_at(tmp_path, {"流动人口": [["项目", "数量"], *items, items[0]]})
    assert fr.sheets["migrants"].records[0] == MIGRANTS
    assert findings_of(fr) == []


# Headings over a list's figures that say no report month's figure (a plan, a part, another
# period, a household count)
NOT_THE_MONTHS = ["计划", "户", "人", "上次", "月初", "一季度", "上月", "累计", "上年同期"]
NOT_THE_MONTHS += ["本年累计", "2026/2", "本月计划"]


@GRIDS
@given(
    headings=st.lists(st.sampled_from(NOT_THE_MONTHS), min_size=2, max_size=4, unique=True),
    this=st.one_of(st.none(), st.sampled_from(["本月", "3月", "本月数", "2026年3月"])),
    at=st.integers(0, 4),
    data=st.data(),
)
def test_figures_in_columns_none_headed_the_months_are_refused_not_guessed(
    headings, this, at, data, tmp_path_factory
):
    """项目 | 计划 | 完成, 项目 | 户 | 人, 项目 | 上月 | 本月新增 | 累计: the first column's
    figures were read as the month's without a word. With a column headed 本月 (or 3月) among
    them, that one is read."""
    if this is not None:
        headings.insert(min(at, len(headings)), this)
    # each column's figures its own: columns that agree leave nothing to choose
    figures = {
        f: [data.draw(st.integers(0, 999)) + 1000 * i for i in range(len(headings))]
        for f in CONTRACEPTION
    }
    labels = {"married_women": "已婚育龄妇女数", "iud": "上环", "no_method": "未避孕"}
    rows = [["项目", *headings], *([labels[f], *figures[f]] for f in CONTRACEPTION)]
    fr = read_file_at(tmp_path_factory.mktemp("columns"), {"节育措施": rows})
    if this is None:
        assert "contraception" not in fr.sheets
        ((rule, cell),) = [(f.rule_id, f.cell) for f in fr.findings]
        assert rule in ("sheet.figure_column_unclear", "sheet.month_column_missing")
        assert cell[0] in "BCDE" and cell[1:] == "1"
    else:
        column = headings.index(this)
        assert fr.sheets["contraception"].records[0] == {f: v[column] for f, v in figures.items()}


@pytest.mark.parametrize(
    "parts", [["男", "女"], ["省内", "省外"], ["一组", "二组", "三组"]], ids=lambda p: "|".join(p)
)
def test_a_list_of_parts_and_their_whole_is_read_from_the_whole(parts, tmp_path):
    rows = [["项目", *parts, "合计"]]
    rows += [[label, *[1] * len(parts), MIGRANTS[f]] for label, f in MIGRANT_LABELS.items()]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == MIGRANTS
    assert findings_of(fr) == []


@pytest.mark.parametrize(
    "sheet, heading",
    [("节育措施", h) for h in ("上月数", "上年同期", "2月底数", "数量（2月）")]
    + [("宣传服务", h) for h in ("本年累计", "1-3月", "一至三月", "今年以来", "截至本月")],
)
def test_the_only_column_of_figures_headed_another_period_is_refused(sheet, heading, tmp_path):
    """Another month's stock, or a sum over months of events (宣传服务's counts)."""
    items = MARCH_ITEMS if sheet == "节育措施" else SERVICES_LIST[1:]
    fr = read_file_at(tmp_path, {sheet: [["项目", heading], *items]})
    assert not fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", "B1")]


@pytest.mark.parametrize(
    "rows",
    [
        [["2026年第一季度节育措施情况"], *CONTRACEPTION_LIST],
        [["项目", "1-3月"], *MARCH_ITEMS],
        [["月份", "已婚育龄妇女数", "上环", "未避孕"], ["第一季度", 300, 100, 200]],
    ],
    ids=["title", "heading", "row"],
)
def test_a_stock_at_a_quarters_end_is_its_last_months(rows, tmp_path):
    """节育措施 counts women as they are at the end of a period: its figures for 1-3月 are
    March's (a helper round found them refused as a sum over months)."""
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


def test_an_unlabelled_row_beside_last_months_is_the_months(tmp_path):
    """A row of figures with no label, then one labelled 上月: the first was refused with it."""
    header = ["", "已婚育龄妇女数", "上环", "未避孕"]
    rows = [header, ["", 300, 100, 200], ["上月", 290, 90, 190]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


def test_a_total_row_above_its_breakdown_is_read_not_the_breakdown(tmp_path):
    """总数 | 50 | 12 over 其中：已婚育龄妇女 | 30 | 6: the breakdown was read as the whole."""
    rows = [["项目", "流出人口", "流入人口"], ["总数", 50, 12], ["其中：已婚育龄妇女", 30, 6]]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    record = fr.sheets["migrants"].records[0]
    assert (record["out_migrants"], record["in_migrants"]) == (50, 12)


def test_rows_of_months_and_their_total_give_the_report_months_row(tmp_path):
    """1月 | 2月 | 3月 rows and a 合计 row: the year's sum was read as March's."""
    header = ["月份", "宣传资料份数", "标语条数"]
    rows = [header, ["1月", 500, 10], ["2月", 480, 10], ["3月", 520, 12], ["合计", 1500, 32]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 520, "slogans": 12}
    without_march = read_file_at(tmp_path / "b", {"宣传服务": [*rows[:3], ["合计", 980, 20]]})
    assert "services" not in without_march.sheets
    said = [(f.rule_id, f.cell) for f in without_march.findings]
    assert said == [("sheet.month_column_missing", "A2")]


@pytest.mark.parametrize(
    "february, march",
    [(["2月", None], ["3月", None]), ([None, "上月数"], [None, "本月数"])],
    ids=["titles", "headings"],
)
def test_copies_of_a_list_side_by_side_give_the_months(february, march, tmp_path):
    """2月's list beside 3月's (by titles above them, or their figures' headings): February's,
    the left one, was read without a word."""
    rows = [[*february, None, *march]] if february[0] else []
    heads = ["数量", "数量"] if february[0] else [february[1], march[1]]
    rows += [["项目", heads[0], None, "项目", heads[1]]]
    rows += [[*feb, None, *mar] for feb, mar in zip(FEB_ITEMS, MARCH_ITEMS, strict=True)]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


def test_copies_side_by_side_titled_over_a_units_row_and_a_heading_give_the_months(tmp_path):
    """2026年3月 | 2026年2月 three rows above the items (a units row and 指标 | 数值 between):
    the titles were not looked at, and the form was refused as unclear (a real workbook)."""
    rows = [
        ["2026年3月", None, None, "2026年2月"],
        [None, "单位：人", None, None, "单位：人"],
        ["指标", "数值", None, "指标", "数值"],
    ]
    rows += [[*mar, None, *feb] for feb, mar in zip(FEB_ITEMS, MARCH_ITEMS, strict=True)]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


@pytest.mark.parametrize("numbers", [(1, 2, 3), (1, 2), (2, 3)])
def test_figures_under_bare_numbers_are_refused_not_read_from_the_first(numbers, tmp_path):
    """项目 | 1 | 2 | 3 typed as numbers (months? column numbers?): January's column was read
    as March's without a word, where the same headings typed as text were refused."""
    rows = [["项目", *numbers]]
    rows += [[label, *(n + 7 * k for k in range(len(numbers)))] for label, n in MARCH_ITEMS]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.figure_column_unclear", "B1")]
    assert "（" + "、".join(map(str, numbers)) + "）" in fr.findings[0].message_zh


@pytest.mark.parametrize(
    "heading, numbers",
    [
        (["项目", "数量", "备注"], [None, 1, 2]),
        (["项目", "上月数", "数量"], ["项目", 1, 2]),
        (["项目", "数量", "本年累计"], ["序号", 1, 2]),
        (["指标名称", "计量单位", "数量"], ["指标名称", "计量单位", 1]),
    ],
)
def test_column_numbers_under_a_header_leave_its_figure_read(heading, numbers, tmp_path):
    """Headings over a row of the columns' numbers (| 1 | 2), as statistical forms have."""
    figure = heading.index("数量")
    rows = [heading, numbers]
    other = {c: "人" if heading[c] == "计量单位" else 7 for c in range(1, len(heading))}
    rows += [
        [label, *(n if c == figure else n + other[c] if other[c] == 7 else other[c] for c in other)]
        for label, n in MARCH_ITEMS
    ]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


@pytest.mark.parametrize("heading", ["月份", "月 份"])
def test_numbers_under_the_word_for_months_are_months(heading, tmp_path):
    rows = [[heading, 1, 2, 3]]
    rows += [[label, n - 20, n - 10, n] for label, n in MARCH_ITEMS]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


def test_copies_of_a_list_side_by_side_untitled_are_refused_not_guessed(tmp_path):
    rows = [["项目", "数量", None, "项目", "数量"]]
    rows += [[*feb, None, *mar] for feb, mar in zip(FEB_ITEMS, MARCH_ITEMS, strict=True)]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.figure_column_unclear", "B1")]


def test_a_heading_over_parts_and_their_whole_is_read_from_the_whole(tmp_path):
    """流出人口数 over 男 | 女 | 合计: the men's figure was read as the whole's."""
    rows = [
        ["流出人口数", None, None, "流入人口数", None, None],
        ["男", "女", "合计", "男", "女", "合计"],
        [25, 25, 50, 5, 7, 12],
    ]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == {"out_migrants": 50, "in_migrants": 12}
    assert findings_of(fr) == []


def test_a_heading_over_its_own_figure_and_a_sub_item_gives_both(tmp_path):
    """流出人口 over 人数 | 已婚育龄妇女 (no 其中): the married women were dropped unsaid."""
    rows = [["流出人口", None, "流入人口", None], ["人数", "已婚育龄妇女"] * 2, [50, 30, 12, 6]]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    expected = {"out_migrants": 50, "out_married_women": 30, "in_migrants": 12}
    assert fr.sheets["migrants"].records[0] == {**expected, "in_married_women": 6}


def test_a_heading_over_households_and_persons_is_read_from_the_persons(tmp_path):
    """户籍人口 over 户数 | 人数: the households were read as the population."""
    rows = [["户籍人口", None, "迁入", None], ["户数", "人数", "户数", "人数"], [520, 1800, 1, 3]]
    fr = read_file_at(tmp_path, {"人口变动": rows})
    assert fr.sheets["population"].records[0] == {"population": 1800, "moved_in": 3}


def test_a_heading_over_figures_of_two_kinds_is_refused(tmp_path):
    """户籍人口 over 户 | 人 (unit words, neither the figure's own word): either may be meant."""
    rows = [["户籍人口", None, "迁入", None], ["户", "人", "户", "人"], [520, 1800, 1, 3]]
    fr = read_file_at(tmp_path, {"人口变动": rows})
    assert "population" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.figure_column_unclear", "A2")]


@pytest.mark.parametrize(
    "headings, column",
    [
        (["数量", "备注"], 0),
        (["数量", "金额（元）"], 0),
        (["人数", "户数"], 0),
        (["户数", "人数"], 1),
        (["任务数", "完成数"], 1),
        (["小计", "男", "女"], 0),
        (["男", "女", "总人数"], 2),
        (["人数", "女"], 0),
    ],
)
def test_a_figure_beside_remarks_money_households_or_parts_is_read(headings, column, tmp_path):
    """数量 | 备注 with a remark typed as a number, 人数 | 户数: refused as unclear by the first
    version of that rule (a helper round found them)."""
    rows = [["项目", *headings]]
    rows += [[label, *(n + 7 * k for k in range(len(headings)))] for label, n in MARCH_ITEMS]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    expected = {f: n + 7 * column for f, n in CONTRACEPTION.items()}
    assert fr.sheets["contraception"].records[0] == expected


@pytest.mark.parametrize(
    "sheet, rows, cell",
    [
        ("2月节育措施", CONTRACEPTION_LIST, None),
        ("节育措施(上月)", CONTRACEPTION_LIST, None),
        ("节育措施", [["2026年2月节育措施情况"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况（2月份）"], *CONTRACEPTION_LIST], "A1"),
        ("宣传服务（1-3月）", SERVICES_LIST, None),
        ("宣传服务", [["2026年第一季度宣传服务情况"], *SERVICES_LIST], "A1"),
        ("宣传服务", [["2026年1-3月宣传服务情况"], *SERVICES_LIST], "A1"),
        ("节育措施", [["节育措施情况（截至2026年2月28日）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况 2026.2.28"], *CONTRACEPTION_LIST], "A1"),
        ("宣传服务", [["宣传服务情况（2月1日至2月28日）"], *SERVICES_LIST], "A1"),
        ("节育措施（截至2月28日）", CONTRACEPTION_LIST, None),
        ("节育措施", [["节育措施情况"], ["统计日期：2026年2月28日"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况"], ["报告期：2026年2月"], *CONTRACEPTION_LIST], "A1"),
        (
            "节育措施",
            [["2026年2月节育措施情况", None, "制表日期：2026年3月2日"], *CONTRACEPTION_LIST],
            "A1",
        ),
        ("节育措施", [["节育措施情况", None, "2026年2月28日"], *CONTRACEPTION_LIST], "A1"),
        ("宣传服务", [["宣传服务情况（2026年1月1日至3月31日）"], *SERVICES_LIST], "A1"),
        (
            "节育措施",
            [["节育措施情况（截至2026年2月28日）  打印日期：2026年4月1日"], *CONTRACEPTION_LIST],
            "A1",
        ),
        ("节育措施", [["节育措施情况（截至2026年2月28日）2026.3.5"], *CONTRACEPTION_LIST], "A1"),
        (
            "节育措施",
            [["节育措施情况（2026年2月，2026年3月2日填报）"], *CONTRACEPTION_LIST],
            "A1",
        ),
        ("节育措施", [["节育措施情况（上月）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节 育 措 施 情 况 （上 月）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况（上年同期）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况（期初）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["上一期节育措施情况"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["2025年度节育措施情况"], *CONTRACEPTION_LIST], "A1"),
        ("Sheet1", [["上月节育措施情况"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["复合村上月节育措施情况"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况-上月"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["上月报表"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况"], ["报告期：上月"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况（上月末人数）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况（2025年年底）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["节育措施情况（上月期末）"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["上月全村节育措施情况"], *CONTRACEPTION_LIST], "A1"),
        ("节育措施", [["上月节育措施填报表"], *CONTRACEPTION_LIST], "A1"),
        (
            "节育措施",
            [["节育措施情况〔截至2026年2月28日〕打印日期：2026年4月1日"], *CONTRACEPTION_LIST],
            "A1",
        ),
        ("节育措施", [["节育措施情况", None, "（上月）"], *CONTRACEPTION_LIST], "A1"),
    ],
    ids=[
        "tab-2月",
        "tab-上月",
        "title-2月",
        "title-2月份",
        "tab-1-3月",
        "title-一季度",
        "title-1-3月",
        "title-截至2月28日",
        "title-2026.2.28",
        "title-2月1日至2月28日",
        "tab-截至2月28日",
        "line-统计日期",
        "line-报告期",
        "title-beside-制表日期",
        "title-beside-a-day",
        "title-1月1日至3月31日",
        "title-截至2月28日-then-打印日期",
        "title-截至2月28日-then-a-day",
        "title-2月-then-填报",
        "title-上月",
        "title-上 月-spaced",
        "title-上年同期",
        "title-期初",
        "title-上一期",
        "title-2025年度",
        "title-上月-Sheet1",
        "title-a-village-then-上月",
        "title-dash-上月",
        "title-上月报表",
        "line-报告期：上月",
        "title-上月末人数",
        "title-2025年年底",
        "title-上月期末",
        "title-上月全村",
        "title-填报表",
        "title-〔截至〕-then-打印日期",
        "title-over-two-cells",
    ],
)
def test_the_only_tab_or_copy_of_a_form_named_another_period_is_refused(
    sheet, rows, cell, tmp_path
):
    """A March file whose only 节育措施 is 2月's (by its tab's name or its title), or whose
    宣传服务 counts 1-3月's events: read as March's without a word, where two such tabs (1月,
    2月) were refused."""
    fr = read_file_at(tmp_path, {sheet: rows})
    assert not fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", cell)]


@pytest.mark.parametrize(
    "title",
    [
        "2026年3月节育措施情况",
        "节育措施（本月）",
        "节育措施情况",
        "节育措施情况（截至2026年3月31日）",
        "节育措施情况（2月26日至3月25日）",  # a statistical month from the 26th
        "节育措施（4月2日报）",
        "节育措施情况  制表日期：2026年2月28日",  # when the sheet was made
        "节育措施情况（2026年1月-3月）",  # a stock's at the quarter's end is March's
        "节育措施情况（2月26日至本月25日）",  # statistical months, written every way
        "节育措施情况（2026.2.26-3.25）",
        "节育措施情况（2026年2月26日-25日）",
        "节育措施情况（2026年2月26日起）",
        "节育措施情况（2026.04.02）",  # a filing date
        "节育措施情况（2026年1月1日至3月31日）",  # a stock's at the quarter's end
        "节育措施情况（截至2026年3月25日）  打印日期：2026年4月1日",
        "2026年3月节育措施情况（2026年4月2日报送）",
    ],
)
def test_the_only_copy_titled_the_month_or_no_period_is_read(title, tmp_path):
    """A day in a title says an earlier period only when it is before the month began."""
    fr = read_file_at(tmp_path, {"节育措施": [[title], *CONTRACEPTION_LIST]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert findings_of(fr) == []


@pytest.mark.parametrize(
    "sheet, titles",
    [
        ("节育措施", [["本月节育措施情况"], ["（2月的数字另表填报）"]]),
        ("3月节育措施", [["2026年2月节育措施情况"]]),  # the tab renamed, its title left
        ("3月报表", [["节育措施情况"]]),  # a sheet named for no form, titled for one
        ("Sheet1", [["节育措施情况"]]),
    ],
    ids=["本月-and-a-note", "tab-names-the-month", "3月报表-titled", "Sheet1-titled"],
)
def test_the_month_said_by_a_title_or_tab_beside_another_months_words_is_read(
    sheet, titles, tmp_path
):
    items = [["项目", "数量"], *MARCH_ITEMS[:2]]  # two items: a form named by its title
    fr = read_file_at(tmp_path, {sheet: [*titles, *items]})
    expected = {f: CONTRACEPTION[f] for f in ("married_women", "iud")}
    assert fr.sheets["contraception"].records[0] == expected


@pytest.mark.parametrize(
    "rows, said",
    [
        (  # two lists side by side, in a sheet named for neither
            [["项目", "数量", None, "项目", "数量"]]
            + [[*c, None, *m] for c, m in zip(MARCH_ITEMS, MIGRANTS_LIST[1:], strict=False)],
            [("sheet.form_not_read", "D2")],
        ),
        (  # two tables, one right under the other
            [["已婚育龄妇女数", "上环"], [300, 100], ["流出人口数", "流入人口数"], [50, 12]],
            [("sheet.form_not_read", "A1"), ("sheet.form_not_read", "A3")],
        ),
    ],
    ids=["lists-side-by-side", "tables-stacked"],
)
def test_a_forms_figures_no_block_reads_are_said_not_dropped(rows, said, tmp_path):
    """The list on the right was dropped without a word; the stacked tables were refused as
    holding no form at all."""
    fr = read_file_at(tmp_path, {"月报": rows})
    assert sorted((f.rule_id, f.cell) for f in fr.findings) == said
    assert fr.rejection is None


@pytest.mark.parametrize(
    "sheet, rows",
    [
        (
            "节育措施",
            [["项目", "合计", "其中：流动人口"], ["已婚育龄妇女数", 300, 20], ["上环", 100, 9]],
        ),
        (
            "节育措施",
            [["已婚育龄妇女数", None, "上环"], ["人数", "其中：流动", "人数"], [300, 20, 100]],
        ),
        ("节育措施（4月报送）", [["项目", "数量"], ["已婚育龄妇女数", 300], ["上环", 100]]),
        (
            "2026年度月报",
            [["节育措施情况"], ["项目", "数量"], ["已婚育龄妇女数", 300], ["上环", 100]],
        ),
        (
            "节育措施",
            [
                ["2026年度节育措施情况（3月）"],
                ["项目", "数量"],
                ["已婚育龄妇女数", 300],
                ["上环", 100],
            ],
        ),
        (
            "节育措施",
            [["村代码", 420117104201], ["项目", "数量"], ["已婚育龄妇女数", 300], ["上环", 100]],
        ),
        ("节育措施", [["项目", "本年3月"], ["已婚育龄妇女数", 300], ["上环", 100]]),
    ],
    ids=[
        "whole-beside-其中",
        "table-其中",
        "tab-sent",
        "tab-年度",
        "title-年度-3月",
        "code-above",
        "heading-本年3月",
    ],
)
def test_ordinary_layouts_a_review_found_refused_are_read(sheet, rows, tmp_path):
    fr = read_file_at(tmp_path, {sheet: rows})
    assert fr.sheets["contraception"].records[0] == {"married_women": 300, "iud": 100}
    assert not [f for f in fr.findings if f.rule_id.startswith(("sheet.", "record."))]


def test_an_item_far_below_its_list_is_no_crash(tmp_path):
    """An item 200 rows below the list: beyond the rows the layout looks at, it raised."""
    rows = [["项目", "数量"], ["已婚育龄妇女数", 300], ["上环", 100], *[[]] * 210, ["皮埋", 5]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {"married_women": 300, "iud": 100}


@pytest.mark.parametrize(
    "sheet, label",
    [("节育措施", w) for w in ("2月", "上月末", "上年同期", date(2026, 2, 28), "2月28日")]
    + [("宣传服务", w) for w in ("本年累计", "1-3月", "第一季度")],
)
def test_a_single_row_labelled_another_month_is_refused(sheet, label, tmp_path):
    header = (
        ["月份", "已婚育龄妇女数", "上环"]
        if sheet == "节育措施"
        else ["月份", "宣传资料份数", "标语条数"]
    )
    fr = read_file_at(tmp_path, {sheet: [header, [label, 290, 95]]})
    assert not fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", "A2")]


def test_copies_in_a_sheet_each_for_another_month_give_none_of_their_figures(tmp_path):
    rows = [
        ["2月"],
        *_contraception_list(FEBRUARY),
        [],
        ["3月"],
        *_contraception_list(CONTRACEPTION),
    ]
    path = write_workbook(tmp_path / "420117104201_月报.xlsx", {"节育措施": rows})
    fr = read_file(path, "2026-04", REGISTRY, max_bytes=5 * 1024 * 1024, max_rows=5000)
    assert "contraception" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", "A1")]


def test_copies_sharing_two_items_are_two_months_not_one_record(tmp_path):
    """March's 人口变动 with 本月死亡 | 迁入 | 迁出, April's with 期末户籍人口 | 迁入 | 迁出: April's
    population was read into March's record."""
    rows = [
        ["2026年3月"],
        ["项目", "数量"],
        ["本月死亡", 2],
        ["迁入", 3],
        ["迁出", 1],
        [],
        ["2026年4月"],
        ["项目", "数量"],
        ["期末户籍人口", 1004],
        ["迁入", 4],
        ["迁出", 1],
    ]
    fr = read_file_at(tmp_path, {"人口变动": rows})
    assert fr.sheets["population"].records[0] == {"deaths": 2, "moved_in": 3, "moved_out": 1}
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.other_month", "A7")]


def test_a_copy_as_a_list_between_copies_as_tables_is_read_from_its_own_rows(tmp_path):
    """February's 流动人口 as a table, March's as a 项目 | 数量 list, January's as a table again:
    March's copy was taken for part of the table below it (fuzz seed 5350 of a helper round)."""
    table_header = ["流出人口数", "流出已婚育龄妇女数", "办证数", "流入人口数"]
    rows = [
        ["2026年2月"],
        table_header,
        [49, 19, 14, 17],
        [],
        ["2026年3月"],
        *MIGRANTS_LIST,
        [],
        ["2026年1月"],
        table_header,
        [48, 18, 13, 16],
    ]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == MIGRANTS
    assert sorted(f.cell for f in fr.findings if f.rule_id == "sheet.other_month") == ["A1", "A12"]


def test_an_examples_births_are_not_read_beside_the_forms_own_tab_saying_none(tmp_path):
    """The births' tab said 本月无出生 beside a 填表示例 with a made-up birth: the example was
    read, as the one with rows."""
    example = [["出生登记表（示例）"], BIRTH_HEADER[:5], ["王芳", MOTHER_ID_2, "女", BIRTH, 1]]
    real = [["出生登记表"], BIRTH_HEADER[:5], ["本月无出生"]]
    sheets = {"填表示例": example, "出生登记": real, "节育措施": CONTRACEPTION_LIST}
    fr = read_file_at(tmp_path, sheets)
    assert (fr.sheets["births"].sheet, fr.sheets["births"].records) == ("出生登记", [])
    assert not [f for f in fr.findings if f.rule_id.startswith("sheet.")]


@pytest.mark.parametrize("second_sex, variant", [("男", "twins"), ("女", None), (None, None)])
def test_twins_given_one_parity_are_told_to_number_them_apart(second_sex, variant, tmp_path):
    """Twins of either sex written with one 孩次 were told they were the same baby entered
    twice; the contract has twins' parities consecutive (so they are counted once till fixed).
    A blank sex is no other sex."""
    rows = [
        BIRTH_HEADER[:5],
        ["邹雨", MOTHER_ID, "女", BIRTH, 2],
        ["邹雨", MOTHER_ID, second_sex, BIRTH, 2],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    (said,) = [
        f for f in validate_batch([fr]).findings[0] if f.rule_id == "births.duplicate_in_file"
    ]
    expected = finding("births.duplicate_in_file", other=2, variant=variant)
    assert (said.row, said.message_zh, said.fix_zh) == (3, expected.message_zh, expected.fix_zh)
    assert ("双胞胎" in said.fix_zh) is (variant == "twins")


@pytest.mark.parametrize(
    "header",
    [
        ["妇女姓名", "母亲身份证", "性别", "分娩日期", "孩次"],
        ["育龄妇女姓名", "女方身份证号码", "婴儿性别", "出生时间", "孩次（一孩/二孩）"],
        ["母亲姓名", "身份证号（18位）", "性别", "出生日期", "孩次(第几孩)"],
    ],
)
@pytest.mark.parametrize("parity", ["第2胎", "2胎", "第二胎", "两孩"])
def test_registers_headed_and_filled_in_other_words_are_read(header, parity, tmp_path):
    """Headers and values villages write (a round of 244 registers found these refused)."""
    rows = [header, ["邹雨", MOTHER_ID, "女", BIRTH, parity]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].records[0] | {"mother_id": None} == {
        "mother_name": "邹雨",
        "mother_id": None,
        "child_sex": "女",
        "birth_date": BIRTH,
        "parity": 2,
    }
    assert validate_batch([fr]).findings[0] == []


@pytest.mark.parametrize(
    "category, meant",
    [("特扶（伤残）", "特别扶助"), ("农村奖扶", "农村奖励扶助"), ("奖励扶助", "农村奖励扶助")],
)
def test_a_beneficiaries_register_in_other_words_is_read(category, meant, tmp_path):
    elder = "420102195501010523"
    rows = [
        ["对象姓名", "公民身份号码", "享受类别", "认定年月"],
        ["刘奶奶", elder, category, BIRTH],
    ]
    fr = read_file_at(tmp_path, {"奖励扶助": rows})
    assert fr.sheets["beneficiaries"].records[0]["category"] == meant


@pytest.mark.parametrize(
    "name, header",
    [
        ("花名册", ["姓名", "身份证号码", "性别", "出生日期", "文化程度"]),
        ("育龄妇女", ["姓名", "身份证号", "性别", "出生日期", "婚姻状况", "节育措施"]),
    ],
)
def test_a_roster_beside_the_forms_is_no_births_register_missing_columns(name, header, tmp_path):
    """A roster of women or villagers (ID, sex, date of birth) was taken for a births register
    and refused with an error for lacking the mother's name and parity."""
    roster = [header, ["张梅", MOTHER_ID_2, "女", date(1992, 7, 15), "初中", "上环"][: len(header)]]
    fr = read_file_at(tmp_path, {name: roster, "节育措施": CONTRACEPTION_LIST})
    assert "births" not in fr.sheets
    assert [f.rule_id for f in fr.findings if f.sheet == name] == []


@pytest.mark.parametrize(
    "line",
    [
        ["一、户籍人口"],
        ["（二）流入人口"],
        ["流入人口出生"],
        ["本月合计"],
        ["共计2人"],
        ["附：本月出生1人"],
        ["备注：无"],
        ["本月合计", "1人", None, None, 1],  # a total with counts beside it
    ],
)
def test_a_registers_section_headings_totals_and_notes_are_no_persons(line, tmp_path):
    """Each was read as a person with its ID, sex, date and parity blank: errors on the file."""
    rows = [BIRTH_HEADER[:5], line, ["邹雨", MOTHER_ID, "女", BIRTH, 1], line]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [3]
    assert validate_batch([fr]).findings[0] == []


@pytest.mark.parametrize("name", ["王一", "李二", "张三丰"])
def test_a_person_with_only_a_name_is_still_said(name, tmp_path):
    rows = [BIRTH_HEADER[:5], [name]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2]
    assert {f.rule_id for f in validate_batch([fr]).findings[0]} == {"required"}


@pytest.mark.parametrize(
    "note, aside",
    [
        ("原出生医学证明作废，已补办", None),
        ("经核实，非重复登记", None),
        ("录入错误，本月更正", None),
        ("作废证件已收回", None),
        ("补报（原表作废）", None),
        ("（原出生证作废）", None),
        ("重复登记已核实，非同一人", None),
        (None, "注：示例行请删除后填写"),  # beside the table, under no heading
    ],
)
def test_a_real_birth_whose_note_mentions_a_mark_is_counted(note, aside, tmp_path):
    """A note about a document or a correction, or a template's instruction beside the table,
    kept a real birth out with an error."""
    rows = [[*BIRTH_HEADER[:5], "备注"], ["邹雨", MOTHER_ID, "女", BIRTH, 1, note, None, aside]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2]
    assert validate_batch([fr]).findings[0] == []


@pytest.mark.parametrize(
    "again",
    [
        ["母亲姓名", "母亲身份证号码", "婴儿性别", "出生日期（年月日）", "孩次"],
        ["母亲姓名", "母亲身份证号", "婴儿性别", "出生日期", "孩次", "备注（续）"],
        ["编号", "母亲姓名", "母亲身份证号", "婴儿性别", "出生日期", "孩次"],
    ],
)
def test_a_header_repeated_on_the_next_page_in_other_words_is_skipped(again, tmp_path):
    """The header of page 2 worded a little otherwise ended the register: its births were lost."""
    shift = 1 if again[0] == "编号" else 0
    rows = [
        [*([None] * shift), *BIRTH_HEADER[:5]],
        [*([1] * shift), "邹雨", MOTHER_ID, "女", BIRTH, 1],
    ]
    rows += [again, [*([2] * shift), "李梅", MOTHER_ID_2, "男", BIRTH, 1]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2, 4]
    assert not [f for f in fr.findings if f.rule_id == "sheet.another_table"]


@pytest.mark.parametrize(
    "line", ["填表日期：2026年2月28日", "日期：2026年2月28日", "打印日期：2026.2.27"]
)
def test_a_filing_date_left_from_last_month_refuses_nothing(line, tmp_path):
    """A stale 填表日期 under the title refused March's figures as February's."""
    fr = read_file_at(tmp_path, {"节育措施": [["节育措施情况"], [line], *CONTRACEPTION_LIST]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


@pytest.mark.parametrize(
    "header, row",
    [
        (
            ["母亲姓名", "身份证", "婴儿性别", "生育时间", "孩次"],
            ["邹雨", MOTHER_ID, "女", BIRTH, 1],
        ),
        (  # a contact's ID beside the mother's: hers is read, the other not
            ["母亲姓名", "母亲身份证号", "婴儿性别", "出生日期", "孩次", "联系人", "身份证"],
            ["邹雨", MOTHER_ID, "女", BIRTH, 1, "张强", "420117196405170461"],
        ),
        (
            [
                "母亲姓名",
                "公民身份号码",
                "父亲姓名",
                "公民身份号码",
                "婴儿性别",
                "出生日期",
                "孩次",
            ],
            ["邹雨", MOTHER_ID, "张强", "420117196405170461", "女", BIRTH, 1],
        ),
    ],
)
def test_a_weak_alias_names_a_field_only_where_no_other_column_does(header, row, tmp_path):
    """身份证 alone is the mother's ID; beside 母亲身份证号 it is someone else's (it gave the
    sheet a second ID column, refused as a column given twice)."""
    fr = read_file_at(tmp_path, {"出生登记": [header, row]})
    record = fr.sheets["births"].records[0]
    assert (record["mother_id"], record["birth_date"]) == (MOTHER_ID, BIRTH)
    assert not [f for f in fr.findings if f.severity == "error"]


def test_a_roster_with_a_weakly_named_category_is_no_beneficiaries_register(tmp_path):
    roster = [["姓名", "身份证号", "人员类别", "审批时间"], ["张梅", MOTHER_ID_2, "低保", BIRTH]]
    fr = read_file_at(tmp_path, {"低保名单": roster, "节育措施": CONTRACEPTION_LIST})
    assert "beneficiaries" not in fr.sheets
    assert [f.rule_id for f in fr.findings if f.sheet == "低保名单"] == []


@pytest.mark.parametrize("heading", ["填报月份", "上报月份", "报送月份"])
def test_a_row_labelled_another_month_under_a_filing_heading_is_refused(heading, tmp_path):
    """The month in a 填报月份 column is the month the row is of: February's row was read as
    March's once filing columns were passed over (a day there is when it was sent)."""
    rows = [[heading, "已婚育龄妇女数", "上环"], ["2026年2月", 290, 95]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets
    assert [f.rule_id for f in fr.findings] == ["sheet.month_column_missing"]


def test_a_filing_day_beside_the_only_row_refuses_nothing(tmp_path):
    rows = [["填报日期", "已婚育龄妇女数", "上环"], [date(2026, 2, 27), 290, 95]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {"married_women": 290, "iud": 95}


def test_a_repeated_header_with_a_page_number_beside_the_table_is_skipped(tmp_path):
    rows = [BIRTH_HEADER[:5], ["邹雨", MOTHER_ID, "女", BIRTH, 1]]
    rows += [[*BIRTH_HEADER[:5], None, "第2页"], ["李梅", MOTHER_ID_2, "男", BIRTH, 1]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2, 4]


@pytest.mark.parametrize(
    "sheet, headings, read",
    [
        ("节育措施", ["截至本月"], 0),  # a stock's figure now is the month's
        ("节育措施", ["上月末", "截至本月"], 1),
        ("宣传服务", ["本月", "截至本月"], 0),  # events: this month's beside their sum so far
    ],
)
def test_up_to_this_month_is_the_months_of_a_stock_and_a_sum_of_events(
    sheet, headings, read, tmp_path
):
    items = MARCH_ITEMS if sheet == "节育措施" else SERVICES_LIST[1:]
    rows = [["项目", *headings]]
    rows += [[label, *(n + 7 * (k - read) for k in range(len(headings)))] for label, n in items]
    fr = read_file_at(tmp_path, {sheet: rows})
    expected = (
        CONTRACEPTION
        if sheet == "节育措施"
        else {"leaflets": 50, "slogans": 3, "consultations": 17}
    )
    assert fr.sheets[next(iter(fr.sheets))].records[0] == expected


def test_a_stocks_tab_up_to_this_month_beside_last_months_is_read(tmp_path):
    """截至本月 is a stock's figure now (a sum only of a form counting events): the two tabs
    were both taken for other periods, and nothing was read."""
    sheets = {"节育措施（截至本月）": CONTRACEPTION_LIST, "节育措施（上月）": CONTRACEPTION_LIST}
    fr = read_file_at(tmp_path, sheets)
    assert fr.sheets["contraception"].sheet == "节育措施（截至本月）"


@pytest.mark.parametrize(
    "title, read",
    [("节育措施情况（2026年2月1日-28日）", False), ("节育措施情况（2月26日-25日）", True)],
)
def test_a_range_ending_in_a_day_alone_ends_in_its_month(title, read, tmp_path):
    """2月1日-28日 ends in February; 2月26日-25日 in March (a statistical month)."""
    fr = read_file_at(tmp_path, {"节育措施": [[title], *CONTRACEPTION_LIST]})
    assert ("contraception" in fr.sheets) is read


def test_a_title_over_the_header_says_nobodys_columns(tmp_path):
    """新生儿出生登记表 over a flat header made every column the child's: the mother's date of
    birth beside the baby's was refused as a column given twice."""
    header = ["母亲姓名", "出生日期", "身份证号", "婴儿性别", "出生日期", "孩次"]
    row = ["邹雨", date(1995, 3, 12), MOTHER_ID, "女", BIRTH, 1]
    fr = read_file_at(tmp_path, {"出生登记": [["新生儿出生登记表"], header, row]})
    assert fr.sheets["births"].records[0]["birth_date"] == BIRTH


def test_a_total_row_is_no_word_that_there_is_nobody(tmp_path):
    """本村合计 under an empty register (its first character 本, as 本月无's) passed an example
    tab over as if the register said 本月无出生: the example's births were lost unsaid."""
    example = [BIRTH_HEADER[:5], ["王芳", MOTHER_ID_2, "女", BIRTH, 1]]
    real = [BIRTH_HEADER[:5], ["本村合计", None, None, None, 0]]
    fr = read_file_at(tmp_path, {"出生登记示例": example, "出生登记": real})
    assert fr.sheets["births"].sheet == "出生登记示例"
    assert "sheet.example_read" in {f.rule_id for f in fr.findings}


def test_a_registers_section_heading_gives_its_rows_residence(tmp_path):
    """二、流入人口 over births in a register with no 流动性质 column: its births were read as
    户籍 (a blank's meaning), which decides which village counts a birth reported by two."""
    rows = [BIRTH_HEADER[:5], ["一、户籍人口"], ["邹雨", MOTHER_ID, "女", BIRTH, 1]]
    rows += [["二、流入人口"], ["李梅", MOTHER_ID_2, "男", BIRTH, 1]]
    births = read_file_at(tmp_path, {"出生登记": rows}).sheets["births"]
    assert [r["residence"] for r in births.records] == ["户籍", "流入"]
    assert births.cells[1]["residence"] == "A4"  # said at the heading that gives it


def test_a_total_labelled_in_the_number_column_is_no_person(tmp_path):
    """本月合计 in 序号's column, 2人 under the mothers' names: a person with blank fields."""
    rows = [
        ["序号", *BIRTH_HEADER[:5]],
        [1, "邹雨", MOTHER_ID, "女", BIRTH, 1],
        ["本月合计", "1人"],
    ]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert fr.sheets["births"].rows == [2]


@pytest.mark.parametrize(
    "sex_header, codes, expected",
    [
        ("婴儿性别（1男2女）", [1, 2], ["男", "女"]),
        ("性别(1=男,2=女)", [2, 1], ["女", "男"]),
        ("婴儿性别（男1女2）", ["1", "2"], ["男", "女"]),
    ],
)
def test_a_sex_column_headed_with_its_codes_reads_them(sex_header, codes, expected, tmp_path):
    """The legend in the vocabulary's own codes (1 for 男): it was a column missing, the whole
    register refused."""
    header = [sex_header if h == "婴儿性别" else h for h in BIRTH_HEADER]
    rows = [
        ["邹雨", MOTHER_ID, codes[0], BIRTH, 1, "是", None],
        ["李娜", MOTHER_ID_2, codes[1], BIRTH, 2, "是", None],
    ]
    fr = read_file_at(tmp_path, {"出生登记": [header, *rows]})
    assert [r["child_sex"] for r in fr.sheets["births"].records] == expected
    assert findings_of(fr) == []


def test_a_sex_legend_in_other_codes_is_refused_not_read_the_other_way(tmp_path):
    header = ["婴儿性别（1女2男）" if h == "婴儿性别" else h for h in BIRTH_HEADER]
    fr = read_file_at(
        tmp_path, {"出生登记": [header, ["邹雨", MOTHER_ID, 1, BIRTH, 1, "是", None]]}
    )
    assert "births" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.missing_column", "C1")]


@pytest.mark.parametrize("tick, expected", [("√", True), ("✔", True), ("×", False)])
def test_a_tick_or_a_cross_answers_a_yes_or_no_column(tick, expected, tmp_path):
    row = ["邹雨", MOTHER_ID, "女", BIRTH, 1, tick, None]
    fr = read_file_at(tmp_path, {"出生登记": [BIRTH_HEADER, row]})
    assert fr.sheets["births"].records[0]["in_policy"] is expected
    assert findings_of(fr) == []


def test_a_birth_dated_in_chinese_numerals_is_read(tmp_path):
    row = ["邹雨", MOTHER_ID, "女", "二〇二六年三月五日", 1, "是", None]
    fr = read_file_at(tmp_path, {"出生登记": [BIRTH_HEADER, row]})
    assert fr.sheets["births"].records[0]["birth_date"] == BIRTH
    assert findings_of(fr) == []


@pytest.mark.parametrize("month_heading", ["其中：本月", "其中本月", "其中:本月数"])
def test_the_months_part_of_a_running_total_is_read(month_heading, tmp_path):
    """本年累计 | 其中：本月: the list's only column of the month's events was refused as
    unclear, 其中 taken for a part of the month's figure (人数 | 其中：本月新增)."""
    rows = [["项目", "本年累计", month_heading], ["发放宣传资料", 300, 50], ["咨询人次", 40, 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 50, "consultations": 17}
    assert findings_of(fr) == []


@pytest.mark.parametrize(
    "period",
    ["上个月", "上一期", "期初数", "2025年末", "2025年", "上 月", "年 初", "上季度末", "前年"],
)
@pytest.mark.parametrize("where", ["column", "row"])
def test_an_only_column_or_row_of_an_earlier_period_is_refused(period, where, tmp_path):
    """上个月, 期初数, a year before the report's (2025年末) or 上月 spaced out as printed forms
    are, heading the only figures of a stock: read as March's without a word."""
    if where == "column":
        rows, cell = [["项目", period], *CONTRACEPTION_ITEMS], "B1"
    else:
        header = ["", *(label for label, _ in CONTRACEPTION_ITEMS)]
        rows, cell = [header, [period, *(n for _, n in CONTRACEPTION_ITEMS)]], "A2"
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", cell)]


@pytest.mark.parametrize("title", ["节育措施情况（本月与上月对比）", "2026年度节育措施情况"])
def test_a_title_naming_this_month_beside_an_earlier_one_or_this_year_is_read(title, tmp_path):
    rows = [[title], ["项目", "上月", "本月"], ["已婚育龄妇女数", 495, 498], ["上环", 198, 199]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {"married_women": 498, "iud": 199}


@pytest.mark.parametrize(
    "period",
    [
        "元-3月",
        "元月至3月",
        "1、2、3月",
        "一、二、三月",
        "1+2+3月",
        "近三个月",
        "截至3月底",
        "至3月",
        "本季",
        "今年",
        "年内",
        "本 年 累 计",
        "截止到3月底",
        "至本月",
        "本年",
        "近3月",
        "1,2,3月",
        "2026年Q1",
    ],
)
@pytest.mark.parametrize("where", ["column", "row", "title"])
def test_a_sum_of_events_over_months_or_up_to_the_month_is_refused(period, where, tmp_path):
    """Of 宣传服务, a form counting events: the year or quarter so far, however it is written,
    is no month's count; each of these was read as March's without a word."""
    items = [["发放宣传资料", 300], ["咨询人次", 40]]
    if where == "column":
        rows, cell = [["项目", period], *items], "B1"
    elif where == "row":
        rows, cell = [["", *(label for label, _ in items)], [period, 300, 40]], "A2"
    else:
        rows, cell = [[f"宣传服务情况（{period}）"], ["项目", "数量"], *items], "A1"
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert "services" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", cell)]


def test_the_months_column_beside_a_sum_from_january_is_read(tmp_path):
    """项目 | 元-3月 | 本月: 元-3月 (元月, January) was taken for March's column."""
    rows = [["项目", "元-3月", "本月"], ["发放宣传资料", 300, 50], ["咨询人次", 40, 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 50, "consultations": 17}


def test_a_count_of_households_is_not_read_as_persons(tmp_path):
    """流出人口数 | 20户: households, where the form counts persons; it was read as 20."""
    rows = [["项目", "数量"], ["流出人口数", "20户"], ["流入人口数", 12]]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert ("count.invalid", "流动人口", "B2") in findings_of(fr)
    assert fr.sheets["migrants"].records[0]["out_migrants"] == "20户"  # kept as typed, refused


HOUSEHOLDS_WRITTEN = {
    # where a village writes the unit of a one-record form's figures: the cells said
    "unit column": (
        [["项目", "单位", "数量"], ["流出人口数", "户", 20], ["流入人口数", "人", 12]],
        ["C2"],
    ),
    "unit column after": (
        [["项目", "数量", "单位"], ["流出人口数", 20, "（户）"], ["流入人口数", 12, "人"]],
        ["B2"],
    ),
    "units row": (
        [["单位：户"], ["项目", "数量"], ["流出人口数", 20], ["流入人口数", 12]],
        ["B3", "B4"],
    ),
    "column heading": (
        [["项目", "数量（户）"], ["流出人口数", 20], ["流入人口数", 12]],
        ["B2", "B3"],
    ),
    "table, units note": (
        [["流动人口情况", "（单位：户）"], ["流出人口数", "流入人口数"], [20, 12]],
        ["A3", "B3"],
    ),
    "in the title": (
        [
            ["东湖村流动人口情况（单位：户）"],
            ["项目", "数量"],
            ["流出人口数", 20],
            ["流入人口数", 12],
        ],
        ["B3", "B4"],
    ),
    "note above a blank row": (
        [
            ["东湖村流动人口情况"],
            ["计量单位：户"],
            [],
            ["项目", "数量"],
            ["流出人口数", 20],
            ["流入人口数", 12],
        ],
        ["B5", "B6"],
    ),
    "unit column, figures by month": (
        [
            ["项目", "单位", "2月", "3月"],
            ["流出人口数", "户", 18, 20],
            ["流入人口数", "人", 10, 12],
        ],
        ["D2"],
    ),
    "unit column two to the right": (
        [
            ["项目", "数量", "备注", "单位"],
            ["流出人口数", 20, None, "户"],
            ["流入人口数", 12, None, "人"],
        ],
        ["B2"],
    ),
    "unit merged down the rows": (
        [["项目", "单位", "数量"], ["流出人口数", "户", 20], ["流入人口数", None, 12]],
        ["C2", "C3"],
        {"流动人口": ["B2:B3"]},
    ),
    "heading 户数": ([["项目", "户数"], ["流出人口数", 20], ["流入人口数", 12]], ["B2", "B3"]),
    "column heading （户数）": (
        [["项目", "数量（户数）"], ["流出人口数", 20], ["流入人口数", 12]],
        ["B2", "B3"],
    ),
    "column heading 【户】": (
        [["项目", "数量【户】"], ["流出人口数", 20], ["流入人口数", 12]],
        ["B2", "B3"],
    ),
    "column heading /户": (
        [["项目", "数量/户"], ["流出人口数", 20], ["流入人口数", 12]],
        ["B2", "B3"],
    ),
    "units note in two cells": (
        [["单位：", "户"], ["项目", "数量"], ["流出人口数", 20], ["流入人口数", 12]],
        ["B3", "B4"],
    ),
    "table, a 单位 column": (
        [["单位", "流出人口数", "流入人口数"], ["户", 20, 12]],
        ["B2", "C2"],
    ),
    "table, note beside the header": (
        [["流出人口数", "流入人口数", "（单位：户）"], [20, 12]],
        ["A2", "B2"],
    ),
    "table, （户） merged over the columns": (
        [["（户）", None], ["流出人口数", "流入人口数"], [20, 12]],
        ["A3", "B3"],
        {"流动人口": ["A1:B1"]},
    ),
    # the field's own heading or item closing with 户: said, where the sheet was refused
    # (sheet.header_not_found, with no cell) or the item said unknown
    "item （户）": ([["项目", "数量"], ["流出人口数（户）", 20], ["流入人口数", 12]], ["B2"]),
    "item （户）, its 单位 人": (
        [["项目", "单位", "数量"], ["流出人口数（户）", "人", 20], ["流入人口数", "人", 12]],
        ["C2"],
    ),
    "item 【户数】": ([["项目", "数量"], ["流入人口数", 12], ["流出人口数【户数】", 20]], ["B3"]),
    "table headings （户）": (
        [["村名", "流出人口数（户）", "流入人口（户）"], ["复合村", 20, 12]],
        ["B2", "C2"],
    ),
    "table heading (户数)": ([["流出人口数(户数)", "流入人口数"], [20, 12]], ["A2"]),
    "table heading （单位：户）": ([["流出人口数（单位：户）", "流入人口数"], [20, 12]], ["A2"]),
    "item （单位：户）": (
        [["项目", "数量"], ["流出人口数（单位：户）", 20], ["流入人口数", 12]],
        ["B2"],
    ),
}


@pytest.mark.parametrize("case", HOUSEHOLDS_WRITTEN)
def test_figures_written_in_households_are_said_at_their_cells_not_read_as_persons(case, tmp_path):
    """A unit of 户 beside a figure, over its column or in the form's units note: households,
    where the form counts persons; read as persons, with no word, before."""
    rows, cells, *merges = HOUSEHOLDS_WRITTEN[case]
    fr = read_file_at(tmp_path, {"流动人口": rows}, *merges)
    found = validate_batch([fr]).findings[0]
    said = [(f.rule_id, f.cell) for f in found if f.rule_id.startswith("count.")]
    assert said == [("count.invalid", cell) for cell in cells]
    assert all(
        "户数" in f.message_zh and "户" in f.fix_zh for f in found if f.rule_id == "count.invalid"
    )
    persons = {"in_migrants": 12} if len(cells) == 1 else {}
    record = fr.sheets["migrants"].records[0]
    assert {k: v for k, v in record.items() if not isinstance(v, str)} == persons


LIST = [["项目", "数量"], ["流出人口数", 20], ["流入人口数", 12]]


@pytest.mark.parametrize(
    "rows",
    [
        [["项目", "数量"], ["流出人口数（户）", 9], ["流出人口数", 20], ["流入人口数", 12]],
        [["项目", "数量"], ["流出人口数", 20], ["流出人口数（户）", 9], ["流入人口数", 12]],
        [["流出人口数（户）", "流出人口数", "流入人口数"], [9, 20, 12]],
        # a table of the households beside the form, below it or above it
        [*LIST, [], ["流出人口数（户）", "流入人口数（户）"], [9, 5]],
        [
            ["流出人口数（户）", "流入人口数（户）"],
            [9, 5],
            [],
            ["流出人口数", "流入人口数"],
            [20, 12],
        ],
        # households written as a units note in the heading
        [["流出人口数（单位：户）", "流出人口数", "流入人口数"], [9, 20, 12]],
        [["项目", "数量"], ["流出人口数（单位：户）", 9], ["流出人口数", 20], ["流入人口数", 12]],
        [*LIST, [], ["流出人口数（单位：户）", "流入人口数（单位：户）"], [9, 5]],
    ],
)
def test_a_fields_figure_in_persons_is_read_beside_its_figure_in_households(rows, tmp_path):
    """流出人口数 and 流出人口数（户）, both given: the persons are the field's, wherever they
    stand; the households are not read as the field."""
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == {"out_migrants": 20, "in_migrants": 12}
    assert not [f for f in validate_batch([fr]).findings[0] if f.rule_id.startswith("count.")]


@pytest.mark.parametrize(
    "rows",
    [
        [["单位：人"], *LIST],
        [["项目", "人数", "户数"], ["流出人口数", 20, 9], ["流入人口数", 12, 5]],
        [
            ["", "（人）", "（户）"],
            ["项目", "人数", "户数"],
            ["流出人口数", 20, 9],
            ["流入人口数", 12, 5],
        ],
        [["流出人口数", "流入人口数"], ["（户）", "（人）"], [20, 12]],  # any unit words
        [["（单位：户）"], ["单位：人"], *LIST],  # the nearer note says it
        [
            ["计生家庭户数", 900],
            ["（单位：户）"],
            [],
            [*LIST[0], "单位"],
            *(r + ["人"] for r in LIST[1:]),
        ],
        [
            ["单位：户"],
            ["项目", "单位", "数量"],
            ["流出人口数", "人", 20],
            ["流入人口数", "人", 12],
        ],
        [[*LIST[0], "", "计生户（单位：户）"], LIST[1], LIST[2]],  # another table's, beside
        [[*LIST[0], "备注"], [*LIST[1], "户"], LIST[2]],  # a remark
        [["（单位：户）"], ["单位：", "人"], *LIST],  # a note in two cells, the nearer
        [["项目", "单位", "数量"], ["流出人口数", "人", 20], ["流入人口数", None, 12]],  # merged 人
        [["填报单位：", "东湖村"], *LIST],
        [["单位：人/户"], *LIST],  # mixed units: not households alone
        [["项目", "人数/户数"], ["流出人口数", 20], ["流入人口数", 12]],
        # another table's 单位 column beside the list, past a blank column
        [[*LIST[0], None, "项目", "单位", "数量"], [*LIST[1], None, "计生家庭", "户", 35], LIST[2]],
        # the headings of a households table above: 单位 | 户数, not a note
        [["单位", "户数", "人口"], ["东湖村", 350, 1200], *LIST],
        [["基本情况"], ["单位", "户数"], [None, None], *LIST],
    ],
)
def test_persons_beside_or_under_another_tables_households_are_read(rows, tmp_path):
    """A households column (人数 | 户数), a 户 note of another table (above a blank row, right of
    the list) or a nearer unit for persons: the figures are persons, read as such."""
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == {"out_migrants": 20, "in_migrants": 12}


@pytest.mark.parametrize(
    "rows",
    [
        # a 单位 column of names beside a 户数 column: no unit of the fields
        [["单位", "户数", "流出人口数", "流入人口数"], ["东湖村委会", 350, 20, 12]],
        # another column's own unit beside the fields
        [["流出人口数", "流入人口数", "流出户数（单位：户）"], [20, 12, 9]],
        # another table beside, past a blank column, with its 单位 column
        [
            ["流出人口数", "流入人口数", None, "项目", "单位", "数量"],
            [20, 12, None, "计生户", "户", 35],
        ],
    ],
)
def test_a_tables_persons_beside_another_columns_households_are_read(rows, tmp_path):
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert fr.sheets["migrants"].records[0] == {"out_migrants": 20, "in_migrants": 12}


@pytest.mark.parametrize(
    "notes",
    [
        [["单位：户"], ["项目", "单位", "数量"]],  # the template's 单位 column left blank
        [["单位：户"], ["单位：", "东湖村"], ["项目", "数量"]],  # a name is no unit
        [["单位（户）"], ["项目", "数量"]],
        [["单位：", None, "户"], ["项目", "数量"]],
        [["单位", "户"], ["项目", "数量"]],
        [["项目", "户"]],
    ],
)
def test_a_households_note_is_not_hidden_by_words_that_are_no_unit(notes, tmp_path):
    items = [r if len(notes[-1]) == 2 else [r[0], None, r[1]] for r in LIST[1:]]
    fr = read_file_at(tmp_path, {"流动人口": [*notes, *items]})
    said = [f.rule_id for f in validate_batch([fr]).findings[0]]
    assert said == ["count.invalid", "count.invalid"]


def test_an_item_given_twice_in_households_is_no_other_figure(tmp_path):
    rows = [["单位：户"], *LIST, ["流出人口数", 20]]
    fr = read_file_at(tmp_path, {"流动人口": rows})
    assert not [f for f in fr.findings if f.rule_id == "record.item_twice"]


@pytest.mark.parametrize("typed", ["见户籍表", "12人（含3户）"])
def test_words_with_户_in_a_count_are_not_told_they_are_households(typed, tmp_path):
    fr = read_file_at(tmp_path, {"流动人口": [LIST[0], ["流出人口数", typed], LIST[2]]})
    (said,) = [f for f in validate_batch([fr]).findings[0] if f.rule_id == "count.invalid"]
    assert "户数" not in said.message_zh


@pytest.mark.parametrize("mark", ["/", "／", "—", "－", "--", "无"])
def test_a_count_marked_as_nothing_reads_as_an_empty_cell(mark, tmp_path):
    """两非案件数 | / (nothing, as printed forms mark it): a count.invalid error that kept the
    month's whole record out."""
    rows = [["项目", "数量"], ["发放宣传资料", 50], ["两非案件数", mark], ["咨询人次", 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    record = fr.sheets["services"].records[0]
    assert {k: v for k, v in record.items() if v is not None} == {
        "leaflets": 50,
        "consultations": 17,
    }
    assert findings_of(fr) == []


@pytest.mark.parametrize(
    "numbered",
    [
        ["1 已婚育龄妇女数", "1.1 上环", "1.2 皮埋"],
        ["①已婚育龄妇女数", "②上环", "③皮埋"],
        ["1.已婚育龄妇女数", "1.1.上环", "1.2.皮埋"],
    ],
)
def test_items_numbered_as_sections_are_read(numbered, tmp_path):
    """1.1 上环 under 1 已婚育龄妇女数, ①上环: the list was refused or its items unknown."""
    rows = [
        ["项目", "数量"],
        *([label, n] for label, (_, n) in zip(numbered, CONTRACEPTION_ITEMS, strict=True)),
    ]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {
        "married_women": 498,
        "iud": 199,
        "implant": 11,
    }


@pytest.mark.parametrize(
    "title",
    [
        "宣传服务情况（截至2026年3月25日）",
        "宣传服务情况（截至3月5日）",
        "宣传服务情况（截至2026年3月31日）",
    ],
)
def test_events_up_to_a_day_of_the_month_are_the_months(title, tmp_path):
    """截至3月25日 ends a statistical month (2月26日至3月25日), 截至3月31日 the month: as at a
    day, monthly forms are titled so; its events, not a sum so far (截至3月底 is one)."""
    rows = [[title], ["项目", "数量"], ["发放宣传资料", 50], ["咨询人次", 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 50, "consultations": 17}


def test_a_one_record_forms_example_row_is_not_its_record(tmp_path):
    """示例 | 99 | 99 above the village's row: the example was read, the month's row said
    not read (record.more_value_rows)."""
    header = ["", "发放宣传资料", "咨询人次"]
    rows = [header, ["示例", 99, 99], ["本月", 50, 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records == [{"leaflets": 50, "consultations": 17}]
    assert [(r, c) for r, c, _ in findings_of(fr)] == [("record.example_or_cancelled", "宣传服务")]


def test_a_lists_example_column_is_never_its_figures(tmp_path):
    """项目 | 示例 | 本月数 with the month's column left blank: the example's 99s were read."""
    rows = [["项目", "示例", "本月数"], ["发放宣传资料", 99, None], ["咨询人次", 99, None]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert not any(v for v in fr.sheets["services"].records[0].values())


def test_a_form_titled_as_an_example_is_said_when_read(tmp_path):
    rows = [["宣传服务填报示例"], ["项目", "数量"], ["发放宣传资料", 50], ["咨询人次", 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 50, "consultations": 17}
    (said,) = [f for f in fr.findings if f.rule_id == "sheet.example_read"]
    assert "宣传服务填报示例" in said.message_zh and "标题" in said.fix_zh


CONTRACEPTION_FIELDS_ROW = [label for label, _ in CONTRACEPTION_ITEMS]
CONTRACEPTION_FIGURES_ROW = [n for _, n in CONTRACEPTION_ITEMS]


@pytest.mark.parametrize(
    "rows, cell",
    [
        (
            [["村名", "月份", *CONTRACEPTION_FIELDS_ROW], ["东湖村", "2026年2月", 498, 199, 11]],
            "B2",
        ),
        ([["月份", *CONTRACEPTION_FIELDS_ROW], [2, 498, 199, 11]], "A2"),
        ([[*CONTRACEPTION_FIELDS_ROW, "月份"], [498, 199, 11, "2月"]], "D2"),
        ([["序号", "月份", *CONTRACEPTION_FIELDS_ROW], [1, "2", 498, 199, 11]], "B2"),
    ],
    ids=["village-then-month", "a-number-under-月份", "月份-after-the-figures", "text-under-月份"],
)
def test_a_one_row_table_whose_month_column_names_another_month_is_refused(rows, cell, tmp_path):
    """The 月份 column says whose the figures are, wherever it stands and however the month is
    typed; each of these was read as March's."""
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", cell)]


@pytest.mark.parametrize("three", [3, 3.0])
def test_rows_of_months_typed_as_numbers_read_the_report_months(three, tmp_path):
    """月份 | 1, 2, 3: January's row was read, the others said not read."""
    rows = [["月份", *CONTRACEPTION_FIELDS_ROW], [1, 490, 190, 10], [2, 495, 195, 10]]
    rows.append([three, *CONTRACEPTION_FIGURES_ROW])
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {
        "married_women": 498,
        "iud": 199,
        "implant": 11,
    }


def test_a_title_pointing_at_an_example_elsewhere_says_nothing(tmp_path):
    rows = [["2026年3月宣传服务", None, "填写示例见第二张表"], ["项目", "数量"], *SERVICES_LIST[1:]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert findings_of(fr) == []


@pytest.mark.parametrize(
    "sheet, titles",
    [
        ("节育措施", [["节育措施情况统计表（2025年版）"]]),
        ("节育措施", [["东湖村节育措施情况（比去年同期增加5人）"]]),
        ("节育措施", [["东湖村节育措施情况统计表"], ["（与上月相比无变化）"]]),
        ("节育措施", [["东湖村（上年度计生工作先进村）节育措施情况"]]),
        ("节育措施", [["节育措施情况（上一轮清查后）"]]),
        ("节育措施（2025年版）", [["2026年3月节育措施情况"]]),
    ],
)
def test_a_title_or_tab_mentioning_another_period_in_passing_is_read(sheet, titles, tmp_path):
    """A template's year (2025年版) or a comparison (比去年同期, 与上月相比) says nothing of
    whose the figures are: only a clause that is the period and nothing else does (上月, 上年同期,
    2025年度). A helper's round found each of these refused."""
    fr = read_file_at(tmp_path, {sheet: [*titles, *CONTRACEPTION_LIST]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


@pytest.mark.parametrize(
    "title",
    [
        "2026年3月宣传服务情况（含孕3个月内随访）",
        "宣传服务情况（近三个月无两非案件的继续巡查）",
        "2026年3月宣传服务情况（1、2、3月份三查已完成）",
        "本年度宣传服务月报",
        "宣传服务情况（三查每季度一次）",
        "2026年3月宣传服务情况（全年计划1200份）",
    ],
)
def test_months_counted_or_listed_in_passing_are_no_sum(title, tmp_path):
    """Nor a plan or how often, 全年计划1200份, 三查每季度一次: refused as a sum of months."""
    rows = [[title], ["项目", "数量"], ["发放宣传资料", 50], ["咨询人次", 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 50, "consultations": 17}


@pytest.mark.parametrize(
    "title",
    [
        "2026年1-3月计划生育宣传服务情况",  # 计划生育: family planning, no plan
        "2026年第一季度宣传服务任务完成情况",
        "宣传服务（1-3月累计、全年计划1200份）",
        "1-3月每月宣传服务汇总",
    ],
)
def test_a_sum_of_months_beside_a_plan_or_family_planning_is_still_refused(title, tmp_path):
    rows = [[title], ["项目", "数量"], ["发放宣传资料", 50], ["咨询人次", 17]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", "A1")]


def test_a_tab_named_with_a_plan_is_read(tmp_path):
    rows = [["项目", "数量"], ["发放宣传资料", 50], ["咨询人次", 17]]
    fr = read_file_at(tmp_path, {"宣传服务（全年计划1200份）": rows})
    assert fr.sheets["services"].records[0] == {"leaflets": 50, "consultations": 17}


@pytest.mark.parametrize("heading", ["人数", "实有数"])
def test_a_stocks_figure_beside_its_part_new_this_month_is_read(heading, tmp_path):
    """人数 | 其中：本月, of a stock: the month's figure and its part new this month (read
    instead, a helper found); of events, 本年累计 | 其中：本月 is the month's part of a sum."""
    rows = [["项目", heading, "其中：本月"], ["已婚育龄妇女数", 498, 3], ["上环", 199, 2]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records[0] == {"married_women": 498, "iud": 199}


def test_groups_rows_beside_a_month_column_read_their_total(tmp_path):
    """组别 | 月份 | …: 一组 3月, 二组 3月, 合计 3月: the village's total, not 一组's row."""
    header = ["组别", "月份", *CONTRACEPTION_FIELDS_ROW]
    rows = [header, ["一组", 3, 250, 100, 5], ["二组", 3, 248, 99, 6], ["合计", 3, 498, 199, 11]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records == [{"married_women": 498, "iud": 199, "implant": 11}]
    assert "record.more_value_rows" not in {rule for rule, _, _ in findings_of(fr)}


@pytest.mark.parametrize("note", ["注：第一行为填写示例", "身份证号填18位，日期格式参照示例"])
def test_a_note_above_the_header_pointing_at_an_example_says_nothing(note, tmp_path):
    rows = [[note], BIRTH_HEADER, ["邹雨", MOTHER_ID, "女", BIRTH, 1, "是", None]]
    fr = read_file_at(tmp_path, {"出生登记": rows})
    assert findings_of(fr) == []


def test_a_tab_keeping_last_years_name_is_read_before_an_empty_template_tab(tmp_path):
    """节育措施（2025年）, a workbook kept from last year, beside the form's tab left blank: the
    figures are read; the year in a tab says nothing (in a title it does)."""
    sheets = {
        "节育措施（2025年）": [["2026年3月节育措施情况"], *CONTRACEPTION_LIST],
        "节育措施": [["项目", "数量"], ["已婚育龄妇女数", None], ["上环", None]],
    }
    fr = read_file_at(tmp_path, sheets)
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION


def test_a_tables_this_month_header_exempts_no_title_naming_last_month(tmp_path):
    """人口变动情况（上月） over 期末户籍人口 | 本月死亡: the header's 期末 and 本月 were taken for
    the title's, and last month's figures read as March's."""
    rows = [["人口变动情况（上月）"], ["期末户籍人口", "本月死亡", "迁入"], [2100, 2, 3]]
    fr = read_file_at(tmp_path, {"人口变动": rows})
    assert "population" not in fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", "A1")]


def test_a_row_label_beside_a_month_column_still_counts(tmp_path):
    """| 月份 | … with 本年累计 | 3 | …: the year so far, not March's count (the 月份 column once
    hid the row's other words)."""
    rows = [["", "月份", "发放宣传资料", "咨询人次"], ["本年累计", 3, 300, 40]]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    assert "services" not in fr.sheets


def test_an_example_column_beside_another_periods_reads_neither(tmp_path):
    rows = [["项目", "示例", "上月数"], ["已婚育龄妇女数", 99, 495], ["上环", 99, 198]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert "contraception" not in fr.sheets


@pytest.mark.parametrize(
    "cell, said",
    [
        ("桃园村节育措施情况", True),
        ("填报单位：桃园村", True),
        ("说明：桃园村三组已并入本村", False),
        ("节育措施情况（含桃园村迁入人员）", False),
        ("桃园小区节育措施情况", False),  # 桃园 is 桃园村's alias, and a 小区's name too
        ("复合村节育措施情况", False),
    ],
)
def test_another_villages_name_opening_a_title_is_said(cell, said, tmp_path):
    fr = read_file_at(tmp_path, {"节育措施": [[cell], *CONTRACEPTION_LIST]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
    assert (("sheet.other_village", "节育措施", "A1") in findings_of(fr)) is said


def test_a_one_record_row_labelled_another_village_is_said(tmp_path):
    rows = [["村名", *CONTRACEPTION_FIELDS_ROW], ["桃园村", *CONTRACEPTION_FIGURES_ROW]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert ("sheet.other_village", "节育措施", "A2") in findings_of(fr)


OTHERS = [100, 40, 1]  # 桃园村's and 李家湾村's figures in the township's sheet


@pytest.mark.parametrize(
    "rows",
    [
        [["桃园村", *OTHERS], ["复合村", *CONTRACEPTION_FIGURES_ROW]],
        [["复合村", *CONTRACEPTION_FIGURES_ROW], ["桃园村", *OTHERS]],
        [["桃园村", None, None, None], ["复合村", *CONTRACEPTION_FIGURES_ROW], ["李家湾村"]],
        [["桃园村", *OTHERS], ["复合村", *CONTRACEPTION_FIGURES_ROW], ["合计", 598, 239, 12]],
        [["桃园村", *OTHERS], ["复 合 村", *CONTRACEPTION_FIGURES_ROW], ["合计", 598, 239, 12]],
        [["桃园村", *OTHERS], ["复合", *CONTRACEPTION_FIGURES_ROW], ["李家湾村", *OTHERS]],
        [["420117104202", *OTHERS], ["420117104201", *CONTRACEPTION_FIGURES_ROW]],
        [["1.桃园村", *OTHERS], ["2.复合村", *CONTRACEPTION_FIGURES_ROW], ["3.李家湾村", *OTHERS]],
        [["复合村一组", 300, 99, 5], ["复合村二组", 198, 100, 6], ["复合村合计", 498, 199, 11]]
        + [["桃园村", *OTHERS]],
        # villages by their aliases alone, over their 合计 (read as the village's total)
        [["桃园", *OTHERS], ["复合", *CONTRACEPTION_FIGURES_ROW], ["合计", 598, 239, 12]],
        # groups named 村民组 are no villages: the 合计 of 复合村's groups is its figure
        [["桃园村民组", 300, 99, 5], ["复合村二组", 198, 100, 6], ["合计", 498, 199, 11]],
        # a village's committee (村民委员会) is the village
        [["桃园村民委员会", *OTHERS], ["复合村民委员会", *CONTRACEPTION_FIGURES_ROW]],
        # beside a village the registry does not hold (another township's), over their 合计
        [["东湖村", *OTHERS], ["复合村", *CONTRACEPTION_FIGURES_ROW], ["合计", 598, 239, 12]],
        [["复合新村", *OTHERS], ["复合村", *CONTRACEPTION_FIGURES_ROW]],
    ],
)
def test_a_township_sheet_of_every_villages_row_reads_the_files_own_village(rows, tmp_path):
    """The township's sheet with a row for each village, each filling its own: 复合村's file read
    桃园村's row, a blank first row (an error), or the 合计 of the villages as its figures."""
    fr = read_file_at(tmp_path, {"节育措施": [["村名", *CONTRACEPTION_FIELDS_ROW], *rows]})
    assert fr.sheets["contraception"].records == [{"married_women": 498, "iud": 199, "implant": 11}]
    assert fr.findings == []  # the other villages' rows are theirs: not said unread


@pytest.mark.parametrize("heading", [["组别"], ["村民小组"], ["组"], ["序号", "组别"]])
@pytest.mark.parametrize(
    "groups, total",
    [
        (("桃园", "李家湾"), "合计"),
        (("复合", "桃园"), "合计"),
        (("一组", "二组"), "复合村"),  # the village's total by its name
        (("一组", "桃园村民组"), "复合村合计"),
    ],
)
def test_groups_named_like_villages_under_a_groups_heading_read_their_total(
    heading, groups, total, tmp_path
):
    """组别 | …: 桃园 | 李家湾 | 合计 are 复合村's groups and its total, not the villages of those
    names (the sheet was refused) nor 复合 its own row (a group's figures read as the village's);
    a 序号 before the 组别 changes nothing; the total may be labelled by the village's name."""
    number = [[k] if len(heading) > 1 else [] for k in (1, 2, None)]
    rows = [[*heading, *CONTRACEPTION_FIELDS_ROW], [*number[0], groups[0], 300, 99, 5]]
    rows += [[*number[1], groups[1], 198, 100, 6], [*number[2], total, 498, 199, 11]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert fr.sheets["contraception"].records == [{"married_women": 498, "iud": 199, "implant": 11}]
    assert fr.findings == []


def test_groups_one_named_as_the_villages_alias_with_no_total_are_still_said(tmp_path):
    """组名 | …: 复合 | 桃园, no total: 复合 is a group here; the first row is read, and the
    second said unread, as for any groups' rows without a total."""
    rows = [["组名", *CONTRACEPTION_FIELDS_ROW], ["复合", 300, 99, 5], ["桃园", 198, 100, 6]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    assert ("record.more_value_rows", "节育措施", "B3") in findings_of(fr)


@pytest.mark.parametrize("heading", [None, "项目"])
def test_groups_named_after_natural_villages_under_no_village_heading_read_their_total(
    heading, tmp_path
):
    """桃园 | 李家湾 | 合计 in 复合村's file, headed by no 村名: its groups, named after natural
    villages as groups often are, and their total; not villages' rows without 复合村's."""
    rows = [[heading, *CONTRACEPTION_FIELDS_ROW], ["桃园", 300, 99, 5], ["李家湾", 198, 100, 6]]
    fr = read_file_at(tmp_path, {"节育措施": [*rows, ["合计", 498, 199, 11]]})
    assert fr.sheets["contraception"].records == [{"married_women": 498, "iud": 199, "implant": 11}]
    assert fr.findings == []


@pytest.mark.parametrize("heading", ["村名", "村别", "村居名称"])
def test_villages_rows_with_a_groups_column_beside_the_villages_column_are_villages(
    heading, tmp_path
):
    """村名 | 组别: 复合村 | 一组, 复合村 | 二组, 桃园村: the villages' rows, 复合村 in two: no
    row of the month, said (a group's figures were read as the village's, with warnings only)."""
    rows = [[heading, "组别", *CONTRACEPTION_FIELDS_ROW], ["复合村", "一组", 300, 99, 5]]
    rows += [["复合村", "二组", 198, 100, 6], ["桃园村", None, *OTHERS]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    said = [f for f in validate_batch([fr]).findings[0] if f.rule_id == "record.own_village_row"]
    assert [(f.severity, f.cell) for f in said] == [(ERROR, "A2")]


def test_villages_rows_by_their_short_names_read_the_own_village_with_no_aliases(tmp_path):
    """A list of villages with no aliases, a township's sheet naming them 桃园, 复合, 李家湾: 复合村's
    row is read, by its name without 村 (the villages' 合计 was read as its figures)."""
    villages = tmp_path / "villages.csv"
    fields = [line.split(",") for line in VILLAGES_CSV.splitlines()]
    no_aliases = [[*f[:2], "aliases" if k == 0 else "", *f[3:]] for k, f in enumerate(fields)]
    villages.write_text("\n".join(",".join(f) for f in no_aliases), encoding="utf-8")
    registry = VillageRegistry.load(villages)
    assert all(not v.aliases for v in registry.villages)
    rows = [
        ["村", *CONTRACEPTION_FIELDS_ROW],
        ["桃园", *OTHERS],
        ["复合", *CONTRACEPTION_FIGURES_ROW],
    ]
    rows += [["李家湾", *OTHERS], ["合计", 698, 279, 13]]
    path = write_workbook(tmp_path / "420117104201_月报.xlsx", {"节育措施": rows})
    fr = read_file(path, "2026-03", registry)
    assert fr.sheets["contraception"].records == [{"married_women": 498, "iud": 199, "implant": 11}]
    assert fr.findings == []


@pytest.mark.parametrize(
    "names, short, village",
    [
        (["桃园村", "复合村"], "桃园", "桃园村"),
        (["东湖社区", "复合村"], "东湖", "东湖社区"),
        (["复合村民委员会", "桃园村"], "复合", "复合村民委员会"),
        (["东风村", "东风社区"], "东风", None),  # two villages' short name: neither's
        (["新村", "复合村"], "新", None),  # one character: no name
        (["桃园村", "桃园"], "桃园", None),  # another village's whole name: not a short one
    ],
)
def test_a_village_is_found_by_its_short_name_only_where_that_is_one_villages(
    names, short, village, tmp_path
):
    """A village's name without 村, 社区 or 村民委员会 names it, where no other village has that
    short name and it is no village's whole name."""
    lines = ["village_code,village_name,aliases,township_code,township_name,email"]
    lines += [f"4201171042{k:02d},{name},,420117104,复合镇," for k, name in enumerate(names, 1)]
    (tmp_path / "villages.csv").write_text("\n".join(lines), encoding="utf-8")
    found = VillageRegistry.load(tmp_path / "villages.csv").by_short_name(short)
    assert (found.name if found else None) == village


@pytest.mark.parametrize(
    "rows, cell",
    [
        ([["桃园村", *OTHERS], ["李家湾村", *OTHERS], ["合计", 200, 80, 2]], "A2"),
        ([["桃园村", *OTHERS], ["复合村一组", 300, 99, 5], ["复合村二组", 198, 100, 6]], "A3"),
        ([["桃园村一组", 50, 20, 0], ["桃园村二组", *OTHERS], ["合计", 150, 60, 1]], "A2"),
        # an area's total opening with the own name is no total of the own village's rows
        ([["复合村", 300, 99, 5], ["桃园村", *OTHERS], ["复合村片区小计", 400, 139, 6]], "A2"),
    ],
)
def test_a_township_sheet_without_the_own_villages_row_or_with_several_reads_none(
    rows, cell, tmp_path
):
    """Other villages' rows only, or 复合村 in two groups' rows beside 桃园村's: 复合村's file
    read the villages' 合计, or 桃园村's row, as its own figures."""
    fr = read_file_at(tmp_path, {"节育措施": [["村名", *CONTRACEPTION_FIELDS_ROW], *rows]})
    found = validate_batch([fr]).findings[0]
    (said,) = [f for f in found if f.rule_id == "record.own_village_row"]
    assert (said.severity, said.cell, said.row) == (ERROR, cell, fr.sheets["contraception"].rows[0])
    assert "复合村" in said.message_zh
    assert not [f for f in found if f.rule_id in ("sheet.other_village", "record.more_value_rows")]


def test_a_township_sheet_in_households_is_said_at_the_own_villages_row(tmp_path):
    rows = [["单位：户"], ["村名", *CONTRACEPTION_FIELDS_ROW]]
    rows += [["桃园村", *OTHERS], ["复合村", *CONTRACEPTION_FIGURES_ROW]]
    fr = read_file_at(tmp_path, {"节育措施": rows})
    said = [(f.rule_id, f.cell) for f in validate_batch([fr]).findings[0]]
    assert said == [("count.invalid", cell) for cell in ("B4", "C4", "D4")]


@pytest.mark.parametrize(
    "own",
    [["复合村（上月）"], ["复合村2月"], ["复合村", "2月"], ["复合村（本年累计）"]],
)
def test_the_own_villages_row_of_another_period_is_not_read_as_the_months(own, tmp_path):
    """复合村's February row beside 桃园村's March one: it was read as March's, with no word."""
    header = ["村名", *(["月份"] if len(own) > 1 else []), *CONTRACEPTION_FIELDS_ROW]
    other = ["桃园村", *(["3月"] if len(own) > 1 else []), *OTHERS]
    fr = read_file_at(tmp_path, {"节育措施": [header, other, [*own, 290, 99, 2]]})
    read = fr.sheets.get("contraception")
    assert read is None or read.records[0] != {"married_women": 290, "iud": 99, "implant": 2}
    assert fr.findings


@pytest.mark.parametrize("order", [("人数", "人次"), ("人次", "人数")])
def test_a_list_of_persons_and_visits_reads_each_item_from_its_own_count_word(order, tmp_path):
    """项目 | 人数 | 人次: 咨询人次 and 随访人次 were read from 人数, and 宣传资料份数, given under
    人次 only, was lost."""
    figures = {"宣传资料份数": (None, 200), "咨询": (20, 30), "随访": (18, 25)}
    flip = order[0] == "人次"
    rows = [["项目", *order]] + [
        [item, *(reversed(pair) if flip else pair)] for item, pair in figures.items()
    ]
    fr = read_file_at(tmp_path, {"宣传服务": rows})
    record = fr.sheets["services"].records[0]
    assert record == {"leaflets": 200, "consultations": 30, "follow_up_visits": 25}


@pytest.mark.parametrize(
    "sheet, rows, cell, fix",
    [
        ("节育措施", [["注：本表数据为上月末数"], *CONTRACEPTION_LIST], "A1", "说明"),
        ("节育措施", [*CONTRACEPTION_LIST, ["以上为2月份数据"]], "A5", "说明"),
        ("宣传服务", [*SERVICES_LIST, ["说明：表中数字为本年累计"]], "A5", "说明"),
        ("宣传服务", [*SERVICES_LIST, ["注：以上数据截至3月底"]], "A5", "说明"),
        ("宣传服务", [["宣传服务情况", None, "（统计截止：3月底）"], *SERVICES_LIST], "A1", "标题"),
        ("节育措施", [*CONTRACEPTION_LIST, ["注：以上数据截至2026年2月28日"]], "A5", "说明"),
    ],
)
def test_a_note_saying_the_figures_are_another_periods_refuses_them(
    sheet, rows, cell, fix, tmp_path
):
    """注：本表数据为上月末数 above the list, 以上为2月份数据 under it: read as March's. The fix
    speaks of the note where a note said it (it spoke of a title)."""
    fr = read_file_at(tmp_path, {sheet: rows})
    assert not fr.sheets
    assert [(f.rule_id, f.cell) for f in fr.findings] == [("sheet.month_column_missing", cell)]
    assert fix in fr.findings[0].fix_zh


@pytest.mark.parametrize(
    "note", ["注：以上数据为本月新增", "注：本表为上月数据，本月未变", "注：以上数据截至3月底"]
)
def test_a_note_of_this_months_figures_refuses_nothing(note, tmp_path):
    fr = read_file_at(tmp_path, {"节育措施": [*CONTRACEPTION_LIST, [note]]})
    assert fr.sheets["contraception"].records[0] == CONTRACEPTION
