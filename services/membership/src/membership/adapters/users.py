"""Users (account and profile) in MongoDB, with their unique handles."""

from collections.abc import Sequence
from typing import Any

from pymongo import IndexModel
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.mongo import Document, Indexes, Session
from membership.domain.account_errors import EmailAlreadyRegistered, HandleTaken
from membership.domain.profiles import Link, Profile
from membership.domain.public_profiles import PublicProfile
from membership.domain.users import User

USERS = "users"
#: One document per claimed handle, ``_id`` the handle: uniqueness without a partial index.
HANDLES = "handles"


class MongoUsers:
    """The users collection; the unique email index is the final word on duplicates."""

    indexes: Sequence[Indexes] = (
        Indexes(USERS, (IndexModel("email", unique=True, name="email_unique"),)),
        Indexes(HANDLES, (IndexModel("user_id", name="handle_owner"),)),
    )

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[USERS]
        self._handles = db[HANDLES]

    async def add(self, user: User, session: Session) -> None:
        """Insert the user; a taken email raises EmailAlreadyRegistered."""
        try:
            await self._collection.insert_one(_to_document(user), session=session)
        except DuplicateKeyError as exc:
            raise EmailAlreadyRegistered(user.email) from exc

    async def by_id(self, user_id: str, session: Session | None = None) -> User | None:
        """The user with this id, if any."""
        document = await self._collection.find_one({"_id": user_id}, session=session)
        return None if document is None else _from_document(document)

    async def by_email(self, email: str, session: Session | None = None) -> User | None:
        """The user with this (normalised) email, if any."""
        document = await self._collection.find_one({"email": email}, session=session)
        return None if document is None else _from_document(document)

    async def save(self, user: User, session: Session) -> None:
        """Replace the stored user."""
        await self._collection.replace_one({"_id": user.id}, _to_document(user), session=session)

    async def upgrade_password_hash(self, user_id: str, *, old_hash: str, new_hash: str) -> bool:
        """Swap the hash only while it is still ``old_hash`` (a password change wins a race)."""
        result = await self._collection.update_one(
            {"_id": user_id, "password_hash": old_hash}, {"$set": {"password_hash": new_hash}}
        )
        return result.modified_count == 1

    async def claim_handle(self, handle: str, user_id: str, session: Session) -> None:
        """Reserve ``handle``; raise HandleTaken if another user holds it."""
        try:
            await self._handles.insert_one({"_id": handle, "user_id": user_id}, session=session)
        except DuplicateKeyError as exc:
            raise HandleTaken(handle) from exc

    async def release_handle(self, handle: str, session: Session) -> None:
        """Free ``handle`` for others."""
        await self._handles.delete_one({"_id": handle}, session=session)

    async def delete(self, user_id: str, session: Session) -> None:
        """Remove the user and their handle."""
        await self._handles.delete_many({"user_id": user_id}, session=session)
        await self._collection.delete_one({"_id": user_id}, session=session)


class MongoProfileDirectory:
    """Fellow members' public profiles and, after a double opt-in, their email addresses."""

    def __init__(self, db: AsyncDatabase[Document]) -> None:
        self._collection = db[USERS]

    async def many(self, user_ids: Sequence[str]) -> dict[str, PublicProfile]:
        """The public profiles of these users (unknown ids are left out)."""
        cursor = self._collection.find({"_id": {"$in": list(user_ids)}})
        return {doc["_id"]: _from_document(doc).public_profile() async for doc in cursor}

    async def email(self, user_id: str) -> str | None:
        """The user's email address, if the account exists."""
        document = await self._collection.find_one({"_id": user_id}, {"email": 1})
        return None if document is None else str(document["email"])

    async def verified_email(self, user_id: str) -> str | None:
        """The user's address once verified, else None."""
        document = await self._collection.find_one(
            {"_id": user_id}, {"email": 1, "email_verified_at": 1}
        )
        if document is None or document.get("email_verified_at") is None:
            return None
        return str(document["email"])


def _to_document(user: User) -> dict[str, Any]:
    profile = user.profile
    return {
        "_id": user.id,
        "email": user.email,
        "email_verified_at": user.email_verified_at,
        "display_name": user.display_name,
        "locale": user.locale,
        "password_hash": user.password_hash,
        "created_at": user.created_at,
        "disabled_at": user.disabled_at,
        "disabled_reason": user.disabled_reason,
        "profile": {
            "handle": profile.handle,
            "headline": profile.headline,
            "bio": profile.bio,
            "skills": list(profile.skills),
            "interests": list(profile.interests),
            "links": [{"label": link.label, "url": link.url} for link in profile.links],
            "city": profile.city,
            "timezone": profile.timezone,
            "asks": list(profile.asks),
            "offers": list(profile.offers),
            "visibility": profile.visibility,
        },
    }


def _from_document(document: Document) -> User:
    stored: Document = document.get("profile") or {}
    defaults = Profile()
    profile = Profile(
        handle=stored.get("handle"),
        headline=stored.get("headline"),
        bio=stored.get("bio"),
        skills=tuple(stored.get("skills", ())),
        interests=tuple(stored.get("interests", ())),
        links=tuple(Link(label=x["label"], url=x["url"]) for x in stored.get("links", ())),
        city=stored.get("city"),
        timezone=stored.get("timezone", defaults.timezone),
        asks=tuple(stored.get("asks", ())),
        offers=tuple(stored.get("offers", ())),
        visibility=stored.get("visibility", defaults.visibility),
    )
    return User(
        id=document["_id"],
        email=document["email"],
        display_name=document["display_name"],
        locale=document["locale"],
        password_hash=document["password_hash"],
        created_at=document["created_at"],
        email_verified_at=document.get("email_verified_at"),
        profile=profile,
        disabled_at=document.get("disabled_at"),
        disabled_reason=document.get("disabled_reason"),
    )
