"""The demo: the shipped sample made into a plausible month of a centre's work.

The sample is one week of posts. The demo stores it as the present week and, from the same
texts, four earlier weeks (with few posts about heat and water, so that this week's outages
stand out as growth); then it plays the officers' part on the older incidents — interim and final
answers, mostly on time, some late, a few rejections — so that every page and the weekly
note show something real: the rating, growth, problems, the on-time shares.
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from monitor.context import Context
from monitor.incidents import service
from monitor.ingest import IngestReport, ingest_file, read_jsonl
from monitor.store.tables import incidents

HISTORY_WEEKS = 4
# Of the earlier weeks, this share of the sample's posts is kept; posts about housing (heat,
# water, management companies) are rare there, so this week's outages stand out as growth.
KEPT_SHARE = 0.85
GROWING_TOPIC = re.compile(
    r"отоплен|батаре|котельн|горяч|тепл[оа]\b|вод[аыуо]|водоканал|напор|управля|подъезд|"
    r"крыш|канализ|труб|жкх|\bук\b|тсж|квартир|аварийн|балкон|холодн|сухо|ржав|жилинспек",
    re.I,
)
# This many days before the moment of the demo the officers have not got to yet.
OPEN_DAYS = 2
OFFICER = "demo:оператор"
INTERIM_TEXT = "Здравствуйте! Обращение принято в работу, специалисты выехали на место."
FINAL_TEXT = "Здравствуйте! Проблема устранена, спасибо за сигнал. Если повторится, напишите."


@dataclass
class DemoReport:
    """What the demo stored and did."""

    present: IngestReport
    history: IngestReport
    answered: int = 0
    rejected: int = 0


def sample_path() -> Path:
    """The shipped sample of posts (one week)."""
    return Path(str(resources.files("monitor") / "sample" / "posts.jsonl"))


def _share(key: str) -> float:
    """A stable number in [0, 1) for a key: the demo is the same on every run."""
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) / 16**8


def _thread_root(post: dict) -> str:
    return post.get("parent_id") or post.get("repost_of") or post["id"]


def _history_lines(sample: Path, shift: timedelta) -> Iterator[str]:
    """The sample's lines as earlier weeks: new ids, threads kept, times moved back.

    A thread (a post with its comments and reposts) about housing is left out of the
    earlier weeks whole, so that this week's outages are new.
    """
    posts = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines() if line]
    growing = {_thread_root(post) for post in posts if GROWING_TOPIC.search(post["text"])}
    for weeks in range(1, HISTORY_WEEKS + 1):
        suffix = f"~w{weeks}"
        for original in posts:
            if _thread_root(original) in growing or _share(original["id"] + suffix) >= KEPT_SHARE:
                continue
            post = dict(original)
            for key in ("id", "parent_id", "repost_of"):
                if post.get(key):
                    post[key] = post[key] + suffix
            if post.get("url"):
                post["url"] = f"{post['url']}#{suffix[1:]}"
            moment = datetime.fromisoformat(post["published_at"]) + shift
            post["published_at"] = (moment - timedelta(weeks=weeks)).isoformat()
            yield json.dumps(post, ensure_ascii=False)


def store_sample(ctx: Context) -> DemoReport:
    """Store the sample week (ending an hour ago) and its four earlier weeks."""
    path = sample_path()
    newest = max(record.published_at for record in read_jsonl(path))
    shift = timedelta(seconds=round(((ctx.now() - timedelta(hours=1)) - newest).total_seconds()))
    present = ingest_file(ctx.db, path, replay=True, shift=shift, now=ctx.now())
    with tempfile.TemporaryDirectory() as folder:
        history_file = Path(folder) / "posts.jsonl"
        history_file.write_text("\n".join(_history_lines(path, shift)) + "\n", encoding="utf-8")
        history = ingest_file(ctx.db, history_file, replay=True, now=ctx.now())
    return DemoReport(present=present, history=history)


def play_officers(ctx: Context, report: DemoReport) -> None:
    """Answer the incidents of the earlier weeks as a centre would; leave the rest open.

    Each incident's fate follows from its id, so a second run does the same (and finds
    nothing left to do: answered incidents are not answered again).
    """
    open_since = ctx.now() - timedelta(days=OPEN_DAYS)
    with ctx.db.connect() as connection:
        rows = connection.execute(
            select(
                incidents.c.id,
                incidents.c.status,
                incidents.c.created_at,
                incidents.c.first_response_due,
                incidents.c.final_answer_due,
            ).where(incidents.c.status.in_(("new", "assigned")))
        ).all()
    for row in rows:
        fate = _share(f"incident-{row.id}")
        recent = row.created_at >= open_since
        if (recent and fate < 0.55) or not row.first_response_due:
            continue  # this week's work is still open
        if fate > 0.94:
            service.reject(
                ctx.db,
                row.id,
                actor=OFFICER,
                now=row.created_at + timedelta(hours=2),
                reason="не обращение жителя",
            )
            report.rejected += 1
            continue
        # Most answers come within the deadline, some after it (the rating must differ).
        late = 1.6 if fate > 0.8 else 0.3 + fate * 0.8
        first = row.created_at + (row.first_response_due - row.created_at) * late
        final_due = row.final_answer_due or first + timedelta(days=7)
        final = first + (final_due - first) * (1.2 if late > 1 else 0.05 + fate * 0.5)
        if first >= ctx.now():
            continue
        service.answer(
            ctx.db,
            row.id,
            INTERIM_TEXT,
            interim=True,
            actor=OFFICER,
            now=first,
            settings=ctx.settings,
        )
        if final >= ctx.now() or recent:
            report.answered += 1
            continue
        service.answer(
            ctx.db,
            row.id,
            FINAL_TEXT,
            interim=False,
            actor=OFFICER,
            now=final,
            settings=ctx.settings,
        )
        service.close(ctx.db, row.id, actor=OFFICER, now=final + timedelta(hours=1))
        report.answered += 1
