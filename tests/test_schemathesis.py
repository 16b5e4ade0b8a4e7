"""The served contract fuzzed against the gateway with schemathesis (pinned in requirements.lock):
every check, the examples, coverage and fuzzing phases, three fixed seeds. Zero failures.

Strings are generated as valid UTF-8 without NUL characters: the API refuses those with a 422
naming the field (tests/test_hostile_input.py), which JSON Schema has no way to state.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dovvy.catalogue import DESTINATIONS_FILE
from dovvy.config import Secret, Settings
from tests.conftest import ROOT
from tests.live_gateway import serving


@pytest.mark.parametrize("seed", ["1", "2", "3"])
def test_the_contract_holds_under_fuzzing(chat_database_url: str, tmp_path: Path, seed: str) -> None:
    # Limits off: the fuzzer sends a thousand requests a minute from one address.
    settings = Settings(
        database_url=Secret(chat_database_url),
        seed_file=DESTINATIONS_FILE,
        content_dir=ROOT / "content",
        rate_limits=False,
    )
    with serving(settings) as url:
        result = subprocess.run(
            [
                str(Path(sys.executable).with_name("st")),
                "run",
                str(ROOT / "openapi.yaml"),
                "--url",
                url,
                "--checks",
                "all",
                "--phases",
                "examples,coverage,fuzzing",
                "--seed",
                seed,
                "--max-examples",
                "100",
                "--generation-allow-x00",
                "false",
                "--generation-codec",
                "utf-8",
                "--generation-database",
                "none",
                "--request-timeout",
                "30",
                "--no-color",
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
            cwd=tmp_path,
        )
    summary = result.stdout[-3000:]
    assert result.returncode == 0, summary
    assert " passed" in summary
    if "failures" in summary.lower().split("summary")[-1]:
        pytest.fail(summary)
