"""How consistently the vk_stav labels were made: the first pass against blind second passes.

    python bench/label_consistency.py

Three checks, each a file in `classifier/data/real/` relabelled without seeing the labels:
- `vk_stav_second_pass.jsonl`: 360 rows of the first 3,251 (300 at random, 60 of the first
  pass's signals, so that sector and risk agreement rest on more than a random sample's few
  signals);
- `vk_stav_second_pass_2.jsonl`: the same design over the 2,850 rows labelled later;
- `vk_stav_drift_check.jsonl`: 220 of the first 3,251 rows (45 non-signals and 10 signals
  per later annotator) relabelled by the later annotators: does the labelling drift?
Rows an annotator had seen with their labels before (quoted in the rules or among the
examples read first: `seen_before`) are counted apart. Printed: raw agreement and Cohen's
kappa on relevance, and agreement on sector and risk where both passes call a row a signal.
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


def samples(second: dict[str, dict]) -> dict[str, list[str]]:
    """The random rows (where the check drew some), and all rows, without the rows seen
    with their labels before."""
    blind = [i for i, row in second.items() if not row.get("seen_before")]
    drawn = {"random": [i for i in blind if second[i]["sample"] == "random"], "all": blind}
    return {name: ids for name, ids in drawn.items() if ids}


CHECKS = {
    "first 3,251, second pass": "vk_stav_second_pass.jsonl",
    "later 2,850, second pass": "vk_stav_second_pass_2.jsonl",
    "first 3,251, later annotators (drift)": "vk_stav_drift_check.jsonl",
}


def main() -> None:
    """Print the agreement of each check, on its random rows and on all its blind rows."""
    first = _read(DATA / "vk_stav_labels.jsonl")
    for title, name in CHECKS.items():
        second = _read(DATA / name)
        for sample, ids in samples(second).items():
            result = agreement(first, second, ids)
            print(f"{title} / {sample}", json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
