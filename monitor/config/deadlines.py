"""Settings of deadlines: working calendar, SLA rules, escalation, notifications."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, field_validator, model_validator

from monitor.config.base import Risk, Section


def _clock_time(value: Any) -> str:
    """Check an HH:MM local time of day (quoted in YAML: an unquoted 18:00 reads as a number)."""
    if not isinstance(value, str):
        raise ValueError(f"time of day must be a quoted 'HH:MM' string, got {value!r}")
    hours, _, minutes = value.partition(":")
    if not (hours.isdigit() and minutes.isdigit() and int(hours) < 24 and int(minutes) < 60):
        raise ValueError(f"time of day must be HH:MM, got {value!r}")
    return value


class CalendarSettings(Section):
    timezone: str | None = Field(
        None, description="Time zone of the working hours; empty means the top-level timezone"
    )
    workdays: list[int] = Field(
        [1, 2, 3, 4, 5], description="ISO weekdays (1 = Monday) that are working days"
    )
    start: str = Field("09:00", description="Start of the working day, HH:MM local time")
    end: str = Field("18:00", description="End of the working day, HH:MM local time")
    production_calendar: str | None = Field(
        "RU",
        description="Country whose production calendar (holidays, moved days off, working "
        "Saturdays) applies, from the `holidays` package; empty for none",
    )

    _check_times = field_validator("start", "end", mode="before")(_clock_time)

    @model_validator(mode="after")
    def _check(self) -> CalendarSettings:
        if self.start >= self.end:
            raise ValueError("calendar.start must be before calendar.end")
        if not self.workdays or any(day not in range(1, 8) for day in self.workdays):
            raise ValueError("calendar.workdays must be ISO weekdays 1..7")
        return self


class SlaRule(Section):
    first_response_hours: float = Field(gt=0, description="Time allowed for the first response")
    around_the_clock: bool = Field(
        False, description="Count wall-clock hours instead of working hours"
    )


def _default_sla_risks() -> dict[str, SlaRule]:
    return {
        "critical": SlaRule(first_response_hours=1, around_the_clock=True),
        "high": SlaRule(first_response_hours=4),
        "medium": SlaRule(first_response_hours=8),
        "low": SlaRule(first_response_hours=24),
    }


class SlaOverride(Section):
    sector: str | None = Field(None, description="Sector code the override applies to")
    recipient: str | None = Field(None, description="Recipient code the override applies to")
    risk: Risk | None = Field(None, description="Risk the override applies to; empty for all")
    first_response_hours: float | None = Field(None, gt=0, description="Replaces the default")
    around_the_clock: bool | None = Field(None, description="Replaces the default")
    final_answer_working_days: float | None = Field(None, gt=0, description="Replaces the default")


class SlaSettings(Section):
    risks: dict[Risk, SlaRule] = Field(
        default_factory=_default_sla_risks, description="First-response rule for each risk"
    )
    final_answer_working_days: float = Field(
        7, gt=0, description="Working days from the first-response deadline to the final answer"
    )
    overrides: list[SlaOverride] = Field(
        default_factory=list,
        description="Rules for a sector, a recipient or both; the most specific match wins "
        "(recipient before sector before risk)",
    )

    @field_validator("risks")
    @classmethod
    def _every_risk(cls, value: dict[str, SlaRule]) -> dict[str, SlaRule]:
        return {**_default_sla_risks(), **value}


class EscalationLevel(Section):
    name: str = Field(description="Russian name of the level shown in messages")
    notify: str = Field(
        description="Who is told: 'sector_curator', 'parent' (the recipient's parent) "
        "or a recipient code"
    )
    deadline_hours: float = Field(
        gt=0,
        description="Time this level has before the next one (working hours, "
        "wall-clock for around-the-clock rules)",
    )


class EscalationSettings(Section):
    sector_curators: dict[str, str] = Field(
        default_factory=dict, description="Curator recipient code of each sector"
    )
    levels: list[EscalationLevel] = Field(
        default_factory=lambda: [
            EscalationLevel(name="Куратор сектора", notify="sector_curator", deadline_hours=4),
            EscalationLevel(name="Региональный центр", notify="centre", deadline_hours=8),
        ],
        description="Levels above the recipient, in order; a missed deadline moves one up",
    )


class EmailSettings(Section):
    enabled: bool = Field(False, description="Send notifications by email")
    host: str = Field("localhost", description="SMTP server")
    port: int = Field(25, description="SMTP port")
    sender: str = Field("otklik@localhost", description="From address")
    username: str | None = Field(
        None, description="SMTP login; the password comes from OTKLIK_SMTP_PASSWORD"
    )
    security: Literal["none", "starttls", "ssl"] = Field("none", description="Transport security")
    timeout_seconds: float = Field(10, gt=0, description="Network timeout of one send")


class TelegramSettings(Section):
    enabled: bool = Field(
        False, description="Send through a Telegram bot; token from OTKLIK_TELEGRAM_BOT_TOKEN"
    )
    base_url: str = Field("https://api.telegram.org", description="Bot API server")
    timeout_seconds: float = Field(10, gt=0, description="Network timeout of one send")


class NotifySettings(Section):
    email: EmailSettings = Field(default_factory=EmailSettings, description="SMTP channel")
    telegram: TelegramSettings = Field(
        default_factory=TelegramSettings, description="Telegram channel"
    )
    reminder_before_minutes: int = Field(
        60, ge=0, description="Remind this long before each deadline; 0 for no reminders"
    )
    digest_at: str = Field("09:00", description="Local time of the daily digest on working days")
    centre: str | None = Field(
        None, description="Recipient told of every critical incident; default routing.fallback"
    )
    web_base_url: str | None = Field(None, description="Web address used for incident links")
    max_attempts: int = Field(8, ge=1, description="Sends tried before a notification fails")
    backoff_seconds: float = Field(60, gt=0, description="Wait after the first failed send")
    backoff_max_seconds: float = Field(3600, gt=0, description="Longest wait between sends")

    _check_digest = field_validator("digest_at", mode="before")(_clock_time)
