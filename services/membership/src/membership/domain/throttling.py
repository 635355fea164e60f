"""Brute-force throttling: a sliding log of the attempts per key (account, IP address).

One more attempt fits once the oldest of the ``limit`` most recent ones has left the window, so
the limit holds exactly in every window, with no leak at bucket boundaries as fixed windows have.

This is not a rate limit in the sense of the chassis's in-process ``RateLimiter``, and stays
membership's own on purpose: the logs are persisted (MongoDB, shared by every replica, so neither
more replicas nor a restart give a guesser more tries), a success forgets an account's failures
(``reset_on_success``), and a legitimate attempt is withdrawn from the log afterwards. A moving
window counted per process can do none of this.
"""

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta


@dataclass(frozen=True)
class ThrottlePolicy:
    """At most ``limit`` attempts in any ``window``."""

    limit: int
    window: timedelta
    #: Whether a successful attempt forgets the earlier failures (right for one account,
    #: wrong for an IP address an attacker could clear by logging into an account of theirs).
    reset_on_success: bool = False

    def retry_after(self, earlier: Sequence[datetime], now: datetime) -> timedelta | None:
        """How long until one more attempt fits after ``earlier`` ones; None if it fits now."""
        recent = sorted(at for at in earlier if at > now - self.window)
        if len(recent) < self.limit:
            return None
        free_at = recent[-self.limit] + self.window
        # Whole seconds, rounded up, so a client that waits exactly this long gets through.
        return timedelta(seconds=max(1, math.ceil((free_at - now).total_seconds())))


@dataclass(frozen=True)
class Counted:
    """One attempt logged against ``subject`` under ``scope``."""

    scope: str
    subject: str
    attempt_id: str = field(default_factory=lambda: uuid.uuid4().hex)


#: The attempts one reservation logged, to release if the attempt turns out legitimate.
Reservation = tuple[Counted, ...]
