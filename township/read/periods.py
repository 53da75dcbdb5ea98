"""What names a period, and whose figures a heading, title, row label or sheet name says they
are: the words of this month, of earlier periods and of sums over months, months and days
named in text, and the tests on them. Defined here once; the layout, the copies of a form in
a sheet and the rows of a one-record form all ask these.

The tests with near names answer different questions:
- heads_a_period: a column's heading of some period's figures or of a change (本月, 上月数, 新增);
- names_a_period: a title or tab naming any period (2026年2月, 本月, 累计);
- says_this_month: a heading saying this month in words (本月数, 期末), none of another;
- names_this_month: a title or tab naming the report month (3月, 本月), no sum up to it;
- is_this_months: a heading naming the report month itself (3月), not last year's (上年3月)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

from township.forms import load_catalogue, normalise_label
from township.read.values import clean_text
from township.villages import NAME_ENDINGS

# A month named in a sheet's name (3月出生登记, 出生登记2026年3月, 节育措施202603, 三月): a
# workbook kept with a tab for each month. A range (1-3月) names no single month.
_NAMED_MONTH = [
    re.compile(r"(?<!\d)(\d{4})\s*[年./_-]\s*(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(20\d{2})(0[1-9]|1[0-2])(?!\d)"),
    # 截至3月底 names March; 1至3月 is a range (_MONTH_RANGE)
    re.compile(r"()(?<![\d~～到—-])(?<![\d一二三四五六七八九十]至)(\d{1,2})\s*月"),
    re.compile(r"()(十[一二]?|[一二三四五六七八九])月"),
]
_CHINESE_MONTHS = {w: n for n, w in enumerate("一二三四五六七八九十", 1)} | {"十一": 11, "十二": 12}


# Formal numerals (壹月, 叁月: as on cheques and some printed forms) and 元月 (January) read as
# the ordinary ones.
_FORMAL_NUMERALS = str.maketrans("壹贰貳叁參肆伍陆陸柒捌玖拾", "一二二三三四五六六七八九十")


def plain_numerals(text: str) -> str:
    """叁月 → 三月, 元月 → 一月: a month in formal numerals, in ordinary ones."""
    if "月" not in text:
        return text
    return text.translate(_FORMAL_NUMERALS).replace("元月", "一月")


def month_named_in(name: str) -> tuple[int | None, int] | None:
    """(year or None, month) a sheet's name names, or None when it names none or a range."""
    text = plain_numerals(clean_text(str(name)))
    if _MONTH_RANGE.search(text) or _days_over_months(text):
        return None
    for pattern in _NAMED_MONTH:
        match = pattern.search(text)
        if match is None:
            continue
        word = match.group(2)
        month = _CHINESE_MONTHS.get(word) or int(word)
        if 1 <= month <= 12:
            return (int(match.group(1)) if match.group(1) else None, month)
    return None


# A day named (截至2026年2月28日, 2月1日至2月28日, 2026.2.28, 2026/2/28, 2026-02-28, the end
# of a range 2026.2.26-3.25 or 2月26日-25日, 本月25日): a period's end or a filing date. A day before the report
# month began tells which: no figure of the month is known before it, so the figures are an
# earlier period's. A day something starts from (2月26日起) is neither.
_NAMED_DAY = re.compile(
    r"(?:(?<!\d)(?P<y>\d{4})\s*年\s*)?(?<!\d)(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]"
    r"|(?<![\d./])(?P<y2>\d{4})\s*(?P<sep>[./-])\s*(?P<m2>\d{1,2})\s*(?P=sep)\s*(?P<d2>\d{1,2})(?![\d./])"
    r"|(?<=[-~～至到—–])\s*(?P<m3>\d{1,2})\s*[./]\s*(?P<d3>\d{1,2})(?![\d./])"
    r"|(?:本月|当月)\s*(?P<d4>\d{1,2})\s*[日号]"
    r"|(?<=[-~～至到—–])\s*(?P<d5>\d{1,2})\s*[日号]"
)
_STARTS = re.compile(r"\s*(起|开始)")
_UP_TO_WORD = re.compile(r"截至|截止")
_RANGE_BETWEEN = re.compile(r"[-~～至到—–]")
EARLIER_MONTHS = 6  # 12月31日 in a January file is last December's; 4月2日 in March's is after


