"""The township summary as a workbook: sheets 全镇, 各村 and 数据质量, each with a native chart."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import xlsxwriter

from township.config import Settings
from township.reports.summary.build import PARITIES, Summary
from township.reports.summary.figures import (
    ISSUES_ZH,
    JUDGED,
    ON_TIME,
    SEX_RATIO,
    behind_by_village,
    bound_text,
    missing,
    out_of_range,
    sex_ratio_band,
    verdict_zh,
)
from township.reports.village import STATUS_ZH

QUALITY_COLUMNS = [
    "villages_reported",
    "reporting_rate",
    "reporting_on_time_rate",
    "rows_quarantined",
    "duplicates_removed",
]
OUT_OF_RANGE_FILL, OUT_OF_RANGE_FONT = "#FFC7CE", "#9C0006"
OUTLIER_FILL = "#FFEB9C"


def write(summary: Summary, path: Path, settings: Settings) -> list[Path]:
    """The workbook at `path`."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"title": f"{summary.township_name}{summary.period.key}人口和计划生育统计"})
    fmt = _Formats(wb)
    _township_sheet(wb, fmt, summary)
    _villages_sheet(wb, fmt, summary)
    _quality_sheet(wb, fmt, summary)
    _attention_sheet(wb, fmt, summary)
    wb.close()
    return [path]


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
    if missing(value):
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    else:
        ws.write_number(row, col, float(value), fmt)


def _township_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, summary: Summary) -> None:
    ws = wb.add_worksheet("全镇")
    title = fmt(bold=True, font_size=14)
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    cell = fmt(border=1)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 4, 10)
    ws.set_column(5, 5, 18)
    ws.set_column(6, 7, 10)
    ws.write_string(0, 0, f"{summary.township_name}{summary.period.key}人口和计划生育统计", title)
    ws.merge_range(
        1, 0, 1, 7, summary.paragraph + summary.remarks, fmt(text_wrap=True, valign="top")
    )
    ws.set_row(1, 66)
    prev, earlier = summary.period.previous().key, summary.period.year_earlier().key
    ws.write_string(
        2,
        0,
        f"上期为{prev}，去年同期为{earlier}；空白表示仓库中没有该期的报表或数值。",
        fmt(italic=True),
    )
    _indicator_rows(ws, fmt, summary.detail.town, header, cell)
    _births_by_month(wb, ws, fmt, summary.detail, header, cell)


def _indicator_rows(ws, fmt: _Formats, town: pd.DataFrame, header, cell) -> None:
    """Every indicator of the township: value, unit, numerator, denominator, note, earlier."""
    headers = ["指标", "数值", "单位", "分子", "分母", "说明", "上期", "去年同期"]
    ws.write_row(3, 0, headers, header)
    for i, r in enumerate(town.itertuples(index=False), start=4):
        number = fmt.number(int(r.decimals), border=1)
        ws.write_string(i, 0, r.name_zh, cell)
        _put(ws, i, 1, r.value, number)
        _put(ws, i, 2, None if missing(r.unit) else r.unit, cell)
        _put(ws, i, 3, r.num, fmt.number(0, border=1))
        _put(ws, i, 4, r.den, fmt.number(0, border=1))
        _put(ws, i, 5, None if missing(r.note) else r.note, cell)
        _put(ws, i, 6, r.previous_value, number)
        _put(ws, i, 7, r.year_earlier_value, number)
    ws.freeze_panes(4, 1)


def _births_by_month(wb: xlsxwriter.Workbook, ws, fmt: _Formats, detail, header, cell) -> None:
    """Births by month and parity: the table the chart draws from, below the indicators."""
    top = 4 + len(detail.town) + 2
    ws.write_string(top, 0, "各月出生婴儿数（按孩次）", fmt(bold=True))
    ws.write_row(top + 1, 0, ["月份", *[zh for _, zh, _ in PARITIES], "合计"], header)
    first = top + 2
    for i, r in enumerate(detail.months.itertuples(index=False), start=first):
        ws.write_string(i, 0, r.month, cell)
        counts = [getattr(r, c) for c, _, _ in PARITIES]
        for j, n in enumerate(counts, start=1):
            _put(ws, i, j, n, fmt.number(0, border=1))
        total = (
            None if all(missing(n) for n in counts) else sum(n for n in counts if not missing(n))
        )
        _put(ws, i, len(counts) + 1, total, fmt.number(0, border=1))
    last = first + len(detail.months) - 1
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


