"""The township summary's outputs: period comparisons, the xlsx workbook and its PNG charts —
each on a real warehouse built from village workbooks in a temporary folder."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np
import openpyxl
import pytest
from builders import BIRTH_HEADER, VILLAGES_CSV, birth_row, write_births, write_workbook
from matplotlib import image

from township.calendar import Period
from township.config import Settings
from township.ingest import ingest
from township.reports.summary.build import build_summary
from township.reports.summary.compare import comparisons
from township.reports.summary.figures import sex_ratio_interval, verdict, wilson
from township.reports.summary.renderers import RENDERERS, write
from township.store import Warehouse, indicators

FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
TOWN = "420117104"
ENV = ("TOWNSHIP_RAW_DIR", "TOWNSHIP_VILLAGES", "TOWNSHIP_WAREHOUSE", "TOWNSHIP_OUTBOX")
CONTRACEPTION_HEADER = ["已婚育龄妇女数", "上环", "避孕套", "未避孕"]


def received(month: str) -> datetime:
    """The 2nd of the month after the report month, mid-morning: on time."""
    year, mon = int(month[:4]), int(month[5:])
    return datetime(year + (mon == 12), mon % 12 + 1, 2, 10, 0)


def write_month(raw: Path, village: str, month: str, births=(), married_women=None) -> Path:
    """A village's workbook for a month: a 出生登记 sheet and/or a 节育措施 sheet."""
    sheets = {}
    if births:
        sheets["出生登记"] = [BIRTH_HEADER, *([str(v) for v in row] for row in births)]
    if married_women is not None:
        iud, condom = married_women * 6 // 10, married_women * 2 // 10
        values = [married_women, iud, condom, married_women - iud - condom]
        sheets["节育措施"] = [CONTRACEPTION_HEADER, values]
    return write_workbook(raw / month / f"{village}_{month}.xlsx", sheets, received=received(month))


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> dict:
    """One warehouse for SY2026H1 and its summary written once for the workbook tests.

    复合村: 3 boys, 1 girl in 2026-03 (sex ratio 300: out of range).
    李家湾村: 21 boys, 20 girls in 2026-03 (105: in range).
    桃园村: contraception 2025-10 … 2026-02, married women steady then jumping (a stock outlier).
    """
    root = tmp_path_factory.mktemp("township")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        for name in (*ENV, "TOWNSHIP_PERSON_KEY"):
            mp.delenv(name, raising=False)
        villages = root / "data" / "reference" / "villages.csv"
        villages.parent.mkdir(parents=True)
        villages.write_text(VILLAGES_CSV, encoding="utf-8")
        raw = root / "data" / "raw"
        fuhe = [birth_row(n, f"2026-03-0{n}", sex="女" if n == 4 else "男") for n in range(1, 5)]
        write_month(raw, FUHE, "2026-03", births=fuhe)
        lijiawan = [
            birth_row(n, "2026-03-10", sex="男" if n <= 30 else "女", parity=1 + (n % 3 == 0))
            for n in range(10, 51)
        ]
        write_month(raw, LIJIAWAN, "2026-03", births=lijiawan)
        for month, women in zip(
            ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02"],
            [500, 502, 501, 503, 900],
            strict=True,
        ):
            write_month(raw, TAOYUAN, month, married_women=women)
        settings = Settings()
        ingest(settings)
        out = root / "data" / "outbox" / "summary_SY2026H1.xlsx"
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with Warehouse.at(settings.warehouse, read_only=True) as wh:
                path = write(build_summary(wh, "SY2026H1"), "xlsx", out, settings)[0]
        yield {"root": root, "path": path, "warnings": caught, "settings": settings}


