"""Build one deployable folder per function: its entry file, the `dovvy` library and its
requirements, pinned to the versions in requirements.lock.

    python scripts/package_functions.py            # build/functions/<name>/ for Cloud Run functions
    python scripts/package_functions.py --vendor   # also install dependencies, for Lambda zips

Terraform zips these folders (infra/terraform, `build_dir`).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUNCTIONS = ("session", "lead", "chat", "ingest")
# What the deployed functions import; local-only tools (embedded Postgres, uvicorn, migrations,
# Swagger UI, the offline embedder) stay out of the bundles.
RUNTIME = (
    "starlette",
    "functions-framework",
    "mangum",
    "pg8000",
    "pgvector",
    "pydantic",
    "pyyaml",
    "httpx",
    "google-genai",
    "groq",
    "aws-lambda-powertools",
    "google-cloud-secret-manager",
    "google-cloud-storage",
    "boto3",
)


def pinned_requirements() -> list[str]:
    locked = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.-]+)==(\S+)$", line.strip())
        if match:
            locked[match.group(1).lower().replace("_", "-")] = match.group(2)
    missing = [name for name in RUNTIME if name not in locked]
    if missing:
        raise SystemExit(f"not in requirements.lock: {', '.join(missing)}")
    return [f"{name}=={locked[name]}" for name in RUNTIME]


def build(out: Path, vendor: bool) -> list[Path]:
    requirements = "\n".join(pinned_requirements()) + "\n"
    built = []
    for name in FUNCTIONS:
        target = out / name
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        shutil.copy2(ROOT / "functions" / name / "main.py", target / "main.py")
        shutil.copytree(
            ROOT / "shared" / "dovvy", target / "dovvy", ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )
        (target / "requirements.txt").write_text(requirements)
        if vendor:
            subprocess.run(  # noqa: S603 - our own interpreter and arguments
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--target",
                    str(target),
                    "--platform",
                    "manylinux2014_x86_64",
                    "--python-version",
                    "3.11",
                    "--only-binary=:all:",
                    "-r",
                    str(target / "requirements.txt"),
                ],
                check=True,
            )
        built.append(target)
    return built


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "functions")
    parser.add_argument("--vendor", action="store_true", help="install dependencies into each folder")
    args = parser.parse_args()
    for folder in build(args.out, args.vendor):
        print(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
