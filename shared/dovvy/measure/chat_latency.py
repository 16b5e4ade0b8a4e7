"""`dovvy bench chat`: latency of the chat path without the model, through the local gateway.

The gateway runs under uvicorn on loopback with every real stage — session load, emergency check,
routing, query embedding, hybrid retrieval, section expansion, answer checks, saving both turns —
and a zero-latency provider in place of the LLM, so the figures are what DovvyBuddy itself adds.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from dovvy.measure.figures import free_port, percentile, two_column_table
from dovvy.providers.llm import FallbackChain, Generation, Prompt
from dovvy.runtime import Runtime

QUESTIONS = (
    "How deep can I go with my Open Water certification?",
    "How long should I wait to fly after diving?",
    "When is the best season to dive Raja Ampat?",
    "How do I clear water out of my mask?",
    "What do I need before I can take the Rescue Diver course?",
    "What are the symptoms of decompression sickness?",
    "Can I dive the Thistlegorm wreck on my Red Sea trip?",
    "How can I improve my buoyancy control?",
)


class ZeroLatencyLLM:
    name = "bench"
    model = "zero-latency"

    def generate(self, prompt: Prompt) -> Generation:
        return Generation("A fixed answer citing [1].", self.name, self.model)

    def stream(self, prompt: Prompt) -> Iterator[str]:
        yield "A fixed answer citing [1]."


def run_chat_benchmark(runtime: Runtime, *, requests: int = 200, warmup: int = 20) -> str:
    import httpx
    import uvicorn

    from dovvy.gateway import SERVER_OPTIONS, create_gateway

    runtime.llm = FallbackChain([ZeroLatencyLLM()])
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_gateway(runtime), host="127.0.0.1", port=port, log_level="warning", **SERVER_OPTIONS
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the gateway did not start")
        time.sleep(0.05)

    wall: list[float] = []
    stages: dict[str, list[float]] = defaultdict(list)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            session = client.post("/api/sessions").json()["id"]
            for number in range(warmup + requests):
                body: dict[str, Any] = {"message": QUESTIONS[number % len(QUESTIONS)], "sessionId": session}
                started = time.perf_counter()
                response = client.post("/api/chat", json=body)
                elapsed = (time.perf_counter() - started) * 1000
                response.raise_for_status()
                if number >= warmup:
                    wall.append(elapsed)
                    for stage, value in response.json()["metadata"]["latency_ms"].items():
                        stages[stage].append(value)
    finally:
        server.should_exit = True
        thread.join(timeout=10)

    rows = [
        ("requests (after warm-up)", str(len(wall))),
        ("end to end p50 / p95", f"{statistics.median(wall):.1f} / {percentile(wall, 0.95):.1f} ms"),
        ("end to end max", f"{max(wall):.1f} ms"),
    ]
    rows += [
        (f"stage {stage} p50 / p95", f"{statistics.median(v):.2f} / {percentile(v, 0.95):.2f} ms")
        for stage, v in stages.items()
    ]
    return two_column_table(rows)
