"""contract §3 and §6: supersedence, deduplication, lineage, as_of — each case on real files."""

from __future__ import annotations

import os
from datetime import datetime

import duckdb
import pytest
from builders import (
    BIRTH_HEADER,
    CONTRACEPTION_HEADER,
    MIGRANTS_HEADER,
    SERVICES_HEADER,
    birth_row,
    mother,
    office_connection,
    write_births,
    write_workbook,
)

from township.ingest import ingest
from township.store import Warehouse, indicators

FUHE, TAOYUAN = "420117104201", "420117104202"
TOWN = "420117104"


def raw(settings, month: str, name: str):
    return settings.raw_dir / month / name


def values(settings, period: str, org: str = TOWN, as_of: datetime | None = None) -> dict:
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        frame = indicators.values(wh, period, as_of)
    frame = frame[frame["org_code"] == org]
    return dict(zip(frame["indicator"], frame["value"], strict=True))


def query(settings, sql: str, params=None) -> list[tuple]:
    con = office_connection(settings.warehouse)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def test_cumulative_register_counts_each_birth_once(settings):
    jan = [birth_row(1, "2026-01-10"), birth_row(2, "2026-01-20", sex="女")]
    write_births(raw(settings, "2026-01", f"{FUHE}_1月.xlsx"), jan, received=datetime(2026, 2, 2))
    write_births(
        raw(settings, "2026-02", f"{FUHE}_2月.xlsx"),
        [*jan, birth_row(3, "2026-02-03")],
        received=datetime(2026, 3, 2),
    )
    ingest(settings)
    assert values(settings, "SY2026H1")["births_total"] == 3
    assert values(settings, "2026-01")["births_total"] == 2
    assert values(settings, "SY2026H1")["duplicates_removed"] == 2


def test_birth_reported_by_two_villages_counts_once_for_the_home_village(settings):
    write_births(
        raw(settings, "2026-03", f"{TAOYUAN}_3月.xlsx"),
        [birth_row(7, "2026-03-05", residence="流入")],
        received=datetime(2026, 4, 1),
    )
    write_births(
        raw(settings, "2026-03", f"{FUHE}_3月.xlsx"),
        [birth_row(7, "2026-03-05")],
        received=datetime(2026, 4, 3),
    )
    ingest(settings)
    assert values(settings, "2026-03")["births_total"] == 1
    assert values(settings, "2026-03", FUHE)["births_total"] == 1
    assert values(settings, "2026-03", TAOYUAN)["births_total"] == 0
    lineage = query(
        settings,
        "select s.file_name, b.sheet, b.excel_row from staging.births(null) b "
        "join raw.submissions s using (submission_id)",
    )
    assert lineage == [(f"{FUHE}_3月.xlsx", "出生登记", 3)]
    warned = query(
        settings,
        "select s.file_name, r.message_zh from raw.findings f join restricted.findings r "
        "using (submission_id, finding_no) join raw.submissions s using (submission_id) "
        "where f.rule_id = 'births.reported_by_other_village'",
    )
    assert len(warned) == 1 and warned[0][0] == f"{TAOYUAN}_3月.xlsx" and "复合村" in warned[0][1]


def test_twins_stay_two_births(settings):
    name, mid = mother(4)
    twins = [
        [name, mid, "男", "2026-03-08", 1, "是", ""],
        [name, mid, "女", "2026-03-08", 2, "是", ""],
    ]
    write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), twins)
    ingest(settings)
    got = values(settings, "2026-03")
    assert (got["births_total"], got["births_parity_1"], got["births_parity_2"]) == (2, 1, 1)


def test_exact_duplicate_row_counts_once_with_a_warning(settings):
    row = birth_row(5, "2026-03-09")
    write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), [row, row])
    ingest(settings)
    assert values(settings, "2026-03")["births_total"] == 1
    rules = query(settings, "select rule_id, cell from raw.findings")
    assert ("births.duplicate_in_file", "B4") in rules


def test_resubmission_with_later_mtime_corrects_sex_and_adds_a_birth(settings):
    first = [birth_row(1, "2026-03-01", sex="男")]
    write_births(raw(settings, "2026-03", f"{FUHE}_3月.xlsx"), first, received=datetime(2026, 4, 2))
    ingest(settings)
    assert values(settings, "2026-03")["births_male"] == 1
    fixed = [birth_row(1, "2026-03-01", sex="女"), birth_row(2, "2026-03-15")]
    write_births(
        raw(settings, "2026-03", f"{FUHE}_3月_更正.xlsx"), fixed, received=datetime(2026, 4, 4)
    )
    ingest(settings)
    got = values(settings, "2026-03")
    assert (got["births_total"], got["births_male"], got["births_female"]) == (2, 1, 1)
    assert query(settings, "select count(*) from raw.births")[0][0] == 3  # history kept
    before = values(settings, "2026-03", as_of=datetime(2026, 4, 3))
    assert (before["births_total"], before["births_male"]) == (1, 1)


