"""Train and check the reaction model on real text; write the package and print its figures.

    python -m classifier.satisfaction_train --portal ../shared/datasets/spb_portal.jsonl \
        --labels classifier/data/real/satisfaction_vk_stav.jsonl --out models/satisfaction

Data: the city portal's follow-ups (a resident answering an official reply: not satisfied),
and our labels of VK comments (satisfied / not satisfied / no clear reaction). Every figure is
on text the model did not train on: portal follow-ups of held-out districts plus a held-out
third of the VK labels (by a hash of the id); and across sources: a model trained on the VK
labels alone, scored on every portal follow-up.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from sklearn.metrics import classification_report, confusion_matrix

from classifier.satisfaction import LABELS, ReactionModel, fit, save

HELD_OUT_DISTRICTS = ("Выборгский", "Калининский", "Приморский", "Фрунзенский")


@dataclass(frozen=True)
class Example:
    """One labelled text and where it came from."""

    text: str
    label: str
    source: str
    group: str  # district for the portal, hash bucket for VK


def portal_followups(path: Path) -> list[Example]:
    """Residents' follow-ups after an official answer: all dissatisfied."""
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            for followup in record.get("followups") or []:
                text = (followup.get("text") or "").strip()
                if text:
                    found.append(
                        Example(text, "not_satisfied", "spb_portal", record.get("district") or "")
                    )
    return found


def vk_labels(path: Path) -> list[Example]:
    """Our labels of VK comments (classifier/data/real/README.md)."""
    found = []
    with path.open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            bucket = int(hashlib.sha256(row["id"].encode()).hexdigest(), 16) % 3
            found.append(Example(row["text"], row["label"], "vk_stav", f"bucket{bucket}"))
    return found


def held_out(example: Example) -> bool:
    """Whether an example is in the test side of the main hold-out."""
    if example.source == "spb_portal":
        return example.group in HELD_OUT_DISTRICTS
    return example.group == "bucket0"


def report(model: ReactionModel, test: list[Example], min_probability: float) -> dict:
    """Per-class precision, recall and F1 with the confusion matrix, on `test`."""
    predicted = [r.verdict for r in model.read([e.text for e in test], min_probability)]
    gold = [e.label for e in test]
    labels = [label for label in LABELS if label in set(gold) | set(predicted)]
    result = classification_report(
        gold, predicted, labels=labels, output_dict=True, zero_division=0
    )
    result["confusion"] = {
        "labels": labels,
        "matrix": confusion_matrix(gold, predicted, labels=labels).tolist(),
    }
    result["n"] = dict(Counter(gold))
    return result


def _print(title: str, result: dict) -> None:
    print(f"\n{title} (n={result['n']})")
    for label in result["confusion"]["labels"]:
        row = result.get(label, {})
        print(
            f"  {label:14s} P {row.get('precision', 0):.3f}  R {row.get('recall', 0):.3f}"
            f"  F1 {row.get('f1-score', 0):.3f}  support {int(row.get('support', 0))}"
        )
    print(f"  macro F1 {result['macro avg']['f1-score']:.3f}; confusion {result['confusion']}")


def main() -> None:
    """Hold-out figures, then the shipped model trained on everything."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--portal", type=Path, default=Path("../shared/datasets/spb_portal.jsonl"))
    parser.add_argument(
        "--labels", type=Path, default=Path("classifier/data/real/satisfaction_vk_stav.jsonl")
    )
    parser.add_argument("--out", type=Path, default=Path("models/satisfaction"))
    parser.add_argument("--min-probability", type=float, default=0.55)
    args = parser.parse_args()

    portal, vk = portal_followups(args.portal), vk_labels(args.labels)
    everything = portal + vk
    train = [e for e in everything if not held_out(e)]
    test = [e for e in everything if held_out(e)]
    started = time.perf_counter()
    model = fit([e.text for e in train], [e.label for e in train])
    main_report = report(model, test, args.min_probability)
    _print(
        "Held out: portal districts " + ", ".join(HELD_OUT_DISTRICTS) + " + VK third", main_report
    )
    vk_test = report(model, [e for e in test if e.source == "vk_stav"], args.min_probability)
    _print("Held out: VK third only", vk_test)

    vk_only = fit([e.text for e in vk], [e.label for e in vk])
    cross = report(vk_only, portal, args.min_probability)
    _print("Across sources: trained on VK labels only, scored on every portal follow-up", cross)

    final = fit([e.text for e in everything], [e.label for e in everything])
    elapsed = time.perf_counter() - started
    texts = [e.text for e in everything]
    started = time.perf_counter()
    final.read(texts, args.min_probability)
    speed = len(texts) / (time.perf_counter() - started)
    print(f"\nTraining and checks: {elapsed:.1f} s; reading: {speed:,.0f} texts/s")
    data_hash = hashlib.sha256(args.labels.read_bytes()).hexdigest()
    save(
        final,
        args.out,
        {
            "trained_on": {
                "spb_portal_followups": len(portal),
                "vk_stav_labels": dict(Counter(e.label for e in vk)),
            },
            "labels_sha256": data_hash,
            "min_probability": args.min_probability,
            "held_out": {
                "districts": list(HELD_OUT_DISTRICTS),
                "vk": "bucket0 of sha256(id) % 3",
                "report": main_report,
                "vk_only": vk_test,
                "across_sources": cross,
            },
        },
    )
    print(f"Written: {args.out}")


if __name__ == "__main__":
    main()
