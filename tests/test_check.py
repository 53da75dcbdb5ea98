"""`township check`: a dry run of the ingest. It finds what the real ingest then finds (other
villages' rows, the village's earlier files), writes the same village report, and leaves the
warehouse byte for byte as it was."""

from __future__ import annotations

import hashlib
import shutil
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
from builders import (
    birth_row,
    make_id,
    set_received,
    township_copy,
    township_settings,
    write_births,
    write_workbook,
)
from test_cli_exit_status import env_for, run_in_process
from typer.testing import CliRunner

from township.check import check_files
from township.cli import app
from township.config import Settings
from township.ingest import ingest
from township.reports.outbox import report_inputs
from township.store import Warehouse

MONTH = "2026-03"
FUHE, TAOYUAN = "420117104201", "420117104202"
SHARED_ID = make_id(date(1991, 5, 6), 11)
SHARED = ["赵共同", SHARED_ID, "男", "2026-03-05", 1, "是"]


@pytest.fixture(scope="module")
def ingested(tmp_path_factory) -> Settings:
    """复合村's March file, ingested: one mother 桃园村 will report too."""
    s = township_settings(tmp_path_factory.mktemp("township"))
    first = s.raw_dir / MONTH / f"{FUHE}_3月.xlsx"
    first.parent.mkdir(parents=True)
    write_births(first, [[*SHARED, ""], birth_row(1, "2026-03-08")], cover_month=MONTH)
    set_received(first, datetime(2026, 4, 3, 10, 0))
    ingest(s)
    return s


@pytest.fixture
def township(ingested, tmp_path: Path) -> Settings:
    """A copy of it of this test's own."""
    return township_copy(ingested, tmp_path)


def taoyuan_file(folder: Path, received: datetime = datetime(2026, 4, 6, 9, 30)) -> Path:
    """桃园村's file: the shared mother as 流入 (another village counts her), a bad ID."""
    bad = birth_row(2, "2026-03-09")
    bad[1] = bad[1][:-1] + ("1" if bad[1][-1] != "1" else "2")
    folder.mkdir(parents=True, exist_ok=True)
    path = write_births(
        folder / f"{TAOYUAN}_三月.xlsx",
        [[*SHARED, "流入"], bad, birth_row(3, "2026-03-10")],
        cover_month=MONTH,
    )
    set_received(path, received)
    return path


def warehouse_hashes(s) -> dict[str, str]:
    folder = s.warehouse.parent
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def found(findings) -> list[tuple]:
    return sorted((f.rule_id, f.severity, f.sheet, f.cell, f.message_zh) for f in findings)


def test_check_leaves_the_warehouse_byte_for_byte_unchanged(township, tmp_path):
    before = warehouse_hashes(township)
    [result] = check_files([taoyuan_file(tmp_path / "inbox")], township, out_dir=tmp_path / "out")
    assert warehouse_hashes(township) == before
    assert result.status == "has_errors" and result.errors and result.warnings
    with Warehouse.open(township, read_only=True) as wh:
        assert wh.rows("known_files") and len(wh.rows("known_submissions")) == 1


def test_check_finds_what_the_real_ingest_then_finds(township, tmp_path):
    path = taoyuan_file(tmp_path / "inbox")
    [checked] = check_files([path], township, MONTH, tmp_path / "out")
    rules = {f.rule_id for f in checked.findings}
    assert {"births.reported_by_other_village", "id.check_char"} <= rules
    assert checked.village_code == TAOYUAN and checked.on_time is False

    sent = township.raw_dir / MONTH / path.name
    shutil.copy2(path, sent)
    ingest(township)
    with Warehouse.open(township, read_only=True) as wh:
        [real] = [i for i in report_inputs(wh, MONTH, township.raw_dir) if i.file_path == sent]
    assert found(checked.findings) == found(real.findings)
    assert (checked.status, checked.ledger) == (real.status, real.ledger)


def test_check_writes_the_village_report_beside_nothing_else(township, tmp_path):
    [result] = check_files([taoyuan_file(tmp_path / "inbox")], township, out_dir=tmp_path / "out")
    assert result.report.parent == tmp_path / "out" / MONTH
    assert result.report.name.startswith(f"{TAOYUAN}_桃园村_20260406-093000")
    book = openpyxl.load_workbook(result.report)
    assert "出生登记" in book.sheetnames
    assert not (township.outbox / MONTH).exists()  # the outbox of the monthly run untouched


