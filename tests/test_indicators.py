"""Each indicator, given a handful of hand-written rows, gives the expected value (contract §7–8)."""

from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import pytest
import yaml
from builders import place_empty_warehouse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from township.indicators.catalog import CATALOG_FILE as INDICATOR_CATALOG
from township.store import Warehouse, indicators
from township.store import load as loading

V1, V2, TOWN = "420117104201", "420117104202", "420117104"
VILLAGES = pd.DataFrame(
    [
        {
            "village_code": V1,
            "village_name": "复合村",
            "township_code": TOWN,
            "township_name": "复合镇",
            "aliases": "",
            "email": None,
        },
        {
            "village_code": V2,
            "village_name": "桃园村",
            "township_code": TOWN,
            "township_name": "复合镇",
            "aliases": "",
            "email": None,
        },
    ]
)


def submission(
    sid: str, village: str, month: str, received: datetime, forms: list[str]
) -> dict[str, pd.DataFrame]:
    return {
        "raw.submissions": pd.DataFrame(
            [
                {
                    "submission_id": sid,
                    "file_sha256": sid,
                    "file_name": f"{sid}.xlsx",
                    "file_path": f"{month}/{sid}.xlsx",
                    "report_month": month,
                    "village_code": village,
                    "received_at": received,
                    "ingested_at": received,
                    "size_bytes": 1,
                    "status": "accepted",
                    "reason_code": None,
                    "reason_zh": None,
                    "n_records": 1,
                    "n_errors": 0,
                    "n_warnings": 0,
                }
            ]
        ),
        "raw.submission_forms": pd.DataFrame(
            [{"submission_id": sid, "form": f, "sheet": f, "n_records": 1} for f in forms]
        ),
    }


def births(sid: str, rows: list[tuple]) -> pd.DataFrame:
    """rows: (mother key, birth date, parity, sex, in_policy, has_error)."""
    return pd.DataFrame(
        [
            {
                "submission_id": sid,
                "sheet": "births",
                "excel_row": i + 2,
                "person_key": key,
                "mother_id_masked": "x",
                "child_sex": sex,
                "birth_date": born,
                "parity": parity,
                "in_policy": policy,
                "residence": "户籍",
                "has_error": error,
            }
            for i, (key, born, parity, sex, policy, error) in enumerate(rows)
        ]
    )


def record(sid: str, **counts) -> pd.DataFrame:
    return pd.DataFrame(
        [{"submission_id": sid, "sheet": "s", "excel_row": 2, **counts, "has_error": False}]
    )


def load(path, batches: list[dict[str, pd.DataFrame]]) -> Warehouse:
    place_empty_warehouse(path)
    wh = Warehouse.at(path)
    wh.begin_load(VILLAGES, [])
    for tables in batches:
        loading.insert_batch(wh, tables)
    loading.finish_load(wh, len(batches))  # commits, then materializes the indicators
    return wh


def value(wh: Warehouse, period: str, indicator: str, org: str = TOWN):
    row = wh.con.execute(
        "select value, note from marts.indicator_values where period = ? and org_code = ? and indicator = ?",
        [period, org, indicator],
    ).fetchone()
    assert row is not None, (period, org, indicator)
    return row


