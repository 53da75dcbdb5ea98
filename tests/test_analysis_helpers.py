"""What the notebooks draw with: readable text on every heatmap cell, and rules by Chinese name."""

from __future__ import annotations

import matplotlib
import pytest
import yaml

from township.analysis import contrast, luminance, rule_names, text_colour
from township.rules.catalog import CATALOG_FILE


@pytest.mark.parametrize("step", range(6))
def test_heatmap_counts_get_the_text_colour_that_contrasts_most_with_their_cell(step):
    fill = matplotlib.colormaps["YlGn"](step / 5)  # the completeness heatmap: 0 … 5 forms
    chosen = text_colour(fill)
    other = "white" if chosen == "black" else "black"
    lum = luminance(fill)
    text = {"black": 0.0, "white": 1.0}
    assert contrast(lum, text[chosen]) >= contrast(lum, text[other])
    assert contrast(lum, text[chosen]) >= 4.5  # WCAG AA for normal text


def test_the_darkest_green_takes_white_and_the_lightest_black():
    cmap = matplotlib.colormaps["YlGn"]
    assert text_colour(cmap(1.0)) == "white"
    assert text_colour(cmap(0.0)) == "black"


def test_every_rule_has_a_chinese_label_distinct_from_the_others(tmp_path):
    names = rule_names()
    rules = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))["rules"]
    assert set(names) == set(rules)
    assert len(set(names.values())) == len(names)
    for rule_id, rule in rules.items():
        if rule.get("name"):  # the catalog's own name, as the village report shows it
            assert names[rule_id] == rule["name"], rule_id


def test_a_rule_name_in_the_catalog_is_used_as_it_is(tmp_path):
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        "rules:\n"
        "  required: {severity: error, name: 必填项未填, message: x, fix: y}\n"
        "  stock.outlier: {severity: warning, message: '{field}为{value}', fix: y}\n",
        encoding="utf-8",
    )
    names = rule_names(catalog)
    assert names == {"required": "必填项未填", "stock.outlier": "stock.outlier"}