def _villages_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, summary: Summary) -> None:
    ws = wb.add_worksheet("各村")
    catalog = summary.catalog.reset_index(drop=True)
    codes = list(catalog["code"])
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    ws.write_string(0, 0, f"各村指标（{summary.period.key}）", fmt(bold=True, font_size=14))
    ws.write_row(1, 0, ["村代码", "村名", *catalog["name_zh"], "存量数字异常"], header)
    ws.set_row(1, 42)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 1 + len(codes), 9)
    ws.set_column(2 + len(codes), 2 + len(codes), 36)
    villages = summary.detail.villages
    flagged = _flagged(summary.judged)
    _village_rows(ws, fmt, catalog, villages, _outlier_notes(summary.detail.outliers), flagged)
    at = 2 + len(villages) + 1
    _legend(ws, fmt, catalog, at)
    _sex_ratio_chart(wb, ws, fmt, catalog, villages, at + 4, header, summary.judged)


def _outlier_notes(outliers: pd.DataFrame) -> dict[str, str]:
    """village code → its stock outliers of the period: `2026-02 已婚育龄妇女数；…`."""
    return {
        village: "；".join(
            f"{m} {f}" for m, f in zip(g["report_month"], g["field_zh"], strict=True)
        )
        for village, g in outliers.groupby("village_code")
    }


def _flagged(judged: pd.DataFrame) -> set[tuple[str, str]]:
    """(village, indicator) of the judged rates whose whole 95 % interval is beyond the mark."""
    off = judged[judged["verdict"].isin(["high", "low"])]
    return set(zip(off["org_code"], off["indicator"], strict=True))


def _off(code: str, item, value, flagged: set[tuple[str, str]]) -> bool:
    """A judged rate is filled only when its interval says so; another by its normal range."""
    if item.code in JUDGED:
        return (code, item.code) in flagged
    return out_of_range(value, item.normal_low, item.normal_high)


def _village_rows(
    ws, fmt: _Formats, catalog, villages, notes: dict[str, str], flagged: set[tuple[str, str]]
) -> None:
    """One row per village, values judged off and villages with an outlier filled."""
    codes = list(catalog["code"])
    for i, r in enumerate(villages.to_dict("records"), start=2):
        row_fill = {"bg_color": OUTLIER_FILL} if r["org_code"] in notes else {}
        ws.write_string(i, 0, r["org_code"], fmt(border=1, **row_fill))
        ws.write_string(i, 1, r["org_name"], fmt(border=1, **row_fill))
        for j, item in enumerate(catalog.itertuples(index=False), start=2):
            value = r[item.code]
            props = dict(row_fill)
            if _off(r["org_code"], item, value, flagged):
                props = {"bg_color": OUT_OF_RANGE_FILL, "font_color": OUT_OF_RANGE_FONT}
            _put(ws, i, j, value, fmt.number(int(item.decimals), border=1, **props))
        _put(ws, i, 2 + len(codes), notes.get(r["org_code"]), fmt(border=1, **row_fill))
    ws.freeze_panes(2, 2)


def _legend(ws, fmt: _Formats, catalog: pd.DataFrame, at: int) -> None:
    ranged = catalog[catalog["normal_low"].notna() | catalog["normal_high"].notna()]
    bands = "、".join(
        f"{r.name_zh} {bound_text(r.normal_low)}–{bound_text(r.normal_high)}"
        for r in ranged.itertuples(index=False)
    )
    ws.write_string(at, 0, "", fmt(bg_color=OUT_OF_RANGE_FILL, border=1))
    ws.write_string(at, 1, f"超出正常值范围（{bands}）或明显低于全镇")
    ws.write_string(
        at + 2,
        1,
        "性别比、符合政策生育率、婚育证明办证率只在95%置信区间整体超出时填色（各村出生少，"
        "数值本身常在范围外）；区间和出生数见“需关注的村”表",
    )
    ws.write_string(at + 1, 0, "", fmt(bg_color=OUTLIER_FILL, border=1))
    ws.write_string(
        at + 1,
        1,
        "本期有存量数字异常（与本村以往各月相比变化异常，规则 stock.outlier）的村，异常项见最后一列",
    )


