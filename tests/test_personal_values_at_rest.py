"""Personal data typed into any field goes to `restricted` only, and what holds it is the office
account's alone: an ID number or a name in a coded column (流动性质, 类别) or on the 封面 never
reaches `township.duckdb` or the analysts' copy; the restricted file, its log and the secrets
folder are created owner-only."""

from __future__ import annotations

import stat
from datetime import datetime

import pytest
from builders import (
    BENEFICIARY_HEADER,
    BIRTH_HEADER,
    make_id,
    no_warehouse_yet,
    office_connection,
    township_settings,
    write_workbook,
)

from township.ingest import ingest
from township.store import analyst_copy_path, restricted_path

FUHE = "420117104201"
MONTH = "2026-03"
STRAY_ID = make_id(datetime(1988, 8, 8), 7)  # someone's ID number, typed in the wrong column
STRAY_NAME = "欧阳娜娜"
COVER_NAME = "诸葛明亮"


@pytest.fixture(scope="module")
def township(tmp_path_factory):
    # the first ingest creates the warehouse: the files' modes are its own
    settings = no_warehouse_yet(township_settings(tmp_path_factory.mktemp("township")))
    folder = settings.raw_dir / MONTH
    mother = make_id(datetime(1992, 3, 3), 3)
    elder = make_id(datetime(1950, 1, 1), 5, "110105")
    write_workbook(
        folder / f"{FUHE}.xlsx",
        {
            "出生登记": [
                BIRTH_HEADER,
                ["王芳", mother, "男", "2026-03-02", 1, "是", STRAY_ID],
                ["李娜", make_id(datetime(1993, 4, 4), 4), "女", "2026-03-03", 1, "是", STRAY_NAME],
            ],
            "奖励扶助": [BENEFICIARY_HEADER, ["张秀英", elder, STRAY_NAME, "2026-03-10"]],
        },
        cover_code=FUHE,
        cover_month=MONTH,
    )
    # the unknown village's 封面 names a person instead of a village
    cover = [["项目", "内容"], ["村名", COVER_NAME], ["报告期", MONTH]]
    write_workbook(folder / "外来文件.xlsx", {"封面": cover, "出生登记": [BIRTH_HEADER]})
    ingest(settings)
    return settings


def test_values_outside_their_vocabulary_are_errors_kept_only_in_restricted(township):
    con = office_connection(township.warehouse)
    try:
        residences = con.execute("select residence from raw.births order by excel_row").fetchall()
        categories = con.execute("select category from raw.beneficiaries").fetchall()
        kept = {v for (v,) in con.execute("select value from restricted.findings").fetchall()}
        rules = {r for (r,) in con.execute("select rule_id from raw.findings").fetchall()}
    finally:
        con.close()
    assert residences == [(None,), (None,)] and categories == [(None,)]
    assert {"residence.vocab", "category.vocab"} <= rules
    assert {STRAY_ID, STRAY_NAME} <= kept


@pytest.mark.parametrize("which", ["warehouse", "analysts' copy"])
def test_no_byte_of_a_stray_personal_value_is_in_the_file(township, which):
    path = township.warehouse if which == "warehouse" else analyst_copy_path(township.warehouse)
    data = path.read_bytes()
    for secret in (STRAY_ID, STRAY_NAME, COVER_NAME):
        assert secret.encode() not in data, secret
    assert STRAY_ID.encode() in restricted_path(township.warehouse).read_bytes()


def test_a_refusal_quoting_the_cover_is_word_for_word_in_restricted_only(township):
    con = office_connection(township.warehouse)
    try:
        public, private = con.execute(
            "select s.reason_zh, r.reason_zh from raw.submissions s "
            "join restricted.submissions r using (submission_id) where s.reason_code = 'unknown_village'"
        ).fetchone()
    finally:
        con.close()
    assert COVER_NAME in private and COVER_NAME not in public


def test_restricted_file_and_secrets_are_the_owners_alone(township):
    def mode(path):
        return stat.S_IMODE(path.stat().st_mode)

    assert mode(restricted_path(township.warehouse)) == 0o600
    assert mode(township.key_file.parent) == 0o700
    assert mode(township.key_file) == 0o600
    assert mode(analyst_copy_path(township.warehouse)) == 0o444
    # the folder stays open to the analysts' accounts: their copy lies in it
    assert mode(township.warehouse.parent) & 0o055 == 0o055


def test_the_restricted_files_log_is_the_owners_alone_while_the_ingest_runs(settings, monkeypatch):
    """DuckDB writes a commit to the file's log first; the log lives until the file closes."""
    from township.store import Warehouse

    write_workbook(
        settings.raw_dir / MONTH / f"{FUHE}.xlsx",
        {
            "出生登记": [
                BIRTH_HEADER,
                ["王芳", make_id(datetime(1992, 3, 3), 3), "男", "2026-03-02", 1],
            ]
        },
    )
    wal = restricted_path(settings.warehouse).with_name("township_restricted.duckdb.wal")
    seen = []
    close = Warehouse.close

    def close_after_looking(self):
        seen.append(stat.S_IMODE(wal.stat().st_mode) if wal.exists() else None)
        close(self)

    monkeypatch.setattr(Warehouse, "close", close_after_looking)
    ingest(settings)
    assert seen == [0o600]
