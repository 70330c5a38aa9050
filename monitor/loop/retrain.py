"""Training from the database: the base data plus the centre's own labels.

The latest label of each post wins. Posts of the fair check (queues.in_check over the
audit sample) are never trained on, so that the check stays fair for every model.
Without `--data`, the base files are those the model in use was trained on: its meta.json
names them, and they are looked for in its folder, in the shipped corpus and in
`review.base_data_dirs`.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from classifier.corpus import DATA_DIR, LabelledPost
from classifier.package import read_meta
from monitor.config import Settings, resolve_path
from monitor.errors import InputError
from monitor.loop.labels import latest_labels_query
from monitor.loop.queues import in_check
from monitor.store.tables import posts


def centre_posts(connection: Connection, settings: Settings) -> tuple[list[LabelledPost], int]:
    """The centre's labelled posts for training, and how many were kept for the check."""
    latest = latest_labels_query().subquery()
    rows = connection.execute(
        select(posts.c.id, posts.c.external_id, posts.c.text, latest)
        .join(latest, latest.c.post_id == posts.c.id)
        .where(latest.c.relevant.is_not(None))
        .order_by(posts.c.id)
    ).all()
    chosen, held = [], 0
    share = settings.review.check_share
    for row in rows:
        if in_check(row.external_id, share) or not row.text.strip():
            held += 1
            continue
        relevant = bool(row.relevant)
        chosen.append(
            LabelledPost(
                id=f"centre:{row.post_id}",
                text=row.text,
                relevant=relevant,
                sector=row.sector if relevant else None,
                risk=row.risk if relevant else None,
                source="centre",
            )
        )
    return chosen, held


def base_recipe(
    settings: Settings, model_folder: Path
) -> tuple[list[Path], list[LabelledPost], dict[str, float]] | None:
    """The base data of a model trained from a recipe (`classifier.recipe`), rebuilt the same
    way: (the sets' names, their posts, the weights per set); None for a model of files.

    The public sets are read from the first of `review.base_data_dirs` that holds them, else
    from `OTKLIK_DATASETS` or the project's `../shared/datasets`.
    """
    from classifier.corpus import CorpusError
    from classifier.realdata import datasets_dir, load_real
    from classifier.recipe import RECIPES, training_posts

    name = (read_meta(model_folder).get("recipe") or {}).get("name")
    if name is None:
        return None
    recipe = RECIPES.get(name)
    if recipe is None:
        raise InputError(f"{model_folder}: неизвестный рецепт обучения {name!r}; укажите --data")
    places = [resolve_path(settings, d) for d in settings.review.base_data_dirs]
    folder = next((d for d in places if (d / "spb_portal.jsonl").is_file()), datasets_dir())
    try:
        real = load_real(folder, spb_rows=recipe.spb_rows)
    except CorpusError as exc:
        raise InputError(
            f"Базовые данные рецепта «{name}» не найдены ({exc}). Положите наборы данных в "
            "папку из review.base_data_dirs или OTKLIK_DATASETS, либо укажите --data"
        ) from None
    names = [Path(f"{set_name}.jsonl") for set_name in recipe.sets]
    return names, training_posts(recipe, real), dict(recipe.weights)


def base_files(
    settings: Settings, model_folder: Path, *, skip_missing: bool = False
) -> tuple[list[Path], list[str]]:
    """The base data files a model's meta.json names, found on this machine; and the missing."""
    names = (read_meta(model_folder).get("data") or {}).get("files") or []
    if not names:
        raise InputError(f"{model_folder}/meta.json не называет файлов данных; укажите --data")
    places = [
        model_folder / "data",
        model_folder,
        DATA_DIR / "parts",
        *(resolve_path(settings, d) for d in settings.review.base_data_dirs),
    ]
    found, missing = [], []
    for name in names:
        path = next((p / name for p in places if (p / name).is_file()), None)
        if path is None:
            missing.append(name)
        else:
            found.append(path)
    if missing and not skip_missing:
        where = ", ".join(str(p) for p in places)
        raise InputError(
            f"Не найдены файлы базовых данных модели: {', '.join(missing)} (искали в: {where}). "
            "Положите их рядом с моделью, укажите --data или добавьте --skip-missing-base"
        )
    if not found:
        raise InputError("Ни одного файла базовых данных не найдено; укажите --data")
    return found, missing


def describe(centre: Sequence[LabelledPost], held: int, missing: Sequence[str]) -> dict[str, Any]:
    """What meta.json records about the centre's part of the data."""
    return {
        "rows": len(centre),
        "relevant": sum(1 for p in centre if p.relevant),
        "held_for_check": held,
        "missing_base_files": list(missing),
    }