@lru_cache(maxsize=4096)
def _days(text: str) -> tuple[tuple[int | None, int | None, int, int], ...]:
    """The days a text names, in order: (year or None, month or None for 本月 or a range's end
    with no start before it, day, end offset)."""
    out: list[tuple[int | None, int | None, int, int]] = []
    for m in _NAMED_DAY.finditer(text):
        year = m["y"] or m["y2"]
        number = m["m"] or m["m2"] or m["m3"]
        if number is not None and not 1 <= int(number) <= 12:
            continue
        day = int(m["d"] or m["d2"] or m["d3"] or m["d4"] or m["d5"])
        if m["d5"] and out and out[-1][1] is not None:  # 2月1日-28日, 2月26日-25日
            year, number = _range_end(out[-1], day)
        out.append((int(year) if year else None, int(number) if number else None, day, m.end()))
    return tuple(out)


def _range_end(start: tuple[int | None, int | None, int, int], day: int) -> tuple[int | None, int]:
    """The year and month of a range's end given as a day alone: the start's month when after
    its day (2月1日-28日), else the next (2月26日-25日)."""
    year, month, first, _ = start
    if day > first:
        return year, month
    return (year + (month == 12) if year else None), month % 12 + 1


def ends_before(text: str, month: str) -> bool | None:
    """Whether the day a text's figures are up to is before the report month 'YYYY-MM' began:
    the day after 截至/截止, else the last day it names; None when it names no day, or that day
    is a start (2月26日起). A day with no year is of the months
    just before the report month or not; 本月25日 is of the month."""
    days = _days(text)
    up_to = _UP_TO_WORD.search(text)  # 截至2026年2月28日 … 2026.3.5: the day it is up to
    day = next((d for d in days if up_to and d[3] > up_to.end()), days[-1] if days else None)
    if day is None or _STARTS.match(text, day[3]):
        return None
    year, number, _, _ = day
    if number is None:  # 本月25日: the month's
        return False
    if year is not None:
        return (year, number) < (int(month[:4]), int(month[5:7]))
    return 1 <= (int(month[5:7]) - number) % 12 <= EARLIER_MONTHS


def a_day_alone(text: str) -> bool:
    """A label that is a day and nothing else (2026年2月28日, 截至2月28日, 2026-02-28)."""
    days = _NAMED_DAY.fullmatch(text.strip().removeprefix("截至").removeprefix("截止"))
    return days is not None


def _days_over_months(text: str) -> bool:
    """A range of days over more than a month (2026年1月1日至3月31日, 2月1日-3月31日): a sum over
    months; not a statistical month from the 26th (2月26日至3月25日)."""
    if _RANGE_BETWEEN.search(text) is None:  # most texts (names, IDs): no range at all
        return False
    days = _days(text)
    if len(days) < 2 or not _RANGE_BETWEEN.search(text, days[0][3]):
        return False
    (_, first, start, _), (_, last, _, _) = days[0], days[-1]
    if first is None or last is None:
        return False
    spanned = (last - first) % 12
    return spanned >= 2 or (spanned == 1 and start == 1)


def names_month(name: str, month: str) -> bool | None:
    """Whether a sheet's name names the report month 'YYYY-MM' (None: it names no month)."""
    named = month_named_in(name)
    if named is None:
        return None
    year, number = named
    return number == int(month[5:7]) and (year is None or year == int(month[:4]))


# Words beside a row of figures, or in a heading, that say it is not this month's (上月末).
EARLIER_ROW_WORDS = ("上月", "上期", "上年", "去年", "同期", "前月", "年初", "月初", "上次")
_SPACES = re.compile(r"\s+")


@lru_cache(maxsize=4096)
def names_earlier(text: str) -> bool:
    """A name or label holding one of EARLIER_ROW_WORDS (节育措施(上月); spaced out as printed
    forms are, 上 月). Compare names_an_earlier_period, of a whole phrase."""
    text = _SPACES.sub("", text)
    return any(word in text for word in EARLIER_ROW_WORDS)


