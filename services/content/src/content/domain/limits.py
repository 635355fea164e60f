"""Size and pace limits of what members write."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from cerchia_chassis.domain.errors import RateLimited
from content.domain.errors import InvalidContent

TITLE_MAX = 200
POST_BODY_MAX = 20_000
RESOURCE_DESCRIPTION_MAX = 5_000
LESSON_BODY_MAX = 50_000
MESSAGE_BODY_MAX = 4_000
FLAG_REASON_MAX = 1_000
TAGS_MAX = 5
TAG_MAX = 32


@dataclass(frozen=True)
class PostingRate:
    """At most ``limit`` posts per ``window`` per member (threads, replies, resources, messages).

    Not a rate limit of ``cerchia_chassis.rate_limits.RateLimiter``'s kind on purpose: the pace
    is computed from the member's stored posting times, read and recorded in the post's own
    transaction, so it holds across replicas and restarts and a refused post counts nothing.
    """

    limit: int
    window: timedelta

    def check(self, recent: list[datetime], *, now: datetime) -> None:
        """Raise RateLimited if ``recent`` (the member's post times) already fills the window."""
        in_window = sorted(t for t in recent if t > now - self.window)
        if len(in_window) >= self.limit:
            oldest = in_window[-self.limit]
            retry_after = (oldest + self.window - now).total_seconds()
            raise RateLimited(
                f"You can post {self.limit} times every {int(self.window.total_seconds())} "
                "seconds; take a breath and try again shortly.",
                retry_after_s=max(1, int(retry_after + 0.999)),
            )


def title(value: str) -> str:
    """A trimmed, non-empty title of reasonable length."""
    cleaned = " ".join(value.split())
    if not cleaned:
        raise InvalidContent("The title is empty.", code="empty")
    if len(cleaned) > TITLE_MAX:
        raise InvalidContent(f"The title is longer than {TITLE_MAX} characters.", code="too-long")
    return cleaned


def tags(values: Iterable[str]) -> tuple[str, ...]:
    """Lower-case, de-duplicated tags; at most TAGS_MAX of at most TAG_MAX characters."""
    cleaned: dict[str, None] = {}
    for value in values:
        tag = "-".join(value.lower().split())
        if not tag:
            continue
        if len(tag) > TAG_MAX:
            raise InvalidContent(f"Tag {tag!r} is longer than {TAG_MAX} characters.")
        cleaned.setdefault(tag, None)
    if len(cleaned) > TAGS_MAX:
        raise InvalidContent(f"At most {TAGS_MAX} tags are allowed.")
    return tuple(cleaned)
