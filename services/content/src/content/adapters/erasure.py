"""The erasure policy, applied to every collection content keeps (see docs/architecture.md).

Posts, resources and courses stay, because conversations and the library would lose their
sense, but nothing links them to the person any more: the author becomes "former member".
Their reactions, follows, read markers, useful marks, enrolments and posting log go. Their
flags and moderation decisions stay in the audit log without their id. In each direct message
conversation their own messages are deleted and the other participant's stay (they are that
person's words); the erased participant is shown as "former member", and a conversation left
with no message goes. Blocks either way go. (Their name and their places in communities are
forgotten by the people and community projections.) See docs/personal-data.md.
"""

from pymongo import DESCENDING
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Session
from content.adapters.activity import POST_LOG, POSTERS, READS
from content.adapters.conversations import BLOCKS, CONVERSATIONS, MESSAGES
from content.adapters.library import COURSES, PROGRESS, RESOURCES
from content.adapters.moderation import DECISIONS, FLAGS
from content.adapters.replies import REPLIES
from content.adapters.threads import THREADS
from content.domain.discussions import REACTIONS


class MongoEraser:
    """Forgets one user everywhere, in the caller's transaction."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._db = db

    async def erase(self, user_id: str, session: Session) -> None:
        """Apply the erasure policy to ``user_id``."""
        db = self._db
        unreact = {f"reactions.{name}": user_id for name in REACTIONS}
        for posts in (THREADS, REPLIES):
            await db[posts].update_many(
                {"author_id": user_id}, {"$set": {"author_id": None}}, session=session
            )
            await db[posts].update_many({}, {"$pull": unreact}, session=session)
        await db[THREADS].update_many({}, {"$pull": {"followers": user_id}}, session=session)
        await db[RESOURCES].update_many(
            {"useful_by": user_id},
            {"$pull": {"useful_by": user_id}, "$inc": {"useful_count": -1}},
            session=session,
        )
        for authored in (RESOURCES, COURSES):
            await db[authored].update_many(
                {"author_id": user_id}, {"$set": {"author_id": None}}, session=session
            )
        await db[FLAGS].update_many(
            {"reporter_id": user_id}, {"$set": {"reporter_id": None}}, session=session
        )
        await db[DECISIONS].update_many(
            {"moderator_id": user_id}, {"$set": {"moderator_id": None}}, session=session
        )
        await self._leave_conversations(user_id, session)
        await db[BLOCKS].delete_many(
            {"$or": [{"blocker_id": user_id}, {"blocked_id": user_id}]}, session=session
        )
        for collection in (READS, POST_LOG, PROGRESS):
            await db[collection].delete_many({"user_id": user_id}, session=session)
        await db[POSTERS].delete_one({"_id": user_id}, session=session)

    async def _leave_conversations(self, user_id: str, session: Session) -> None:
        """Delete the person's own messages; keep the other participant's, dated by the
        latest one left."""
        db = self._db
        conversations = await db[CONVERSATIONS].distinct(
            "_id", {"participants": user_id}, session=session
        )
        await db[MESSAGES].delete_many(
            {"conversation_id": {"$in": conversations}, "sender_id": user_id}, session=session
        )
        for conversation_id in conversations:
            latest = await db[MESSAGES].find_one(
                {"conversation_id": conversation_id},
                sort=[("created_at", DESCENDING)],
                session=session,
            )
            if latest is None:
                await db[CONVERSATIONS].delete_one({"_id": conversation_id}, session=session)
                continue
            await db[CONVERSATIONS].update_one(
                {"_id": conversation_id},
                {
                    "$set": {"last_message_at": latest["created_at"]},
                    "$unset": {f"last_read_at.{user_id}": ""},
                },
                session=session,
            )
