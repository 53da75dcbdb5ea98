"""The township summary as a workbook (sheets 全镇, 各村, 数据质量, with native charts) and the
same three charts as PNG files beside it."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import matplotlib
import pandas as pd
import xlsxwriter
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from township.calendar import Period
from township.forms import load_catalogue
from township.reports.compare import comparisons, values_for
from township.reports.summary import load_summary, paragraph, remarks
from township.reports.village import STATUS_ZH
from township.store import Warehouse, queries

PARITIES = [
    ("births_parity_1", "一孩", "1st child"),
    ("births_parity_2", "二孩", "2nd child"),
    ("births_parity_3plus", "多孩", "3rd+ child"),
]
SEX_RATIO = "sex_ratio_at_birth"
ON_TIME = "reporting_on_time_rate"
QUALITY_COLUMNS = [
    "villages_reported",
    "reporting_rate",
    "reporting_on_time_rate",
    "rows_quarantined",
    "duplicates_removed",
]
OUT_OF_RANGE_FILL, OUT_OF_RANGE_FONT = "#FFC7CE", "#9C0006"
OUTLIER_FILL = "#FFEB9C"
CJK_FONT_ENV = "TOWNSHIP_CJK_FONT"


@dataclass
class SummaryData:
    """Everything the workbook and the PNGs show, read once from the warehouse."""

    period: Period
    previous_period: str
    year_earlier_period: str
    township_code: str
    township_name: str
    text: str  # the SPEC §9 paragraph
    town: pd.DataFrame  # the catalog, + value, num, den, note, previous_value, year_earlier_value
    villages: pd.DataFrame  # one row per village: org_code, org_name, then one column per code
    catalog: pd.DataFrame
    months: pd.DataFrame  # month, births_parity_1, births_parity_2, births_parity_3plus
    outliers: pd.DataFrame  # village_code, report_month, form, field
    submissions: pd.DataFrame


def write_summary_xlsx(
    path: Path,
    wh: Warehouse,
    period_key: str,
    as_of: datetime | None = None,
    township: str | None = None,
) -> Path:
    """Write the summary workbook for a period (as the warehouse knew it at `as_of`) and its
    charts as PNGs beside it: <stem>_births_by_month.png, <stem>_sex_ratio.png,
    <stem>_timeliness.png. Raises summary.NoData when the warehouse has nothing for the period."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = summary_data(wh, period_key, as_of, township)
    _write_workbook(path, data)
    write_chart_pngs(path, data)
    return path


# -- reading ---------------------------------------------------------------------------------
def summary_data(
    wh: Warehouse, period_key: str, as_of: datetime | None = None, township: str | None = None
) -> SummaryData:
    """The figures for one township (the first by code unless named) and its villages."""
    period, values, catalog = load_summary(wh, period_key, as_of, township)
    last = queries.latest_report_month(wh, as_of)
    towns = values[values["org_level"] == "township"].sort_values("org_code")
    code, name = towns["org_code"].iloc[0], towns["org_name"].iloc[0]
    registry = queries.villages(wh)
    members = set(registry.loc[registry["township_code"] == code, "village_code"])
    values = values[(values["org_code"] == code) | values["org_code"].isin(members)]
    own = values[values["org_level"] == "township"].rename(
        columns={"numerator": "num", "denominator": "den"}
    )
    compared = comparisons(wh, period.key, as_of)
    compared = compared[compared["org_code"] == code]
    town = catalog.merge(
        own[["indicator", "value", "num", "den", "note"]],
        left_on="code",
        right_on="indicator",
        how="left",
    ).merge(
        compared[["indicator", "previous_value", "year_earlier_value"]],
        on="indicator",
        how="left",
    )
    village = values[values["org_level"] == "village"]
    wide = (
        village.pivot(index=["org_code", "org_name"], columns="indicator", values="value")
        .reindex(columns=list(catalog["code"]))
        .reset_index()
        .sort_values("org_code", ignore_index=True)
    )
    wide.columns.name = None
    outliers = stock_outliers(wh, period, as_of)
    submissions = period_submissions(wh, period, as_of)
    return SummaryData(
        period=period,
        previous_period=period.previous().key,
        year_earlier_period=period.year_earlier().key,
        township_code=code,
        township_name=name,
        text=paragraph(period, values, last) + remarks(values),
        town=town,
        villages=wide,
        catalog=catalog,
        months=_births_by_month(wh, period, last, code, as_of),
        outliers=outliers[outliers["village_code"].isin(members)],
        submissions=submissions[
            submissions["village_code"].isin(members) | submissions["village_code"].isna()
        ],
    )


