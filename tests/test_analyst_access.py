"""Analysts read the warehouse read-only, never see a name or a full ID number, never block an
ingest: contract §6 (restricted), §10 (analysts open it read-only)."""

from __future__ import annotations

import os
import re
import stat
import sys
from pathlib import Path

import duckdb
import pytest
from analyst_sample import ingest_holding, sample_warehouse, snapshot_of

from township.store import Warehouse, WarehouseBusy, publish, restricted_path

FULL_ID = re.compile(r"\d{17}[\dX]")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_warehouse(tmp_path_factory)


def open_as_analyst(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(path), read_only=True)


def personal_values(settings) -> set[str]:
    """Every name and full 18-character ID number the sample's villages sent (restricted)."""
    with Warehouse.at(settings.warehouse, read_only=True) as wh:
        rows = wh.con.sql(
            """
            select unnest([mother_name, father_name, child_name, mother_id, father_id])
            from restricted.births
            union
            select unnest([name, id_number]) from restricted.beneficiaries
            """
        ).fetchall()
    values = {str(v).strip().upper() for (v,) in rows if v is not None}
    names = {v for v in values if len(v) >= 2 and all("\u4e00" <= c <= "\u9fff" for c in v)}
    ids = {v for v in values if FULL_ID.fullmatch(v)}
    assert len(names) > 500 and len(ids) > 500  # the sample's people, not an empty check
    return names | ids


