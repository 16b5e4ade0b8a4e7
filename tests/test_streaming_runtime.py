"""`/api/chat/stream` on Lambda through a function URL in RESPONSE_STREAM mode: the chat app run by
our streaming runtime loop, against a fake of Lambda's Runtime API, as Lambda runs it. The HTTP
API buffered every event until the turn ended; here the first event must arrive first."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dovvy.cli.lambda_python import target_python
from dovvy.config import Settings
from tests.conftest import ROOT
from tests.events import load_event
from tests.fake_provider import FakeProvider, fake_provider, groq_stream
from tests.lambda_runtime_api import RuntimeApi, Streamed, runtime_api

GROQ_PATH = "/openai/v1/chat/completions"
DELIMITER = b"\x00" * 8


def stream_event(body: str) -> dict[str, Any]:
    event = load_event("lambda_function_url_chat_stream.json")
    event["body"] = body
    event["headers"]["content-length"] = str(len(body.encode()))
    return event


def split(streamed: Streamed) -> tuple[dict[str, Any], bytes]:
    prelude, _, body = streamed.body.partition(DELIMITER)
    return json.loads(prelude), body


@pytest.fixture
def api() -> Iterator[RuntimeApi]:
    with runtime_api() as fake:
        yield fake


def start(command: list[str], cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    # A session of its own, so stopping it stops whatever workers it started too.
    return subprocess.Popen(
        command,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def stop(process: subprocess.Popen[str]) -> str:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    _, err = process.communicate(timeout=10)
    return err


def slow_groq(fake: FakeProvider, delay: float) -> dict[str, str]:
    """A Groq that answers `delay` seconds late; returns the chat's environment for it."""
    body = groq_stream(("Wait at least ", "18 hours [1]."))
    fake.queue(GROQ_PATH, 200, body, {"content-type": "text/event-stream"}, delay=delay)
    return {
        "LLM_PROVIDERS": "groq",
        "GROQ_API_KEY": "test-key",
        "GROQ_BASE_URL": fake.base_url,
        "EMBEDDING_PROVIDER": "offline",
        "LLM_ROUTING": "false",
        # Streaming is measured here, not the limits: the suite's other tests share this database's
        # counters for 127.0.0.1 (the contract fuzzing spends a day's chats in minutes).
        "RATE_LIMITS": "off",
        "PATH": os.environ.get("PATH", ""),
    }


def test_the_first_event_reaches_the_client_before_the_answer_ends(
    api: RuntimeApi, chat_database_url: str, tmp_path: Path
) -> None:
    with fake_provider() as groq:
        env = {
            "AWS_LAMBDA_RUNTIME_API": api.address,
            "DATABASE_URL": chat_database_url,
            **slow_groq(groq, delay=2.0),
        }
        # The chat entry file and the library from this checkout, on this interpreter.
        process = start(
            [sys.executable, "-m", "dovvy.web.streaming_runtime"], ROOT / "functions" / "chat", env
        )
        try:
            api.invoke(
                "r-1", stream_event(json.dumps({"message": "How long should I wait to fly after diving?"}))
            )
            streamed = api.wait("r-1", timeout=60)
        finally:
            err = stop(process)
    assert streamed.headers["Lambda-Runtime-Function-Response-Mode"] == "streaming"
    assert streamed.headers["Content-Type"] == "application/vnd.awslambda.http-integration-response"
    prelude, body = split(streamed)
    assert prelude["statusCode"] == 200, err[-2000:]
    assert prelude["headers"]["content-type"].startswith("text/event-stream")
    assert prelude["headers"]["x-request-id"] == "stream-req-1"
    events = [block.split("\n", 1)[0] for block in body.decode().strip().split("\n\n")]
    assert events[0] == "event: route"
    assert events[-1] == "event: final"
    first_event = next(t for t, chunk in streamed.chunks if b"event: route" in chunk)
    last = streamed.chunks[-1][0]
    assert last - first_event >= 1.5  # the model took 2 s: the route was sent before it answered
    assert streamed.trailers == {}


