"""Hold real responses to openapi.yaml, with openapi-core reading the spec (no hand-copied schemas)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2 as httpx  # what starlette's TestClient returns
from openapi_core import OpenAPI
from openapi_core.datatypes import RequestParameters
from starlette.testclient import TestClient
from werkzeug.datastructures import Headers, ImmutableMultiDict


class _Request:
    def __init__(self, request: httpx.Request) -> None:
        url = urlsplit(str(request.url))
        self.host_url = f"{url.scheme}://{url.netloc}"
        self.path = url.path
        self.method = request.method.lower()
        self.body: bytes | None = request.content or None
        self.content_type = request.headers.get("content-type", "application/json")
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(httpx.QueryParams(url.query).multi_items()),
            header=Headers(dict(request.headers)),
            cookie=ImmutableMultiDict(),
            path={},
        )


class _Response:
    def __init__(self, response: httpx.Response) -> None:
        self.data = response.content
        self.status_code = response.status_code
        self.content_type = response.headers.get("content-type", "").split(";")[0]
        # Looked up case-insensitively, as HTTP header names are: the contract spells `Retry-After`,
        # httpx hands over `retry-after`; in a plain dict no header the contract names was found.
        self.headers = Headers(response.headers.multi_items())


class Contract:
    def __init__(self, path: Path) -> None:
        self.openapi = OpenAPI.from_file_path(str(path))

    def check(self, response: httpx.Response, *, request_too: bool = False) -> None:
        """Raise if the response (and optionally the request) breaks the contract."""
        request = _Request(response.request)
        if request_too:
            self.openapi.validate_request(request)
        self.openapi.validate_response(request, _Response(response))


class ContractClient:
    """A TestClient wrapper whose every exchange is checked against the contract."""

    def __init__(self, client: TestClient, contract: Contract) -> None:
        self.client = client
        self.contract = contract

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = self.client.request(method, url, **kwargs)
        self.contract.check(response)
        return response

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)

    def delete(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", url, **kwargs)
