"""Problem categories: the second level inside a sector, learned from the city portal's reasons.

The portal «Наш Санкт-Петербург» files each message under one of ~125 reasons. They are
mapped here to a compact set of categories per sector (the ones a centre reports on); a
reason that fits none of them, and every sector the portal does not cover, is «прочее»,
which the «Проблемы» report breaks down further by clustering.
"""

from __future__ import annotations

from collections.abc import Sequence

from classifier.corpus import LabelledPost

OTHER = "прочее"
MIN_SHARE = 0.35  # below this share of its sector's probability a category is «прочее»
SEPARATOR = "/"

# (sector, category, words of the portal reason that put it there); the first match wins.
RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("housing", "Пандусы и доступность", ("пандус", "подъемная платформа")),
    ("housing", "Лифт", ("лифт",)),
    ("housing", "Самовольные устройства на фасаде", ("кондициониров",)),
    ("housing", "Освещение в доме", ("освещение в подъезде",)),
    ("housing", "Уборка подъезда", ("графика уборки",)),
    ("housing", "Состояние подъезда", ("состояние парадной", "стекла на лестничной", "почтовые")),
    ("housing", "Двери и домофон", ("доводчик", "домофон")),
    (
        "housing",
        "Вода и канализация",
        ("канализац", "воды", "водоснабжения", "водозабор"),
    ),
    ("housing", "Отопление", ("температура", "радиатор", "отопления", "отопительного")),
    ("housing", "Кровля и водостоки", ("кровл", "наледи на крыше", "водосточн", "ливнестока")),
    ("housing", "Фасад", ("фасада", "стыков", "цоколя", "адресной вывески")),
    ("housing", "Мусоропровод", ("мусоропровод", "мусоросборной")),
    ("housing", "Подвалы и чердаки", ("подвал", "чердак")),
    ("housing", "Санобработка", ("дезинсекция", "дератизация")),
    ("housing", "Общее имущество и перепланировка", ("общего имущества", "перепланировка")),
    ("housing", "Вещи на лестнице", ("хранение вещей",)),
    ("housing", "Снег у дома", ("снег",)),
    ("improvement", "Надписи и объявления", ("несанкционированные надписи",)),
    ("improvement", "Реклама и вывески", ("рекламн",)),
    ("improvement", "Снег и наледь", ("снег",)),
    ("improvement", "Асфальт и лужи во дворе", ("асфальтового", "лужи", "земляных работ")),
    ("improvement", "Колодцы и люки", ("колодц", "колодец")),
    ("improvement", "Уличное освещение", ("освещен",)),
    ("improvement", "Провода", ("провода",)),
    ("improvement", "Деревья и зелень", ("дерев", "насаждений")),
    ("improvement", "Детские и спортивные площадки", ("детской площадки", "уличной мебели")),
    ("improvement", "Ограждения и парковка", ("ограждени", "парковк")),
    ("improvement", "Зоны отдыха", ("зон отдыха",)),
    ("improvement", "Брошенные автомобили", ("транспортное средство",)),
    ("waste", "Мусор во дворе", ("внутридворовой", "детской площадке", "спортивных площадках")),
    ("waste", "Мусор на улицах и газонах", ("проезжей части", "газонах", "метрополитена")),
    ("waste", "Контейнерные площадки", ("контейнер",)),
    ("waste", "Уличная мебель и МАФ", ("малых архитектурных форм",)),
    ("waste", "Урны", ("урны",)),
    ("waste", "Мусор в парках", ("садах, парках", "кладбищ")),
    ("roads", "Снег на дорогах", ("снег",)),
    ("roads", "Ямы и дорожное покрытие", ("дорожного покрытия",)),
    ("roads", "Знаки и светофоры", ("знаков", "светофор")),
    ("roads", "Лужи и ливнёвка", ("лужи", "ливневой")),
    ("roads", "Ограждения", ("ограждений",)),
    ("roads", "Бордюры и безопасность движения", ("бордюр", "искусственных неровностей")),
    ("roads", "Парковки", ("парковочных",)),
    ("transport", "Остановки", ("остановоч",)),
    ("economy", "Незаконная торговля", ("торговли",)),
    ("culture_sport", "Спортивные площадки", ("спортивной площадки",)),
    ("land_construction", "Стройплощадки", ("строительной площадки",)),
)


def category_of(sector: str | None, reason: str | None) -> str | None:
    """The category of a portal reason inside its sector («прочее» when none fits)."""
    if not sector:
        return None
    text = (reason or "").lower()
    for rule_sector, category, words in RULES:
        if rule_sector == sector and any(word in text for word in words):
            return category
    return OTHER


def problem_of(post: LabelledPost) -> str | None:
    """The `sector/category` label of a relevant post with a portal `reason` (else None)."""
    reason = post.extra.get("reason")
    if not post.relevant or not post.sector or not isinstance(reason, str):
        return None
    return join(post.sector, category_of(post.sector, reason) or OTHER)


def join(sector: str, category: str) -> str:
    """The head's class name of a category inside a sector."""
    return f"{sector}{SEPARATOR}{category}"


def split_label(label: str) -> tuple[str, str]:
    """(sector, category) of a head's class name."""
    sector, _, category = label.partition(SEPARATOR)
    return sector, category or OTHER


def categories(sector: str) -> list[str]:
    """Every category of a sector, in rule order, «прочее» last."""
    found = [category for s, category, _ in RULES if s == sector]
    return [*dict.fromkeys(found), OTHER]


def pick(
    sector: str, classes: Sequence[str], proba: Sequence[float], min_share: float = MIN_SHARE
) -> str:
    """The most likely category of the predicted sector: «прочее» when the head has none for
    it or when the best one holds less than `min_share` of the sector's probability."""
    best, best_p, total = OTHER, -1.0, 0.0
    for label, p in zip(classes, proba, strict=True):
        label_sector, category = split_label(label)
        if label_sector == sector:
            total += float(p)
            if p > best_p:
                best, best_p = category, float(p)
    if total <= 0 or best_p / total < min_share:
        return OTHER
    return best