def _sex_ratio_chart(
    wb, ws, fmt: _Formats, catalog, villages, top: int, header, judged: pd.DataFrame
) -> None:
    """The villages' sex ratios against the normal band, and the table the chart draws from,
    with the births behind each ratio, its 95 % interval and the verdict beside it."""
    low, high = sex_ratio_band(catalog)
    ratios = judged[judged["indicator"] == SEX_RATIO].set_index("org_code")
    ws.write_string(top, 0, "图表数据：各村出生人口性别比与正常值范围", fmt(bold=True))
    columns = ["村名", "出生人口性别比", "正常下限", "正常上限", "出生数", "区间下限", "区间上限"]
    ws.write_row(top + 1, 0, [*columns, "判断"], header)
    first = top + 2
    for i, r in enumerate(villages.to_dict("records"), start=first):
        ws.write_string(i, 0, r["org_name"], fmt(border=1))
        _put(ws, i, 1, r.get(SEX_RATIO), fmt.number(0, border=1))
        _put(ws, i, 2, low, fmt.number(0, border=1))
        _put(ws, i, 3, high, fmt.number(0, border=1))
        j = ratios.loc[r["org_code"]] if r["org_code"] in ratios.index else None
        upper = None if j is None or j["high"] == float("inf") else j["high"]
        for col, value in (
            (4, None if j is None else j["cases"]),
            (5, None if j is None else j["low"]),
            (6, upper),
        ):
            _put(ws, i, col, value, fmt.number(0, border=1))
        ws.write_string(i, 7, verdict_zh(None if j is None else j["verdict"]), fmt(border=1))
    last = first + len(villages) - 1
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
                "name": f"{name} {bound_text(low if col == 2 else high)}",
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
    ws.insert_chart(top, 9, chart)


def _quality_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, summary: Summary) -> None:
    ws = wb.add_worksheet("数据质量")
    catalog = summary.catalog.set_index("code")
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    cell = fmt(border=1)
    ws.write_string(0, 0, f"数据质量（{summary.period.key}）", fmt(bold=True, font_size=14))
    names = [catalog.loc[c, "name_zh"] for c in QUALITY_COLUMNS]
    ws.write_row(1, 0, ["村代码", "村名", *names], header)
    ws.set_row(1, 30)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 10)
    ws.set_column(2, 1 + len(QUALITY_COLUMNS), 11)
    rows = len(summary.detail.villages)
    _quality_rows(ws, fmt, catalog, summary, cell)
    _timeliness_chart(wb, ws, first=2, last=2 + rows - 1)
    _submission_rows(ws, fmt, summary.detail.submissions, 2 + rows + 3, header, cell)


def _quality_rows(ws, fmt: _Formats, catalog: pd.DataFrame, summary: Summary, cell) -> None:
    """The data quality of each village, then the township's in bold."""
    rows = summary.detail.villages.to_dict("records")
    for i, r in enumerate(rows, start=2):
        ws.write_string(i, 0, r["org_code"], cell)
        ws.write_string(i, 1, r["org_name"], cell)
        for j, code in enumerate(QUALITY_COLUMNS, start=2):
            _put(ws, i, j, r.get(code), fmt.number(int(catalog.loc[code, "decimals"]), border=1))
    total_row = 2 + len(rows)
    town = summary.detail.town.set_index("code")
    bold = fmt(bold=True, border=1)
    ws.write_string(total_row, 0, summary.township_code, bold)
    ws.write_string(total_row, 1, f"{summary.township_name}（全镇）", bold)
    for j, code in enumerate(QUALITY_COLUMNS, start=2):
        value = town.loc[code, "value"] if code in town.index else None
        decimals = int(catalog.loc[code, "decimals"])
        _put(ws, total_row, j, value, fmt.number(decimals, border=1, bold=True))
    ws.freeze_panes(2, 2)


