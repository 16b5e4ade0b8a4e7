"""The google-genai client both Gemini providers use, built once per provider on first use."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dovvy.providers import Connection

RETRIED_STATUSES = [408, 429, 500, 502, 503, 504]


def genai_client(connection: Connection) -> Any:
    from google import genai
    from google.genai import types

    # The SDK does not retry by default: 408, 429 and 5xx get exponential backoff here.
    options = types.HttpOptions(
        timeout=int(connection.timeout * 1000),  # milliseconds
        base_url=connection.base_url,
        retry_options=types.HttpRetryOptions(
            attempts=connection.retries + 1,
            initial_delay=0.5,
            max_delay=8.0,
            http_status_codes=RETRIED_STATUSES,
        ),
    )
    return genai.Client(api_key=connection.api_key.reveal(), http_options=options)
