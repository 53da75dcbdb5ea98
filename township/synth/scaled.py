"""Bench-scale townships: large, clean, random but realistic data sets with their truth."""

from __future__ import annotations

import math
import random
from dataclasses import replace
from datetime import date
from pathlib import Path

from township.forms import load_catalogue
from township.synth.events import (
    Beneficiary,
    Birth,
    MonthRecords,
    Village,
    VillageStock,
    beneficiary_person,
    month_records,
    new_birth,
    write_villages_csv,
)
from township.synth.months import day_in, received_time
from township.synth.people import SURNAMES, People
from township.synth.styles import STYLE_OPTIONS, Style, file_stem
from township.synth.submissions import BeneficiaryRow, BirthRow, Submission, write_submission
from township.synth.truth import compute_indicators, file_entry, write_truth

VILLAGES_PER_TOWNSHIP = 25
PLACE_PREFIXES = ["", "大", "小", "新", "老", "东", "西"]
PLACE_SUFFIXES = "湾冲岗畈咀垸铺寨岭店桥河坝台墩港湖塘坳集庄楼园山坡洼埠庙圈"
TOWNSHIP_CHARS = "仓汪徐邾辛潘凤阳柳涨双道龙旧三李孔阳逻花山金台永安淘"


def scaled_villages(n: int, rng: random.Random) -> list[Village]:
    """n villages in townships of 25, codes 420117101001 …, names unique across the set."""
    names = [
        f"{prefix}{surname}{middle}{suffix}"
        for prefix in PLACE_PREFIXES
        for surname in SURNAMES
        for middle in ("家", "")
        for suffix in PLACE_SUFFIXES
    ]
    rng.shuffle(names)
    townships = math.ceil(n / VILLAGES_PER_TOWNSHIP)
    if townships > 899 or n > len(names):
        raise ValueError(f"at most {899 * VILLAGES_PER_TOWNSHIP} villages")
    township_names = list(
        dict.fromkeys(f"{a}{b}镇" for a in TOWNSHIP_CHARS for b in TOWNSHIP_CHARS if a != b)
    )
    villages = []
    for i in range(n):
        t, k = divmod(i, VILLAGES_PER_TOWNSHIP)
        township_code = f"420117{101 + t:03d}"
        short = names[i]
        villages.append(
            Village(
                f"{township_code}{k + 1:03d}",
                short + "村",
                (short,),
                township_code,
                township_names[t],
            )
        )
    return villages


def scaled_style(rng: random.Random, people: People) -> Style:
    """A random but clean way of filling the workbook: every village keeps a cover."""
    choices = {feature: rng.choice(options) for feature, options in STYLE_OPTIONS.items()}
    choices.update(
        has_cover=True,
        file_pattern="code_name",
        sheet_names="canonical",
        reporter=people.name("女", date(1990, 1, 1)),
        phone="13" + "".join(str(rng.randrange(10)) for _ in range(9)),
    )
    return Style(**choices)


def scaled_month(
    rng: random.Random, people: People, village: Village, month: str, stock: VillageStock
) -> tuple[list[Birth], list[Beneficiary], MonthRecords]:
    births = []
    for _ in range(rng.choices(range(8), weights=[10, 18, 20, 18, 13, 9, 6, 6])[0]):
        day = day_in(month, rng)
        parity = rng.choices([1, 2, 3], weights=[84, 14, 2])[0]
        in_policy = parity == 1 or rng.random() < 0.9
        births.append(new_birth(people, rng, day, parity, village.code, month, in_policy))
    beneficiaries = []
    for category, weights in (
        ("农村奖励扶助", [60, 30, 10]),
        ("特别扶助", [97, 3, 0]),
        ("独女户高考加分", [50, 35, 15]),
    ):
        for i in range(rng.choices(range(3), weights)[0]):
            approved = day_in(month, rng, 1, 28)
            person = beneficiary_person(people, rng, category, approved, i + 1)
            beneficiaries.append(Beneficiary(person, category, approved, village.code))
    stock.drift(rng)
    return births, beneficiaries, month_records(rng, stock, month)


def generate_scaled(
    raw_dir: Path,
    villages_csv: Path,
    truth_path: Path,
    n_villages: int,
    months: list[str],
    seed: int = 1,
    styles: list[dict] | None = None,
) -> dict:
    """Bench-scale random realistic data (e.g. 400 villages x 12 months), clean, with truth.
    `styles`: Style fields to set, one dict per village (cycled), over the random choices."""
    raw_dir, catalogue = Path(raw_dir), load_catalogue()
    rng = random.Random(seed)
    people = People(rng)
    villages = scaled_villages(n_villages, rng)
    chosen = {v.code: scaled_style(rng, people) for v in villages}
    if styles:
        chosen = {
            code: replace(style, **styles[k % len(styles)])
            for k, (code, style) in enumerate(chosen.items())
        }
    stocks = {v.code: VillageStock.random(rng, rng.randint(300, 900)) for v in villages}
    write_villages_csv(Path(villages_csv), villages)
    births: list[Birth] = []
    beneficiaries: list[Beneficiary] = []
    records: dict[tuple[str, str], MonthRecords] = {}
    files: list[dict] = []
    for month in sorted(months):
        for village in villages:
            month_births, month_beneficiaries, records_of_month = scaled_month(
                rng, people, village, month, stocks[village.code]
            )
            births += month_births
            beneficiaries += month_beneficiaries
            records[(village.code, month)] = records_of_month
            style = chosen[village.code]
            sub = Submission(
                village,
                month,
                style,
                received_time(rng, month),
                file_stem(village, month, style),
                [BirthRow(b, "户籍") for b in month_births],
                [BeneficiaryRow(p) for p in month_beneficiaries],
                records_of_month,
            )
            written, _ = write_submission(raw_dir, catalogue, sub)
            files += [file_entry(f, sub) for f in written]
    indicators = compute_indicators(villages, births, beneficiaries, records)
    townships = sorted({(v.township_code, v.township_name) for v in villages})
    truth = {
        "seed": seed,
        "township": {"code": townships[0][0], "name": townships[0][1]},
        "townships": [{"code": c, "name": n} for c, n in townships],
        "villages": [{"village_code": v.code, "village_name": v.name} for v in villages],
        "months": sorted(months),
        "files": files,
        "indicators": indicators,
        "noise": {},
    }
    write_truth(Path(truth_path), truth)
    return truth