# -- periods ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("2026-03", "2026-02"),
        ("2026-01", "2025-12"),
        ("2026Q1", "2025Q4"),
        ("2026Q3", "2026Q2"),
        ("2026", "2025"),
        ("SY2026", "SY2025"),
        ("SY2026H1", "SY2025H2"),
        ("SY2026H2", "SY2026H1"),
        ("sy2026h2", "SY2026H1"),
    ],
)
def test_previous_period_is_the_one_just_before_of_the_same_type(key, expected):
    assert Period.parse(key).previous().key == expected


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("2026-03", "2025-03"),
        ("2026-12", "2025-12"),
        ("2026Q1", "2025Q1"),
        ("2026Q4", "2025Q4"),
        ("2026", "2025"),
        ("SY2026", "SY2025"),
        ("SY2026H1", "SY2025H1"),
        ("SY2026H2", "SY2025H2"),
    ],
)
def test_year_earlier_is_the_same_period_one_year_before(key, expected):
    assert Period.parse(key).year_earlier().key == expected


def test_unknown_period_key_is_refused():
    with pytest.raises(ValueError, match="unknown period"):
        Period.parse("2026-13").previous()


# -- comparisons ------------------------------------------------------------------------------
def two_months(settings: Settings) -> None:
    """2026-02: 2 boys, 1 girl, all in policy. 2026-03: 3 boys, 2 girls, one out of policy."""
    feb = [
        birth_row(1, "2026-02-03"),
        birth_row(2, "2026-02-04"),
        birth_row(3, "2026-02-05", sex="女"),
    ]
    mar = [
        birth_row(4, "2026-03-03"),
        birth_row(5, "2026-03-04"),
        birth_row(6, "2026-03-05", parity=2, policy="否"),
        birth_row(7, "2026-03-06", sex="女"),
        birth_row(8, "2026-03-07", sex="女"),
    ]
    write_births(settings.raw_dir / "2026-02" / f"{FUHE}.xlsx", feb, received=received("2026-02"))
    write_births(settings.raw_dir / "2026-03" / f"{FUHE}.xlsx", mar, received=received("2026-03"))
    ingest(settings)


