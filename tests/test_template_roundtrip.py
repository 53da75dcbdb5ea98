"""The template a village fills in goes through the pipeline without a single finding (contract §4, §10).

`write_template`, then filled with openpyxl as a village officer would (typing into the prepared
cells: text, numbers and a date or two), saved under data/raw/<month>/ and ingested.
"""

from __future__ import annotations

from datetime import date, datetime

import duckdb
import openpyxl
import pytest
from builders import make_id

from township.forms import load_catalogue
from township.ingest import ingest
from township.reports.template import write_template

MONTH = "2026-03"
FUHE = "420117104201"

COVER = {
    "村代码": FUHE,
    "村名": "复合村",
    "报告期": MONTH,
    "填报人": "王会计",
    "联系电话": "13800000000",
    "填报日期": "2026-04-02",
}
BIRTHS = [  # 2 boys, 2 girls; parity 1, 1, 2, 3; one out of policy (the third child)
    {
        "母亲姓名": "孙一",
        "母亲身份证号": make_id(date(1992, 2, 2), 1),
        "婴儿性别": "男",
        "出生日期": "2026-03-05",
        "孩次": "1",
        "是否符合政策": "是",
        "流动性质": "户籍",
        "父亲姓名": "钱一",
        "父亲身份证号": make_id(date(1990, 6, 6), 1, female=False),
        "婴儿姓名": "孙小一",
    },
    {
        "母亲姓名": "李二",
        "母亲身份证号": make_id(date(1994, 4, 4), 2),
        "婴儿性别": "男",
        "出生日期": "2026-03-12",
        "孩次": "1",
        "是否符合政策": "是",
    },
    {  # her twin: same mother and date, next parity
        "母亲姓名": "李二",
        "母亲身份证号": make_id(date(1994, 4, 4), 2),
        "婴儿性别": "女",
        "出生日期": "2026-03-12",
        "孩次": "2",
        "是否符合政策": "是",
    },
    {
        "母亲姓名": "周三",
        "母亲身份证号": make_id(date(1988, 8, 8), 3),
        "婴儿性别": "女",
        "出生日期": datetime(2026, 3, 20),
        "孩次": "3",
        "是否符合政策": "否",
        "流动性质": "流入",
        "备注": "外省流入",
    },
]
BENEFICIARIES = [  # 110105: a county stdnum knows for births in the 1960s and 1970s
    {
        "姓名": "吴老伯",
        "身份证号": make_id(date(1960, 1, 15), 1, "110105", female=False),
        "类别": "农村奖励扶助",
        "认定日期": datetime(2026, 3, 10),
    },
    {
        "姓名": "郑阿姨",
        "身份证号": make_id(date(1975, 5, 5), 2, "110105"),
        "类别": "特别扶助",
        "认定日期": "2026-03-12",
    },
    {
        "姓名": "冯母亲",
        "身份证号": make_id(date(1978, 8, 8), 3, "110105"),
        "类别": "独女户高考加分",
        "认定日期": "2026-03-15",
        "备注": "女儿今年高考",
    },
]
RECORDS = {
    # methods and no method add up to the married women: 50+10+15+5+10+12+3 + 15 = 120
    "节育措施": {
        "已婚育龄妇女数": 120,
        "上环": 50,
        "皮埋": 10,
        "女扎": 15,
        "男扎": 5,
        "口服药": 10,
        "避孕套": 12,
        "其他": 3,
        "未避孕": 15,
    },
    # certified, contacted ≤ out-migrant married women ≤ out-migrants
    "流动人口": {
        "流出人口数": 60,
        "流出已婚育龄妇女数": 25,
        "已办婚育证明数": 20,
        "定期联系数": 22,
        "流入人口数": 12,
        "流入已婚育龄妇女数": 5,
    },
    # done ≤ due
    "宣传服务": {
        "宣传资料份数": 300,
        "标语条数": 6,
        "宣传挂图": 4,
        "咨询人次": 25,
        "三查应查人数": 30,
        "三查实查人数": 28,
        "随访人次": 9,
        "两非案件数": 0,
    },
    # the first month on record: no balance with an earlier stock to check
    "人口变动": {
        "期末户籍人口": 1500,
        "本月死亡": 1,
        "迁入": 2,
        "迁出": 3,
        "结婚登记": 4,
        "期末领取独生子女证人数": 210,
    },
}
EXPECTED = {
    "births_total": 4,
    "births_male": 2,
    "births_female": 2,
    "births_parity_1": 2,
    "births_parity_2": 1,
    "births_parity_3plus": 1,
    "births_in_policy": 3,
    "births_out_of_policy": 1,
    "births_out_of_policy_parity_3plus": 1,
    "policy_compliance_rate": 75.0,
    "sex_ratio_at_birth": 100,
    "births_late_reported": 0,
    "married_women": 120,
    "contraceptive_users": 105,
    "contraceptive_prevalence": 87.5,
    "long_acting_users": 80,
    "long_acting_rate": 76.2,
    "out_migrants": 60,
    "out_married_women": 25,
    "certificate_rate": 80.0,
    "contact_rate": 88.0,
    "in_migrants": 12,
    "new_reward_recipients": 1,
    "new_special_assistance": 1,
    "new_only_daughter_bonus": 1,
    "leaflets": 300,
    "slogans": 6,
    "posters": 4,
    "consultations": 25,
    "checkup_rate": 93.3,
    "follow_up_visits": 9,
    "two_non_cases": 0,
    "population": 1500,
    "deaths": 1,
    "one_child_certificates": 210,
    "rows_quarantined": 0,
    "duplicates_removed": 0,
}


