"""Heat map: counts by sector × territory, the change, and drill-down to a cell."""

from __future__ import annotations

import pytest

from monitor.analytics import cell_incidents, heat_map, heat_table
from monitor.analytics.labels import NO_TERRITORY
from monitor.config import load_settings
from monitor.store import make_engine
from tests.analytics_data import WEEK, heat_history
from tests.conftest import CONFIG


@pytest.fixture
def engine(db_url):
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


def test_cells_count_the_period_and_the_previous_one(engine):
    plan = heat_history(engine)
    settings = load_settings(CONFIG)
    with engine.connect() as connection:
        heat = heat_map(connection, settings, WEEK)
    found = {(c.sector, c.territory): (c.count, c.previous) for c in heat.cells}
    assert found == plan
    assert (heat.total, heat.previous_total) == (11, 9)
    assert heat.sectors == ["housing", "roads", "waste"]
    assert heat.territories[0] == "Шебекино"
    shebekino = heat.cell("housing", "Шебекино")
    assert shebekino.sector_name == "ЖКХ"
    assert (shebekino.change, shebekino.change_share) == (3, 1.5)
    assert heat.cell("housing", "Губкин").change_share is None  # nothing before
    assert heat.sector_total("roads") == (5, 3)


def test_heat_table_sums_the_smaller_territories(engine):
    heat_history(engine)
    with engine.connect() as connection:
        heat = heat_map(connection, load_settings(CONFIG), WEEK)
    table = heat_table(heat, territories=1)
    assert table.territories == ["Шебекино", "остальные"]
    assert [name for _, name in table.sectors] == ["ЖКХ", "Дороги", "ТКО"]
    assert table.counts == [[5, 1], [0, 5], [0, 0]]
    assert table.previous == [[2, 0], [0, 3], [0, 4]]


def test_drill_down_lists_the_cell_and_recipient_scope_narrows_it(engine):
    heat_history(engine)
    with engine.connect() as connection:
        shebekino = cell_incidents(connection, WEEK, sector="housing", territory="Шебекино")
        nowhere = cell_incidents(connection, WEEK, sector="roads", territory=NO_TERRITORY)
        recipient = connection.exec_driver_sql(
            "SELECT id FROM recipients WHERE code = 'mindor'"
        ).scalar_one()
        scoped = heat_map(connection, load_settings(CONFIG), WEEK, recipient_id=recipient)
    assert len(shebekino) == 5
    assert all(i.recipient_code == "minzhkh" for i in shebekino)
    assert [i.created_at for i in shebekino] == sorted(
        (i.created_at for i in shebekino), reverse=True
    )
    assert len(nowhere) == 2
    assert {c.sector for c in scoped.cells} == {"roads", "waste"}
