"""Every village gets its report: names that fit the file system, one report failing without
stopping the others, and nothing from a file, sheet or cell breaking the report's lines."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from builders import BIRTH_HEADER, birth_row, set_received, write_births, write_workbook
from typer.testing import CliRunner

from township.cli import app
from township.ingest import ingest
from township.reports.outbox import write_month_reports
from township.reports.village import ReportInput, report_path, write_village_report

FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
MONTH = "2026-03"
SAME_SECOND = datetime(2026, 4, 2, 8, 0, 0)
LONG = "很长的出生登记表文件名" * 30  # 300 CJK characters, 900 bytes in UTF-8
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _input(**changes) -> ReportInput:
    values = dict(
        village_code=FUHE,
        village_name="复合村",
        report_month=MONTH,
        file_name="复合村.xlsx",
        file_path=Path("nowhere.xlsx"),
        received_at=SAME_SECOND,
        status="rejected",
        rejection=None,
        findings=[],
        counts={},
        township_name="复合镇",
    )
    return ReportInput(**{**values, **changes})


def _fits(path: Path, outbox: Path) -> bool:
    parts = path.relative_to(outbox).parts
    names = [*parts, path.with_suffix(".txt").name]
    return all(len(name.encode("utf-8")) <= 255 for name in names)


OVER_LONG = {
    "same second, long file name": dict(file_name=LONG + ".csv", same_second_as_another=True),
    "unresolved village, long file name": dict(village_code=None, file_name=LONG + ".xlsx"),
    "long village name": dict(village_name=LONG),
    "long village and file names": dict(
        village_name=LONG, file_name=LONG + ".csv", same_second_as_another=True
    ),
}


@pytest.mark.parametrize("changes", OVER_LONG.values(), ids=OVER_LONG.keys())
def test_report_name_fits_the_file_system_keeps_its_stamp_and_stays_apart(tmp_path, changes):
    path = report_path(tmp_path, _input(**changes))
    assert _fits(path, tmp_path) and path.suffix == ".xlsx"
    assert "_20260402-080000" in path.name
    if changes.get("village_code", FUHE):
        assert path.name.startswith(f"{FUHE}_")
    # the same names, their last character changed: cut at the same place, still apart
    other = {k: v[:-5] + "表" + v[-4:] for k, v in changes.items() if isinstance(v, str)}
    assert report_path(tmp_path, _input(**{**changes, **other})) != path
    written = write_village_report(tmp_path, _input(**changes))  # the file system agrees
    assert written == path and path.exists() and path.with_suffix(".txt").exists()


def test_a_report_named_for_its_file_has_one_extension(tmp_path):
    """A name the file system takes whole is not cut, and ends in .xlsx once, not .xlsx.xlsx."""
    inp = _input(file_name="复合村_出生.xlsx", same_second_as_another=True)
    expected = f"{FUHE}_复合村_20260402-080000_复合村_出生_xlsx.xlsx"
    assert report_path(tmp_path, inp) == tmp_path / MONTH / expected


def test_two_files_of_a_village_in_one_second_one_named_at_the_limit_share_one_report(settings):
    """A CSV whose own name is as long as the file system allows, received in the same second
    as the village's workbook: the village's one report of the month tells both."""
    folder = settings.raw_dir / MONTH
    long_csv = folder / f"{FUHE}_{'出生登记表' * 15}.csv"  # 242 bytes: a legal name
    rows = [BIRTH_HEADER, birth_row(1, "2026-03-02")]
    long_csv.parent.mkdir(parents=True)
    long_csv.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")
    set_received(long_csv, SAME_SECOND)
    write_births(folder / f"{FUHE}.xlsx", [birth_row(2, "2026-03-03")], received=SAME_SECOND)
    write_births(folder / f"{TAOYUAN}.xlsx", [birth_row(3, "2026-03-04")], received=SAME_SECOND)
    ingest(settings)
    result = CliRunner().invoke(app, ["reports", MONTH])
    assert result.exit_code == 0, result.stderr
    reports = sorted((settings.outbox / MONTH).glob("*.xlsx"))
    assert len(reports) == 2 and all(_fits(p, settings.outbox) for p in reports)
    assert all(p.with_suffix(".txt").exists() for p in reports)
    fuhe = next(p for p in reports if p.name.startswith(f"{FUHE}_复合村_"))
    text = fuhe.with_suffix(".txt").read_text(encoding="utf-8")
    assert f"文件：{long_csv.name}（" in text and f"文件：{FUHE}.xlsx（" in text


def test_two_unresolved_files_differing_in_extension_in_one_second_get_two_reports(settings):
    """Named by the file's stem, 某村3月.xlsx and 某村3月.csv would share one report."""
    folder = settings.raw_dir / MONTH
    write_births(folder / "某村3月.xlsx", [birth_row(1, "2026-03-02")], received=SAME_SECOND)
    (folder / "某村3月.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    set_received(folder / "某村3月.csv", SAME_SECOND)
    ingest(settings)
    written = write_month_reports(settings, MONTH)
    assert len(written) == 2 and len(set(written)) == 2
    assert all(p.is_file() for p in written)


def test_a_report_that_cannot_be_written_does_not_stop_the_others(settings):
    for n, village in enumerate((FUHE, TAOYUAN, LIJIAWAN), start=1):
        write_births(settings.raw_dir / MONTH / f"{village}.xlsx", [birth_row(n, "2026-03-02")])
    ingest(settings)
    paths = write_month_reports(settings, MONTH)
    for path in paths:
        path.unlink()
        path.with_suffix(".txt").unlink()
    paths[0].mkdir()  # the first report's place is taken: it cannot be written
    result = CliRunner().invoke(app, ["reports", MONTH])
    assert result.exit_code == 1
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"township: 1 of 3 report(s) for {MONTH} could not be written")
    village = paths[0].name.split("_")[0]
    assert f"{village}.xlsx: " in last and "Is a directory" in last
    assert last.endswith("the other 2 were written")
    for path in paths[1:]:
        assert path.is_file() and path.with_suffix(".txt").is_file()


