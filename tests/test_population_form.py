"""人口变动, the seventh form (one record a village-month, optional), its consistency rule, and the
statistical tables the township files upward (`township tables`), every cell checked against
the warehouse."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime

import openpyxl
import pandas as pd
import pytest
from builders import BIRTH_HEADER, VILLAGES_CSV, birth_row, township_settings, write_workbook

from township.calendar import Period
from township.ingest import ingest
from township.read.files import read_file
from township.reports import tables as upward
from township.reports.summary.build import NoData
from township.store import Warehouse, indicators
from township.villages import VillageRegistry

FUHE, TAOYUAN = "420117104201", "420117104202"
HEADER = ["期末户籍人口", "本月死亡", "迁入", "迁出", "结婚登记", "期末领取独生子女证人数"]
RECEIVED = datetime(2026, 4, 2, 9)


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "villages.csv"
    path.write_text(VILLAGES_CSV, encoding="utf-8")
    return VillageRegistry.load(path)


@pytest.mark.parametrize(
    "layout",
    ["table", "units row", "list", "aliases"],
)
def test_the_population_form_is_read_in_every_layout(tmp_path, registry, layout):
    values = [1005, 2, 4, 3, 1, 120]
    header = ["期末人口总数", "死亡人数", "迁入人数", "迁出人数", "结婚对数", "领取独生子女证人数"]
    rows = {
        "table": [["人口变动情况"], HEADER, values],
        "units row": [HEADER, ["人", "人", "人", "人", "对", "人"], values],
        "list": [["项目", "数量"], *([h, v] for h, v in zip(HEADER, values, strict=True))],
        "aliases": [header, values],
    }[layout]
    path = write_workbook(tmp_path / f"{FUHE}.xlsx", {"人口变动": rows})
    fr = read_file(path, "2026-03", registry)
    assert fr.rejection is None and fr.findings == []
    record = fr.sheets["population"].records[0]
    assert list(record.values()) == values


def population_file(folder, code: str, month: str, people: int, deaths: int = 0, **more):
    rows = [HEADER, [people, deaths, more.get("moved_in", 0), more.get("moved_out", 0), 0, 10]]
    sheets = {"人口变动": rows}
    if more.get("births"):
        births = [birth_row(i, f"{month}-0{1 + i % 8}") for i in range(more["births"])]
        sheets["出生登记"] = [BIRTH_HEADER, *births]
    return write_workbook(
        folder / f"{code}_{month}.xlsx",
        sheets,
        cover_code=code,
        cover_month=month,
        received=RECEIVED.replace(month=int(month[5:]) % 12 + 1),
    )


def balance_findings(settings) -> list[tuple]:
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        return wh.con.execute(
            "select s.report_month, f.sheet, f.cell, f.severity, r.message_zh "
            "from raw.findings f join restricted.findings r using (submission_id, finding_no) "
            "join raw.submissions s using (submission_id) where f.rule_id = 'population.balance' "
            "order by all"
        ).fetchall()


def test_a_population_that_does_not_add_up_is_a_warning_naming_both_sides(settings):
    folder = settings.raw_dir
    population_file(folder / "2026-02", FUHE, "2026-02", 1000)
    # +2 births − 1 death + 3 in − 0 out = +4, but the population rose by 14
    population_file(folder / "2026-03", FUHE, "2026-03", 1014, deaths=1, moved_in=3, births=2)
    ingest(settings)
    ((month, sheet, cell, severity, message),) = balance_findings(settings)
    assert (month, sheet, cell, severity) == ("2026-03", "人口变动", "A2", "warning")
    assert "1014" in message and "1000" in message and "增加 14 人" in message
    assert "出生 2 − 死亡 1 + 迁入 3 − 迁出 0 = +4 人" in message and "相差 +10 人" in message


@pytest.mark.parametrize("off_by", [0, 3, -3])
def test_a_population_within_the_tolerance_is_not_warned(settings, off_by):
    folder = settings.raw_dir
    population_file(folder / "2026-02", FUHE, "2026-02", 1000)
    population_file(folder / "2026-03", FUHE, "2026-03", 1000 + 2 + off_by, births=2)
    ingest(settings)
    assert balance_findings(settings) == []


def test_the_tolerance_is_a_setting(settings):
    folder = settings.raw_dir
    population_file(folder / "2026-02", FUHE, "2026-02", 1000)
    population_file(folder / "2026-03", FUHE, "2026-03", 1003)
    ingest(settings.with_options(population_tolerance=2))
    assert [row[0] for row in balance_findings(settings)] == ["2026-03"]


def test_without_last_months_population_there_is_nothing_to_compare(settings):
    population_file(settings.raw_dir / "2026-03", FUHE, "2026-03", 5000)
    ingest(settings)
    assert balance_findings(settings) == []


# ---------------------------------------------------------------- the tables, on the sample


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from analyst_sample import sample_warehouse

    return sample_warehouse(tmp_path_factory)  # the session's sample, built once


def test_the_sample_has_one_village_without_the_form_and_one_imbalance(sample):
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        values = indicators.values(wh, "SY2026H1")
        findings = wh.con.execute(
            "select count(*) from raw.findings where rule_id = 'population.balance'"
        ).fetchone()[0]
    population = values[(values["indicator"] == "population") & (values["org_level"] == "village")]
    assert population["value"].isna().sum() == 1
    assert findings == 1


@pytest.mark.parametrize("period", ["SY2026H1", "2026-03", "2026Q1", "2025", "SY2026"])
def test_every_cell_of_the_tables_is_the_warehouses_figure(sample, tmp_path, period):
    cli = [sys.executable, "-c", "from township.cli import main; main()", "tables", period]
    out = tmp_path / "tables.xlsx"
    env = {"TOWNSHIP_WAREHOUSE": str(sample.warehouse), "PATH": "/usr/bin:/bin"}
    done = subprocess.run([*cli, "-o", str(out)], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        values = indicators.values(wh, period)
    figure = {
        (org, code): None if pd.isna(value) else value
        for org, code, value in zip(
            values["org_code"], values["indicator"], values["value"], strict=True
        )
    }
    specs, _, no_data = upward.specs()
    book = openpyxl.load_workbook(out)
    checked = 0
    for spec in specs:
        sheet = book[spec.title]
        numbers = [c.value for c in next(r for r in sheet.iter_rows() if r[0].value == "甲")]
        assert numbers[2:] == list(range(1, len(spec.columns) + 1))
        for row in sheet.iter_rows(values_only=True):
            if not row[1] or not str(row[1]).isdigit():
                continue
            for column, cell in zip(spec.columns, row[2:], strict=False):
                want = figure.get((row[1], column.indicator))
                assert cell == (no_data if want is None else want), (row[0], column.label)
                checked += 1
    assert checked == sum(len(s.columns) for s in specs) * values["org_code"].nunique()
    assert book[specs[0].title].page_setup.orientation == "landscape"
    sheet = book[specs[0].title]
    assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default)
    assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
    assert sheet.print_title_rows == "$4:$6"  # the header on every page


def test_a_village_without_the_form_shows_no_data_and_the_total_says_so(sample):
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        first, _ = upward.build_tables(wh, Period.parse("SY2026H1"))
    no_form = [name for _, name, values in first.rows if values[0] is None]
    assert len(no_form) == 1
    assert any(no_form[0] in note and "合计不含" in note for note in first.notes)
    text = upward._csv_text(first, ("统计负责人：",), "无数据")
    assert "无数据" in text and "0,0,0" not in text.split(no_form[0])[1].splitlines()[0][:20]


def test_a_period_without_data_has_no_tables_to_file(sample):
    with Warehouse.at(sample.warehouse, read_only=True) as wh, pytest.raises(NoData) as raised:
        upward.build_tables(wh, Period.parse("2024-01"))
    assert "no data for period 2024-01" in str(raised.value)  # the CLI's line, exit status 1


def test_the_tables_as_csv_hold_the_same_rows(sample, tmp_path):
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        filled = upward.build_tables(wh, Period.parse("2026-03"))
    paths = upward.write_csv(filled, tmp_path, "tables_2026-03")
    assert [p.name for p in paths] == [
        "tables_2026-03_1_人口与出生情况.csv",
        "tables_2026-03_2_节育情况.csv",
    ]
    lines = paths[0].read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "人口与出生情况" and lines[-1].startswith("统计负责人：")
    assert sum(1 for line in lines if line.split(",")[1:2] and line.split(",")[1].isdigit()) == 23


def test_a_bad_period_or_township_is_refused(settings):
    cli = [sys.executable, "-c", "from township.cli import main; main()", "tables"]
    assert subprocess.run([*cli, "2026-13"], capture_output=True).returncode == 2
    township_settings(settings.raw_dir.parent.parent)
    assert (
        subprocess.run([*cli, "SY2026H1", "--format", "pdf"], capture_output=True).returncode == 2
    )
