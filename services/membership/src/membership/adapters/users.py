"""Users in MongoDB."""

from collections.abc import Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.errors import EmailAlreadyRegistered
from membership.domain.users import User

USERS = "users"


class MongoUsers:
    """The users collection; the unique email index is the final word on duplicates."""

    indexes: Sequence[Indexes] = (
        Indexes(USERS, (IndexModel("email", unique=True, name="email_unique"),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[USERS]

    async def add(self, user: User, session: Session) -> None:
        """Insert the user; a taken email raises EmailAlreadyRegistered."""
        try:
            await self._collection.insert_one(_to_document(user), session=session)
        except DuplicateKeyError as exc:
            raise EmailAlreadyRegistered(user.email) from exc

    async def by_id(self, user_id: str) -> User | None:
        """The user with this id, if any."""
        document = await self._collection.find_one({"_id": user_id})
        return None if document is None else _from_document(document)


def _to_document(user: User) -> dict[str, Any]:
    return {
        "_id": user.id,
        "email": user.email,
        "display_name": user.display_name,
        "locale": user.locale,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
    }


def _from_document(document: Document) -> User:
    return User(
        id=document["_id"],
        email=document["email"],
        display_name=document["display_name"],
        locale=document["locale"],
        password_hash=document["password_hash"],
        created_at=document["created_at"],
    )
