"""Property tests of the reader: normalisers and the header finder, on arbitrary input.

Villages type anything into any cell. Whatever they type, a normaliser returns a canonical
value, None, or text for validation to report; the header finder either finds a layout,
finds none, or raises SheetProblem. Nothing else, and never slowly.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from township.forms import load_catalogue, normalise_label
from township.read.headers import field_for_label
from township.read.layout import UNIT_WORDS, SheetProblem, _row_matches, detect_layout, guess_form
from township.read.periods import ends_before
from township.read.sheets import REPEATING_TYPES, _normaliser, extract, is_non_data_row
from township.read.values import (
    EXCEL_EPOCH,
    MAX_COUNT,
    NORMALISERS,
    SERIAL_RANGE,
    _id_from_text,
    to_count,
    to_date,
    to_id,
    to_month,
    to_parity,
    to_text,
)

CATALOGUE = load_catalogue()
FAST = settings(max_examples=150, deadline=timedelta(milliseconds=300))
GRIDS = settings(
    max_examples=120,
    deadline=timedelta(milliseconds=500),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FULLWIDTH = str.maketrans("0123456789-/.", "０１２３４５６７８９－／．")

# Everything the catalogue knows as a word: header aliases, sheet names, list headers, markers,
# vocabulary keys. Grids made of these look like real sheets, half-right and half-wrong.
KNOWN_WORDS = sorted(
    {
        alias
        for form in CATALOGUE.forms.values()
        for f in form.fields
        for alias in (*f.aliases, f.name_zh)
    }
    | {alias for form in CATALOGUE.forms.values() for alias in form.sheet_aliases}
    | {
        "项目",
        "指标",
        "数量",
        "数值",
        "本月数",
        "合计",
        "小计",
        "填表人：张三",
        "审核人",
        "单位：人",
        "人",
        "份",
        # periods: a list's or a table's columns and rows by month (the report month is March)
        "1月",
        "2月",
        "3月",
        "上年3月",
        "3月累计",
        "2月末",
        "本月",
        "上月",
        "期初",
        "期末",
        "—",
        "填报日期：2026年4月2日",
    }
    | {str(k) for vocab in CATALOGUE.vocabularies.values() for k in vocab}
)
DECORATED_WORDS = st.builds(
    lambda word, before, after: f"{before}{word}{after}",
    st.sampled_from(KNOWN_WORDS),
    st.sampled_from(["", " ", "　", "（", "*", "【"]),
    st.sampled_from(["", " ", "：", "）", "*", "】", "?"]),
)
DATE_TEXT = st.sampled_from(
    [
        "2026-03-05",
        "2026/3/5",
        "2026.3.5",
        "20260305",
        "2026年3月5日",
        "２０２６年３月５日",
        "46086",
        "2026-02-30",
        "0000-00-00",
        "9999-99-99",
        "2026年13月",
        "2026-3",
        "202613",
        "1.10105E+17",
    ]
)
ODD_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\u3000",
        "nan",
        "NaN",
        "inf",
        "-1",
        "0",
        "1e400",
        "１２３",
        "፩",
        "²",
        "①",
        "٣",
        "1" * 5000,
        "1" * 5000 + ".0",
        "第" + "9" * 4400 + "孩",
        "\x00",
        "'420102198503120227",
        "420102850312022",
        "=SUM(A1)",
    ]
)
TEXT = st.one_of(st.text(max_size=30), DECORATED_WORDS, DATE_TEXT, ODD_TEXT)
CELL = st.one_of(
    st.none(),
    TEXT,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.dates(),
    st.datetimes(),
)


# ----------------------------------------------------------------------------- normalisers

CANONICAL_TYPES = {
    "text": (str,),
    "id": (str,),
    "sex": (str,),
    "date": (date, str),
    "parity": (int, str),
    "in_policy": (bool, str),
    "residence": (str,),
    "category": (str,),
    "count": (int, str),
    "month": (str,),
}


@pytest.mark.parametrize("kind", sorted(NORMALISERS))
@FAST
@given(value=CELL)
def test_every_normaliser_takes_any_cell_and_returns_a_value_none_or_text(kind, value):
    result = NORMALISERS[kind](value)
    if result is None:
        assert kind != "residence"  # a blank residence means 户籍
        return
    assert isinstance(result, CANONICAL_TYPES[kind]), (kind, value, result)
    if kind in ("count", "parity") and isinstance(result, int) and not isinstance(result, bool):
        assert result >= (0 if kind == "count" else 1)
    if kind == "sex" and value is not None and result not in ("男", "女"):
        assert isinstance(result, str)  # unknown text goes to validation as typed


def spec_forms_of(day: date) -> list[object]:
    """Every way contract §3 lets a village write this date."""
    y, m, d = day.year, day.month, day.day
    forms: list[object] = [
        day,
        datetime(y, m, d, 8, 30),
        f"{y:04d}-{m:02d}-{d:02d}",
        f"{y:04d}-{m}-{d}",
        f"{y:04d}/{m}/{d}",
        f"{y:04d}/{m:02d}/{d:02d}",
        f"{y:04d}.{m}.{d}",
        f"{y:04d}{m:02d}{d:02d}",
        f"{y:04d}年{m}月{d}日",
        f"{y:04d}年{m:02d}月{d:02d}日",
        f"{y:04d}-{m:02d}-{d:02d} 00:00:00",
    ]
    serial = (day - EXCEL_EPOCH).days
    if SERIAL_RANGE[0] <= serial <= SERIAL_RANGE[1]:
        forms += [serial, float(serial), str(serial)]
    return forms


@FAST
@given(
    day=st.dates(min_value=date(1000, 1, 1)),
    fullwidth=st.booleans(),
    pad=st.sampled_from(["", " ", "　"]),
)
def test_to_date_round_trips_every_spec_date_form(day, fullwidth, pad):
    for written in spec_forms_of(day):
        if isinstance(written, str):
            written = pad + (written.translate(FULLWIDTH) if fullwidth else written) + pad
        assert to_date(written) == day, written


def in_chinese_numerals(day: date, zero: str) -> str:
    """二〇二六年三月五日, as in a letter; the year's 0 written 〇, ○ or 零."""
    digits = zero + "一二三四五六七八九"

    def number(n: int) -> str:
        tens, units = divmod(n, 10)
        return (
            (digits[tens] if tens > 1 else "")
            + ("十" if tens else "")
            + (digits[units] if units else "")
        )

    year = "".join(digits[int(c)] for c in f"{day.year:04d}")
    return f"{year}年{number(day.month)}月{number(day.day)}日"


