"""Loading a heavy thing at most once per process, however many threads ask for it at once."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def once(load: Callable[[], T]) -> Callable[[], T]:
    """`load()` run by the first caller only; the others wait for it and share the result.

    functools.cache runs the function in every thread that asks before the first returns: fifty chats
    arriving at a gateway that had not yet loaded the offline embedder loaded its model fifty times
    (the first answers took 3 s instead of 0.2 s)."""
    lock = threading.Lock()
    loaded: list[T] = []

    @functools.wraps(load)
    def get() -> T:
        if not loaded:
            with lock:
                if not loaded:
                    loaded.append(load())
        return loaded[0]

    return get
