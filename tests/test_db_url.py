from __future__ import annotations

import ssl

import pytest

from dovvy.db.url import parse_database_url
from dovvy.errors import ConfigError


def test_unix_socket_url_from_the_embedded_server() -> None:
    params = parse_database_url("postgresql://postgres:@/postgres?host=/tmp/dovvy/pg")
    assert params.unix_sock == "/tmp/dovvy/pg/.s.PGSQL.5432"
    kwargs = params.connect_kwargs(timeout=5)
    assert kwargs["ssl_context"] is False
    assert "host" not in kwargs


def test_cloud_sql_socket_directory() -> None:
    params = parse_database_url("postgresql://app:pw@/dovvy?host=/cloudsql/proj:europe-west1:db")
    assert params.unix_sock == "/cloudsql/proj:europe-west1:db/.s.PGSQL.5432"
    assert params.password == "pw"


def test_loopback_tcp_is_plain_and_remote_is_encrypted() -> None:
    assert parse_database_url("postgresql://u@127.0.0.1:5433/x").connect_kwargs(1)["ssl_context"] is False
    remote = parse_database_url("postgresql://u:p@db.example.com/x").connect_kwargs(1)["ssl_context"]
    assert isinstance(remote, ssl.SSLContext)
    assert remote.verify_mode == ssl.CERT_NONE


def test_one_tls_context_is_shared_by_every_connection() -> None:
    a = parse_database_url("postgresql://u@db.example.com/x?sslmode=verify-full").connect_kwargs(1)
    b = parse_database_url("postgresql://v@db.example.com/y?sslmode=verify-full").connect_kwargs(1)
    assert a["ssl_context"] is b["ssl_context"]
    assert a["ssl_context"].check_hostname is True


def test_password_is_decoded_and_hidden() -> None:
    params = parse_database_url("postgresql://user:p%40ss%2Fword@db.example.com:6543/app")
    assert params.password == "p@ss/word"
    assert params.port == 6543
    assert "p@ss" not in repr(params)
    assert "p@ss" not in params.display()


@pytest.mark.parametrize(
    "url", ["mysql://u@h/x", "postgresql://u@h:notaport/x", "postgresql://u@h/x?sslmode=sometimes"]
)
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        parse_database_url(url)
