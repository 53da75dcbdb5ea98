"""The indicator codes of the catalog (catalog.yaml): the interface every figure is asked by."""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")


@functools.cache
def indicator_codes() -> tuple[str, ...]:
    catalog = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))["indicators"]
    return tuple(i["code"] for i in catalog)


def check_indicator(code: str) -> str:
    """`code` if the catalog has it; else ValueError naming it, the catalog and the nearest."""
    if code in indicator_codes():
        return code
    near = difflib.get_close_matches(code, indicator_codes(), n=1)
    hint = f"did you mean {near[0]}? " if near else ""
    raise ValueError(
        f"unknown indicator {code!r}: {hint}the codes are those of the indicator catalog, "
        f"township/indicators/{CATALOG_FILE.name} (e.g. births_total, policy_compliance_rate)"
    )
