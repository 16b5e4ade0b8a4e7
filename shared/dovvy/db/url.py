"""Turn a `postgresql://` URL into pg8000 connection parameters, TLS decided once per process."""

from __future__ import annotations

import dataclasses
import functools
import ipaddress
import os
import ssl
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from dovvy.errors import ConfigError

_TLS_MODES = {"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}


@dataclasses.dataclass(frozen=True)
class ConnectParams:
    user: str
    database: str
    password: str | None = dataclasses.field(default=None, repr=False)
    host: str | None = None
    port: int = 5432
    unix_sock: str | None = None
    sslmode: str = "disable"
    sslrootcert: str | None = None
    # PEM of the CA that signs the server's certificate, given inline (DATABASE_CA_CERT) where no
    # file can be shipped with the function: Cloud SQL's per-instance CA.
    ca_cert: str | None = dataclasses.field(default=None, repr=False)
    application_name: str = "dovvy"
    # `auth=aws-iam`: sign in with an IAM token made for each new connection (RDS Proxy or RDS with
    # IAM authentication) instead of a password, so no password sits in the function's settings.
    aws_iam: bool = False

    def connect_kwargs(self, timeout: float) -> dict[str, Any]:
        kwargs: dict[str, Any] = {
            "user": self.user,
            "database": self.database,
            "password": _iam_token(self.host or "", self.port, self.user) if self.aws_iam else self.password,
            "timeout": timeout,
            "application_name": self.application_name,
        }
        if self.unix_sock:
            kwargs["unix_sock"] = self.unix_sock
            kwargs["ssl_context"] = False
        else:
            kwargs["host"] = self.host
            kwargs["port"] = self.port
            kwargs["ssl_context"] = _ssl_context(self.sslmode, self.sslrootcert, self.ca_cert)
        return kwargs

    def sqlalchemy_url(self) -> str:
        """A URL naming the dialect only; the connection itself comes from `connect_kwargs`."""
        return "postgresql+pg8000://"

    def display(self) -> str:
        """The URL with the password removed, safe to print."""
        where = f"?host={self.unix_sock.rsplit('/', 1)[0]}" if self.unix_sock else ""
        host = "" if self.unix_sock else f"{self.host}:{self.port}"
        return f"postgresql://{self.user}@{host}/{self.database}{where}"


def parse_database_url(url: str, *, ca_cert: str | None = None) -> ConnectParams:
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql", "postgresql+pg8000"}:
        raise ConfigError("DATABASE_URL must start with postgresql://")
    query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
    database = unquote(parts.path.lstrip("/")) or query.get("dbname") or "postgres"
    user = unquote(parts.username or "") or query.get("user") or "postgres"
    password = unquote(parts.password) if parts.password else query.get("password")
    try:
        port = parts.port or int(query.get("port", 5432))
    except ValueError:
        raise ConfigError("DATABASE_URL has an invalid port") from None
    host = parts.hostname or query.get("host")
    sslmode = query.get("sslmode", "")
    if sslmode and sslmode not in _TLS_MODES:
        raise ConfigError(f"DATABASE_URL sslmode must be one of {', '.join(sorted(_TLS_MODES))}")
    auth = query.get("auth", "")
    if auth not in {"", "aws-iam"}:
        raise ConfigError("DATABASE_URL auth must be aws-iam when given")
    if auth and password:
        raise ConfigError("DATABASE_URL with auth=aws-iam takes no password")
    if host and host.startswith("/"):
        # A socket directory, as libpq and Cloud SQL (/cloudsql/INSTANCE) spell it.
        return ConnectParams(
            user=user,
            database=database,
            password=password,
            unix_sock=f"{host.rstrip('/')}/.s.PGSQL.{port}",
            port=port,
        )
    host = host or "localhost"
    if not sslmode:
        # Loopback traffic stays plain; anything crossing a network is encrypted unless told otherwise.
        sslmode = "disable" if _is_loopback(host) else "require"
    return ConnectParams(
        user=user,
        database=database,
        password=password,
        host=host,
        port=port,
        sslmode=sslmode,
        sslrootcert=query.get("sslrootcert"),
        ca_cert=ca_cert,
        aws_iam=bool(auth),
    )


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@functools.cache
def _ssl_context(sslmode: str, rootcert: str | None, cadata: str | None = None) -> ssl.SSLContext | bool:
    # Built once per process: pg8000 would otherwise load the CA bundle on every connect (~16 ms).
    if sslmode in {"disable", "allow"}:
        return False
    if sslmode in {"prefer", "require"}:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    # Given a CA (file or inline), only that CA is trusted; otherwise the system bundle.
    context = ssl.create_default_context(cafile=rootcert, cadata=cadata)
    context.check_hostname = sslmode == "verify-full"
    return context


@functools.cache
def _rds_client(region: str) -> Any:
    # botocore comes with the Lambda runtime; loaded only by a deployment that uses IAM sign-in.
    import botocore.session

    return botocore.session.get_session().create_client("rds", region_name=region)


def _iam_token(host: str, port: int, user: str) -> str:
    """A signed token valid for 15 minutes, used once as the password of a new connection; made
    locally from the function's credentials (no network call)."""
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region:
        raise ConfigError("DATABASE_URL auth=aws-iam needs AWS_REGION")
    token: str = _rds_client(region).generate_db_auth_token(DBHostname=host, Port=port, DBUsername=user)
    return token
