"""VK walls against a local VK API server: paging, incremental polls, pins, reposts, comments."""

from __future__ import annotations

import pytest
from collect_servers.harness import collect, make_settings, now_ts, source_row, stored
from collect_servers.vk import TOKEN, Thread, VkServer, comment, post

from monitor.store import make_engine

GROUP = 41234567
OWNER = -GROUP
HOUR = 3600


@pytest.fixture
def vk(monkeypatch):
    """A VK server with one community."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_group(GROUP, "Подслушано Шебекино", 38700, domain="podslushano_sheb")
        server.add_profile(183456, "Ирина", "Ковалёва", followers=312)
        yield server


def wall_settings(tmp_path, url, server, **collectors):
    source = {"name": "vk-sheb", "kind": "vk", "address": str(GROUP), "territory": "Шебекино"}
    return make_settings(
        tmp_path, url, [source], {"vk": {"base_url": server.url + "/method/"}, **collectors}
    )


def fill_wall(server, count, *, start_id=1, newest=None, step=600):
    newest = newest or now_ts() - 60
    for index in range(count):
        number = start_id + index
        date = newest - (count - 1 - index) * step
        server.walls[OWNER].append(post(OWNER, number, date, f"Пост {number}", views=10 * number))


def test_first_poll_pages_back_to_the_backfill_window(vk, tmp_path, sqlite_url):
    old = now_ts() - 100 * HOUR
    for number in range(1, 6):
        vk.walls[OWNER].append(post(OWNER, number, old + number, f"Старый {number}"))
    fill_wall(vk, 250, start_id=6)
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["vk-sheb"]

    posts = stored(engine)
    assert report.error is None and report.inserted == 250
    assert set(posts) == {f"vk:{OWNER}_{n}" for n in range(6, 256)}
    assert [call["offset"] for call in vk.calls("wall.get")] == ["0", "100", "200"]
    row = source_row(engine, "vk-sheb")
    assert row.cursor == {"last_id": 255} and row.status == "active"
    sample = posts[f"vk:{OWNER}_100"]
    assert sample.url == f"https://vk.com/wall{OWNER}_100"
    assert (sample.author_id, sample.author_name, sample.author_audience) == (
        f"vk:{OWNER}",
        "Подслушано Шебекино",
        38700,
    )
    assert sample.views == 1000 and sample.territory_hint == "Шебекино"


def test_next_poll_reads_only_new_posts_and_the_refresh_window(vk, tmp_path, sqlite_url):
    fill_wall(vk, 150, newest=now_ts() - 3 * HOUR, step=HOUR)
    settings = wall_settings(tmp_path, sqlite_url, vk, refresh_hours=5)
    engine = make_engine(sqlite_url)
    collect(settings, engine)
    first_calls, first_stored = len(vk.calls("wall.get")), len(stored(engine))
    assert first_stored == 69  # hourly posts from 3 h to 71 h ago: the 72 h backfill
    newest = vk.walls[OWNER][-1]
    newest["views"]["count"] = 9999  # reach grew since the first poll
    vk.walls[OWNER] += [post(OWNER, n, now_ts() - 60, f"Новый {n}") for n in (151, 152, 153)]

    report = collect(settings, engine)["vk-sheb"]

    assert report.inserted == 3 and report.refreshed >= 1
    assert len(vk.calls("wall.get")) == first_calls + 1  # one page was enough
    assert stored(engine)[f"vk:{OWNER}_150"].views == 9999
    assert source_row(engine, "vk-sheb").cursor == {"last_id": 153}
    again = collect(settings, engine)["vk-sheb"]
    assert again.inserted == 0 and len(stored(engine)) == first_stored + 3


def test_an_old_pinned_post_does_not_end_the_wall(vk, tmp_path, sqlite_url):
    vk.walls[OWNER].append(post(OWNER, 1, now_ts() - 500 * HOUR, "Правила группы", pinned=True))
    fill_wall(vk, 30, start_id=2)
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    collect(settings, engine)

    posts = stored(engine)
    assert len(posts) == 30 and f"vk:{OWNER}_1" not in posts
    assert vk.calls("wall.get")[0]["owner_id"] == str(OWNER)


def test_a_screen_name_address_is_read_by_domain(vk, tmp_path, sqlite_url):
    fill_wall(vk, 3)
    source = {"name": "vk-sheb", "kind": "vk", "address": "podslushano_sheb"}
    settings = make_settings(
        tmp_path, sqlite_url, [source], {"vk": {"base_url": vk.url + "/method/"}}
    )
    engine = make_engine(sqlite_url)
    assert collect(settings, engine)["vk-sheb"].inserted == 3
    assert vk.calls("wall.get")[0]["domain"] == "podslushano_sheb"


def test_a_repost_stores_its_original_and_links_to_it(vk, tmp_path, sqlite_url):
    vk.add_group(57219804, "Инцидент Белгород", 212000)
    original = post(-57219804, 452207, now_ts() - 2 * HOUR, "Народный бульвар — каток")
    vk.walls[OWNER].append(post(OWNER, 10, now_ts() - HOUR, "", views=500, copy_history=[original]))
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    collect(settings, engine)

    posts = stored(engine)
    assert posts[f"vk:{OWNER}_10"].repost_of_external_id == "vk:-57219804_452207"
    stored_original = posts["vk:-57219804_452207"]
    assert stored_original.text == "Народный бульвар — каток"
    assert stored_original.author_name == "Инцидент Белгород"
    assert "copy_history" not in posts[f"vk:{OWNER}_10"].raw


def test_comments_come_in_one_execute_with_threads_and_pages(vk, tmp_path, sqlite_url):
    date = now_ts() - HOUR
    for number in (1, 2, 3):
        vk.walls[OWNER].append(post(OWNER, number, date + number, f"Пост {number}"))
    long_thread = Thread(
        comment(500, 183456, date + 10, "У нас тоже нет воды", likes=5),
        [comment(600 + i, 183456, date + 20 + i, f"ответ {i}") for i in range(12)],
    )
    vk.threads[(OWNER, 1)] = [long_thread]
    vk.threads[(OWNER, 2)] = [
        Thread(comment(1000 + i, 183456, date + 30 + i, f"к{i}")) for i in range(150)
    ]
    for number in (1, 2):
        threads = vk.threads[(OWNER, number)]
        vk.walls[OWNER][number - 1]["comments"]["count"] = len(threads) + sum(
            len(t.replies) for t in threads
        )
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    collect(settings, engine)

    posts = stored(engine)
    reply = posts[f"vk:{OWNER}_1_c_605"]
    assert reply.parent_external_id == f"vk:{OWNER}_1"
    assert reply.url == f"https://vk.com/wall{OWNER}_1?reply=605"
    assert posts[f"vk:{OWNER}_1_c_500"].likes == 5
    assert posts[f"vk:{OWNER}_1_c_500"].author_name == "Ирина Ковалёва"
    assert len([key for key in posts if key.startswith(f"vk:{OWNER}_1_c_")]) == 13
    assert len([key for key in posts if key.startswith(f"vk:{OWNER}_2_c_")]) == 150
    executes = [r for r in vk.requests if r.path.endswith("/execute")]
    assert len(executes) == 1  # the first page of every post's comments in one call
    before = len(vk.calls("wall.getComments"))
    collect(settings, engine)
    assert len(vk.calls("wall.getComments")) == before  # counts unchanged: nothing re-read


def test_closed_comments_of_one_post_are_skipped_and_tried_again(vk, tmp_path, sqlite_url):
    date = now_ts() - HOUR
    for number in (1, 2):
        vk.walls[OWNER].append(post(OWNER, number, date + number, f"Пост {number}", comments=1))
        vk.threads[(OWNER, number)] = [Thread(comment(10 + number, 183456, date + 5, "коммент"))]
    vk.comment_errors[(OWNER, 1)] = 212
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["vk-sheb"]

    posts = stored(engine)
    assert report.error is None and report.skipped == 1
    assert f"vk:{OWNER}_2_c_12" in posts and f"vk:{OWNER}_1_c_11" not in posts
    assert posts[f"vk:{OWNER}_1"].comments is None  # so the next poll asks again
    del vk.comment_errors[(OWNER, 1)]
    collect(settings, engine)
    assert f"vk:{OWNER}_1_c_11" in stored(engine)


def test_a_malformed_post_is_skipped_and_the_rest_kept(vk, tmp_path, sqlite_url, caplog):
    fill_wall(vk, 5)
    vk.walls[OWNER][2]["date"] = "вчера"
    vk.walls[OWNER][3]["text"] = {"not": "text"}
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["vk-sheb"]

    assert report.error is None and report.skipped == 2 and report.inserted == 3
    assert "поле date не число" in caplog.text


def test_a_broken_json_answer_is_retried(vk, tmp_path, sqlite_url):
    fill_wall(vk, 4)
    vk.fail("wall.get", "json")
    vk.fail("wall.get", "http500")
    settings = wall_settings(tmp_path, sqlite_url, vk)
    engine = make_engine(sqlite_url)

    report = collect(settings, engine)["vk-sheb"]

    assert report.error is None and report.inserted == 4
    assert len(vk.calls("wall.get")) == 3