# An earlier period as a whole phrase (上月, 上个月, 上一期, 上年同期数, 上季度末, 期初数, 前年;
# a year: 2025年, 2025年度, 2025年末); inside a sentence these words say other things (与上月相比
# 无变化, 上一轮清查后, 期初数据以年报为准, 2025年版)
_EARLIER_PHRASE = re.compile(
    r"(?:截至|截止)?(?:上个?月份?|上一个月|上一?期|上一?年度?|上一?季度?|去年|前年|前月|上次"
    r"|年初|月初|期初|同期)(?:同期)?(?:[年月期]?末|年?底)?(?:人数|数|数据|对比数)?"
)
# This month's words that make a title no earlier period's (本月与上月对比); not 期末, which
# an earlier period's end has too (上月期末)
_THIS_MONTH_WORDS = ("本月", "本期", "当月")
_YEAR_PHRASE = re.compile(r"(\d{4})年(?:度)?(?:年?末|年?底|全年|上半年|下半年)?(?:数|数据)?")


@lru_cache(maxsize=4096)
def names_an_earlier_period(text: str, month: str, years: bool = True) -> bool:
    """A title, tab or label whose clause is an earlier period than the report month
    'YYYY-MM' and nothing else but the form's and a village's name (上月节育措施情况, 节育措施
    情况（上年同期）, 2025年度节育措施情况, 期初数, 报告期：上月), with no word of this month
    beside it (本月与上月对比); a year before the report's counts with `years` (a title's, not
    a tab's: 节育措施（2025年）, a workbook kept from last year)."""
    if any(w in _SPACES.sub("", text) for w in _THIS_MONTH_WORDS):
        return False
    for clause in title_clauses(text):
        if _a_phrase(clause, _EARLIER_PHRASE):
            return True
        year = _YEAR_PHRASE.fullmatch(without_title_words(clause))
        if years and year is not None and int(year[1]) < int(month[:4]):
            return True
    return False


def _a_phrase(clause: str, phrase: re.Pattern[str]) -> bool:
    """A clause that is the phrase but for title words around it (上月节育措施情况, 上月报表:
    报表 after it, not 月报 over its 月)."""
    if phrase.fullmatch(without_title_words(clause)):
        return True
    opening = phrase.match(clause)
    return opening is not None and not without_title_words(clause[opening.end() :])


@lru_cache(maxsize=4096)
def title_clauses(text: str) -> tuple[str, ...]:
    """A title's clauses (parted as _CLAUSE_BREAK parts them; months listed with commas kept
    whole, 1,2,3月), without spaces, quotes and a village's name before them (复合村上月)."""
    text = _LISTED_MONTHS.sub("、", unicodedata.normalize("NFKC", text))
    text = _UP_TO_KEY.sub(r"\1", text)  # 统计截止：3月底: the key's 截止 is the phrase's
    clauses = (_PLAIN.sub("", c) for c in _CLAUSE_BREAK.split(text))
    return tuple(_without_a_village(c) for c in clauses if c)


def _without_a_village(clause: str) -> str:
    """A clause without a village's name opening it (复合村上月 → 上月); not 上月全村, whose
    period is before the 村."""
    village = _A_VILLAGE.match(clause)
    if village is None or may_name_a_period(village[0]):
        return clause
    return clause[village.end() :]


def without_title_words(clause: str) -> str:
    """A clause without the forms' names and the words of titles (情况, 统计表: `title_words`
    in schemas/forms.yaml)."""
    return _title_words_pattern().sub("", clause)


_UP_TO_KEY = re.compile(r"(截至|截止)\s*:\s*")  # after NFKC, ： is :
_PLAIN = re.compile(r"[\s“”\"'‘’《》]+")  # spaces and quotes (“两非”案件)
_LISTED_MONTHS = re.compile(r"(?<=[\d一二三四五六七八九十])[，,](?=[\d一二三四五六七八九十])")
# a village's or its committee's name opening a clause (复合村上月节育措施情况)
_A_VILLAGE = re.compile(rf"^[\u4e00-\u9fff]{{1,6}}?(?:{'|'.join(NAME_ENDINGS)})(?=.)")


@cache
def _title_words_pattern() -> re.Pattern[str]:
    catalogue = load_catalogue()
    names = {normalise_label(a) for f in catalogue.forms.values() for a in f.sheet_aliases}
    names |= {normalise_label(f.name_zh) for f in catalogue.forms.values()}
    words = sorted(names | set(catalogue.title_words), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, filter(None, words))))


def heads_a_period(label: str) -> bool:
    """A column's heading of some period's figures, or of a change or a plan (本月, 现有, 2月,
    上月数, 新增, 计划): no part of a whole (男, 女). Compare names_a_period, of titles."""
    return any(w in label for w in (*THIS_MONTH, *PRESENT, *NOT_THIS_MONTH)) or bool(
        month_named_in(label)
    )


