"""SMTP sinks for tests: an in-process aiosmtpd server, or a MailDev/Mailpit read over HTTP."""

import asyncio
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import httpx

from cerchia_devstack.ports import LOCALHOST, free_port

_PARSER = BytesParser(_class=EmailMessage, policy=policy.default)


def parse_message(raw: bytes) -> EmailMessage:
    """A message as the stdlib's modern ``EmailMessage`` (headers decoded, ``get_content()``)."""
    return _PARSER.parsebytes(raw)


class MailSink(ABC):
    """Where services deliver email in tests: an SMTP address plus a way to read what arrived."""

    host: str
    port: int

    @abstractmethod
    async def messages(self) -> list[EmailMessage]:
        """Every message received so far, oldest first."""

    @abstractmethod
    def clear(self) -> None:
        """Forget every message received so far."""

    async def wait_for(
        self,
        predicate: Callable[[EmailMessage], bool],
        timeout: float = 10.0,  # noqa: ASYNC109
    ) -> EmailMessage:
        """The first message matching ``predicate``, waiting up to ``timeout`` seconds for it."""
        deadline = time.monotonic() + timeout
        while True:
            received = await self.messages()
            for message in received:
                if predicate(message):
                    return message
            if time.monotonic() >= deadline:
                subjects = [str(message["subject"]) for message in received]
                raise TimeoutError(
                    f"no matching email after {timeout:.0f}s; received subjects: {subjects}"
                )
            await asyncio.sleep(0.1)


class _Collector:
    """aiosmtpd handler keeping every message's bytes (it runs on the server's own thread)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        content = envelope.original_content or envelope.content
        data = content if isinstance(content, bytes) else str(content).encode()
        with self.lock:
            self.raw.append(data)
        return "250 Message accepted for delivery"


class InProcessSmtpSink(MailSink):
    """An aiosmtpd server on a free loopback port, inside the test process."""

    def __init__(self, host: str = LOCALHOST, port: int | None = None) -> None:
        self.host = host
        self.port = port if port is not None else free_port(host)
        self._collector = _Collector()
        self._controller: Any = None

    def start(self) -> "InProcessSmtpSink":
        """Start listening (on a background thread with its own event loop)."""
        from aiosmtpd.controller import Controller

        self._controller = Controller(self._collector, hostname=self.host, port=self.port)
        self._controller.start()
        return self

    def stop(self) -> None:
        """Stop the server and its thread."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def messages(self) -> list[EmailMessage]:
        """Every message received so far."""
        with self._collector.lock:
            raw = list(self._collector.raw)
        return [parse_message(data) for data in raw]

    def clear(self) -> None:
        """Forget every message received so far."""
        with self._collector.lock:
            self._collector.raw.clear()


class HttpMailbox(MailSink):
    """A running MailDev or Mailpit: SMTP to ``host:port``, messages read from its HTTP API.

    The flavour is detected once: Mailpit answers ``/api/v1/messages``, MailDev ``/email``.
    """

    def __init__(self, host: str, port: int, api_url: str) -> None:
        self.host = host
        self.port = port
        self.api_url = api_url.rstrip("/")
        self._flavour: str | None = None

    async def _detect(self, client: httpx.AsyncClient) -> str:
        if self._flavour is None:
            mailpit = await client.get(f"{self.api_url}/api/v1/messages", params={"limit": 1})
            if mailpit.status_code == 200 and "messages" in mailpit.json():
                self._flavour = "mailpit"
            else:
                (await client.get(f"{self.api_url}/email")).raise_for_status()
                self._flavour = "maildev"
        return self._flavour

    async def messages(self) -> list[EmailMessage]:
        """Every message in the mailbox, oldest first."""
        async with httpx.AsyncClient(timeout=10.0) as client:
            if await self._detect(client) == "mailpit":
                listing = await client.get(
                    f"{self.api_url}/api/v1/messages", params={"limit": 1000}
                )
                listing.raise_for_status()
                # Mailpit lists newest first.
                ids = [entry["ID"] for entry in reversed(listing.json()["messages"])]
                urls = [f"{self.api_url}/api/v1/message/{id_}/raw" for id_ in ids]
            else:
                listing = await client.get(f"{self.api_url}/email")
                listing.raise_for_status()
                urls = [f"{self.api_url}/email/{entry['id']}/source" for entry in listing.json()]
            messages = []
            for url in urls:
                response = await client.get(url)
                response.raise_for_status()
                messages.append(parse_message(response.content))
            return messages

    def clear(self) -> None:
        """Delete every message from the mailbox."""
        with httpx.Client(timeout=10.0) as client:
            mailpit = client.get(f"{self.api_url}/api/v1/messages", params={"limit": 1})
            if mailpit.status_code == 200 and "messages" in mailpit.json():
                client.delete(f"{self.api_url}/api/v1/messages").raise_for_status()
            else:
                client.delete(f"{self.api_url}/email/all").raise_for_status()
