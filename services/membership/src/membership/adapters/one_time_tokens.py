"""Digests of single-use verification and reset tokens in MongoDB; expired ones vanish (TTL)."""

from collections.abc import Sequence

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.credentials import OneTimeToken, TokenPurpose

ONE_TIME_TOKENS = "one_time_tokens"


class MongoOneTimeTokens:
    """``_id`` is the SHA-256 of the secret; the secret itself is never stored."""

    indexes: Sequence[Indexes] = (
        Indexes(
            ONE_TIME_TOKENS,
            (
                IndexModel("expires_at", expireAfterSeconds=0, name="expiry"),
                IndexModel([("user_id", 1), ("purpose", 1)], name="by_user"),
            ),
        ),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[ONE_TIME_TOKENS]

    async def replace(self, token: OneTimeToken, session: Session) -> None:
        """Store ``token``; earlier tokens of the same user and purpose stop working."""
        await self.delete_for_user(token.user_id, session, token.purpose)
        await self._collection.insert_one(
            {
                "_id": token.digest,
                "purpose": token.purpose,
                "user_id": token.user_id,
                "email": token.email,
                "created_at": token.created_at,
                "expires_at": token.expires_at,
            },
            session=session,
        )

    async def take(
        self, digest: str, purpose: TokenPurpose, session: Session
    ) -> OneTimeToken | None:
        """Remove and return the token (single use), if any."""
        document = await self._collection.find_one_and_delete(
            {"_id": digest, "purpose": purpose}, session=session
        )
        return None if document is None else _from_document(document)

    async def for_user(self, user_id: str) -> list[OneTimeToken]:
        """The user's outstanding tokens (for the personal data export)."""
        cursor = self._collection.find({"user_id": user_id}).sort("created_at", 1)
        return [_from_document(document) async for document in cursor]

    async def delete_for_user(
        self, user_id: str, session: Session, purpose: TokenPurpose | None = None
    ) -> None:
        """Forget the user's tokens (of one purpose, or all)."""
        query: Document = {"user_id": user_id}
        if purpose is not None:
            query["purpose"] = purpose
        await self._collection.delete_many(query, session=session)


def _from_document(document: Document) -> OneTimeToken:
    return OneTimeToken(
        digest=document["_id"],
        purpose=document["purpose"],
        user_id=document["user_id"],
        email=document["email"],
        created_at=document["created_at"],
        expires_at=document["expires_at"],
    )
