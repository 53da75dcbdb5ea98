"""docs/warehouse.md is generated from the warehouse's own comments and kept up to date; every
analyst table and column carries a COMMENT; the documented example queries run."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from analyst_sample import sample_warehouse, snapshot_of
from typer.testing import CliRunner

from township.cli import app
from township.docs import DOCS_PATH, EXAMPLES, render_docs

COMMITTED = Path(__file__).resolve().parents[1] / DOCS_PATH


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    return sample_warehouse(tmp_path_factory)


def test_committed_docs_are_up_to_date(sample):
    assert render_docs(sample.warehouse) == COMMITTED.read_text(encoding="utf-8"), (
        "docs/warehouse.md is stale: run `uv run township docs --sample` and commit it"
    )


def test_docs_read_the_same_from_the_analysts_copy(sample):
    assert render_docs(snapshot_of(sample)) == render_docs(sample.warehouse)


def test_docs_name_every_analyst_table_and_no_restricted_one(sample):
    text = render_docs(sample.warehouse)
    con = duckdb.connect(str(sample.warehouse), read_only=True)
    try:
        marts = con.sql(
            "select table_name from duckdb_tables() where schema_name = 'marts' union all "
            "select view_name from duckdb_views() where schema_name = 'marts' and not internal"
        ).fetchall()
    finally:
        con.close()
    assert len(marts) >= 12
    for (name,) in marts:
        assert f"### `marts.{name}`" in text
    assert "`restricted." not in text


def relations_and_columns(con: duckdb.DuckDBPyConnection, schemas: tuple[str, ...]):
    relations = con.execute(
        """
        select schema_name, table_name, 'table', comment from duckdb_tables()
        where schema_name in (select unnest(?::varchar[]))
        union all
        select schema_name, view_name, 'view', comment from duckdb_views()
        where schema_name in (select unnest(?::varchar[])) and not internal
        """,
        [list(schemas), list(schemas)],
    ).fetchall()
    columns = con.execute(
        "select schema_name, table_name, column_name, comment from duckdb_columns() "
        "where schema_name in (select unnest(?::varchar[]))",
        [list(schemas)],
    ).fetchall()
    return relations, columns


def test_every_table_view_and_column_outside_restricted_has_a_comment(sample):
    con = duckdb.connect(str(snapshot_of(sample)), read_only=True)
    try:
        relations, columns = relations_and_columns(con, ("raw", "marts"))
    finally:
        con.close()
    assert [f"{s}.{t}" for s, t, _, c in relations if not c] == []
    assert [f"{s}.{t}.{c}" for s, t, c, comment in columns if not comment] == []
    views = [(t, c) for s, t, kind, c in relations if s == "marts" and kind == "view"]
    assert len(views) >= 10
    assert [t for t, c in views if "粒度：" not in c] == []  # each states its grain


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.title for e in EXAMPLES])
def test_documented_example_query_runs_on_the_analysts_copy(sample, example):
    con = duckdb.connect(str(snapshot_of(sample)), read_only=True)
    try:
        rows = con.sql(example.sql).fetchall()
    finally:
        con.close()
    assert rows


def test_docs_command_writes_then_checks(sample, tmp_path):
    out = tmp_path / "warehouse.md"
    runner = CliRunner()
    args = ["docs", "--warehouse", str(snapshot_of(sample)), "--output", str(out)]
    written = runner.invoke(app, args)
    assert written.exit_code == 0, written.output
    assert out.read_text(encoding="utf-8") == COMMITTED.read_text(encoding="utf-8")
    assert runner.invoke(app, [*args, "--check"]).exit_code == 0
    out.write_text("stale\n", encoding="utf-8")
    stale = runner.invoke(app, [*args, "--check"])
    assert stale.exit_code == 1
    assert out.read_text(encoding="utf-8") == "stale\n"
