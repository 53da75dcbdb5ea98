"""The `township` command line: parses arguments, calls the library or a flow."""

from __future__ import annotations

import functools
import logging
import re
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from typer.exceptions import Abort, TyperException

from township.calendar import Period, parse_month
from township.config import Settings
from township.reports.summary.renderers import FILE_FORMATS, FORMATS, RENDERERS

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Village monthly reports: ingest, validate, summarise.",
)


def _either(names: list[str], separator: str = " or ") -> str:
    """`text, json or xlsx`: the names, the last after `or`."""
    return " or ".join([separator.join(names[:-1]), names[-1]]) if len(names) > 1 else names[0]


# Where `township summary --format xlsx` (any format written to a file) goes by default.
OUTPUT_DEFAULT = (
    f"[data/outbox/summary_<PERIOD>{'|'.join(RENDERERS[n].suffix for n in FILE_FORMATS)}]"
)
console = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

RawDir = Annotated[
    Path | None,
    typer.Option(envvar="TOWNSHIP_RAW_DIR", help="folder of <YYYY-MM>/ subfolders [data/raw]"),
]
VillagesCsv = Annotated[
    Path | None,
    typer.Option(envvar="TOWNSHIP_VILLAGES", help="villages.csv [data/reference/villages.csv]"),
]
WarehouseFile = Annotated[
    Path | None,
    typer.Option(envvar="TOWNSHIP_WAREHOUSE", help="DuckDB file [data/warehouse/township.duckdb]"),
]
Outbox = Annotated[
    Path | None, typer.Option(envvar="TOWNSHIP_OUTBOX", help="reports folder [data/outbox]")
]
Runner = Annotated[
    str | None,
    typer.Option(
        help="where files are read and validated: local | dask [TOWNSHIP_RUNNER, local]",
        show_default=False,
    ),
]
DaskAddress = Annotated[
    str | None,
    typer.Option(
        "--address",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (implies --runner dask; none: a local "
        "cluster) [TOWNSHIP_DASK_ADDRESS]",
        show_default=False,
    ),
]


def _settings(raw_dir=None, villages=None, warehouse=None, outbox=None) -> Settings:
    try:
        settings = Settings()
    except ValueError as exc:  # a TOWNSHIP_* variable that is no number, no runner
        _fail(f"bad setting in the environment: {exc}", code=2)
    return settings.with_paths(
        raw_dir=raw_dir, villages=villages, warehouse=warehouse, outbox=outbox
    )


def _with_runner(s: Settings, runner: str | None, address: str | None) -> Settings:
    """The settings with --runner/--address applied (an address alone means dask)."""
    from township.config import RUNNERS

    if runner is not None and runner not in RUNNERS:
        _fail(f"--runner {runner!r}: use {' or '.join(RUNNERS)}", code=2)
    if address and runner is None:
        runner = "dask"
    if address and runner != "dask":
        _fail("--address is for --runner dask", code=2)
    return s.with_options(runner=runner, dask_address=address)


def _fail(message: str, code: int = 1) -> NoReturn:
    _print_error(str(message))
    raise typer.Exit(code)


def _exit_status(exc: Exception) -> int | None:
    """The exit status of a failure the library names (README), None for any other."""
    from township.discovery import RawFolderMissing
    from township.ingest import PublishFailed
    from township.reports.outbox import ReportsNotWritten
    from township.reports.summary.build import NoData
    from township.store import WarehouseBusy, WarehouseDamaged
    from township.villages import VillageListError

    if isinstance(exc, WarehouseBusy):
        return 3
    failures = (WarehouseDamaged, VillageListError, ReportsNotWritten, NoData)
    failures += (RawFolderMissing, PublishFailed)
    return 1 if isinstance(exc, failures) else None


def _damage_found_late(exc: Exception, given: Path | None) -> Exception | None:
    """A warehouse that opened but fails at a block further in (checksums that do not match):
    the same one line as damage found on opening, naming the file DuckDB names, if any."""
    import duckdb

    from township.store.errors import damaged

    if not isinstance(exc, duckdb.Error):
        return None
    warehouse = Path(given or _settings().warehouse)
    named = re.search(r'"([^"]+)"', str(exc))
    return damaged(Path(named[1]) if named else warehouse, exc, warehouse)


def _command(*args, **kwargs):
    """app.command, with the library's known failures mapped to their exit status in one
    place, so that every command gives the same status for the same failure."""

    def register(fn):
        @functools.wraps(fn)
        def run(*a, **kw):
            try:
                return fn(*a, **kw)
            except (typer.Exit, TyperException):
                raise  # the command's own exit, status already chosen
            except Exception as exc:
                exc = _damage_found_late(exc, kw.get("warehouse")) or exc
                code = _exit_status(exc)
                if code is None:
                    raise
                _fail(str(exc), code=code)

        return app.command(*args, **kwargs)(run)

    return register


# ---------------------------------------------------------------- arguments (exit status 2)


def _month_arg(text: str) -> str:
    try:
        return parse_month(text)
    except ValueError as exc:
        _fail(str(exc), code=2)


def _period_arg(text: str) -> str:
    try:
        return Period.parse(text).key
    except ValueError as exc:
        _fail(str(exc), code=2)


def _moment_arg(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return _parse_moment(text)
    except ValueError as exc:
        _fail(str(exc), code=2)


def _indicator_arg(code: str) -> str:
    from township.indicators.catalog import check_indicator

    try:
        return check_indicator(code)
    except ValueError as exc:
        _fail(str(exc), code=2)


def _code_arg(text: str | None, option: str, digits: tuple[int, ...]) -> str | None:
    """A 统计用区划代码 of the given length(s), as typed; exit 2 when it cannot be one."""
    if text is None or (len(text) in digits and re.fullmatch(r"[0-9]+", text)):
        return text
    what = " or ".join(f"{n}" for n in digits)
    _fail(f"{option} {text!r}: not a code of {what} digits (统计用区划代码)", code=2)


def _existing(path: Path | None, option: str, directory: bool = False) -> None:
    """A path given on the command line (or by its variable) that must be there already."""
    if path is None:
        return
    if directory and not path.is_dir():
        _fail(f"{option} {path}: no such folder", code=2)
    if not directory and not path.exists():
        _fail(f"{option} {path}: no such file", code=2)


def _writable_file(path: Path | None, option: str, suffix: str | None = None) -> None:
    """A file to write: not a folder, and of the given type."""
    if path is None:
        return
    if path.is_dir():
        _fail(f"{option} {path}: is a folder; give a file name", code=2)
    if suffix and path.suffix.lower() != suffix:
        _fail(f"{option} {path}: give a {suffix} file name", code=2)


@_command()
def synth(raw_dir: RawDir = None, villages: VillagesCsv = None, seed: int = 2026) -> None:
    """Write the sample township: villages.csv, six months of village workbooks, the ground truth."""
    from township.synth import generate_sample

    _writable_file(villages, "--villages", ".csv")
    if raw_dir is not None and raw_dir.exists() and not raw_dir.is_dir():
        _fail(f"--raw-dir {raw_dir}: is a file, not a folder", code=2)
    s = _settings(raw_dir, villages)
    generate_sample(s.raw_dir, s.villages, s.villages.with_name("ground_truth.json"), seed=seed)
    console.print(f"sample written to {s.raw_dir} (villages: {s.villages})")


@_command("ingest")
def ingest_cmd(
    month: Annotated[
        str | None, typer.Argument(help="report month YYYY-MM; default: every new file")
    ] = None,
    raw_dir: RawDir = None,
    villages: VillagesCsv = None,
    warehouse: WarehouseFile = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="no progress, one line of output (for cron)")
    ] = False,
    runner: Runner = None,
    address: DaskAddress = None,
) -> None:
    """Ingest new files under data/raw into the warehouse (no Prefect server needed, except
    with --runner dask: its tasks report to Prefect, a temporary server if none is set)."""
    from township.ingest import ingest
    from township.ledger import ledger_lines

    if month is not None:
        _month_arg(month)
    _existing(raw_dir, "--raw-dir", directory=True)
    s = _with_runner(_settings(raw_dir, villages, warehouse), runner, address)
    _require_villages(s, villages)
    if quiet:
        result = ingest(s, month)
    else:
        with _IngestProgress() as bar:
            result = ingest(s, month, progress=bar.update)
    console.print(ingest_line(result), markup=False, highlight=False)
    for line in ledger_lines(result.outcomes):
        console.print(line, markup=False, highlight=False)


