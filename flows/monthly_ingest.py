"""The monthly flow: ingest → village reports → township summary, with a run artifact."""

from __future__ import annotations

from pathlib import Path

from township.prefect_settings import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from township.config import Settings  # noqa: E402
from township.ingest import IngestResult, ingest  # noqa: E402
from township.reports.outbox import write_month_reports  # noqa: E402
from township.runs import run_markdown, summary_for  # noqa: E402
from township.warehouse import WarehouseBusy  # noqa: E402


def retry_on_io(task, task_run, state) -> bool:
    """Retry only what waiting can fix: a busy warehouse, a shared folder that blinked."""
    try:
        state.result()
    except (WarehouseBusy, OSError):
        return True
    except Exception:
        return False
    return False


@task(retries=3, retry_delay_seconds=5, retry_condition_fn=retry_on_io, cache_policy=NO_CACHE)
def ingest_files(settings: Settings, month: str | None) -> IngestResult:
    return ingest(settings, month)


@task(retries=2, retry_delay_seconds=2, retry_condition_fn=retry_on_io, cache_policy=NO_CACHE)
def write_reports(settings: Settings, months: list[str]) -> list[Path]:
    return [p for m in months for p in write_month_reports(settings, m)]


@task(cache_policy=NO_CACHE)
def township_summary(settings: Settings, period: str | None) -> str:
    return summary_for(settings, period)


def run_name() -> str:
    from prefect.runtime import flow_run

    return f"ingest-{flow_run.parameters.get('month') or 'all'}"


@flow(name="monthly-ingest", flow_run_name=run_name, log_prints=True)
def monthly_ingest(
    month: str | None = None,
    raw_dir: str | None = None,
    warehouse: str | None = None,
    villages: str | None = None,
    outbox: str | None = None,
    summary_period: str | None = None,
) -> dict:
    """Ingest one report month (or every new file when month is None), report back, summarise."""
    settings = Settings().with_paths(
        raw_dir=raw_dir, warehouse=warehouse, villages=villages, outbox=outbox
    )
    result = ingest_files(settings, month)
    months = sorted({s["report_month"] for s in result.submissions})
    reports = write_reports(settings, months)
    summary = township_summary(settings, summary_period or month)
    create_markdown_artifact(
        key="monthly-ingest",
        markdown=run_markdown(result, reports, summary),
        description=f"ingest {month or 'all'}",
    )
    return {"result": result, "reports": [str(p) for p in reports], "summary": summary}
