"""Applying a storage change: read the object (Cloud Storage or S3) and ingest it, or delete it."""

from __future__ import annotations

import logging
import re
from typing import Literal

from dovvy.knowledge.documents import DocumentInvalid
from dovvy.knowledge.files import SOURCE_MARK
from dovvy.knowledge.ingest import Ingestor
from dovvy.knowledge.storage_change import StorageChange
from dovvy.object_store import ObjectMissing, ObjectReader

log = logging.getLogger(__name__)

Result = Literal["new", "changed", "unchanged", "duplicate", "deleted", "absent", "skipped", "invalid"]


# Control characters, backslashes, and the mark that names another source.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f\\" + re.escape(SOURCE_MARK) + "]")


def is_plain_path(path: str) -> bool:
    """A relative path of named folders: no leading slash, no "." or ".." parts, no empty parts,
    no backslashes, colons or control characters."""
    parts = path.split("/")
    return bool(path) and not _UNSAFE.search(path) and all(p not in ("", ".", "..") for p in parts)


def _why_skipped(change: StorageChange, bucket: str | None, prefix: str) -> tuple[str, int] | None:
    """Why the change is none of the knowledge base's business, with the log level to say it at."""
    if bucket is not None and change.bucket != bucket:
        return "ignored: an event for another bucket than CONTENT_BUCKET", logging.WARNING
    if not change.key.startswith(prefix):
        return "ignored: outside CONTENT_PREFIX", logging.INFO
    if not change.key.endswith(".md"):
        return "skipped: not a markdown document", logging.INFO
    if not is_plain_path(change.key.removeprefix(prefix)):
        # "../../x.md" would be stored under a path outside any content folder.
        return "skipped: the object key is not a plain relative path", logging.WARNING
    return None


def _ingest(change: StorageChange, path: str, reader: ObjectReader, ingestor: Ingestor) -> Result:
    where = {"bucket": change.bucket, "key": change.key, "action": change.action}
    try:
        raw = reader.read(change.bucket, change.key)
    except ObjectMissing:
        log.info("skipped: object no longer exists", extra=where)
        return "absent"
    except UnicodeDecodeError:
        log.error("invalid document: not UTF-8 text", extra=where)
        return "invalid"
    try:
        return ingestor.ingest_text(path, raw)
    except DocumentInvalid as exc:
        problems = [str(p) for p in exc.problems]
        log.error("invalid document; previous version kept", extra={**where, "problems": problems})
        return "invalid"


def apply_change(
    change: StorageChange,
    reader: ObjectReader,
    ingestor: Ingestor,
    *,
    bucket: str | None = None,
    prefix: str = "",
) -> Result:
    """Ingest or delete the object. Only objects of the knowledge base's `bucket` under `prefix`
    count (an event names its bucket, and a misrouted or forged one must not add or delete
    articles); the path stored is the key under the prefix. Redelivered events are harmless: an
    unchanged document costs nothing and a second delete finds nothing. Invalid documents leave the
    previous version."""
    where = {"bucket": change.bucket, "key": change.key, "action": change.action}
    skipped = _why_skipped(change, bucket, prefix)
    if skipped is not None:
        log.log(skipped[1], skipped[0], extra=where)
        return "skipped"
    if change.action == "archived" and reader.exists(change.bucket, change.key):
        # An overwrite archives the old generation; the new one's own event ingests it.
        log.info("skipped: a newer generation is live", extra=where)
        return "skipped"
    path = change.key.removeprefix(prefix)
    if change.action in ("delete", "archived"):
        result: Result = "deleted" if ingestor.delete(path) else "absent"
    else:
        result = _ingest(change, path, reader, ingestor)
        if result in ("absent", "invalid"):
            return result
    log.info("storage change applied", extra={**where, "result": result})
    return result
