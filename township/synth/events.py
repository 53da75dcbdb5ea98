"""The sample's true world: villages, births, new beneficiaries and monthly figures.

What truly happened, before any village writes it down; the truth (indicators) is computed
from these events and the files are written from them.
"""

from __future__ import annotations

import csv
import io
import random
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from township.synth.people import HOME_COUNTY, People, Person, age_on


@dataclass(frozen=True)
class Village:
    """A village as the township's village list (villages.csv) has it."""

    code: str
    name: str
    aliases: tuple[str, ...]
    township_code: str
    township_name: str
    email: str = ""

    @property
    def short(self) -> str:
        return self.code[-3:]


def write_villages_csv(path: Path, villages: list[Village]) -> None:
    """The village list, as township/villages.py reads it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(
        ["village_code", "village_name", "aliases", "township_code", "township_name", "email"]
    )
    for v in villages:
        writer.writerow(
            [v.code, v.name, "|".join(v.aliases), v.township_code, v.township_name, v.email]
        )
    path.write_text(buffer.getvalue(), encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# Births and beneficiaries
# ---------------------------------------------------------------------------------------------


@dataclass
class Birth:
    """One live-born child, as it truly happened, and where it is counted."""

    mother: Person
    father: Person
    child_name: str
    child_sex: str
    birth_date: date
    parity: int
    in_policy: bool
    village: str  # code of the village the birth counts for
    residence: str  # 户籍 | 流出 | 流入, as that village lists it
    report_month: str  # the first month that village lists it
    twin: bool = False
    role: str = ""  # the noise this birth carries, if any


@dataclass(frozen=True)
class Beneficiary:
    """A person newly approved for a reward or an assistance, in the village that lists them."""

    person: Person
    category: str
    approved_on: date
    village: str


def parents(
    people: People, rng: random.Random, day: date, parity: int, county: str
) -> tuple[Person, Person]:
    """A mother of an age that fits the parity, and a father a little older."""
    youngest, oldest = {1: (20, 34), 2: (24, 40)}.get(parity, (28, 42))
    mother = people.aged("女", day, youngest, oldest, county)
    father_age = min(48, age_on(mother, day) + rng.randint(0, 6))
    father = people.aged("男", day, max(22, father_age - 1), max(22, father_age), county)
    return mother, father


def new_birth(
    people: People,
    rng: random.Random,
    day: date,
    parity: int,
    village: str,
    report_month: str,
    in_policy: bool = True,
    county: str = HOME_COUNTY,
) -> Birth:
    """A singleton birth to a new couple; the child takes the father's surname."""
    mother, father = parents(people, rng, day, parity, county)
    sex = rng.choice(["男", "女"])
    return Birth(
        mother=mother,
        father=father,
        child_name=father.name[0] + people.given(sex, "child"),
        child_sex=sex,
        birth_date=day,
        parity=parity,
        in_policy=in_policy,
        village=village,
        residence="户籍",
        report_month=report_month,
    )


def beneficiary_person(
    people: People, rng: random.Random, category: str, on: date, i: int
) -> Person:
    """Someone of the sex and age the category asks for (i: the category's i-th new person)."""
    if category == "农村奖励扶助":  # parents of one child or two daughters, from age 60
        return people.aged(rng.choice(["男", "女"]), on, 60, 66)
    if category == "特别扶助":  # bereaved or disabled only child; mothers from 49, one father
        return people.aged("男", on, 52, 60) if i == 0 else people.aged("女", on, 49, 62)
    return people.aged(rng.choice(["男", "女"]), on, 40, 52)  # 独女户: a parent of the candidate


# ---------------------------------------------------------------------------------------------
# Monthly records: contraception, migrants, services
# ---------------------------------------------------------------------------------------------


@dataclass
class MonthRecords:
    """The one-record forms of a village-month."""

    contraception: dict[str, int]
    migrants: dict[str, int]
    services: dict[str, int]
    population: dict[str, int] | None = None  # 人口变动: optional, not every village sends it


METHOD_SHARES = {  # typical shares of married women of childbearing age, by method
    "iud": (0.38, 0.50),
    "implant": (0.01, 0.04),
    "female_sterilization": (0.12, 0.22),
    "male_sterilization": (0.0, 0.015),
    "pill": (0.01, 0.04),
    "condom": (0.10, 0.18),
    "other_method": (0.005, 0.02),
}


@dataclass
class VillageStock:
    """A village's population figures, drifting slowly from month to month."""

    married_women: int
    shares: dict[str, float]
    out_share: float
    out_women_share: float
    in_migrants: int

    @classmethod
    def random(cls, rng: random.Random, married_women: int) -> VillageStock:
        shares = {m: rng.uniform(lo, hi) for m, (lo, hi) in METHOD_SHARES.items()}
        return cls(
            married_women,
            shares,
            rng.uniform(0.45, 0.8),
            rng.uniform(0.28, 0.4),
            rng.randint(5, 40),
        )

    def drift(self, rng: random.Random) -> None:
        self.married_women = max(50, self.married_women + rng.randint(-3, 4))
        self.in_migrants = max(0, self.in_migrants + rng.randint(-2, 2))

    def contraception(self) -> dict[str, int]:
        women = self.married_women
        methods = {m: int(share * women) for m, share in self.shares.items()}
        # Methods plus no method add up to the married women exactly.
        return {"married_women": women, **methods, "no_method": women - sum(methods.values())}

    def migrants(self, rng: random.Random) -> dict[str, int]:
        out = int(self.married_women * self.out_share)
        out_women = int(out * self.out_women_share)
        return {
            "out_migrants": out,
            "out_married_women": out_women,
            "out_certified": out_women - rng.randint(0, max(1, out_women // 10)),
            "out_contacted": out_women - rng.randint(0, max(1, out_women // 4)),
            "in_migrants": self.in_migrants,
            "in_married_women": self.in_migrants // 3,
        }


def services_values(rng: random.Random, month: str, married_women: int) -> dict[str, int]:
    quarter_end = int(month[5:7]) % 3 == 0  # 三查 is quarterly; other months only catch-ups
    due = int(married_women * rng.uniform(0.2, 0.3)) if quarter_end else rng.randint(0, 8)
    return {
        "leaflets": rng.randint(20, 60),
        "slogans": rng.randint(0, 2),
        "posters": rng.randint(0, 2),
        "consultations": rng.randint(2, 30),
        "checkups_due": due,
        "checkups_done": due - rng.randint(0, min(due, 6)),
        "follow_up_visits": rng.randint(5, 40),
        "two_non_cases": 0,
    }


def month_records(rng: random.Random, stock: VillageStock, month: str) -> MonthRecords:
    """The month's figures of a village, from its stock as it stands."""
    return MonthRecords(
        stock.contraception(), stock.migrants(rng), services_values(rng, month, stock.married_women)
    )
