"""Google's REST APIs with a bearer token, for the deploy tools (preflight, release). No SDK: each
call is one JSON request, and the SDKs would cost the CLI their import time for a handful of calls."""

from __future__ import annotations

import json
import os
import subprocess
import urllib.request
from typing import Any

from dovvy.errors import ConfigError


class GcpApi:
    """`base` replaces https://SERVICE.googleapis.com with BASE/SERVICE (a fake in tests)."""

    def __init__(self, token: str, base: str | None = None) -> None:
        self._token = token
        self._base = base

    def call(self, service: str, path: str, body: dict[str, Any] | None = None, *, method: str = "") -> Any:
        root = f"{self._base}/{service}" if self._base else f"https://{service}.googleapis.com"
        request = urllib.request.Request(  # noqa: S310 - an https (or test loopback) URL we build
            root + path,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self._token}", "Content-Type": "application/json"},
            method=method or ("POST" if body is not None else "GET"),
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return json.loads(response.read() or b"{}")


def gcloud_token() -> str:
    """GOOGLE_OAUTH_ACCESS_TOKEN, else the token of the user's own gcloud (as the apply uses)."""
    token = os.environ.get("GOOGLE_OAUTH_ACCESS_TOKEN", "")
    if token:
        return token
    try:
        done = subprocess.run(
            ["gcloud", "auth", "print-access-token"],  # noqa: S607 - the user's own gcloud
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        raise ConfigError(
            "no Google token: run `gcloud auth login`, or set GOOGLE_OAUTH_ACCESS_TOKEN"
        ) from None
    return done.stdout.strip()
