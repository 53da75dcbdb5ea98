"""A small version of the scale benchmark: correctness only (figures equal the generator's truth),
through the parallel path (worker processes) and several townships."""

from __future__ import annotations

from pathlib import Path

import pytest

import township.ingest as ingest_module
import township.prepare as prepare_module
import township.workers as workers_module
from township.config import Settings
from township.ingest import ingest
from township.store import Warehouse, queries
from township.synth import generate_scaled


def test_scaled_sample_ingested_in_worker_processes_equals_the_ground_truth(settings, monkeypatch):
    truth = generate_scaled(
        settings.raw_dir,
        settings.villages,
        settings.villages.with_name("truth.json"),
        n_villages=60,
        months=["2026-02", "2026-03"],
        seed=7,
    )
    monkeypatch.setattr(workers_module, "PARALLEL_FROM_FILES", 10)
    monkeypatch.setattr(ingest_module, "CHUNK_FILES", 25)
    result = ingest(Settings(workers=2))
    assert result.by_status.get("rejected", 0) == 0
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        rows = wh.con.execute(
            "select period, org_code, indicator, value from marts.indicator_values"
        ).fetchall()
    got = {(p, o, i): v for p, o, i, v in rows}
    compared = 0
    for period, orgs in truth["indicators"].items():
        for org, figures in orgs.items():
            for code, expected in figures.items():
                assert got.get((period, org, code)) == pytest.approx(expected), (period, org, code)
                compared += 1
    assert compared > 1000


def test_summary_of_a_warehouse_with_several_townships_covers_one_township(settings):
    from township.reports.summary.build import NoData, build_summary
    from township.reports.summary.renderers import RENDERERS

    generate_scaled(
        settings.raw_dir,
        settings.villages,
        settings.villages.with_name("truth.json"),
        n_villages=60,
        months=["2026-03"],
        seed=3,
    )
    ingest(settings)
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        towns = sorted(queries.villages(wh)["township_code"].unique())
        assert len(towns) > 1
        summary = build_summary(wh, "2026-03", township=towns[1])
        values = summary.values
        with pytest.raises(NoData):
            build_summary(wh, "2026-03", township="999999999")
    assert set(values.loc[values["org_level"] == "township", "org_code"]) == {towns[1]}
    assert values["org_code"].str.startswith(towns[1]).all()
    assert "全镇共出生婴儿" in RENDERERS["text"].show(summary)


def test_a_reader_crash_in_a_worker_process_of_a_flow_run_rejects_that_file_alone(
    settings, monkeypatch, prefect_harness
):
    """The workers are forked from the flow's process, Prefect's threads and log handlers and
    all: the one that meets a file the reader cannot cope with logs it, rejects that file, and
    goes on; the run completes."""
    from flows.monthly_ingest import monthly_ingest

    generate_scaled(
        settings.raw_dir,
        settings.villages,
        settings.villages.with_name("truth.json"),
        n_villages=20,
        months=["2026-03"],
        seed=5,
    )
    victim = sorted((settings.raw_dir / "2026-03").iterdir())[7]
    read_file = prepare_module.read_file

    def crash_on_victim(path, *args, **kwargs):
        if path == victim:
            raise ValueError("the reader gave up")  # anything a library may raise
        return read_file(path, *args, **kwargs)

    monkeypatch.setattr(prepare_module, "read_file", crash_on_victim)
    monkeypatch.setattr(workers_module, "PARALLEL_FROM_FILES", 4)
    monkeypatch.setattr(ingest_module, "CHUNK_FILES", 3)
    monkeypatch.setenv("TOWNSHIP_WORKERS", "2")
    out = monthly_ingest(month="2026-03", village_reports=False)
    statuses = {Path(s["file_name"]).name: s["status"] for s in out["result"].submissions}
    assert statuses.pop(victim.name) == "rejected"
    assert len(statuses) == 19 and "rejected" not in statuses.values()
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        reason = wh.con.execute(
            "select reason_code from raw.submissions where file_name = ?", [victim.name]
        ).fetchone()
    assert reason == ("unreadable",)
