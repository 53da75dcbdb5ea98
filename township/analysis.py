"""Helpers the analysts' notebooks use: plain functions, tested like the rest.

- `text_colour`: black or white, whichever reads better on a cell's fill (the completeness
  heatmap's counts on its darkest greens);
- `rule_names`: each rule's Chinese label, for findings by rule: the catalog's `name` where the
  rule has one, else the beginning of its message without the placeholders;
- `cjk_font_file`: the packaged Noto Sans SC (or TOWNSHIP_CJK_FONT), so the charts' Chinese
  looks the same on any machine.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from township.rules.catalog import CATALOG_FILE

BLACK, WHITE = "black", "white"
SHORT = 18  # characters of a message kept as a label


def _linear(channel: float) -> float:
    return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4


def luminance(rgb) -> float:
    """WCAG relative luminance of an sRGB colour given as 0–1 floats (alpha ignored)."""
    r, g, b = (_linear(float(c)) for c in tuple(rgb)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: float, b: float) -> float:
    """WCAG contrast ratio of two luminances (1 to 21)."""
    light, dark = max(a, b), min(a, b)
    return (light + 0.05) / (dark + 0.05)


def text_colour(fill) -> str:
    """Black or white text on `fill` (an RGB(A) tuple of 0–1 floats): the higher contrast."""
    lum = luminance(fill)
    return BLACK if contrast(lum, 0.0) >= contrast(lum, 1.0) else WHITE


def _from_message(message: str) -> str:
    """A label from a message template: placeholders, and the quotes or brackets around them,
    removed; up to the first clause's end, at most SHORT characters."""
    text = re.sub(r"[“（(][^”）)]*\{[a-z_]+\}[^”）)]*[”）)]", "", message)
    text = re.sub(r"\{[a-z_]+\}", "", text)
    text = re.sub(r"\s+", " ", text).strip(" ：:，,")
    first = re.split(r"[，。；,;]", text)[0].strip()
    first = re.sub(r"^(填写的|中的|的)", "", first)  # what a removed placeholder led into
    return first[:SHORT]


def rule_names(path: Path = CATALOG_FILE) -> dict[str, str]:
    """rule id → its Chinese label (the catalog's `name`, else its message's beginning)."""
    rules = yaml.safe_load(path.read_text(encoding="utf-8"))["rules"]
    names = {}
    for rid, spec in rules.items():
        label = str(spec.get("name") or "").strip()
        if not label:
            derived = _from_message(str(spec.get("message", "")))
            # too little left of the message to say anything: the id says more
            label = derived if len(derived) >= 4 else rid
        names[rid] = label
    shared = {label for label in names.values() if list(names.values()).count(label) > 1}
    # one label for several rules (无法识别 for every vocabulary): each told apart by its id
    return {rid: f"{label}（{rid}）" if label in shared else label for rid, label in names.items()}


def cjk_font_file() -> Path:
    """The font of the summary's charts: TOWNSHIP_CJK_FONT where set, else the packaged Noto
    Sans SC (of the pinned pylopdf-fonts-zh-cn)."""
    from township.config import Settings
    from township.reports.summary.charts import packaged_font

    return Settings().cjk_font or packaged_font()
