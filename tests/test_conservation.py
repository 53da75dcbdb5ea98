"""Conservation: whatever quirks and faults a township's files carry, every path under the raw
folder gets exactly one outcome, every row read is accounted for (the row ledger balances for
every file and form), and the figures equal the generator's truth.

Hypothesis draws townships from the sample generator's options (each village its own way of
filling the workbook: layouts, words, a units row under the header in any unit words, type
hints under the header) and adds faults around them: byte-identical files from two villages,
copies under other names, stray files and folders, links, Office lock files.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from builders import office_connection, township_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from township import ledger
from township.ingest import ingest
from township.synth import STYLE_OPTIONS, generate_scaled

MONTH_SETS = [["2026-03"], ["2025-09", "2025-10"], ["2026-01", "2026-02", "2026-03"]]
# characters unit words are made of on real forms, and some that no list would hold
UNIT_CHARS = "份件人次条套户元个例起张册场期台幅块本名对批项宗"
ZERO_SERVICES = "宣传资料份数,标语条数,宣传挂图,咨询人次,三查应查人数,三查实查人数,随访人次,两非案件数\r\n0,0,0,0,0,0,0,0\r\n"
STRAYS = ["top_level", "bad_month", "misc_folder", "lock_file", "link_out", "link_loop", "copy"]
# the generator's options that a scaled township can take (identity options stay its own)
VARIED = [
    k for k in STYLE_OPTIONS if k not in ("file_pattern", "sheet_names", "empty_beneficiaries")
]

unit_words = st.text(alphabet=UNIT_CHARS, min_size=1, max_size=2).flatmap(
    lambda w: st.sampled_from([w, f"（{w}）", f"({w})", f"单位:{w}"])
)


@st.composite
def village_styles(draw) -> dict:
    style = {k: draw(st.sampled_from(STYLE_OPTIONS[k])) for k in VARIED}
    if draw(st.booleans()):
        style["column_units"] = tuple(draw(st.lists(unit_words, min_size=1, max_size=4)))
    style["type_hints"] = draw(st.booleans())
    return style


@st.composite
def townships(draw) -> dict:
    n = draw(st.integers(2, 4))
    return {
        "n_villages": n,
        "months": draw(st.sampled_from(MONTH_SETS)),
        "seed": draw(st.integers(0, 10_000)),
        "styles": [draw(village_styles()) for _ in range(n)],
        "identical_pair": draw(st.booleans()),
        "strays": draw(st.lists(st.sampled_from(STRAYS), max_size=4, unique=True)),
    }


def add_identical_pair(raw: Path, villages_csv: Path, month: str) -> list[str]:
    """Two more villages, each sending the same all-zero 宣传服务 CSV (byte-identical)."""
    codes = ["420117199001", "420117199002"]
    with villages_csv.open("a", encoding="utf-8") as out:
        for k, code in enumerate(codes):
            out.write(f"{code},零{k}村,零{k},420117199,零镇,\n")
    for code in codes:
        (raw / month / f"{code}_宣传服务.csv").write_bytes(ZERO_SERVICES.encode("utf-8"))
    return codes


def add_strays(raw: Path, month: str, kinds: list[str], outside: Path) -> None:
    a_file = next((raw / month).glob("*.xlsx"), None)
    for kind in kinds:
        if kind == "top_level":
            (raw / "说明.txt").write_text("请各村按时报送", encoding="utf-8")
        elif kind == "bad_month":
            for bad in (f"{month[:4]}-13", f"{month[:4]}{month[5:]}"):
                (raw / bad).mkdir(exist_ok=True)
                (raw / bad / "旧表.xlsx").write_bytes(b"PK\x03\x04")
        elif kind == "misc_folder":
            (raw / "misc" / "sub").mkdir(parents=True, exist_ok=True)
            (raw / "misc" / "sub" / "备份.csv").write_text("a,b\n1,2\n", encoding="utf-8")
        elif kind == "lock_file":
            (raw / month / "~$月报.xlsx").write_bytes(b"lock")
        elif kind == "link_out":
            (raw / month / "外部.xlsx").symlink_to(outside)
        elif kind == "link_loop":
            (raw / month / "环.xlsx").symlink_to(raw / month / "环.xlsx")
        elif kind == "copy" and a_file is not None:
            shutil.copy2(a_file, a_file.with_name(f"{a_file.stem}_副本.xlsx"))


def every_path(raw: Path) -> set[str]:
    found = set()
    for folder, dirs, files in os.walk(raw):
        links = [d for d in dirs if os.path.islink(os.path.join(folder, d))]
        found |= {os.path.relpath(os.path.join(folder, n), raw) for n in files + links}
    return found


def warehouse_figures(con) -> dict[tuple[str, str, str], float]:
    rows = con.execute(
        "select period, org_code, indicator, value from marts.indicator_values where value is not null"
    ).fetchall()
    return {(p, o, i): v for p, o, i, v in rows}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=townships())
def test_every_file_and_row_is_accounted_for_and_the_figures_are_the_truth(tmp_path_factory, case):
    root = tmp_path_factory.mktemp("township")
    s = township_settings(root)
    shutil.rmtree(s.raw_dir)
    truth = generate_scaled(
        s.raw_dir,
        s.villages,
        root / "truth.json",
        n_villages=case["n_villages"],
        months=case["months"],
        seed=case["seed"],
        styles=case["styles"],
    )
    month = case["months"][-1]
    extra = add_identical_pair(s.raw_dir, s.villages, month) if case["identical_pair"] else []
    add_strays(s.raw_dir, month, case["strays"], root / "truth.json")

    result = ingest(s)

    # every path: exactly one outcome, every file of the generator loaded, nothing refused
    by_path = {o.file_path: o for o in result.outcomes}
    assert len(by_path) == len(result.outcomes)
    assert set(by_path) == every_path(s.raw_dir)
    generated = {f["file"] for f in truth["files"]}
    assert {p for p, o in by_path.items() if o.outcome == ledger.LOADED} == generated | {
        f"{month}/{code}_宣传服务.csv" for code in extra
    }
    assert [o for o in result.outcomes if o.outcome == ledger.REFUSED] == []
    assert {s["status"] for s in result.submissions} <= {"accepted", "accepted_with_warnings"}

    con = office_connection(s.warehouse)
    try:
        unbalanced = con.execute(
            "select file_path, form from marts.row_ledger where rows_read <> counted + "
            "outside_period + repeated + duplicates + superseded + quarantined + in_refused_file"
        ).fetchall()
        counted = con.execute(
            "select form, sum(counted) from marts.row_ledger group by form"
        ).fetchall()
        figures = warehouse_figures(con)
        findings = con.execute(
            "select rule_id, count(*) from raw.findings group by all order by all"
        ).fetchall()
    finally:
        con.close()
    assert unbalanced == []
    # no village is told that a unit word or a hint under its header is a wrong value
    assert [r for r, _ in findings if r.endswith((".vocab", "required", "date.invalid"))] == []

    births = sum(
        row["births_total"]
        for period, orgs in truth["indicators"].items()
        if len(period) == 7
        for org, row in orgs.items()
        if len(org) == 9
    )
    assert dict(counted).get("births", 0) == births
    wrong = {
        key: (figures.get(key), want)
        for period, orgs in truth["indicators"].items()
        for org, row in orgs.items()
        for indicator, want in row.items()
        if figures.get(key := (period, org, indicator), 0) != want
    }
    assert wrong == {}
