"""Russian names of the things reports group by: sectors, territories, recipients."""

from __future__ import annotations

from sqlalchemy import Connection, select

from monitor.config import Settings
from monitor.store.tables import recipients

NO_TERRITORY = "не определена"


def sector_names(settings: Settings) -> dict[str, str]:
    """Sector code → Russian name, in taxonomy order."""
    return {sector.code: sector.name for sector in settings.sectors}


def sector_name(settings: Settings, code: str) -> str:
    """The Russian name of a sector code (the code itself when unknown)."""
    return sector_names(settings).get(code, code)


def territory_name(territory: str | None) -> str:
    """A territory as shown in reports; incidents without one are grouped together."""
    return territory or NO_TERRITORY


def recipient_names(connection: Connection) -> dict[int, tuple[str, str]]:
    """Recipient id → (code, name)."""
    rows = connection.execute(select(recipients.c.id, recipients.c.code, recipients.c.name))
    return {row.id: (row.code, row.name) for row in rows}
