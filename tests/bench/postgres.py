"""A throwaway PostgreSQL cluster for `--db postgres`: the test suite's (`tests/support/postgres.py`),
started from the installed server binaries, listening on 127.0.0.1 only, deleted after."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from tests.support.postgres import PostgresCluster, find_bin_dir


@contextmanager
def throwaway_cluster() -> Iterator[Callable[[], str]]:
    """A running cluster; yields a function that creates a fresh database and returns its URL."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError("PostgreSQL server binaries not found; install the Debian package 'postgresql'")
    cluster = PostgresCluster.start(bin_dir)
    try:
        yield lambda: str(cluster.url(cluster.create_database()))
    finally:
        cluster.stop()
