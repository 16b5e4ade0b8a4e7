"""`dovvy bench coldstart`: import plus first request of each HTTP function, from its built AWS
bundle unzipped as Lambda unzips it, against a bare Starlette + Mangum function built the same way.

Each measurement is a new interpreter with no site-packages (`-S -E`), inside the unzipped bundle,
with the environment Lambda sets, timing `import main` and one `GET /health` through the handler.
Bundles are measured in turn within each round, so machine noise falls on all of them alike; the
table gives medians and each function's ratio to the baseline measured in the same run. Lambda's own
runtime start-up comes on top of both.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import tempfile
import zipfile
from pathlib import Path

from dovvy.cli.lambda_python import target_python

FUNCTIONS = ("session", "lead", "chat")

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
status = main.handler(json.loads(sys.argv[1]), Context())["statusCode"]
done = time.perf_counter()
print(json.dumps({"import": (imported - started) * 1000, "total": (done - started) * 1000, "status": status}))
"""

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


def _environment(function: str) -> dict[str, str]:
    return {
        "AWS_LAMBDA_FUNCTION_NAME": f"dovvy-{function}",
        "AWS_REGION": "eu-west-1",
        "POWERTOOLS_SERVICE_NAME": function,
        "DATABASE_URL": "postgresql://dovvy@127.0.0.1/dovvy?sslmode=disable",
        # Read on first use, so never here; chat needs one to start (it embeds with Gemini).
        "GEMINI_API_KEY": "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/gemini-api-key",
        "LOG_LEVEL": "INFO",
        "PATH": "",
    }


def _run(folder: Path, function: str) -> dict[str, float]:
    result = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [target_python(), "-S", "-E", "-c", _PROBE, json.dumps(_EVENT)],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        env=_environment(function),
    )
    measured: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    if measured["status"] != 200:
        raise RuntimeError(f"{function}: /health answered {measured['status']}")
    return measured


def measure(build_dir: Path, runs: int = 15) -> str:
    """The table; `build_dir` holds aws/<function>.zip and aws/baseline.zip."""
    names = ("baseline", *FUNCTIONS)
    missing = [n for n in names if not (build_dir / "aws" / f"{n}.zip").is_file()]
    if missing:
        raise FileNotFoundError(
            f"no bundle for {', '.join(missing)} in {build_dir}/aws: run `make package` and "
            "`python scripts/package_functions.py --baseline`"
        )
    timings: dict[str, list[dict[str, float]]] = {n: [] for n in names}
    with tempfile.TemporaryDirectory() as tmp:
        folders = {}
        for name in names:
            folders[name] = Path(tmp) / name
            zipfile.ZipFile(build_dir / "aws" / f"{name}.zip").extractall(folders[name])
        for name in names:  # one untimed run each: the file cache, not the code, would differ
            _run(folders[name], name)
        for _ in range(runs):
            for name in names:
                timings[name].append(_run(folders[name], name))
    base = statistics.median(t["total"] for t in timings["baseline"])
    lines = [
        "| bundle | import p50 | import + first request p50 | max | vs baseline |",
        "| --- | --- | --- | --- | --- |",
    ]
    for name in names:
        totals = [t["total"] for t in timings[name]]
        p50 = statistics.median(totals)
        imports = statistics.median(t["import"] for t in timings[name])
        lines.append(
            f"| {name} | {imports:.0f} ms | {p50:.0f} ms | {max(totals):.0f} ms | {p50 / base:.2f}x |"
        )
    return "\n".join(lines)
