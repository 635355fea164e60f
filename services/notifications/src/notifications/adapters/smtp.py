"""Email over SMTP (aiosmtplib): multipart text + HTML, traced, idempotency key as Message-ID."""

from email.message import EmailMessage
from email.utils import formatdate

import aiosmtplib
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind

from notifications.adapters.templates import EmailTemplates
from notifications.domain.deliveries import Delivery
from notifications.settings import NotificationsSettings

tracer = trace.get_tracer(__name__)


class SmtpEmailSender:
    """Renders a delivery and hands it to the SMTP server."""

    def __init__(self, settings: NotificationsSettings, templates: EmailTemplates) -> None:
        self._settings = settings
        self._templates = templates

    def compose(self, delivery: Delivery) -> EmailMessage:
        """The MIME message for a delivery."""
        rendered = self._templates.render(delivery.template, delivery.locale, delivery.context)
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = delivery.address
        message["Subject"] = rendered.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        # A Message-ID derived from the idempotency key lets an MTA drop a resend after a crash.
        message["Message-ID"] = f"<{delivery.key.replace(':', '.')}@cerchia.local>"
        message["Content-Language"] = delivery.locale
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        return message

    async def send(self, delivery: Delivery) -> None:
        """Send one delivery; raise on any SMTP failure (the caller retries)."""
        message = self.compose(delivery)
        context = propagate.extract(delivery.trace_headers)
        with tracer.start_as_current_span(
            "smtp send", context=context, kind=SpanKind.CLIENT
        ) as span:
            span.set_attribute("server.address", self._settings.smtp_host)
            span.set_attribute("server.port", self._settings.smtp_port)
            span.set_attribute("cerchia.delivery.key", delivery.key)
            password = self._settings.smtp_password
            await aiosmtplib.send(
                message,
                hostname=self._settings.smtp_host,
                port=self._settings.smtp_port,
                username=self._settings.smtp_username,
                password=password.get_secret_value() if password else None,
                start_tls=self._settings.smtp_starttls,
                timeout=self._settings.smtp_timeout_s,
            )
