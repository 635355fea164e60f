"""Direct-message conversations, messages and blocks in MongoDB."""

from collections.abc import Sequence
from typing import Any

from pymongo import ASCENDING, DESCENDING, IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.domain.cursors import Position
from cerchia_chassis.mongo import Document, Indexes, Session
from content.adapters.documents import SortOrder, after_filter
from content.domain.messages import Conversation, Message

CONVERSATIONS = "conversations"
MESSAGES = "messages"
BLOCKS = "blocks"
_CONVERSATION_ORDER: SortOrder = (("last_message_at", DESCENDING), ("_id", DESCENDING))
_MESSAGE_ORDER: SortOrder = (("created_at", DESCENDING), ("_id", DESCENDING))


class MongoConversations:
    """Conversations (with read markers), messages and blocks."""

    indexes: Sequence[Indexes] = (
        Indexes(
            CONVERSATIONS,
            (IndexModel([("participants", ASCENDING), *_CONVERSATION_ORDER], name="mine"),),
        ),
        Indexes(
            MESSAGES,
            (
                IndexModel([("conversation_id", ASCENDING), *_MESSAGE_ORDER], name="conversation"),
                IndexModel("sender_id", name="sender"),
            ),
        ),
        Indexes(
            BLOCKS,
            (IndexModel("blocker_id", name="blocker"), IndexModel("blocked_id", name="blocked")),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._conversations = db[CONVERSATIONS]
        self._messages = db[MESSAGES]
        self._blocks = db[BLOCKS]

    async def get(
        self, conversation_id: str, session: Session | None = None
    ) -> Conversation | None:
        """The conversation with this id."""
        doc = await self._conversations.find_one({"_id": conversation_id}, session=session)
        return None if doc is None else _conversation(doc)

    async def save(self, conversation: Conversation, session: Session) -> None:
        """Store a conversation's state."""
        await self._conversations.replace_one(
            {"_id": conversation.id},
            {
                "participants": list(conversation.participants),
                "created_at": conversation.created_at,
                "last_message_at": conversation.last_message_at,
                # User ids are UUIDs: safe as field names.
                "last_read_at": dict(conversation.last_read_at),
            },
            upsert=True,
            session=session,
        )

    async def of(self, user_id: str, *, after: Position | None, limit: int) -> list[Conversation]:
        """A member's conversations, most recent message first."""
        query: dict[str, Any] = {"participants": user_id}
        query.update(after_filter(_CONVERSATION_ORDER, after))
        docs = (
            await self._conversations.find(query)
            .sort(list(_CONVERSATION_ORDER))
            .limit(limit)
            .to_list()
        )
        return [_conversation(doc) for doc in docs]

    async def add_message(self, message: Message, session: Session) -> None:
        """Store a message."""
        await self._messages.insert_one(
            {
                "_id": message.id,
                "conversation_id": message.conversation_id,
                "sender_id": message.sender_id,
                "body": message.body,
                "created_at": message.created_at,
            },
            session=session,
        )

    async def messages(
        self, conversation_id: str, *, after: Position | None, limit: int
    ) -> list[Message]:
        """A conversation's messages, newest first."""
        query: dict[str, Any] = {"conversation_id": conversation_id}
        query.update(after_filter(_MESSAGE_ORDER, after))
        docs = await self._messages.find(query).sort(list(_MESSAGE_ORDER)).limit(limit).to_list()
        return [
            Message(
                id=d["_id"],
                conversation_id=d["conversation_id"],
                sender_id=d["sender_id"],
                body=d["body"],
                created_at=d["created_at"],
            )
            for d in docs
        ]

    async def blocked(
        self, blocker_id: str, blocked_id: str, session: Session | None = None
    ) -> bool:
        """Whether ``blocker_id`` blocked ``blocked_id``."""
        found = await self._blocks.find_one({"_id": f"{blocker_id}:{blocked_id}"}, session=session)
        return found is not None

    async def block(
        self, blocker_id: str, blocked_id: str, *, on: bool, session: Session | None = None
    ) -> None:
        """Block or unblock (both idempotent)."""
        key = f"{blocker_id}:{blocked_id}"
        if on:
            await self._blocks.update_one(
                {"_id": key},
                {"$set": {"blocker_id": blocker_id, "blocked_id": blocked_id}},
                upsert=True,
                session=session,
            )
        else:
            await self._blocks.delete_one({"_id": key}, session=session)

    async def blocks_of(self, blocker_id: str) -> list[str]:
        """Whom ``blocker_id`` blocked."""
        docs = await self._blocks.find({"blocker_id": blocker_id}).to_list()
        return sorted(doc["blocked_id"] for doc in docs)


def _conversation(doc: Document) -> Conversation:
    first, second = doc["participants"]
    return Conversation(
        id=doc["_id"],
        participants=(first, second),
        created_at=doc["created_at"],
        last_message_at=doc["last_message_at"],
        last_read_at=dict(doc.get("last_read_at", {})),
    )
