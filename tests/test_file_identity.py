"""A file's village: its 封面's 村代码 and 村名 and its file name, whichever are given, must name
one village. When they name two, the file is refused, naming the conflict, and attributed to
no village; a 村代码 or 村名 on no list beside others that agree is accepted with a warning."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path

import pytest
from builders import BIRTH_HEADER, VILLAGES_CSV, birth_row, office_connection, write_workbook

from township.ingest import ingest
from township.model import WARNING
from township.read.files import read_file
from township.reports.outbox import write_month_reports
from township.villages import VillageRegistry

FUHE, TAOYUAN = "420117104201", "420117104202"
NAMES = {FUHE: "复合村", TAOYUAN: "桃园村"}
MONTH = "2026-03"
CORPUS_VILLAGES = Path(__file__).resolve().parent / "fixtures" / "corpus" / "villages.csv"


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    path = tmp_path_factory.mktemp("ref") / "villages.csv"
    path.write_text(VILLAGES_CSV, encoding="utf-8")
    return VillageRegistry.load(path)


def workbook(folder, file_name: str, code: str | None, name: str | None, n: int = 1):
    cover = [["项目", "内容"], ["村代码", code], ["村名", name], ["报告期", MONTH]]
    births = [BIRTH_HEADER, *(birth_row(i, "2026-03-02") for i in range(1, n + 1))]
    return write_workbook(folder / file_name, {"封面": cover, "出生登记": births})


# Each source names 复合村, 桃园村, or nothing (None: left blank / a file name naming no village).
SOURCES = list(itertools.product([FUHE, TAOYUAN, None], repeat=3))


@pytest.mark.parametrize("code,name,in_file", SOURCES)
def test_the_file_is_refused_exactly_when_its_identities_name_two_villages(
    tmp_path, registry, code, name, in_file
):
    file_name = f"{NAMES[in_file]}3月报表.xlsx" if in_file else "3月报表.xlsx"
    path = workbook(tmp_path, file_name, code, NAMES.get(name))
    fr = read_file(path, MONTH, registry)
    named = {v for v in (code, name, in_file) if v}
    if len(named) > 1:
        assert fr.rejection is not None and fr.rejection.code == "identity_conflict"
        assert fr.village_code is None  # never attributed: neither village gets its data
        assert "桃园村" in fr.rejection.message_zh and "复合村" in fr.rejection.message_zh
        assert "复合村" not in fr.rejection.public_message  # what analysts see quotes nothing
    elif len(named) == 1:
        assert fr.rejection is None
        assert fr.village_code == named.pop()
    else:
        assert fr.rejection.code == "unknown_village"


@pytest.mark.parametrize(
    "code,name,cell",
    [("420117104299", "复合村", "B2"), (FUHE, "复和村", "B3")],
    ids=["unknown code, known name", "known code, unknown name"],
)
def test_an_identity_on_no_list_beside_agreeing_ones_is_a_warning_at_its_cell(
    tmp_path, registry, code, name, cell
):
    fr = read_file(workbook(tmp_path, "月报.xlsx", code, name), MONTH, registry)
    assert fr.rejection is None and fr.village_code == FUHE
    (warning,) = [f for f in fr.findings if f.rule_id == "cover.unknown_identity"]
    assert (warning.severity, warning.sheet, warning.cell) == (WARNING, "封面", cell)
    assert "复合村" in warning.message_zh


def test_a_neighbours_code_on_the_cover_moves_nothing_to_the_neighbour(settings):
    folder = settings.raw_dir / MONTH
    own = write_workbook(
        folder / f"{TAOYUAN}.xlsx",
        {"出生登记": [BIRTH_HEADER, birth_row(7, "2026-03-03")]},
        cover_code=TAOYUAN,
        cover_month=MONTH,
        received=datetime(2026, 4, 1, 9),
    )
    assert own.exists()
    stray = workbook(folder, "复合村_3月.xlsx", TAOYUAN, "复合村", n=3)
    result = ingest(settings)
    statuses = {s["file_name"]: (s["status"], s["village_code"]) for s in result.submissions}
    assert statuses == {f"{TAOYUAN}.xlsx": ("accepted", TAOYUAN), stray.name: ("rejected", None)}
    con = office_connection(settings.warehouse)
    try:
        births = con.execute(
            "select village_code, count(*) from staging.births(null) group by all"
        ).fetchall()
        reason = con.execute("select r.reason_zh from restricted.submissions as r").fetchone()[0]
    finally:
        con.close()
    assert births == [(TAOYUAN, 1)]  # the neighbour's own birth only
    assert "封面村代码“420117104202”是桃园村" in reason and "封面村名“复合村”是复合村" in reason
    reports = write_month_reports(settings, MONTH)
    taoyuan_reports = [p for p in reports if p.name.startswith(TAOYUAN)]
    assert len(taoyuan_reports) == 1
    mothers = {"母亲1", "母亲2", "母亲3"}
    text = taoyuan_reports[0].with_suffix(".txt").read_text(encoding="utf-8")
    assert not any(m in text for m in mothers)


@pytest.mark.parametrize(
    ("file_name", "village"),
    [
        ("复合镇桃园3月报表.xlsx", TAOYUAN),
        ("复合镇2026年3月计生月报（桃园）.xlsx", TAOYUAN),
        ("复合镇复合村3月报表.xlsx", FUHE),
        ("复合村3月报表.xlsx", FUHE),
        ("复合镇3月报表.xlsx", None),
    ],
)
def test_the_township_name_in_a_file_name_names_no_village(file_name, village):
    """复合村 (alias 复合) is the township seat: 复合镇 before another village's name is the
    township's name, not 复合村's, and the file is that village's (or nobody's alone)."""
    found = VillageRegistry.load(CORPUS_VILLAGES).in_file_name(file_name)
    assert (found.code if found else None) == village