def test_checks_report_says_nothing_was_loaded(township, tmp_path):
    [result] = check_files([taoyuan_file(tmp_path / "inbox")], township, out_dir=tmp_path / "out")
    summary = openpyxl.load_workbook(result.report)["汇总"]
    texts = [str(c.value) for row in summary.iter_rows() for c in row if c.value]
    assert any("本次预检未入库" in t for t in texts)
    assert not any("已入库" in t or "已全部入库" in t for t in texts)


def test_check_names_the_forms_a_corrected_file_would_supersede(township, tmp_path):
    corrected = write_births(
        tmp_path / "inbox" / f"{FUHE}_3月_改.xlsx",
        [[*SHARED, ""], birth_row(1, "2026-03-08"), birth_row(4, "2026-03-11")],
        cover_month=MONTH,
    )
    set_received(corrected, datetime(2026, 4, 4, 8, 0))
    [result] = check_files([corrected], township, out_dir=tmp_path / "out")
    assert result.status == "accepted" and result.on_time
    assert [(s.file_name, s.sheet, s.rows) for s in result.supersedes] == [
        (f"{FUHE}_3月.xlsx", "出生登记", 2)
    ]


def test_files_checked_together_each_name_only_what_they_supersede(township, tmp_path):
    """A corrected register and a file of 节育措施 alone, checked together: both were said to
    supersede the register's rows, the second only because it was checked beside the first."""
    corrected = write_births(
        tmp_path / "inbox" / f"{FUHE}_3月_改.xlsx",
        [[*SHARED, ""], birth_row(1, "2026-03-08"), birth_row(4, "2026-03-11")],
        cover_month=MONTH,
    )
    set_received(corrected, datetime(2026, 4, 4, 8, 0))
    methods = write_workbook(
        tmp_path / "inbox" / f"{FUHE}_节育措施.xlsx",
        {"节育措施": [["已婚育龄妇女数", "上环", "未避孕"], [300, 100, 200]]},
        cover_code=FUHE,
        cover_month=MONTH,
    )
    set_received(methods, datetime(2026, 4, 4, 9, 0))
    births, alone = check_files([corrected, methods], township, out_dir=tmp_path / "out")
    assert [(s.sheet, s.rows) for s in births.supersedes] == [("出生登记", 2)]
    assert alone.supersedes == []


def test_check_of_a_file_already_received_reports_it_unchanged(township, tmp_path):
    [result] = check_files([township.raw_dir / MONTH / f"{FUHE}_3月.xlsx"], township)
    assert result.outcome == "unchanged" and result.status == "accepted"


def test_check_exits_4_on_errors_0_when_clean_2_without_a_month(township, tmp_path):
    env = env_for(township)
    code, _ = run_in_process(["check", str(taoyuan_file(tmp_path / "inbox"))], env)
    assert code == 4
    clean = write_births(tmp_path / "clean" / f"{TAOYUAN}.xlsx", [birth_row(5, "2026-03-12")])
    code, err = run_in_process(["check", str(clean)], env)  # no month folder, no 封面
    assert code == 2 and "--month" in err
    code, _ = run_in_process(["check", str(clean), "--month", MONTH, "--out", str(tmp_path)], env)
    assert code == 0
    code, err = run_in_process(["check", str(tmp_path / "missing.xlsx")], env)
    assert code == 2 and "no such file" in err
    code, err = run_in_process(["check", str(tmp_path / "clean")], env)
    assert code == 2 and "a folder, not a file" in err


def test_a_refused_files_check_says_it_was_not_checked_row_by_row(township, tmp_path):
    nameless = write_births(tmp_path / "inbox" / "myfile.xlsx", [birth_row(6, "2026-03-14")])
    result = CliRunner().invoke(
        app, ["check", str(nameless), "--month", MONTH], env=env_for(township)
    )
    assert result.exit_code == 4
    assert "已拒收（未逐行校验）" in result.stdout
    assert "错误 0 处" not in result.stdout


def test_two_files_of_a_village_received_in_one_second_get_a_report_each(township, tmp_path):
    first = taoyuan_file(tmp_path / "inbox")
    second = first.with_name(f"{TAOYUAN}_三月_改.xlsx")
    write_births(second, [birth_row(4, "2026-03-11")], cover_month=MONTH)
    set_received(second, datetime(2026, 4, 6, 9, 30))  # the same second as the first
    results = check_files([first, second], township, out_dir=tmp_path / "out")
    reports = [r.report for r in results]
    assert len(set(reports)) == 2 and all(p.exists() for p in reports)
    sheets = [openpyxl.load_workbook(p).worksheets[0] for p in reports]
    texts = [
        "\n".join(str(c.value) for row in ws.iter_rows() for c in row if c.value) for ws in sheets
    ]
    assert first.name in texts[0] and second.name in texts[1]
