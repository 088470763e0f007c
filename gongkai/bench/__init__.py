"""Benchmarks (`make bench`, `python -m gongkai.bench [name …]`) and the bulk data
generators they fill the database with (gongkai.bench.data), kept out of the domain
apps' import paths: nothing in an app imports from here except the thin
generate_cases / generate_items management commands.

Each module here with a `run()` is one benchmark; it prints its own figures.
Benchmarks measure speed; tests never do.
"""