class _IngestProgress:
    """The ingest's progress on stderr: one bar per stage (读取与校验 file by file, with the
    total and the time left; 入库; 计算指标), each named as the office names it."""

    def __init__(self):
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("已用"),
            TimeElapsedColumn(),
            TextColumn("剩余"),
            TimeRemainingColumn(),
            console=err,
            transient=True,
        )
        self.tasks: dict[str, object] = {}

    def __enter__(self):
        self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        return self.bar.__exit__(*exc)

    def update(self, stage: str, done: int, total: int) -> None:
        if stage not in self.tasks:
            self.tasks[stage] = self.bar.add_task(stage, total=total)
        self.bar.update(self.tasks[stage], completed=done, total=total)


STATUS_WORDS = {
    "accepted": "通过",
    "accepted_with_warnings": "有警告",
    "has_errors": "有错误",
    "rejected": "拒收",
}


def ingest_line(result) -> str:
    """The ingest's last line, in the office's words."""
    counts = "，".join(
        f"{STATUS_WORDS.get(k, k)}{v}个" for k, v in sorted(result.by_status.items())
    )
    new = f"新文件{len(result.submissions)}个（{counts}）" if counts else "没有新文件"
    return f"入库完成：{new}；未变化的文件{result.files_skipped}个已跳过"


