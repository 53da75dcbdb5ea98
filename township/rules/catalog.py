"""The rule catalog as data: severity and the Chinese wording for each rule id."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from township.model import Finding

CATALOG_FILE = Path(__file__).with_name("catalog.yaml")

# rules a module other than the validation raises or reads by name
OLDER_THAN_LOADED = "submission.older_than_loaded"


@dataclass(frozen=True)
class Rule:
    id: str
    name: str  # in Chinese, what the village reads
    severity: str
    message: str
    fix: str
    variants: dict[str, str]  # fix_<name>: the fix for a case the general one does not fit
    messages: dict[str, str]  # message_<name>: the message of such a case, where it differs


@cache
def load_rules(path: Path = CATALOG_FILE) -> dict[str, Rule]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    return {
        rid: Rule(
            rid,
            spec["name"],
            spec["severity"],
            spec["message"],
            spec["fix"],
            {k.removeprefix("fix_"): v for k, v in spec.items() if k.startswith("fix_")},
            {k.removeprefix("message_"): v for k, v in spec.items() if k.startswith("message_")},
        )
        for rid, spec in raw.items()
    }


def rule_name_zh(rule_id: str) -> str:
    """The rule's Chinese name; an id the catalog does not know, as it is."""
    rule = load_rules().get(rule_id)
    return rule.name if rule else rule_id


def finding(
    rule_id: str,
    *,
    field_zh: str = "",
    value: object = None,
    other: object = "",
    variant: str | None = None,
    **where,
) -> Finding:
    """A Finding worded from the catalog; `where` gives sheet, row, cell and field; `variant`
    picks the rule's fix_<variant> and message_<variant> wordings where it has them."""
    rule = load_rules()[rule_id]
    fix = rule.variants.get(variant, rule.fix) if variant else rule.fix
    message = rule.messages.get(variant, rule.message) if variant else rule.message
    text = "" if value is None else str(value)
    words = {"field": field_zh, "value": text, "other": other}
    return Finding(
        rule_id=rule_id,
        severity=rule.severity,
        message_zh=message.format(**words),
        fix_zh=fix.format(**words),
        value=text or None,
        **where,
    )
