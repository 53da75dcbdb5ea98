"""The golden sample's true half year: the 复合镇 township, its villages and their roles,
and every birth, beneficiary and monthly figure, planned to give the seed report's figures.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime

from township.synth.events import (
    Beneficiary,
    Birth,
    MonthRecords,
    Village,
    VillageStock,
    beneficiary_person,
    month_records,
    new_birth,
    parents,
)
from township.synth.months import day_in, month_of, received_time, shift_month
from township.synth.people import HOME_COUNTY, NEIGHBOUR_COUNTIES, People
from township.synth.styles import Style, spread_styles

TOWNSHIP_CODE = "420117104"
TOWNSHIP_NAME = "复合镇"
REPORT_MONTHS = ["2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03"]
SY_START = date(2025, 10, 1)  # statistical year SY2026 starts here

# The sample township: codes 420117104201 …; short names are the aliases. 复合村 is registered
# as 复合社区 instead of 复合, which would match every file name that mentions 复合镇.
GOLDEN_VILLAGES = [
    ("复合村", "复合社区"),
    ("李家湾村", "李家湾"),
    ("桃园村", "桃园"),
    ("张家畈村", "张家畈"),
    ("王家岗村", "王家岗"),
    ("陈家冲村", "陈家冲"),
    ("刘家寨村", "刘家寨"),
    ("石桥村", "石桥"),
    ("新河村", "新河"),
    ("双庙村", "双庙"),
    ("柳林村", "柳林"),
    ("杨家湾村", "杨家湾"),
    ("红星村", "红星"),
    ("周家铺村", "周家铺"),
    ("黄土岭村", "黄土岭"),
    ("枫树村", "枫树"),
    ("团山村", "团山"),
    ("胡家河村", "胡家河"),
    ("余家咀村", "余家咀|余家嘴"),
    ("白果树村", "白果树"),
    ("龙王庙村", "龙王庙"),
    ("徐家垸村", "徐家垸"),
]
EMAIL_VILLAGES = ("201", "205", "209", "214", "221")

# Roles of the golden villages (last three digits of the village code).
CUMULATIVE_VILLAGES = ("205", "211", "218")
CSV_VILLAGE = "215"
RESUBMISSION = ("207", "2026-01")
FIXED_INVALID = ("209", "2025-12")
OUTLIER = ("213", "2025-11")
MISSING_SUBMISSION = ("220", "2026-02")  # the Spring Festival month: nothing sent
NO_POPULATION_FORM = "222"  # never sends 人口变动 (an optional form)
POPULATION_IMBALANCE = ("211", "2026-03", 25)  # a month-end population 25 over what adds up
DUPLICATE_ROW = ("210", "2026-02")
LATE_SENDERS = {"204": REPORT_MONTHS, "217": ["2025-12", "2026-02"]}
NO_COVER = {
    "203": "code_name",
    "210": "alias_month",
    "216": "code_name",
    "219": "alias_month",
    "222": "code_name",
}
GENERIC_SHEET_NAMES = ("217",)
CSV_GBK_MONTHS = ("2025-10", "2025-11", "2025-12")
QUARANTINE_PLAN = [
    ("202", "2025-11", "check_character"),
    ("206", "2026-02", "birth_date_after_report_month"),
    ("212", "2025-10", "child_sex_vocabulary"),
    ("214", "2026-01", "id_as_number"),
    ("219", "2025-12", "mother_id_male_sex_digit"),
    ("208", "2026-03", "reward_recipient_under_60"),
]
UNKNOWN_VILLAGE = ("420117105201", "外镇村", "2026-03")


@dataclass
class GoldenPlan:
    """Everything true about the sample township, before it is written down by villages."""

    villages: list[Village]
    styles: dict[str, Style]
    people: People
    births: list[Birth] = field(default_factory=list)
    beneficiaries: list[Beneficiary] = field(default_factory=list)
    records: dict[tuple[str, str], MonthRecords] = field(default_factory=dict)
    received: dict[tuple[str, str], datetime] = field(default_factory=dict)
    cross: list[tuple[Birth, str, str]] = field(default_factory=list)  # birth, other village, month

    def code(self, short: str) -> str:
        return TOWNSHIP_CODE + short

    def present(self) -> list[tuple[str, str]]:
        """Every (village, month) that sent a report."""
        missing = (self.code(MISSING_SUBMISSION[0]), MISSING_SUBMISSION[1])
        return [(v.code, m) for m in REPORT_MONTHS for v in self.villages if (v.code, m) != missing]


def golden_villages() -> list[Village]:
    villages = []
    for i, (name, aliases) in enumerate(GOLDEN_VILLAGES, start=1):
        code = f"{TOWNSHIP_CODE}{200 + i}"
        email = f"cun{i:02d}@example.cn" if code[-3:] in EMAIL_VILLAGES else ""
        villages.append(
            Village(code, name, tuple(aliases.split("|")), TOWNSHIP_CODE, TOWNSHIP_NAME, email)
        )
    return villages


BARE_TABLES = {
    "title": "none",
    "units_row": False,
    "blank_rows": False,
    "totals_row": False,
    "footer": "none",
}
TEMPLATE_STYLE = {
    **BARE_TABLES,
    "headers": "canonical",
    "shuffle_columns": False,
    "seq_column": False,
    "date_style": "excel_iso",
    "parity_style": "int",
    "sex_style": "zh",
    "policy_words": ("是", "否"),
    "count_style": "number",
    "record_layout": "table",
    "sheet_names": "canonical",
    "pad_text": False,
}


def golden_styles(villages: list[Village], rng: random.Random, people: People) -> dict[str, Style]:
    styles = {}
    for village, choices in zip(villages, spread_styles(len(villages), rng), strict=True):
        short = village.short
        choices["reporter"] = people.name("女", date(1990, 1, 1))
        choices["phone"] = "13" + "".join(str(rng.randrange(10)) for _ in range(9))
        if short in NO_COVER:
            choices.update(has_cover=False, file_pattern=NO_COVER[short])
        if short in GENERIC_SHEET_NAMES:  # sheets recognised by their header rows alone
            choices.update(sheet_names="generic", record_layout="table")
        if short == "201":  # the village that fills the township's template exactly
            choices.update(TEMPLATE_STYLE)
        if short == CSV_VILLAGE:  # CSV exports hold the table alone, dates as Excel exports them
            choices.update(BARE_TABLES, date_style="slash", record_layout="mixed", seq_column=True)
        styles[village.code] = Style(**choices)
    return styles


def plan_golden(seed: int) -> GoldenPlan:
    rng = random.Random(seed)
    people = People(rng)
    villages = golden_villages()
    plan = GoldenPlan(villages, golden_styles(villages, rng, people), people)
    sizes = {v.code: rng.randint(300, 900) for v in villages}
    plan.births = plan_half_year_births(rng, people, villages, sizes)
    shift_missing_month(plan)
    for short, month, needed in (
        (*RESUBMISSION, 3),
        (*FIXED_INVALID, 2),
        (*DUPLICATE_ROW, 2),
    ):
        ensure_births(plan, plan.code(short), month, needed, rng)
    plan.cross = choose_cross_village_births(plan, rng)
    plan.births += previous_year_late_births(plan, rng, people)
    plan.beneficiaries = plan_beneficiaries(plan, rng, people, sizes)
    plan.records = plan_records(plan, rng, sizes)
    plan_population(plan, random.Random(seed * 7919 + 19), sizes)
    plan.received = plan_received_times(plan, rng)
    return plan


def plan_population(plan: GoldenPlan, rng: random.Random, sizes: dict[str, int]) -> None:
    """人口变动 for every village but one, month by month: the month-end population is last
    month's plus the village's births, less deaths, plus moves in, less moves out (one planted
    month over by POPULATION_IMBALANCE). Its own random stream: the rest of the plan (and the
    seed report's figures) stays as it was."""
    born: dict[tuple[str, str], int] = {}
    for b in plan.births:
        key = (b.village, month_of(b.birth_date))
        born[key] = born.get(key, 0) + 1
    off_village, off_month, off_by = POPULATION_IMBALANCE
    for v in plan.villages:
        if v.code == plan.code(NO_POPULATION_FORM):
            continue
        population = sizes[v.code] * 4 + rng.randint(0, 500)
        certificates = sizes[v.code] // 6 + rng.randint(0, 30)
        for month in REPORT_MONTHS:
            moves = {
                "deaths": rng.randint(0, 4),
                "moved_in": rng.randint(0, 5),
                "moved_out": rng.randint(0, 6),
                "marriages": rng.randint(0, 3),
            }
            population += born.get((v.code, month), 0) - moves["deaths"]
            population += moves["moved_in"] - moves["moved_out"]
            certificates += rng.randint(0, 2)
            record = plan.records.get((v.code, month))
            if record is None:
                continue  # nothing sent that month
            reported = population + (
                off_by if (v.code, month) == (plan.code(off_village), off_month) else 0
            )
            record.population = {
                "population": reported,
                **moves,
                "one_child_certificates": certificates,
            }


def plan_half_year_births(
    rng: random.Random, people: People, villages: list[Village], sizes: dict[str, int]
) -> list[Birth]:
    """The 477 births of SY2026H1 with exactly the seed report's parity, policy and sex split."""
    # Deliveries: three twin pairs (first+second, first+second, second+third) and singles.
    deliveries = [(1, 2), (1, 2), (2, 3)] + [(p,) for p in [1] * 401 + [2] * 61 + [3] * 8 + [4]]
    singles_2 = [i for i, d in enumerate(deliveries) if d == (2,)]
    singles_3plus = [i for i, d in enumerate(deliveries) if len(d) == 1 and d[0] >= 3]
    out_of_policy = set(rng.sample(singles_2, 7)) | set(rng.sample(singles_3plus, 3))
    sexes = ["男"] * 241 + ["女"] * 236
    rng.shuffle(sexes)
    codes = [v.code for v in villages]
    weights = [sizes[c] for c in codes]
    births = []
    for index, parities in enumerate(deliveries):
        village = rng.choices(codes, weights)[0]
        month = rng.choices(REPORT_MONTHS, weights=[17, 16, 17, 18, 15, 17])[0]
        day = day_in(month, rng)
        residence = rng.choices(["户籍", "流出", "流入"], weights=[87, 7, 6])[0]
        county = rng.choice(NEIGHBOUR_COUNTIES) if residence == "流入" else HOME_COUNTY
        mother, father = parents(people, rng, day, max(parities), county)
        report = late_report_month(rng, month)
        for parity in parities:
            sex = sexes.pop()
            births.append(
                Birth(
                    mother=mother,
                    father=father,
                    child_name=father.name[0] + people.given(sex, "child"),
                    child_sex=sex,
                    birth_date=day,
                    parity=parity,
                    in_policy=index not in out_of_policy,
                    village=village,
                    residence=residence,
                    report_month=report,
                    twin=len(parities) > 1,
                )
            )
    return births


def late_report_month(rng: random.Random, month: str) -> str:
    """Most births are reported in their own month; some a month or two late."""
    if month < REPORT_MONTHS[-1] and rng.random() < 0.08:
        late = shift_month(month, 2 if rng.random() < 0.2 else 1)
        return min(late, REPORT_MONTHS[-1])
    return month


def shift_missing_month(plan: GoldenPlan) -> None:
    """The village that sent nothing for a month reports that month's births the month after."""
    village, month = plan.code(MISSING_SUBMISSION[0]), MISSING_SUBMISSION[1]
    for b in plan.births:
        if b.village == village and b.report_month == month:
            b.report_month = shift_month(month, 1)


def plain_villages(plan: GoldenPlan) -> list[str]:
    """Villages without a role of their own, free to carry the per-row noise."""
    busy = {
        *CUMULATIVE_VILLAGES,
        CSV_VILLAGE,
        RESUBMISSION[0],
        FIXED_INVALID[0],
        MISSING_SUBMISSION[0],
    }
    return [v.code for v in plan.villages if v.short not in busy]


def is_simple(b: Birth) -> bool:
    """A single 户籍 birth reported in its own month, with no role yet."""
    return (
        not b.twin
        and not b.role
        and b.residence == "户籍"
        and b.report_month == month_of(b.birth_date)
    )


def ensure_births(
    plan: GoldenPlan, village: str, month: str, needed: int, rng: random.Random
) -> None:
    """Give a village at least `needed` simple births in `month`, moved from plain villages."""
    have = [
        b for b in plan.births if b.village == village and b.report_month == month and is_simple(b)
    ]
    donors = [
        b
        for b in plan.births
        if b.village in plain_villages(plan)
        and b.village != village
        and b.report_month == month
        and is_simple(b)
    ]
    for b in rng.sample(donors, max(0, needed - len(have))):
        b.village = village


def choose_cross_village_births(
    plan: GoldenPlan, rng: random.Random
) -> list[tuple[Birth, str, str]]:
    """Births the mother's home village lists, and that another village also lists as 流入."""
    plain = plain_villages(plan)
    candidates = [
        b
        for b in plan.births
        if b.village in plain and is_simple(b) and month_of(b.birth_date) <= "2026-01"
    ]
    chosen = rng.sample(candidates, 3)
    cross = []
    for case, b in enumerate(chosen):
        b.role = "cross_village"
        other = rng.choice([c for c in plain if c != b.village])
        month = b.report_month
        if case == 1:  # the other village reports first; the home village a month late
            b.report_month = shift_month(month, 1)
        elif case == 2:  # the other village reports a month later
            month = shift_month(month, 1)
        if case == 0:
            b.residence = "流出"  # home says she is away, the other village says she came in
        cross.append((b, other, month))
    return cross


def previous_year_late_births(plan: GoldenPlan, rng: random.Random, people: People) -> list[Birth]:
    """Births of August and September 2025 (statistical year SY2025) first reported in Oct/Nov."""
    plain = plain_villages(plan)
    births = []
    for _ in range(6):
        month = rng.choice(["2025-08", "2025-09"])
        day = day_in(month, rng)
        parity = 1 if rng.random() < 0.8 else 2
        report = "2025-10" if month == "2025-08" else rng.choice(["2025-10", "2025-11"])
        birth = new_birth(people, rng, day, parity, rng.choice(plain), report)
        birth.role = "previous_year"
        births.append(birth)
    return births


def plan_beneficiaries(
    plan: GoldenPlan, rng: random.Random, people: People, sizes: dict[str, int]
) -> list[Beneficiary]:
    """New beneficiaries approved in each village-month: 138 奖扶, 6 特扶, 198 独女户."""
    slots = plan.present()
    weights = [sizes[v] for v, _ in slots]
    out = []
    for category, count in (("农村奖励扶助", 138), ("特别扶助", 6), ("独女户高考加分", 198)):
        for i in range(count):
            village, month = rng.choices(slots, weights)[0]
            approved = day_in(month, rng, 1, 28)
            out.append(
                Beneficiary(
                    beneficiary_person(people, rng, category, approved, i),
                    category,
                    approved,
                    village,
                )
            )
    return out


def plan_records(
    plan: GoldenPlan, rng: random.Random, sizes: dict[str, int]
) -> dict[tuple[str, str], MonthRecords]:
    present = set(plan.present())
    stocks = {v.code: VillageStock.random(rng, sizes[v.code]) for v in plan.villages}
    records = {}
    for month in REPORT_MONTHS:
        for v in plan.villages:
            stock = stocks[v.code]
            stock.drift(rng)
            if (v.code, month) in present:
                records[(v.code, month)] = month_records(rng, stock, month)
    fit_service_totals(rng, records)
    plant_outlier(plan, records)
    return records


def fit_service_totals(rng: random.Random, records: dict[tuple[str, str], MonthRecords]) -> None:
    """Leaflets, slogans and posters add up to the seed report's 5000余份, 100条, 100套."""
    keys = sorted(records)
    totals = {"leaflets": rng.randint(5000, 5099), "slogans": 100, "posters": 100}
    for indicator, total in totals.items():
        skew = 1 if indicator == "leaflets" else 3  # slogans and posters: most months none
        weights = [rng.random() ** skew + 0.01 for _ in keys]
        for key, value in zip(keys, split_total(total, weights), strict=True):
            records[key].services[indicator] = value


def plant_outlier(plan: GoldenPlan, records: dict[tuple[str, str], MonthRecords]) -> None:
    """One month where every contraception figure was entered three times over."""
    key = (plan.code(OUTLIER[0]), OUTLIER[1])
    records[key].contraception = {k: 3 * n for k, n in records[key].contraception.items()}


def plan_received_times(plan: GoldenPlan, rng: random.Random) -> dict[tuple[str, str], datetime]:
    times = {}
    for village, month in plan.present():
        short = village[-3:]
        late = month in LATE_SENDERS.get(short, []) or rng.random() < 0.04
        times[(village, month)] = received_time(rng, month, late)
    return times


def split_total(total: int, weights: list[float]) -> list[int]:
    """Integers proportional to weights that add up to total exactly (largest remainder)."""
    scale = total / sum(weights)
    exact = [w * scale for w in weights]
    parts = [int(x) for x in exact]
    by_remainder = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in by_remainder[: total - sum(parts)]:
        parts[i] += 1
    return parts
