"""Shared by the benchmarks: Django on a throw-away test database of the configured server."""

import os
import sys
import time
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trial_edc.settings.test")


@contextmanager
def benchmark_database(name: str = ""):
    import django

    django.setup()
    from django.conf import settings
    from django.db import connections

    from trial_edc.audit.grants import owner_database

    # the owner creates and migrates it, the benchmark runs as the runtime role ("default");
    # its own name, so a benchmark never collides with a test run's database
    owner = connections[owner_database()]
    owner.settings_dict["TEST"]["NAME"] = f"bench_{name or owner.settings_dict['NAME']}"
    test_name = owner.creation.create_test_db(verbosity=0, autoclobber=True)
    for alias in settings.DATABASES:
        connections[alias].close()
        connections[alias].settings_dict["NAME"] = test_name
    try:
        yield
    finally:
        connections.close_all()
        owner.creation.destroy_test_db(test_name, verbosity=0)


@contextmanager
def measured(label: str, results: list):
    """Wall time and SQL queries of the block; Python peak memory too with
    BENCHMARK_MEMORY=1 (tracemalloc slows pure-Python work such as PDF layout several-fold,
    so it is off for the timings)."""
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    memory = os.environ.get("BENCHMARK_MEMORY") == "1"
    reset_queries()
    if memory:
        tracemalloc.start()
    start = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        yield
    elapsed = time.perf_counter() - start
    peak = None
    if memory:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    results.append((label, elapsed, len(queries), peak))


def print_table(title: str, results: list) -> None:
    print(f"\n{title}")
    print(f"{'case':<48} {'seconds':>9} {'queries':>8} {'peak MiB':>9}")
    for label, elapsed, queries, peak in results:
        memory = "–" if peak is None else f"{peak:.1f}"
        print(f"{label:<48} {elapsed:>9.3f} {queries:>8} {memory:>9}")


# a valid vital-signs entry as a coordinator posts it (the save benchmarks add the time)
VITALS = {
    "temp": "36.9",
    "hr": "88",
    "resp": "18",
    "sysbp": "118",
    "diabp": "72",
    "oxysat": "95",
    "oxygen_support": "ROOM_AIR",
    "fio2": "0.21",
}
