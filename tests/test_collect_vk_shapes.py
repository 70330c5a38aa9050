"""VK responses as real walls and searches give them: reposted comments, removed originals,
signed community posts and ads, on the wall and in `newsfeed.search`."""

from __future__ import annotations

import pytest
from collect_servers.harness import collect, make_settings, now_ts, stored
from collect_servers.vk import (
    TOKEN,
    Thread,
    VkServer,
    comment,
    post,
    removed_original,
    reposted_comment,
)

from monitor.store import make_engine

GROUP = 41234567
OWNER = -GROUP
OTHER = -777
RESIDENT = 183456


@pytest.fixture
def vk(monkeypatch):
    """A VK server with two communities and one resident."""
    monkeypatch.setenv("OTKLIK_VK_TOKEN", TOKEN)
    with VkServer() as server:
        server.add_group(GROUP, "Подслушано Шебекино", 38700)
        server.add_group(-OTHER, "Новости района", 5000)
        server.add_profile(RESIDENT, "Ирина", "Ковалёва", followers=312)
        yield server


def _settings(tmp_path, url, server, source):
    collectors = {"vk": {"base_url": server.url + "/method/"}, "comments_per_post": 100}
    return make_settings(tmp_path, url, [source], collectors)


WALL = {"name": "vk-sheb", "kind": "vk", "address": str(GROUP), "territory": "Шебекино"}


def test_wall_shapes_are_stored_as_what_they_are(vk, tmp_path, db_url):
    at = now_ts() - 600
    # post 5 of the other community has comment 90, which post 1 of our wall reposts
    vk.walls[OTHER].append(post(OTHER, 5, at - 500, "Новость о ремонте", comments=1))
    vk.threads[(OTHER, 5)].append(Thread(comment(90, RESIDENT, at - 400, "А у нас воды нет")))
    vk.walls[OWNER] += [
        post(
            OWNER,
            1,
            at,
            "Смотрите, что пишут",
            copy_history=[reposted_comment(OTHER, 5, 90, RESIDENT, at - 400, "А у нас воды нет")],
        ),
        post(OWNER, 2, at + 1, "Репост удалённого", copy_history=[removed_original(OTHER, 6)]),
        post(OWNER, 3, at + 2, "Во дворе яма, не проехать", signer_id=RESIDENT),
        post(OWNER, 4, at + 3, "Скидки на окна! Звоните", ads=True),
    ]
    settings = _settings(tmp_path, db_url, vk, WALL)
    engine = make_engine(db_url)

    report = collect(settings, engine)["vk-sheb"]
    posts = stored(engine)
    engine.dispose()

    reply_id = f"vk:{OTHER}_5_c_90"
    assert set(posts) == {reply_id, f"vk:{OWNER}_1", f"vk:{OWNER}_2", f"vk:{OWNER}_3"}
    # the reposted comment is the comment, with its parent post and a link that exists
    reply = posts[reply_id]
    assert reply.parent_external_id == f"vk:{OTHER}_5"
    assert reply.url == f"https://vk.com/wall{OTHER}_5?reply=90"
    assert posts[f"vk:{OWNER}_1"].repost_of_external_id == reply_id
    # a removed original is no phantom from 1970: the repost points at nothing
    assert posts[f"vk:{OWNER}_2"].repost_of_external_id is None
    assert posts[f"vk:{OWNER}_2"].raw["repost_of_unavailable"][0]["id"] == 6
    assert all(row.published_at.year > 2000 and row.author_id != "vk:0" for row in posts.values())
    # a signed post is the resident's
    signed = posts[f"vk:{OWNER}_3"]
    assert (signed.author_id, signed.author_name) == (f"vk:{RESIDENT}", "Ирина Ковалёва")
    # the advertisement is skipped with its reason
    assert report.skipped == 1 and report.status == "active"


def test_search_replies_and_ads(vk, tmp_path, db_url):
    at = now_ts() - 600
    vk.search_posts += [
        reposted_comment(OTHER, 5, 91, RESIDENT, at, "На Ленина прорыв трубы"),
        {**reposted_comment(OTHER, 5, 92, RESIDENT, at, "прорыв без поста"), "post_id": None},
        post(OTHER, 7, at, "прорыв трубы: реклама сантехника", ads=True),
        post(OTHER, 8, at, "Прорыв на Садовой", signer_id=RESIDENT),
    ]
    source = {"name": "vk-search", "kind": "vk", "keywords": ["прорыв"], "territory": "Шебекино"}
    settings = _settings(tmp_path, db_url, vk, source)
    engine = make_engine(db_url)

    report = collect(settings, engine)["vk-search"]
    posts = stored(engine)
    engine.dispose()

    assert set(posts) == {f"vk:{OTHER}_5_c_91", f"vk:{OTHER}_8"}
    assert posts[f"vk:{OTHER}_5_c_91"].parent_external_id == f"vk:{OTHER}_5"
    assert posts[f"vk:{OTHER}_8"].author_id == f"vk:{RESIDENT}"
    assert report.skipped == 2 and report.status == "active"