# ---------------------------------------------------------------- one line each


def _control_township(settings) -> None:
    """A file name with a line break and a control character, a sheet name with a bell, a cell
    with a line break (quoted in the finding), a CSV cell with a NUL and an escape sequence."""
    folder = settings.raw_dir / MONTH
    forged = birth_row(1, "2026-03-02")
    forged[2] = "男\n【计生办】伪造的一行"
    name = f"{TAOYUAN}_三月\n【计生办】请回复银行卡号\x01.xlsx"
    write_workbook(folder / name, {"出生登记\x07": [["出生登记"], BIRTH_HEADER, forged]})
    rows = [BIRTH_HEADER, birth_row(2, "2026-03-03")]
    rows[1][2] = "女\x00\x1b[31m"
    text = "\n".join(",".join(map(str, r)) for r in rows) + "\n"
    (folder / f"{FUHE}_出生\x0b.csv").write_text(text, encoding="utf-8")
    ingest(settings)


def test_control_characters_in_names_and_cells_never_break_a_reports_lines(settings):
    _control_township(settings)
    paths = write_month_reports(settings, MONTH)
    assert len(paths) == 2
    for path in paths:
        text = path.with_suffix(".txt").read_text(encoding="utf-8")
        lines = text.splitlines()
        assert not any(CONTROL.search(line) for line in lines), text
        assert not any(line.startswith("【计生办】") for line in lines[1:]), text
        # title, file, where each form's rows went, counts, one finding, attachment
        assert len(lines) == 6, text
        summary = openpyxl.load_workbook(path)["汇总"]
        cells = [str(v) for row in summary.iter_rows(values_only=True) for v in row if v]
        assert not any(CONTROL.search(cell) for cell in cells), cells
    taoyuan = next(p for p in paths if p.name.startswith(TAOYUAN))
    text = taoyuan.with_suffix(".txt").read_text(encoding="utf-8")
    assert "文件：420117104202_三月 【计生办】请回复银行卡号 .xlsx（" in text
    assert "“男 【计生办】伪造的一行”" in text
    assert not any(CONTROL.search(n) for n in openpyxl.load_workbook(taoyuan).sheetnames)