@pytest.fixture(scope="module")
def sample_wh(tmp_path_factory):
    """Two villages, March 2026 (and a late January birth), every form present: built once,
    the tests that take it only read it."""
    s1 = submission(
        "s1",
        V1,
        "2026-03",
        datetime(2026, 4, 3),
        ["births", "beneficiaries", "contraception", "migrants", "services"],
    )
    s1["raw.births"] = births(
        "s1",
        [
            ("m1", date(2026, 3, 1), 1, "男", True, False),
            ("m2", date(2026, 3, 2), 2, "女", False, False),
            ("m3", date(2026, 3, 3), 3, "男", False, False),
            (
                "m4",
                date(2026, 1, 15),
                1,
                "女",
                True,
                False,
            ),  # late: born in January, first reported in March
            ("m5", date(2026, 3, 4), 1, "男", True, True),  # quarantined
            (
                "m1",
                date(2026, 3, 1),
                1,
                "男",
                True,
                False,
            ),  # the same birth twice: a duplicate removed
        ],
    )
    s1["raw.beneficiaries"] = pd.DataFrame(
        [
            {
                "submission_id": "s1",
                "sheet": "b",
                "excel_row": r,
                "person_key": k,
                "id_masked": "x",
                "category": c,
                "approved_on": date(2026, 3, 10),
                "has_error": False,
            }
            for r, k, c in [
                (2, "p1", "农村奖励扶助"),
                (3, "p2", "农村奖励扶助"),
                (4, "p3", "特别扶助"),
                (5, "p4", "独女户高考加分"),
            ]
        ]
    )
    s1["raw.contraception"] = record(
        "s1",
        married_women=400,
        iud=100,
        implant=20,
        female_sterilization=30,
        male_sterilization=10,
        pill=5,
        condom=30,
        other_method=5,
        no_method=200,
    )
    s1["raw.migrants"] = record(
        "s1",
        out_migrants=100,
        out_married_women=40,
        out_certified=30,
        out_contacted=36,
        in_migrants=12,
        in_married_women=4,
    )
    s1["raw.services"] = record(
        "s1",
        leaflets=300,
        slogans=5,
        posters=4,
        consultations=20,
        checkups_due=40,
        checkups_done=39,
        follow_up_visits=11,
        two_non_cases=0,
    )
    s2 = submission(
        "s2", V2, "2026-03", datetime(2026, 4, 9), ["births", "contraception"]
    )  # after the 5th: late
    s2["raw.births"] = births("s2", [("m6", date(2026, 3, 6), 1, "女", True, False)])
    s2["raw.contraception"] = record("s2", married_women=2000, iud=3, no_method=1997)
    # 人口变动: V1 sends it (February's month-end is the opening stock), V2 never does
    s0 = submission("s0", V1, "2026-02", datetime(2026, 3, 3), ["population"])
    s0["raw.population"] = record("s0", population=1000, deaths=1, one_child_certificates=118)
    s1["raw.submission_forms"] = pd.concat(
        [
            s1["raw.submission_forms"],
            submission("s1", V1, "2026-03", datetime(2026, 4, 3), ["population"])[
                "raw.submission_forms"
            ],
        ]
    )
    s1["raw.population"] = record(
        "s1",
        population=1005,
        deaths=2,
        moved_in=4,
        moved_out=3,
        marriages=1,
        one_child_certificates=120,
    )
    wh = load(tmp_path_factory.mktemp("sample") / "w.duckdb", [s0, s1, s2])
    yield wh
    wh.close()


EXPECTED = {
    "births_total": 5,
    "births_male": 2,
    "births_female": 3,
    "births_parity_1": 3,
    "births_parity_2": 1,
    "births_parity_3plus": 1,
    "births_in_policy": 3,
    "births_out_of_policy": 2,
    "births_out_of_policy_parity_2": 1,
    "births_out_of_policy_parity_3plus": 1,
    "policy_compliance_rate": 60.0,  # 3 / 5
    "sex_ratio_at_birth": 67,  # 2 / 3 × 100 = 66.7
    "births_late_reported": 1,
    "married_women": 2400,
    "contraceptive_users": 203,
    "contraceptive_prevalence": 8.5,  # 203/2400 = 8.458
    "long_acting_users": 163,
    "long_acting_rate": 80.3,  # 163/203 = 80.29
    "out_migrants": 100,
    "out_married_women": 40,
    "certificate_rate": 75.0,
    "contact_rate": 90.0,
    "in_migrants": 12,
    "new_reward_recipients": 2,
    "new_special_assistance": 1,
    "new_only_daughter_bonus": 1,
    "leaflets": 300,
    "slogans": 5,
    "posters": 4,
    "consultations": 20,
    "checkup_rate": 97.5,
    "follow_up_visits": 11,
    "two_non_cases": 0,
    "villages_expected": 2,
    "villages_reported": 2,
    "reporting_rate": 100.0,
    "reporting_on_time_rate": 50.0,
    "rows_quarantined": 1,
    "duplicates_removed": 1,
    "births_in_policy_parity_1": 3,  # m1, m4 (January), m6
    "births_in_policy_parity_2": 0,  # m2 is out of policy
    "births_in_policy_parity_3plus": 0,  # m3 too
    "births_earlier_years_reported": 0,  # m4 is of this statistical year
    "iud_users": 103,
    "implant_users": 20,
    "female_sterilization_users": 30,
    "male_sterilization_users": 10,
    "pill_users": 5,
    "condom_users": 30,
    "other_method_users": 5,
    "population": 1005,  # V1 only: V2 sends no 人口变动
    "one_child_certificates": 120,
    "deaths": 2,
    "moved_in": 4,
    "moved_out": 3,
    "marriages": 1,
    # V1's 3 March births per (1000 + 1005) / 2, per year: 3 × 1000 × 12 / 1002.5 = 35.91‰
    "birth_rate": 35.91,
    "death_rate": 23.94,  # 2 × 12,000 / 1002.5
    "natural_growth_rate": 11.97,  # (3 − 2) × 12,000 / 1002.5
}


