"""The sample generator: deterministic, true to the seed report, realistic, and able to scale.

The cross-checks read the generated files with python_calamine and a deliberately small reader
of their own, so they do not depend on (or share bugs with) the pipeline's reader.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
import python_calamine as pc
from stdnum.cn import ric

from township.forms import load_catalogue, normalise_label
from township.synth import generate_sample, generate_scaled, plan_golden

SHANGHAI = timezone(timedelta(hours=8))
CATALOGUE = load_catalogue()
H1_START, H1_END = date(2025, 10, 1), date(2026, 3, 31)
ID_FIELDS = {("births", "mother_id"), ("births", "father_id"), ("beneficiaries", "id_number")}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("sample")
    truth = generate_sample(root / "raw", root / "villages.csv", root / "truth.json")
    return root, truth


# --- a small independent reader -----------------------------------------------------------


def aliases(form: str) -> dict[str, str]:
    spec = CATALOGUE.forms[form]
    return {normalise_label(a): f.name for f in spec.fields for a in (*f.aliases, f.name_zh)}


def header_columns(grid: list[list], form: str) -> tuple[int, dict[str, int]] | None:
    """The header row of a table (the first of the top rows naming ≥ 3 fields) and its columns."""
    known = aliases(form)
    for r, row in enumerate(grid[:10]):
        columns = {
            known[normalise_label(v)]: c for c, v in enumerate(row) if normalise_label(v) in known
        }
        if len(columns) >= 3:
            return r, columns
    return None


def is_marker_row(row: list) -> bool:
    first = next((normalise_label(v) for v in row if v not in (None, "")), "")
    return not first or first.startswith(CATALOGUE.totals_markers + CATALOGUE.footer_markers)


def read_grids(path: Path) -> dict[str, list[list]]:
    if path.suffix == ".csv":
        data = path.read_bytes()
        text = data[3:].decode("utf-8") if data.startswith(b"\xef\xbb\xbf") else data.decode("gbk")
        return {path.stem: [row for row in csv.reader(io.StringIO(text))]}
    book = pc.CalamineWorkbook.from_path(str(path))
    return {
        name: book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        for name in book.sheet_names
    }


def table_rows(grids: dict[str, list[list]], form: str):
    """(sheet, excel_row, {field: cell}) for every data row of the form's table."""
    for sheet, grid in grids.items():
        found = header_columns(grid, form)
        if found is None:
            continue
        header, columns = found
        for r in range(header + 1, len(grid)):
            row = grid[r]
            if is_marker_row(row) or any("单位" in str(v) for v in row):
                continue
            yield sheet, r + 1, {f: row[c] if c < len(row) else None for f, c in columns.items()}


def village_of(path: Path, grids: dict[str, list[list]], villages: list[dict]) -> str | None:
    codes = {v["village_code"] for v in villages}
    for row in grids.get("封面", []):
        if row and normalise_label(row[0]) in ("村代码", "村编码", "村级代码"):
            return str(row[1]).strip() if str(row[1]).strip() in codes else None
    in_name = re.findall(r"(?<!\d)\d{12}(?!\d)", path.name)
    if in_name:
        return in_name[0] if in_name[0] in codes else None
    names = sorted(
        (
            (n, v["village_code"])
            for v in villages
            for n in [v["village_name"], *v["aliases"].split("|")]
            if n
        ),
        key=lambda item: -len(item[0]),
    )
    return next((code for name, code in names if name in path.stem), None)


def to_date(value) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", text) or re.fullmatch(
        r"(\d{4})(\d{2})(\d{2})", text
    )
    return date(*map(int, match.groups())) if match else None


def to_parity(value) -> int | None:
    if isinstance(value, int | float):
        return int(value)
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if text.isdigit():
        return int(text)
    word = CATALOGUE.vocabularies["parity_words"].get(normalise_label(text))
    return int(word) if word is not None else None


def to_sex(value) -> str | None:
    key = str(int(value)) if isinstance(value, float) else str(value or "")
    return CATALOGUE.vocabularies["sex"].get(normalise_label(key))


def valid_mother_id(value) -> bool:
    return (
        isinstance(value, str) and ric.is_valid(value.strip()) and int(value.strip()[16]) % 2 == 0
    )