def analyst_relations(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Every table and view outside restricted, and every as_of table macro, as a FROM item."""
    relations = con.sql(
        """
        select schema_name || '.' || table_name from duckdb_tables()
        where database_name = current_database() and schema_name <> 'restricted'
        union all
        select schema_name || '.' || view_name from duckdb_views()
        where database_name = current_database() and not internal and schema_name <> 'restricted'
        union all
        select distinct schema_name || '.' || function_name || '(null)' from duckdb_functions()
        where database_name = current_database() and function_type = 'table_macro'
          and schema_name <> 'restricted' and parameters = ['as_of']
        order by 1
        """
    ).fetchall()
    return [r for (r,) in relations]


def every_value(con: duckdb.DuckDBPyConnection, relation: str) -> set[str]:
    """Every value of every column, as text (an ID could hide in a number or a list)."""
    rows = con.sql(f"select columns(*)::varchar from {relation}").fetchall()
    return {str(v).upper() for row in rows for v in row if v is not None}


def leaks(values: set[str], secrets: set[str]) -> set[str]:
    """Secrets found anywhere inside the values (as a whole value or a substring of one)."""
    lengths = {len(s) for s in secrets}
    found = set()
    for value in values:
        for n in lengths:
            found |= {value[i : i + n] for i in range(len(value) - n + 1)} & secrets
    return found


@pytest.mark.parametrize("which", ["analyst copy", "office warehouse"])
def test_no_name_or_full_id_number_outside_restricted(sample, which):
    path = snapshot_of(sample) if which == "analyst copy" else sample.warehouse
    secrets = personal_values(sample)
    con = open_as_analyst(path)
    try:
        relations = analyst_relations(con)
        assert {"marts.births", "marts.beneficiaries", "marts.findings", "raw.births"} <= set(
            relations
        )
        assert "staging.births(null)" in relations
        found = {rel: leaks(every_value(con, rel), secrets) for rel in relations}
    finally:
        con.close()
    assert {rel: hits for rel, hits in found.items() if hits} == {}


# a run of UTF-8 characters whose lead byte is that of U+4000 … U+9FFF (the names' range)
CJK_RUN = re.compile(rb"(?:[\xe4-\xe9][\x80-\xbf]{2})+")
ID_AT = re.compile(rb"(?=([0-9]{17}[0-9X]))")  # overlapping: every 18 characters that could be one


def secrets_in_bytes(data: bytes, secrets: set[str]) -> set[str]:
    """The secrets (Chinese names, full ID numbers: personal_values) whose UTF-8 bytes occur in
    `data`: `{s for s in secrets if s.encode() in data}`, in one pass over the data per kind."""
    found = {m.decode() for m in ID_AT.findall(data)} & secrets
    names = {s for s in secrets if not FULL_ID.fullmatch(s)}
    lengths = {len(s) for s in names}
    for run in CJK_RUN.findall(data):
        text = run.decode("utf-8", errors="replace")
        for n in lengths:
            found |= {text[i : i + n] for i in range(len(text) - n + 1)} & names
    return found


def test_the_byte_search_finds_what_a_plain_search_finds():
    secrets = {"张丽", "王小明", "420102199503120227", "11010519491231002X"}
    data = (
        b"\x00\xe4\xb8\x80" + "王小明张丽x".encode() + b"\xff1" + b"420102199503120227" + b"0\x00"
    )
    data += "李张".encode() + b"11010519491231002x"  # a lower-case x is not the ID as written
    plain = {s for s in secrets if s.encode() in data}
    assert secrets_in_bytes(data, secrets) == plain == {"张丽", "王小明", "420102199503120227"}


@pytest.mark.parametrize("which", ["analyst copy", "office warehouse"])
def test_no_byte_of_a_name_or_full_id_number_is_in_the_file(sample, which):
    """Not in any table, nor in the file's free space: names and ID numbers are written to the
    restricted file alone, so the bytes of the warehouse (and of its copy) never held one."""
    path = snapshot_of(sample) if which == "analyst copy" else sample.warehouse
    secrets = personal_values(sample)
    assert secrets_in_bytes(path.read_bytes(), secrets) == set()
    restricted = restricted_path(sample.warehouse).read_bytes()
    assert len(secrets_in_bytes(restricted, secrets)) > 500  # where they are


def test_analyst_copy_has_no_restricted_schema(sample):
    con = open_as_analyst(snapshot_of(sample))
    try:
        schemas = {
            s
            for (s,) in con.sql(
                "select schema_name from duckdb_schemas() where database_name = current_database()"
            ).fetchall()
        }
        with pytest.raises(duckdb.CatalogException):
            con.sql("select * from restricted.births").fetchall()
    finally:
        con.close()
    assert {"raw", "staging", "marts"} <= schemas
    assert "restricted" not in schemas


def test_analyst_copy_holds_the_warehouse_figures(sample):
    queries = [
        "select count(*) from raw.births",
        "select count(*) from raw.submissions",
        "select sum(value) from marts.indicator_values where period = 'SY2026H1'",
        "select count(*), sum(parity) from marts.births",
        "select count(*) from staging.births('2026-04-05 23:59:59')",
    ]
    results = {}
    for path in (sample.warehouse, snapshot_of(sample)):
        con = open_as_analyst(path)
        try:
            results[path] = [con.sql(q).fetchall() for q in queries]
        finally:
            con.close()
    office, analyst = results.values()
    assert office == analyst


WRITES = [
    "insert into raw.villages (village_code, village_name, township_code, township_name) "
    "values ('1', 'x', '2', 'y')",
    "update raw.submissions set status = 'accepted'",
    "delete from marts.indicator_facts",
    "drop view marts.births",
    "create table marts.scratch (a integer)",
]


@pytest.mark.parametrize("which", ["analyst copy", "office warehouse"])
@pytest.mark.parametrize("statement", WRITES)
def test_writing_through_a_read_only_connection_fails(sample, which, statement):
    path = snapshot_of(sample) if which == "analyst copy" else sample.warehouse
    con = open_as_analyst(path)
    try:
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute(statement)
    finally:
        con.close()


@pytest.mark.skipif(os.name == "nt", reason="file modes")
def test_analyst_copy_is_a_read_only_file(sample):
    mode = stat.S_IMODE(snapshot_of(sample).stat().st_mode)
    assert mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH) == 0


def test_analyst_copy_opens_while_an_ingest_holds_the_warehouse(sample):
    with ingest_holding(sample.warehouse):
        with pytest.raises(duckdb.IOException, match="lock"):
            open_as_analyst(sample.warehouse)
        con = open_as_analyst(snapshot_of(sample))
        try:
            assert con.sql("select count(*) from marts.births").fetchone()[0] > 0
        finally:
            con.close()


@pytest.mark.skipif(sys.platform == "win32", reason="Windows cannot replace an open file")
def test_republishing_leaves_an_open_analyst_connection_reading_its_copy(sample, tmp_path):
    target = tmp_path / "analyst.duckdb"
    publish.publish(sample.warehouse, target)
    before = open_as_analyst(target)
    try:
        publish.publish(sample.warehouse, target)
        after = open_as_analyst(target)
        try:
            count = "select count(*) from marts.births"
            assert before.sql(count).fetchone() == after.sql(count).fetchone()
        finally:
            after.close()
    finally:
        before.close()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyst.duckdb"]  # no temp left


def test_analyst_views_agree_with_the_published_indicators(sample):
    con = open_as_analyst(snapshot_of(sample))
    try:
        births = dict(
            con.sql(
                "select village_code, count(*) from marts.births "
                "where list_contains(periods, 'SY2026H1') group by all"
            ).fetchall()
        )
        indicator = dict(
            con.sql(
                "select org_code, value from marts.indicator_values "
                "where period = 'SY2026H1' and org_level = 'village' "
                "and indicator = 'births_total' and value > 0"
            ).fetchall()
        )
        quarantined = con.sql(
            "select count(*) from marts.quarantined_rows where is_current_version"
        ).fetchone()[0]
        rows_quarantined = con.sql(
            "select value from marts.indicator_values where period = 'SY2026H1' "
            "and org_level = 'township' and indicator = 'rows_quarantined'"
        ).fetchone()[0]
        versions = set(
            con.sql(
                "select village_code, report_month, form, submission_id "
                "from marts.form_versions where is_current"
            ).fetchall()
        )
        current = set(
            con.sql(
                "select village_code, report_month, form, submission_id "
                "from staging.current_forms(null)"
            ).fetchall()
        )
    finally:
        con.close()
    assert births == indicator
    assert quarantined == rows_quarantined > 0
    assert versions == current


def test_publishing_through_the_ingests_own_connection(sample, tmp_path):
    target = tmp_path / "analyst.duckdb"
    with Warehouse.at(sample.warehouse, read_only=True) as wh:
        publish.publish(wh, target)
        assert (
            wh.con.sql("select count(*) from restricted.births").fetchone()[0] > 0
        )  # still usable
    con = open_as_analyst(target)
    try:
        assert con.sql("select count(*) from marts.births").fetchone()[0] > 0
    finally:
        con.close()


def test_a_busy_warehouse_leaves_the_previous_copy_whole(sample, tmp_path):
    target = tmp_path / "analyst.duckdb"
    publish.publish(sample.warehouse, target)
    before = target.read_bytes()
    with ingest_holding(sample.warehouse), pytest.raises(WarehouseBusy):
        publish.publish(sample.warehouse, target, wait_seconds=0.5)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["analyst.duckdb"]
