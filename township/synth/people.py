"""Synthetic residents: plausible names and valid, unique GB 11643 ID numbers.

Also the mistakes people make with ID numbers, for the noise the golden sample plants: a wrong
check character, an ID typed into a number cell, and the masked form the truth file shows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from stdnum.cn import ric

# stdnum.cn.ric accepts a county code only for people born while the code was in use, so each
# county lists its successive codes with the birth years they cover (新洲县 became 新洲区 in 1998).
COUNTY_CODES: dict[str, tuple[tuple[int, int, str], ...]] = {
    "新洲区": ((1900, 1982, "422122"), (1983, 1997, "420124"), (1998, 2100, "420117")),
    "黄陂区": ((1983, 1997, "420123"), (1998, 2100, "420116")),
    "红安县": ((1900, 1994, "422123"), (1995, 2100, "421122")),
    "麻城市": ((1986, 1994, "422101"), (1995, 2100, "421181")),
    "团风县": ((1995, 2100, "421121"),),
}
HOME_COUNTY = "新洲区"
NEIGHBOUR_COUNTIES = ["黄陂区", "红安县", "麻城市", "团风县"]

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙胡朱高林何郭马罗余熊梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎潘杜戴夏钟汪田任姜范方石姚谭廖邹金陆郝孔白崔康毛邱秦江史顾侯邵孟"
)
GIVEN_CHARS = {  # characters of given names, by sex and by the generation they were born in
    "女": {
        "young": "婷静丹敏娟丽艳芳霞燕倩颖雪慧琳玲萍莉璐瑶佳欣怡悦晶蕾岚洁琴薇茜梦思雨月嘉晓紫萌",
        "old": "秀英兰桂珍凤华玉翠云梅芬琼菊春香莲娥萍爱",
        "child": "子梓一欣若诗依语思奕锦安可嘉梦涵萱诺琪彤希然瑶汐恩悦雨",
    },
    "男": {
        "young": "伟强磊军勇杰涛明超辉刚斌鹏俊浩宇峰波亮华建林志文海东成龙飞凯锋帅阳坤鑫",
        "old": "建国明华德福生林春志发平清金水山荣贵友学",
        "child": "子梓一沐浩宇奕锦安俊睿轩宸辰泽然恩博文昊铭航承",
    },
}


@dataclass(frozen=True)
class Person:
    name: str
    id_number: str
    birth_date: date
    sex: str  # 男 | 女


def age_on(person: Person, day: date) -> int:
    born = person.birth_date
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _county_code(county: str, year: int) -> str | None:
    return next((code for lo, hi, code in COUNTY_CODES[county] if lo <= year <= hi), None)


class People:
    """Synthetic residents: plausible names, unique and valid GB 11643 ID numbers."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def born_aged(self, on: date, youngest: int, oldest: int) -> date:
        """A birth date that makes the person youngest…oldest years old on `on`."""
        years = self.rng.randint(youngest, oldest)
        latest = _years_before(on, years)
        earliest = _years_before(on, years + 1) + timedelta(days=1)
        return earliest + timedelta(days=self.rng.randrange((latest - earliest).days + 1))

    def person(self, sex: str, born: date, county: str = HOME_COUNTY, surname: str = "") -> Person:
        return Person(self.name(sex, born, surname), self.id_number(sex, born, county), born, sex)

    def aged(
        self, sex: str, on: date, youngest: int, oldest: int, county: str = HOME_COUNTY
    ) -> Person:
        return self.person(sex, self.born_aged(on, youngest, oldest), county)

    def id_number(self, sex: str, born: date, county: str) -> str:
        code = _county_code(county, born.year) or _county_code(HOME_COUNTY, born.year)
        while True:
            # The sequence number's last digit is the sex: odd for men, even for women.
            sequence = self.rng.randrange(1, 500) * 2 - (1 if sex == "男" else 0)
            body = f"{code}{born:%Y%m%d}{sequence:03d}"
            number = body + ric.calc_check_digit(body + "0")
            if number not in self.used:
                self.used.add(number)
                return number

    def name(self, sex: str, born: date, surname: str = "") -> str:
        generation = "old" if born.year < 1975 else "young"
        return (surname or self.surname()) + self.given(sex, generation)

    def surname(self) -> str:
        # Common surnames first: weights fall off along the list.
        return self.rng.choices(SURNAMES, weights=[1 / (i + 8) for i in range(len(SURNAMES))])[0]

    def given(self, sex: str, generation: str) -> str:
        chars = GIVEN_CHARS[sex][generation]
        length = 1 if self.rng.random() < 0.3 else 2
        return "".join(self.rng.sample(chars, length))


def wrong_check_character(id_number: str) -> str:
    """The same ID with a check character that does not match (a typing slip)."""
    last = id_number[-1]
    replacement = "0" if last == "X" else str((int(last) + 7) % 10)
    return id_number[:-1] + replacement


def excel_mangled(id_number: str) -> float:
    """The number Excel keeps when an ID is typed into a number cell: 15 significant digits."""
    return float(int(id_number[:15]) * 1000)


def mask_id(id_number: str) -> str:
    return id_number[:6] + "*" * 8 + id_number[14:]
