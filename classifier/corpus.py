"""Labelled posts: reading JSONL, checking labels, the fixed test split, the data hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SECTORS = (
    "housing",
    "waste",
    "roads",
    "transport",
    "energy",
    "education",
    "health",
    "social",
    "improvement",
    "ecology",
    "safety",
    "economy",
    "culture_sport",
    "land_construction",
    "other",
)
RISKS = ("low", "medium", "high", "critical")
TEST_SHARE = 0.2
DATA_DIR = Path(__file__).parent / "data"


class CorpusError(ValueError):
    """A labelled file is malformed or carries labels outside the taxonomy."""


@dataclass(frozen=True)
class LabelledPost:
    """One labelled post; labels are None where the file does not give them."""

    id: str
    text: str
    relevant: bool | None
    sector: str | None = None
    risk: str | None = None
    source: str | None = None
    extra: dict[str, object] = field(default_factory=dict, compare=False)

    @property
    def labels(self) -> tuple[bool | None, str | None, str | None]:
        """(relevant, sector, risk) as the model's `y` row."""
        return (self.relevant, self.sector, self.risk)


def parse_row(row: dict[str, object], where: str) -> LabelledPost:
    """Check one JSON object against the taxonomy and turn it into a `LabelledPost`."""
    if not isinstance(row, dict):
        raise CorpusError(f"{where}: ожидался объект JSON")
    post_id, text = row.get("id"), row.get("text")
    if not isinstance(post_id, str | int) or not isinstance(text, str) or not text.strip():
        raise CorpusError(f"{where}: нужны поля id и непустой text")
    relevant = row.get("relevant")
    if relevant is not None and not isinstance(relevant, bool):
        raise CorpusError(f"{where}: relevant должен быть true или false")
    sector, risk = row.get("sector"), row.get("risk")
    if sector is not None and sector not in SECTORS:
        raise CorpusError(f"{where}: неизвестный сектор {sector!r}")
    if risk is not None and risk not in RISKS:
        raise CorpusError(f"{where}: неизвестный уровень риска {risk!r}")
    if relevant is False and (sector is not None or risk is not None):
        raise CorpusError(f"{where}: у нерелевантного поста sector и risk должны быть null")
    known = {"id", "text", "relevant", "sector", "risk", "source"}
    return LabelledPost(
        id=str(post_id),
        text=text,
        relevant=relevant,
        sector=sector,  # type: ignore[arg-type]
        risk=risk,  # type: ignore[arg-type]
        source=row.get("source") if isinstance(row.get("source"), str) else None,  # type: ignore[arg-type]
        extra={k: v for k, v in row.items() if k not in known},
    )


def json_lines(path: Path | str, error: type[Exception] = CorpusError) -> Iterator[tuple[int, Any]]:
    """(line number, value) of each non-empty line of a JSONL file; an unreadable file or a
    malformed line raises `error` naming the line."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"{path}: файл не читается: {exc}") from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{path}:{number}: неверный JSON: {exc.msg}") from None


def read_jsonl(path: Path | str) -> list[LabelledPost]:
    """Read a labelled JSONL file; any bad line is an error naming the line."""
    return [parse_row(row, f"{path}:{number}") for number, row in json_lines(path)]


def read_many(paths: Iterable[Path | str]) -> list[LabelledPost]:
    """Read several files; an id seen twice is an error."""
    posts: list[LabelledPost] = []
    seen: set[str] = set()
    for path in paths:
        for post in read_jsonl(path):
            if post.id in seen:
                raise CorpusError(f"{path}: id {post.id!r} встречается дважды")
            seen.add(post.id)
            posts.append(post)
    return posts


def stratum(post: LabelledPost) -> str:
    """The label combination the split is stratified over."""
    if not post.relevant:
        return "not_relevant"
    return f"{post.sector}/{post.risk}"


def in_test(post: LabelledPost, share: float = TEST_SHARE) -> bool:
    """Whether a post belongs to the fixed test split.

    Decided by a hash of the id alone, so a row keeps its side forever and rows added
    later fall deterministically on one side; with thousands of rows every label
    combination gets close to `share` of its rows in test.
    """
    digest = hashlib.sha256(f"otklik-split:{post.id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


def split(posts: Sequence[LabelledPost]) -> tuple[list[LabelledPost], list[LabelledPost]]:
    """(train, test) by the fixed hash split."""
    train = [p for p in posts if not in_test(p)]
    test = [p for p in posts if in_test(p)]
    return train, test


def data_hash(posts: Sequence[LabelledPost]) -> str:
    """sha256 over ids, texts and labels in a stable order: names the training data."""
    digest = hashlib.sha256()
    for post in sorted(posts, key=lambda p: p.id):
        digest.update(json.dumps([post.id, post.text, *post.labels], ensure_ascii=False).encode())
    return digest.hexdigest()


def project_files() -> list[Path]:
    """The project's own corpus files, in a stable order."""
    return sorted((DATA_DIR / "parts").glob("*.jsonl"))
