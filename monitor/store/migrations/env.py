"""Alembic environment: the engine comes from `monitor.store.migrate`."""

from alembic import context

from monitor.store.search import include_name
from monitor.store.tables import metadata

engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        # The search index is dialect-specific DDL outside the tables (monitor/store/search.py).
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
