"""docs/contract.md, the contract the project keeps: its tables follow the catalogs (a test fails
while the committed file is stale), and nothing in the repository points outside it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml

from township.docs import CONTRACT_PATH, render_contract
from township.indicators.catalog import load_catalog
from township.rules.catalog import CATALOG_FILE

ROOT = Path(__file__).resolve().parents[1]
OUTSIDE = ("../shared", "SPEC.md")


def test_committed_contract_tables_are_those_of_the_catalogs():
    committed = (ROOT / CONTRACT_PATH).read_text(encoding="utf-8")
    assert render_contract(committed) == committed, (
        "docs/contract.md is stale: run `uv run township docs --contract` and commit it"
    )


def test_the_contract_lists_every_rule_and_indicator_and_form(tmp_path):
    text = render_contract((ROOT / CONTRACT_PATH).read_text(encoding="utf-8"))
    rules = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))["rules"]
    assert all(f"| `{rid}` |" in text for rid in rules)
    assert all(f"| `{i['code']}` | {i['name_zh']} |" in text for i in load_catalog())
    for form in ("封面", "出生登记", "节育措施", "流动人口", "奖励扶助", "宣传服务", "人口变动"):
        assert f"**{form}**" in text


def test_a_catalog_change_makes_the_committed_contract_stale(tmp_path):
    """The check can fail: a contract whose rule table lacks a row is rewritten."""
    committed = (ROOT / CONTRACT_PATH).read_text(encoding="utf-8")
    stale = "\n".join(line for line in committed.splitlines() if "| `required` |" not in line)
    assert render_contract(stale + "\n") == committed


def test_docs_contract_check_exits_1_on_a_stale_file_and_0_on_the_committed(tmp_path):
    stale = tmp_path / "contract.md"
    stale.write_text(
        "# x\n<!-- generated: rules -->\nold\n<!-- end generated -->\n", encoding="utf-8"
    )
    for path, status in ((stale, 1), (ROOT / CONTRACT_PATH, 0)):
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "township.cli",
                "docs",
                "--contract",
                "--check",
                "-o",
                str(path),
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == status, done.stderr


def test_nothing_in_the_repository_points_outside_it():
    tracked = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    pointing = []
    for name in tracked:
        path = ROOT / name
        if path.suffix in {".png", ".xlsx", ".xls", ".lock", ".parquet"} or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        pointing += [(name, word) for word in OUTSIDE if word in text]
    assert pointing == [("tests/test_contract_docs.py", w) for w in OUTSIDE]  # this test alone