POPULATION_HEADER = [
    "期末户籍人口",
    "本月死亡",
    "迁入",
    "迁出",
    "结婚登记",
    "期末领取独生子女证人数",
]


def monthly_workbook(births: list[list], stock: bool = True, population: bool = False) -> dict:
    """A village's workbook as the template lays it out: every sheet, some left empty."""
    return {
        "出生登记": [BIRTH_HEADER, *births],
        "节育措施": [
            CONTRACEPTION_HEADER,
            *([[100, 40, 10, 10, 0, 10, 10, 0, 20]] if stock else []),
        ],
        "流动人口": [MIGRANTS_HEADER, *([[50, 20, 15, 18, 10, 4]] if stock else [])],
        "宣传服务": [SERVICES_HEADER, *([[200, 5, 3, 30, 40, 38, 12, 0]] if stock else [])],
        "人口变动": [POPULATION_HEADER, *([[3200, 2, 5, 3, 4, 800]] if population else [])],
    }


def send(settings, name: str, sheets: dict, day: int) -> None:
    path = raw(settings, "2026-03", f"{FUHE}_{name}.xlsx")
    write_workbook(path, sheets, cover_code=FUHE, received=datetime(2026, 4, day))


def test_a_supplement_on_the_blank_template_replaces_only_the_form_it_fills(settings):
    """The forgotten 人口变动 sent later on the blank template, its other sheets left empty: the
    births and stock figures sent first stay, and the 人口变动 counts."""
    send(settings, "3月", monthly_workbook([birth_row(1, "2026-03-02")]), day=2)
    send(settings, "补报", monthly_workbook([], stock=False, population=True), day=4)
    ingest(settings)
    figures = values(settings, "2026-03", FUHE)
    assert (figures["births_total"], figures["married_women"], figures["deaths"]) == (1, 100, 2)
    assert figures["leaflets"] == 200
    # its empty 节育措施, 流动人口 and 宣传服务 were sent filled before: nothing to tell
    found = "select s.status, count(f.rule_id) from raw.submissions as s left join raw.findings"
    found += " as f using (submission_id) where s.file_name like '%补报%' group by s.status"
    assert query(settings, found) == [("accepted", 0)]


def test_a_supplement_filling_one_required_form_keeps_the_births_sent_before(settings):
    """The forgotten 宣传服务 sent on the blank template: one required one-record form filled is
    a supplement, not the month's workbook, so its empty 出生登记 replaces nothing (the births
    sent first were counted as none)."""
    first = monthly_workbook([birth_row(1, "2026-03-02")])
    first["宣传服务"] = [SERVICES_HEADER]
    send(settings, "3月", first, day=2)
    supplement = monthly_workbook([], stock=False)
    supplement["宣传服务"] = [SERVICES_HEADER, [200, 5, 3, 30, 40, 38, 12, 0]]
    send(settings, "补报", supplement, day=4)
    ingest(settings)
    figures = values(settings, "2026-03", FUHE)
    assert (figures["births_total"], figures["married_women"], figures["leaflets"]) == (1, 100, 200)


def test_a_whole_workbook_resent_with_its_births_sheet_emptied_has_no_births(settings):
    """A correction: the month's workbook sent again, the one birth taken out (it was another
    month's): its empty births sheet says none this month."""
    send(settings, "3月", monthly_workbook([birth_row(1, "2026-03-02")]), day=2)
    send(settings, "3月更正", monthly_workbook([]), day=4)
    ingest(settings)
    figures = values(settings, "2026-03", FUHE)
    assert (figures["births_total"], figures["married_women"]) == (0, 100)


def test_a_births_csv_sent_again_with_its_header_alone_has_no_births(settings):
    """A file of one form made for the correction: its empty sheet says none this month."""
    for name, rows, day in (("出生登记", [birth_row(1, "2026-03-02")], 2), ("出生登记更正", [], 4)):
        path = raw(settings, "2026-03", f"{FUHE}_{name}.csv")
        path.parent.mkdir(parents=True, exist_ok=True)
        lines = [",".join(BIRTH_HEADER), *(",".join(map(str, r)) for r in rows)]
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        received = datetime(2026, 4, day).timestamp()
        os.utime(path, (received, received))
    ingest(settings)
    assert values(settings, "2026-03", FUHE)["births_total"] == 0


