"""Ingest at the edge: every line the store cannot take is refused with its reason, once.

The probes are the inputs that once ended in tracebacks (issue 19); the property test feeds
arbitrary JSON to `ingest` on both databases.
"""

from __future__ import annotations

import json
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from monitor.errors import InputError
from monitor.ingest import ingest_file
from monitor.records import record_from_dict
from monitor.store import make_engine
from monitor.store.tables import pending_posts, posts, reach_history, sources
from tests.helpers import run_cli

GOOD = '{"id": "ok:1", "text": "Нет воды", "published_at": "2026-11-16T10:00:00+03:00"}'
# (JSON text of the bad line, a word its reason must contain)
PROBES = {
    "views 1e400": ('{"id": "b", "text": "t", "reach": {"views": 1e400}}', "reach.views"),
    "views 10**30": (
        '{"id": "b", "text": "t", "reach": {"likes": ' + str(10**30) + "}}",
        "reach.likes",
    ),
    "views fractional": ('{"id": "b", "text": "t", "reach": {"views": 12.5}}', "целое"),
    "audience 10**25": (
        '{"id": "b", "text": "t", "author": {"audience": ' + str(10**25) + "}}",
        "audience",
    ),
    "published 1e20": ('{"id": "b", "text": "t", "published_at": 1e20}', "published_at"),
    "published -1e12": ('{"id": "b", "text": "t", "published_at": -1e12}', "published_at"),
    "published NaN": ('{"id": "b", "text": "t", "published_at": NaN}', "published_at"),
    "published 9999": (
        '{"id": "b", "text": "t", "published_at": "9999-12-31T23:59:59-12:00"}',
        "published_at",
    ),
    "published 0001": (
        '{"id": "b", "text": "t", "published_at": "0001-01-01T00:00:00+05:00"}',
        "published_at",
    ),
    "published 1969": ('{"id": "b", "text": "t", "published_at": -100}', "1970"),
    "id of 5000 digits": ('{"id": %s, "text": "t"}' % ("7" * 5000), "число"),
    "string id of 5000 digits": ('{"id": "%s", "text": "t"}' % ("7" * 5000), "id"),
    "nested deep": (
        '{"id": "b", "text": "t", "x": ' + "[" * 100_000 + "]" * 100_000 + "}",
        "вложен",
    ),
    "nested 70": ('{"id": "b", "text": "t", "x": ' + "[" * 70 + "]" * 70 + "}", "вложен"),
    "markup id": ('{"id": "[/]", "text": 5}', "[/]"),
    "NUL in url": ('{"id": "b", "text": "t", "url": "http://x/\\u0000"}', "url"),
    "NUL in author id": ('{"id": "b", "text": "t", "author": {"id": "a\\u0000"}}', "author.id"),
    "NUL in territory": ('{"id": "b", "text": "t", "territory": "Ш\\u0000"}', "territory"),
    "NUL in source name": ('{"id": "b", "text": "t", "source_name": "s\\u0000"}', "source_name"),
    "long source name": ('{"id": "b", "text": "t", "source_name": "%s"}' % ("s" * 201), "200"),
    "long url": ('{"id": "b", "text": "t", "url": "http://x/%s"}' % ("u" * 1000), "1000"),
    "surrogate id": ('{"id": "\\ud800", "text": "t"}', "id"),
}
# Values the store takes once they are cleaned: the line is stored, not refused.
CLEANED = {
    "surrogate text": ('{"id": "c", "text": "a\\ud800b"}', "a\ufffdb"),
    "NUL in author name": ('{"id": "c", "text": "t", "author": {"name": "И\\u0000ра"}}', "t"),
    "NUL in text": ('{"id": "c", "text": "т\\u0000екст"}', "текст"),
    "infinity in an unknown field": ('{"id": "c", "text": "t", "extra": -1e999}', "t"),
    "whole float counter": ('{"id": "c", "text": "t", "reach": {"views": 12.0}}', "t"),
}


def _file(tmp_path, *lines: str, name: str = "posts.jsonl"):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8", errors="surrogatepass")
    return path