def _require_warehouse(s: Settings, given: Path | None) -> None:
    """The warehouse must be there: a path given that is not is a bad argument (2); the
    default one not there yet, a failure (1) that says what to do."""
    from township.store import warehouse_exists

    if warehouse_exists(s):
        return
    _existing(given, "--warehouse")
    _fail(f"warehouse not found: {s.warehouse} (run `township ingest` first)")


def _require_villages(s: Settings, given: Path | None) -> None:
    _existing(given, "--villages")
    if not s.villages.exists():
        _fail(
            f"village list not found: {s.villages} (set TOWNSHIP_VILLAGES or run `township synth`)"
        )


def _load_villages(s: Settings, given: Path | None) -> None:
    """villages.csv, read now: a list that cannot be used fails here (1), before any work."""
    from township.villages import VillageRegistry

    _require_villages(s, given)
    VillageRegistry.load(s.villages)


@_command()
def summary(
    period: Annotated[str, typer.Argument(help="2026-03 | 2026Q1 | 2026 | SY2026 | SY2026H1")],
    format: Annotated[str, typer.Option("--format", "-f", help=" | ".join(FORMATS))] = "text",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="as the warehouse knew it then, e.g. 2026-04-05")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help=f"file for {_either(FILE_FORMATS)} {OUTPUT_DEFAULT}"),
    ] = None,
    township: Annotated[
        str | None, typer.Option(help="9-digit township code, where the warehouse holds several")
    ] = None,
    warehouse: WarehouseFile = None,
    outbox: Outbox = None,
) -> None:
    """The township summary for a period."""
    from township.reports.summary.build import build_summary
    from township.reports.summary.renderers import needs_detail, outbox_path, write
    from township.store import Warehouse, indicators

    _period_arg(period)
    moment = _moment_arg(as_of)
    if format not in FORMATS:
        _fail(f"unknown format {format!r}: use {_either(FORMATS, ', ')}", code=2)
    _code_arg(township, "--township", (9,))
    if output is not None and format not in FILE_FORMATS:
        _fail(f"--output is for --format {_either(FILE_FORMATS)}", code=2)
    _writable_file(output, "--output", RENDERERS[format].suffix)
    s = _settings(warehouse=warehouse, outbox=outbox)
    _require_warehouse(s, warehouse)
    with Warehouse.open(s, read_only=True) as wh:
        if township is not None and township not in indicators.township_codes(wh):
            _fail(f"unknown township code {township}: not in the warehouse's village list", code=2)
        made = build_summary(wh, period, moment, township, detail=needs_detail([format]))
    if RENDERERS[format].shown:
        typer.echo(RENDERERS[format].show(made))
    else:
        path = output or outbox_path(made, format, s.outbox)
        console.print(f"summary written to {write(made, format, path, s)[0]}")


