"""The reader workers: chunks of files prepared (township/prepare.py) in worker processes forked
from this one, in order, a bounded number in flight; each worker's memory bounded, so that a
file that blows up (past the reader's own checks of sizes and rows) ends its worker, not the
ingest: the chunk is prepared again, halved until that file is found and refused alone."""

from __future__ import annotations

import gc
import logging
import multiprocessing
import os
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from township import prepare as preparing
from township.config import Settings
from township.facts import LoadBatch
from township.rules.validate import warm_up
from township.villages import VillageRegistry

log = logging.getLogger(__name__)
# From two chunks on, a second process has a chunk to take over.
PARALLEL_FROM_FILES = 2 * preparing.CHUNK_FILES


def _worker_count(settings: Settings, n_files: int) -> int:
    if n_files < PARALLEL_FROM_FILES:
        return 1
    return max(
        1, min(settings.workers or os.cpu_count() or 1, n_files // preparing.CHUNK_FILES + 1)
    )


def _pool_context():
    """Fork where there is fork: a forked worker starts with this process's modules loaded; a
    spawned one re-imports pandas, pandera and DuckDB first (~0.7 s of a core, per worker).
    The workers touch neither the warehouse connection nor Prefect; they read, validate, return."""
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context(
        "fork" if sys.platform == "linux" and "fork" in methods else "spawn"
    )


_WORKER: dict = {}


class FilesRead:
    """How many files the workers have read so far, across processes (shared memory): the
    progress of a chunk of a thousand files, file by file."""

    def __init__(self):
        self.shared = _pool_context().Value("q", 0)

    @property
    def value(self) -> int:
        return self.shared.value

    def add(self, n: int = 1) -> None:
        with self.shared.get_lock():
            self.shared.value += n


def _remember(
    registry: VillageRegistry, settings: Settings, key: bytes, files_read: FilesRead | None = None
) -> None:
    """A worker's initializer: what every chunk needs, given once rather than with each chunk;
    and the worker's memory bounded, so that a file that still blows up (after the reader's
    checks of sizes and rows) fails its own worker, not the ingest."""
    _WORKER.update(registry=registry, settings=settings, key=key, files_read=files_read)
    limit_memory(settings.max_reader_memory)


def limit_memory(budget: int | None) -> None:
    """At most `budget` bytes of address space more than this process holds now (Linux)."""
    if not budget or sys.platform != "linux":
        return
    import resource

    with open("/proc/self/status", encoding="ascii") as status:
        held = next(
            (int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize")), 0
        )
    resource.setrlimit(resource.RLIMIT_AS, (held + budget, resource.RLIM_INFINITY))


def _prepare_in_worker(items: list[tuple[Path, str, str | None]]) -> LoadBatch:
    counter = _WORKER.get("files_read")
    return preparing.prepare(
        items,
        _WORKER["registry"],
        _WORKER["settings"],
        _WORKER["key"],
        on_read=counter.add if counter is not None else None,
    )


def prepared_batches(
    chunks: Iterable[list[tuple[Path, str, str | None]]],
    n_files: int,
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
    files_read: FilesRead | None = None,
) -> Iterator[tuple[int, LoadBatch]]:
    """The chunks prepared in worker processes, in order, with a bounded number in flight.
    `files_read`, when given, counts each file as a worker reads it (the progress bar's).
    `n_files`: at most how many files the chunks hold (how many workers are worth starting).
    A worker that dies (a file beyond the memory bound, a crash in a reader library) breaks
    the pool: its chunks are prepared again, halved until the file is found and refused."""
    if settings.runner == "dask":  # on a Dask cluster, through Prefect (township/runners.py)
        from township.runners import dask_batches  # Prefect and Dask: only when asked

        yield from dask_batches([i for chunk in chunks for i in chunk], registry, settings, key)
        return
    # Forked workers inherit every object of this process: frozen (again: what the ingest made
    # since it began), their collector never walks them, so the walks neither cost the workers
    # (~15% of their time) nor dirty the pages they share with this process. They stay frozen:
    # the frozen are only ever freed by reference counting, so only cycles among them outlive
    # their use, and the flow process ends with the run.
    warm_up()  # before the fork: the workers inherit pandera's and stdnum's first-use work
    gc.freeze()
    todo = deque(chunks)
    workers = _worker_count(settings, n_files)
    while todo:
        broken = yield from _run_pool(todo, workers, registry, settings, key, files_read)
        for chunk in broken:
            yield from _isolated(chunk, registry, settings, key)


def _pool(
    workers: int,
    registry: VillageRegistry,
    settings: Settings,
    key: bytes,
    files_read: FilesRead | None = None,
):
    return ProcessPoolExecutor(
        workers,
        _pool_context(),
        initializer=_remember,
        initargs=(registry, settings, key, files_read),
    )


def _run_pool(todo: deque, workers: int, registry, settings, key, files_read=None):
    """Prepare chunks from `todo` until it is empty or the pool breaks; returns the chunks that
    were in flight when it broke (in order), to be prepared again one part at a time."""
    with _pool(workers, registry, settings, key, files_read) as pool:
        in_flight: deque = deque()
        while todo or in_flight:
            while todo and len(in_flight) <= 2 * workers:
                try:
                    future = pool.submit(_prepare_in_worker, todo[0])
                except BrokenProcessPool:  # broken meanwhile: the chunk waits for a new pool
                    return [c for c, _ in in_flight]
                in_flight.append((todo.popleft(), future))
            chunk, future = in_flight[0]
            try:
                batch = future.result()
            except BrokenProcessPool:
                return [c for c, _ in in_flight]
            in_flight.popleft()
            yield len(chunk), batch
    return []


def _isolated(chunk: list, registry, settings, key) -> Iterator[tuple[int, LoadBatch]]:
    """A chunk whose worker died, prepared again in a fresh worker; halved while its worker
    still dies. A single file that kills its worker is refused, and the rest goes on."""
    with _pool(1, registry, settings, key) as pool:
        try:
            yield len(chunk), pool.submit(_prepare_in_worker, chunk).result()
            return
        except BrokenProcessPool:
            pass
    if len(chunk) == 1:
        path, month, _ = chunk[0]
        log.warning("reading %s ended its worker process: refused", path)
        refused = preparing.refused_file(
            path, month, registry, preparing.MEMORY_LIMIT, settings.zone
        )
        yield 1, preparing.shape([refused], [month], registry, settings, key)
        return
    half = len(chunk) // 2
    yield from _isolated(chunk[:half], registry, settings, key)
    yield from _isolated(chunk[half:], registry, settings, key)
