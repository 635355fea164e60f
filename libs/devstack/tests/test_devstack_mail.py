"""SMTP sinks: the fixture's sink, and MailDev read through its REST API."""

import asyncio
import smtplib
import uuid
from email.message import EmailMessage
from pathlib import Path

import pytest

from cerchia_devstack.mail_sink import HttpMailbox, MailSink
from cerchia_devstack.maildev import MailDev
from cerchia_devstack.paths import cache_dir
from cerchia_devstack.ports import free_ports

pytestmark = pytest.mark.integration


def compose(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = "Cerchia <noreply@cerchia.test>"
    message["To"] = "ada@example.org"
    message["Subject"] = subject
    message.set_content("Benvenuta in Cerchia, Ada — è un piacere.")
    return message


def send(host: str, port: int, message: EmailMessage) -> None:
    with smtplib.SMTP(host, port, timeout=10) as smtp:
        smtp.send_message(message)


async def deliver_and_read_back(sink: MailSink) -> None:
    subject = f"Welcome {uuid.uuid4().hex[:8]}"
    await asyncio.to_thread(send, sink.host, sink.port, compose(subject))

    received = await sink.wait_for(lambda message: message["subject"] == subject, timeout=10)

    assert received["to"] == "ada@example.org"
    assert received.get_content().strip() == "Benvenuta in Cerchia, Ada — è un piacere."
    sink.clear()
    assert await sink.messages() == []


async def test_smtp_sink_receives_a_message(smtp_sink: MailSink) -> None:
    await deliver_and_read_back(smtp_sink)


async def test_maildev_is_readable_through_its_rest_api(tmp_path: Path) -> None:
    smtp_port, web_port = free_ports(2)
    maildev = MailDev(root=tmp_path, cache=cache_dir(), smtp_port=smtp_port, web_port=web_port)
    await asyncio.to_thread(maildev.install)
    maildev.start(owned=True)
    try:
        await maildev.wait_ready()
        await deliver_and_read_back(HttpMailbox(maildev.host, smtp_port, maildev.web_url))
    finally:
        maildev.stop(5.0)