@_command()
def tables(
    period: Annotated[str, typer.Argument(help="2026-03 | 2026Q1 | 2026 | SY2026 | SY2026H1")],
    format: Annotated[str, typer.Option("--format", "-f", help="xlsx | csv")] = "xlsx",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="the .xlsx file, or the folder for the CSV files [data/outbox/tables_<PERIOD>…]",
        ),
    ] = None,
    township: Annotated[
        str | None, typer.Option(help="9-digit township code, where the warehouse holds several")
    ] = None,
    warehouse: WarehouseFile = None,
    outbox: Outbox = None,
) -> None:
    """The statistical tables filed upward (人口与出生情况, 节育情况) for a period."""
    from township.calendar import Period
    from township.reports import tables as upward
    from township.store import Warehouse

    key = _period_arg(period)
    if format not in upward.FORMATS:
        _fail(f"unknown format {format!r}: use xlsx or csv", code=2)
    _code_arg(township, "--township", (9,))
    if format == "xlsx":
        _writable_file(output, "--output", ".xlsx")
    s = _settings(warehouse=warehouse, outbox=outbox)
    _require_warehouse(s, warehouse)
    with Warehouse.open(s, read_only=True) as wh:
        try:
            filled = upward.build_tables(wh, Period.parse(key), township)
        except upward.NoTownship as exc:
            _fail(str(exc), code=2 if township else 1)
    if format == "xlsx":
        path = upward.write_xlsx(filled, output or s.outbox / f"tables_{key}.xlsx")
        console.print(f"tables written to {path}")
        return
    for path in upward.write_csv(filled, output or s.outbox, f"tables_{key}"):
        console.print(f"table written to {path}")


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"--as-of {text!r} is not a date or time (e.g. 2026-04-05 or 2026-04-05T12:00)"
        ) from exc
    if moment.tzinfo is not None:  # receipt times are the township's clock, without an offset
        raise ValueError(f"--as-of {text!r}: give the township's local time, without an offset")
    # A bare date means the end of that day: "what did we know on April 5th".
    return moment.replace(hour=23, minute=59, second=59) if len(text) == 10 else moment


@_command()
def materialize(warehouse: WarehouseFile = None) -> None:
    """Materialize the indicators again from what is loaded, and republish the analysts' copy
    (each ingest does both; for a lake, e.g. after several ingests ran at once)."""
    from township.store import Warehouse, indicators, publish

    s = _settings(warehouse=warehouse)
    _require_warehouse(s, warehouse)
    with Warehouse.open(s) as wh:
        rows = indicators.refresh(wh)
        try:
            publish.publish(wh)
        except publish.SnapshotBusy as exc:
            err.print(f"township: {exc}", markup=False, highlight=False)
    console.print(f"{rows} indicator value(s) materialized")


@_command()
def trace(
    period: Annotated[str, typer.Argument(help="e.g. SY2026H1")],
    indicator: Annotated[str, typer.Argument(help="indicator code, e.g. births_total")],
    org: Annotated[str | None, typer.Option(help="village or township code [the township]")] = None,
    warehouse: WarehouseFile = None,
) -> None:
    """The files, sheets and Excel rows behind one indicator value."""
    from township.store import Warehouse, indicators, queries

    period = _period_arg(period)
    _indicator_arg(indicator)
    _code_arg(org, "--org", (9, 12))
    s = _settings(warehouse=warehouse)
    _require_warehouse(s, warehouse)
    with Warehouse.open(s, read_only=True) as wh:
        org_code = _org_code(queries.villages(wh), org)
        rows = indicators.lineage(wh, period, org_code, indicator)
    typer.echo("村\t文件\t位置")
    for r in rows.itertuples():
        typer.echo(f"{r.village_name}\t{r.file_path}\t{r.sheet} 第{r.excel_row}行")
    typer.echo(f"{len(rows)} row(s) behind {indicator} {period} {org_code}")


@_command()
def export(
    period: Annotated[
        str | None, typer.Argument(help="2026-03 | 2026Q1 | 2026 | SY2026 | SY2026H1 [all]")
    ] = None,
    format: Annotated[str, typer.Option("--format", "-f", help="parquet | csv")] = "parquet",
    out: Annotated[
        Path | None, typer.Option("--out", help="folder [data/export/<PERIOD or all>]")
    ] = None,
    warehouse: WarehouseFile = None,
) -> None:
    """The analysts' tables (marts views) of a period, or all, as Parquet or CSV files."""
    from township.calendar import Period
    from township.store import analyst_copy_path
    from township.store.export import FORMATS, export_marts

    key = _period_arg(period) if period is not None else None
    if format not in FORMATS:
        _fail(f"unknown format {format!r}: use {_either(list(FORMATS))}", code=2)
    if out is not None and out.exists() and not out.is_dir():
        _fail(f"--out {out}: not a folder", code=2)
    s = _settings(warehouse=warehouse)
    copy = analyst_copy_path(s.warehouse)
    if not copy.exists():
        _fail(f"analysts' copy not found: {copy} (run `township ingest` first)")
    folder = out or Path("data") / "export" / (key or "all")
    made = export_marts(
        copy, folder, Period.parse(key) if key else None, format, s.lock_wait_seconds
    )
    for e in made:
        console.print(f"{e.path}\t{e.rows} 行\t{e.size:,} 字节", markup=False, highlight=False)
    total = sum(e.size for e in made)
    console.print(f"导出{len(made)}张表到 {folder}，共{total:,}字节", markup=False, highlight=False)


