"""The store: tables, engine and migrations."""

from monitor.store.engine import make_engine
from monitor.store.migrate import ensure_current, upgrade

__all__ = ["make_engine", "ensure_current", "upgrade"]
