"""Odnoklassniki: the signature rule (worked examples), a signed client against a checking
server, group feeds with anchors, comments with local-time dates, and errors."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from collect_servers.harness import alerts, collect, make_settings, now_ts, source_row, stored
from collect_servers.ok import ACCESS_TOKEN, APPLICATION_KEY, APPLICATION_SECRET, OkServer, topic

from monitor.collectors.ok_client import OkCredentials, md5_hex, signature
from monitor.store import make_engine

GID = "54321987654321"
HOUR_MS = 3_600_000

# Worked example published with the aiookru client (server-server scheme): the secret is
# MD5(access_token + application_secret_key), then MD5 of the sorted pairs plus the secret.
EXAMPLE_KEY = "ABCDEFGHIGKLMNOPK"
EXAMPLE_APP_SECRET = "ABC123DEF456GHI789JKL123"
EXAMPLE_TOKEN = "-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7"


def test_signature_matches_the_worked_example_with_a_token():
    credentials = OkCredentials(EXAMPLE_KEY, EXAMPLE_APP_SECRET, EXAMPLE_TOKEN)
    assert credentials.secret() == "b1a2b89707a94624c43afae67d59274c"
    parameters = {
        "application_key": EXAMPLE_KEY,
        "format": "json",
        "method": "events.get",
        "access_token": EXAMPLE_TOKEN,  # never signed
    }
    assert signature(parameters, credentials.secret()) == "232c8eb921951c4dba9b72606f9ddb4c"


def test_signature_matches_the_worked_example_with_a_session_secret():
    credentials = OkCredentials(EXAMPLE_KEY, session_secret_key="ae5362b5b588cc7294c2414d71b74d5d")
    parameters = {"method": "events.get", "format": "json", "application_key": EXAMPLE_KEY}
    assert signature(parameters, credentials.secret()) == "03a41413523ea8092507949d6e711963"


def test_signature_signs_raw_utf8_values_sorted_by_name():
    parameters = {"q": "нет воды & свет", "gid": "1", "sig": "ignored", "session_key": "x"}
    assert signature(parameters, "s") == md5_hex("gid=1q=нет воды & светs")


@pytest.fixture
def ok(monkeypatch):
    """An OK server with one group; the environment holds the keys."""
    monkeypatch.setenv("OTKLIK_OK_APPLICATION_KEY", APPLICATION_KEY)
    monkeypatch.setenv("OTKLIK_OK_APPLICATION_SECRET_KEY", APPLICATION_SECRET)
    monkeypatch.setenv("OTKLIK_OK_ACCESS_TOKEN", ACCESS_TOKEN)
    with OkServer() as server:
        server.add_group(GID, "Подслушано Губкин", 15400)
        yield server


def ok_settings(tmp_path, url, server, **ok_options):
    source = {"name": "ok-gubkin", "kind": "ok", "address": f"https://ok.ru/group/{GID}"}
    collectors = {"ok": {"base_url": server.url + "/fb.do", "page_size": 20, **ok_options}}
    return make_settings(tmp_path, url, [{**source, "territory": "Губкин"}], collectors)


def add_topics(server, count, newest_ms):
    for index in range(count):
        server.topics[GID].append(
            topic(f"7{index:05d}", newest_ms - index * HOUR_MS // 2, f"Топик {index}", group_id=GID)
        )


def test_a_group_feed_is_paged_by_anchor_and_signed(ok, tmp_path, sqlite_url):
    add_topics(ok, 45, now_ts() * 1000 - 60_000)
    settings = ok_settings(tmp_path, sqlite_url, ok)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["ok-gubkin"]

    posts = stored(engine)
    assert report.error is None and len(posts) == 45 and ok.bad_signatures == 0
    sample = posts[f"ok:{GID}/700003"]
    assert sample.url == f"https://ok.ru/group/{GID}/topic/700003"
    assert (sample.author_name, sample.author_audience) == ("Подслушано Губкин", 15400)
    assert sample.text == "Топик 3" and sample.territory_hint == "Губкин"
    assert [call.get("anchor") for call in ok.calls("mediatopic.getTopics")] == [None, "20", "40"]
    assert source_row(engine, "ok-gubkin").cursor["last_ms"] == ok.topics[GID][0]["created_ms"]
    ok.topics[GID].insert(0, topic("800000", now_ts() * 1000, "Новый", group_id=GID))
    again = collect(settings, engine)["ok-gubkin"]
    assert again.inserted == 1


def test_comments_are_read_with_local_dates(ok, tmp_path, sqlite_url):
    add_topics(ok, 1, now_ts() * 1000 - 60_000)
    ok.topics[GID][0]["discussion_summary"]["comments_count"] = 25
    ok.comments["700000"] = [
        {
            "id": f"c{index}",
            "author_id": "9001",
            "author_name": "Ольга",
            "date": "2026-11-20 09:15:00",
            "text": f"коммент {index}",
            "like_count": index,
        }
        for index in range(25)
    ]
    ok.comments["700000"][3]["date"] = "вчера"  # a broken date is skipped, not fatal
    settings = ok_settings(tmp_path, sqlite_url, ok)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["ok-gubkin"]

    posts = stored(engine)
    first = posts[f"ok:{GID}/700000_c_c0"]
    assert first.parent_external_id == f"ok:{GID}/700000"
    assert first.published_at == datetime(2026, 11, 20, 9, 15, tzinfo=ZoneInfo("Europe/Moscow"))
    assert first.author_name == "Ольга"
    assert report.skipped == 1 and len([k for k in posts if "_c_" in k]) == 24
    assert len(ok.calls("discussions.getComments")) == 2  # pages of 20


def test_group_info_as_an_object_is_accepted(monkeypatch, tmp_path, sqlite_url):
    monkeypatch.setenv("OTKLIK_OK_APPLICATION_KEY", APPLICATION_KEY)
    monkeypatch.setenv("OTKLIK_OK_APPLICATION_SECRET_KEY", APPLICATION_SECRET)
    monkeypatch.delenv("OTKLIK_OK_ACCESS_TOKEN", raising=False)
    with OkServer(info_as_object=True) as server:
        server.add_group(GID, "Группа", 10)
        add_topics(server, 2, now_ts() * 1000)
        settings = ok_settings(tmp_path, sqlite_url, server)
        report = collect(settings, make_engine(sqlite_url))["ok-gubkin"]
    assert report.inserted == 2 and server.bad_signatures == 0
    assert "access_token" not in server.calls("group.getInfo")[0]


def test_flood_is_retried_and_a_wrong_secret_alerts(ok, tmp_path, sqlite_url, monkeypatch):
    add_topics(ok, 2, now_ts() * 1000)
    settings = ok_settings(tmp_path, sqlite_url, ok)
    engine = make_engine(sqlite_url)
    ok.fail("mediatopic.getTopics", 8)

    assert collect(settings, engine)["ok-gubkin"].inserted == 2

    monkeypatch.setenv("OTKLIK_OK_APPLICATION_SECRET_KEY", "wrong")
    report = collect(settings, engine)["ok-gubkin"]
    assert report.status == "needs_operator" and "104" in report.error
    assert alerts(engine)[0].payload["source"] == "ok-gubkin"


def test_missing_keys_need_a_person(ok, tmp_path, sqlite_url, monkeypatch):
    monkeypatch.delenv("OTKLIK_OK_APPLICATION_KEY")
    settings = ok_settings(tmp_path, sqlite_url, ok)
    report = collect(settings, make_engine(sqlite_url))["ok-gubkin"]
    assert report.status == "needs_operator" and "OTKLIK_OK_APPLICATION_KEY" in report.error
    assert ok.requests == []
