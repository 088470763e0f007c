"""Importing and re-checking many reports on every core (issue 19 "Scale"): a process
pool with progress, until the task queue of the operations issue takes this work.

read_ahead (collecting.collect with workers > 1: the web upload and `gongkai library
import`): more than a handful of files are read `workers` at a time, each in its own
bounded child process (the sandbox's), while the calling process stores the files in
their order. Storing stays in one process and in order because the checks beyond one
report read the reports stored before (CONTINUITY, a parent's sum, copied narrative):
the result is the serial import's, file for file, and the reading — most of an
import's work — runs on every core.

import_paths and recheck (the bench's import and re-check on forked workers that also
store; an import there is not file for file the serial one, see above):

Each worker is a forked process with its own database connection; work is handed
out in chunks (a list of file paths, or of report ids) and each chunk is committed
by the functions it calls (collecting.collect, review.refresh), so a crash loses at
most the chunk in flight and running again skips what is done (the same file is
not imported twice; a re-check is idempotent).
"""

import multiprocessing
import os
from pathlib import Path

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


def _import_chunk(args):
    paths, user_id, collector_id = args
    from django.db.models import Q

    from . import collecting

    collector = _agency(collector_id)
    # Matched among the agencies the collector reaches (as the web upload does).
    reach = Q(path__startswith=collector.path) if collector else None
    files = ((Path(p).name, Path(p).read_bytes()) for p in paths)
    outcomes = collecting.collect(files, user=None, collector=collector, reach_q=reach)
    return [o.result for o in outcomes]


def _agency(pk):
    from .models import LibraryAgency

    return LibraryAgency.objects.filter(pk=pk).first() if pk else None


def _recheck_chunk(ids):
    from . import review
    from .models import LibraryReport

    done = 0
    for report in LibraryReport.objects.filter(pk__in=ids).order_by("year", "id"):
        review.refresh(report, cascade=False)  # every report is re-checked: no cascade
        done += 1
    return done


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


def import_paths(paths, *, workers=None, collector=None, progress=None):
    """Collect the files at `paths` on `workers` processes; {result: count}."""
    counts = {}
    chunks = [(c, None, collector.pk if collector else None) for c in _chunks(list(paths), CHUNK)]
    done = 0
    with _pool(workers) as pool:
        for results in _unordered(pool, _import_chunk, chunks):
            for r in results:
                counts[r] = counts.get(r, 0) + 1
            done += len(results)
            if progress:
                progress(done)
    return counts


def recheck(ids, *, workers=None, progress=None):
    """Re-check the reports `ids` (e.g. after a rule change) on `workers` processes;
    review states are kept (review.refresh). The number re-checked."""
    done = 0
    with _pool(workers) as pool:
        for n in _unordered(pool, _recheck_chunk, _chunks(list(ids), CHUNK * 4)):
            done += n
            if progress:
                progress(done)
    return done
