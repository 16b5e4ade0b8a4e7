"""The storage-triggered ingest function, driven with real S3, EventBridge and Cloud Storage events."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from cloudevents.http import CloudEvent

from dovvy.db.pool import Pool
from dovvy.ingest_function import IngestHandlers
from dovvy.object_store import GcsReader, S3Reader
from dovvy.runtime import Runtime
from dovvy.storage_events import UnsupportedEvent, from_aws_event
from tests.conftest import ROOT
from tests.events import LambdaContext, load_event
from tests.knowledge.test_ingest import DOC

KEY = "safety/safety stops (draft).md"


def stored_paths(pool: Pool) -> list[str]:
    rows = pool.run(lambda conn: conn.run("SELECT DISTINCT content_path FROM content_embeddings ORDER BY 1"))
    return [row[0] for row in rows]


@pytest.fixture
def s3(aws: None) -> Any:
    client = boto3.client("s3", region_name="eu-west-1")
    client.create_bucket(
        Bucket="dovvy-content", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    return client


@pytest.fixture
def handlers(runtime: Runtime, content_pool: Pool, s3: Any) -> IngestHandlers:
    return IngestHandlers(runtime, s3=S3Reader(s3), gcs=GcsReader(FakeGcs()))


def test_s3_created_event_ingests_the_url_decoded_key(
    handlers: IngestHandlers, s3: Any, content_pool: Pool
) -> None:
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    result = handlers.aws(load_event("s3_object_created.json"), LambdaContext())
    assert result == {"results": [{"key": KEY, "result": "new"}]}
    assert stored_paths(content_pool) == [KEY]


def test_redelivered_event_is_harmless(handlers: IngestHandlers, s3: Any, content_pool: Pool) -> None:
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    handlers.aws(load_event("s3_object_created.json"), LambdaContext())
    again = handlers.aws(load_event("s3_object_created.json"), LambdaContext())
    assert again["results"][0]["result"] == "unchanged"
    count = content_pool.run(lambda conn: conn.run("SELECT count(*) FROM content_embeddings"))
    assert count == [[3]]


def test_s3_removed_event_deletes_the_document(handlers: IngestHandlers, s3: Any, content_pool: Pool) -> None:
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    handlers.aws(load_event("s3_object_created.json"), LambdaContext())
    s3.delete_object(Bucket="dovvy-content", Key=KEY)
    assert (
        handlers.aws(load_event("s3_object_removed.json"), LambdaContext())["results"][0]["result"]
        == "deleted"
    )
    assert stored_paths(content_pool) == []
    assert (
        handlers.aws(load_event("s3_object_removed.json"), LambdaContext())["results"][0]["result"]
        == "absent"
    )


def test_non_markdown_objects_are_skipped_with_a_log_line(
    handlers: IngestHandlers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO")
    result = handlers.aws(load_event("s3_object_created_image.json"), LambdaContext())
    assert result["results"][0]["result"] == "skipped"
    assert "not a markdown document" in caplog.text


def test_malformed_document_is_logged_and_previous_version_kept(
    handlers: IngestHandlers, s3: Any, content_pool: Pool, caplog: pytest.LogCaptureFixture
) -> None:
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    handlers.aws(load_event("s3_object_created.json"), LambdaContext())
    before = content_pool.run(lambda conn: conn.run("SELECT chunk_text FROM content_embeddings ORDER BY id"))
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.split("## ", maxsplit=1)[0].encode())
    assert (
        handlers.aws(load_event("s3_object_created.json"), LambdaContext())["results"][0]["result"]
        == "invalid"
    )
    [record] = [r for r in caplog.records if r.getMessage().startswith("invalid document")]
    assert any("document has no text" in problem for problem in record.__dict__["problems"])
    after = content_pool.run(lambda conn: conn.run("SELECT chunk_text FROM content_embeddings ORDER BY id"))
    assert after == before


def test_eventbridge_created_and_deleted(handlers: IngestHandlers, s3: Any, content_pool: Pool) -> None:
    s3.put_object(Bucket="dovvy-content", Key="skills/night dives.md", Body=DOC.encode())
    created = handlers.aws(load_event("eventbridge_object_created.json"), LambdaContext())
    assert created == {"results": [{"key": "skills/night dives.md", "result": "new"}]}
    deleted = handlers.aws(load_event("eventbridge_object_deleted.json"), LambdaContext())
    assert deleted["results"][0]["result"] == "deleted"


def test_object_gone_before_reading_is_absent(handlers: IngestHandlers) -> None:
    assert (
        handlers.aws(load_event("s3_object_created.json"), LambdaContext())["results"][0]["result"]
        == "absent"
    )


@pytest.mark.parametrize(
    "event",
    [
        {"Records": [{"eventSource": "aws:sqs"}]},
        {"Records": [{"eventSource": "aws:s3", "eventName": "ObjectRestore:Post"}]},
        {"source": "aws.s3", "detail-type": "Object Tags Added", "detail": {}},
        {"hello": "world"},
    ],
)
def test_unsupported_aws_events_are_refused(event: dict[str, Any]) -> None:
    with pytest.raises(UnsupportedEvent):
        from_aws_event(event)


# --- Cloud Storage ------------------------------------------------------------------------------


class FakeGcs:
    """Stands in for google.cloud.storage.Client: bucket(name).blob(key).download_as_bytes()."""

    def __init__(self) -> None:
        self.objects: dict[tuple[str, str], bytes] = {}

    def bucket(self, name: str) -> Any:
        client = self

        class Bucket:
            def blob(self, key: str) -> Any:
                class Blob:
                    def download_as_bytes(self) -> bytes:
                        from google.api_core.exceptions import NotFound

                        if (name, key) not in client.objects:
                            raise NotFound(f"{name}/{key}")  # type: ignore[no-untyped-call]
                        return client.objects[(name, key)]

                    def exists(self) -> bool:
                        return (name, key) in client.objects

                return Blob()

        return Bucket()


def cloud_event(name: str) -> CloudEvent:
    raw = load_event(name)
    return CloudEvent(raw["attributes"], raw["data"])


def test_gcs_finalized_and_deleted(runtime: Runtime, content_pool: Pool) -> None:
    gcs = FakeGcs()
    gcs.objects[("dovvy-content", KEY)] = DOC.encode()
    handlers = IngestHandlers(runtime, gcs=GcsReader(gcs))
    assert handlers.gcp(cloud_event("gcs_object_finalized.json")) == "new"
    assert stored_paths(content_pool) == [KEY]
    assert handlers.gcp(cloud_event("gcs_object_finalized.json")) == "unchanged"
    assert handlers.gcp(cloud_event("gcs_object_deleted.json")) == "deleted"
    assert stored_paths(content_pool) == []


def test_cloud_run_target_accepts_a_binary_mode_cloudevent(
    monkeypatch: pytest.MonkeyPatch, database_url: str, content_pool: Pool, runtime: Runtime
) -> None:
    import functions_framework

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("CONTENT_BUCKET", "dovvy-content")  # as deployed: the bucket it listens to
    app = functions_framework.create_app(  # type: ignore[no-untyped-call]
        target="ingest", source=str(ROOT / "functions" / "ingest" / "main.py"), signature_type="cloudevent"
    )
    raw = load_event("gcs_object_deleted.json")
    headers = {f"ce-{key}": value for key, value in raw["attributes"].items() if key != "datacontenttype"}
    headers["content-type"] = "application/json"
    response = app.test_client().post("/", data=json.dumps(raw["data"]), headers=headers)
    assert response.status_code == 200


def test_ingest_entry_file_on_lambda_reads_s3_through_boto3(
    s3: Any, database_url: str, content_pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_entrypoints import load_entry

    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    monkeypatch.setenv("CONTENT_BUCKET", "dovvy-content")  # as deployed: the bucket it listens to
    module = load_entry("ingest", monkeypatch, database_url)
    result = module.handler(load_event("s3_object_created.json"), LambdaContext(function_name="dovvy-ingest"))
    module.handlers.runtime.close()
    assert result == {"results": [{"key": KEY, "result": "new"}]}
    assert stored_paths(content_pool) == [KEY]


def test_gcs_archived_deletes_only_when_no_live_generation_remains(
    runtime: Runtime, content_pool: Pool
) -> None:
    """The content bucket is versioned: an overwrite archives the old generation (the article stays),
    a deletion archives the last one (the article goes)."""
    gcs = FakeGcs()
    key = ("dovvy-content", "safety/safety stops (draft).md")
    gcs.objects[key] = DOC.encode()
    handlers = IngestHandlers(runtime, gcs=GcsReader(gcs))
    assert handlers.gcp(cloud_event("gcs_object_finalized.json")) == "new"
    assert handlers.gcp(cloud_event("gcs_object_archived.json")) == "skipped"
    del gcs.objects[key]
    assert handlers.gcp(cloud_event("gcs_object_archived.json")) == "deleted"


def test_s3_reader_asks_for_metadata_only_to_know_an_object_exists(s3: Any) -> None:
    reader = S3Reader(s3)
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    assert reader.exists("dovvy-content", KEY)
    assert not reader.exists("dovvy-content", "gone.md")


@pytest.mark.parametrize(
    "key",
    [
        pytest.param("..%2F..%2Fx.md", id="dot-dot"),
        pytest.param("%2Fetc%2Fx.md", id="absolute"),
        pytest.param("safety%2F.%2Fx.md", id="dot"),
        pytest.param("safety%2F%2Fx.md", id="empty-part"),
        pytest.param("safety%5Cx.md", id="backslash"),
        pytest.param("handbook%3Ax.md", id="names-a-source"),
    ],
)
def test_an_object_key_that_is_not_a_plain_path_is_never_stored(
    handlers: IngestHandlers, s3: Any, content_pool: Pool, caplog: pytest.LogCaptureFixture, key: str
) -> None:
    from urllib.parse import unquote_plus

    s3.put_object(Bucket="dovvy-content", Key=unquote_plus(key), Body=DOC.encode())
    event = load_event("s3_object_created.json", **{"safety/safety+stops+%28draft%29.md": key})
    assert from_aws_event(event)[0].key == unquote_plus(key)
    with caplog.at_level("WARNING"):
        result = handlers.aws(event, LambdaContext())
    assert result["results"][0]["result"] == "skipped"
    assert "not a plain relative path" in caplog.text
    assert stored_paths(content_pool) == []


def test_only_the_content_buckets_events_under_its_prefix_count(
    runtime: Runtime, content_pool: Pool, s3: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An event names its bucket: before, one naming any bucket the function could read was
    ingested (or deleted an article of the same path). Now only CONTENT_BUCKET's, under
    CONTENT_PREFIX, stored by their path below the prefix; the rest is logged and ignored."""
    s3.create_bucket(Bucket="someone-else", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    s3.put_object(Bucket="someone-else", Key=KEY, Body=DOC.encode())
    s3.put_object(Bucket="dovvy-content", Key=KEY, Body=DOC.encode())
    s3.put_object(Bucket="dovvy-content", Key=f"articles/{KEY}", Body=DOC.encode())
    confined = runtime.settings.replace(content_bucket="dovvy-content", content_prefix="articles/")
    handlers = IngestHandlers(Runtime(confined), s3=S3Reader(s3), gcs=GcsReader(FakeGcs()))

    def event(bucket: str, key: str) -> dict[str, Any]:
        return load_event("s3_object_created.json", **{'"dovvy-content"': f'"{bucket}"', "safety/": key})

    with caplog.at_level("INFO"):
        other = handlers.aws(event("someone-else", "safety/"), LambdaContext())
        outside = handlers.aws(event("dovvy-content", "safety/"), LambdaContext())
        inside = handlers.aws(event("dovvy-content", "articles/safety/"), LambdaContext())
    assert [r["results"][0]["result"] for r in (other, outside, inside)] == ["skipped", "skipped", "new"]
    assert "another bucket than CONTENT_BUCKET" in caplog.text
    assert "outside CONTENT_PREFIX" in caplog.text
    assert stored_paths(content_pool) == [KEY]

    gcs = FakeGcs()
    gcs.objects[("dovvy-content", KEY)] = DOC.encode()
    on_gcp = IngestHandlers(Runtime(confined.replace(content_prefix="")), gcs=GcsReader(gcs))
    assert on_gcp.gcp(cloud_event("gcs_object_deleted.json")) == "deleted"
    elsewhere = cloud_event("gcs_object_finalized.json")
    elsewhere.data["bucket"] = "someone-else"
    assert on_gcp.gcp(elsewhere) == "skipped"
    assert stored_paths(content_pool) == []
