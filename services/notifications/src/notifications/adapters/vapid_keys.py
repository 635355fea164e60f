"""The VAPID key pair: from settings, else generated once and kept in the service's database."""

import asyncio
import base64
import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import Vapid
from pymongo import ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from cerchia_chassis.mongo import Document, Indexes

logger = logging.getLogger(__name__)

SERVICE_KEYS = "service_keys"
VAPID_ID = "vapid"


def application_server_key(vapid: Vapid) -> str:
    """The public key browsers pass to ``pushManager.subscribe`` (base64url, uncompressed)."""
    raw = vapid.public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def new_private_key() -> str:
    """A fresh P-256 private key as settings take it (base64url of the raw 32-byte scalar)."""
    scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value
    return base64.urlsafe_b64encode(scalar.to_bytes(32, "big")).rstrip(b"=").decode()


class VapidKeys:
    """Loads the key on first use. Browsers subscribe to one public key: a key generated per
    start would silently break every subscription at each restart, so a generated key is
    stored (the first replica to start creates it, the others read it)."""

    indexes: Sequence[Indexes] = (Indexes(SERVICE_KEYS),)

    def __init__(self, db: AsyncDatabase[Document], configured: str | None) -> None:
        self._collection = db[SERVICE_KEYS]
        self._configured = configured
        self._vapid: Vapid | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Vapid:
        """The key pair."""
        if self._vapid is None:
            async with self._lock:
                if self._vapid is None:
                    self._vapid = Vapid.from_string(private_key=await self._private_key())
        return self._vapid

    async def public_key(self) -> str:
        """The public half, as browsers take it (``applicationServerKey``)."""
        return application_server_key(await self.get())

    async def _private_key(self) -> str:
        if self._configured:
            return self._configured
        candidate = new_private_key()
        for _ in range(2):
            try:
                doc = await self._collection.find_one_and_update(
                    {"_id": VAPID_ID},
                    {"$setOnInsert": {"private_key": candidate, "created_at": datetime.now(UTC)}},
                    upsert=True,
                    return_document=ReturnDocument.AFTER,
                )
            except DuplicateKeyError:
                continue  # another replica inserted it first: read theirs
            if doc is not None:
                if doc["private_key"] == candidate:
                    logger.warning("no VAPID key configured: generated one and stored it")
                return str(doc["private_key"])
        raise RuntimeError("the stored VAPID key could not be read")