def _org_code(villages, org: str | None) -> str:
    """The village or township asked for (default: the first township) among the warehouse's."""
    if villages.empty:
        _fail("the warehouse lists no villages yet: run `township ingest` first")
    if org is None:
        return villages["township_code"].iloc[0]
    if org not in set(villages["village_code"]) | set(villages["township_code"]):
        _fail(
            f"unknown org code {org}: no village or township of that code in villages.csv", code=2
        )
    return org


@_command()
def reports(
    month: Annotated[str, typer.Argument(help="report month YYYY-MM")],
    raw_dir: RawDir = None,
    warehouse: WarehouseFile = None,
    outbox: Outbox = None,
) -> None:
    """Write the validation reports of MONTH into the outbox: one per village, every file it sent."""
    from township.reports.outbox import write_month_reports

    _month_arg(month)
    _existing(raw_dir, "--raw-dir", directory=True)
    s = _settings(raw_dir, warehouse=warehouse, outbox=outbox)
    _require_warehouse(s, warehouse)
    paths = write_month_reports(s, month)
    console.print(f"{len(paths)} report(s) written to {s.outbox / month}")


@_command()
def check(
    files: Annotated[list[Path], typer.Argument(help="the workbook(s) or CSV file(s) to check")],
    month: Annotated[
        str | None,
        typer.Option(
            help="report month YYYY-MM [the file's YYYY-MM folder, else its 封面's 报告期]"
        ),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="where the reports go [data/outbox/check]")
    ] = None,
    villages: VillagesCsv = None,
    warehouse: WarehouseFile = None,
) -> None:
    """Dry run: what the ingest would make of FILE (findings, status, on time, what it would
    supersede) and its village report; loads nothing. Exit 4 when a file has errors or would be
    refused."""
    from township.check import CheckUnavailable, MonthUnknown, check_files

    if month is not None:
        month = _month_arg(month)
    for path in files:
        if path.is_dir():
            _fail(f"FILE {path}: a folder, not a file (是文件夹，请给出报表文件)", code=2)
        if not path.is_file():
            _fail(f"FILE {path}: no such file (找不到该文件)", code=2)
    s = _settings(villages=villages, warehouse=warehouse)
    _require_villages(s, villages)
    try:
        results = check_files(files, s, month, out)
    except MonthUnknown as exc:
        _fail(str(exc), code=2)
    except CheckUnavailable as exc:
        _fail(str(exc))
    for result in results:
        _show_check(result)
    if any(r.failed for r in results):
        raise typer.Exit(CHECK_FAILED)


CHECK_FAILED = 4  # README: a file checked has errors or would be refused


def _show_check(result) -> None:
    """One file's check, in the village officer's words."""
    from township.calendar import month_zh
    from township.reports.village import ledger_text

    village = " ".join(p for p in (result.village_code, result.village_name) if p) or "未识别"
    when = result.received_at.strftime("%Y-%m-%d %H:%M") if result.received_at else "—"
    timely = {True: "按时", False: "逾期", None: "—"}[result.on_time]
    checked = result.status not in ("rejected", None) and result.outcome != "unchanged"
    # a refused file was not checked row by row: no "0 errors" beside 已拒收
    counts = f"错误 {result.errors} 处，警告 {result.warnings} 处" if checked else "未逐行校验"
    console.print(
        f"{result.path.name}：{village} {month_zh(result.month)}，{result.status_zh}"
        f"（{counts}）；"
        f"接收时间 {when}，截止 {result.deadline:%Y-%m-%d}，{timely}",
        markup=False,
        highlight=False,
    )
    if not checked:
        console.print(f"  {result.reason_zh}", markup=False, highlight=False)
    for f in result.findings:
        severity = "错误" if f.severity == "error" else "警告"
        console.print(
            f"  {f.where or '文件'} {severity}：{f.message_zh} 修改方法：{f.fix_zh}",
            markup=False,
            highlight=False,
        )
    for sheet, parts in result.ledger.items():
        console.print(f"  {sheet}：{ledger_text(parts)}", markup=False, highlight=False)
    replaced: dict[str, list[str]] = {}
    for s in result.supersedes:
        replaced.setdefault(s.file_name, []).append(f"{s.sheet}（{s.rows} 行）")
    for name, sheets in replaced.items():
        console.print(
            f"  将替换此前报送的 {name} 中的 {'、'.join(sheets)}", markup=False, highlight=False
        )
    if result.report:
        console.print(f"  校验报告：{result.report}", markup=False, highlight=False)


