"""One definition of each thing: the warehouse's form tables are the form definitions
(schemas/forms.yaml); every count indicator is the sum of the rows its lineage lists; an
indicator added to the catalog alone gets its figures at the next ingest, and traces."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from analyst_sample import sample_warehouse
from builders import birth_row, write_births

import township.indicators.catalog as catalog_module
from township.forms import load_catalogue
from township.ingest import ingest
from township.store import Warehouse, indicators


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_warehouse(tmp_path_factory)


def columns(wh: Warehouse, table: str) -> list[tuple[str, str]]:
    """A table's columns and types; restricted is a file of its own, attached by that name."""
    schema, name = table.split(".")
    return wh.con.execute(
        "select column_name, data_type from duckdb_columns() "
        "where (schema_name = ? or database_name = ?) and table_name = ? order by column_index",
        [schema, schema, name],
    ).fetchall()


def test_the_form_tables_are_the_form_definitions(sample):
    lineage = [("submission_id", "VARCHAR"), ("sheet", "VARCHAR"), ("excel_row", "INTEGER")]
    types = {"varchar": "VARCHAR", "integer": "INTEGER", "date": "DATE", "boolean": "BOOLEAN"}
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        for form in load_catalogue().data_forms:
            key = form.person_key
            person = [("person_key", "VARCHAR"), (key.masked, "VARCHAR")] if key else []
            public = [(f.name, types[f.sql_type]) for f in form.public_fields]
            expected = lineage + person + public + [("has_error", "BOOLEAN")]
            assert columns(wh, f"raw.{form.name}") == expected, form.name
            personal = [(f.name, "VARCHAR") for f in form.personal_fields]
            restricted = columns(wh, f"restricted.{form.name}")
            assert restricted == (lineage + personal if personal else []), form.name


def test_every_count_indicator_is_the_sum_of_the_rows_behind_it(sample):
    """The township's lineage of each count indicator lists every village's rows: summed by
    village they are each village's value, and in all the township's."""
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        catalog = indicators.catalog(wh)
        counts = catalog[catalog["denominator"].isna() & (catalog["kind"] != "quality")]
        counts = [*counts["code"], "rows_quarantined", "duplicates_removed"]
        values = indicators.values(wh, "SY2026H1")
        town = values.loc[values["org_level"] == "township", "org_code"].iloc[0]
        every = indicators.lineage(wh, "SY2026H1", town, None)  # all at once, as each alone:
        alone = indicators.lineage(wh, "SY2026H1", town, "births_male")
        of_births_male = every[every["indicator"] == "births_male"].reset_index(drop=True)
        pd.testing.assert_frame_equal(of_births_male, alone)
        checked = 0
        for code in counts:
            behind = every[every["indicator"] == code]
            by_org = behind.groupby("village_code")["value"].sum().to_dict()
            by_org[town] = behind["value"].sum()
            figures = values[values["indicator"] == code]
            for org, value in zip(figures["org_code"], figures["value"], strict=True):
                # a village without the form has no figure (无数据) and no rows behind it
                figure = 0 if pd.isna(value) else value
                assert by_org.get(org, 0) == figure, (org, code, by_org.get(org), value)
                checked += 1
    assert checked == len(counts) * len(values["org_code"].unique())


def test_an_indicator_added_to_the_catalog_alone_gets_figures_and_traces(
    settings, tmp_path, monkeypatch
):
    write_births(
        settings.raw_dir / "2026-03" / "420117104201.xlsx",
        [
            birth_row(1, "2026-03-02", sex="女"),
            birth_row(2, "2026-03-03"),
            birth_row(3, "2026-03-04"),
        ],
    )
    ingest(settings)
    catalog = yaml.safe_load(catalog_module.CATALOG_FILE.read_text(encoding="utf-8"))
    catalog["indicators"].append(
        {
            "code": "girls_share",
            "name_zh": "女婴占比",
            "kind": "event",
            "numerator": "births_female",
            "denominator": "births_total",
            "factor": 100,
            "decimals": 1,
            "unit": "%",
        }
    )
    edited = tmp_path / "catalog.yaml"
    edited.write_text(yaml.safe_dump(catalog, allow_unicode=True), encoding="utf-8")
    monkeypatch.setattr(catalog_module, "CATALOG_FILE", edited)
    catalog_module.load_catalog.cache_clear()
    try:
        again = ingest(settings)  # nothing new but the catalog: the figures are built again
        assert again.submissions == [] and again.indicator_rows > 0
        with Warehouse.at(settings.warehouse, read_only=True) as wh:
            assert not indicators.stale(wh)
            values = indicators.values(wh, "2026-03")
            share = values[
                (values["indicator"] == "girls_share") & (values["org_level"] == "township")
            ]
            behind = indicators.lineage(wh, "2026-03", "420117104", "girls_share")
    finally:
        catalog_module.load_catalog.cache_clear()
    assert share["value"].tolist() == [33.3]
    assert (int(behind["value"].sum()), int(behind["denominator"].sum())) == (1, 3)


def test_the_samples_row_ledger_balances_with_every_kind_of_loss_present(sample):
    """The sample plants every way a row can leave the count: each file and form balances, each
    column is used, and each agrees with a figure kept elsewhere."""
    parts = ["counted", "outside_period", "repeated", "duplicates", "superseded", "quarantined"]
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        ledger = wh.con.execute("select * from marts.row_ledger").df()
        quarantined = wh.con.execute(
            "select count(*) from marts.quarantined_rows where is_current_version"
        ).fetchone()[0]
        refused = wh.con.execute(
            "select coalesce(sum(n_records), 0) from raw.submissions where status = 'rejected'"
        ).fetchone()[0]
        births = indicators.values(wh, "SY2026H1")
    balance = ledger[parts + ["in_refused_file"]].sum(axis=1)
    assert (ledger["rows_read"] == balance).all()
    totals = ledger[parts + ["in_refused_file"]].sum()
    assert (totals > 0).all(), totals.to_dict()
    assert totals["quarantined"] == quarantined
    assert totals["in_refused_file"] == refused
    town = births[(births["org_level"] == "township") & (births["indicator"] == "births_total")]
    counted = ledger.loc[ledger["form"] == "births", "counted"].sum()
    assert counted == town["value"].iloc[0]  # the sample spans SY2026H1 exactly
