"""Argon2id password hashing, off the event loop."""

import asyncio

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Hasher:
    """Hashes and verifies passwords with argon2-cffi's recommended parameters."""

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self._hasher = hasher or PasswordHasher()
        self._absent_hash: str | None = None

    async def hash(self, password: str) -> str:
        """Hash in a worker thread: argon2 is deliberately slow."""
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        """Whether ``password`` matches ``password_hash``."""
        try:
            return await asyncio.to_thread(self._hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        """Whether the hash was made with other parameters than the current ones."""
        try:
            return self._hasher.check_needs_rehash(password_hash)
        except InvalidHashError:
            return False

    async def verify_absent(self, password: str) -> bool:
        """Take as long as a real verification, for an account that does not exist; False."""
        if self._absent_hash is None:
            self._absent_hash = await self.hash("no account has this password")
        await self.verify(self._absent_hash, password)
        return False