tokens_app = typer.Typer(
    no_args_is_help=True,
    help="Sign-in tokens of the web intake: one per village, one for the office.",
)
app.add_typer(tokens_app, name="tokens")
WhoArg = Annotated[str, typer.Argument(help="a village code of villages.csv, or office")]


def _who_arg(s: Settings, who: str) -> str:
    from township.villages import VillageRegistry
    from township.web.store import OFFICE

    _require_villages(s, None)
    if who != OFFICE and who not in VillageRegistry.load(s.villages).by_code:
        _fail(f"{who!r}: not a village code of {s.villages}, nor office", code=2)
    return who


@tokens_app.command("issue")
def tokens_issue(who: WhoArg) -> None:
    """Issue a token (replacing any earlier one); printed once, only its hash is kept."""
    from township.web import store

    s = _settings()
    typer.echo(store.issue(s.web_db, _who_arg(s, who)))


@tokens_app.command("rotate")
def tokens_rotate(who: WhoArg) -> None:
    """A new token for WHO; the old one and its sessions stop working at once."""
    tokens_issue(who)


@tokens_app.command("revoke")
def tokens_revoke(who: WhoArg) -> None:
    """WHO can no longer sign in; signed-in sessions end."""
    from township.web import store

    s = _settings()
    if not store.revoke(s.web_db, _who_arg(s, who)):
        _fail(f"{who}: no token issued")
    console.print(f"token of {who} revoked")


@tokens_app.command("list")
def tokens_list() -> None:
    """Who has a token, and since when (never the tokens)."""
    from township.web import store

    for who, issued in store.listed(_settings().web_db):
        console.print(f"{who}\t{issued}", markup=False, highlight=False)


@_command()
def web(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
) -> None:
    """The web intake: villages upload and see their check at once; the office's board
    (README "Web intake"; HTTPS is the reverse proxy's)."""
    import uvicorn

    from township.web.app import create_app

    s = _settings()
    _load_villages(s, None)
    app_ = create_app(s)
    console.print(f"web intake on http://{host}:{port}/ (stop with Ctrl+C)")
    uvicorn.run(app_, host=host, port=port, proxy_headers=True, log_level="warning")


@_command()
def template(
    output: Annotated[
        Path | None,
        typer.Argument(
            help="the workbook to write [村计生月报模板.xlsx]; with --all, the folder "
            "[村计生月报模板_YYYY-MM]",
            show_default=False,
        ),
    ] = None,
    village: Annotated[
        str | None,
        typer.Option("--village", help="a village code: its 封面 filled in", show_default=False),
    ] = None,
    month: Annotated[
        str | None,
        typer.Option("--month", help="the report month YYYY-MM [the month before this one]"),
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="one workbook per village of villages.csv")
    ] = False,
    villages: VillagesCsv = None,
    output_option: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="the same as OUTPUT", show_default=False),
    ] = None,
) -> None:
    """Write the workbook villages fill in: blank, or for one village (--village) or every
    village (--all) with the 封面 filled in."""
    from township.calendar import previous_month
    from township.reports.template import (
        village_template_name,
        write_template,
        write_village_templates,
    )
    from township.villages import VillageRegistry

    if village is not None and every:
        _fail("give --village or --all, not both", code=2)
    if output is not None and output_option is not None and output != output_option:
        _fail("give OUTPUT or --output, not both", code=2)
    output = output or output_option
    month = _month_arg(month) if month is not None else None
    if village is None and not every:
        output = output or Path("村计生月报模板.xlsx")
        _writable_file(output, "OUTPUT", ".xlsx")
        console.print(f"template written to {write_template(output, month=month)}")
        return
    s = _settings(villages=villages)
    month = month or previous_month(zone=s.timezone)
    _load_villages(s, villages)
    registry = VillageRegistry.load(s.villages)
    if every:
        folder = output or Path(f"村计生月报模板_{month}")
        if folder.exists() and not folder.is_dir():
            _fail(f"OUTPUT {folder}: is a file; give a folder with --all", code=2)
        paths = write_village_templates(folder, registry.villages, month)
        console.print(f"{len(paths)} template(s) written to {folder}")
        return
    chosen = registry.by_code.get(_code_arg(village, "--village", (12,)))
    if chosen is None:
        _fail(f"--village {village}: not in {s.villages}", code=2)
    output = output or Path(village_template_name(chosen.code, chosen.name, month))
    _writable_file(output, "OUTPUT", ".xlsx")
    path = write_template(output, chosen.code, chosen.name, month)
    console.print(f"template written to {path}")