def test_an_empty_one_record_sheet_in_a_later_file_keeps_the_figures_sent_before(settings):
    send(settings, "3月", monthly_workbook([birth_row(1, "2026-03-02")]), day=2)
    resent = monthly_workbook([birth_row(1, "2026-03-02"), birth_row(2, "2026-03-03")])
    resent["节育措施"] = [CONTRACEPTION_HEADER]  # left empty this time
    send(settings, "3月更正", resent, day=4)
    ingest(settings)
    figures = values(settings, "2026-03", FUHE)
    assert (figures["births_total"], figures["married_women"]) == (2, 100)
    (status,) = query(settings, "select status from raw.submissions where file_name like '%更正%'")
    assert status == ("has_errors",)  # the empty 节育措施 is still said to the village


def test_prior_statistical_year_birth_reported_late_counts_in_its_own_period(settings):
    write_births(
        raw(settings, "2025-10", f"{FUHE}.xlsx"),
        [birth_row(1, "2025-09-20"), birth_row(2, "2025-10-02")],
    )
    ingest(settings)
    assert values(settings, "SY2026H1")["births_total"] == 1
    assert values(settings, "SY2025")["births_total"] == 1
    assert values(settings, "SY2025")["births_late_reported"] == 1
    assert ("birth_date.prior_year",) in query(settings, "select rule_id from raw.findings")


def test_invalid_row_fixed_by_resubmission_is_counted(settings):
    bad = birth_row(3, "2026-03-03")
    bad[1] = bad[1][:-1] + ("0" if bad[1][-1] != "0" else "1")
    write_births(
        raw(settings, "2026-03", f"{FUHE}_v1.xlsx"),
        [bad, birth_row(4, "2026-03-04")],
        received=datetime(2026, 4, 1),
    )
    ingest(settings)
    assert values(settings, "2026-03")["births_total"] == 1
    assert values(settings, "2026-03")["rows_quarantined"] == 1
    write_births(
        raw(settings, "2026-03", f"{FUHE}_v2.xlsx"),
        [birth_row(3, "2026-03-03"), birth_row(4, "2026-03-04")],
        received=datetime(2026, 4, 2),
    )
    ingest(settings)
    assert values(settings, "2026-03")["births_total"] == 2
    assert values(settings, "2026-03")["rows_quarantined"] == 0
    assert (
        query(settings, "select count(*) from raw.births where has_error")[0][0] == 1
    )  # still queryable


def test_invalid_row_never_fixed_stays_quarantined(settings):
    row = birth_row(3, "2026-03-03", sex="未知")
    write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), [row, birth_row(4, "2026-03-04")])
    ingest(settings)
    got = values(settings, "2026-03")
    assert (got["births_total"], got["rows_quarantined"]) == (1, 1)
    assert query(settings, "select rule_id, cell, severity from raw.findings") == [
        ("sex.vocab", "C3", "error")
    ]


def test_file_for_unknown_village_is_rejected_and_the_rest_loads(settings):
    write_births(raw(settings, "2026-03", "420117105201_外镇村.xlsx"), [birth_row(1, "2026-03-01")])
    write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), [birth_row(2, "2026-03-02")])
    result = ingest(settings)
    assert result.by_status == {"rejected": 1, "accepted": 1}
    assert values(settings, "2026-03")["births_total"] == 1
    reason = query(
        settings, "select reason_code, reason_zh from raw.submissions where status = 'rejected'"
    )
    assert reason[0][0] == "unknown_village" and "村名单" in reason[0][1]


def test_cover_month_disagreeing_with_folder_is_rejected(settings):
    write_births(
        raw(settings, "2026-03", "report.xlsx"),
        [birth_row(1, "2026-03-01")],
        cover_code=FUHE,
        cover_month="2026-02",
    )
    ingest(settings)
    assert query(settings, "select status, reason_code from raw.submissions") == [
        ("rejected", "month_mismatch")
    ]


def test_reingesting_unchanged_files_changes_nothing(settings):
    write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), [birth_row(1, "2026-03-01")])
    ingest(settings)
    before = query(settings, "select * from marts.indicator_values order by all")
    again = ingest(settings)
    assert (len(again.submissions), again.files_skipped) == (0, 1)
    copy = raw(settings, "2026-03", "copy_of_same_bytes.xlsx")
    copy.write_bytes(raw(settings, "2026-03", f"{FUHE}.xlsx").read_bytes())
    copied = ingest(settings)  # hashed, found known: no load at all
    assert (copied.submissions, copied.files_skipped, copied.indicator_rows) == ([], 2, 0)
    assert query(settings, "select * from marts.indicator_values order by all") == before
    assert query(settings, "select count(*) from raw.submissions")[0][0] == 1
    assert query(settings, "select count(*) from raw.loads")[0][0] == 1


