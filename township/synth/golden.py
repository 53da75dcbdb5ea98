"""The golden sample: the planned half year written down by 复合镇's villages, with the noise
planted, checked against the seed report and written with its truth.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from township.forms import load_catalogue
from township.synth.events import (
    Beneficiary,
    Birth,
    Village,
    VillageStock,
    month_records,
    new_birth,
    write_villages_csv,
)
from township.synth.golden_plan import (
    CSV_GBK_MONTHS,
    CSV_VILLAGE,
    CUMULATIVE_VILLAGES,
    DUPLICATE_ROW,
    FIXED_INVALID,
    MISSING_SUBMISSION,
    NO_COVER,
    OUTLIER,
    QUARANTINE_PLAN,
    REPORT_MONTHS,
    RESUBMISSION,
    SY_START,
    TOWNSHIP_CODE,
    TOWNSHIP_NAME,
    UNKNOWN_VILLAGE,
    GoldenPlan,
    is_simple,
    plan_golden,
)
from township.synth.months import day_in, month_of, received_time, resent_time, shift_month
from township.synth.people import People, excel_mangled, mask_id, wrong_check_character
from township.synth.styles import Style, file_stem
from township.synth.submissions import (
    BeneficiaryRow,
    BirthRow,
    Location,
    Submission,
    write_submission,
)
from township.synth.truth import compute_indicators, file_entry, write_truth

# SY2026H1 for the township, as the seed report states it (477 births, 5000余份 leaflets …).
GOLDEN = {
    "births_total": 477,
    "births_male": 241,
    "births_female": 236,
    "births_parity_1": 403,
    "births_parity_2": 64,
    "births_parity_3plus": 10,
    "births_in_policy": 467,
    "births_out_of_policy": 10,
    "births_out_of_policy_parity_2": 7,
    "births_out_of_policy_parity_3plus": 3,
    "new_reward_recipients": 138,
    "new_special_assistance": 6,
    "new_only_daughter_bonus": 198,
    "slogans": 100,
    "posters": 100,
    "two_non_cases": 0,
}
GOLDEN_LEAFLETS = (5000, 5099)


@dataclass
class GoldenBuild:
    """The submissions as they are built, the noise described so far, and the descriptions
    waiting for the Excel rows the written files put the noisy records on."""

    plan: GoldenPlan
    rng: random.Random
    people: People
    submissions: list[Submission] = field(default_factory=list)
    noise: dict = field(default_factory=dict)
    pending: list[Callable[[dict[str, Location]], None]] = field(default_factory=list)

    def submission(self, village: str, month: str) -> Submission:
        return next(s for s in self.submissions if s.village.code == village and s.month == month)


def golden_submissions(plan: GoldenPlan, seed: int) -> GoldenBuild:
    build = GoldenBuild(plan, random.Random(seed * 7919 + 1), plan.people)
    by_code = {v.code: v for v in plan.villages}
    for village, month in plan.present():
        build.submissions.append(plain_submission(plan, by_code[village], month))
    plant_cross_village_rows(build)
    plant_duplicate_row(build)
    plant_quarantined_rows(build)
    plant_resubmission(build)
    plant_fixed_invalid(build)
    plant_unknown_village(build)
    describe_golden_noise(build)
    return build


def plain_submission(plan: GoldenPlan, village: Village, month: str) -> Submission:
    style = plan.styles[village.code]
    cumulative = village.short in CUMULATIVE_VILLAGES
    births = [
        b
        for b in plan.births
        if b.village == village.code
        and (
            b.report_month == month
            or (cumulative and b.report_month < month and b.birth_date >= SY_START)
        )
    ]
    births.sort(key=lambda b: (b.birth_date, b.mother.name, b.parity))
    rows = [BirthRow(b, b.residence, tag=birth_tag(b, village.code, month)) for b in births]
    beneficiaries = [
        BeneficiaryRow(p)
        for p in plan.beneficiaries
        if p.village == village.code and month_of(p.approved_on) == month
    ]
    as_csv = village.short == CSV_VILLAGE
    return Submission(
        village,
        month,
        style,
        plan.received[(village.code, month)],
        village.code if as_csv else file_stem(village, month, style),
        rows,
        beneficiaries,
        plan.records[(village.code, month)],
        as_csv=as_csv,
        csv_encoding="gbk" if month in CSV_GBK_MONTHS else "utf-8-sig",
    )


def birth_tag(b: Birth, village: str, month: str) -> str:
    return f"birth:{b.mother.id_number}:{b.birth_date}:{b.parity}@{village}/{month}"


def plant_cross_village_rows(build: GoldenBuild) -> None:
    for b, other, month in build.plan.cross:
        sub = build.submission(other, month)
        sub.births.append(BirthRow(b, "流入", tag=birth_tag(b, other, month)))
        sub.births.sort(key=lambda r: (r.birth.birth_date, r.birth.mother.name, r.birth.parity))


def plant_duplicate_row(build: GoldenBuild) -> None:
    """The same child typed twice in one file (pasted again at the end of the list)."""
    sub = build.submission(build.plan.code(DUPLICATE_ROW[0]), DUPLICATE_ROW[1])
    original = next(r for r in sub.births if is_simple(r.birth))
    original.birth.role = "duplicate_row"
    original.tag = "duplicate:first"
    sub.births.append(BirthRow(original.birth, original.residence, tag="duplicate:second"))


def extra_birth(build: GoldenBuild, village: str, month: str, day: date | None = None) -> Birth:
    """A birth that never gets counted: it only exists in a row the pipeline must quarantine."""
    day = day or day_in(month, build.rng)
    return new_birth(build.people, build.rng, day, 1, village, month)


def plant_quarantined_rows(build: GoldenBuild) -> None:
    plan, quarantined = build.plan, []
    for short, month, reason in QUARANTINE_PLAN:
        village = plan.code(short)
        sub = build.submission(village, month)
        tag = f"quarantined:{reason}"
        if reason == "reward_recipient_under_60":
            on = day_in(month, build.rng, 1, 28)
            person = build.people.aged("男", on, 58, 59)
            sub.beneficiaries.append(
                BeneficiaryRow(Beneficiary(person, "农村奖励扶助", on, village), tag)
            )
            quarantined.append((tag, "id_number", reason, mask_id(person.id_number)))
            continue
        row, field_name, value = quarantined_birth_row(build, village, month, reason)
        row.tag = tag
        sub.births.append(row)
        quarantined.append((tag, field_name, reason, value))

    def record(locations: dict[str, Location]) -> None:
        build.noise["quarantined"] = [
            {**location_dict(locations[tag]), "field": f, "reason": reason, "value": value}
            for tag, f, reason, value in quarantined
        ]

    build.pending.append(record)


def quarantined_birth_row(
    build: GoldenBuild, village: str, month: str, reason: str
) -> tuple[BirthRow, str, str]:
    if reason == "birth_date_after_report_month":
        b = extra_birth(build, village, month, day_in(shift_month(month, 1), build.rng, 10, 20))
        return BirthRow(b, "户籍"), "birth_date", str(b.birth_date)
    b = extra_birth(build, village, month)
    if reason == "check_character":
        wrong = wrong_check_character(b.mother.id_number)
        return BirthRow(b, "户籍", {"mother_id": wrong}), "mother_id", mask_id(wrong)
    if reason == "child_sex_vocabulary":
        return BirthRow(b, "户籍", {"child_sex": "未知"}), "child_sex", "未知"
    if reason == "id_as_number":
        number = excel_mangled(b.mother.id_number)
        return BirthRow(b, "户籍", {"mother_id": number}), "mother_id", f"{number:.5E}"
    if reason == "mother_id_male_sex_digit":  # the husband's ID typed in the mother's column
        b.mother = replace(b.mother, id_number=b.father.id_number)
        return BirthRow(b, "户籍"), "mother_id", mask_id(b.father.id_number)
    raise ValueError(reason)


def untagged(row: BirthRow) -> BirthRow:
    """A row of a superseded version: its locations are not the ones the truth points to."""
    return BirthRow(row.birth, row.residence, dict(row.overrides))


def plant_resubmission(build: GoldenBuild) -> None:
    """A month sent twice: the first version has one child's sex wrong and misses one birth."""
    plan = build.plan
    village, month = plan.code(RESUBMISSION[0]), RESUBMISSION[1]
    second = build.submission(village, month)
    simple = [r for r in second.births if is_simple(r.birth)]
    corrected, added = simple[0], simple[1]
    corrected.birth.role, added.birth.role = "sex_corrected", "added_in_resubmission"
    wrong_sex = replace(
        corrected.birth, child_sex="女" if corrected.birth.child_sex == "男" else "男"
    )
    first_rows = [
        BirthRow(wrong_sex, r.residence, tag="resubmission:first_sex")
        if r is corrected
        else untagged(r)
        for r in second.births
        if r is not added
    ]
    first = replace(second, births=first_rows, received=second.received)
    second.received = resent_time(build.rng, first.received)
    second.file_stem += "_更正"
    build.submissions.append(first)

    def record(locations: dict[str, Location]) -> None:
        build.noise["resubmission"] = {
            "village": village,
            "month": month,
            "first": locations["resubmission:first_sex"].file,
            "second": locations[corrected.tag].file,
            "first_received": first.received.isoformat(),
            "second_received": second.received.isoformat(),
            "sex_corrected": {
                "mother_id_masked": mask_id(corrected.birth.mother.id_number),
                "first_row": locations["resubmission:first_sex"].row,
                "second_row": locations[corrected.tag].row,
                "first_sex": wrong_sex.child_sex,
                "second_sex": corrected.birth.child_sex,
            },
            "added": {
                "mother_id_masked": mask_id(added.birth.mother.id_number),
                "second_row": locations[added.tag].row,
            },
        }

    build.pending.append(record)


