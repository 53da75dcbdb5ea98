"""Personal data typed into any field goes to `restricted` only, and what holds it is the office
account's alone: an ID number or a name in a coded column (流动性质, 类别) or on the 封面 never
reaches `township.duckdb` or the analysts' copy; the restricted file, its log and the secrets
folder are created owner-only."""

from __future__ import annotations

import os
import stat
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from builders import (
    BENEFICIARY_HEADER,
    BIRTH_HEADER,
    birth_row,
    make_id,
    no_warehouse_yet,
    office_connection,
    township_settings,
    write_workbook,
)
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from township.ingest import ingest
from township.privacy import mask_id, mask_ids_in
from township.reports.outbox import write_month_reports
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


def _text_columns_holding(path: Path, text: str) -> list[str]:
    """Every column holding text (VARCHAR, or a list or struct of it, read as text) of every
    table and view of a DuckDB file, that holds `text`: the file's bytes may hold it
    compressed, out of a byte search's sight. One query a relation: a view over the indicator
    macros costs more to plan than to read."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        relations = con.execute(
            "select table_schema, table_name, list(column_name order by ordinal_position) "
            "from information_schema.columns "
            "where data_type like '%VARCHAR%' and table_catalog = current_database() group by all"
        ).fetchall()
        holding = []
        for schema, table, columns in relations:
            tests = ", ".join(
                f"coalesce(bool_or({_quoted(c)}::varchar like $1), false)" for c in columns
            )
            hits = con.execute(
                f"select {tests} from {_quoted(schema)}.{_quoted(table)}", [f"%{text}%"]
            ).fetchone()
            holding += [f"{schema}.{table}.{c}" for c, h in zip(columns, hits, strict=True) if h]
        return holding
    finally:
        con.close()


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def test_the_text_scan_reads_lists_structs_and_odd_names(tmp_path):
    schema, table, column = 'odd "schema"', 'a "table"', 'say "x"'
    where = f"{_quoted(schema)}.{_quoted(table)}"
    con = duckdb.connect(str(tmp_path / "t.duckdb"))
    con.execute(f"create schema {_quoted(schema)}")
    con.execute(
        f"create table {where} (plain varchar, {_quoted(column)} varchar, files varchar[], "
        "person struct(name varchar), n integer)"
    )
    con.execute(
        f"insert into {where} values ('-', null, ['王芳.xlsx'], {{'name': '-'}}, 1), "
        "('-', '王芳', [], {'name': '王芳'}, 2)"
    )
    con.execute(f"create view v as select plain from {where}")
    con.close()
    assert sorted(_text_columns_holding(tmp_path / "t.duckdb", "王芳")) == [
        f"{schema}.{table}.{c}" for c in ("files", "person", column)
    ]


def test_an_id_number_in_a_file_or_sheet_name_is_masked_wherever_it_is_stored(tmp_path):
    """A file named after a mother's ID number, its register on a sheet named after her too:
    the names reach the file ledger, the findings and the analysts' copy, masked; the file is
    still known as unchanged on the next run, and its report still copies its sheets."""
    settings = no_warehouse_yet(township_settings(tmp_path))
    named = make_id(datetime(1991, 5, 6), 8)
    path = settings.raw_dir / MONTH / f"{FUHE}_{named}.xlsx"
    sheet = f"出生登记{named}"
    write_workbook(path, {sheet: [BIRTH_HEADER, birth_row(1, "2026-03-02"), ["", "", "男"]]})
    first = ingest(settings)
    again = ingest(settings)
    for stored in (settings.warehouse, analyst_copy_path(settings.warehouse)):
        assert named.encode() not in stored.read_bytes()
    assert _text_columns_holding(analyst_copy_path(settings.warehouse), named) == []
    con = office_connection(settings.warehouse)
    try:
        file_name, file_path = con.execute(
            "select file_name, file_path from raw.submissions"
        ).fetchone()
        sheets = {s for (s,) in con.execute("select distinct sheet from raw.findings").fetchall()}
    finally:
        con.close()
    masked = mask_id(named)
    assert (file_name, file_path) == (f"{FUHE}_{masked}.xlsx", f"{MONTH}/{FUHE}_{masked}.xlsx")
    assert sheets == {f"出生登记{masked}"}  # the incomplete row is said at its cell
    assert first.outcome_counts["loaded"] == 1 and again.files_skipped == 1
    (report,) = write_month_reports(settings, MONTH)
    book = load_workbook(report)
    assert len(book.sheetnames) == 2  # 汇总, and the copy of the register re-read from the file
    assert [c.value for c in book.worksheets[1][1]][: len(BIRTH_HEADER)] == BIRTH_HEADER


WIDE = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@given(
    before=st.text(alphabet="村_-. 0123456789abc", max_size=8),
    after=st.text(alphabet="村_-. 0123456789abc", max_size=8),
    born=st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)),
    seq=st.integers(0, 99),
    glue=st.sampled_from(["_", ""]),
    written=st.sampled_from(["plain", "wide", "dashes", "spaces"]),
)
def test_a_name_keeps_no_id_number_and_nothing_else_is_changed(
    before, after, born, seq, glue, written
):
    named = make_id(born, seq)
    shown = {
        "plain": named,
        "wide": named.translate(WIDE),
        "dashes": f"{named[:6]}-{named[6:14]}-{named[14:]}",
        "spaces": f"{named[:6]} {named[6:14]} {named[14:]}",
    }[written]
    text = f"{before}{glue}{shown}{glue}{after}"
    masked = mask_ids_in(text)
    assert len(masked) == len(text)
    assert all(m in (t, "*") for m, t in zip(masked, text, strict=True))  # masked in place
    unwritten = masked.translate(str.maketrans("０１２３４５６７８９Ｘ", "0123456789X", "- "))
    assert named not in unwritten


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("复合村_{id}202603.xlsx", "复合村_{m}202603.xlsx"),  # glued to a month
        ("3{id}", "3{m}"),
        ("{r}-{d}-{t}.xlsx", "{r}-********-{t}.xlsx"),
        ("{r} {d} {t}", "{r} ******** {t}"),
    ],
)
def test_an_id_glued_to_digits_or_written_in_groups_is_masked_and_the_rest_kept(name, masked):
    named = make_id(datetime(1993, 7, 8), 11)
    parts = {"id": named, "m": mask_id(named), "r": named[:6], "d": named[6:14], "t": named[14:]}
    assert mask_ids_in(name.format(**parts)) == masked.format(**parts)


def test_two_files_whose_names_differ_in_an_ids_digits_alone_are_two_files(tmp_path):
    """Masked, both names read 复合村_420102********0868: the second, sent with the same size and
    time, was taken for the first unchanged and never loaded."""
    settings = no_warehouse_yet(township_settings(tmp_path))
    one, two = make_id(datetime(1991, 5, 6), 8), make_id(datetime(1991, 5, 14), 8)
    assert mask_id(one) == mask_id(two)
    first = settings.raw_dir / MONTH / f"{FUHE}_{one}.csv"
    second = settings.raw_dir / MONTH / f"{FUHE}_{two}.csv"
    first.parent.mkdir(parents=True)

    def births_csv(path: Path, n: int) -> None:
        rows = [BIRTH_HEADER, birth_row(n, "2026-03-02")]
        path.write_text("\n".join(",".join(map(str, r)) for r in rows) + "\n", encoding="utf-8")

    births_csv(first, 1)
    ingest(settings)
    births_csv(second, 2)  # the same size
    os.utime(second, (first.stat().st_atime, first.stat().st_mtime))
    assert ingest(settings).outcome_counts["loaded"] == 1


@pytest.mark.parametrize(
    "where",
    ["{id}/复合村.xlsx", "复合村_{id}/复合村.xlsx", "复合村_{wide}.xlsx", "复合村{id}202603.xlsx"],
    ids=["folder", "folder-with-name", "full-width-digits", "glued-to-a-month"],
)
def test_an_id_in_a_folders_name_or_in_full_width_digits_is_masked_and_the_file_found(
    where, tmp_path
):
    settings = no_warehouse_yet(township_settings(tmp_path))
    named = make_id(datetime(1993, 7, 8), 11)
    wide = named.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    path = settings.raw_dir / MONTH / where.format(id=named, wide=wide)
    write_workbook(path, {"出生登记": [BIRTH_HEADER, birth_row(1, "2026-03-02")]}, cover_code=FUHE)
    ingest(settings)
    for stored in (settings.warehouse, analyst_copy_path(settings.warehouse)):
        data = stored.read_bytes()
        assert named.encode() not in data and wide.encode() not in data
    for text in (named, wide):
        assert _text_columns_holding(analyst_copy_path(settings.warehouse), text) == []
    # the scan finds what is there: the village's name, in the analysts' tables
    assert "marts.submissions.village_name" in _text_columns_holding(
        analyst_copy_path(settings.warehouse), "复合村"
    )
    (report,) = write_month_reports(settings, MONTH)
    assert "出生登记" in load_workbook(report).sheetnames  # the copy, re-read from the file


@pytest.mark.parametrize(
    "name",
    ["420117104201202603", "420117100202603", "13800138000", "4201171042012026031", "2026-03-0001"],
)
def test_a_code_and_a_month_or_a_phone_number_in_a_name_is_no_id(name):
    assert mask_ids_in(f"{name}.xlsx") == f"{name}.xlsx"