@FAST
@given(day=st.dates(min_value=date(1000, 1, 1)), zero=st.sampled_from("〇○零"))
def test_a_date_in_chinese_numerals_reads_as_its_day(day, zero):
    assert to_date(in_chinese_numerals(day, zero)) == day


@FAST
@given(day=st.dates(min_value=date(1000, 1, 1)), fullwidth=st.booleans())
def test_to_month_round_trips_month_forms(day, fullwidth):
    y, m = day.year, day.month
    expected = f"{y:04d}-{m:02d}"
    for written in (
        day,
        f"{y:04d}-{m:02d}",
        f"{y:04d}年{m}月",
        f"{y:04d}年{m:02d}月份",
        f"{y:04d}{m:02d}",
        f"{y}/{m}",
    ):
        if isinstance(written, str) and fullwidth:
            written = written.translate(FULLWIDTH)
        assert to_month(written) == expected, written


@FAST
@given(
    n=st.integers(min_value=0, max_value=MAX_COUNT),
    fullwidth=st.booleans(),
    pad=st.sampled_from(["", " ", "　", "\t"]),
    unit=st.sampled_from(["", "人", "份", "人次"]),
)
def test_to_count_round_trips_digit_strings_full_width_or_not(n, fullwidth, pad, unit):
    text = str(n).translate(FULLWIDTH) if fullwidth else str(n)
    assert to_count(f"{pad}{text}{unit}{pad}") == n
    assert to_count(n) == n
    assert to_count(float(n)) == n


