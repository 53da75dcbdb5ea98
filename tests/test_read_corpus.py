"""The reader against the committed corpus: one file per quirk villages send, one per bad input.

The corpus is written by tests/fixtures/make_corpus.py; the expected values below are written
out by hand (not computed by the generator), with Excel row numbers and A1 cells.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from datetime import date
from pathlib import Path

import pytest
from stdnum.cn import ric

from township.model import ERROR, FileRead
from township.read.files import read_file
from township.villages import VillageRegistry

CORPUS = Path(__file__).resolve().parent / "fixtures" / "corpus"
MONTH = "2026-03"
FILES = CORPUS / MONTH
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 5000
BIRTH = date(2026, 3, 5)
HAN = re.compile(r"[\u4e00-\u9fff]")
REGISTRY = VillageRegistry.load(CORPUS / "villages.csv")


def read(name: str, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> FileRead:
    return read_file(FILES / name, MONTH, REGISTRY, max_bytes=max_bytes, max_rows=max_rows)


def read_clean(name: str) -> FileRead:
    """A file that must be read whole: no rejection and no finding of any kind."""
    fr = read(name)
    assert fr.rejection is None, fr.rejection
    assert fr.findings == []
    return fr


def column(fr: FileRead, form: str, field: str) -> list[object]:
    return [record.get(field) for record in fr.sheets[form].records]


def cells(fr: FileRead, form: str, field: str) -> list[str]:
    return [c[field] for c in fr.sheets[form].cells]


def assert_rejected(fr: FileRead, code: str) -> None:
    assert fr.rejection is not None, "expected a rejection"
    assert fr.rejection.code == code
    assert HAN.search(fr.rejection.message_zh), "the village reads Chinese"
    assert fr.sheets == {}


def sheet_error(fr: FileRead, rule_id: str):
    assert fr.rejection is None
    errors = [f for f in fr.findings if f.severity == ERROR]
    assert [f.rule_id for f in errors] == [rule_id]
    assert HAN.search(errors[0].message_zh) and HAN.search(errors[0].fix_zh)
    return errors[0]


# ----------------------------------------------------------------------------- layout quirks


def test_title_rows_and_merged_title_are_skipped():
    fr = read_clean("title_rows_420117104201.xlsx")
    births = fr.sheets["births"]
    assert (births.sheet, births.header_row, births.layout) == ("出生登记", 4, "table")
    assert births.rows == [5, 6]
    assert column(fr, "births", "mother_name") == ["张丽", "王芳"]
    assert column(fr, "births", "child_sex") == ["女", "男"]
    assert column(fr, "births", "parity") == [1, 2]
    assert births.cells[0] == {
        "mother_name": "A5",
        "mother_id": "B5",
        "child_sex": "C5",
        "birth_date": "D5",
        "parity": "E5",
        "in_policy": "F5",
        "residence": "G5",
    }


def test_units_rows_above_and_below_the_header_are_not_data():
    fr = read_clean("units_row_420117104201.xlsx")
    births = fr.sheets["births"]
    assert (births.header_row, births.rows) == (2, [4])
    assert column(fr, "births", "mother_name") == ["李娜"]
    services = fr.sheets["services"]
    assert (services.header_row, services.layout, services.rows) == (1, "table", [3])
    assert services.records == [
        {
            "leaflets": 520,
            "slogans": 12,
            "posters": 6,
            "consultations": 48,
            "checkups_due": 300,
            "checkups_done": 296,
            "follow_up_visits": 75,
            "two_non_cases": 0,
        }
    ]
    assert services.cells[0]["leaflets"] == "A3"
    assert services.cells[0]["two_non_cases"] == "H3"


def test_blank_and_whitespace_rows_are_skipped_and_excel_row_numbers_kept():
    fr = read_clean("blank_rows_420117104201.xlsx")
    assert fr.sheets["births"].rows == [2, 4, 8]
    assert column(fr, "births", "mother_name") == ["赵敏", "钱红", "孙丽"]
    assert cells(fr, "births", "mother_name") == ["A2", "A4", "A8"]


def test_totals_rows_are_not_data():
    fr = read_clean("totals_row_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.rows == [2, 3]  # 小计 (row 4) and 合计 (row 5) are not births
    assert column(fr, "births", "mother_name") == ["周萍", "吴静"]
    # the 序号 column shifts every field one column right
    assert cells(fr, "births", "mother_name") == ["B2", "B3"]
    assert cells(fr, "births", "residence") == ["H2", "H3"]


def test_footer_rows_are_not_data():
    fr = read_clean("footer_rows_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.rows == [2]  # 填表人 (4), 审核人 (5), merged 填报日期 (6) are not births
    assert column(fr, "births", "mother_name") == ["郑洁"]


# ----------------------------------------------------------------------------- headers


def test_header_aliases_in_any_column_order_map_to_canonical_fields():
    fr = read_clean("header_aliases_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.rows == [2]
    assert births.records == [
        {
            "birth_date": BIRTH,
            "child_sex": "女",
            "mother_name": "冯雪",
            "parity": 1,
            "residence": "流入",
            "mother_id": "420102199503121048",
            "in_policy": True,
            "child_name": "冯小雪",
            "father_name": "陈刚",
        }
    ]
    assert births.cells[0] == {
        "birth_date": "A2",
        "child_sex": "B2",
        "mother_name": "C2",
        "parity": "D2",
        "residence": "E2",
        "mother_id": "F2",
        "in_policy": "G2",
        "child_name": "H2",
        "father_name": "I2",
    }


def test_headers_with_spaces_fullwidth_characters_and_punctuation_are_recognised():
    # "母亲 姓名", "母亲身份证号<full-width space>", "婴儿性别＊", "出生日期：", "（孩次）", "【流动性质】", " 备注 "
    fr = read_clean("header_punctuation_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.records == [
        {
            "mother_name": "卫兰",
            "mother_id": "420102199503121160",
            "child_sex": "男",
            "birth_date": BIRTH,
            "parity": 2,
            "residence": "户籍",
            "note": "双胞胎之一",
        }
    ]
    assert births.cells[0]["note"] == "G2"


# ----------------------------------------------------------------------------- values


def test_every_date_form_reads_as_the_same_date():
    # date cell, date-time cell, serial number, serial as text, 2026-03-05, 2026/3/5, 2026.3.5,
    # 20260305 as text and as a number, 2026年3月5日, full-width, surrounding spaces
    fr = read_clean("date_forms_420117104201.xlsx")
    births = fr.sheets["births"]
    assert births.rows == list(range(2, 14))
    assert column(fr, "births", "birth_date") == [BIRTH] * 12
    assert cells(fr, "births", "birth_date") == [f"D{r}" for r in range(2, 14)]
    # the 孩次： header (with a full-width colon) was found too
    assert column(fr, "births", "parity") == [1] * 12


def test_fullwidth_digits_read_as_numbers_dates_and_ids():
    fr = read_clean("fullwidth_digits_420117104201.xlsx")
    birth = fr.sheets["births"].records[0]
    assert birth["mother_id"] == "420102199503124003"
    assert ric.is_valid(birth["mother_id"])
    assert (birth["child_sex"], birth["birth_date"], birth["parity"]) == ("女", BIRTH, 2)
    assert fr.sheets["contraception"].records == [
        {
            "married_women": 120,
            "iud": 40,
            "implant": 5,
            "female_sterilization": 30,
            "male_sterilization": 2,
            "pill": 8,
            "condom": 15,
            "other_method": 5,
            "no_method": 15,
        }
    ]


def test_parity_words_and_numbers_read_as_integers():
    # 一孩 二孩 三孩 多孩 第一孩 第2孩 2 "3"
    fr = read_clean("parity_words_420117104201.xlsx")
    assert column(fr, "births", "parity") == [1, 2, 3, 3, 1, 2, 2, 3]
    assert cells(fr, "births", "parity") == [f"E{r}" for r in range(2, 10)]


def test_sex_as_words_or_gb_t_2261_codes():
    # 男 女 1 2 "1" "2" " 男 " 女孩
    fr = read_clean("sex_codes_420117104201.xlsx")
    assert column(fr, "births", "child_sex") == ["男", "女"] * 4


def test_in_policy_vocabulary_variants_and_unknown_text_kept_for_validation():
    # 是 否 政策内 政策外 计划内 计划外 符合 不符合 (blank) 不详
    fr = read_clean("in_policy_vocab_420117104201.xlsx")
    assert column(fr, "births", "in_policy") == [True, False] * 4 + [None, "不详"]
    assert cells(fr, "births", "in_policy")[-1] == "F11"


def test_blank_residence_means_huji_and_unknown_text_is_kept():
    # (blank) 户籍 流入 流出 流入人口 暂住
    fr = read_clean("residence_420117104201.xlsx")
    assert column(fr, "births", "residence") == ["户籍", "户籍", "流入", "流出", "流入", "暂住"]


def test_15_digit_legacy_id_is_upgraded_to_18_whether_text_or_number():
    fr = read_clean("legacy_id_420117104201.xlsx")
    upgraded = "420102198503120227"  # 420102 + 19 + 850312 + 022 + check digit
    assert ric.is_valid(upgraded)
    assert column(fr, "births", "mother_id") == [upgraded, upgraded]
    assert cells(fr, "births", "mother_id") == ["B2", "B3"]


def test_id_mangled_by_excel_is_kept_as_excel_shows_it_for_validation_to_report():
    fr = read_clean("mangled_id_420117104201.xlsx")
    assert column(fr, "births", "mother_id") == ["4.20102E+17", "4.20102E+17"]
    assert cells(fr, "births", "mother_id") == ["B2", "B3"]
    assert not ric.is_valid("4.20102E+17")


# ----------------------------------------------------------------------------- one-record forms

CONTRACEPTION = {
    "married_women": 350,
    "iud": 120,
    "implant": 20,
    "female_sterilization": 90,
    "male_sterilization": 5,
    "pill": 25,
    "condom": 40,
    "other_method": 10,
    "no_method": 40,
}
MIGRANTS = {
    "out_migrants": 86,
    "out_married_women": 30,
    "out_certified": 28,
    "out_contacted": 25,
    "in_migrants": 12,
    "in_married_women": 4,
}


def test_one_record_forms_as_header_row_and_value_row():
    fr = read_clean("record_forms_table_420117104201.xlsx")
    contraception, migrants, services = (
        fr.sheets[f] for f in ("contraception", "migrants", "services")
    )
    assert {s.layout for s in (contraception, migrants, services)} == {"table"}
    assert contraception.records == [CONTRACEPTION]
    assert (contraception.header_row, contraception.rows) == (1, [2])
    assert contraception.cells[0]["no_method"] == "I2"
    # a title row above, a 填表人 footer below
    assert migrants.records == [MIGRANTS]
    assert (migrants.header_row, migrants.rows) == (2, [3])
    assert migrants.cells[0]["in_married_women"] == "F3"
    # a blank cell stays blank; “两非”案件 is an alias with curly quotes
    assert services.records[0]["leaflets"] is None
    assert services.records[0]["two_non_cases"] == 0
    assert services.cells[0]["two_non_cases"] == "H2"


def test_one_record_forms_as_two_column_item_value_list():
    fr = read_clean("record_forms_list_420117104201.xlsx")
    contraception, migrants, services = (
        fr.sheets[f] for f in ("contraception", "migrants", "services")
    )
    assert {s.layout for s in (contraception, migrants, services)} == {"list"}
    # 项目 | 数量
    assert contraception.records == [CONTRACEPTION]
    assert contraception.cells[0]["married_women"] == "B2"
    assert contraception.cells[0]["no_method"] == "B10"
    # a title, a blank row, then 指标 | 数值; aliases 办证数/本月联系数; "86人" is a count
    assert migrants.records == [MIGRANTS]
    assert (migrants.header_row, migrants.rows) == (3, [4])
    assert migrants.cells[0]["out_migrants"] == "B4"
    assert migrants.cells[0]["in_married_women"] == "B9"
    # labels in column B, an empty gap column C, values in D
    assert services.records == [
        {
            "leaflets": 520,
            "slogans": 12,
            "posters": 6,
            "consultations": 48,
            "checkups_due": 300,
            "checkups_done": 296,
        }
    ]
    assert services.cells[0]["leaflets"] == "D2"
    assert services.cells[0]["checkups_done"] == "D7"


# ----------------------------------------------------------------------------- recognition


def test_sheet_with_unrelated_name_is_recognised_by_its_header_row():
    fr = read_clean("sheet_by_header_420117104201.xlsx")
    assert sorted(fr.sheets) == ["births", "migrants"]  # Sheet2 holds notes only
    births = fr.sheets["births"]
    assert (births.sheet, births.header_row, births.rows) == ("Sheet1", 2, [3])
    assert column(fr, "births", "mother_name") == ["褚红"]
    migrants = fr.sheets["migrants"]
    assert migrants.sheet == "工作表3"
    assert migrants.records == [
        {"out_migrants": 40, "out_married_women": 12, "out_certified": 10, "out_contacted": 9}
    ]


def test_cover_list_gives_the_village_code_when_the_file_name_does_not():
    fr = read_clean("cover_list_月报表.xlsx")
    assert (fr.village_code, fr.village_name) == ("420117104202", "桃园村")
    assert fr.cover == {
        "village_code": "420117104202",
        "village_name": "桃园村",
        "report_month": "2026-03",
        "reporter": "王五",
        "phone": "13800000000",
        "filled_on": date(2026, 4, 2),
    }
    assert "cover" not in fr.sheets
    assert column(fr, "births", "mother_name") == ["卫青"]


def test_cover_table_with_a_numeric_village_code_and_a_date_cell_month():
    fr = read_clean("cover_table_月报表.xlsx")
    assert (fr.village_code, fr.village_name) == ("420117104203", "李家湾村")
    assert fr.cover == {
        "village_code": "420117104203",
        "village_name": "李家湾村",
        "report_month": "2026-03",
        "reporter": "刘六",
    }


def test_file_without_cover_is_identified_by_the_12_digit_code_in_its_name():
    fr = read_clean("420117104201_2026年3月月报.xlsx")
    assert (fr.village_code, fr.village_name) == ("420117104201", "复合村")
    assert fr.cover == {}
    assert column(fr, "births", "mother_name") == ["韦华"]


def test_file_without_cover_is_identified_by_a_village_alias_in_its_name():
    fr = read_clean("桃园_2026年3月报表.xlsx")
    assert (fr.village_code, fr.village_name) == ("420117104202", "桃园村")
    assert column(fr, "births", "mother_name") == ["许晴"]


def test_utf8_csv_births_recognised_by_file_name():
    fr = read_clean("420117104201_出生登记.csv")
    births = fr.sheets["births"]
    assert (fr.village_code, births.sheet, births.rows) == (
        "420117104201",
        "420117104201_出生登记",
        [2, 3],
    )
    assert column(fr, "births", "mother_name") == ["何丽", "吕芳"]
    assert column(fr, "births", "birth_date") == [BIRTH, date(2026, 3, 6)]
    assert cells(fr, "births", "birth_date") == ["D2", "D3"]


def test_utf8_bom_csv_beneficiaries():
    fr = read_clean("420117104201_奖励扶助.csv")
    beneficiaries = fr.sheets["beneficiaries"]
    assert beneficiaries.records == [
        {
            "name": "施老汉",
            "id_number": "420100196001010130",
            "category": "农村奖励扶助",
            "approved_on": date(2026, 3, 10),
            "note": "新增",
        },
        {
            "name": "张大娘",
            "id_number": "420100197002020247",
            "category": "特别扶助",
            "approved_on": date(2026, 3, 12),
            "note": None,
        },
    ]
    assert beneficiaries.cells[0]["name"] == "A2"  # the BOM is not part of the first header
    assert all(ric.is_valid(r["id_number"]) for r in beneficiaries.records)


def test_gbk_csv_migrants_as_two_column_list():
    fr = read_clean("420117104202_流动人口.csv")
    assert fr.village_code == "420117104202"
    migrants = fr.sheets["migrants"]
    assert migrants.layout == "list"
    assert migrants.records == [
        {
            "out_migrants": 40,
            "out_married_women": 12,
            "out_certified": 10,
            "out_contacted": 9,
            "in_migrants": 7,
            "in_married_women": 3,
        }
    ]
    assert migrants.cells[0]["out_migrants"] == "B2"


def test_gb18030_csv_keeps_a_character_outside_gbk():
    fr = read_clean("420117104203_出生登记.csv")
    assert fr.village_code == "420117104203"
    birth = fr.sheets["births"].records[0]
    assert birth["mother_name"] == "王\U0002c317"
    assert (birth["birth_date"], birth["parity"], birth["in_policy"]) == (BIRTH, 1, True)


def test_csv_without_form_in_its_name_is_recognised_by_its_header_row():
    fr = read_clean("420117104202_月报.csv")
    assert fr.sheets["contraception"].records == [
        {
            "married_women": 200,
            "iud": 80,
            "implant": 10,
            "female_sterilization": 60,
            "no_method": 50,
        }
    ]


# ----------------------------------------------------------------------------- bad input


def test_password_protected_workbook_is_rejected_with_one_reason():
    fr = read("bad_password_420117104201.xlsx")
    assert_rejected(fr, "password_protected")
    assert "密码" in fr.rejection.message_zh
    assert fr.findings == []


def test_truncated_workbook_is_rejected_as_corrupt():
    assert_rejected(read("bad_truncated_420117104201.xlsx"), "corrupt_file")


@pytest.mark.parametrize("name", ["bad_empty_420117104201.xlsx", "bad_empty_420117104201.csv"])
def test_empty_file_is_rejected(name):
    fr = read(name)
    assert_rejected(fr, "empty_file")
    assert fr.size == 0
    assert fr.sha256 == hashlib.sha256(b"").hexdigest()


def test_html_saved_as_xlsx_is_rejected_with_how_to_resave():
    fr = read("bad_html_saved_as_xlsx_420117104201.xlsx")
    assert_rejected(fr, "html_saved_as_xlsx")
    assert "另存为" in fr.rejection.message_zh


def test_csv_saved_as_xlsx_is_rejected_with_how_to_resave():
    fr = read("bad_csv_saved_as_xlsx_420117104201.xlsx")
    assert_rejected(fr, "text_saved_as_xlsx")
    assert "另存为" in fr.rejection.message_zh


def test_workbook_saved_as_csv_is_rejected():
    assert_rejected(read("bad_xlsx_saved_as_csv_420117104201.csv"), "unknown_encoding")


def test_unsupported_file_type_is_rejected():
    assert_rejected(read("bad_unsupported_420117104201.docx"), "unsupported_format")


def test_workbook_with_no_recognisable_form_is_rejected():
    fr = read("bad_no_form_420117104201.xlsx")
    assert_rejected(fr, "no_form_found")
    assert fr.findings == []


def test_births_sheet_whose_header_cannot_be_found_is_a_sheet_error():
    fr = read("bad_header_missing_420117104201.xlsx")
    finding = sheet_error(fr, "sheet.header_not_found")
    assert finding.sheet == "出生登记"
    assert "出生登记" in finding.message_zh and "母亲姓名" in finding.fix_zh
    assert fr.sheets == {}
    assert fr.village_code == "420117104201"  # the file itself is not rejected


def test_duplicated_column_is_reported_at_its_header_cell():
    fr = read("bad_duplicate_column_420117104201.xlsx")
    finding = sheet_error(fr, "sheet.duplicate_column")
    assert (finding.sheet, finding.cell, finding.where) == ("出生登记", "D2", "出生登记!D2")
    assert "母亲姓名" in finding.message_zh
    assert "A列" in finding.message_zh and "D列" in finding.message_zh
    assert fr.sheets == {}


def test_file_over_the_size_limit_is_rejected():
    name = "title_rows_420117104201.xlsx"
    size = (FILES / name).stat().st_size
    fr = read(name, max_bytes=1024)
    assert_rejected(fr, "file_too_large")
    assert fr.size == size
    assert read(name, max_bytes=size).rejection is None  # the limit itself is allowed


def test_sheet_over_the_row_limit_is_a_sheet_error():
    fr = read("blank_rows_420117104201.xlsx", max_rows=5)  # the sheet has 8 rows
    finding = sheet_error(fr, "sheet.too_many_rows")
    assert finding.sheet == "出生登记"
    assert "8" in finding.message_zh and "5" in finding.message_zh
    assert fr.sheets == {}
    assert read("blank_rows_420117104201.xlsx", max_rows=8).sheets["births"].rows == [2, 4, 8]


def test_village_not_in_villages_csv_is_rejected():
    fr = read("bad_unknown_village_420117104299.xlsx")
    assert_rejected(fr, "unknown_village")
    assert fr.village_code is None
    assert "村代码" in fr.rejection.message_zh


def test_identities_naming_two_villages_are_rejected_and_attributed_to_neither():
    fr = read("bad_identity_conflict_复合村.xlsx")
    assert_rejected(fr, "identity_conflict")
    assert fr.village_code is None
    assert "桃园村" in fr.rejection.message_zh and "复合村" in fr.rejection.message_zh
    assert fr.rows_read == {"births": ("出生登记", 1)}  # read, then refused: the row ledger


def test_cover_month_disagreeing_with_the_folder_month_is_rejected():
    fr = read("bad_month_mismatch_420117104201.xlsx")
    assert_rejected(fr, "month_mismatch")
    assert "2026-02" in fr.rejection.message_zh and "2026-03" in fr.rejection.message_zh
    assert fr.cover["report_month"] == "2026-02"


def test_csv_with_a_cell_over_the_csv_field_limit_is_rejected_not_raised(tmp_path):
    path = tmp_path / "420117104201_出生登记.csv"
    path.write_text("母亲姓名,母亲身份证号\r\n" + "x" * 200_000 + ",1\r\n", encoding="utf-8")
    fr = read_file(path, MONTH, REGISTRY, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    assert_rejected(fr, "malformed_csv")


# ----------------------------------------------------------------------------- the corpus as a batch


def test_every_corpus_file_reads_one_by_one_without_raising():
    paths = sorted(p for p in FILES.iterdir() if p.is_file())
    assert len(paths) >= 40
    for path in paths:
        fr = read_file(path, MONTH, REGISTRY, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
        errors = [f for f in fr.findings if f.severity == ERROR]
        if path.name.startswith("bad_"):  # rejected whole, or a sheet-level error
            assert fr.rejection is not None or errors, path.name
        else:
            assert fr.rejection is None and not errors, path.name
            assert fr.village_code in REGISTRY.by_code and fr.sheets, path.name
        if fr.rejection:
            assert HAN.search(fr.rejection.message_zh), path.name


def _load_make_corpus():
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS.parent / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_corpus_is_what_make_corpus_writes(tmp_path, capsys):
    _load_make_corpus().main(tmp_path / "corpus")
    fresh = {
        p.relative_to(tmp_path / "corpus"): p.read_bytes()
        for p in (tmp_path / "corpus").rglob("*")
        if p.is_file()
    }
    committed = {p.relative_to(CORPUS): p.read_bytes() for p in CORPUS.rglob("*") if p.is_file()}
    assert sorted(fresh) == sorted(committed)
    changed = [str(name) for name in fresh if fresh[name] != committed[name]]
    assert changed == [], "run: uv run python tests/fixtures/make_corpus.py"