def _births_by_month(
    wh: Warehouse, period: Period, last: str | None, township: str, as_of: datetime | None
) -> pd.DataFrame:
    """Township births by parity for each month of the period up to the last report month."""
    months = period.months
    shown = [m for m in months if last is None or m <= last] or months
    values = values_for(wh, shown, as_of)
    town = values[(values["org_level"] == "township") & (values["org_code"] == township)]
    wide = town.pivot(index="period", columns="indicator", values="value")
    codes = [c for c, _, _ in PARITIES]
    frame = wide.reindex(index=shown, columns=codes).rename_axis("month").reset_index()
    frame.columns.name = None
    return frame


def stock_outliers(wh: Warehouse, period: Period, as_of: datetime | None = None) -> pd.DataFrame:
    """stock.outlier findings on the current version of a village's sheet, months of the period
    (a figure a village has since corrected is not shown)."""
    frame = queries.period_stock_outliers(wh, period.start_month, period.end_month, as_of)
    forms = load_catalogue().forms
    frame["field_zh"] = [
        forms[form].field(name).name_zh if form in forms else name
        for form, name in zip(frame["form"], frame["field"], strict=True)
    ]
    return frame


def period_submissions(
    wh: Warehouse, period: Period, as_of: datetime | None = None
) -> pd.DataFrame:
    """Every file received for the period's report months (by as_of), with its status."""
    return queries.period_submissions(wh, period.start_month, period.end_month, as_of)


# -- the workbook -----------------------------------------------------------------------------
def _missing(value: object) -> bool:
    return value is None or bool(pd.isna(value))


def _out_of_range(value: object, low: object, high: object) -> bool:
    if _missing(value):
        return False
    return (not _missing(low) and value < low) or (not _missing(high) and value > high)


