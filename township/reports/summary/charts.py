"""The township summary's three charts as PNG files (matplotlib, Agg backend): births by month,
the villages' sex ratios against the normal band, and their timeliness."""

from __future__ import annotations

import subprocess
from functools import cache
from pathlib import Path

import matplotlib
import pandas as pd
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from township.config import Settings
from township.reports.summary.build import PARITIES, Summary
from township.reports.summary.figures import (
    ON_TIME,
    SEX_RATIO,
    bound_text,
    missing,
    out_of_range,
    sex_ratio_band,
)


@cache
def _charmap(path: str) -> frozenset[int]:
    return frozenset(font_manager.get_font(path).get_charmap())


def _covers(path: str, sample: str) -> bool:
    try:
        chars = _charmap(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in chars for c in sample)


def _candidate_fonts(preferred: Path | None) -> list[str]:
    """A CJK font, where one is: the one preferred (TOWNSHIP_CJK_FONT), the pylopdf-fonts-zh-cn
    package (Noto Sans SC) if installed, then fontconfig's Chinese fonts."""
    paths = [str(preferred or "")]
    try:
        import pylopdf_fonts_zh_cn  # type: ignore[import-not-found]

        paths.append(str(pylopdf_fonts_zh_cn.sans_path()))
    except ImportError:
        pass
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20, check=False
        ).stdout
        paths += sorted(line.split(":")[0].strip() for line in listed.splitlines())
    except (OSError, subprocess.SubprocessError):
        pass
    return [p for p in paths if p and Path(p).is_file()]


_REGISTERED: set[str] = set()


@cache
def cjk_font(preferred: Path | None = None) -> str | None:
    """Path of a font with the Chinese glyphs the charts use, or None."""
    sample = "各月出生婴儿数一孩二孩多孩村性别比按时上报率正常值范围"
    return next((p for p in _candidate_fonts(preferred) if _covers(p, sample)), None)


class _Labels:
    """Chinese labels where the fonts in use have every glyph, ASCII ones otherwise, so that
    matplotlib never draws a missing glyph (which it reports as a warning)."""

    def __init__(self, cjk: str | None):
        bundled = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")
        self.paths = [p for p in (cjk, bundled) if p]
        self.families = [font_manager.get_font(p).family_name for p in self.paths]
        if cjk and cjk not in _REGISTERED:  # so that rcParams can name its family
            font_manager.fontManager.addfont(cjk)
            _REGISTERED.add(cjk)

    def fits(self, text: str) -> bool:
        return all(c.isspace() or any(ord(c) in _charmap(p) for p in self.paths) for c in str(text))

    def pick(self, zh: str, ascii_text: str) -> str:
        return zh if self.fits(zh) else ascii_text

    def villages(self, frame: pd.DataFrame) -> tuple[list[str], bool]:
        names = [str(n) for n in frame["org_name"]]
        if all(self.fits(n) for n in names):
            return names, True
        return [str(c) for c in frame["org_code"]], False


def write(summary: Summary, path: Path, settings: Settings) -> list[Path]:
    """The three charts beside `path` (a workbook's, say): <stem>_births_by_month.png,
    <stem>_sex_ratio.png, <stem>_timeliness.png."""
    labels = _Labels(cjk_font(settings.cjk_font))
    outputs = [
        (path.with_name(f"{path.stem}_births_by_month.png"), _births_png),
        (path.with_name(f"{path.stem}_sex_ratio.png"), _sex_ratio_png),
        (path.with_name(f"{path.stem}_timeliness.png"), _timeliness_png),
    ]
    # Local to these figures: the CJK font first, DejaVu Sans (bundled) for what it lacks.
    with matplotlib.rc_context({"font.family": labels.families}):
        for out, draw in outputs:
            fig = Figure(figsize=(10, 5.5), dpi=110, layout="constrained")
            FigureCanvasAgg(fig)
            draw(fig, summary, labels)
            fig.savefig(out, format="png")
    return [out for out, _ in outputs]


def _number_or_zero(value: object) -> float:
    return 0.0 if missing(value) else float(value)