@FAST
@given(
    n=st.integers(min_value=1000, max_value=MAX_COUNT),
    first=st.integers(min_value=0, max_value=999),
    second=st.one_of(st.integers(0, 99), st.integers(1000, 99999)),
    comma=st.sampled_from([",", "，"]),
)
def test_commas_are_read_only_between_thousands(n, first, second, comma):
    """1,234 is 1234; 12，15 or 12，345 (two figures in one cell) or 1,5200 is no count, said
    to the village: it was read as 1215, 12345 or 15200."""
    assert to_count(f"{n:,}") == n
    assert to_count(f"{n:,}".replace(",", "，")) == f"{n:,}".replace(",", "，")
    assert to_count(f"{first}{comma}{second}") == f"{first}{comma}{second}"


DAY_FORMS = (
    "{y}年{m}月{d}日",
    "截至{y}年{m}月{d}日",
    "{y}.{m}.{d}",
    "{y}-{m:02d}-{d:02d}",
    "{y}年{m}月{d}号",
)


@FAST
@given(
    st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    st.dates(date(2024, 1, 1), date(2028, 12, 31)),
    st.sampled_from(DAY_FORMS),
    st.sampled_from(["节育措施情况（{}）", "{}", "宣传服务 {} "]),
)
def test_a_day_is_before_the_report_month_exactly_when_it_is(day, report, form, around):
    """A title's day says an earlier period only when it is before the report month began
    (截至2026年2月28日 in a March file); the last day of a range counts (2月26日至3月25日)."""
    month = f"{report.year}-{report.month:02d}"
    text = around.format(form.format(y=day.year, m=day.month, d=day.day))
    assert ends_before(text, month) is (day < report.replace(day=1))
    ranged = f"{day.year}年1月1日至{form.format(y=day.year, m=day.month, d=day.day)}"
    assert ends_before(ranged, month) is (day < report.replace(day=1))


@FAST
@given(
    value=st.one_of(
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(min_value=0, max_value=10**20).map(str),
        st.integers(min_value=0, max_value=10**20).map(lambda n: f"第{n}孩"),
        st.integers(min_value=0, max_value=10**15).map(lambda n: f"{n}.0"),
    )
)
def test_a_count_or_parity_is_a_storable_whole_number_or_the_cells_text(value):
    """What the warehouse's 32-bit columns cannot hold (an ID number pasted into a count cell)
    stays text, which the rules refuse at its cell: the load of the month never fails on it."""
    for normalise, least in ((to_count, 0), (to_parity, 1)):
        got = normalise(value)
        assert got is None or isinstance(got, str) or least <= got <= MAX_COUNT, (value, got)
        if isinstance(value, int) and not least <= value <= MAX_COUNT:
            assert isinstance(got, str)


@FAST
@given(n=st.integers(min_value=1, max_value=99), fullwidth=st.booleans())
def test_to_parity_round_trips_numbers_and_ordinals(n, fullwidth):
    for written in (str(n), f"第{n}孩", f"{n}孩", n, float(n)):
        if isinstance(written, str) and fullwidth:
            written = written.translate(FULLWIDTH)
        assert to_parity(written) == n


