"""Build each function's deployable, lean and reproducible.

    python scripts/package_functions.py      # (make package)

writes `build/aws/<function>.zip` for Lambda (python3.12, x86_64) and `build/gcp/<function>/`
(source plus the function's pinned `requirements.txt`) for Cloud Run functions, and prints each
size. Each Lambda bundle is then started, unzipped, by a bare python3.12 with the environment the
deploy gives it (infra/terraform/contract/function_env.json): a bundle that would refuse to start
deployed is not built. A function carries only what it imports: the session and lead functions no Google SDK,
Groq, gRPC or functions-framework. boto3 is not bundled for Lambda: its runtime provides it (and
the project only calls long-stable APIs of S3, SES and Secrets Manager).

Reproducible: dependencies are the versions in requirements.lock, wheels only, for the target
platform; files go into the zip sorted, with fixed times and permissions; `.pyc` files are
compiled with unchecked hashes, so they stay valid after unzipping whatever the file times are.
Two builds of one commit are byte-identical, and an unchanged function does not redeploy.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from packaging.requirements import Requirement

from dovvy import needs
from dovvy.cli.lambda_python import PYTHON_VERSION, target_python

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("session", "lead", "chat", "ingest", "migrate", "jobs", "telegram")
_BASE = ("starlette", "pg8000", "pgvector")
# Reading the seed file and articles (migrate, ingest; chat's SDKs need pydantic too). Session, lead
# and jobs check bodies with dovvy.shape and read the catalogue as packed JSON: no YAML, no pydantic.
_DOCUMENTS = ("pydantic", "pyyaml")
# Error reports: imported only when SENTRY_DSN is set, which a deploy may do without a rebuild.
_REPORTS = ("sentry-sdk",)
# What each function imports beyond the base, per cloud.
DIRECT: dict[str, dict[str, tuple[str, ...]]] = {
    "aws": {
        "session": ("mangum", "aws-lambda-powertools", *_REPORTS),
        "lead": ("mangum", "aws-lambda-powertools", "httpx", *_REPORTS),
        "chat": ("mangum", "aws-lambda-powertools", "httpx", "groq", "google-genai", *_DOCUMENTS, *_REPORTS),
        "ingest": ("aws-lambda-powertools", "httpx", "google-genai", *_DOCUMENTS, *_REPORTS),
        "migrate": ("aws-lambda-powertools", "alembic", "sqlalchemy", *_DOCUMENTS),
        "jobs": ("aws-lambda-powertools", "httpx", *_REPORTS),
        # The chat turn, and the Bot API over httpx.
        "telegram": (
            "mangum",
            "aws-lambda-powertools",
            "httpx",
            "groq",
            "google-genai",
            *_DOCUMENTS,
            *_REPORTS,
        ),
    },
    "gcp": {
        "session": ("functions-framework", *_REPORTS),
        "lead": ("functions-framework", "httpx", "boto3", *_REPORTS),
        # Model keys are Secret Manager names read on first use (a key not put in yet turns its
        # provider off instead of failing the deploy).
        "chat": (
            "functions-framework",
            "httpx",
            "groq",
            "google-genai",
            "google-cloud-secret-manager",
            *_DOCUMENTS,
            *_REPORTS,
        ),
        "ingest": (
            "functions-framework",
            "httpx",
            "google-genai",
            "google-cloud-storage",
            "google-cloud-secret-manager",
            *_DOCUMENTS,
            *_REPORTS,
        ),
        # An HTTP function invoked once per deploy (`gcloud functions call`), or `python main.py`.
        "migrate": ("functions-framework", "alembic", "sqlalchemy", *_DOCUMENTS),
        "jobs": ("functions-framework", "httpx", "boto3", *_REPORTS),
        "telegram": (
            "functions-framework",
            "httpx",
            "groq",
            "google-genai",
            "google-cloud-secret-manager",
            *_DOCUMENTS,
            *_REPORTS,
        ),
    },
}
# Provided by the Lambda Python runtime. (Its python-dateutil, six and urllib3 are bundled anyway:
# pg8000 and requests need them, and the runtime's versions are not ours to choose.)
LAMBDA_PROVIDED = {"boto3", "botocore", "s3transfer"}
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def _name(raw: str) -> str:
    return re.sub(r"[-_.]+", "-", raw).lower()


def locked() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line.strip())
        if match:
            pins[_name(match.group(1))] = match.group(2)
    return pins


def closure(direct: tuple[str, ...], base: tuple[str, ...] = _BASE) -> list[str]:
    """Every distribution `direct` needs on the target Python / Linux, read from the installed
    metadata (the environment is installed from requirements.lock, so the versions are the locked
    ones)."""
    target = {"extra": "", "python_version": PYTHON_VERSION, "python_full_version": f"{PYTHON_VERSION}.0"}
    seen: set[str] = set()
    todo = [*base, *direct]
    while todo:
        name = _name(todo.pop())
        if name in seen:
            continue
        seen.add(name)
        for raw in importlib.metadata.requires(name) or []:
            requirement = Requirement(raw)
            if requirement.marker is None or requirement.marker.evaluate(target):
                todo.append(requirement.name)
    return sorted(seen)


def _pinned(names: list[str]) -> list[str]:
    pins = locked()
    missing = [n for n in names if n not in pins]
    if missing:
        raise SystemExit(f"not in requirements.lock: {', '.join(missing)}")
    return [f"{name}=={pins[name]}" for name in names]


def _copy_source(function: str, target: Path) -> None:
    # main.py and anything beside it (chat's stream_bootstrap), modes kept.
    for path in sorted((ROOT / "functions" / function).iterdir()):
        if path.is_file():
            shutil.copy2(path, target / path.name)
    shutil.copytree(
        ROOT / "shared" / "dovvy",
        target / "dovvy",
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "cli", "measure"),
    )
    _pack_catalogue(target / "dovvy" / "catalogue")


def _pack_catalogue(folder: Path) -> None:
    """The catalogue's YAML parsed, and the lexicons built, as JSON beside their sources: a function
    reads these at its first request (parsing YAML in pure Python and folding the lexicons there
    cost tens of milliseconds)."""
    from dovvy import catalogue
    from dovvy.chat import lexicon_bundle

    packed = {catalogue.packed_name(n): catalogue.read_source(n) for n in catalogue.PACKED_DATA}
    packed[lexicon_bundle.PACKED] = lexicon_bundle.packed()
    for name, data in packed.items():
        # Key order kept: the first category a message matches decides its protocol.
        (folder / name).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _install(requirements: list[str], target: Path, cache: Path) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-deps",
            "--no-compile",
            "--target",
            str(target),
            "--platform",
            "manylinux2014_x86_64",
            "--implementation",
            "cp",
            "--python-version",
            PYTHON_VERSION,
            "--only-binary=:all:",
            "--cache-dir",
            str(cache),
            *requirements,
        ],
        check=True,
    )
    # Console scripts are of no use in a function; pip's RECORD, INSTALLER and direct_url.json name
    # the build machine's paths. The rest of each dist-info stays (packages read their own version).
    shutil.rmtree(target / "bin", ignore_errors=True)
    for name in ("RECORD", "INSTALLER", "direct_url.json"):
        for leftover in target.glob(f"*.dist-info/{name}"):
            leftover.unlink()


def _compile(target: Path) -> None:
    subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [
            target_python(),
            "-m",
            "compileall",
            "-q",
            "-j",
            "1",
            "-d",
            "/var/task",
            "--invalidation-mode",
            "unchecked-hash",
            str(target),
        ],
        check=True,
    )


def deployed_env(function: str) -> dict[str, str]:
    """The environment the deploy gives `function` (contract/function_env.json), with stand-ins for
    its database and secret references (read on first use, so never read here)."""
    spec = json.loads((ROOT / "infra" / "terraform" / "contract" / "function_env.json").read_text())
    own = spec["functions"][function]
    env = {**spec["shared"], **own}
    env["DATABASE_URL"] = "postgresql://dovvy@db.internal:5432/dovvy?sslmode=verify-full"
    if own.get("EMBEDDING_PROVIDER") == "gemini" or function in spec["model_functions"]:
        env["GEMINI_API_KEY"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/gemini-api-key"
    if needs.NEEDS[function].content:
        env["CONTENT_BUCKET"] = "dovvy-content-123456789012"
    if function in spec["model_functions"]:
        env["LLM_PROVIDERS"] = "groq,gemini"
        env["GROQ_API_KEY"] = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/groq-api-key"
    if needs.NEEDS[function].telegram:
        for name in ("TELEGRAM_BOT_TOKEN", "TELEGRAM_WEBHOOK_SECRET"):
            secret = name.lower().replace("_", "-")
            env[name] = f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:dovvy/{secret}"
    return env


_START = (
    "import sys; sys.path.insert(0, '.'); import main\n"
    "from dovvy import needs; from dovvy.config import Settings\n"
    "needs.check(Settings.from_env(), sys.argv[1])\n"
)


# Nothing listens there: starting the SDK sends nothing, and no error is raised to report.
_STAND_IN_DSN = "http://publickey@127.0.0.1:9/1"


def check_starts(function: str, staging: Path) -> None:
    """Start the unzipped bundle as its runtime would, with no site-packages: importing its entry
    file and checking its configuration must succeed, error reports turned on (SENTRY_DSN is the
    operator's to set at any time, so the SDK must be in the bundle)."""
    env = {**deployed_env(function), "SENTRY_DSN": _STAND_IN_DSN, "AWS_REGION": "eu-west-1", "PATH": ""}
    result = subprocess.run(  # noqa: S603 - our own interpreter and arguments
        [target_python(), "-S", "-E", "-B", "-c", _START, function],
        cwd=staging,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["(no output)"])[-1]
        raise SystemExit(f"{function}: the bundle would not start with its deployed configuration: {last}")


def _zip(folder: Path, destination: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=_FIXED_TIME)
            # Executable only where the repository says so (an exec wrapper must be).
            info.external_attr = (0o755 if path.stat().st_mode & 0o100 else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes(), compresslevel=9)
    destination.write_bytes(buffer.getvalue())


def build(out: Path, functions: tuple[str, ...] = FUNCTIONS) -> list[tuple[str, Path, int]]:
    """Build the bundles; returns (cloud/function, path, bytes) for each."""
    from dovvy import catalogue

    # The functions load the catalogue on first use, so a broken data file is stopped here.
    catalogue.load()
    cache = ROOT / "build" / ".pip-cache"  # wheels are shared by every build of this checkout
    built = []
    for function in functions:
        aws_names = [n for n in closure(DIRECT["aws"][function]) if n not in LAMBDA_PROVIDED]
        staging = out / "aws" / f".{function}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        _copy_source(function, staging)
        _install(_pinned(aws_names), staging, cache)
        _compile(staging)
        check_starts(function, staging)
        archive = out / "aws" / f"{function}.zip"
        _zip(staging, archive)
        shutil.rmtree(staging)
        built.append((f"aws/{function}", archive, archive.stat().st_size))

        folder = out / "gcp" / function
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        _copy_source(function, folder)
        (folder / "requirements.txt").write_text("\n".join(_pinned(closure(DIRECT["gcp"][function]))) + "\n")
        size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
        built.append((f"gcp/{function}", folder, size))
    return built


# The cold-start benchmark's yardstick: the least a Starlette app behind Mangum can be, and the
# least a function that uses the database can do on its first request: connect and run one query.
_BASELINE_MAIN = '''"""A bare Starlette + Mangum function: /health, and /query (connect to PostgreSQL over
BASELINE_SOCKET as BASELINE_USER, run one query). The cold-start baseline."""

import os

from mangum import Mangum
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

connection = None


async def health(request):
    return JSONResponse({"status": "ok"})


def query(request):
    global connection
    if connection is None:
        import pg8000.native  # with the first query, as the functions do

        connection = pg8000.native.Connection(
            os.environ["BASELINE_USER"],
            database=os.environ["BASELINE_DB"],
            unix_sock=os.environ["BASELINE_SOCKET"],
        )
    return JSONResponse({"one": connection.run("SELECT 1")[0][0]}, status_code=201)


routes = [Route("/health", health), Route("/query", query, methods=["POST"])]
handler = Mangum(Starlette(routes=routes), lifespan="off")
'''


def build_baseline(out: Path) -> Path:
    """build/aws/baseline.zip, built exactly as the functions are (for `dovvy bench coldstart`)."""
    staging = out / "aws" / ".baseline"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    (staging / "main.py").write_text(_BASELINE_MAIN)
    names = [n for n in closure(("starlette", "mangum", "pg8000"), base=()) if n not in LAMBDA_PROVIDED]
    _install(_pinned(names), staging, ROOT / "build" / ".pip-cache")
    _compile(staging)
    archive = out / "aws" / "baseline.zip"
    _zip(staging, archive)
    shutil.rmtree(staging)
    return archive


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build")
    parser.add_argument("--function", action="append", choices=FUNCTIONS, help="only this one (repeatable)")
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="only the cold-start baseline (bare Starlette + Mangum + pg8000)",
    )
    args = parser.parse_args()
    if args.baseline:
        print(build_baseline(args.out))
        return 0
    for name, path, size in build(args.out, tuple(args.function or FUNCTIONS)):
        shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
        print(f"{name:<14} {size / 1_000_000:7.2f} MB  {shown}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