class _Formats:
    """xlsxwriter formats, made once per distinct set of properties."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.wb, self.made = wb, {}

    def __call__(self, **props) -> xlsxwriter.format.Format:
        key = tuple(sorted(props.items()))
        if key not in self.made:
            self.made[key] = self.wb.add_format({"font_name": "宋体", "font_size": 10, **props})
        return self.made[key]

    def number(self, decimals: int, **props) -> xlsxwriter.format.Format:
        return self(num_format=f"0.{'0' * decimals}" if decimals else "0", **props)


def _put(ws, row: int, col: int, value: object, fmt=None) -> None:
    if _missing(value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def _write_workbook(path: Path, data: SummaryData) -> None:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": f"{data.township_name}{data.period.key}人口和计划生育统计"})
    fmt = _Formats(wb)
    _township_sheet(wb, fmt, data)
    _villages_sheet(wb, fmt, data)
    _quality_sheet(wb, fmt, data)
    wb.close()


def _township_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, data: SummaryData) -> None:
    ws = wb.add_worksheet("全镇")
    title = fmt(bold=True, font_size=14)
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    cell = fmt(border=1)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 4, 10)
    ws.set_column(5, 5, 18)
    ws.set_column(6, 7, 10)
    ws.write_string(0, 0, f"{data.township_name}{data.period.key}人口和计划生育统计", title)
    ws.merge_range(1, 0, 1, 7, data.text, fmt(text_wrap=True, valign="top"))
    ws.set_row(1, 66)
    prev, earlier = data.previous_period, data.year_earlier_period
    ws.write_string(
        2,
        0,
        f"上期为{prev}，去年同期为{earlier}；空白表示仓库中没有该期的报表或数值。",
        fmt(italic=True),
    )
    headers = ["指标", "数值", "单位", "分子", "分母", "说明", "上期", "去年同期"]
    ws.write_row(3, 0, headers, header)
    for i, r in enumerate(data.town.itertuples(index=False), start=4):
        number = fmt.number(int(r.decimals), border=1)
        ws.write_string(i, 0, r.name_zh, cell)
        _put(ws, i, 1, r.value, number)
        _put(ws, i, 2, None if _missing(r.unit) else r.unit, cell)
        _put(ws, i, 3, r.num, fmt.number(0, border=1))
        _put(ws, i, 4, r.den, fmt.number(0, border=1))
        _put(ws, i, 5, None if _missing(r.note) else r.note, cell)
        _put(ws, i, 6, r.previous_value, number)
        _put(ws, i, 7, r.year_earlier_value, number)
    ws.freeze_panes(4, 1)

    # births by month and parity: the table the chart draws from, below the indicators
    top = 4 + len(data.town) + 2
    ws.write_string(top, 0, "各月出生婴儿数（按孩次）", fmt(bold=True))
    ws.write_row(top + 1, 0, ["月份", *[zh for _, zh, _ in PARITIES], "合计"], header)
    first = top + 2
    for i, r in enumerate(data.months.itertuples(index=False), start=first):
        ws.write_string(i, 0, r.month, cell)
        counts = [getattr(r, c) for c, _, _ in PARITIES]
        for j, n in enumerate(counts, start=1):
            _put(ws, i, j, n, fmt.number(0, border=1))
        total = (
            None if all(_missing(n) for n in counts) else sum(n for n in counts if not _missing(n))
        )
        _put(ws, i, len(counts) + 1, total, fmt.number(0, border=1))
    last = first + len(data.months) - 1
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j in range(1, len(PARITIES) + 1):
        chart.add_series(
            {
                "name": ["全镇", top + 1, j],
                "categories": ["全镇", first, 0, last, 0],
                "values": ["全镇", first, j, last, j],
                "gap": 60,
            }
        )
    chart.set_title({"name": "各月出生婴儿数（按孩次）"})
    chart.set_x_axis({"name": "月份"})
    chart.set_y_axis({"name": "人", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 360})
    ws.insert_chart(3, 9, chart)


def _villages_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, data: SummaryData) -> None:
    ws = wb.add_worksheet("各村")
    catalog = data.catalog.reset_index(drop=True)
    codes = list(catalog["code"])
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    ws.write_string(0, 0, f"各村指标（{data.period.key}）", fmt(bold=True, font_size=14))
    ws.write_row(1, 0, ["村代码", "村名", *catalog["name_zh"], "存量数字异常"], header)
    ws.set_row(1, 42)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 1 + len(codes), 9)
    ws.set_column(2 + len(codes), 2 + len(codes), 36)
    flagged = data.outliers.groupby("village_code")
    notes = {
        village: "；".join(
            f"{m} {f}" for m, f in zip(g["report_month"], g["field_zh"], strict=True)
        )
        for village, g in flagged
    }
    for i, r in enumerate(data.villages.to_dict("records"), start=2):
        row_fill = {"bg_color": OUTLIER_FILL} if r["org_code"] in notes else {}
        ws.write_string(i, 0, r["org_code"], fmt(border=1, **row_fill))
        ws.write_string(i, 1, r["org_name"], fmt(border=1, **row_fill))
        for j, item in enumerate(catalog.itertuples(index=False), start=2):
            value = r[item.code]
            props = dict(row_fill)
            if _out_of_range(value, item.normal_low, item.normal_high):
                props = {"bg_color": OUT_OF_RANGE_FILL, "font_color": OUT_OF_RANGE_FONT}
            _put(ws, i, j, value, fmt.number(int(item.decimals), border=1, **props))
        _put(ws, i, 2 + len(codes), notes.get(r["org_code"]), fmt(border=1, **row_fill))
    ws.freeze_panes(2, 2)

    # legend
    at = 2 + len(data.villages) + 1
    ranged = catalog[catalog["normal_low"].notna() | catalog["normal_high"].notna()]
    bands = "、".join(
        f"{r.name_zh} {_fmt_bound(r.normal_low)}–{_fmt_bound(r.normal_high)}"
        for r in ranged.itertuples(index=False)
    )
    ws.write_string(at, 0, "", fmt(bg_color=OUT_OF_RANGE_FILL, border=1))
    ws.write_string(at, 1, f"超出正常值范围（{bands}）")
    ws.write_string(at + 1, 0, "", fmt(bg_color=OUTLIER_FILL, border=1))
    ws.write_string(
        at + 1,
        1,
        "本期有存量数字异常（与本村以往各月相比变化异常，规则 stock.outlier）的村，异常项见最后一列",
    )

    # the sex ratio chart and the table it draws from
    low, high = _band(catalog)
    top = at + 3
    ws.write_string(top, 0, "图表数据：各村出生人口性别比与正常值范围", fmt(bold=True))
    ws.write_row(top + 1, 0, ["村名", "出生人口性别比", "正常下限", "正常上限"], header)
    first = top + 2
    for i, r in enumerate(data.villages.to_dict("records"), start=first):
        ws.write_string(i, 0, r["org_name"], fmt(border=1))
        _put(ws, i, 1, r.get(SEX_RATIO), fmt.number(0, border=1))
        _put(ws, i, 2, low, fmt.number(0, border=1))
        _put(ws, i, 3, high, fmt.number(0, border=1))
    last = first + len(data.villages) - 1
    chart = wb.add_chart({"type": "column"})
    chart.add_series(
        {
            "name": "出生人口性别比",
            "categories": ["各村", first, 0, last, 0],
            "values": ["各村", first, 1, last, 1],
            "fill": {"color": "#5B9BD5"},
            "gap": 50,
        }
    )
    band = wb.add_chart({"type": "line"})
    for col, name, color in ((2, "正常下限", "#70AD47"), (3, "正常上限", "#C00000")):
        band.add_series(
            {
                "name": f"{name} {_fmt_bound(low if col == 2 else high)}",
                "categories": ["各村", first, 0, last, 0],
                "values": ["各村", first, col, last, col],
                "line": {"color": color, "width": 1.5, "dash_type": "dash"},
                "marker": {"type": "none"},
            }
        )
    chart.combine(band)
    chart.set_title({"name": "各村出生人口性别比（女=100）与正常值范围"})
    chart.set_x_axis({"name": "村", "num_font": {"rotation": -45}})
    chart.set_y_axis({"name": "男婴数/女婴数×100", "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 400})
    ws.insert_chart(top, 5, chart)


def _band(catalog: pd.DataFrame) -> tuple[float | None, float | None]:
    row = catalog[catalog["code"] == SEX_RATIO]
    if row.empty:
        return None, None
    low, high = row["normal_low"].iloc[0], row["normal_high"].iloc[0]
    return (None if _missing(low) else float(low)), (None if _missing(high) else float(high))


def _fmt_bound(value: object) -> str:
    return "" if _missing(value) else f"{float(value):g}"


def _quality_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, data: SummaryData) -> None:
    ws = wb.add_worksheet("数据质量")
    catalog = data.catalog.set_index("code")
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    cell = fmt(border=1)
    ws.write_string(0, 0, f"数据质量（{data.period.key}）", fmt(bold=True, font_size=14))
    names = [catalog.loc[c, "name_zh"] for c in QUALITY_COLUMNS]
    ws.write_row(1, 0, ["村代码", "村名", *names], header)
    ws.set_row(1, 30)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 1 + len(QUALITY_COLUMNS), 11)
    rows = data.villages.to_dict("records")
    for i, r in enumerate(rows, start=2):
        ws.write_string(i, 0, r["org_code"], cell)
        ws.write_string(i, 1, r["org_name"], cell)
        for j, code in enumerate(QUALITY_COLUMNS, start=2):
            _put(ws, i, j, r.get(code), fmt.number(int(catalog.loc[code, "decimals"]), border=1))
    first, last = 2, 2 + len(rows) - 1
    total_row = last + 1
    town = data.town.set_index("code")
    bold = fmt(bold=True, border=1)
    ws.write_string(total_row, 0, data.township_code, bold)
    ws.write_string(total_row, 1, f"{data.township_name}（全镇）", bold)
    for j, code in enumerate(QUALITY_COLUMNS, start=2):
        value = town.loc[code, "value"] if code in town.index else None
        decimals = int(catalog.loc[code, "decimals"])
        _put(ws, total_row, j, value, fmt.number(decimals, border=1, bold=True))
    ws.freeze_panes(2, 2)

    chart = wb.add_chart({"type": "bar"})
    col = 2 + QUALITY_COLUMNS.index(ON_TIME)
    chart.add_series(
        {
            "name": ["数据质量", 1, col],
            "categories": ["数据质量", first, 1, last, 1],
            "values": ["数据质量", first, col, last, col],
            "fill": {"color": "#4472C4"},
            "gap": 40,
            "data_labels": {"value": True, "num_format": "0.0"},
        }
    )
    chart.set_title({"name": "各村按时上报率（%，次月5日前收到）"})
    chart.set_x_axis({"min": 0, "max": 100, "name": "%", "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": max(300, 24 * len(rows) + 110)})
    ws.insert_chart(1, 3 + len(QUALITY_COLUMNS), chart)

    # the files received for the period's months
    top = total_row + 3
    ws.write_string(
        top, 0, f"本期各月收到的报表（共{len(data.submissions)}个文件）", fmt(bold=True)
    )
    columns = [
        "报告期",
        "村代码",
        "村名",
        "文件名",
        "收到时间",
        "状态",
        "当前版本",
        "记录数",
        "错误数",
        "警告数",
        "拒收原因",
    ]
    ws.write_row(top + 1, 0, columns, header)
    when = fmt(border=1, num_format="yyyy-mm-dd hh:mm")
    for i, s in enumerate(data.submissions.to_dict("records"), start=top + 2):
        ws.write_string(i, 0, s["report_month"], cell)
        _put(ws, i, 1, s["village_code"], cell)
        _put(ws, i, 2, s["village_name"], cell)
        ws.write_string(i, 3, s["file_name"], cell)
        ws.write_datetime(i, 4, pd.Timestamp(s["received_at"]).to_pydatetime(), when)
        ws.write_string(i, 5, STATUS_ZH.get(s["status"], s["status"]), cell)
        ws.write_string(i, 6, "是" if s["is_current"] else "否", cell)
        for j, key in enumerate(("n_records", "n_errors", "n_warnings"), start=7):
            _put(ws, i, j, s[key], fmt.number(0, border=1))
        _put(ws, i, 10, s["reason_zh"], cell)


# -- the PNGs ---------------------------------------------------------------------------------
@cache
def _charmap(path: str) -> frozenset[int]:
    return frozenset(font_manager.get_font(path).get_charmap())


def _covers(path: str, sample: str) -> bool:
    try:
        chars = _charmap(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(c) in chars for c in sample)


def _candidate_fonts() -> list[str]:
    """A CJK font, where one is: $TOWNSHIP_CJK_FONT, the pylopdf-fonts-zh-cn package (Noto Sans
    SC) if installed, then fontconfig's Chinese fonts."""
    paths = [os.environ.get(CJK_FONT_ENV, "")]
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
def cjk_font() -> str | None:
    """Path of a font with the Chinese glyphs the charts use, or None."""
    sample = "各月出生婴儿数一孩二孩多孩村性别比按时上报率正常值范围"
    return next((p for p in _candidate_fonts() if _covers(p, sample)), None)


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


