"""Abuse limits that hold across instances: per client IP and per session, counted in PostgreSQL.

An anonymous chat that calls paid models and a public lead form are targets, and a serverless
instance forgets in-memory counts at every cold start. Each request bumps its counters in one
upsert (`db/counters.py`); over a limit it is answered 429 `RATE_LIMITED` with `Retry-After` and the
`RateLimit-*` headers. Client addresses are stored hashed, never as written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import ipaddress
import math
import uuid
from typing import Literal

from starlette.requests import Request

from dovvy.config import Settings
from dovvy.db import counters
from dovvy.db.pool import Pool
from dovvy.errors import RateLimited

Action = Literal["chat", "lead", "session"]
MINUTE, HOUR, DAY = 60, 3600, 86_400


@dataclasses.dataclass(frozen=True)
class Limit:
    name: str
    per: Literal["ip", "session"]
    allowed: int
    window_seconds: int


def limits_for(action: Action, settings: Settings, *, new_session: bool) -> list[Limit]:
    chosen: list[Limit] = []
    if action == "chat":
        chosen += [
            Limit("chat-ip-minute", "ip", settings.rate_chat_per_minute, MINUTE),
            Limit("chat-ip-day", "ip", settings.rate_chat_per_day, DAY),
            Limit("chat-session-minute", "session", settings.rate_chat_per_session_minute, MINUTE),
        ]
    if action == "lead":
        chosen.append(Limit("lead-ip-hour", "ip", settings.rate_leads_per_hour, HOUR))
    if action == "session" or new_session:
        # A chat without a session id creates one: it counts against the same allowance.
        chosen.append(Limit("session-ip-hour", "ip", settings.rate_sessions_per_hour, HOUR))
    return chosen


def client_ip(request: Request, trusted_hops: int) -> str:
    """The client's address: from X-Forwarded-For, counting `trusted_hops` proxies we run (the
    gateway) from the right, since anything further left the client could have written; without
    trusted proxies, the connection's peer (on Lambda, Mangum puts the event's source IP there).
    Every X-Forwarded-For line counts: a client may send its own line first, and a proxy may add
    another rather than append to it."""
    if trusted_hops > 0:
        lines = request.headers.getlist("x-forwarded-for")
        forwarded = [part.strip() for line in lines for part in line.split(",") if part.strip()]
        if len(forwarded) >= trusted_hops:
            return forwarded[-trusted_hops]
    return request.client.host if request.client else "unknown"


def network_of(address: str) -> str:
    """What one client is, for counting: an IPv4 address, or an IPv6 address's /64 (one home or
    phone is handed a whole /64, so each of its addresses is not a new client)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def subject(value: str) -> str:
    """Someone as the counters name them: a hash, never the address or account itself (personal
    data). Every channel's limits and budgets count people this way."""
    return hashlib.sha256(value.encode()).hexdigest()[:24]


def client_identity(request: Request, settings: Settings) -> str:
    """Who is asking, as the limits and lead replays count them: a hash of the client's address
    (never the address itself, which is personal data)."""
    return subject(network_of(client_ip(request, settings.trusted_proxy_hops)))


def enforce(
    pool: Pool,
    settings: Settings,
    request: Request,
    action: Action,
    *,
    session_id: uuid.UUID | None = None,
    new_session: bool = False,
) -> None:
    """Count this request; raise RateLimited when any of its limits is passed."""
    if not settings.rate_limits:
        return
    ip = client_identity(request, settings)
    chosen = [
        limit
        for limit in limits_for(action, settings, new_session=new_session)
        if limit.per == "ip" or session_id is not None
    ]
    if not chosen:
        return
    subjects = {"ip": ip, "session": subject(str(session_id))}
    bumps = [counters.Bump(f"{limit.name}:{subjects[limit.per]}", limit.window_seconds) for limit in chosen]
    counts = {c.key: c for c in pool.run(lambda conn: counters.bump(conn, bumps))}
    over = [
        (limit, counts[bump.key])
        for limit, bump in zip(chosen, bumps, strict=True)
        if counts[bump.key].count > limit.allowed
    ]
    if over:
        limit, count = max(over, key=lambda pair: pair[1].window_end)
        wait = max(1, math.ceil((count.window_end - dt.datetime.now(dt.UTC)).total_seconds()))
        raise RateLimited(
            f"Too many requests; try again in {wait} seconds",
            headers={
                "Retry-After": str(wait),
                "RateLimit-Limit": str(limit.allowed),
                "RateLimit-Remaining": "0",
                "RateLimit-Reset": str(wait),
            },
        )