def _stored(url: str) -> list:
    engine = make_engine(url)
    with engine.connect() as connection:
        rows = connection.execute(
            select(
                posts.c.external_id, posts.c.text, posts.c.views, posts.c.author_name, posts.c.raw
            )
        ).all()
    engine.dispose()
    return rows


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_a_bad_line_is_refused_with_its_reason_and_skipped_with_skip_bad(tmp_path, db_url, probe):
    line, reason = PROBES[probe]
    path = _file(tmp_path, GOOD, line)
    engine = make_engine(db_url)
    with pytest.raises(InputError, match="строка 2") as refused:
        ingest_file(engine, path)
    assert reason in str(refused.value)
    assert _stored(db_url) == []  # all or nothing
    report = ingest_file(engine, path, skip_bad=True)
    engine.dispose()
    assert report.stored.inserted == 1 and [n for n, _ in report.skipped] == [2]
    assert reason in report.skipped[0][1]
    assert [row.external_id for row in _stored(db_url)] == ["ok:1"]


@pytest.mark.parametrize("probe", sorted(CLEANED))
def test_values_the_store_cannot_hold_are_cleaned(tmp_path, db_url, probe):
    line, text = CLEANED[probe]
    engine = make_engine(db_url)
    report = ingest_file(engine, _file(tmp_path, line))
    engine.dispose()
    [row] = _stored(db_url)
    assert report.stored.inserted == 1 and row.text == text
    assert "\x00" not in (row.author_name or "")


def test_markup_in_reasons_and_file_names_is_printed_as_it_is(tmp_path, capsys, sqlite_url):
    path = _file(tmp_path, '{"id": "[/]", "text": 5}', name="[/]y.jsonl")
    refused = run_cli(capsys, "ingest", str(path), "--database", sqlite_url)
    assert refused.code == 1 and "Traceback" not in refused.err
    assert "[/]: нет текста" in refused.err and "[/]y.jsonl" in refused.err
    skipped = run_cli(capsys, "ingest", str(path), "--database", sqlite_url, "--skip-bad")
    assert skipped.code == 0 and "[/]: нет текста" in skipped.out


def test_the_cli_skips_every_probe_line_and_keeps_the_good_ones(tmp_path, capsys, sqlite_url):
    path = _file(tmp_path, GOOD, *(line for line, _ in PROBES.values()))
    result = run_cli(capsys, "ingest", str(path), "--database", sqlite_url, "--skip-bad")
    assert result.code == 0, result.err
    assert "новых 1" in result.out and f"пропущено строк {len(PROBES)}" in result.out


# Arbitrary JSON: objects shaped like records with wild values, and anything else.
scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
ids = st.text(alphabet=string.ascii_letters + string.digits + ":_-", min_size=1, max_size=12)
records = st.fixed_dictionaries(
    {"id": ids | values, "text": st.text(max_size=40) | values},
    optional={
        "published_at": values
        | st.datetimes(timezones=st.timezones()).map(lambda d: d.isoformat()),
        "reach": st.dictionaries(
            st.sampled_from(["views", "likes", "reposts", "comments"]), values
        ),
        "author": st.fixed_dictionaries(
            {}, optional={"id": values, "name": values, "audience": values}
        )
        | values,
        "url": values,
        "territory": values,
        "parent_id": values,
        "source_name": values,
        "source": values,
    },
)
lines = st.lists(
    records.map(json.dumps) | values.map(json.dumps) | st.text(max_size=20), max_size=8
)


def _accepted(line: str):
    try:
        return record_from_dict(json.loads(line))
    except Exception:  # noqa: BLE001  (anything refused here must be skipped by ingest)
        return None


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(lines)
def test_arbitrary_json_never_crashes_ingest(tmp_path_factory, db_url, batch):
    path = tmp_path_factory.mktemp("h") / "any.jsonl"
    path.write_text("\n".join(batch) + "\n", encoding="utf-8", errors="surrogatepass")
    engine = make_engine(db_url)
    try:
        with engine.begin() as connection:  # each example starts from an empty store
            for table in (reach_history, pending_posts, posts, sources):
                connection.execute(table.delete())
        first = ingest_file(engine, path, skip_bad=True, source_name="any")
        again = ingest_file(engine, path, skip_bad=True, source_name="any")
        with engine.connect() as connection:
            stored = connection.execute(select(func.count()).select_from(posts)).scalar_one()
    finally:
        engine.dispose()
    good = [_accepted(line) for line in batch if line.strip()]
    expected_ids = {record.external_id for record in good if record is not None}
    assert stored == first.stored.inserted == len(expected_ids)
    assert again.stored.inserted == 0
    blank = sum(1 for line in batch if not line.strip() or "\n" in line)
    assert first.read + len(first.skipped) >= len(batch) - blank
