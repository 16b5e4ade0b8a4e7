"""Alembic environment: runs migrations online over pg8000, using the parameters passed in."""

from __future__ import annotations

from alembic import context

from dovvy.db.migrate import make_engine

engine = make_engine(
    context.config.attributes["connect_params"], context.config.attributes.get("timeout", 30.0)
)
try:
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()
finally:
    engine.dispose()
