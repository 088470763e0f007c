"""`make bench`: runs every benchmark module of gongkai.bench (one with a `run()`) in turn.

Each run() prints its own figures. Benchmarks measure speed; tests never do.
"""

import importlib
import os
import pkgutil
import sys
import time

import gongkai.bench


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()
    only = set(argv if argv is not None else sys.argv[1:])
    names = sorted(m.name for m in pkgutil.iter_modules(gongkai.bench.__path__) if not m.ispkg)
    for name in names:
        if name == "runner" or (only and name not in only):
            continue
        bench = importlib.import_module(f"gongkai.bench.{name}")
        if not hasattr(bench, "run"):
            continue
        print(f"== {name} ==", flush=True)
        started = time.perf_counter()
        bench.run()
        print(f"({name}: {time.perf_counter() - started:.1f} s)", flush=True)