@_command()
def docs(
    warehouse: WarehouseFile = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="the Markdown file [docs/warehouse.md]")
    ] = Path("docs/warehouse.md"),
    sample: Annotated[
        bool,
        typer.Option(
            "--sample",
            help="document a sample warehouse built in a temporary folder (as the committed file is)",
        ),
    ] = False,
    check: Annotated[
        bool, typer.Option("--check", help="write nothing; exit 1 if the file is out of date")
    ] = False,
    contract: Annotated[
        bool,
        typer.Option(
            "--contract",
            help="instead: docs/contract.md's tables of forms, rules and indicators, from the catalogs",
        ),
    ] = False,
) -> None:
    """Write docs/warehouse.md, the analysts' data dictionary, from the warehouse's own comments
    (with --contract: the tables of docs/contract.md from the catalogs)."""
    import tempfile

    from township.docs import CONTRACT_PATH, build_sample_warehouse, render_contract, render_docs

    if contract:
        output = output if output != Path("docs/warehouse.md") else CONTRACT_PATH
        _existing(output, "--output")
        current = output.read_text(encoding="utf-8")
        _docs_result(output, current, render_contract(current), check, "township docs --contract")
        return
    _writable_file(output, "--output")
    if sample:
        with tempfile.TemporaryDirectory(prefix="township-docs-") as tmp:
            text = render_docs(build_sample_warehouse(Path(tmp)).warehouse)
    else:
        s = _settings(warehouse=warehouse)
        if not s.warehouse.exists():
            _existing(warehouse, "--warehouse")
            _fail(f"warehouse not found: {s.warehouse} (run `township ingest`, or use --sample)")
        text = render_docs(s.warehouse, wait_seconds=s.lock_wait_seconds)
    current = output.read_text(encoding="utf-8") if output.exists() else None
    _docs_result(output, current, text, check, "township docs --sample")


def _docs_result(output: Path, current: str | None, text: str, check: bool, remedy: str) -> None:
    """Check (exit 1 when out of date) or write a generated document."""
    if check:
        if current != text:
            _fail(f"{output} is out of date: run `{remedy}`")
        console.print(f"{output} is up to date")
    elif current == text:
        console.print(f"{output} unchanged")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8", newline="\n")
        console.print(f"{output} written")


@_command()
def serve(
    cron: Annotated[
        str, typer.Option(help="when each run starts, cron in --timezone [6th, 06:00]")
    ] = "0 6 6 * *",
    timezone: Annotated[
        str | None,
        typer.Option(help="time zone of the schedule [TOWNSHIP_TIMEZONE, Asia/Shanghai]"),
    ] = None,
    month: Annotated[
        str, typer.Option(help="month each run ingests: previous (and any missed) or YYYY-MM")
    ] = "previous",
    name: Annotated[str, typer.Option(help="deployment name")] = "monthly",
    raw_dir: RawDir = None,
    villages: VillagesCsv = None,
    warehouse: WarehouseFile = None,
    outbox: Outbox = None,
) -> None:
    """Run the monthly schedule (a Prefect deployment) until stopped; no set-up needed.

    Uses the Prefect server at PREFECT_API_URL, else starts a local one for as long as it runs.
    """
    if month != "previous":
        try:
            parse_month(month)
        except ValueError:
            _fail(f"--month {month!r}: use previous or YYYY-MM with a month 01-12", code=2)
    _existing(raw_dir, "--raw-dir", directory=True)
    s = _settings(raw_dir, villages, warehouse, outbox)
    from township.serving import ServerError, check_schedule, load_flow, serve_monthly

    try:
        check_schedule(cron, timezone or s.timezone)
    except ValueError as exc:
        _fail(str(exc), code=2)
    _load_villages(s, villages)
    try:
        serve_monthly(
            load_flow("monthly_ingest"),
            s,
            cron=cron,
            timezone=timezone,
            name=name,
            month=month,
            announce=console.print,
        )
    except ValueError as exc:
        _fail(str(exc), code=2)
    except ServerError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        pass
    console.print("stopped")


STATE_ZH = {
    "Completed": "完成",
    "Failed": "失败",
    "Crashed": "崩溃",
    "Running": "运行中",
    "Scheduled": "待运行",
    "Late": "已过时未运行",
    "Pending": "等待",
    "Cancelled": "已取消",
    "AwaitingRetry": "等待重试",
    "Retrying": "重试中",
}


