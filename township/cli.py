"""The `township` command line: parses arguments, calls the library or a flow."""

from __future__ import annotations

import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from township.config import Settings

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    help="Village monthly reports: ingest, validate, summarise.",
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
    return Settings().with_paths(
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


def _fail(message: str, code: int = 1) -> None:
    err.print(f"township: {message}", markup=False, highlight=False)
    raise typer.Exit(code)


@app.command()
def synth(raw_dir: RawDir = None, villages: VillagesCsv = None, seed: int = 2026) -> None:
    """Write the sample township: villages.csv, six months of village workbooks, the ground truth."""
    from township.synth import generate_sample

    s = _settings(raw_dir, villages)
    generate_sample(s.raw_dir, s.villages, s.villages.with_name("ground_truth.json"), seed=seed)
    console.print(f"sample written to {s.raw_dir} (villages: {s.villages})")


@app.command("ingest")
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
    from rich.progress import Progress

    from township.discovery import RawFolderMissing
    from township.ingest import PublishFailed, ingest
    from township.ledger import ledger_lines
    from township.warehouse import WarehouseBusy

    s = _with_runner(_settings(raw_dir, villages, warehouse), runner, address)
    _require_villages(s)
    try:
        if quiet:
            result = ingest(s, month)
        else:
            with Progress(console=err, transient=True) as bar:
                job = bar.add_task("读取与校验", total=None)
                result = ingest(
                    s,
                    month,
                    progress=lambda done, total: bar.update(job, completed=done, total=total),
                )
    except WarehouseBusy as exc:
        _fail(str(exc), code=3)
    except (RawFolderMissing, PublishFailed) as exc:
        _fail(str(exc))
    counts = ", ".join(f"{k} {v}" for k, v in sorted(result.by_status.items())) or "nothing new"
    console.print(
        f"ingested {len(result.submissions)} new file(s) ({counts}); {result.files_skipped} unchanged skipped"
    )
    for line in ledger_lines(result.outcomes):
        console.print(line, markup=False, highlight=False)


def _require_warehouse(s: Settings) -> None:
    from township.warehouse import warehouse_exists

    if not warehouse_exists(s):
        _fail(f"warehouse not found: {s.warehouse} (run `township ingest` first)")


def _require_villages(s: Settings) -> None:
    if not s.villages.exists():
        _fail(
            f"village list not found: {s.villages} (set TOWNSHIP_VILLAGES or run `township synth`)"
        )


@app.command()
def summary(
    period: Annotated[str, typer.Argument(help="2026-03 | 2026Q1 | 2026 | SY2026 | SY2026H1")],
    format: Annotated[str, typer.Option("--format", "-f", help="text | json | xlsx")] = "text",
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="as the warehouse knew it then, e.g. 2026-04-05")
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="file for xlsx [data/outbox/summary_<PERIOD>.xlsx]"),
    ] = None,
    township: Annotated[
        str | None, typer.Option(help="9-digit township code, where the warehouse holds several")
    ] = None,
    warehouse: WarehouseFile = None,
    outbox: Outbox = None,
) -> None:
    """The township summary for a period."""
    from township.indicators.periods import parse_period
    from township.reports.compare import comparisons
    from township.reports.summary import NoData, load_summary, summary_json, summary_text
    from township.warehouse import Warehouse

    s = _settings(warehouse=warehouse, outbox=outbox)
    try:
        parse_period(period)
        moment = _parse_moment(as_of) if as_of else None
    except ValueError as exc:
        _fail(str(exc), code=2)
    if format not in ("text", "json", "xlsx"):
        _fail(f"unknown format {format!r}: use text, json or xlsx", code=2)
    _require_warehouse(s)
    with Warehouse.open(s, read_only=True) as wh:
        try:
            p, values, catalog = load_summary(wh, period, moment, township)
        except NoData as exc:
            _fail(str(exc))
        last = wh.latest_report_month(moment)
        files = wh.file_ledger(p.start_month, p.end_month) if moment is None else None
        town = values.loc[values["org_level"] == "township", "org_code"].iloc[0]
        compared = comparisons(wh, p.key, moment)
        compared = compared[compared["org_code"] == town]
        if format == "xlsx":
            from township.reports.summary_xlsx import write_summary_xlsx

            path = write_summary_xlsx(
                output or s.outbox / f"summary_{p.key}.xlsx", wh, p.key, moment, town
            )
            console.print(f"summary written to {path}")
    if format == "text":
        typer.echo(summary_text(p, values, catalog, last, compared, files))
    elif format == "json":
        sys.stdout.write(summary_json(p, values, moment, compared) + "\n")


def _parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise ValueError(
            f"--as-of {text!r} is not a date or time (e.g. 2026-04-05 or 2026-04-05T12:00)"
        ) from exc
    # A bare date means the end of that day: "what did we know on April 5th".
    return moment.replace(hour=23, minute=59, second=59) if len(text) == 10 else moment


