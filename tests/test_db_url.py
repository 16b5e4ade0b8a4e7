from __future__ import annotations

import ssl
from pathlib import Path
from typing import Any
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


# --- verified TLS, through a real handshake ----------------------------------------------------


@pytest.fixture
def trusted_ca() -> Any:
    from tests.tls_front import make_ca

    return make_ca("dovvy test CA")


def _connects(url: str, ca_cert: str | None = None) -> bool:
    from pg8000.exceptions import InterfaceError

    from dovvy.db.pool import Pool
    from dovvy.errors import DatabaseUnavailable

    pool = Pool(parse_database_url(url, ca_cert=ca_cert), max_size=1, timeout=5)
    try:
        return bool(pool.run(lambda conn: conn.run("SELECT 1"), transaction=False) == [[1]])
    except (DatabaseUnavailable, InterfaceError, ssl.SSLError):
        return False
    finally:
        pool.close()


def test_verify_ca_trusts_the_given_ca_only(database_url: str, trusted_ca: Any, tmp_path: Path) -> None:
    """Cloud SQL's per-instance CA signs a certificate that names no address, so the functions
    verify the CA (DATABASE_CA_CERT) and not the name; any other CA is refused."""
    from tests.tls_front import make_ca, pem, server_files, tls_front

    params = parse_database_url(database_url)
    assert params.unix_sock is not None
    cert, key = server_files(tmp_path, trusted_ca, names=[])
    with tls_front(params.unix_sock, cert, key) as port:
        url = f"postgresql://{params.user}@127.0.0.1:{port}/{params.database}?sslmode=verify-ca"
        assert _connects(url, ca_cert=pem(trusted_ca[1]))
        assert not _connects(url, ca_cert=pem(make_ca("someone else")[1]))
        # verify-full also checks the name, which this certificate does not carry.
        assert not _connects(url.replace("verify-ca", "verify-full"), ca_cert=pem(trusted_ca[1]))
        # What the functions did before: encrypted, but any certificate would do.
        assert _connects(url.replace("verify-ca", "require"), ca_cert=pem(make_ca("someone else")[1]))


def test_verify_full_checks_the_name_in_the_certificate(
    database_url: str, trusted_ca: Any, tmp_path: Path
) -> None:
    """As RDS Proxy's certificate names its endpoint: the same name connects, another does not."""
    from tests.tls_front import pem, server_files, tls_front

    params = parse_database_url(database_url)
    assert params.unix_sock is not None
    cert, key = server_files(tmp_path, trusted_ca, names=["localhost"])
    with tls_front(params.unix_sock, cert, key) as port:
        good = f"postgresql://{params.user}@localhost:{port}/{params.database}?sslmode=verify-full"
        assert _connects(good, ca_cert=pem(trusted_ca[1]))
        assert not _connects(good.replace("localhost", "127.0.0.1"), ca_cert=pem(trusted_ca[1]))