def test_every_catalog_indicator_has_an_expected_value():
    codes = {
        i["code"]
        for i in yaml.safe_load(INDICATOR_CATALOG.read_text(encoding="utf-8"))["indicators"]
    }
    assert codes == set(EXPECTED)


@pytest.mark.parametrize("indicator", sorted(EXPECTED))
def test_indicator_for_the_township_month(sample_wh, indicator):
    # the late January birth counts in its own month: births are checked over the half-year
    from_births = indicator.startswith("births_") or indicator in (
        "policy_compliance_rate",
        "sex_ratio_at_birth",
    )
    got, _ = value(sample_wh, "SY2026H1" if from_births else "2026-03", indicator)
    assert got == pytest.approx(EXPECTED[indicator])


def test_village_values_add_up_to_the_township(sample_wh):
    for indicator in ("births_total", "married_women", "contraceptive_users"):
        v1, _ = value(sample_wh, "SY2026H1", indicator, V1)
        v2, _ = value(sample_wh, "SY2026H1", indicator, V2)
        town, _ = value(sample_wh, "SY2026H1", indicator)
        assert v1 + v2 == town


def test_measures_summed_by_month_first_equal_the_sums_of_their_rows(sample_wh):
    """The indicators add a village's rows of a month up before spreading them over periods;
    the lineage keeps every row. Both must give each period the same figures."""
    sums = (
        "select period, village_code, measure, sum(value) as value "
        "from staging.period_measure_rows(null, by_month := {}) group by all"
    )
    by_row = sample_wh.con.execute(sums.format("false")).df()
    by_month = sample_wh.con.execute(sums.format("true")).df()
    keys = ["period", "village_code", "measure"]
    assert len(by_row) > 100
    pd.testing.assert_frame_equal(
        by_row.sort_values(keys, ignore_index=True), by_month.sort_values(keys, ignore_index=True)
    )


def test_zero_denominator_gives_an_empty_value_that_says_why(sample_wh):
    got, note = value(
        sample_wh, "2026-03", "sex_ratio_at_birth", V2
    )  # V2: one girl, no boys → 0 / 1
    assert got == 0
    got, note = value(sample_wh, "2026-03", "checkup_rate", V2)  # V2 sent no services form
    assert got is None and note == "分母为0，无法计算"


def test_stock_without_a_report_is_empty_not_zero(sample_wh):
    got, note = value(sample_wh, "2026-03", "out_migrants", V2)
    assert got is None and note == "期间内无报表"


def test_rates_round_half_up_at_x5(tmp_path):
    s = submission("s", V1, "2026-03", datetime(2026, 4, 1), ["contraception", "births"])
    # 3 users of 2000 married women: 0.15 %, which binary floating point holds as 0.1499…
    s["raw.contraception"] = record("s", married_women=2000, pill=3, no_method=1997)
    # one boy, eight girls: sex ratio 12.5 → 13
    s["raw.births"] = births(
        "s",
        [(f"k{i}", date(2026, 3, 1), 1, "男" if i == 0 else "女", True, False) for i in range(9)],
    )
    wh = load(tmp_path / "r.duckdb", [s])
    assert value(wh, "2026-03", "contraceptive_prevalence")[0] == 0.2
    assert value(wh, "2026-03", "sex_ratio_at_birth")[0] == 13


def test_stock_takes_the_last_month_each_village_reported(tmp_path):
    batches = []
    for month, women in (("2026-01", 100), ("2026-02", 110)):
        s = submission(f"s{month}", V1, month, datetime(2026, 3, 1), ["contraception"])
        s["raw.contraception"] = record(f"s{month}", married_women=women, no_method=women)
        batches.append(s)
    wh = load(tmp_path / "s.duckdb", batches)
    assert value(wh, "2026Q1", "married_women")[0] == 110
    assert value(wh, "SY2026H1", "married_women")[0] == 110
    assert value(wh, "2026-01", "married_women")[0] == 100