def plant_fixed_invalid(build: GoldenBuild) -> None:
    """A row with a wrong ID check character, fixed by a second version of the same month."""
    plan = build.plan
    village, month = plan.code(FIXED_INVALID[0]), FIXED_INVALID[1]
    second = build.submission(village, month)
    target = next(r for r in second.births if is_simple(r.birth))
    target.birth.role = "fixed_invalid"
    wrong = wrong_check_character(target.birth.mother.id_number)
    first_rows = [
        BirthRow(r.birth, r.residence, {"mother_id": wrong}, tag="fixed_invalid:first")
        if r is target
        else untagged(r)
        for r in second.births
    ]
    first = replace(second, births=first_rows)
    second.received = resent_time(build.rng, first.received)
    second.file_stem += "_修改"
    build.submissions.append(first)

    def record(locations: dict[str, Location]) -> None:
        bad = locations["fixed_invalid:first"]
        build.noise["fixed_invalid"] = {
            "village": village,
            "month": month,
            "first": bad.file,
            "second": locations[target.tag].file,
            "first_received": first.received.isoformat(),
            "second_received": second.received.isoformat(),
            "sheet": bad.sheet,
            "row": bad.row,
            "second_row": locations[target.tag].row,
            "field": "mother_id",
            "reason": "check_character",
            "value": mask_id(wrong),
        }

    build.pending.append(record)


