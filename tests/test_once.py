"""A heavy loader runs once per process even when many threads ask for it at the same moment."""

from __future__ import annotations

import threading
import time

from dovvy.once import once


def test_many_threads_at_once_load_it_once_and_share_it() -> None:
    calls: list[int] = []

    @once
    def load() -> object:
        calls.append(1)
        time.sleep(0.2)  # long enough for every thread to ask while the first is loading
        return object()

    start = threading.Barrier(16)
    got: list[object] = []

    def ask() -> None:
        start.wait()
        got.append(load())

    threads = [threading.Thread(target=ask) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # functools.cache, which the offline embedder's loader used, gives 16 calls here.
    assert len(calls) == 1
    assert len({id(value) for value in got}) == 1
