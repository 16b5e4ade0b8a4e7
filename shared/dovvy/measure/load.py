"""`dovvy bench load`: many clients at once against the local gateway, on loopback only.

The gateway runs as its own process (`dovvy serve`, limits off, offline providers) so the clients
do not share its interpreter; `clients` workers loop over health, session create and read, lead
create and chat for a fixed time, bounded also by a request count. Prints, per endpoint,
throughput, p50/p95/p99 latency, errors, and each p95 as a multiple of `/health`'s p95 in the same
run: the ratio is what this code adds on top of the server and the machine.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx

from dovvy.measure.figures import free_port, percentile

ENDPOINTS = ("health", "session create", "session read", "lead create", "chat")


@contextlib.contextmanager
def _gateway(env: dict[str, str], timeout: float = 120.0) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and command
        [sys.executable, "-m", "dovvy.cli", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env={**os.environ, **env, "RATE_LIMITS": "off", "LOG_LEVEL": "WARNING", "LLM_PROVIDERS": ""},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start (try `dovvy serve` to see why)")
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=30)


def run_load(
    *, clients: int = 50, seconds: float = 10.0, max_requests: int = 20_000, data_dir: Path | None = None
) -> str:
    env = {"DOVVY_DATA_DIR": str(data_dir)} if data_dir else {}
    with _gateway(env) as url:
        return _drive(url, clients=clients, seconds=seconds, max_requests=max_requests)


class _Tally:
    """Latencies and errors per endpoint, and the request count, shared by the client threads."""

    def __init__(self, max_requests: int, seconds: float) -> None:
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: dict[str, int] = defaultdict(int)
        self.sent = 0
        self.max_requests = max_requests
        self.end = time.perf_counter() + seconds
        self._lock = threading.Lock()

    def take_one(self) -> bool:
        """Whether another request may go (time and count left)."""
        with self._lock:
            if time.perf_counter() >= self.end or self.sent >= self.max_requests:
                return False
            self.sent += 1
            return True

    def record(self, name: str, milliseconds: float, ok: bool) -> None:
        with self._lock:
            self.latencies[name].append(milliseconds)
            if not ok:
                self.errors[name] += 1


def _client(url: str, number: int, tally: _Tally) -> None:
    """One client: its own session, then the endpoints in turn (starting at its number)."""
    with httpx.Client(base_url=url, timeout=30) as http:
        session_id = http.post("/api/sessions", json={}).json()["id"]
        calls: dict[str, Callable[[], httpx.Response]] = {
            "health": lambda: http.get("/health"),
            "session create": lambda: http.post("/api/sessions", json={}),
            "session read": lambda: http.get(f"/api/sessions/{session_id}"),
            # A new e-mail each time: a repeated body would be answered as a replay.
            "lead create": lambda: http.post(
                "/api/leads",
                json={"type": "trip", "data": {"name": "Load", "email": f"{uuid.uuid4().hex}@example.com"}},
            ),
            "chat": lambda: http.post(
                "/api/chat", json={"message": "How do I clear my mask?", "sessionId": session_id}
            ),
        }
        step = number
        while tally.take_one():
            name = ENDPOINTS[step % len(ENDPOINTS)]
            step += 1
            started = time.perf_counter()
            try:
                ok = calls[name]().status_code < 400
            except httpx.HTTPError:
                ok = False
            tally.record(name, (time.perf_counter() - started) * 1000, ok)


def _drive(url: str, *, clients: int, seconds: float, max_requests: int) -> str:
    tally = _Tally(max_requests, seconds)
    started = time.perf_counter()
    threads = [threading.Thread(target=_client, args=(url, n, tally)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies, errors = tally.latencies, tally.errors
    health_p95 = percentile(latencies["health"], 0.95) or 1.0
    lines = [
        f"{clients} clients, {wall:.1f} s, {sum(len(v) for v in latencies.values())} requests",
        "",
        "| endpoint | requests | errors | req/s | p50 ms | p95 ms | p99 ms | p95 / health p95 |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name in ENDPOINTS:
        values = latencies[name]
        p95 = percentile(values, 0.95)
        lines.append(
            f"| {name} | {len(values)} | {errors[name]} | {len(values) / wall:.0f} | "
            f"{percentile(values, 0.50):.1f} | {p95:.1f} | {percentile(values, 0.99):.1f} | "
            f"{p95 / health_p95:.1f} |"
        )
    return "\n".join(lines)