def month_end(month: str) -> date:
    year, mon = int(month[:4]), int(month[5:7])
    return date(year + mon // 12, mon % 12 + 1, 1) - timedelta(days=1)


def read_villages(path: Path) -> list[dict]:
    return list(csv.DictReader(path.open(encoding="utf-8")))


def current_files(raw: Path, villages: list[dict]) -> dict[tuple[str, str, str], tuple[Path, dict]]:
    """The latest file (mtime, then name) per (village, month, form) among resolvable files."""
    latest: dict[tuple[str, str, str], tuple[float, str, Path, dict]] = {}
    for path in sorted(raw.glob("*/*")):
        grids = read_grids(path)
        village = village_of(path, grids, villages)
        if village is None:
            continue
        forms = [
            f
            for f in ("births", "beneficiaries")
            if any(header_columns(g, f) for g in grids.values())
        ]
        for form in forms:
            key = (village, path.parent.name, form)
            candidate = (path.stat().st_mtime, path.name, path, grids)
            if key not in latest or candidate[:2] > latest[key][:2]:
                latest[key] = candidate
    return {key: (path, grids) for key, (_, _, path, grids) in latest.items()}


def counted_births(raw: Path, villages: list[dict]) -> dict[tuple[str, date, int], str]:
    """Distinct valid (mother_id, birth_date, parity) of the current files, with the child's sex."""
    births: dict[tuple[str, date, int], str] = {}
    for (_, month, form), (_, grids) in current_files(raw, villages).items():
        if form != "births":
            continue
        for _, _, cells in table_rows(grids, "births"):
            day, parity, sex = (
                to_date(cells["birth_date"]),
                to_parity(cells["parity"]),
                to_sex(cells["child_sex"]),
            )
            if (
                valid_mother_id(cells["mother_id"])
                and day
                and day <= month_end(month)
                and parity
                and sex
            ):
                births.setdefault((cells["mother_id"].strip(), day, parity), sex)
    return births


# --- tests --------------------------------------------------------------------------------


def test_generating_twice_gives_byte_identical_files_and_identical_mtimes(tmp_path):
    runs = []
    for name in ("a", "b"):
        root = tmp_path / name
        generate_sample(root / "raw", root / "villages.csv", root / "truth.json", seed=7)
        files = sorted(p for p in root.rglob("*") if p.is_file())
        # Only received files carry a meaningful mtime; villages.csv and truth.json are just written.
        runs.append(
            {
                p.relative_to(root): (
                    p.read_bytes(),
                    p.stat().st_mtime_ns if "raw" in p.parts else None,
                )
                for p in files
            }
        )
    assert runs[0].keys() == runs[1].keys()
    assert len(runs[0]) > 130
    for path, (data, mtime) in runs[0].items():
        assert runs[1][path] == (data, mtime), path


def test_truth_gives_the_seed_reports_half_year_figures_for_the_township(sample):
    _, truth = sample
    township = truth["indicators"]["SY2026H1"]["420117104"]
    assert township["births_total"] == 477
    assert (
        township["births_parity_1"],
        township["births_parity_2"],
        township["births_parity_3plus"],
    ) == (403, 64, 10)
    assert township["births_out_of_policy_parity_2"] == 7
    assert township["births_out_of_policy_parity_3plus"] == 3
    assert township["births_out_of_policy"] == 10
    assert township["births_in_policy"] == 467
    assert round(100 * township["births_in_policy"] / township["births_total"], 1) == 97.9
    assert (township["births_male"], township["births_female"]) == (241, 236)
    assert round(100 * township["births_male"] / township["births_female"]) == 102
    assert township["new_reward_recipients"] == 138
    assert township["new_special_assistance"] == 6
    assert township["new_only_daughter_bonus"] == 198
    assert 5000 <= township["leaflets"] <= 5099
    assert (township["slogans"], township["posters"], township["two_non_cases"]) == (100, 100, 0)


def test_truth_village_figures_add_up_to_the_township(sample):
    _, truth = sample
    villages = [v["village_code"] for v in truth["villages"]]
    for period, orgs in truth["indicators"].items():
        for indicator, value in orgs["420117104"].items():
            assert sum(orgs[v].get(indicator, 0) for v in villages) == value, (period, indicator)
    for month in truth["months"]:
        assert all(truth["indicators"][month][v]["births_total"] >= 0 for v in villages)


def test_an_independent_read_of_the_current_files_finds_the_golden_births(sample):
    root, _ = sample
    births = counted_births(root / "raw", read_villages(root / "villages.csv"))
    half_year = {key: sex for key, sex in births.items() if H1_START <= key[1] <= H1_END}
    assert len(half_year) == 477
    parities = [key[2] for key in half_year]
    assert (parities.count(1), parities.count(2), sum(p >= 3 for p in parities)) == (403, 64, 10)
    assert list(half_year.values()).count("男") == 241
    # Late reports of the previous statistical year are there too, outside the half-year.
    assert any(key[1] < H1_START for key in births)


def test_an_independent_read_finds_the_golden_beneficiaries(sample):
    root, _ = sample
    villages = read_villages(root / "villages.csv")
    counts: dict[str, set] = defaultdict(set)
    categories = CATALOGUE.vocabularies["category"]
    for (_, _, form), (_, grids) in current_files(root / "raw", villages).items():
        if form != "beneficiaries":
            continue
        for _, _, cells in table_rows(grids, "beneficiaries"):
            category = categories[normalise_label(cells["category"])]
            person_id, approved = cells["id_number"].strip(), to_date(cells["approved_on"])
            age = (approved - ric.get_birth_date(person_id)).days // 365.25
            if category == "农村奖励扶助" and age < 60:
                continue  # the planted under-age recipient is quarantined
            counts[category].add(person_id)
    assert {k: len(v) for k, v in counts.items()} == {
        "农村奖励扶助": 138,
        "特别扶助": 6,
        "独女户高考加分": 198,
    }


def test_villages_csv_lists_over_20_villages_with_12_digit_codes(sample):
    root, _ = sample
    villages = read_villages(root / "villages.csv")
    assert len(villages) >= 20
    assert set(villages[0]) == {
        "village_code",
        "village_name",
        "aliases",
        "township_code",
        "township_name",
        "email",
    }
    for v in villages:
        assert re.fullmatch(r"\d{12}", v["village_code"])
        assert v["township_code"] == v["village_code"][:9] == "420117104"
        assert v["township_name"] == "复合镇"
    assert 3 <= sum(bool(v["email"]) for v in villages) <= 8
    # No registered name or alias hides inside another village's name (file names stay unambiguous).
    names = {v["village_code"]: [v["village_name"], *v["aliases"].split("|")] for v in villages}
    for code, own in names.items():
        for other, theirs in names.items():
            if other != code:
                assert not any(a in b for a in own for b in theirs), (own, theirs)


def test_ids_of_valid_rows_pass_the_check_and_planted_invalid_ones_fail(sample):
    root, truth = sample
    noise = truth["noise"]
    planted = {(q["file"], q["sheet"], q["row"]): q for q in noise["quarantined"]}
    fixed = noise["fixed_invalid"]
    planted[(fixed["first"], fixed["sheet"], fixed["row"])] = fixed
    seen_planted = set()
    checked = 0
    for path in sorted((root / "raw").glob("*/*")):
        relpath = path.relative_to(root / "raw").as_posix()
        if relpath in noise["rejected_files"]:
            continue
        grids = read_grids(path)
        for form in ("births", "beneficiaries"):
            for sheet, row, cells in table_rows(grids, form):
                where = (relpath, sheet, row)
                ids = {
                    f: cells.get(f)
                    for (frm, f) in ID_FIELDS
                    if frm == form and cells.get(f) is not None
                }
                if where in planted:
                    seen_planted.add(where)
                    assert_planted_invalid(planted[where], ids)
                    continue
                for field_name, value in ids.items():
                    assert isinstance(value, str), (
                        where,
                        field_name,
                        value,
                    )  # text cells, never numbers
                    assert ric.is_valid(value), (where, field_name, value)
                    checked += 1
                if form == "births":
                    assert int(cells["mother_id"][16]) % 2 == 0, where
    assert seen_planted == set(planted)
    assert checked > 1000


def assert_planted_invalid(planted: dict, ids: dict) -> None:
    reason, value = planted["reason"], ids.get(planted["field"])
    if reason == "check_character":
        assert not ric.is_valid(value) and len(value) == 18
        assert value[-1] != ric.calc_check_digit(value)
    elif reason == "id_as_number":
        assert isinstance(value, float) and value > 1e17  # Excel's mangled number cell
    elif reason == "mother_id_male_sex_digit":
        assert ric.is_valid(value) and int(value[16]) % 2 == 1
    elif reason == "reward_recipient_under_60":
        assert ric.is_valid(value)


def test_noise_points_at_real_files_and_rows(sample):
    root, truth = sample
    noise, raw = truth["noise"], root / "raw"
    assert len(noise["cumulative_villages"]) == 3
    assert noise["twins"] >= 2
    assert len(noise["cross_village_births"]) >= 3
    assert len(noise["quarantined"]) >= 4
    assert {q["reason"] for q in noise["quarantined"]} >= {
        "check_character",
        "birth_date_after_report_month",
        "child_sex_vocabulary",
        "id_as_number",
    }
    for relpath in noise["rejected_files"]:
        assert (raw / relpath).is_file()
    duplicate = noise["exact_duplicates"][0]
    grid = read_grids(raw / duplicate["file"])[duplicate["sheet"]]
    first, second = (grid[r - 1] for r in duplicate["rows"])
    assert first[1:] == second[1:]  # the same row again (a 序号 column may differ)
    resub = noise["resubmission"]
    assert (raw / resub["second"]).stat().st_mtime > (raw / resub["first"]).stat().st_mtime
    fixed = noise["fixed_invalid"]
    assert (raw / fixed["second"]).stat().st_mtime > (raw / fixed["first"]).stat().st_mtime


def test_files_are_received_in_the_following_month_in_office_hours(sample):
    root, truth = sample
    listed = {f["file"]: f for f in truth["files"]}
    paths = sorted((root / "raw").glob("*/*"))
    assert set(listed) == {p.relative_to(root / "raw").as_posix() for p in paths}
    for path in paths:
        received = datetime.fromtimestamp(path.stat().st_mtime, SHANGHAI)
        month = path.parent.name
        due = date.fromisoformat(month + "-01") + timedelta(days=32)
        assert (received.year, received.month) == (due.year, due.month), path
        assert 8 <= received.hour <= 17, path
        entry = listed[path.relative_to(root / "raw").as_posix()]
        assert received.replace(tzinfo=None).isoformat() == entry["received"]
        assert entry["month"] == month
    late = [f for f in truth["files"] if int(f["received"][8:10]) > 5]
    assert 3 <= len({f["village_code"] for f in late}) < len(truth["villages"]) // 2


def test_stock_figures_are_consistent_and_drift_slowly():
    plan = plan_golden(2026)
    for (village, month), rec in plan.records.items():
        c, m, s = rec.contraception, rec.migrants, rec.services
        methods = sum(n for k, n in c.items() if k != "married_women")
        assert methods == c["married_women"], (village, month)
        assert all(0 <= n <= c["married_women"] for n in c.values())
        assert m["out_certified"] <= m["out_married_women"] <= m["out_migrants"]
        assert m["out_contacted"] <= m["out_married_women"]
        assert m["in_married_women"] <= m["in_migrants"]
        assert s["checkups_done"] <= s["checkups_due"]
        assert 300 * 0.9 <= c["married_women"] <= 900 * 3.2
    jumps = [
        (village, month)
        for (village, month), rec in plan.records.items()
        if (village, month_before(month)) in plan.records
        and rec.contraception["married_women"]
        > 2 * plan.records[(village, month_before(month))].contraception["married_women"]
    ]
    assert jumps == [("420117104213", "2025-11")]  # the planted outlier, and nothing else


def month_before(month: str) -> str:
    year, mon = int(month[:4]), int(month[5:7])
    return f"{year - 1}-12" if mon == 1 else f"{year}-{mon - 1:02d}"


def test_the_csv_village_sends_gbk_and_utf8_bom_files(sample):
    root, truth = sample
    village = truth["noise"]["csv_village"]["village"]
    for month, encoding in truth["noise"]["csv_village"]["encodings"].items():
        data = (root / "raw" / month / f"{village}_出生登记.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
        data.decode("utf-8-sig" if encoding == "utf-8-sig" else "gbk")


def test_generate_scaled_writes_one_workbook_per_village_month_and_a_truth(tmp_path):
    raw, villages_csv, truth_path = (
        tmp_path / "raw",
        tmp_path / "villages.csv",
        tmp_path / "truth.json",
    )
    truth = generate_scaled(
        raw, villages_csv, truth_path, n_villages=5, months=["2026-02", "2026-03"]
    )
    files = sorted(raw.glob("*/*"))
    assert len(files) == 10 and all(p.suffix == ".xlsx" for p in files)
    assert json.loads(truth_path.read_text(encoding="utf-8")) == truth
    villages = read_villages(villages_csv)
    assert len(villages) == 5
    births = counted_births(raw, villages)
    township = truth["township"]["code"]
    assert len(births) == truth["indicators"]["2026Q1"][township]["births_total"]
    for month in ("2026-02", "2026-03"):
        assert set(truth["indicators"][month]) == {township, *(v["village_code"] for v in villages)}