def test_no_name_or_full_id_outside_restricted(settings):
    rows = [birth_row(n, "2026-03-01") for n in range(1, 4)]
    write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), rows)
    ingest(settings)
    secrets = {r[0] for r in rows} | {r[1] for r in rows}
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    tables = con.execute(
        "select schema_name, table_name from duckdb_tables() where schema_name <> 'restricted'"
    ).fetchall()
    for schema, table in tables:
        for row in con.execute(f'select * from "{schema}"."{table}"').fetchall():
            text = " ".join(str(v) for v in row)
            assert not any(s in text for s in secrets), f"{schema}.{table} leaks personal data"
    con.close()
    assert query(
        settings, "select count(*) from restricted.births where mother_name = '母亲1'"
    ) == [(1,)]


def test_every_counted_birth_traces_to_its_file_sheet_and_row(settings):
    write_births(
        raw(settings, "2026-03", f"{FUHE}.xlsx"),
        [birth_row(1, "2026-03-01"), birth_row(2, "2026-03-02", sex="女")],
    )
    write_births(raw(settings, "2026-03", f"{TAOYUAN}.xlsx"), [birth_row(3, "2026-03-03")])
    ingest(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        rows = indicators.lineage(wh, "2026-03", TOWN, "births_male")
        fuhe = indicators.lineage(wh, "SY2026H1", FUHE, "births_total")
    assert sorted(zip(rows["file_name"], rows["sheet"], rows["excel_row"], strict=True)) == [
        (f"{FUHE}.xlsx", "出生登记", 3),
        (f"{TAOYUAN}.xlsx", "出生登记", 3),
    ]
    assert len(fuhe) == values(settings, "SY2026H1", FUHE)["births_total"] == 2


def test_duplicate_warning_reaches_the_other_village_whatever_order_the_files_load_in(
    settings, monkeypatch
):
    import township.ingest as ingest_module

    # one file per chunk: the 流入 row is loaded before the home row
    monkeypatch.setattr(ingest_module, "CHUNK_FILES", 1)
    write_births(
        raw(settings, "2026-03", f"{TAOYUAN}_3月.xlsx"),
        [birth_row(8, "2026-03-05", residence="流入")],
        received=datetime(2026, 4, 1),
    )
    write_births(
        raw(settings, "2026-04", f"{FUHE}_4月.xlsx"),
        [birth_row(8, "2026-03-05")],
        received=datetime(2026, 5, 1),
    )
    ingest(settings)
    warned = query(
        settings,
        "select s.village_code, f.cell from raw.findings f join raw.submissions s "
        "using (submission_id) where f.rule_id = 'births.reported_by_other_village'",
    )
    assert warned == [(TAOYUAN, "B3")]
    assert values(settings, "2026-03", FUHE)["births_total"] == 1


@pytest.mark.parametrize("chunk_files", [1, 1000])
def test_a_copy_received_in_the_same_run_loads_once_whichever_chunk_it_falls_in(
    settings, monkeypatch, chunk_files
):
    """Files are hashed where they are read, chunk by chunk: a copy in the same chunk is left
    out there, a copy in a later chunk when its rows reach the warehouse; nothing doubles."""
    import township.ingest as ingest_module

    monkeypatch.setattr(ingest_module, "CHUNK_FILES", chunk_files)
    rows = [birth_row(1, "2026-03-01"), birth_row(2, "2026-03-02")]
    original = write_births(raw(settings, "2026-03", f"{FUHE}.xlsx"), rows)
    raw(settings, "2026-03", f"{FUHE}_copy.xlsx").write_bytes(original.read_bytes())
    write_births(raw(settings, "2026-03", f"{TAOYUAN}.xlsx"), [birth_row(3, "2026-03-03")])
    result = ingest(settings)
    assert (len(result.submissions), result.files_skipped) == (2, 1)
    assert query(settings, "select count(*) from raw.submissions") == [(2,)]
    assert query(settings, "select count(*) from raw.births") == [(3,)]
    assert query(settings, "select count(*) from restricted.births") == [(3,)]
    assert values(settings, "2026-03")["births_total"] == 3
