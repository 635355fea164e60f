"""Open SMTP connections kept for the next message: a session per message costs more than it."""

import asyncio
import contextlib
from email.message import EmailMessage

import aiosmtplib

from notifications.settings import NotificationsSettings


class SmtpConnections:
    """At most ``size`` connections, each carrying one message at a time and then kept."""

    def __init__(self, settings: NotificationsSettings, *, size: int) -> None:
        self._settings = settings
        self._slots = asyncio.Semaphore(max(1, size))
        self._idle: list[aiosmtplib.SMTP] = []
        self.opened = 0

    async def send(self, message: EmailMessage) -> None:
        """Send on an idle connection, or a new one; raise what aiosmtplib raises."""
        async with self._slots:
            reused = bool(self._idle)
            client = self._idle.pop() if reused else await self._connect()
            try:
                await client.send_message(message)
            except aiosmtplib.SMTPServerDisconnected:
                client.close()
                if not reused:
                    raise
                # The server closed the idle connection meanwhile: once more on a fresh one.
                client = await self._connect()
                await self._send_or_close(client, message)
            except BaseException:
                client.close()  # after a refusal or a timeout its state is not worth guessing
                raise
            self._idle.append(client)

    async def close(self) -> None:
        """Say goodbye on every idle connection."""
        idle, self._idle = self._idle, []
        for client in idle:
            with contextlib.suppress(aiosmtplib.SMTPException, OSError):
                await client.quit()
            client.close()

    async def _send_or_close(self, client: aiosmtplib.SMTP, message: EmailMessage) -> None:
        try:
            await client.send_message(message)
        except BaseException:
            client.close()
            raise

    async def _connect(self) -> aiosmtplib.SMTP:
        settings = self._settings
        password = settings.smtp_password
        client = aiosmtplib.SMTP(
            hostname=settings.smtp_host,
            port=settings.smtp_port,
            username=settings.smtp_username,
            password=password.get_secret_value() if password else None,
            start_tls=settings.smtp_starttls,
            timeout=settings.smtp_timeout_s,
        )
        await client.connect()
        self.opened += 1
        return client
