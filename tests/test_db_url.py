from __future__ import annotations

import ssl
from urllib.parse import parse_qs, urlsplit

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
    "url",
    [
        "mysql://u@h/x",
        "postgresql://u@h:notaport/x",
        "postgresql://u@h/x?sslmode=sometimes",
        "postgresql://u@h/x?auth=kerberos",
        "postgresql://u:pw@h/x?auth=aws-iam",
    ],
)
def test_bad_urls_are_config_errors(url: str) -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        parse_database_url(url)


def test_aws_iam_sign_in_makes_a_fresh_signed_token_per_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """What RDS Proxy checks: a presigned `connect` request for this host, port and user, signed
    with the function's credentials and region. No password is configured anywhere."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret-example")
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    params = parse_database_url(
        "postgresql://dovvy@dovvy-db.proxy-abc.eu-west-1.rds.amazonaws.com/dovvy?auth=aws-iam"
    )
    assert params.password is None
    assert params.sslmode == "require"
    token = params.connect_kwargs(timeout=5.0)["password"]
    url = urlsplit("https://" + token)
    query = parse_qs(url.query)
    assert url.netloc == "dovvy-db.proxy-abc.eu-west-1.rds.amazonaws.com:5432"
    assert query["Action"] == ["connect"]
    assert query["DBUser"] == ["dovvy"]
    assert query["X-Amz-Credential"][0].startswith("AKIDEXAMPLE/")
    assert "/eu-west-1/rds-db/aws4_request" in query["X-Amz-Credential"][0]
    assert query["X-Amz-Expires"] == ["900"]
    assert len(query["X-Amz-Signature"][0]) == 64


def test_aws_iam_sign_in_without_a_region_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    params = parse_database_url("postgresql://dovvy@proxy.example/dovvy?auth=aws-iam")
    with pytest.raises(ConfigError, match="AWS_REGION"):
        params.connect_kwargs(timeout=5.0)
