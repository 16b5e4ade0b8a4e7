"""The counters repository: fixed-window counts per key, bumped and read in one statement."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

from dovvy.db.pool import Connection


@dataclasses.dataclass(frozen=True)
class Bump:
    key: str
    window_seconds: int
    amount: int = 1


@dataclasses.dataclass(frozen=True)
class Count:
    key: str
    count: int
    window_end: dt.datetime


def bump(conn: Connection, bumps: list[Bump]) -> list[Count]:
    """Add each amount to its key's current window and return the new counts, all in one upsert:
    no lock outlives the statement, and concurrent instances count together."""
    rows = conn.run(
        """
        WITH wanted AS (
            SELECT b.key, b.amount,
                   date_bin(make_interval(secs => b.width), now(), TIMESTAMPTZ '2000-01-01') AS start,
                   b.width
            FROM jsonb_to_recordset(CAST(:bumps AS jsonb)) AS b(key text, width int, amount bigint)
        )
        INSERT INTO rate_counters AS c (key, window_start, count, expires_at)
        SELECT key, start, amount, start + make_interval(secs => width) FROM wanted
        ON CONFLICT (key, window_start) DO UPDATE SET count = c.count + EXCLUDED.count
        RETURNING key, count, expires_at
        """,
        bumps=json.dumps([{"key": b.key, "width": b.window_seconds, "amount": b.amount} for b in bumps]),
    )
    return [Count(key, int(count), end) for key, count, end in rows]


def current(conn: Connection, key: str, window_seconds: int) -> int:
    rows = conn.run(
        """
        SELECT count FROM rate_counters
        WHERE key = :key
          AND window_start = date_bin(make_interval(secs => :width), now(), TIMESTAMPTZ '2000-01-01')
        """,
        key=key,
        width=window_seconds,
    )
    return int(rows[0][0]) if rows else 0


def purge_expired(conn: Connection) -> int:
    return len(conn.run("DELETE FROM rate_counters WHERE expires_at <= now() RETURNING 1"))
