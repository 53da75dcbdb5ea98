"""Reading and validation on a Dask cluster, through Prefect's Dask task runner (prefect-dask).

`TOWNSHIP_RUNNER=dask` (or `township ingest --runner dask`): each chunk of files (the local
runner's chunks, in the same order) is read, validated and shaped into a LoadBatch by a Prefect
task on a Dask worker, in a flow run `read-and-validate` whose task runner is a DaskTaskRunner:
on the scheduler at `TOWNSHIP_DASK_ADDRESS`, or on a LocalCluster started for the run (one
worker process per core, or `TOWNSHIP_WORKERS`). The batches come back in order, a bounded
number in flight, and are loaded into the warehouse by the calling process, chunk by chunk, in
its one transaction: the workers never touch storage.

What travels to the workers: the file paths (made absolute: the workers must see the raw folder
at the same path, e.g. a shared mount), the village list, the settings and the key for person
hashes (so: a private cluster only). What comes back: the rows of every table, names and ID
numbers included (restricted), pickled over the cluster's network. Prefect's result persistence
and cache are off: nothing read is written under PREFECT_HOME.

The tasks report to the Prefect API the calling process uses; without one configured, a
temporary server is started here for the run (the workers are told its address, rather than
each starting a server of its own).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from township.prefect_settings import configure_prefect

configure_prefect()

from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402

from township.config import Settings  # noqa: E402
from township.facts import LoadBatch  # noqa: E402
from township.prepare import CHUNK_FILES, chunks, prepare  # noqa: E402
from township.villages import VillageRegistry  # noqa: E402

IN_FLIGHT_PER_WORKER = 2


@task(name="read-and-validate-chunk", cache_policy=NO_CACHE, persist_result=False)
def prepare_chunk(
    items: list[tuple[Path, str, str | None]],
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
) -> LoadBatch:
    return prepare(items, registry, settings, key)


def task_runner(settings: Settings):
    """The DaskTaskRunner for the settings: the cluster at the address, else a LocalCluster."""
    from prefect_dask import DaskTaskRunner

    # the cluster's INFO lines (each start, stop and connection) are noise in an office's log
    os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")  # the workers'
    quiet = logging.getLogger("distributed")  # the scheduler's and nannies', in this process
    if quiet.getEffectiveLevel() < logging.WARNING:
        quiet.setLevel(logging.WARNING)
    if settings.dask_address:
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_kwargs={
            "n_workers": settings.workers or os.cpu_count() or 1,
            "threads_per_worker": 1,  # the work is Python: a process per core
            "processes": True,
            "dashboard_address": None,
        }
    )


def dask_batches(
    todo: list[tuple[Path, str, str | None]],
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
) -> Iterator[tuple[int, LoadBatch]]:
    """(files in the chunk, its LoadBatch) for every chunk of `todo`, in order."""
    if not todo:
        return
    items = [(Path(path).resolve(), month, sha) for path, month, sha in todo]
    remote = settings.with_paths(raw_dir=Path(settings.raw_dir).resolve())

    # No parameters: the flow run records its parameters in the Prefect database, and these
    # hold the key for person hashes. The closure carries them to the tasks instead.
    @flow(
        name="read-and-validate",
        task_runner=task_runner(settings),
        persist_result=False,
        validate_parameters=False,
    )
    def read_and_validate():
        # The chunks of the local runner: the same files are loaded together, in the same
        # order, so the checks made against the warehouse while loading find the same.
        todo = iter(list(chunks(items, CHUNK_FILES)))
        workers = _worker_count(settings)
        in_flight: deque = deque()

        def submit_next() -> None:
            chunk = next(todo, None)
            if chunk is not None:
                future = prepare_chunk.submit(chunk, registry, remote, key)
                in_flight.append((len(chunk), future))

        for _ in range(IN_FLIGHT_PER_WORKER * workers):
            submit_next()
        while in_flight:
            n, future = in_flight.popleft()
            batch = future.result()
            submit_next()  # keep the workers busy while this batch is loaded
            yield n, batch

    with _prefect_api(), contextlib.closing(read_and_validate()) as batches:
        yield from batches


def _worker_count(settings: Settings) -> int:
    """Worker threads of the cluster this flow run's task runner is connected to."""
    context = FlowRunContext.get()
    try:
        return max(1, sum(context.task_runner.client.nthreads().values()))
    except Exception:  # a guess only sizes the chunks
        return settings.workers or os.cpu_count() or 1


@contextlib.contextmanager
def _prefect_api():
    """Make sure the Dask workers report to the API this process uses.

    Without PREFECT_API_URL, Prefect runs against a temporary server that only this process
    knows of, and each worker would start a temporary server of its own (seconds each). Here
    the temporary server is started explicitly and its address set for the run: the task
    runner hands the settings to the workers."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the one Prefect itself would start for this process
    server.start()
    with temporary_settings({PREFECT_API_URL: server.api_url}):
        yield
