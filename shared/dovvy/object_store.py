"""Reading the knowledge base's objects from S3 or Cloud Storage, each SDK imported on first use."""

from __future__ import annotations

from typing import Any, Protocol


class ObjectMissing(Exception):
    """The object named by the event is gone (deleted again before we read it)."""


class ObjectReader(Protocol):
    def read(self, bucket: str, key: str) -> str: ...

    def exists(self, bucket: str, key: str) -> bool: ...


class S3Reader:
    def __init__(self, client: Any = None) -> None:
        self._client = client

    def read(self, bucket: str, key: str) -> str:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        try:
            response = self._client.get_object(Bucket=bucket, Key=key)
        except self._client.exceptions.NoSuchKey:
            raise ObjectMissing(key) from None
        body: bytes = response["Body"].read()
        return body.decode("utf-8")

    def exists(self, bucket: str, key: str) -> bool:
        if self._client is None:
            import boto3

            self._client = boto3.client("s3")
        try:
            self._client.head_object(Bucket=bucket, Key=key)  # metadata only, not the article
        except self._client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return False
            raise
        return True


class GcsReader:
    def __init__(self, client: Any = None) -> None:
        self._client = client

    def read(self, bucket: str, key: str) -> str:
        if self._client is None:
            from google.cloud import storage  # type: ignore[attr-defined]

            self._client = storage.Client()
        from google.api_core.exceptions import NotFound

        try:
            data: bytes = self._client.bucket(bucket).blob(key).download_as_bytes()
        except NotFound:
            raise ObjectMissing(key) from None
        return data.decode("utf-8")

    def exists(self, bucket: str, key: str) -> bool:
        if self._client is None:
            from google.cloud import storage  # type: ignore[attr-defined]

            self._client = storage.Client()
        return bool(self._client.bucket(bucket).blob(key).exists())