def _births_png(fig: Figure, summary: Summary, labels: _Labels) -> None:
    ax = fig.subplots()
    months = list(summary.detail.months["month"])
    bottom = [0.0] * len(months)
    colors = ["#4472C4", "#ED7D31", "#A5A5A5"]
    for (code, zh, en), color in zip(PARITIES, colors, strict=True):
        heights = [_number_or_zero(v) for v in summary.detail.months[code]]
        ax.bar(months, heights, bottom=bottom, label=labels.pick(zh, en), color=color, width=0.6)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    for x, total in enumerate(bottom):
        ax.annotate(f"{total:.0f}", (x, total), ha="center", va="bottom", fontsize=9)
    ax.set_title(
        labels.pick(
            f"{summary.township_name}{summary.period.key}各月出生婴儿数（按孩次）",
            f"Births by month and parity, township {summary.township_code}, {summary.period.key}",
        )
    )
    ax.set_xlabel(labels.pick("月份", "Month"))
    ax.set_ylabel(labels.pick("出生婴儿数（人）", "Births"))
    fig.legend(loc="outside lower center", ncols=len(PARITIES))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if len(months) > 8:
        ax.tick_params(axis="x", labelrotation=45)


def _sex_ratio_png(fig: Figure, summary: Summary, labels: _Labels) -> None:
    ax = fig.subplots()
    low, high = sex_ratio_band(summary.catalog)
    names, chinese = labels.villages(summary.detail.villages)
    ratios = [None if missing(v) else float(v) for v in summary.detail.villages[SEX_RATIO]]
    colors = ["#C00000" if out_of_range(v, low, high) else "#5B9BD5" for v in ratios]
    xs = list(range(len(names)))
    ax.bar(
        [x for x, v in zip(xs, ratios, strict=True) if v is not None],
        [v for v in ratios if v is not None],
        color=[c for c, v in zip(colors, ratios, strict=True) if v is not None],
        width=0.65,
    )
    if low is not None and high is not None:
        ax.axhspan(low, high, color="#70AD47", alpha=0.15, zorder=0)
    for bound, style in ((low, "--"), (high, "--")):
        if bound is not None:
            ax.axhline(bound, color="#548235", linestyle=style, linewidth=1.2)
    band = f"{bound_text(low)}–{bound_text(high)}"
    ax.set_title(
        labels.pick(
            f"各村出生人口性别比（女=100），正常值范围 {band}，{summary.period.key}",
            f"Sex ratio at birth by village (boys per 100 girls), normal {band}, {summary.period.key}",
        )
    )
    ax.set_xticks(xs, names, rotation=45 if chinese else 90, ha="right" if chinese else "center")
    ax.set_xlabel(labels.pick("村", "Village code"))
    ax.set_ylabel(labels.pick("性别比", "Sex ratio"))
    tallest = max([v for v in ratios if v is not None] + [high or 0.0, low or 0.0, 1.0])
    ax.set_ylim(0, tallest * 1.15)  # room for the note on villages without a value
    unvalued = [n for n, v in zip(names, ratios, strict=True) if v is None]
    if unvalued:
        ax.text(
            0.01,
            0.98,
            labels.pick("无数值（无女婴或无出生）：", "No value (no girls or no births): ")
            + ", ".join(unvalued),
            transform=ax.transAxes,
            va="top",
            fontsize=8,
            wrap=True,
        )
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _timeliness_png(fig: Figure, summary: Summary, labels: _Labels) -> None:
    fig.set_size_inches(10, max(4.0, 0.3 * len(summary.detail.villages) + 1.5))
    ax = fig.subplots()
    names, _ = labels.villages(summary.detail.villages)
    rates = [None if missing(v) else float(v) for v in summary.detail.villages[ON_TIME]]
    ys = list(range(len(names)))
    bars = ax.barh(ys, [r or 0.0 for r in rates], color="#4472C4", height=0.65)
    shown = ["—" if r is None else f"{r:.1f}" for r in rates]
    ax.bar_label(bars, labels=shown, padding=3, fontsize=8)
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_title(
        labels.pick(
            f"各村按时上报率（次月5日前收到，%），{summary.period.key}",
            f"Reports received by the 5th of the next month, by village (%), {summary.period.key}",
        )
    )
    ax.set_xlabel(labels.pick("按时上报率（%）", "On time (%)"))
    ax.set_ylabel(labels.pick("村", "Village code"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