@FAST
@given(
    born=st.dates(min_value=date(1940, 1, 1), max_value=date(1999, 12, 31)),
    seq=st.integers(min_value=0, max_value=999),
    fullwidth=st.booleans(),
)
def test_to_id_keeps_text_ids_and_upgrades_15_digit_ones(born, seq, fullwidth):
    body = f"420100{born:%Y%m%d}{seq:03d}"
    full = body + ric.calc_check_digit(body + "0")
    written = full.translate(FULLWIDTH) if fullwidth else full
    assert to_id(f" {written.lower()} ") == full
    legacy = f"420100{born:%y%m%d}{seq:03d}"
    if born.year >= 1900:
        assert to_id(legacy) == full
        assert to_id(float(legacy)) == full  # 15 digits survive a number cell exactly


@FAST
@given(
    number=st.one_of(st.floats(min_value=1e15, allow_infinity=True), st.integers(min_value=10**15))
)
def test_to_id_never_turns_a_mangled_number_into_digits(number):
    # an 18-digit ID in a number cell has lost its last digits: never guess them
    result = to_id(number)
    assert not result.isdigit()
    if isinstance(number, float) and math.isfinite(number):
        assert "E+" in result


# ----------------------------------------------------------------------------- header finder

ROW = st.lists(CELL, max_size=8)
GRID = st.lists(ROW, max_size=10)
WORDY_ROW = st.lists(
    st.one_of(st.none(), DECORATED_WORDS, st.integers(0, 500), DATE_TEXT), max_size=8
)
WORDY_GRID = st.lists(st.one_of(WORDY_ROW, ROW), max_size=12)


def _find_everything(grid):
    for month in (None, "2026-03"):  # a file of no month folder, and a March file
        _find_in(grid, month)


def _find_in(grid, month):
    for form in CATALOGUE.forms.values():
        try:
            layout = detect_layout(grid, form, month)
            if layout is not None:
                read = extract("表", grid, layout, CATALOGUE, month=month)
                assert len(read.records) == len(read.rows) == len(read.cells)
        except SheetProblem as problem:  # said to the village, at a cell or of the sheet
            assert problem.code and problem.words
    try:
        layout = guess_form(grid, CATALOGUE, month)
        if layout is not None:
            assert len(layout.columns) >= 3
            extract("Sheet1", grid, layout, CATALOGUE, month=month)
    except SheetProblem as problem:  # a header no form can use: said, not dropped
        assert problem.code and problem.words
    for row in grid:
        is_non_data_row(row, CATALOGUE)


@GRIDS
@given(grid=GRID)
# a header row shorter than the row under it, found by this test
@example(grid=[["月末户籍人口", None, "月末户籍人口"], [None, "迁入"]])
def test_header_finder_takes_any_grid_of_mixed_values(grid):
    _find_everything(grid)


@GRIDS
@given(grid=WORDY_GRID)
# a header over two rows whose lower row is shorter than the columns headed above it
@example(grid=[[None, None, "避孕"], ["其他"]])
def test_header_finder_takes_grids_of_header_aliases_and_labels(grid):
    _find_everything(grid)


@settings(max_examples=60, deadline=timedelta(milliseconds=500))
@given(
    form_name=st.sampled_from(["births", "beneficiaries", "contraception", "migrants", "services"]),
    titles=st.lists(
        st.sampled_from(["2026年3月报表", "填报单位：复合村", "", "单位：人", "  "]), max_size=6
    ),
    data=st.data(),
)
def test_a_header_row_is_found_under_any_title_rows_in_any_column_order(form_name, titles, data):
    form = CATALOGUE.forms[form_name]
    fields = data.draw(st.permutations(form.fields))
    fields = fields[: max(3, data.draw(st.integers(3, len(fields))))]
    header = [data.draw(st.sampled_from(f.aliases)) for f in fields]
    grid = [[t] for t in titles] + [header, ["x"] * len(header)]
    layout = detect_layout(grid, form)
    assert layout is not None and layout.kind == "table"
    assert layout.header_row == len(titles)
    assert layout.columns == {f.name: c for c, f in enumerate(fields)}


# ----------------------------------------------------------------------------- fast paths
# The reader takes shortcuts for speed (bench/bench_read.py). Each must give exactly what the
# plain definition gives: these are the plain definitions.

