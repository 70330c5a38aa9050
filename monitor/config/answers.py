"""Settings of publishing answers, residents' satisfaction, imported appeals, official pages."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from monitor.config.base import Risk, Section


class PublishingSettings(Section):
    vk_group_id: int | None = Field(
        None,
        gt=0,
        description="The centre's VK community that answers (from_group) when the "
        "incident's recipient has no official VK page with its own token; the token is "
        "OTKLIK_VK_TOKEN, a recipient's OTKLIK_VK_TOKEN_<CODE>",
    )


class SatisfactionSettings(Section):
    model: str = Field(
        "models/satisfaction", description="Package of the reaction model (satisfied or not)"
    )
    min_probability: float = Field(
        0.55,
        ge=0,
        le=1,
        description="A reaction whose most likely class is less probable than this counts "
        "as no clear reaction",
    )
    auto_reopen: bool = Field(
        True, description="A reaction read as not satisfied reopens the incident"
    )
    reopen_working_days: float = Field(
        3, gt=0, description="A reopened incident's new answer is due this many working days later"
    )
    window_days: int = Field(
        14, ge=1, description="Replies and posts this long after an answer are its reactions"
    )


class AppealsSettings(Section):
    risk: Risk = Field(
        "medium", description="Risk given to imported appeals (their deadlines follow it)"
    )
    timezone: str = Field(
        "Europe/Moscow", description="Time zone of the imported records' local dates"
    )
    batch_size: int = Field(1000, ge=1, description="Records written per transaction")


class OfficialPage(Section):
    name: str = Field(description="Short name of the official page (госпаблик)")
    network: Literal["vk", "ok"] = Field("vk", description="vk or ok")
    address: str = Field(description="Community id (VK: the number, no minus; OK: group id)")
    recipient: str = Field(description="Code of the recipient the page belongs to")
    source: str | None = Field(
        None, description="Name of the configured source that reads this page (posts, comments)"
    )


class OfficialPagesSettings(Section):
    pages: list[OfficialPage] = Field(
        default_factory=list, description="Official pages of the recipients"
    )
    unanswered_hours: float = Field(
        24,
        gt=0,
        description="A resident's question or complaint under the page's own post unanswered "
        "this long notifies the page's recipient",
    )
    rude_words: list[str] = Field(
        default_factory=lambda: [
            "не ваше дело",
            "ваши проблемы",
            "сами виноваты",
            "не нравится",
            "обращайтесь в другое",
            "не по адресу",
            "нечего жаловаться",
        ],
        description="Phrases that make an official answer read as rude or dismissive",
    )