@_command()
def status(
    limit: Annotated[int, typer.Option(help="how many runs, newest first", min=1)] = 10,
) -> None:
    """The monthly flow's last runs and their outcomes, from the Prefect server."""
    from rich.table import Table

    from township.serving import last_runs, status_api_url, ui_url

    s = _settings()
    api_url = status_api_url(s)
    if api_url is None:
        _fail(
            "no Prefect server to ask: start `township serve` (or set PREFECT_API_URL); "
            f"none answers on 127.0.0.1:{s.prefect_port}"
        )
    try:
        runs = last_runs(api_url, limit)
    except Exception as exc:
        _fail(f"the Prefect server at {api_url} did not answer: {type(exc).__name__}: {exc}")
    table = Table("运行", "结果", "开始", "用时", "说明", title=f"月度运行（{ui_url(api_url)}）")
    for r in runs:
        start = r["start"] or r["expected"]
        shown = start.astimezone(s.zone).strftime("%Y-%m-%d %H:%M") if start else "—"
        took = f"{(r['end'] - r['start']).total_seconds():.0f} s" if r["start"] and r["end"] else ""
        table.add_row(
            r["name"], STATE_ZH.get(r["state"], r["state"]), shown, took, r["message"][:80]
        )
    console.print(table if runs else "还没有月度运行记录")


@_command()
def demo(
    period: Annotated[str, typer.Option(help="period to summarise")] = "SY2026H1",
    runner: Runner = None,
    address: DaskAddress = None,
) -> None:
    """Sample data end to end: synth → the monthly Prefect flow → the township summary."""
    period = _period_arg(period)
    s = _with_runner(_settings(), runner, address)
    if not s.villages.exists() or not any(s.raw_dir.glob("*/*")):
        synth(raw_dir=s.raw_dir, villages=s.villages)
    _load_villages(s, None)
    _check_warehouse_free(s)  # before Prefect starts: its retries would wait minutes
    from township.serving import load_flow

    monthly_ingest = load_flow("monthly_ingest")
    out = monthly_ingest(summary_period=period, runner=s.runner, dask_address=s.dask_address)
    result = out["result"]
    console.print(
        f"{ingest_line(result)}；各村回执{len(out['reports'])}份，在 {s.outbox}",
        markup=False,
        highlight=False,
    )
    from township.runs import run_summary

    made, why = run_summary(s, period)
    typer.echo(RENDERERS["text"].show(made) if made is not None else why)


def _check_warehouse_free(s: Settings) -> None:
    """WarehouseBusy (after TOWNSHIP_LOCK_WAIT_SECONDS) or WarehouseDamaged now, if either."""
    from township.store.connection import connect

    if not s.uses_lake and s.warehouse.exists():
        connect(s.warehouse, read_only=True, wait_seconds=s.lock_wait_seconds).close()


def exit_on_sigterm() -> None:
    """SIGTERM (a service manager, `kill`) ends the command through SystemExit rather than on
    the spot, so that what it started is stopped: the temporary Prefect server of `township
    demo`, stopped at exit. Around a flow run Prefect's own handler comes first: it reports
    the run crashed, then hands the signal on to this one."""

    def exit_now(signum: int, frame) -> NoReturn:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, exit_now)


def main() -> None:
    logging.getLogger("township").addHandler(logging.StreamHandler())
    exit_on_sigterm()
    try:
        # Not standalone: typer's usage errors come back here, to be told in one line.
        code = app(prog_name="township", standalone_mode=False)
    except TyperException as exc:  # click's exceptions, as typer vendors them
        if type(exc).__name__ != "NoArgsIsHelpError":  # that one has shown the help already
            _print_error(exc.format_message() + _help_hint(exc))
        sys.exit(exc.exit_code)
    except Abort:
        _print_error("aborted")
        sys.exit(1)
    except Exception as exc:  # one clear line, not a traceback, for the office's cron mail
        _print_error(f"{type(exc).__name__}: {exc}")
        sys.exit(1)
    sys.exit(code if isinstance(code, int) else 0)


def _help_hint(exc: TyperException) -> str:
    ctx = getattr(exc, "ctx", None)
    return f" (see `{ctx.command_path} --help`)" if ctx is not None else ""


def _print_error(message: str) -> None:
    # One line whatever the message quotes (a file name may hold a line break): cron mails and
    # the office read the first line.
    err.print(f"township: {' '.join(message.splitlines())}", markup=False, highlight=False)


if __name__ == "__main__":
    main()