def _columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1] if cell.value}


def _fill_rows(sheet, rows: list[dict]) -> None:
    columns = _columns(sheet)
    for r, values in enumerate(rows, start=2):
        for header, value in values.items():
            sheet.cell(row=r, column=columns[header], value=value)


def _fill(template, path, leave_blank: tuple[str, ...] = ()) -> None:
    book = openpyxl.load_workbook(template)
    cover = book["封面"]
    for row in cover.iter_rows(min_row=2):
        if row[0].value in COVER:
            row[1].value = COVER[row[0].value]
    _fill_rows(book["出生登记"], BIRTHS)
    _fill_rows(book["奖励扶助"], BENEFICIARIES)
    for sheet, values in RECORDS.items():
        if sheet not in leave_blank:
            _fill_rows(book[sheet], [values])
    book.save(path)


@pytest.fixture
def ingested(settings):
    template = write_template(settings.raw_dir.parent / "template" / "村计生月报表.xlsx")
    filled = settings.raw_dir / MONTH / "复合村2026年3月报表.xlsx"
    filled.parent.mkdir(parents=True)
    _fill(template, filled)
    result = ingest(settings)
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    yield result, con
    con.close()


def test_the_filled_template_fills_every_field_of_every_form():
    filled = {
        "cover": set(COVER),
        "births": {h for row in BIRTHS for h in row},
        "beneficiaries": {h for row in BENEFICIARIES for h in row},
        **{
            f.name: set(RECORDS[f.name_zh])
            for f in load_catalogue().forms.values()
            if f.kind == "record"
        },
    }
    for name, form in load_catalogue().forms.items():
        missing = {f.name_zh for f in form.fields} - filled[name]
        assert missing == set(), name


def test_a_correctly_filled_template_is_accepted_without_findings(ingested):
    result, con = ingested
    assert [(s["village_code"], s["report_month"], s["status"]) for s in result.submissions] == [
        (FUHE, MONTH, "accepted")
    ]
    assert con.execute("select count(*) from raw.findings").fetchone()[0] == 0
    forms = dict(con.execute("select form, n_records from raw.submission_forms").fetchall())
    assert forms == {
        "births": 4,
        "beneficiaries": 3,
        "contraception": 1,
        "migrants": 1,
        "services": 1,
        "population": 1,
    }


def test_the_filled_in_figures_come_out_of_the_indicator_mart(ingested):
    _, con = ingested
    for org in (FUHE, "420117104"):  # the village, and the township it alone reported for
        got = dict(
            con.execute(
                "select indicator, value from marts.indicator_values "
                "where period = ? and org_code = ?",
                [MONTH, org],
            ).fetchall()
        )
        assert {k: got.get(k) for k in EXPECTED} == pytest.approx(EXPECTED), org


def test_an_optional_form_left_blank_is_taken_as_not_sent(settings):
    template = write_template(settings.raw_dir.parent / "template" / "村计生月报表.xlsx")
    filled = settings.raw_dir / MONTH / "复合村2026年3月报表.xlsx"
    filled.parent.mkdir(parents=True)
    _fill(template, filled, leave_blank=("人口变动",))
    result = ingest(settings)
    assert [s["status"] for s in result.submissions] == ["accepted"]
    with duckdb.connect(str(settings.warehouse), read_only=True) as con:
        forms = {f for (f,) in con.execute("select form from raw.submission_forms").fetchall()}
        rules = {r for (r,) in con.execute("select rule_id from raw.findings").fetchall()}
    assert "population" not in forms
    assert "record.empty" not in rules
