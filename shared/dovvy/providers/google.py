"""What both Gemini providers share: the google-genai client, built on first use and kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dovvy.providers import Connection

RETRIED_STATUSES = [408, 429, 500, 502, 503, 504]


def transport_errors() -> tuple[type[Exception], ...]:
    """The SDK's transport failures (timeouts, refused connections): google-genai sends through
    httpx2 when that fork is installed and httpx otherwise, so both error families count."""
    import httpx

    families: list[type[Exception]] = [httpx.HTTPError]
    try:
        import httpx2

        families.append(httpx2.HTTPError)
    except ImportError:
        pass
    return tuple(families)


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


class GenAIProvider:
    """Base for the Gemini providers: a model name and a lazily built, reused client."""

    def __init__(self, model: str, connection: Connection) -> None:
        self.model = model
        self._connection = connection
        self._client: Any = None

    def _genai(self) -> Any:
        if self._client is None:
            self._client = genai_client(self._connection)
        return self._client
