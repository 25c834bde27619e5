"""workflows.scope: what a Scope reads, it reads once per scope, and scopes do not wait for each other."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from balance_dash.workflows.scope import read_once


class Counted:
    """A stand-in for Scope whose lazily read value can be made to meet another reader first."""

    def __init__(self, barrier: threading.Barrier | None = None) -> None:
        self.barrier = barrier
        self.reads = 0

    @read_once
    def value(self) -> int:
        self.reads += 1
        if self.barrier is not None:
            self.barrier.wait(timeout=5)  # raises BrokenBarrierError when the other reader is held back
        return 42


def test_a_value_is_read_once_however_many_readers_ask_at_once():
    holder = Counted()
    with ThreadPoolExecutor(max_workers=8) as pool:
        values = list(pool.map(lambda _: holder.value, range(32)))
    assert values == [42] * 32
    assert holder.reads == 1


def test_two_scopes_read_at_the_same_time_instead_of_one_after_the_other():
    barrier = threading.Barrier(2)
    first, second = Counted(barrier), Counted(barrier)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = [pool.submit(lambda h: h.value, holder) for holder in (first, second)]
        assert [future.result(timeout=10) for future in results] == [42, 42]
    assert (first.reads, second.reads) == (1, 1)


def test_the_descriptor_on_the_class_is_itself():
    assert isinstance(Counted.value, read_once)