@pytest.fixture
def chat_bundle(bundles: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "task"
    zipfile.ZipFile(bundles / "aws" / "chat.zip").extractall(folder)
    info = zipfile.ZipFile(bundles / "aws" / "chat.zip").getinfo("stream_bootstrap")
    assert (info.external_attr >> 16) & 0o111, "the exec wrapper must be executable in the zip"
    (folder / "stream_bootstrap").chmod(0o755)  # zipfile does not restore modes; Lambda does
    return folder


def bundle_env(api: RuntimeApi, task: Path, **extra: str) -> dict[str, str]:
    return {
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "LAMBDA_TASK_ROOT": str(task),
        "DOVVY_PYTHON": target_python(),
        "DOVVY_ENV": "production",
        "PATH": "/usr/bin:/bin",
        **extra,
    }


def test_from_the_bundle_the_exec_wrapper_streams_an_emergency_at_once(
    api: RuntimeApi, chat_bundle: Path, chat_database_url: str
) -> None:
    env = bundle_env(api, chat_bundle, DATABASE_URL=chat_database_url, GEMINI_API_KEY="unused-here")
    process = start([str(chat_bundle / "stream_bootstrap")], chat_bundle, env)
    try:
        message = {"message": "my buddy came up unconscious and is not breathing, what do i do"}
        api.invoke("r-2", stream_event(json.dumps(message)))
        streamed = api.wait("r-2", timeout=60)
        api.invoke("r-3", stream_event("{not json"))
        refused = api.wait("r-3", timeout=30)
    finally:
        err = stop(process)
    prelude, body = split(streamed)
    assert prelude["statusCode"] == 200, err[-2000:]
    first = body.decode().split("\n\n", 1)[0]
    assert first.startswith("event: route")
    assert '"agent": "emergency"' in first
    # A bad body is the same 400 as behind the gateway, not an invocation error.
    prelude, body = split(refused)
    assert prelude["statusCode"] == 400
    assert json.loads(body)["code"] == "MALFORMED_JSON"


def test_a_function_that_cannot_start_reports_an_init_error(api: RuntimeApi, chat_bundle: Path) -> None:
    env = bundle_env(api, chat_bundle, DATABASE_URL="postgresql://u@db.internal/x")
    process = start([str(chat_bundle / "stream_bootstrap")], chat_bundle, env)
    _, _err = process.communicate(timeout=60)
    assert process.returncode != 0
    (error,) = api.errors
    assert error["path"].endswith("/runtime/init/error")
    assert error["body"]["errorType"] == "ConfigError"
    assert "GEMINI_API_KEY" in error["body"]["errorMessage"]


def test_a_cloud_run_function_streams_the_first_event_before_the_answer_ends(chat_database_url: str) -> None:
    """The functions framework serving the chat target, as Cloud Run runs it, over real HTTP."""
    import http.client
    import socket
    import time

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    with fake_provider() as groq:
        env = {"DATABASE_URL": chat_database_url, **slow_groq(groq, delay=2.0)}
        command = [
            str(Path(sys.executable).parent / "functions-framework"),
            "--target", "chat", "--source", str(ROOT / "functions" / "chat" / "main.py"),
            "--host", "127.0.0.1", "--port", str(port),
        ]  # fmt: skip
        process = start(command, ROOT, env)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert process.poll() is None, "the functions framework stopped"
                    assert time.monotonic() < deadline, "the functions framework did not start"
                    time.sleep(0.2)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            body = json.dumps({"message": "How long should I wait to fly after diving?"})
            conn.request("POST", "/api/chat/stream", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            assert response.status == 200
            arrived = []
            while line := response.readline():
                if line.startswith(b"event: "):
                    arrived.append((time.monotonic(), line.strip().decode()))
        finally:
            stop(process)
    assert arrived[0][1] == "event: route"
    assert arrived[-1][1] == "event: final"
    assert arrived[-1][0] - arrived[0][0] >= 1.5


def test_from_the_bundle_the_first_event_arrives_before_the_answer_ends(
    api: RuntimeApi, chat_bundle: Path, chat_database_url: str
) -> None:
    """The chat bundle as deployed (no offline embedder in it: it embeds through Gemini's API),
    on python3.12 through its exec wrapper. The fake Gemini answers with the offline model's
    vectors under that model's name, so the knowledge base the tests ingested offline is found."""
    from dovvy.providers.embeddings import create_embedder

    offline = create_embedder(Settings(embedding_provider="offline"))

    def embed(body: dict[str, Any]) -> tuple[int, Any, dict[str, str]]:
        texts = [part["text"] for r in body["requests"] for part in r["content"]["parts"]]
        return 200, {"embeddings": [{"values": offline.embed_query(t)} for t in texts]}, {}

    with fake_provider() as gemini, fake_provider() as groq:
        gemini.respond(":batchEmbedContents", embed)
        env = bundle_env(
            api,
            chat_bundle,
            **{
                **slow_groq(groq, delay=2.0),
                "DATABASE_URL": chat_database_url,
                "EMBEDDING_PROVIDER": "gemini",
                "GEMINI_API_KEY": "test-key",
                "GEMINI_BASE_URL": gemini.base_url,
                "GEMINI_EMBEDDING_MODEL": offline.model,
                "PATH": "/usr/bin:/bin",
            },
        )
        process = start([str(chat_bundle / "stream_bootstrap")], chat_bundle, env)
        try:
            message = {"message": "How long should I wait to fly after diving?"}
            api.invoke("r-4", stream_event(json.dumps(message)))
            streamed = api.wait("r-4", timeout=90)
        finally:
            err = stop(process)
        assert gemini.hits(":batchEmbedContents")
    prelude, body = split(streamed)
    assert prelude["statusCode"] == 200, err[-2000:]
    events = [block.split("\n", 1)[0] for block in body.decode().strip().split("\n\n")]
    assert events[0] == "event: route"
    assert events[-1] == "event: final"
    assert "citation" in " ".join(events)  # answered from the knowledge base, through the model
    first_event = next(t for t, chunk in streamed.chunks if b"event: route" in chunk)
    assert streamed.chunks[-1][0] - first_event >= 1.5
