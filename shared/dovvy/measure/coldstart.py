"""`dovvy bench coldstart`: import plus first request of each HTTP function, from its built AWS
bundle unzipped as Lambda unzips it, against a bare Starlette + Mangum + pg8000 function built the
same way.

Each measurement is a new interpreter of the runtime's Python with no site-packages (`-S -E`),
inside the unzipped bundle, with the environment Lambda sets, timing `import main` and one request
through the handler. Two kinds of first request: `GET /health` (what a deferred import can make
cheap), and the first real request, against a real database: create a session, create a lead, a
chat turn (an emergency message: the safety tier, the session and the saved turns, no model and no
retrieval, since the bundles carry no offline embedder), and the same turn as a Telegram update (the
update claimed, the protocol sent to a Bot API stub on loopback), against the baseline connecting
and running one query. Bundles are measured in turn within each round, so machine noise falls on all of them
alike; the table gives medians and each function's ratio to the baseline measured in the same run.
Lambda's own runtime start-up comes on top of both.
"""

from __future__ import annotations

import json
import secrets
import statistics
import subprocess
import tempfile
import zipfile
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

from dovvy.cli.lambda_python import target_python
from dovvy.db.url import ConnectParams
from dovvy.measure.loopback import serving

FUNCTIONS = ("session", "lead", "chat", "telegram")
_EMERGENCY = "my buddy surfaced unconscious and is not breathing"
_TELEGRAM_SECRET = "bench-webhook-secret"  # noqa: S105 - a stand-in for the benchmark's own run

# The first real request of each (method, path, body); the baseline's connects and queries once.
_REAL: dict[str, tuple[str, str, dict[str, Any]]] = {
    "baseline": ("POST", "/query", {}),
    "session": ("POST", "/api/sessions", {"diverProfile": {"certification_level": "Open Water"}}),
    "lead": (
        "POST",
        "/api/leads",
        {"type": "trip", "data": {"name": "Sam", "email": "sam@example.com", "destination": "Tioman"}},
    ),
    "chat": ("POST", "/api/chat", {"message": _EMERGENCY}),
    # update_id is replaced by a new one each run: an update is processed once.
    "telegram": (
        "POST",
        "/telegram/webhook",
        {
            "update_id": 0,
            "message": {
                "message_id": 1,
                "date": 1764748800,
                "from": {"id": 42, "is_bot": False, "first_name": "Ana"},
                "chat": {"id": 42, "type": "private", "first_name": "Ana"},
                "text": _EMERGENCY,
            },
        },
    ),
}

_PROBE = """
import json, sys, time
started = time.perf_counter()
sys.path.insert(0, ".")
import main
imported = time.perf_counter()
class Context:
    function_name = "f"; aws_request_id = "1"; memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:f"
    def get_remaining_time_in_millis(self): return 30000
response = main.handler(json.loads(sys.argv[1]), Context())
status = response["statusCode"]
done = time.perf_counter()
heavy = sorted({m.split(".")[0] for m in sys.modules} & set(sys.argv[2].split(",")))
times = {"import": (imported - started) * 1000, "total": (done - started) * 1000}
print(json.dumps({**times, "status": status, "heavy": heavy}))
"""

# Extra environment for one row of the table: (name, value) pairs.
Env = tuple[tuple[str, str], ...]

# Libraries whose import alone costs tens of milliseconds: `_run` reports which a request loaded.
HEAVY = ("pydantic", "yaml", "google", "groq")

_EVENT = {
    "version": "2.0",
    "routeKey": "GET /health",
    "rawPath": "/health",
    "rawQueryString": "",
    "headers": {"host": "api.example", "x-forwarded-proto": "https"},
    "requestContext": {
        "http": {"method": "GET", "path": "/health", "protocol": "HTTP/1.1", "sourceIp": "203.0.113.9"},
        "requestId": "cold-start",
        "stage": "$default",
    },
    "isBase64Encoded": False,
}