@pytest.mark.parametrize(
    ("born", "periods"),
    [
        (date(2025, 10, 1), {"2025-10", "2025Q4", "2025", "SY2026", "SY2026H1"}),
        (date(2026, 3, 31), {"2026-03", "2026Q1", "2026", "SY2026", "SY2026H1"}),
        (date(2026, 4, 1), {"2026-04", "2026Q2", "2026", "SY2026", "SY2026H2"}),
        (date(2026, 9, 30), {"2026-09", "2026Q3", "2026", "SY2026", "SY2026H2"}),
    ],
)
def test_a_birth_counts_in_each_period_containing_its_date(tmp_path, born, periods):
    s = submission("s", V1, f"{born:%Y-%m}", datetime(2026, 10, 1), ["births"])
    s["raw.births"] = births("s", [("k", born, 1, "男", True, False)])
    wh = load(tmp_path / "p.duckdb", [s])
    got = {
        p
        for (p,) in wh.con.execute(
            "select period from marts.indicator_values where indicator = 'births_total' and org_code = ? and value = 1",
            [TOWN],
        ).fetchall()
    }
    assert got == periods


def test_a_village_without_the_population_form_has_no_rate_and_the_township_takes_the_others(
    sample_wh,
):
    got, note = value(sample_wh, "2026-03", "birth_rate", V2)
    assert got is None and note == "未报送人口变动，无数据"
    assert value(sample_wh, "2026-03", "population", V2) == (None, "期间内无报表")
    # V2's birth is in the township's births, not in its birth rate: its population is unknown
    assert value(sample_wh, "2026-03", "births_total")[0] == 4
    assert (
        value(sample_wh, "2026-03", "birth_rate")[0]
        == value(sample_wh, "2026-03", "birth_rate", V1)[0]
    )


def test_a_rate_over_half_a_year_is_per_year(tmp_path):
    batches = []
    for month, people in (("2025-09", 2000), ("2026-03", 2000)):
        s = submission(f"s{month}", V1, month, datetime(2026, 4, 1), ["population", "births"])
        s["raw.population"] = record(f"s{month}", population=people, deaths=0)
        s["raw.births"] = births(f"s{month}", [])
        batches.append(s)
    s = batches[1]
    s["raw.births"] = births(
        "s2026-03", [(f"k{i}", date(2026, 1, 10), 1, "男", True, False) for i in range(10)]
    )
    wh = load(tmp_path / "h.duckdb", batches)
    # 10 births in a half-year among 2,000 people: 5‰ over the half-year, 10‰ a year
    assert value(wh, "SY2026H1", "birth_rate")[0] == 10.0
    assert value(wh, "2026Q1", "birth_rate")[0] == 20.0  # the same 10 in a quarter


def _periods_of(month: str) -> list[str]:
    year, m = int(month[:4]), int(month[5:])
    statistical_year = f"SY{year + (m >= 10)}"
    return [
        month,
        f"{year}Q{(m - 1) // 3 + 1}",
        str(year),
        statistical_year,
        statistical_year + ("H1" if m >= 10 or m <= 3 else "H2"),
    ]


MONTHS_2025_2026 = [f"{y}-{m:02d}" for y in (2025, 2026) for m in range(1, 13)]


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(reported=st.sets(st.sampled_from(MONTHS_2025_2026), min_size=1, max_size=8))
def test_a_stock_in_every_period_is_the_last_month_reported_in_it(tmp_path_factory, reported):
    # each month's figure is its own: 100 + its index, so a wrong month shows
    figure = {month: 100 + i for i, month in enumerate(MONTHS_2025_2026)}
    batches = []
    for month in sorted(reported):
        s = submission(f"s{month}", V1, month, datetime(2027, 1, 1), ["contraception"])
        s["raw.contraception"] = record(
            f"s{month}", married_women=figure[month], no_method=figure[month]
        )
        batches.append(s)
    wh = load(tmp_path_factory.mktemp("stock") / "s.duckdb", batches)
    expected = {}
    for month in sorted(reported):  # later months overwrite earlier ones
        for period in _periods_of(month):
            expected[period] = figure[month]
    materialized = {
        period: got
        for period, got in wh.con.execute(
            "select period, value from marts.indicator_values "
            "where indicator = 'married_women' and org_code = ? and value is not null",
            [V1],
        ).fetchall()
    }
    recomputed = indicators.values(wh, None, datetime(2027, 1, 2), TOWN)
    recomputed = recomputed[
        (recomputed.indicator == "married_women") & (recomputed.org_code == V1)
    ].dropna(subset=["value"])
    wh.close()
    assert materialized == expected
    assert dict(zip(recomputed.period, recomputed.value, strict=True)) == expected
