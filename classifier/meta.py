"""A model package's meta.json, read and checked without loading the model (no NumPy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FORMAT_VERSION = 1
META = "meta.json"


class ModelError(ValueError):
    """A model package is missing, damaged, of another format, or does not fit the settings."""


def read_meta(folder: Path | str) -> dict[str, Any]:
    """meta.json of a package, checked for its format version."""
    path = Path(folder) / META
    if not path.is_file():
        raise ModelError(f"Модель не найдена: нет файла {path}")
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ModelError(f"{path} повреждён: {exc}") from None
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if version != FORMAT_VERSION:
        raise ModelError(
            f"{path}: формат модели {version!r}, ожидался {FORMAT_VERSION}; переобучите модель"
        )
    return meta