def test_comparisons_give_the_change_from_the_previous_month(settings):
    two_months(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        got = comparisons(wh, "2026-03").set_index("indicator")
    births = got.loc["births_total"]
    assert (births["org_code"], births["period"], births["previous_period"]) == (
        TOWN,
        "2026-03",
        "2026-02",
    )
    assert (births["value"], births["previous_value"], births["previous_change"]) == (5, 3, 2)
    rate = got.loc["policy_compliance_rate"]  # 100.0 % → 4 of 5 = 80.0 %
    assert (rate["value"], rate["previous_value"], rate["previous_change"]) == (80.0, 100.0, -20.0)
    ratio = got.loc["sex_ratio_at_birth"]  # 200 → 150
    assert (ratio["value"], ratio["previous_value"], ratio["previous_change"]) == (150, 200, -50)


def test_comparisons_are_none_where_the_warehouse_has_no_such_period(settings):
    two_months(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        march = comparisons(wh, "2026-03").set_index("indicator")
        february = comparisons(wh, "2026-02").set_index("indicator")
    births = march.loc["births_total"]
    assert births["year_earlier_period"] == "2025-03"
    assert births["year_earlier_value"] is None and births["year_earlier_change"] is None
    assert february.loc["births_total", "previous_value"] is None  # 2026-01: nothing received
    assert february.loc["births_total", "previous_change"] is None


def test_a_month_known_only_from_late_reported_births_is_not_compared_against(settings):
    write_births(
        settings.raw_dir / "2025-10" / f"{FUHE}.xlsx",
        [birth_row(1, "2025-09-20"), birth_row(2, "2025-10-02")],
        received=received("2025-10"),
    )
    ingest(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        assert indicators.values(wh, "2025-09")["value"].notna().any()  # rows exist …
        got = comparisons(wh, "2025-10").set_index("indicator")
    assert got.loc["births_total", "previous_value"] is None  # … but nobody reported 2025-09


def test_comparisons_as_of_a_past_moment_ignore_later_files(settings):
    two_months(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        got = comparisons(wh, "2026-03", as_of=datetime(2026, 3, 20)).set_index("indicator")
    assert got.loc["births_total", "previous_value"] == 3
    assert got.loc["births_total", "value"] is None  # the 2026-03 file came in April


def test_summary_text_and_json_carry_the_comparisons_only_when_given(settings):
    two_months(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        compared = build_summary(wh, "2026-03")
        bare = build_summary(wh, "2026-03", compare=False)
    summary_text, summary_json = RENDERERS["text"].show, RENDERERS["json"].show
    text = summary_text(compared)
    section = text.split("与上期、去年同期比较：\n")[1].split("\n\n")[0].splitlines()
    assert [line.split("：")[0].strip() for line in section] == [
        "出生婴儿数",
        "符合政策生育率",
        "出生人口性别比",
        "节育措施落实率",
        "报表上报率",
    ]
    assert "上期（2026-02）3人，增加2人" in section[0]
    assert "下降20.0个百分点" in section[1]
    assert "去年同期（2025-03）无数据" in section[0]
    assert "与上期" not in summary_text(bare)
    document = json.loads(summary_json(compared))
    births = next(r for r in document["comparisons"] if r["indicator"] == "births_total")
    assert (births["previous_value"], births["previous_change"]) == (3, 2)
    assert "comparisons" not in json.loads(summary_json(bare))


# -- the workbook -----------------------------------------------------------------------------
def column_of(ws, header_row: int, name: str) -> int:
    return [c.value for c in ws[header_row]].index(name) + 1


def row_of(ws, column: int, value: str) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, column).value == value)


def fill(cell) -> str:
    return (cell.fill.fgColor.rgb or "")[-6:].upper() if cell.fill.fill_type else ""


def test_summary_workbook_has_the_three_sheets_each_with_a_chart(report):
    wb = openpyxl.load_workbook(report["path"])
    assert wb.sheetnames == ["全镇", "各村", "数据质量", "需关注的村"]
    for ws in wb.worksheets[:3]:
        assert ws._charts, f"no chart on {ws.title}"


def test_township_sheet_opens_with_the_paragraph_then_every_indicator(report):
    ws = openpyxl.load_workbook(report["path"])["全镇"]
    assert ws["A2"].value.startswith("截止2026年3月底，全镇共出生婴儿45人，其中一孩")
    header = [c.value for c in ws[4]]
    assert header == ["指标", "数值", "单位", "分子", "分母", "说明", "上期", "去年同期"]
    births = row_of(ws, 1, "出生婴儿数")
    assert (ws.cell(births, 2).value, ws.cell(births, 3).value) == (45, "人")
    ratio = row_of(ws, 1, "出生人口性别比")
    assert [ws.cell(ratio, c).value for c in (2, 4, 5)] == [114, 24, 21]  # 24 boys, 21 girls
    assert row_of(ws, 1, "按时上报率") > births  # the quality indicators are there too


def test_a_sex_ratio_from_four_births_is_not_filled_nor_one_in_range(report):
    ws = openpyxl.load_workbook(report["path"])["各村"]
    col = column_of(ws, 2, "出生人口性别比")
    fuhe, lijiawan = row_of(ws, 1, FUHE), row_of(ws, 1, LIJIAWAN)
    assert ws.cell(fuhe, col).value == 300  # 3 boys, 1 girl: the interval spans the band
    assert fill(ws.cell(fuhe, col)) == ""
    data = row_of(ws, 1, "图表数据：各村出生人口性别比与正常值范围")
    header = [c.value for c in ws[data + 1]]
    assert header[:8] == [
        "村名",
        "出生人口性别比",
        "正常下限",
        "正常上限",
        "出生数",
        "区间下限",
        "区间上限",
        "判断",
    ]
    fuhe_data = next(r for r in range(data + 2, ws.max_row + 1) if ws.cell(r, 1).value == "复合村")
    births, verdict = ws.cell(fuhe_data, 5).value, ws.cell(fuhe_data, 8).value
    assert (births, verdict) == (4, "数字太小，无法判断")
    assert ws.cell(lijiawan, col).value == 105
    assert fill(ws.cell(lijiawan, col)) == ""
    legend = [ws.cell(r, 2).value or "" for r in range(1, ws.max_row + 1)]
    assert any("超出正常值范围" in line and "103–107" in line for line in legend)


def test_village_with_a_stock_outlier_is_highlighted(report):
    ws = openpyxl.load_workbook(report["path"])["各村"]
    taoyuan, fuhe = row_of(ws, 1, TAOYUAN), row_of(ws, 1, FUHE)
    note = ws.cell(taoyuan, column_of(ws, 2, "存量数字异常")).value
    assert note == "2026-02 已婚育龄妇女数"
    assert fill(ws.cell(taoyuan, 1)) == "FFEB9C"
    assert fill(ws.cell(fuhe, 1)) == ""


def test_quality_sheet_lists_villages_and_the_periods_submissions(report):
    ws = openpyxl.load_workbook(report["path"])["数据质量"]
    header = [c.value for c in ws[2]][:7]
    assert header == [
        "村代码",
        "村名",
        "已报村数",
        "报表上报率",
        "按时上报率",
        "隔离记录数",
        "去除重复记录数",
    ]
    lijiawan = row_of(ws, 1, LIJIAWAN)
    assert ws.cell(lijiawan, 4).value == round(100 / 6, 1)  # one month of six
    files_header = row_of(ws, 1, "报告期")
    files = [
        [ws.cell(r, c).value for c in (1, 2, 6)] for r in range(files_header + 1, ws.max_row + 1)
    ]
    assert len(files) == 7
    assert ["2026-02", TAOYUAN, "有警告"] in files  # the outlier is a warning
    assert ["2026-03", FUHE, "通过"] in files


def test_charts_are_written_as_pngs_beside_the_workbook(report):
    path = report["path"]
    for suffix in ("births_by_month", "sex_ratio", "timeliness"):
        png = path.with_name(f"{path.stem}_{suffix}.png")
        assert png.stat().st_size > 5 * 1024, png.name
        rgb = (image.imread(png)[..., :3] * 255).round().astype(np.uint32)
        colours = np.unique((rgb[..., 0] << 16) | (rgb[..., 1] << 8) | rgb[..., 2])
        assert len(colours) > 20, f"{png.name}: {len(colours)} colours"


def test_writing_the_summary_raises_no_warnings(report):
    assert [str(w.message) for w in report["warnings"]] == []


def test_workbook_as_of_a_past_moment_leaves_out_later_files(report, capfd):
    settings = report["settings"]
    out = report["root"] / "as_of" / "summary.xlsx"
    with Warehouse.at(report["root"] / settings.warehouse, read_only=True) as wh:
        write(build_summary(wh, "SY2026H1", as_of=datetime(2026, 3, 20)), "xlsx", out, settings)
    ws = openpyxl.load_workbook(out)["全镇"]
    assert ws["A2"].value.startswith("截止2026年2月底，全镇共出生婴儿0人")
    assert capfd.readouterr().err == ""


def test_every_registered_format_writes_its_file_from_one_summary(report, tmp_path):
    settings = report["settings"]
    with Warehouse.at(report["root"] / settings.warehouse, read_only=True) as wh:
        summary = build_summary(wh, "SY2026H1")
    for name, renderer in RENDERERS.items():
        written = write(summary, name, tmp_path / name / f"summary{renderer.suffix}", settings)
        assert written and all(p.stat().st_size > 0 for p in written), name
        if renderer.shown:
            assert written[0].read_text(encoding="utf-8") == renderer.show(summary) + "\n"


# -- who is behind, and small numbers ---------------------------------------------------------
def test_villages_missing_a_month_are_named_with_the_months_in_text_json_and_xlsx(report):
    settings = report["settings"]
    with Warehouse.at(report["root"] / settings.warehouse, read_only=True) as wh:
        summary = build_summary(wh, "SY2026H1")
    text = RENDERERS["text"].show(summary)
    missing_line = next(line for line in text.splitlines() if line.strip().startswith("未报"))
    # 复合村 and 李家湾村 sent only March; 桃园村 every month but March
    assert "复合村（2025-10、2025-11、2025-12、2026-01、2026-02）" in missing_line
    assert "桃园村（2026-03）" in missing_line
    document = json.loads(RENDERERS["json"].show(summary))
    missing = {v["village_name"]: v["months"] for v in document["villages_behind"]["missing"]}
    assert missing["桃园村"] == ["2026-03"]
    assert len(missing["李家湾村"]) == 5
    ws = openpyxl.load_workbook(report["path"])["需关注的村"]
    rows = [[c.value for c in row] for row in ws.iter_rows(min_row=3, max_col=4)]
    assert [r[1:] for r in rows if r[0] and r[0].startswith("未报")] == [
        [FUHE, "复合村", "2025-10、2025-11、2025-12、2026-01、2026-02"],
        [TAOYUAN, "桃园村", "2026-03"],
        [LIJIAWAN, "李家湾村", "2025-10、2025-11、2025-12、2026-01、2026-02"],
    ]


def test_json_carries_the_paragraph_chinese_indicator_names_units_and_org_names(report):
    settings = report["settings"]
    with Warehouse.at(report["root"] / settings.warehouse, read_only=True) as wh:
        document = json.loads(RENDERERS["json"].show(build_summary(wh, "SY2026H1")))
    assert document["paragraph"].startswith("截止2026年3月底，全镇共出生婴儿45人")
    assert document["township_name"] == "复合镇"
    ratio = next(
        v
        for v in document["values"]
        if v["indicator"] == "sex_ratio_at_birth" and v["org_code"] == FUHE
    )
    assert (ratio["name_zh"], ratio["unit"], ratio["org_name"]) == (
        "出生人口性别比",
        "女=100",
        "复合村",
    )
    judged = next(
        j
        for j in document["judged"]
        if j["indicator"] == "sex_ratio_at_birth" and j["org_code"] == FUHE
    )
    assert (judged["cases"], judged["verdict"]) == (4, "unclear")
    assert judged["low"] < 103 and judged["high"] > 107


def test_the_text_says_which_village_figures_are_too_small_to_judge(report):
    settings = report["settings"]
    with Warehouse.at(report["root"] / settings.warehouse, read_only=True) as wh:
        text = RENDERERS["text"].show(build_summary(wh, "SY2026H1"))
    section = "\n".join(text.split("出生人口性别比（各村出生")[1].splitlines()[1:3])
    assert "区间整体超出正常值范围的村：无" in section
    assert "出生数太少无法判断的村（1个）：复合村 300（男3、女1" in section


@pytest.mark.parametrize(
    ("successes", "trials", "expected"),
    # Wilson 95 % intervals as published (Newcombe 1998, table I; Brown, Cai & DasGupta 2001)
    [(81, 263, (0.2553, 0.3662)), (15, 148, (0.0624, 0.1605)), (0, 20, (0.0, 0.1611))],
)
def test_wilson_interval_matches_published_values(successes, trials, expected):
    low, high = wilson(successes, trials)
    assert (round(low, 4), round(high, 4)) == expected


def test_sex_ratio_interval_is_the_share_of_boys_turned_into_a_ratio():
    low, high = sex_ratio_interval(14, 4)  # the sample's 双庙村: 350
    share = wilson(14, 18)
    assert low == pytest.approx(100 * share[0] / (1 - share[0]))
    assert 120 < low < 122 and high > 1000
    assert sex_ratio_interval(5, 0)[1] == float("inf")  # no girls: no upper bound
    assert verdict(350, (low, high), 103, 107) == "high"
    assert verdict(300, sex_ratio_interval(3, 1), 103, 107) == "unclear"
    assert verdict(105, sex_ratio_interval(21, 20), 103, 107) == "normal"


def test_a_village_whose_whole_interval_is_above_the_band_is_flagged_and_filled(settings):
    raw = settings.raw_dir
    boys_heavy = [birth_row(n, "2026-03-05", sex="女" if n > 14 else "男") for n in range(1, 19)]
    write_month(raw, FUHE, "2026-03", births=boys_heavy)  # 14 boys, 4 girls: 350
    write_month(raw, TAOYUAN, "2026-03", births=[birth_row(30, "2026-03-05", sex="女")])
    ingest(settings)
    out = settings.outbox / "summary.xlsx"
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        summary = build_summary(wh, "2026-03")
    write(summary, "xlsx", out, settings)
    ws = openpyxl.load_workbook(out)["各村"]
    col = column_of(ws, 2, "出生人口性别比")
    assert fill(ws.cell(row_of(ws, 1, FUHE), col)) == "FFC7CE"
    text = RENDERERS["text"].show(summary)
    assert "区间整体超出正常值范围的村：复合村 350（男14、女4，区间121–1011）" in text


def test_a_village_is_not_missing_a_month_before_its_deadline(report):
    settings = report["settings"]
    with Warehouse.at(report["root"] / settings.warehouse, read_only=True) as wh:
        before = build_summary(wh, "SY2026H1", as_of=datetime(2026, 4, 3, 12), detail=False)
        after = build_summary(wh, "SY2026H1", as_of=datetime(2026, 4, 6, 12), detail=False)

    def missing(summary) -> set[tuple[str, str]]:
        rows = summary.behind[summary.behind["issue"] == "missing"]
        return set(zip(rows["village_name"], rows["report_month"], strict=True))

    assert ("桃园村", "2026-03") not in missing(before)  # due by 5 April
    assert ("桃园村", "2026-03") in missing(after)
    assert ("复合村", "2026-02") in missing(before)


def with_wrong_check_character(row: list) -> list:
    number = row[1]
    return [row[0], number[:-1] + ("1" if number[-1] == "0" else "0"), *row[2:]]


def test_the_quarantined_rows_a_summary_names_are_those_the_row_ledger_holds(settings):
    raw = settings.raw_dir
    wrong = [with_wrong_check_character(birth_row(n, "2026-02-10")) for n in range(1, 4)]
    write_month(raw, FUHE, "2026-02", births=[birth_row(9, "2026-02-03"), wrong[0]])
    write_month(raw, TAOYUAN, "2026-01", births=[birth_row(8, "2026-01-03"), wrong[1]])
    ingest(settings)
    # 复合村 replaces its births of February: its earlier error is superseded, not quarantined
    replacement = raw / "2026-02" / f"{FUHE}_2026-02_更正.xlsx"
    sheets = {"出生登记": [BIRTH_HEADER, *([str(v) for v in r] for r in wrong)]}
    write_workbook(replacement, sheets, received=datetime(2026, 3, 20, 9))
    ingest(settings)
    expected = {
        datetime(2026, 3, 10): {(FUHE, "2026-02"): 1, (TAOYUAN, "2026-01"): 1},
        None: {(FUHE, "2026-02"): 3, (TAOYUAN, "2026-01"): 1},
    }
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        for as_of, counts in expected.items():
            behind = build_summary(wh, "2026Q1", as_of=as_of, detail=False).behind
            held = behind[behind["issue"] == "quarantined"]
            named = {(v, m): n for v, m, n in held[["village_code", "report_month", "n"]].values}
            ledger = wh.con.execute(
                "select village_code, report_month, count(*) from staging.row_outcomes(?) "
                "where outcome = 'quarantined' group by all",
                [as_of],
            ).fetchall()
            assert named == {(v, m): n for v, m, n in ledger} == counts
