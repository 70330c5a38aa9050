"""How consistently the vk_stav labels were made: the first pass against a blind second pass.

    python bench/label_consistency.py

The second pass (`classifier/data/real/vk_stav_second_pass.jsonl`) relabelled 360 rows
without seeing the first labels: 300 drawn at random from the 3,251 labelled rows and 60
more drawn from the first pass's signals (so that sector and risk agreement rest on more
than the handful of signals a random sample holds). Printed: raw agreement and Cohen's kappa
on relevance, and agreement on sector and risk where both passes call the row a signal.
"""

from __future__ import annotations

import json
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "classifier" / "data" / "real"


def _read(path: Path) -> dict[str, dict]:
    with path.open(encoding="utf-8") as lines:
        return {row["id"]: row for row in map(json.loads, lines)}


def agreement(first: dict[str, dict], second: dict[str, dict], ids: list[str]) -> dict:
    """Relevance agreement and kappa; sector and risk agreement on rows both call signals."""
    both = sum(first[i]["relevant"] and second[i]["relevant"] for i in ids)
    first_only = sum(first[i]["relevant"] and not second[i]["relevant"] for i in ids)
    second_only = sum(second[i]["relevant"] and not first[i]["relevant"] for i in ids)
    n = len(ids)
    observed = (n - first_only - second_only) / n
    p_first, p_second = (both + first_only) / n, (both + second_only) / n
    expected = p_first * p_second + (1 - p_first) * (1 - p_second)
    kappa = (observed - expected) / (1 - expected) if expected < 1 else float("nan")
    signals = [i for i in ids if first[i]["relevant"] and second[i]["relevant"]]
    return {
        "rows": n,
        "relevance_agreement": round(observed, 3),
        "kappa": round(kappa, 3),
        "signals_first": both + first_only,
        "signals_second": both + second_only,
        "signals_both": both,
        "sector_agreement": f"{sum(first[i]['sector'] == second[i]['sector'] for i in signals)}"
        f"/{len(signals)}",
        "risk_agreement": f"{sum(first[i]['risk'] == second[i]['risk'] for i in signals)}"
        f"/{len(signals)}",
    }


def main() -> None:
    """Print the agreement of the two passes, per sample and pooled."""
    first = _read(DATA / "vk_stav_labels.jsonl")
    second = _read(DATA / "vk_stav_second_pass.jsonl")
    samples = {
        "random 300": [i for i, row in second.items() if row["sample"] == "random"],
        "all 360": list(second),
    }
    for name, ids in samples.items():
        print(name, json.dumps(agreement(first, second, ids), ensure_ascii=False))


if __name__ == "__main__":
    main()