def _event(method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(json.dumps(_EVENT))
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["routeKey"] = f"{method} {path}"
    if body is not None:
        event["body"] = json.dumps(body)
        event["headers"]["content-type"] = "application/json"
    return event


class _BotApiStub(BaseHTTPRequestHandler):
    """Telegram's Bot API as the benchmark needs it: every call answered ok at once."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        body = b'{"ok": true, "result": {"message_id": 1}}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return


def _environment(function: str, database: ConnectParams | None, bot_api: str = "") -> dict[str, str]:
    url = "postgresql://dovvy@127.0.0.1/dovvy?sslmode=disable"
    socket = ""
    if database is not None and database.unix_sock:
        socket = database.unix_sock
        url = f"postgresql://{database.user}@/{database.database}?host={socket.rsplit('/', 1)[0]}"
    return {
        "AWS_LAMBDA_FUNCTION_NAME": f"dovvy-{function}",
        "AWS_REGION": "eu-west-1",
        "POWERTOOLS_SERVICE_NAME": function,
        "DATABASE_URL": url,
        "RATE_LIMITS": "off",
        "LEAD_DEDUPE_MINUTES": "0",
        "BASELINE_SOCKET": socket,
        "BASELINE_USER": database.user if database else "",
        "BASELINE_DB": database.database if database else "",
        # Chat needs one to start (it embeds with Gemini); no request measured here calls Gemini.
        "GEMINI_API_KEY": "unused-by-these-requests",
        "LOG_LEVEL": "INFO",
        "PATH": "",
        "TELEGRAM_BOT_TOKEN": "0:bench",
        "TELEGRAM_WEBHOOK_SECRET": _TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": bot_api,
    }


def _run(
    folder: Path, function: str, database: ConnectParams | None, bot_api: str = "", extra: Env = ()
) -> dict[str, Any]:
    event: dict[str, Any] = _EVENT
    expected = 200
    if database is not None:
        method, path, body = _REAL[function]
        if function == "telegram":
            body = {**body, "update_id": secrets.randbelow(2**40)}
        event, expected = _event(method, path, body), 200 if function in ("chat", "telegram") else 201
        event["headers"]["x-telegram-bot-api-secret-token"] = _TELEGRAM_SECRET
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [target_python(), "-S", "-E", "-c", _PROBE, json.dumps(event), ",".join(HEAVY)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env=_environment(function, database, bot_api) | dict(extra),
    )
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    if measured["status"] != expected:
        raise RuntimeError(f"{function}: {event['rawPath']} answered {measured['status']}")
    return measured


def _rows(sentry: bool, stub: str) -> list[tuple[str, str, Env]]:
    """(label, bundle, extra environment) for each row; with `sentry`, each function once more
    with error reports on (a DSN on the loopback stub: no error is raised, so nothing is sent)."""
    rows: list[tuple[str, str, Env]] = [(name, name, ()) for name in ("baseline", *FUNCTIONS)]
    if sentry:
        dsn = stub.replace("http://", "http://bench@") + "/1"
        reporting = (("SENTRY_DSN", dsn), ("DOVVY_RELEASE", "bench"))
        rows += [(f"{name} + SENTRY_DSN", name, reporting) for name in FUNCTIONS]
    return rows


def measure(
    build_dir: Path, runs: int = 15, database: ConnectParams | None = None, sentry: bool = False
) -> str:
    """The table; `build_dir` holds aws/<function>.zip and aws/baseline.zip. With a migrated
    `database` (over a unix socket), each bundle's first real request instead of /health; with
    `sentry`, each function also with SENTRY_DSN set, in the same rounds."""
    names = ("baseline", *FUNCTIONS)
    missing = [n for n in names if not (build_dir / "aws" / f"{n}.zip").is_file()]
    if missing:
        raise FileNotFoundError(
            f"no bundle for {', '.join(missing)} in {build_dir}/aws: run `make package` and "
            "`python scripts/package_functions.py --baseline`"
        )
    with tempfile.TemporaryDirectory() as tmp, serving(_BotApiStub) as bot_api:
        rows = _rows(sentry, bot_api)
        timings: dict[str, list[dict[str, Any]]] = {label: [] for label, _, _ in rows}
        for name in names:
            zipfile.ZipFile(build_dir / "aws" / f"{name}.zip").extractall(Path(tmp) / name)
        for round_ in range(runs + 1):  # round 0 untimed: the file cache, not the code, would differ
            for label, name, extra in rows:
                measured = _run(Path(tmp) / name, name, database, bot_api, extra)
                if round_:
                    timings[label].append(measured)
    return _table(timings, database is not None)


def _table(timings: dict[str, list[dict[str, Any]]], real: bool) -> str:
    base = statistics.median(t["total"] for t in timings["baseline"])
    lines = [
        f"first request: {'the first real one' if real else 'GET /health'}",
        "| bundle | import p50 | import + first request p50 | max | vs baseline |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name, measured in timings.items():
        totals = [t["total"] for t in measured]
        p50 = statistics.median(totals)
        imports = statistics.median(t["import"] for t in measured)
        lines.append(
            f"| {name} | {imports:.0f} ms | {p50:.0f} ms | {max(totals):.0f} ms | {p50 / base:.2f}x |"
        )
    return "\n".join(lines)