# Column headers of a list's figures that are not this month's stock or count (项目 | 上月数 |
# 本月数 | 累计; 人数 | 其中：本月新增).
NOT_THIS_MONTH = (
    *EARLIER_ROW_WORDS,
    "期初",
    "累计",
    "合计",
    "新增",
    "变动",
    "增减",
    "增加",
    "减少",
    "其中",
    # 本月计划 | 本月完成, 任务数 | 完成数, 目标 | 实际: a plan is no figure of what was done
    "计划",
    "任务",
    "目标",
    "季度",
)
THIS_MONTH = ("本月", "本期", "当月", "期末")
# A year's plan or how often something is done, in a title or tab (全年计划1200份, 年度目标500
# 人次, 三查每季度一次): no period of the figures under it. Only the phrase itself goes: the
# rest of its clause still says whose they are (1-3月累计、全年计划1200份 is a sum of months), and
# 计划 alone is no plan (计划生育, family planning, is in most titles).
_A_PLAN = re.compile(
    r"(?:全年|年度|本年度?|今年)(?:的)?(?:计划|任务|目标)(?:数|任务)?[:：]?[\d,，.%％份人次件条张场个余]*"
    r"|每(?:个)?(?:月|季度?|半年|年|周)(?:一次|1次)?"
)


def without_plans(text: str) -> str:
    """A title or tab without its plan and how-often phrases (_A_PLAN)."""
    return _A_PLAN.sub(" ", text) if "每" in text or "年" in text else text


# What a heading beside last month's end says of the figure now (2月末 | 现有): this month's;
# for a stock before 本月 (then the month's change), for a list only where no column says 本月.
PRESENT = ("现有",)

# Words of a heading over figures of a period other than a month's own (上月数, 本年累计,
# 一季度, 上年同期)
OTHER_PERIODS = (*EARLIER_ROW_WORDS, "本年", "年度")  # beside is_running_total's
# A sum over months, not a month's own figure: 本年累计, 一季度, 今年以来, 1-3月, 一至三月
# (not 年度 nor 本年 alone: 2026年度月报 names a year's reports, 本年3月 a month)
RUNNING_TOTAL_WORDS = (
    *("累计", "季度", "全年", "以来", "至今", "上半年", "下半年"),
    *("Q1", "Q2", "Q3", "Q4"),  # 2026年Q1: a quarter, as a spreadsheet's users write it
)
# Up to now: a stock's figure this month, but a sum so far of a form counting events
UP_TO_NOW = tuple(f"{up_to}{this}" for up_to in ("截至", "截止") for this in ("本月", "当月"))
_A_MONTH = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"
# 1-3月, 一至三月, 元-3月 and 元月至3月 (元月: January; 元3月, a heading without its dash)
_MONTH_RANGE = re.compile(
    rf"(?<!\d)(?:{_A_MONTH}|元)\s*月?\s*[-—–~～至到]\s*{_A_MONTH}\s*月"
    rf"|元\s*月?\s*{_A_MONTH}\s*月"
)
# Months listed or counted as a whole phrase (1、2、3月, 1+2+3月份, 近三个月, 3个月合计); inside
# a sentence they say other things (含孕3个月内随访, 外出6个月以上)
_MONTHS_PHRASE = re.compile(
    rf"(?:(?:{_A_MONTH}月?[、,+])+{_A_MONTH}月份?"  # after NFKC, a comma between months 、
    r"|(?:近|前|最近)?(?:[2-9]|1[0-2]|[二三四五六七八九两]|十[一二]?)个月"
    r"|近(?:[2-9]|1[0-2]|[二三四五六七八九两]|十[一二]?)月)(?:合计|累计)?数?"
)
# A sum so far as a whole phrase, of a form counting events (截至3月底, 至3月, 今年, 年内, 本季)
_UP_TO_PHRASE = re.compile(
    rf"(?:(?:截至|截止|至|到)到?(?:\d{{4}}年)?(?:{_A_MONTH}月份?|本月|当月|目前|今)(?:底|末)?"
    r"|今年(?:以来)?|本年度?|年内|本季度?(?:末|底)?)(?:累计)?数?"
)


@cache
def counts_events(form_name: str) -> bool:
    """Whether a form counts events (宣传服务's leaflets, 人口变动's deaths), whose sum over
    months is not a month's figure; a stock's at a quarter's end (节育措施 titled 2026年第一季度)
    is its last month's."""
    return any(f.measure != "stock" for f in load_catalogue().forms[form_name].fields)


