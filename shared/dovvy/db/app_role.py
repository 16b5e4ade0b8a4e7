"""The role the deployed functions sign in as: it reads and writes rows and nothing else.

Migrations run as the database's owner (the RDS master user, Cloud SQL's built-in user); the
functions do not need to create, alter or drop anything, so they sign in as a role that cannot:
no superuser, no CREATEDB or CREATEROLE, no CREATE on the schema, only SELECT, INSERT, UPDATE and
DELETE on its tables and the use of its sequences, including tables later migrations add.

The password is sent as a SCRAM-SHA-256 verifier computed here, never as text: RDS logs DDL
statements (`log_statement = ddl`), and a `CREATE ROLE ... PASSWORD 'text'` would put the password
in the database log.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from dovvy.db.pool import VECTOR_SETTINGS, Connection

_ITERATIONS = 4096  # PostgreSQL's scram_iterations default


def scram_verifier(password: str, *, salt: bytes | None = None, iterations: int = _ITERATIONS) -> str:
    """The form PostgreSQL stores (RFC 5802 / 7677): StoredKey and ServerKey, never the password."""
    salt = salt if salt is not None else secrets.token_bytes(16)
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    client_key = hmac.digest(salted, b"Client Key", "sha256")
    stored_key = hashlib.sha256(client_key).digest()
    server_key = hmac.digest(salted, b"Server Key", "sha256")

    def b64(raw: bytes) -> str:
        return base64.b64encode(raw).decode()

    return f"SCRAM-SHA-256${iterations}:{b64(salt)}${b64(stored_key)}:{b64(server_key)}"


def _run_formatted(conn: Connection, template: str, *values: str) -> None:
    """Identifiers and literals quoted by the server's own format(), then the statement run."""
    placeholders = ", ".join(f"CAST(:v{i} AS text)" for i in range(len(values)))
    (statement,) = conn.run(
        f"SELECT format('{template}', {placeholders})", **{f"v{i}": v for i, v in enumerate(values)}
    )[0]
    conn.run(statement)


def ensure_app_role(conn: Connection, role: str, password: str) -> None:
    """Create or update `role` with `password` and exactly the privileges the functions use.
    Idempotent: run by every migrate invocation (inside the caller's transaction)."""
    (current,) = conn.run("SELECT current_user")[0]
    if role == current:
        raise ValueError("the functions' role must not be the one that migrates")
    # Loads pgvector in this session, so its settings below are known parameters.
    conn.run("SELECT CAST('[1]' AS vector)")
    exists = conn.run("SELECT 1 FROM pg_roles WHERE rolname = :role", role=role)
    verb = "ALTER" if exists else "CREATE"
    _run_formatted(
        conn,
        verb + " ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD %L",
        role,
        scram_verifier(password),
    )
    (database,) = conn.run("SELECT current_database()")[0]
    _run_formatted(conn, "GRANT CONNECT, TEMPORARY ON DATABASE %I TO %I", database, role)
    _run_formatted(conn, "GRANT USAGE ON SCHEMA public TO %I", role)
    _run_formatted(conn, "REVOKE CREATE ON SCHEMA public FROM %I", role)
    _run_formatted(conn, "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO %I", role)
    _run_formatted(conn, "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %I", role)
    # Tables and sequences later migrations create (as this same owner) are the role's to use too.
    _run_formatted(
        conn,
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO %I",
        role,
    )
    _run_formatted(
        conn, "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO %I", role
    )
    # The search settings as the role's defaults here (migration 0008 did it for the owner), so
    # no connection sends a SET, which would pin it to one backend behind RDS Proxy.
    for name, value in VECTOR_SETTINGS.items():
        _run_formatted(conn, f"ALTER ROLE %I IN DATABASE %I SET {name} = %L", role, database, value)


def password_of(secret: str) -> str:
    """A password given as itself, or as the JSON RDS and RDS Proxy keep ({"username", "password"})."""
    import json

    if secret.lstrip().startswith("{"):
        try:
            value = json.loads(secret)["password"]
        except (ValueError, KeyError, TypeError):
            raise ValueError('DATABASE_APP_PASSWORD is JSON without a "password"') from None
        return str(value)
    return secret