def write_chart_pngs(path: Path, data: SummaryData) -> list[Path]:
    """The workbook's three charts as PNG files beside it (matplotlib, Agg backend)."""
    path = Path(path)
    labels = _Labels(cjk_font())
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
            draw(fig, data, labels)
            fig.savefig(out, format="png")
    return [out for out, _ in outputs]


def _number_or_zero(value: object) -> float:
    return 0.0 if _missing(value) else float(value)


def _births_png(fig: Figure, data: SummaryData, labels: _Labels) -> None:
    ax = fig.subplots()
    months = list(data.months["month"])
    bottom = [0.0] * len(months)
    colors = ["#4472C4", "#ED7D31", "#A5A5A5"]
    for (code, zh, en), color in zip(PARITIES, colors, strict=True):
        heights = [_number_or_zero(v) for v in data.months[code]]
        ax.bar(months, heights, bottom=bottom, label=labels.pick(zh, en), color=color, width=0.6)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    for x, total in enumerate(bottom):
        ax.annotate(f"{total:.0f}", (x, total), ha="center", va="bottom", fontsize=9)
    ax.set_title(
        labels.pick(
            f"{data.township_name}{data.period.key}各月出生婴儿数（按孩次）",
            f"Births by month and parity, township {data.township_code}, {data.period.key}",
        )
    )
    ax.set_xlabel(labels.pick("月份", "Month"))
    ax.set_ylabel(labels.pick("出生婴儿数（人）", "Births"))
    fig.legend(loc="outside lower center", ncols=len(PARITIES))
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)
    if len(months) > 8:
        ax.tick_params(axis="x", labelrotation=45)