SPACES = re.compile(r"\s+")


def plain_to_text(value):
    """Controls (but spaces), invisible formatting characters and lone surrogates removed,
    spaces collapsed."""
    value = "".join(
        ch
        for ch in value
        if unicodedata.category(ch) not in ("Cf", "Cs")
        and not (unicodedata.category(ch) == "Cc" and not ch.isspace())
    )
    if not value.strip():
        return None
    return SPACES.sub(" ", value).strip()


def plain_row_matches(row, form):
    """Every text cell looked up, none turned away first."""
    found = {c: field_for_label(form.name, v) for c, v in enumerate(row) if isinstance(v, str)}
    return {c: field for c, field in found.items() if field is not None}


def plain_is_non_data_row(row, catalogue):
    filled = [v for v in row if v is not None and str(v).strip()]
    if any(isinstance(v, str) and v.strip().startswith(catalogue.units_markers) for v in filled):
        return all(isinstance(v, str) and plain_unit_note(v, catalogue) for v in filled)
    first = normalise_label(filled[0]) if filled else ""
    if not first:
        return all(isinstance(v, str) and not normalise_label(v) for v in filled)
    if first.startswith(catalogue.totals_markers) or first.startswith(catalogue.footer_markers):
        return True
    return {normalise_label(v) for v in filled} <= UNIT_WORDS


def plain_unit_note(text, catalogue) -> bool:
    """单位：人, （份）: short and without a digit once the marker is taken off."""
    note = normalise_label(text)
    marker = next(
        (m for m in map(normalise_label, catalogue.units_markers) if note.startswith(m)), ""
    )
    note = note[len(marker) :]
    return len(note) <= 4 and not any(c.isdigit() for c in note)


def same(a, b) -> bool:
    return a == b and type(a) is type(b)


@FAST
@given(text=TEXT)
def test_text_and_id_fast_paths_agree_with_the_plain_definitions(text):
    assert to_text(text) == plain_to_text(text)
    expected = None if not text.strip() else _id_from_text(text)
    assert to_id(text) == expected


CJK_TEXT = st.text(
    alphabet=st.sampled_from("".join(KNOWN_WORDS) + "张王李丽芳 ：（）*　ＡＢ１２ａ\u0301"),
    max_size=8,
)


@GRIDS
@given(row=st.lists(st.one_of(CELL, DECORATED_WORDS, CJK_TEXT), max_size=10))
def test_header_matching_shortcut_agrees_with_normalising_every_cell(row):
    for form in CATALOGUE.forms.values():
        assert _row_matches(row, form) == plain_row_matches(row, form)


@GRIDS
@given(
    row=st.lists(
        st.one_of(
            CELL,
            DECORATED_WORDS,
            CJK_TEXT,
            st.sampled_from(
                ["单位：人", " 单位:元", "计量单位", "合计", "单位：武汉钢铁公司", "—", "/"]
            ),
        ),
        max_size=8,
    )
)
def test_non_data_row_shortcut_agrees_with_the_plain_definition(row):
    assert is_non_data_row(row, CATALOGUE) == plain_is_non_data_row(row, CATALOGUE)


@pytest.mark.parametrize("kind", sorted(REPEATING_TYPES))
@FAST
@given(value=CELL)
def test_cached_normalisers_give_what_the_normaliser_gives(kind, value):
    for _ in range(2):  # the second call is answered from the cache
        got, expected = _normaliser(kind)(value), NORMALISERS[kind](value)
        assert same(got, expected) or (got != got and expected != expected)  # nan


@pytest.mark.parametrize("kind", sorted(REPEATING_TYPES))
def test_cached_normalisers_keep_1_1_0_and_true_apart(kind):
    normalise = _normaliser(kind)
    for value in (1, 1.0, True, "1", 1, True, 1.0):
        assert same(normalise(value), NORMALISERS[kind](value))