def plant_unknown_village(build: GoldenBuild) -> None:
    """A neighbouring township's village sends its report here: rejected whole."""
    code, name, month = UNKNOWN_VILLAGE
    stranger = Village(code, name, (), code[:9], "外镇", "")
    style = Style(reporter=build.people.name("女", date(1990, 1, 1)), phone="13900000000")
    births = [BirthRow(extra_birth(build, code, month), "户籍") for _ in range(2)]
    records = month_records(build.rng, VillageStock.random(build.rng, 420), month)
    stem = file_stem(stranger, month, Style(file_pattern="code_name"))
    received = received_time(build.rng, month)
    build.submissions.append(
        Submission(stranger, month, style, received, stem, births, [], records)
    )
    build.noise["rejected_files"] = [f"{month}/{stem}.xlsx"]


def location_dict(location: Location) -> dict:
    return {"file": location.file, "sheet": location.sheet, "row": location.row}


def describe_golden_noise(build: GoldenBuild) -> None:
    """The noise that needs no Excel rows; the rest is filled in once files are written."""
    plan = build.plan
    noise = build.noise
    noise["cumulative_villages"] = [plan.code(s) for s in CUMULATIVE_VILLAGES]
    twins = [b for b in plan.births if b.twin]
    noise["twins"] = len(twins) // 2
    noise["twin_pairs"] = [
        {
            "village": b.village,
            "mother_id_masked": mask_id(b.mother.id_number),
            "birth_date": str(b.birth_date),
            "parities": [b.parity, b.parity + 1],
        }
        for b in twins
        if any(o.mother is b.mother and o.parity == b.parity + 1 for o in twins)
    ]
    outlier_key = (plan.code(OUTLIER[0]), OUTLIER[1])
    previous = shift_month(OUTLIER[1], -1)
    noise["outlier"] = {
        "village": outlier_key[0],
        "month": outlier_key[1],
        "field": "married_women",
        "value": plan.records[outlier_key].contraception["married_women"],
        "previous_month_value": plan.records[(outlier_key[0], previous)].contraception[
            "married_women"
        ],
        "factor": 3,
    }
    noise["missing_submissions"] = [
        {"village": plan.code(MISSING_SUBMISSION[0]), "month": MISSING_SUBMISSION[1]}
    ]
    noise["csv_village"] = {
        "village": plan.code(CSV_VILLAGE),
        "encodings": {m: ("gbk" if m in CSV_GBK_MONTHS else "utf-8-sig") for m in REPORT_MONTHS},
    }
    noise["no_cover_villages"] = [plan.code(s) for s in NO_COVER]
    noise["late_senders"] = sorted(
        f"{v}/{m}"
        for (v, m), t in plan.received.items()
        if t.date() > date.fromisoformat(shift_month(m, 1) + "-05")
    )

    def record(locations: dict[str, Location]) -> None:
        noise["exact_duplicates"] = [
            {
                "file": locations["duplicate:first"].file,
                "sheet": locations["duplicate:first"].sheet,
                "rows": [locations["duplicate:first"].row, locations["duplicate:second"].row],
            }
        ]
        noise["cross_village_births"] = [
            {
                "home": b.village,
                "other": other,
                "mother_id_masked": mask_id(b.mother.id_number),
                "birth_date": str(b.birth_date),
                "parity": b.parity,
                "home_residence": b.residence,
                "home_at": location_dict(locations[birth_tag(b, b.village, b.report_month)]),
                "other_at": location_dict(locations[birth_tag(b, other, month)]),
            }
            for b, other, month in plan.cross
        ]
        noise["late_reports"] = [
            {
                **location_dict(locations[birth_tag(b, b.village, b.report_month)]),
                "birth_date": str(b.birth_date),
                "previous_statistical_year": b.birth_date < SY_START,
            }
            for b in plan.births
            if month_of(b.birth_date) < b.report_month
        ]

    build.pending.append(record)


