"""`otklik train --from-database`: the centre's labels joined to the base data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer

from classifier.corpus import LabelledPost
from monitor.context import Context
from monitor.errors import InputError


@dataclass
class CentrePart:
    """What training from the database adds: files to read, labels, where to register."""

    ctx: Context
    out: Path
    files: list[Path]
    posts: list[LabelledPost]
    held: int
    missing: list[str]
    base: list[LabelledPost] | None = None  # the base data rebuilt from the model's recipe
    source_weights: dict[str, float] | None = None

    def train_arguments(self, weight: float | None) -> dict[str, Any]:
        """Keyword arguments of classifier.train.train for the centre's labels."""
        from monitor.loop import retrain

        recipe = {}
        if self.base is not None:
            recipe = {"posts": self.base, "weights": self.source_weights}
        return {
            **recipe,
            "extra_posts": self.posts,
            "extra_weight": weight
            if weight is not None
            else self.ctx.settings.review.centre_weight,
            "extra_data": retrain.describe(self.posts, self.held, self.missing),
        }

    def register(self, meta: dict[str, Any]) -> None:
        """Add the new package to the registry."""
        from monitor.loop import registry

        with self.ctx.db.begin() as connection:
            registry.register_model(
                connection, name=self.out.name, path=self.out, meta=meta, at=self.ctx.now()
            )
        typer.echo(
            f"Метки центра: {len(self.posts)} (вес {meta['data']['centre']['weight']:g}); "
            f"{self.held} отложены для честной проверки. Модель зарегистрирована: "
            f"{self.out.name} (otklik models evaluate {self.out.name})"
        )


def from_database_part(
    ctx: Context, out: Path, files: list[Path], skip_missing: bool
) -> CentrePart:
    """Read the centre's labels and, without --data, find the base files of the model in use."""
    from monitor.loop import registry, retrain

    with ctx.db.connect() as connection:
        current = registry.current_model(connection)
        if current is not None and Path(current.path).resolve() == out.resolve():
            raise InputError(f"Модель {out} сейчас используется; обучите новую в другую папку")
        if registry.is_promoted_name(connection, out.name):
            raise InputError(
                f"Модель {out.name} продвигалась и может вернуться при откате; "
                "выберите для новой модели другое имя"
            )
        posts, held = retrain.centre_posts(connection, ctx.settings)
    if not posts:
        raise InputError("В базе нет меток центра для обучения (кроме отложенных для проверки)")
    missing: list[str] = []
    if files:
        return CentrePart(ctx, out, files, posts, held, missing)
    folder = registry.model_folder(ctx, current)
    recipe = retrain.base_recipe(ctx.settings, folder)
    if recipe is not None:
        names, base, weights = recipe
        return CentrePart(ctx, out, names, posts, held, missing, base, weights)
    files, missing = retrain.base_files(ctx.settings, folder, skip_missing=skip_missing)
    for name in missing:
        typer.echo(f"Предупреждение: файл базовых данных {name} не найден, обучение без него")
    return CentrePart(ctx, out, files, posts, held, missing)