def _timeliness_chart(wb: xlsxwriter.Workbook, ws, first: int, last: int) -> None:
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
    rows = last - first + 1
    chart.set_size({"width": 560, "height": max(300, 24 * rows + 110)})
    ws.insert_chart(1, 3 + len(QUALITY_COLUMNS), chart)


SUBMISSION_COLUMNS = [
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


def _submission_rows(ws, fmt: _Formats, submissions: pd.DataFrame, top: int, header, cell) -> None:
    """The files received for the period's months, with their status."""
    ws.write_string(top, 0, f"本期各月收到的报表（共{len(submissions)}个文件）", fmt(bold=True))
    ws.write_row(top + 1, 0, SUBMISSION_COLUMNS, header)
    when = fmt(border=1, num_format="yyyy-mm-dd hh:mm")
    for i, s in enumerate(submissions.to_dict("records"), start=top + 2):
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


def _attention_sheet(wb: xlsxwriter.Workbook, fmt: _Formats, summary: Summary) -> None:
    """The villages behind (missing, late, with errors or quarantined rows, with the months),
    then every judged village rate with the cases behind it, its interval and the verdict."""
    ws = wb.add_worksheet("需关注的村")
    ws.set_landscape()
    ws.fit_to_pages(1, 0)  # every column on the page's width, as many pages down as it takes
    header = fmt(bold=True, bg_color="#DDEBF7", border=1, text_wrap=True, valign="vcenter")
    cell = fmt(border=1)
    ws.write_string(0, 0, f"需关注的村（{summary.period.key}）", fmt(bold=True, font_size=14))
    ws.set_column(0, 0, 30)
    ws.set_column(1, 2, 14)
    ws.set_column(3, 3, 40)
    ws.set_column(4, 10, 10)
    ws.set_column(11, 11, 18)
    ws.write_row(1, 0, ["问题", "村代码", "村名", "月份"], header)
    row = 2
    for issue, label in ISSUES_ZH.items():
        villages = behind_by_village(summary.behind, issue)
        for code, name, months in villages or [("", "无", "")]:
            for col, text in enumerate((label, code, name, months)):
                ws.write_string(row, col, text, cell)
            row += 1
    _judged_rows(ws, fmt, summary.judged, row + 2, header, cell)


JUDGED_COLUMNS = ["指标", "村代码", "村名", "数值", "分子", "分母", "例数（出生数/分母）"]
JUDGED_COLUMNS += ["95%区间下限", "95%区间上限", "参照下限", "参照上限", "判断"]


def _judged_rows(ws, fmt: _Formats, judged: pd.DataFrame, top: int, header, cell) -> None:
    ws.write_string(
        top,
        0,
        "各村小数字的判断：95%置信区间（Wilson，性别比由男婴占比换算）整体超出参照才算偏离；"
        "性别比参照正常值范围，两个比率参照全镇",
        fmt(bold=True),
    )
    ws.write_row(top + 1, 0, JUDGED_COLUMNS, header)
    off = fmt(border=1, bg_color=OUT_OF_RANGE_FILL, font_color=OUT_OF_RANGE_FONT)
    for i, r in enumerate(judged.to_dict("records"), start=top + 2):
        decimals = 0 if r["indicator"] == SEX_RATIO else 1
        number = fmt.number(decimals, border=1)
        high = None if r["high"] == float("inf") else r["high"]
        values = [r["name_zh"], r["org_code"], r["org_name"], r["value"], r["numerator"]]
        values += [r["denominator"], r["cases"], r["low"], high]
        values += [r["reference_low"], r["reference_high"]]
        for col, value in enumerate(values):
            shape = cell if col < 3 else fmt.number(0, border=1) if col in (4, 5, 6) else number
            _put(ws, i, col, value, shape)
        ws.write_string(
            i, 11, verdict_zh(r["verdict"]), off if r["verdict"] in ("high", "low") else cell
        )