@lru_cache(maxsize=4096)
def is_running_total(text: str, events: bool = False) -> bool:
    """Whether a heading, title or label names a sum over months (1-3月, 本年累计, 一季度,
    1月1日至3月31日); of a form counting `events`, also one up to now (截至本月)."""
    compact = _SPACES.sub("", text)  # 本 年 累 计, spaced out as printed forms are
    return (
        any(w in compact for w in RUNNING_TOTAL_WORDS)
        or (events and any(w in compact for w in UP_TO_NOW))
        or _MONTH_RANGE.search(text) is not None
        or _days_over_months(text)
        or _a_sum_phrase(text, events)
    )


def _a_sum_phrase(text: str, events: bool) -> bool:
    """A clause that is months listed or counted (1、2、3月, 近三个月) or, of a form counting
    `events`, a sum so far (截至3月底, 今年, 本季)."""
    monthly = "月报" in text  # 本年度人口变动月报: this year's monthly report, a month's figures
    return any(
        _a_phrase(c, _MONTHS_PHRASE) or (events and not monthly and _a_phrase(c, _UP_TO_PHRASE))
        for c in title_clauses(text)
    )


@cache
def _period_characters() -> re.Pattern[str]:
    words = (*RUNNING_TOTAL_WORDS, *UP_TO_NOW, *EARLIER_ROW_WORDS)  # and the phrases':
    characters = set("".join(words)) | set("月年季期上去前初末底今近至本当半同元到")
    return re.compile(f"[\\d０-９{re.escape(''.join(sorted(characters)))}]")


def may_name_a_period(text: str) -> bool:
    """Whether a text has a character of some word naming a period (a digit, 月, 年, 上, 累 …):
    a title without any names none (most are so, each with its village's own name), and is
    not looked at further."""
    return _period_characters().search(text) is not None


def is_this_months(heading: str, month: str) -> bool | None:
    """Whether a heading names the report month (3月), not last year's nor a sum up to it
    (上年3月, 3月累计); None when it names no month."""
    named = names_month(heading, month)
    return named and not any(w in heading for w in NOT_THE_MONTHS_OWN)


# Words that make a heading naming the report month another period's (上年3月) or a sum up to
# it (3月累计); 其中3月 beside 一季度 is the month's own.
NOT_THE_MONTHS_OWN = (*EARLIER_ROW_WORDS, "累计", "合计", "小计", "总计")


def a_date_or_note(heading: str) -> bool:
    """填报日期：2026年4月2日, 2月26日-3月25日, 2026.4.2: a day or a colon, not a period's
    heading."""
    return any(mark in heading for mark in ("日", "号", ":", "：")) or bool(_days(heading))


# A heading that is a month and nothing else (2月, 2026年2月, 2月份, 2月末, 2月数): alone above a
# list's figures, it says whose they are; 2026年4月填报 above them does not.
ONLY_A_MONTH = re.compile(r"^(\d{4}年)?(\d{1,2}|[一二三四五六七八九十]{1,3})月(份|末|底)?(数)?$")


def is_month_heading(heading: str) -> bool:
    """A heading naming a month (2月, 2026年2月), not a date or a note (填报日期：4月2日)."""
    return not a_date_or_note(heading) and bool(month_named_in(heading))


def says_this_month(heading: str) -> bool:
    """A heading saying this month's figure in words (本月数, 期末), none of another (本月新增,
    本月计划). Compare names_this_month, of a title or tab naming the report month."""
    return any(w in heading for w in THIS_MONTH) and not any(w in heading for w in NOT_THIS_MONTH)


@lru_cache(maxsize=4096)
def names_a_period(text: str) -> bool:
    """2026年2月, 3月份, 上月, 本月, 本年累计, 2025年度: a month, an earlier period, this one, a
    total, a year."""
    compact = _SPACES.sub("", text)
    return (
        month_named_in(text) is not None
        or any(word in compact for word in (*THIS_MONTH, *NOT_THE_MONTHS_OWN))
        or is_running_total(text, events=True)  # 截至3月底, 今年, 本季
        or any(  # 2025年度, 上一期, 期初数
            _YEAR_PHRASE.fullmatch(without_title_words(c)) or _a_phrase(c, _EARLIER_PHRASE)
            for c in title_clauses(text)
        )
    )