def _sex_ratio_png(fig: Figure, data: SummaryData, labels: _Labels) -> None:
    ax = fig.subplots()
    low, high = _band(data.catalog)
    names, chinese = labels.villages(data.villages)
    ratios = [None if _missing(v) else float(v) for v in data.villages[SEX_RATIO]]
    colors = ["#C00000" if _out_of_range(v, low, high) else "#5B9BD5" for v in ratios]
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
    band = f"{_fmt_bound(low)}–{_fmt_bound(high)}"
    ax.set_title(
        labels.pick(
            f"各村出生人口性别比（女=100），正常值范围 {band}，{data.period.key}",
            f"Sex ratio at birth by village (boys per 100 girls), normal {band}, {data.period.key}",
        )
    )
    ax.set_xticks(xs, names, rotation=45 if chinese else 90, ha="right" if chinese else "center")
    ax.set_xlabel(labels.pick("村", "Village code"))
    ax.set_ylabel(labels.pick("性别比", "Sex ratio"))
    tallest = max([v for v in ratios if v is not None] + [high or 0.0, low or 0.0, 1.0])
    ax.set_ylim(0, tallest * 1.15)  # room for the note on villages without a value
    missing = [n for n, v in zip(names, ratios, strict=True) if v is None]
    if missing:
        ax.text(
            0.01,
            0.98,
            labels.pick("无数值（无女婴或无出生）：", "No value (no girls or no births): ")
            + ", ".join(missing),
            transform=ax.transAxes,
            va="top",
            fontsize=8,
            wrap=True,
        )
    ax.grid(axis="y", alpha=0.3)
    ax.set_axisbelow(True)


def _timeliness_png(fig: Figure, data: SummaryData, labels: _Labels) -> None:
    fig.set_size_inches(10, max(4.0, 0.3 * len(data.villages) + 1.5))
    ax = fig.subplots()
    names, _ = labels.villages(data.villages)
    rates = [None if _missing(v) else float(v) for v in data.villages[ON_TIME]]
    ys = list(range(len(names)))
    bars = ax.barh(ys, [r or 0.0 for r in rates], color="#4472C4", height=0.65)
    shown = ["—" if r is None else f"{r:.1f}" for r in rates]
    ax.bar_label(bars, labels=shown, padding=3, fontsize=8)
    ax.set_yticks(ys, names)
    ax.invert_yaxis()
    ax.set_xlim(0, 110)
    ax.set_title(
        labels.pick(
            f"各村按时上报率（次月5日前收到，%），{data.period.key}",
            f"Reports received by the 5th of the next month, by village (%), {data.period.key}",
        )
    )
    ax.set_xlabel(labels.pick("按时上报率（%）", "On time (%)"))
    ax.set_ylabel(labels.pick("村", "Village code"))
    ax.grid(axis="x", alpha=0.3)
    ax.set_axisbelow(True)
