"""Importing and re-checking many reports on every core (issue 19 "Scale"): a process
pool with progress, until the task queue of the operations issue takes this work.

read_ahead (collecting.collect with workers > 1: the web upload's background job and
`gongkai library import`): more than a handful of files are read `workers` at a time,
each in its own bounded child process (the sandbox's), while the calling process stores
the files in their order (and checks them in batches, collecting.CHECK_BATCH). Storing
stays in one process and in order because the checks beyond one report read the
reports stored before (CONTINUITY, a parent's sum, copied narrative): the result is
the serial import's, file for file, and the reading runs on every core.

recheck (`gongkai library recheck`, crosscheck.recheck_all, the bench): the re-check
of everything on forked workers. Each worker is a forked process with its own
database connection; work is handed out in batches of report ids (whole groups of one
supervisor and year, crosscheck.recheck_batches, so a group's reports are read once)
and each batch is committed on its own (review.refresh_many), so a crash loses at
most the batches in flight and running again is harmless (a re-check is idempotent).
"""

import multiprocessing
import os

CHUNK = 50
HANDFUL = 5  # up to this many files are read one by one as they are stored
WORKERS = os.cpu_count() or 1


def read_ahead(items, workers, needed):
    """(name, data, refused, reading) for each (name, data, refused) of `items`, in
    order. `reading` is the sandbox's Outcome for the files read ahead (`needed(data)`
    true), None for the others (read by the caller if at all). Up to 2 × `workers`
    files are in memory at once; with a handful of files or one worker, none is read
    ahead. Threads suffice: each reading runs in a child process; a thread waits for it."""
    from collections import deque
    from concurrent.futures import ThreadPoolExecutor
    from itertools import chain, islice

    from .collecting import read

    items = iter(items)
    head = list(islice(items, HANDFUL + 1))
    if workers < 2 or len(head) <= HANDFUL:
        for name, data, refused in chain(head, items):
            yield name, data, refused, None
        return
    window = deque()
    pool = ThreadPoolExecutor(workers, thread_name_prefix="library-read")
    try:
        for name, data, refused in chain(head, items):
            ahead = refused is None and needed(data)
            window.append((name, data, refused, pool.submit(read, name, data) if ahead else None))
            while len(window) > 2 * workers:
                yield _done(window.popleft())
        while window:
            yield _done(window.popleft())
    finally:  # the caller stopped (an error): the files not yet started are not read
        pool.shutdown(cancel_futures=True)


def _done(entry):
    name, data, refused, future = entry
    return name, data, refused, future.result() if future is not None else None


def _init():
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.close_if_unusable_or_obsolete()
    connections.close_all()  # the parent's connections are not this process's


def _recheck_batch(ids):
    from .crosscheck import recheck_batch

    return recheck_batch(ids)


def _pool(workers):
    """Non-daemonic workers (ProcessPoolExecutor): the sandbox forks readers of its own."""
    from concurrent.futures import ProcessPoolExecutor

    from django.db import connections

    connections.close_all()  # forked children must not share the parent's sockets
    return ProcessPoolExecutor(
        workers or os.cpu_count(), mp_context=multiprocessing.get_context("fork"), initializer=_init
    )


def _unordered(pool, fn, items):
    from concurrent.futures import as_completed

    for future in as_completed([pool.submit(fn, item) for item in items]):
        yield future.result()


def _chunks(items, size):
    return [items[i : i + size] for i in range(0, len(items), size)]


def recheck(batches, *, workers=None, progress=None):
    """Re-check the reports of `batches` (lists of ids, crosscheck.recheck_batches: whole
    groups of one supervisor and year) on `workers` processes, e.g. after a rule change;
    review states are kept (review.refresh_many). The number re-checked."""
    done = 0
    with _pool(workers) as pool:
        for n in _unordered(pool, _recheck_batch, batches):
            done += n
            if progress:
                progress(done)
    return done
