"""SMTP connections are kept for the next message and replaced when the server dropped them."""

import asyncio
from email.message import EmailMessage

import aiosmtplib
import pytest

from cerchia_devstack.mail_sink import InProcessSmtpSink
from notifications.adapters.smtp_connections import SmtpConnections
from notifications.settings import NotificationsSettings

pytestmark = pytest.mark.integration


def message(n: int) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "cerchia@example.org"
    mail["To"] = f"member{n}@example.org"
    mail["Subject"] = f"Message {n}"
    mail["Message-ID"] = f"<m{n}@cerchia.local>"
    mail.set_content("Hello")
    return mail


async def test_messages_share_connections_and_a_dropped_one_is_replaced() -> None:
    sink = InProcessSmtpSink().start()
    settings = NotificationsSettings(smtp_host=sink.host, smtp_port=sink.port)
    connections = SmtpConnections(settings, size=2)
    try:
        await asyncio.gather(*(connections.send(message(n)) for n in range(6)))
        assert connections.opened == 2  # six messages, two sessions
        for n in range(6, 9):
            await connections.send(message(n))
        assert connections.opened == 2

        # The server restarts: the kept connections are dead, the next send opens a new one.
        sink.stop()
        sink = InProcessSmtpSink(port=settings.smtp_port).start()
        await connections.send(message(9))
        assert connections.opened == 3
        assert [m["Message-ID"] for m in await sink.messages()] == ["<m9@cerchia.local>"]
    finally:
        await connections.close()
        sink.stop()


async def test_a_refused_connection_is_an_error_and_not_kept() -> None:
    sink = InProcessSmtpSink()  # never started: nothing listens on the port
    connections = SmtpConnections(
        NotificationsSettings(smtp_host=sink.host, smtp_port=sink.port, smtp_timeout_s=2), size=1
    )
    with pytest.raises(aiosmtplib.SMTPConnectError):
        await connections.send(message(1))
    assert connections.opened == 0
    await connections.close()