def check_golden(indicators: dict) -> None:
    """The sample must reproduce the seed report; a generator bug must not pass silently."""
    township = indicators["SY2026H1"][TOWNSHIP_CODE]
    wrong = {k: (township.get(k), v) for k, v in GOLDEN.items() if township.get(k) != v}
    lo, hi = GOLDEN_LEAFLETS
    if not lo <= township["leaflets"] <= hi:
        wrong["leaflets"] = (township["leaflets"], GOLDEN_LEAFLETS)
    if wrong:
        raise AssertionError(f"golden sample off target (got, want): {wrong}")


def generate_sample(raw_dir: Path, villages_csv: Path, truth_path: Path, seed: int = 2026) -> dict:
    """The golden sample township: 22 villages, report months 2025-10 .. 2026-03.

    Returns the truth dict (also written as JSON to truth_path).
    """
    raw_dir, catalogue = Path(raw_dir), load_catalogue()
    plan = plan_golden(seed)
    build = golden_submissions(plan, seed)
    write_villages_csv(Path(villages_csv), plan.villages)
    locations: dict[str, Location] = {}
    files = []
    for sub in build.submissions:
        written, found = write_submission(raw_dir, catalogue, sub)
        locations.update(found)
        files += [file_entry(f, sub) for f in written]
    for fill_in in build.pending:
        fill_in(locations)
    indicators = compute_indicators(plan.villages, plan.births, plan.beneficiaries, plan.records)
    check_golden(indicators)
    truth = {
        "seed": seed,
        "township": {"code": TOWNSHIP_CODE, "name": TOWNSHIP_NAME},
        "villages": [{"village_code": v.code, "village_name": v.name} for v in plan.villages],
        "months": list(REPORT_MONTHS),
        "files": sorted(files, key=lambda f: f["file"]),
        "indicators": indicators,
        "noise": dict(sorted(build.noise.items())),
    }
    write_truth(Path(truth_path), truth)
    return truth
