"""The audit trail of moderation and admission decisions."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class AuditEntry:
    """Who decided what about whom, when and why."""

    community_id: str
    action: str
    actor_id: str | None
    at: datetime
    subject_id: str | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
