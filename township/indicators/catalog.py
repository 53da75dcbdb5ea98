"""The indicator codes of the catalog (catalog.yaml): the interface every figure is asked by."""

from __future__ import annotations

import difflib
import functools
from pathlib import Path

import yaml

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")


@functools.cache
def load_catalog() -> tuple[dict, ...]:
    """The catalog's indicators, as the rows of marts.indicator_catalog."""
    catalog = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))["indicators"]
    return tuple(
        {
            "code": i["code"],
            "name_zh": i["name_zh"],
            "kind": i["kind"],
            "numerator": i["numerator"],
            "denominator": i.get("denominator"),
            "factor": int(i.get("factor", 1)),
            "decimals": int(i.get("decimals", 0)),
            "unit": i.get("unit"),
            "normal_low": i.get("normal_low"),
            "normal_high": i.get("normal_high"),
            "annualised": bool(i.get("annualised", False)),
        }
        for i in catalog
    )


def indicator_codes() -> tuple[str, ...]:
    return tuple(i["code"] for i in load_catalog())


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
