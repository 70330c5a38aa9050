"""The `sources:` list and the `collectors:` section of the config."""

from __future__ import annotations

import pytest
from collect_servers.harness import write_config

from monitor.collectors.registry import collector_class
from monitor.collectors.vk import VkWallCollector, owner_parameters
from monitor.collectors.vk_search import VkSearchCollector
from monitor.config import load_settings
from monitor.errors import ConfigError
from tests.conftest import CONFIG


def test_the_shipped_config_lists_sources_of_every_network():
    settings = load_settings(CONFIG)
    kinds = {source.kind for source in settings.sources}
    assert {"vk", "ok", "telegram", "rss"} <= kinds
    assert settings.collectors.vk.base_url.startswith("https://api.vk")
    assert settings.collectors.vk.api_version == "5.199"
    search = [s for s in settings.sources if s.kind == "vk" and s.keywords]
    walls = [s for s in settings.sources if s.kind == "vk" and s.address]
    assert search and collector_class(search[0]) is VkSearchCollector
    assert walls and collector_class(walls[0]) is VkWallCollector


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"name": "a", "kind": "vk"}, "нужен address"),
        ({"name": "a", "kind": "vk", "address": "1", "keywords": ["x"]}, "либо address"),
        ({"name": "a", "kind": "telegram", "keywords": ["x"]}, "нужен address"),
        ({"name": "a", "kind": "myspace", "address": "x"}, "sources.0.kind"),
        ({"name": "a", "kind": "rss", "address": "x", "poll_minutes": 0}, "poll_minutes"),
    ],
)
def test_a_wrong_source_is_a_clear_error(tmp_path, source, message):
    with pytest.raises(ConfigError, match=message):
        load_settings(write_config(tmp_path, "sqlite://", [source]))


def test_source_names_are_unique(tmp_path):
    twice = [{"name": "a", "kind": "rss", "address": "x"}] * 2
    with pytest.raises(ConfigError, match="повторяются: a"):
        load_settings(write_config(tmp_path, "sqlite://", twice))


def test_vk_addresses():
    assert owner_parameters("57219804") == {"owner_id": -57219804}
    assert owner_parameters("-57219804") == {"owner_id": -57219804}
    assert owner_parameters("club123") == {"owner_id": -123}
    assert owner_parameters("https://vk.com/public77/") == {"owner_id": -77}
    assert owner_parameters("incident_belgorod") == {"domain": "incident_belgorod"}
