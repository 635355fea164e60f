"""Events settings, read once from ``EVENTS_*`` environment variables."""

from datetime import timedelta

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from cerchia_chassis.settings import ServiceSettings


class EventsSettings(ServiceSettings):
    """Settings of the events service."""

    model_config = SettingsConfigDict(env_prefix="EVENTS_", extra="ignore", frozen=True)

    service_name: str = "events"
    http_port: int = 8003

    reminder_offsets_s: tuple[int, ...] = Field(
        default=(86_400, 3_600),
        description="When reminders fire, in seconds before the start (JSON list in the env).",
    )
    reminder_poll_interval_s: float = Field(
        default=5.0, description="How often the scheduler looks for due reminders."
    )
    reminder_lease_s: float = Field(
        default=60.0, description="How long a claimed reminder is held before another may take it."
    )
    reminder_catch_up_s: float = Field(
        default=6 * 3_600.0,
        description="How late a reminder missed during downtime may still go out.",
    )
    reminder_batch_size: int = 100
    reminder_scheduler_enabled: bool = Field(
        default=True, description="Run the reminder scheduler in this process."
    )

    @property
    def reminder_offsets(self) -> tuple[timedelta, ...]:
        """The reminder offsets as durations."""
        return tuple(timedelta(seconds=s) for s in self.reminder_offsets_s)
