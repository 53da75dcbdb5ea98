"""The township summary's three charts as PNG files (matplotlib, Agg backend): births by month,
the villages' sex ratios against the normal band, and their timeliness."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import matplotlib
import pandas as pd
import pylopdf_fonts_zh_cn
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


def packaged_font() -> Path:
    """Noto Sans SC from the pinned pylopdf-fonts-zh-cn wheel: the same glyphs on every machine,
    whatever fonts the system has (or has not)."""
    return Path(pylopdf_fonts_zh_cn.sans_path())


def _candidate_fonts(preferred: Path | None) -> list[str]:
    """The font preferred (TOWNSHIP_CJK_FONT), where it is a file, then the packaged one."""
    paths = [str(preferred or ""), str(packaged_font())]
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


VERDICT_COLORS = {"high": "#C00000", "low": "#C00000", "unclear": "#BFBFBF", "normal": "#5B9BD5"}


def _sex_ratio_png(fig: Figure, summary: Summary, labels: _Labels) -> None:
    """Each village's ratio with its 95 % interval and births; red only where the whole
    interval lies outside the normal band, grey where too few births to judge."""
    fig.set_size_inches(11, 6)
    ax = fig.subplots()
    low, high = sex_ratio_band(summary.catalog)
    villages = summary.detail.villages
    names, chinese = labels.villages(villages)
    judged = summary.judged[summary.judged["indicator"] == SEX_RATIO].set_index("org_code")
    rows = [judged.loc[c] if c in judged.index else None for c in villages["org_code"]]
    ratios = [None if missing(v) else float(v) for v in villages[SEX_RATIO]]
    valued = [i for i, v in enumerate(ratios) if v is not None]
    points = [max(ratios[i] for i in valued)] if valued else []
    top = max([*points, (high or 0.0) * 1.5, 150.0]) * 1.2
    for i in valued:
        r = rows[i]
        verdict = None if r is None else r["verdict"]
        ax.bar(i, ratios[i], color=VERDICT_COLORS.get(verdict, "#5B9BD5"), width=0.65)
        if r is not None and not missing(r["low"]):
            upper = min(float(r["high"]), top * 0.97)
            ax.vlines(i, float(r["low"]), upper, color="#404040", linewidth=1.2)
            ax.hlines(float(r["low"]), i - 0.15, i + 0.15, color="#404040", linewidth=1.2)
            if float(r["high"]) > upper:  # cut at the top of the chart: an arrow says it goes on
                ax.plot(i, upper, marker="^", color="#404040", markersize=5)
            else:
                ax.hlines(upper, i - 0.15, i + 0.15, color="#404040", linewidth=1.2)
    if low is not None and high is not None:
        ax.axhspan(low, high, color="#70AD47", alpha=0.25, zorder=0)
    for bound in (low, high):
        if bound is not None:
            ax.axhline(bound, color="#548235", linestyle="--", linewidth=1.0)
    band = f"{bound_text(low)}–{bound_text(high)}"
    ax.set_title(
        labels.pick(
            f"各村出生人口性别比（女=100）及95%置信区间，正常值范围 {band}，{summary.period.key}",
            f"Sex ratio at birth by village with 95% interval, normal {band}, {summary.period.key}",
        )
    )
    births = ["" if r is None or missing(r["cases"]) else f"（{int(r['cases'])}）" for r in rows]
    ticks = [f"{n}{b}" for n, b in zip(names, births, strict=True)]
    ax.set_xticks(range(len(names)), ticks, rotation=45 if chinese else 90, ha="right")
    ax.set_xlabel(labels.pick("村（括号内为出生数）", "Village code (births)"))
    ax.set_ylabel(labels.pick("性别比", "Sex ratio"))
    ax.set_ylim(0, top)
    _verdict_legend(fig, labels)
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


def _verdict_legend(fig: Figure, labels: _Labels) -> None:
    from matplotlib.patches import Patch

    entries = [
        ("high", "区间整体超出正常值范围", "Interval wholly outside"),
        ("unclear", "出生数太少，无法判断", "Too few births to judge"),
        ("normal", "在正常值范围内", "Within the band"),
    ]
    handles = [Patch(color=VERDICT_COLORS[k], label=labels.pick(zh, en)) for k, zh, en in entries]
    fig.legend(handles=handles, loc="outside lower center", ncols=len(handles), fontsize=9)


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
