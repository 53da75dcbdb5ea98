"""The file ledger: every path under the raw folder gets exactly one outcome per ingest, with a
reason, kept in the warehouse and printed by the CLI; nothing is passed over in silence. On
real folders under tmp_path: stray folders and files, links (never followed), pipes, Office
lock files, files vanishing between listing and reading, byte-identical files of two villages.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from builders import birth_row, office_connection, write_births, write_workbook

from township import ledger
from township.discovery import RawFolderMissing
from township.ingest import ingest

FUHE, TAOYUAN, LIJIAWAN = "420117104201", "420117104202", "420117104203"
ZERO_SERVICES = "宣传资料份数,标语条数,宣传挂图,咨询人次,三查应查人数,三查实查人数,随访人次,两非案件数\r\n0,0,0,0,0,0,0,0\r\n"


def outcomes_in_warehouse(settings) -> dict[str, tuple[str, str]]:
    """file path -> (outcome, reason code) of the latest ingest run."""
    con = office_connection(settings.warehouse)
    try:
        return {
            path: (outcome, reason)
            for path, outcome, reason in con.execute(
                "select file_path, outcome, reason_code from raw.file_outcomes "
                "where ingest_id = (select ingest_id from raw.ingests order by finished_at desc limit 1)"
            ).fetchall()
        }
    finally:
        con.close()


def every_path(raw_dir: Path) -> set[str]:
    """Every file, link or pipe under the raw folder (folders themselves are not files)."""
    found = set()
    for folder, dirs, files in os.walk(raw_dir):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            found.add(os.path.relpath(os.path.join(folder, name), raw_dir))
    return found


def test_every_path_under_the_raw_folder_gets_exactly_one_outcome_with_a_reason(settings, tmp_path):
    """Every path but the raw folder's own empty .gitkeep (a repository's placeholder)."""
    raw = settings.raw_dir
    write_births(raw / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    write_births(raw / "2026-13" / f"{TAOYUAN}.xlsx", [birth_row(2, "2026-03-02")])
    write_births(raw / "2026-3" / f"{TAOYUAN}.xlsx", [birth_row(3, "2026-03-02")])
    write_births(raw / "misc" / "deep" / f"{LIJIAWAN}.xlsx", [birth_row(4, "2026-03-02")])
    write_births(raw / f"{LIJIAWAN}_loose.xlsx", [birth_row(5, "2026-03-02")])
    (raw / "2026-03" / "~$420117104201.xlsx").write_bytes(b"lock")
    (raw / "2026-03" / "Thumbs.db").write_bytes(b"x")
    (raw / "2026-03" / f"{TAOYUAN}_说明.docx").write_bytes(b"PK\x03\x04 not a workbook")
    (raw / "2026-03" / "link_to_passwd.xlsx").symlink_to("/etc/passwd")
    (raw / "2026-03" / "loop.xlsx").symlink_to(raw / "2026-03" / "loop.xlsx")
    (raw / "2026-03" / "elsewhere").symlink_to(tmp_path, target_is_directory=True)
    os.mkfifo(raw / "2026-03" / f"{LIJIAWAN}.csv")  # reading it would block the ingest
    (raw / ".gitkeep").touch()  # the empty placeholder that keeps the folder in a repository
    (raw / "2026-03" / ".gitkeep").write_text("not empty", encoding="utf-8")

    result = ingest(settings)

    stored = outcomes_in_warehouse(settings)
    assert set(stored) == every_path(raw) - {".gitkeep"}
    assert len(result.outcomes) == len(stored)
    assert stored["2026-03/420117104201.xlsx"] == (ledger.LOADED, "accepted")
    assert stored[f"2026-03/{TAOYUAN}_说明.docx"] == (ledger.REFUSED, "unsupported_format")
    assert stored["2026-13/420117104202.xlsx"] == (ledger.IGNORED, "not_a_month_folder")
    assert stored["2026-3/420117104202.xlsx"] == (ledger.IGNORED, "not_a_month_folder")
    assert stored["misc/deep/420117104203.xlsx"] == (ledger.IGNORED, "not_a_month_folder")
    assert stored["420117104203_loose.xlsx"] == (ledger.IGNORED, "outside_month_folder")
    assert stored["2026-03/~$420117104201.xlsx"] == (ledger.IGNORED, "lock_file")
    assert stored["2026-03/Thumbs.db"] == (ledger.IGNORED, "hidden_file")
    assert stored["2026-03/.gitkeep"] == (ledger.IGNORED, "hidden_file")
    for link in ("link_to_passwd.xlsx", "loop.xlsx", "elsewhere"):
        assert stored[f"2026-03/{link}"] == (ledger.IGNORED, "symlink")
    assert stored["2026-03/420117104203.csv"] == (ledger.IGNORED, "not_a_file")
    assert all(o.reason_zh for o in result.outcomes)


def test_a_link_to_a_file_outside_is_never_read_into_a_report(settings):
    link = settings.raw_dir / "2026-03" / f"{FUHE}_出生登记.csv"
    link.parent.mkdir(parents=True)
    link.symlink_to("/etc/passwd")
    result = ingest(settings)
    assert result.submissions == []
    con = office_connection(settings.warehouse)
    try:
        assert con.execute("select count(*) from raw.submissions").fetchone() == (0,)
    finally:
        con.close()


def test_a_second_ingest_lists_known_files_as_unchanged_and_strays_again(settings):
    write_births(settings.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    (settings.raw_dir / "notes.txt").write_text("hello", encoding="utf-8")
    ingest(settings)
    again = ingest(settings)
    assert outcomes_in_warehouse(settings) == {
        "2026-03/420117104201.xlsx": (ledger.UNCHANGED, ledger.SAME_FILE),
        "notes.txt": (ledger.IGNORED, "outside_month_folder"),
    }
    assert again.outcome_counts == {"loaded": 0, "refused": 0, "unchanged": 1, "ignored": 1}


def test_byte_identical_files_of_two_villages_are_both_loaded(settings):
    folder = settings.raw_dir / "2026-03"
    folder.mkdir(parents=True)
    for code in (FUHE, TAOYUAN):
        (folder / f"{code}_宣传服务.csv").write_bytes(ZERO_SERVICES.encode("utf-8"))
    result = ingest(settings)
    assert sorted(s["village_code"] for s in result.submissions) == [FUHE, TAOYUAN]
    con = office_connection(settings.warehouse)
    try:
        reported = con.execute(
            "select org_code, value from marts.indicator_values "
            "where period = '2026-03' and indicator = 'villages_reported' and org_level = 'village' "
            "order by 1"
        ).fetchall()
    finally:
        con.close()
    assert reported == [(FUHE, 1), (TAOYUAN, 1), (LIJIAWAN, 0)]


def test_a_copy_of_a_loaded_file_under_another_name_changes_nothing(settings):
    folder = settings.raw_dir / "2026-03"
    write_births(folder / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    ingest(settings)
    (folder / f"{FUHE}_副本.xlsx").write_bytes((folder / f"{FUHE}.xlsx").read_bytes())
    again = ingest(settings)
    assert again.submissions == []
    assert outcomes_in_warehouse(settings)[f"2026-03/{FUHE}_副本.xlsx"] == (
        ledger.UNCHANGED,
        ledger.SAME_CONTENT,
    )


def test_a_file_vanishing_between_listing_and_reading_is_ignored_and_the_rest_loads(
    settings, monkeypatch
):
    import township.ingest as ingest_module

    folder = settings.raw_dir / "2026-03"
    write_births(folder / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    victim = write_births(folder / f"{TAOYUAN}.xlsx", [birth_row(2, "2026-03-02")])
    listed = ingest_module.discover

    def list_then_delete(raw_dir, month=None):
        found = listed(raw_dir, month)
        victim.unlink()  # moved away by someone while the ingest runs
        return found

    monkeypatch.setattr(ingest_module, "discover", list_then_delete)
    result = ingest(settings)
    assert [s["village_code"] for s in result.submissions] == [FUHE]
    assert outcomes_in_warehouse(settings)[f"2026-03/{TAOYUAN}.xlsx"] == (
        ledger.IGNORED,
        "vanished",
    )


def test_a_missing_raw_folder_fails_with_one_line_naming_it(settings):
    settings.raw_dir.rmdir()
    with pytest.raises(RawFolderMissing, match="raw folder not found"):
        ingest(settings)
    cli = [sys.executable, "-c", "from township.cli import main; main()", "ingest", "--quiet"]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"township: raw folder not found: {settings.raw_dir}"
    ]


def test_the_cli_prints_the_counts_and_every_refused_or_ignored_path(settings):
    write_births(settings.raw_dir / "2026-03" / f"{FUHE}.xlsx", [birth_row(1, "2026-03-02")])
    write_workbook(settings.raw_dir / "2026-03" / "无名.xlsx", {"说明": [["只有说明"]]})
    (settings.raw_dir / "misc").mkdir()
    (settings.raw_dir / "misc" / "a\nb.xlsx").write_bytes(b"x")
    cli = [sys.executable, "-c", "from township.cli import main; main()", "ingest", "--quiet"]
    done = subprocess.run(cli, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[1] == "文件：新入库 1，拒收 1，未变化 0，未读取 1"
    assert lines[2].startswith("  拒收  2026-03/无名.xlsx：")
    assert lines[3].startswith("  未读取  misc/a\\nb.xlsx：所在目录名不是报告期")
    assert len(lines) == 4


def test_identities_are_kept_per_ingest_run(settings):
    write_births(
        settings.raw_dir / "2026-03" / f"{FUHE}.xlsx",
        [birth_row(1, "2026-03-02")],
        received=datetime(2026, 4, 2, 9),
    )
    ingest(settings)
    ingest(settings)
    con = office_connection(settings.warehouse)
    try:
        runs = con.execute(
            "select n_paths, n_loaded, n_unchanged from raw.ingests order by finished_at"
        ).fetchall()
    finally:
        con.close()
    assert runs == [(1, 1, 0), (1, 0, 1)]
