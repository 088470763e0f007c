"""`make bench`: runs every `gongkai/<app>/bench.py` module's `run()` in turn.

Each run() prints its own figures. Benchmarks measure speed; tests never do.
"""

import importlib
import os
import pkgutil
import sys
import time

import gongkai


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gongkai.settings")
    import django

    django.setup()
    only = set(argv if argv is not None else sys.argv[1:])
    for mod in sorted(m.name for m in pkgutil.iter_modules(gongkai.__path__)):
        if only and mod not in only:
            continue
        try:
            bench = importlib.import_module(f"gongkai.{mod}.bench")
        except ModuleNotFoundError as exc:
            if exc.name == f"gongkai.{mod}.bench":
                continue
            raise
        print(f"== {mod} ==", flush=True)
        started = time.perf_counter()
        bench.run()
        print(f"({mod}: {time.perf_counter() - started:.1f} s)", flush=True)


if __name__ == "__main__":
    main()
