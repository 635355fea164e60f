"""Provider stand-ins for email and web push that keep every receipt with its idempotency key.

Real providers may deduplicate a resend (an MTA on Message-ID, a browser on the notification
tag); these sinks keep the raw receipts so a test sees both figures: what the provider received
(raw, duplicates included) and what a person sees (unique keys).
"""

import base64
import json
import os
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from typing import Any

import http_ece
from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from cerchia_devstack.ports import LOCALHOST, free_port


@dataclass(frozen=True)
class Receipt:
    """One message a provider accepted: its idempotency key, recipient, and when (epoch s)."""

    key: str
    recipient: str
    at: float
    #: The link a push message carries (which thread it is about).
    link: str = ""


@dataclass
class ProviderLog:
    """Receipts of one provider, safe to append from the provider's own thread."""

    receipts: list[Receipt] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, key: str, recipient: str, link: str = "") -> None:
        """Keep one receipt."""
        with self._lock:
            self.receipts.append(Receipt(key, recipient, time.time(), link))

    def snapshot(self) -> list[Receipt]:
        """Every receipt so far."""
        with self._lock:
            return list(self.receipts)

    def counts(self) -> Counter[str]:
        """How many times each key arrived."""
        return Counter(receipt.key for receipt in self.snapshot())

    def unique_keys(self) -> set[str]:
        """The keys a deduplicating provider delivers once each."""
        return set(self.counts())

    def raw_duplicates(self) -> int:
        """Receipts beyond the first of their key (what a non-deduplicating provider repeats)."""
        return sum(n - 1 for n in self.counts().values())


def message_id_key(key: str) -> str:
    """The Message-ID notifications derives from an idempotency key, without angle brackets."""
    return f"{key.replace(':', '.')}@cerchia.local"


class _SmtpHandler:
    def __init__(self, log: ProviderLog) -> None:
        self.log = log
        self._parser = BytesHeaderParser(policy=default_policy)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        raw = content if isinstance(content, bytes) else str(content).encode()
        headers = self._parser.parsebytes(raw)
        message_id = str(headers.get("Message-ID", "")).strip().strip("<>")
        self.log.record(message_id, str(headers.get("To", "")))
        return "250 Message accepted for delivery"


class SmtpProvider:
    """An aiosmtpd server (own thread) keyed on Message-ID."""

    def __init__(self, host: str = LOCALHOST) -> None:
        self.host = host
        self.port = free_port(host)
        self.log = ProviderLog()
        self._controller: Any = None

    def start(self) -> "SmtpProvider":
        """Listen on a free loopback port."""
        from aiosmtpd.controller import Controller

        self._controller = Controller(_SmtpHandler(self.log), hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


class PushProvider:
    """A web push service on loopback: ``/push/<user id>`` decrypts each message (RFC 8291) and
    keeps its ``tag``, which notifications sets to the delivery's idempotency key.

    Every subscription shares one browser key pair: the point is the receipt, not the browser.
    """

    def __init__(self, host: str = LOCALHOST) -> None:
        self.host = host
        self.port = free_port(host)
        self.log = ProviderLog()
        self._key = ec.generate_private_key(ec.SECP256R1())
        self._auth = os.urandom(16)
        self._runner: web.AppRunner | None = None
        self.refused = 0

    @property
    def base(self) -> str:
        """Base URL of the service."""
        return f"http://{self.host}:{self.port}"

    def subscription(self, user_id: str) -> dict[str, Any]:
        """A browser's ``PushSubscription.toJSON()`` for ``user_id``."""
        public = self._key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.base}/push/{user_id}",
            "expirationTime": None,
            "keys": {"p256dh": _b64url(public), "auth": _b64url(self._auth)},
        }

    async def _handle(self, request: web.Request) -> web.Response:
        try:
            body = http_ece.decrypt(
                await request.read(),
                private_key=self._key,
                auth_secret=self._auth,
                version=request.headers.get("Content-Encoding", "aes128gcm"),
            )
            payload = json.loads(body)
            tag, link = str(payload["tag"]), str(payload.get("url", ""))
        except Exception:
            self.refused += 1
            return web.Response(status=400)
        self.log.record(tag, request.match_info["user"], link)
        return web.Response(status=201)

    async def start(self) -> "PushProvider":
        """Listen on a free loopback port (in the running event loop)."""
        app = web.Application()
        app.router.add_post("/push/{user}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, self.host, self.port).start()
        return self

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
