"""Real residents' text for training and checks: the public sets and the team's own labels.

The public sets live outside the project (`../shared/datasets`, or `OTKLIK_DATASETS`); the
team's labels of the VK community pool are in `classifier/data/real/`. Samples are drawn by
a hash of the row id, so every run (training, the bench, the tests) sees the same rows.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from classifier.corpus import DATA_DIR, LabelledPost, read_jsonl

REAL_DIR = DATA_DIR / "real"
VK_LABELS = REAL_DIR / "vk_stav_labels.jsonl"
SPB, KZ, TELEGRAM, VK = "spb_portal", "kz_complaints", "telegram_news_negatives", "vk_stav"
SPB_EVAL = 3000  # the fixed spb rows every check scores on; never trained on
# Districts whose rows are held out together (the district check): about a seventh of spb.
HELD_DISTRICTS = ("Василеостровский", "Петроградский", "Курортный", "Кронштадтский")


def datasets_dir(path: Path | str | None = None) -> Path:
    """The folder of the public sets: `path`, else $OTKLIK_DATASETS, else ../shared/datasets."""
    if path is not None:
        return Path(path)
    env = os.environ.get("OTKLIK_DATASETS")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "datasets"


def fraction(key: str, salt: str) -> float:
    """A stable number in [0, 1) from a row id: the order samples are drawn in."""
    digest = hashlib.sha256(f"{salt}:{key}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def spb_eval_ids(posts: Sequence[LabelledPost], n: int = SPB_EVAL) -> set[str]:
    """Ids of the fixed spb evaluation rows: the `n` first by hash."""
    ordered = sorted(posts, key=lambda p: fraction(p.id, "spb-eval"))
    return {p.id for p in ordered[:n]}


def balanced_sample(
    posts: Sequence[LabelledPost], n: int, key: str = "reason", salt: str = "spb-train"
) -> list[LabelledPost]:
    """About `n` rows with every value of `extra[key]` given an equal share where it can fill
    it (rare values keep all their rows, the rest is shared among the large ones)."""
    groups: dict[str, list[LabelledPost]] = defaultdict(list)
    for post in sorted(posts, key=lambda p: fraction(p.id, salt)):
        groups[str(post.extra.get(key))].append(post)
    sizes = {name: len(rows) for name, rows in groups.items()}
    left, open_groups, caps = n, sorted(sizes, key=sizes.get), {}
    while open_groups:
        share = left // len(open_groups)
        name = open_groups[0]
        if sizes[name] <= share:
            caps[name] = sizes[name]
            left -= sizes[name]
            open_groups.pop(0)
        else:
            for name in open_groups:
                caps[name] = share
            break
    return [post for name, rows in groups.items() for post in rows[: caps.get(name, 0)]]


@dataclass
class RealSets:
    """Every real labelled set, split the way training and checks use them."""

    spb_train: list[LabelledPost]  # balanced by reason, outside the fixed evaluation rows
    spb_eval: list[LabelledPost]
    kz: list[LabelledPost]
    telegram: list[LabelledPost]
    vk: list[LabelledPost]  # the team's labels (empty until they exist)
    spb_districts: list[LabelledPost] = field(default_factory=list)  # held districts' rows

    def spb_held_districts(self) -> tuple[list[LabelledPost], list[LabelledPost]]:
        """(training rows outside the held districts, scored rows inside them)."""
        held = set(HELD_DISTRICTS)
        train = [p for p in self.spb_train if p.extra.get("district") not in held]
        return train, self.spb_districts


def load_real(
    folder: Path | str | None = None,
    spb_rows: int = 10_000,
    vk_labels: Path | str | None = VK_LABELS,
    spb_eval: int = SPB_EVAL,
) -> RealSets:
    """Read the public sets and the team's labels; sample spb for training and checks."""
    folder = datasets_dir(folder)
    spb = read_jsonl(folder / f"{SPB}.jsonl")
    held = spb_eval_ids(spb, spb_eval)
    scored = [p for p in spb if p.id in held]
    pool = [p for p in spb if p.id not in held]
    vk: list[LabelledPost] = []
    if vk_labels is not None and Path(vk_labels).is_file():
        vk = read_jsonl(vk_labels)
    in_held = sorted(
        (p for p in spb if p.extra.get("district") in HELD_DISTRICTS),
        key=lambda p: fraction(p.id, "spb-eval"),
    )
    return RealSets(
        spb_train=balanced_sample(pool, spb_rows),
        spb_eval=scored,
        spb_districts=in_held[:spb_eval],
        kz=read_jsonl(folder / f"{KZ}.jsonl"),
        telegram=read_jsonl(folder / f"{TELEGRAM}.jsonl"),
        vk=vk,
    )


def blocks(posts: Iterable[LabelledPost]) -> list[int]:
    """The `block` of every post (50 consecutive pool rows: the thread/author grouping)."""
    return [int(post.extra.get("block", -1)) for post in posts]  # type: ignore[call-overload]