def says_another_period(name: str, month: str | None) -> bool:
    """A name saying another period: another month, an earlier one (上月), a running total, or
    a total (合计, 小计: of copies, a sum of them)."""
    return (
        is_running_total(name)
        or names_month(name, month) is False
        or any(word in name for word in NOT_THE_MONTHS_OWN)  # 上月 …, 累计, 合计
        or (month is not None and names_an_earlier_period(name, month, years=False))  # 上个月
    )


# Words of a name saying when the file was sent or made (2026年4月报送, 制表日期：2026年2月28日),
# not whose figures it holds
SENT_WORDS = ("报送", "上报", "填报", "报出", "制表", "填表", "打印")
# Where a line's clauses part: a wide gap, a comma, a bracket (节育措施情况（截至2026年2月28日）
# 打印日期：2026年4月1日); a single space does not (2026年 3月).
_BREAK = r"\s{2,}|[\t，,；;（）()【】\[\]〔〕<>‹›]"  # after NFKC: ［］ are [], the others stay
# a filing note's clause parts at a full-width space too (…情况（截至2026年2月28日）　打印：…)
_FILING_BREAK = re.compile(rf"{_BREAK}|\u3000")
# a title's clauses part at dashes, colons and slashes too (节育措施情况-上月, 报告期：上月)
_CLAUSE_BREAK = re.compile(rf"{_BREAK}|[:/]|-+|—+|–+")


def without_filing_notes(text: str) -> str:
    """A title less its clauses saying when it was sent or made (节育措施情况（截至2026年2月28日）
    打印日期：2026年4月1日 → 节育措施情况 截至2026年2月28日): the period is in the rest."""
    if not sent(text):
        return text
    clauses = (c.strip() for c in _FILING_BREAK.split(unicodedata.normalize("NFKC", text)))
    return " ".join(c for c in clauses if c and not sent(c))


def sent(text: str) -> bool:
    """Words saying when a text was sent or made (2026年4月2日报送, 打印日期); not a form's
    title ending 填报表."""
    return any(w in text.replace("填报表", "表") for w in SENT_WORDS)


# What a note's words before its colon say when it gives the period its figures are of
# (报告期：2026年2月, 统计时间：2026年2月, 数据截止日期：2026年2月28日); any other note's (日期：,
# 填表日期：, 联系人：) gives none.
PERIOD_NOTES = ("报告期", "统计", "截止", "截至", "所属期")


@lru_cache(maxsize=4096)
def plainly_another_period(name: str, month: str, events: bool, years: bool = False) -> bool:
    """A form's only tab or copy named another month (2月节育措施, 2026年2月…情况), an earlier
    period (节育措施(上月); with `years`, of a title, a year before: 2025年度) or, of a form
    counting `events`, a sum over months (宣传服务（1-3月）); not a total over groups, which a
    title may name (全村合计)."""
    if not a_period_title(name, month):
        return False  # 节育措施（4月2日报）, …_2026年4月报送_节育措施.csv: when it was sent
    sum_of_events = events and is_running_total(without_plans(name), events=True)
    earlier = names_earlier(name) or names_an_earlier_period(name, month, years=years)
    return names_month(name, month) is False or earlier or sum_of_events


def names_this_month(name: str, month: str | None) -> bool:
    """A name saying the report month: the month itself, or 本月/本期/期末 naming no other;
    not a sum over months up to it (1-3月, 截至3月底累计)."""
    if is_running_total(name):
        return False
    named = names_month(name, month)
    return named is True or (
        named is None
        and any(word in name for word in THIS_MONTH)
        and not says_another_period(name, month)
    )


def a_period_title(words: str, month: str) -> bool:
    """A title or name that may say whose figures these are: not a filing line nor a date
    (填报日期：2026年4月2日, 4月2日报), unless the day is before the month began (截至2026年2月28日,
    2月1日至2月28日): no figure of the month is known before it."""
    if sent(words):
        return False
    if not a_date_or_note(words):
        return True
    key, colon, _ = words.replace(":", "：").partition("：")
    if colon and not any(w in key for w in PERIOD_NOTES):
        return False  # 日期：2026年2月28日, 联系人：张三: a note, of no period
    if _days(words):  # 截至2026年2月28日, 1月1日至3月31日; not 2月26日至3月25日 nor 4月2日报
        return bool(ends_before(words, month)) or _days_over_months(words)
    return bool(colon)  # 报告期：2026年2月