@app.command()
def materialize(warehouse: WarehouseFile = None) -> None:
    """Materialize the indicators again from what is loaded, and republish the analysts' copy
    (each ingest does both; for a lake, e.g. after several ingests ran at once)."""
    from township.publish import SnapshotBusy, analyst_snapshot_path, publish_analyst_snapshot
    from township.warehouse import Warehouse, WarehouseBusy

    s = _settings(warehouse=warehouse)
    _require_warehouse(s)
    try:
        with Warehouse.open(s, wait_seconds=s.lock_wait_seconds) as wh:
            rows = wh.refresh_indicators()
            try:
                publish_analyst_snapshot(
                    wh.con, analyst_snapshot_path(wh.path), exclusive=wh.is_lake
                )
            except SnapshotBusy as exc:
                err.print(f"township: {exc}", markup=False, highlight=False)
    except WarehouseBusy as exc:
        _fail(str(exc), code=3)
    console.print(f"{rows} indicator value(s) materialized")


@app.command()
def trace(
    period: Annotated[str, typer.Argument(help="e.g. SY2026H1")],
    indicator: Annotated[str, typer.Argument(help="indicator code, e.g. births_total")],
    org: Annotated[str | None, typer.Option(help="village or township code [the township]")] = None,
    warehouse: WarehouseFile = None,
) -> None:
    """The files, sheets and Excel rows behind one indicator value."""
    from township.warehouse import Warehouse

    s = _settings(warehouse=warehouse)
    _require_warehouse(s)
    with Warehouse.open(s, read_only=True) as wh:
        org_code = org or wh.villages()["township_code"].iloc[0]
        rows = wh.lineage(period, org_code, indicator)
    for r in rows.itertuples():
        typer.echo(f"{r.village_name}\t{r.file_path}\t{r.sheet} 第{r.excel_row}行")
    typer.echo(f"{len(rows)} row(s) behind {indicator} {period} {org_code}")


@app.command()
def reports(
    month: Annotated[str, typer.Argument(help="report month YYYY-MM")],
    raw_dir: RawDir = None,
    warehouse: WarehouseFile = None,
    outbox: Outbox = None,
) -> None:
    """Write the validation report of every file received for MONTH into the outbox."""
    from township.reports.outbox import write_month_reports

    s = _settings(raw_dir, warehouse=warehouse, outbox=outbox)
    _require_warehouse(s)
    paths = write_month_reports(s, month)
    console.print(f"{len(paths)} report(s) written to {s.outbox / month}")


@app.command()
def template(
    output: Annotated[Path, typer.Argument(help="where to write the workbook")] = Path(
        "村计生月报模板.xlsx"
    ),
) -> None:
    """Write the blank workbook villages fill in."""
    from township.reports.template import write_template

    console.print(f"template written to {write_template(output)}")


@app.command()
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
) -> None:
    """Write docs/warehouse.md, the analysts' data dictionary, from the warehouse's own comments."""
    import tempfile

    from township.docs import build_sample_warehouse, render_docs
    from township.warehouse import WarehouseBusy

    if sample:
        with tempfile.TemporaryDirectory(prefix="township-docs-") as tmp:
            text = render_docs(build_sample_warehouse(Path(tmp)).warehouse)
    else:
        s = _settings(warehouse=warehouse)
        if not s.warehouse.exists():
            _fail(f"warehouse not found: {s.warehouse} (run `township ingest`, or use --sample)")
        try:
            text = render_docs(s.warehouse)
        except WarehouseBusy as exc:
            _fail(str(exc), code=3)
    current = output.read_text(encoding="utf-8") if output.exists() else None
    if check:
        if current != text:
            _fail(f"{output} is out of date: run `township docs --sample`")
        console.print(f"{output} is up to date")
    elif current == text:
        console.print(f"{output} unchanged")
    else:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(text, encoding="utf-8", newline="\n")
        console.print(f"data dictionary written to {output}")


@app.command()
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
    import re

    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])|previous", month):
        _fail(f"--month {month!r}: use previous or YYYY-MM", code=2)
    s = _settings(raw_dir, villages, warehouse, outbox)
    _require_villages(s)
    from flows.serve import ServerError, serve_monthly

    try:
        serve_monthly(
            s, cron=cron, timezone=timezone, name=name, month=month, announce=console.print
        )
    except ValueError as exc:
        _fail(str(exc), code=2)
    except ServerError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        pass
    console.print("stopped")


@app.command()
def demo(
    period: Annotated[str, typer.Option(help="period to summarise")] = "SY2026H1",
    runner: Runner = None,
    address: DaskAddress = None,
) -> None:
    """Sample data end to end: synth → the monthly Prefect flow → the township summary."""
    s = _with_runner(_settings(), runner, address)
    if not s.villages.exists() or not any(s.raw_dir.glob("*/*")):
        synth(raw_dir=s.raw_dir, villages=s.villages)
    from flows.monthly_ingest import monthly_ingest

    out = monthly_ingest(summary_period=period, runner=s.runner, dask_address=s.dask_address)
    result = out["result"]
    console.print(
        f"ingested {len(result.submissions)} new file(s), {result.files_skipped} unchanged; "
        f"{len(out['reports'])} village report(s) in {s.outbox}"
    )
    from township.runs import summary_for

    typer.echo(summary_for(s, period, full=True))


def main() -> None:
    logging.getLogger("township").addHandler(logging.StreamHandler())
    try:
        app()
    except Exception as exc:  # one clear line, not a traceback, for the office's cron mail
        err.print(f"township: {type(exc).__name__}: {exc}", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
