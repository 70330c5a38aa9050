"""The analysts' loop from the CLI, on both databases: ingest → process → suggest → import
labels → train from the database → evaluate → promote → process with the new model →
rollback."""

from __future__ import annotations

import json

from sqlalchemy import select

from monitor.store import make_engine
from monitor.store.tables import classifications, events, labels, models
from tests.classifier_helpers import sample_file  # noqa: F401  (fixture)
from tests.conftest import CONFIG
from tests.helpers import run_cli
from tests.loop_helpers import NOW, PERIOD, SAMPLE, cli, processed, suggested, write_labels


def _versions(db_url: str) -> set[str]:
    engine = make_engine(db_url)
    with engine.connect() as connection:
        found = set(connection.execute(select(classifications.c.model_version)).scalars())
    engine.dispose()
    return found


def test_the_whole_loop(capsys, db_url, tmp_path, sample_file):  # noqa: F811
    processed(capsys, db_url)
    shipped = _versions(db_url)
    assert len(shipped) == 1

    audit = suggested(capsys, db_url, "audit", 120)
    assert len(audit) == 120
    assert {item["stratum"] for item in audit} == {"accepted", "rejected"}
    uncertain = suggested(capsys, db_url, "uncertain", 30)
    assert uncertain and all(item["model"]["relevance_proba"] is not None for item in uncertain)
    file = write_labels(tmp_path / "labels.jsonl", audit + uncertain)
    first = cli(capsys, db_url, "labels", "import", str(file), "--actor", "analyst")
    stored = int(first.out.split("сохранено ")[1].split(",")[0])
    assert stored > 100
    again = cli(capsys, db_url, "labels", "import", str(file), "--actor", "analyst")
    assert "сохранено 0" in again.out
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert len(connection.execute(select(labels.c.id)).all()) == stored
    # Labelled posts leave the queue: the next audit posts are new ones.
    later = suggested(capsys, db_url, "audit", 10)
    assert not {item["id"] for item in later} & {item["id"] for item in audit}

    stats = json.loads(cli(capsys, db_url, "review", "stats", "--json", *PERIOD).out)
    assert stats["audit"]["accepted"]["labelled"] + stats["audit"]["rejected"]["labelled"] == 120
    recall = stats["audit"]["recall"]
    assert recall["low"] <= recall["estimate"] <= recall["high"]
    assert "Полнота" in cli(capsys, db_url, "review", "stats", *PERIOD).out

    out = tmp_path / "centre1"
    trained = cli(
        capsys,
        db_url,
        "train",
        "--from-database",
        "--data",
        str(sample_file),
        "--out",
        str(out),
        "--cv",
        "2",
    )
    assert "Модель зарегистрирована: centre1" in trained.out
    meta = json.loads((out / "meta.json").read_text(encoding="utf-8"))
    centre = meta["data"]["centre"]
    assert centre["rows"] > 0 and centre["held_for_check"] > 0 and centre["weight"] == 10.0

    evaluated = json.loads(cli(capsys, db_url, "models", "evaluate", "centre1", "--json").out)
    assert evaluated["model"]["n"] == evaluated["in_use"]["n"] > 0
    assert evaluated["in_use"]["model_version"] in shipped

    listed = json.loads(cli(capsys, db_url, "models", "list", "--json").out)
    assert [m["name"] for m in listed["models"]] == ["centre1"]
    assert listed["models"][0]["check"]["n"] == evaluated["model"]["n"]

    base = ("--config", str(CONFIG), "--database", db_url)
    candidate_f1 = evaluated["model"]["f1"] or 0.0
    if candidate_f1 < (evaluated["in_use"]["f1"] or 0.0):
        refused = run_cli(capsys, "models", "promote", "centre1", *base)
        assert refused.code == 1 and "хуже используемой" in refused.err
    no_reason = run_cli(capsys, "models", "promote", "centre1", "--force", *base)
    assert no_reason.code == 1 and "--reason" in no_reason.err
    cli(
        capsys,
        db_url,
        "models",
        "promote",
        "centre1",
        "--force",
        "--reason",
        "проверка цикла",
        "--actor",
        "analyst",
    )
    with engine.connect() as connection:
        row = connection.execute(select(models)).one()
        assert row.promoted_by == "analyst"
        event = connection.execute(select(events).where(events.c.kind == "model_promoted")).one()
        assert event.payload["reason"] == "проверка цикла" and event.payload["forced"]

    reused = run_cli(
        capsys, "train", "--from-database", "--data", str(sample_file), "--out",
        str(tmp_path / "elsewhere" / "centre1"), "--cv", "0", *base,
    )  # fmt: skip
    assert reused.code == 1 and "другое имя" in reused.err

    new_posts = tmp_path / "new.jsonl"
    rows = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()[:20]]
    new_posts.write_text(
        "".join(
            json.dumps(
                {**r, "id": r["id"] + "-new", "parent_id": None, "repost_of": None},
                ensure_ascii=False,
            )
            + "\n"
            for r in rows
        ),
        encoding="utf-8",
    )
    cli(capsys, db_url, "ingest", str(new_posts))
    cli(capsys, db_url, "process", "--now", NOW)
    assert _versions(db_url) == shipped | {meta["model_version"]}

    threshold = json.loads(
        cli(capsys, db_url, "models", "threshold", "centre1", "--recall", "0.9", "--json").out
    )
    assert threshold["recall"] >= 0.9 and 0 < threshold["threshold"] < 1
    # One stream's threshold (the sample's posts are all the community stream), audited too.
    community = json.loads(
        cli(capsys, db_url, "models", "threshold", "centre1", "--recall", "0.5",
            "--stream", "community", "--json").out
    )  # fmt: skip
    assert community["stream"] == "community" and community["recall"] >= 0.5
    listed = json.loads(cli(capsys, db_url, "models", "list", "--json").out)
    assert listed["models"][0]["stream_thresholds"] == {"community": community["threshold"]}
    assert listed["streams"]["community"] == {
        "threshold": community["threshold"],
        "origin": "registry",
    }
    # Streams without their own threshold read at the model's; config.yaml names official.
    assert listed["streams"]["news"] == {"threshold": threshold["threshold"], "origin": "model"}
    assert listed["streams"]["official"] == {"threshold": 0.3, "origin": "config"}
    assert "сообщества (community)" in cli(capsys, db_url, "models", "list").out
    unknown = run_cli(
        capsys, "models", "threshold", "centre1", "--recall", "0.5", "--stream", "groups", *base
    )
    assert unknown.code == 1 and "неизвестный поток 'groups'" in unknown.err
    cleared = cli(capsys, db_url, "models", "threshold", "centre1", "--clear",
                  "--stream", "community").out  # fmt: skip
    assert "снят" in cleared
    listed = json.loads(cli(capsys, db_url, "models", "list", "--json").out)
    assert listed["streams"]["community"] == listed["streams"]["news"]
    neither = run_cli(capsys, "models", "threshold", "centre1", *base)
    assert neither.code == 1 and "либо --recall, либо --clear" in neither.err

    back = cli(capsys, db_url, "models", "rollback")
    assert "models/default" in back.out
    with engine.connect() as connection:
        assert connection.execute(select(models.c.promoted_at)).scalar_one() is None
        kinds = set(connection.execute(select(events.c.kind)).scalars())
    assert {"model_promoted", "model_threshold", "model_rolled_back"} <= kinds
    nothing = run_cli(capsys, "models", "rollback", *base)
    assert nothing.code == 1 and "Нечего откатывать" in nothing.err
    engine.dispose()
