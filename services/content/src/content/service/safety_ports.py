"""What moderation and direct messages need to store: flags, decisions, conversations, blocks."""

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.ports import Session
from content.domain.messages import Conversation, Message
from content.domain.moderation import Decision, Flag


class Moderation(Protocol):
    """Flags and the audit log of decisions."""

    async def add_flag(self, flag: Flag, session: Session) -> None: ...

    async def open_flags(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Flag]: ...

    async def open_flags_on(self, target_id: str, session: Session) -> list[Flag]: ...

    async def resolve(
        self, flag_ids: Sequence[str], *, resolution: str, at: datetime, session: Session
    ) -> None: ...

    async def record(self, decision: Decision, session: Session) -> None: ...

    async def decisions(
        self, community_id: str, *, after: Position | None, limit: int
    ) -> list[Decision]: ...


class Conversations(Protocol):
    """Direct-message conversations, messages and blocks."""

    async def get(self, conversation_id: str, session: Session = None) -> Conversation | None: ...

    async def save(self, conversation: Conversation, session: Session) -> None: ...

    async def of(
        self, user_id: str, *, after: Position | None, limit: int
    ) -> list[Conversation]: ...

    async def add_message(self, message: Message, session: Session) -> None: ...

    async def messages(
        self, conversation_id: str, *, after: Position | None, limit: int
    ) -> list[Message]: ...

    async def blocked(self, blocker_id: str, blocked_id: str, session: Session = None) -> bool: ...

    async def block(
        self, blocker_id: str, blocked_id: str, *, on: bool, session: Session = None
    ) -> None: ...

    async def blocks_of(self, blocker_id: str) -> list[str]: ...
