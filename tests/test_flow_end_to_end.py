"""The monthly Prefect flow on the sample township, checked against the generator's truth."""

from __future__ import annotations

import duckdb
import pytest
from builders import township_in

from township.synth import generate_sample

SEED_PARAGRAPH = (
    "截止2026年3月底，全镇共出生婴儿477人，其中一孩403人，二孩64人，多孩10人。"
    "计外出生二孩7人，符合政策生育率为97.9%，人口出生性别比为100：102。"
)


@pytest.fixture(scope="module")
def first_run(tmp_path_factory, prefect_harness):
    """The sample township's first monthly run, once for the module: its settings, the
    generator's truth and what the flow returned. The tests run in the township's folder."""
    from flows.monthly_ingest import monthly_ingest

    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = township_in(tmp_path_factory.mktemp("flow"), monkeypatch)
        truth = generate_sample(
            settings.raw_dir, settings.villages, settings.villages.with_name("ground_truth.json")
        )
        out = monthly_ingest(summary_period="SY2026H1")
        yield settings, truth, out


def warehouse_values(settings) -> dict[tuple[str, str, str], float]:
    con = duckdb.connect(str(settings.warehouse), read_only=True)
    rows = con.execute(
        "select period, org_code, indicator, value from marts.indicator_values"
    ).fetchall()
    con.close()
    return {(p, o, i): v for p, o, i, v in rows}


def test_flow_figures_equal_the_generators_ground_truth(first_run):
    settings, sample, out = first_run
    assert out["summary"] == SEED_PARAGRAPH
    got = warehouse_values(settings)
    mismatches = [
        (period, org, code, expected, got.get((period, org, code)))
        for period, orgs in sample["indicators"].items()
        for org, figures in orgs.items()
        for code, expected in figures.items()
        if got.get((period, org, code)) != pytest.approx(expected)
    ]
    assert mismatches == []
    # one report per village and month, a file of no known village its own
    villages_months = {
        (s["report_month"], s["village_code"] or s["submission_id"])
        for s in out["result"].submissions
    }
    assert len(out["reports"]) == len(villages_months)


def test_second_run_duplicates_nothing(first_run):
    from flows.monthly_ingest import monthly_ingest

    settings, _, _ = first_run
    first = warehouse_values(settings)
    again = monthly_ingest()
    assert again["result"].submissions == []
    assert warehouse_values(settings) == first
