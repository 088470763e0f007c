"""`make bench`: runs every benchmark module of gongkai.bench (one with a `run()`) in turn.

Each run() prints its own figures. Benchmarks measure speed; tests never do.
"""

import importlib
import os
import pkgutil
import sys
import time

import gongkai.bench


def benchmarks():
    """The names of the benchmark modules of gongkai.bench (those with a `run()`)."""
    names = []
    for info in pkgutil.iter_modules(gongkai.bench.__path__):
        if info.ispkg or info.name.startswith("_") or info.name == "runner":
            continue
        if hasattr(importlib.import_module(f"gongkai.bench.{info.name}"), "run"):
            names.append(info.name)
    return sorted(names)


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()
    only = set(argv if argv is not None else sys.argv[1:])
    for name in benchmarks():
        if only and name not in only:
            continue
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        importlib.import_module(f"gongkai.bench.{name}").run()
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
