"""The erasure policy, applied to every collection content keeps (see docs/architecture.md).

Posts, resources and courses stay, because conversations and the library would lose their
sense, but nothing links them to the person any more: the author becomes "former member".
Their reactions, follows, read markers, useful marks, enrolments and posting log go. Their
flags and moderation decisions stay in the audit log without their id. Every direct message
conversation they took part in is deleted with all its messages, and so are blocks. (Their
name and their places in communities are forgotten by the people and community projections.)
"""

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
        await db[COURSES].update_many(
            {"author_id": user_id}, {"$set": {"author_id": None}}, session=session
        )
        await db[FLAGS].update_many(
            {"reporter_id": user_id}, {"$set": {"reporter_id": None}}, session=session
        )
        await db[DECISIONS].update_many(
            {"moderator_id": user_id}, {"$set": {"moderator_id": None}}, session=session
        )
        conversations = await db[CONVERSATIONS].distinct(
            "_id", {"participants": user_id}, session=session
        )
        await db[MESSAGES].delete_many({"conversation_id": {"$in": conversations}}, session=session)
        await db[CONVERSATIONS].delete_many({"_id": {"$in": conversations}}, session=session)
        await db[BLOCKS].delete_many(
            {"$or": [{"blocker_id": user_id}, {"blocked_id": user_id}]}, session=session
        )
        for collection in (READS, POST_LOG, PROGRESS):
            await db[collection].delete_many({"user_id": user_id}, session=session)
        await db[POSTERS].delete_one({"_id": user_id}, session=session)
