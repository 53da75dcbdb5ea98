"""Settings: read once from TOWNSHIP_* variables, overridable by keyword, one clear error each."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from township.cli import app
from township.config import Settings, SettingsError


@pytest.fixture
def clean_env(monkeypatch) -> pytest.MonkeyPatch:
    for name in [n for n in os.environ if n.startswith("TOWNSHIP_")]:
        monkeypatch.delenv(name)
    return monkeypatch


def test_defaults_are_relative_to_the_working_directory(clean_env):
    s = Settings()
    assert (s.raw_dir, s.warehouse, s.outbox) == (
        Path("data/raw"),
        Path("data/warehouse/township.duckdb"),
        Path("data/outbox"),
    )
    assert (s.timezone, s.duckdb_memory, s.lock_wait_seconds, s.runner) == (
        "Asia/Shanghai",
        "600MB",
        60.0,
        "local",
    )
    assert s.smtp is None and s.person_key is None and not s.uses_lake


def test_a_variable_sets_its_setting_and_a_keyword_overrides_both(clean_env):
    clean_env.setenv("TOWNSHIP_RAW_DIR", "/srv/raw")
    clean_env.setenv("TOWNSHIP_WORKERS", "3")
    clean_env.setenv("TOWNSHIP_CATALOG", "")  # empty: unset
    s = Settings()
    assert (s.raw_dir, s.workers, s.catalog) == (Path("/srv/raw"), 3, None)
    assert Settings(workers=5).workers == 5
    assert s.with_paths(raw_dir=Path("x"), outbox=None).raw_dir == Path("x")
    assert s.with_options(runner="dask").runner == "dask"


def test_a_bad_value_is_one_error_naming_its_variable(clean_env):
    clean_env.setenv("TOWNSHIP_WORKERS", "many")
    with pytest.raises(SettingsError, match="^TOWNSHIP_WORKERS='many': "):
        Settings()
    with pytest.raises(SettingsError, match="TOWNSHIP_TIMEZONE='Mars/Olympus'"):
        Settings(workers=1, timezone="Mars/Olympus")
    with pytest.raises(SettingsError, match="TOWNSHIP_RUNNER='cloud': use local or dask"):
        Settings(workers=1, runner="cloud")


def test_secrets_are_neither_shown_nor_logged(clean_env):
    clean_env.setenv("TOWNSHIP_PERSON_KEY", "k3y")
    clean_env.setenv("TOWNSHIP_SMTP_HOST", "smtp.example.cn")
    clean_env.setenv("TOWNSHIP_SMTP_PASSWORD", "s3cret")
    s = Settings()
    assert "k3y" not in repr(s) and "s3cret" not in repr(s) and "s3cret" not in repr(s.smtp)
    assert s.person_key_bytes == b"k3y" and s.smtp.password == "s3cret"


def test_a_bad_variable_exits_2_with_one_line(clean_env, tmp_path):
    clean_env.chdir(tmp_path)
    result = CliRunner().invoke(app, ["ingest"], env={"TOWNSHIP_MAX_SHEET_ROWS": "lots"})
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "township: bad setting in the environment: TOWNSHIP_MAX_SHEET_ROWS='lots': "
    )
    assert len(result.stderr.strip().splitlines()) == 1
