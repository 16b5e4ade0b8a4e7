"""The local gateway served by uvicorn on a free loopback port, for tests that need real HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import uvicorn

from dovvy.config import Settings
from dovvy.gateway import SERVER_OPTIONS, create_gateway
from dovvy.runtime import Runtime


@contextmanager
def serving(settings: Settings, configure: Callable[[Runtime], None] | None = None) -> Iterator[str]:
    """Yields the gateway's base URL, e.g. http://127.0.0.1:41234. `configure` may adjust the runtime
    (its models, say) before the first request."""
    runtime = Runtime(settings)
    if configure is not None:
        configure(runtime)
    server = uvicorn.Server(
        uvicorn.Config(
            create_gateway(runtime),
            host="127.0.0.1",
            port=0,
            log_level="warning",
            lifespan="off",
            **SERVER_OPTIONS,
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the gateway did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        runtime.close()
