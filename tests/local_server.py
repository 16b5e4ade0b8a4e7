"""Run an http.server handler on a free loopback port for the length of a `with` block (the same
helper the benchmarks use), and answer a request with JSON, as the fakes of web APIs do."""

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from dovvy.measure.loopback import serving

__all__ = ["send_json", "serving"]


def send_json(handler: BaseHTTPRequestHandler, status: int, payload: Any) -> None:
    data = json.dumps(payload).encode()
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    handler.wfile.write(data)
