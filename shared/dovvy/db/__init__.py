"""Postgres access: connection parameters, a small pool, migrations and one repository per table group."""

SCHEMA_REVISION = "0002"
