"""Email over SMTP (aiosmtplib): multipart text + HTML, RFC 8058 one-click unsubscribe."""

from email.message import EmailMessage
from email.utils import formatdate
from urllib.parse import quote

import aiosmtplib
from opentelemetry import trace
from opentelemetry.trace import SpanKind

from notifications.adapters.provider_rates import ProviderRate
from notifications.adapters.smtp_connections import SmtpConnections
from notifications.adapters.templates import EmailTemplates
from notifications.adapters.translations import language
from notifications.adapters.unsubscribe_tokens import SignedUnsubscribeTokens
from notifications.domain.deliveries import (
    Delivery,
    Failure,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from notifications.service.preferences import unsubscribe_scope
from notifications.settings import NotificationsSettings

tracer = trace.get_tracer(__name__)


class SmtpEmailSender:
    """Renders a delivery and hands it to the SMTP server."""

    def __init__(
        self,
        settings: NotificationsSettings,
        templates: EmailTemplates,
        tokens: SignedUnsubscribeTokens,
        connections: SmtpConnections,
        limits: ProviderRate | None = None,
    ) -> None:
        self._settings = settings
        self._connections = connections
        self._templates = templates
        self._tokens = tokens
        self._limits = limits

    @property
    def provider(self) -> str:
        """The SMTP server."""
        return f"smtp:{self._settings.smtp_host}:{self._settings.smtp_port}"

    def unsubscribe_url(self, delivery: Delivery) -> str | None:
        """The one-click link of a delivery, when what it carries can be turned off."""
        scope = unsubscribe_scope(delivery.category, delivery.template, delivery.community_id)
        if scope is None or delivery.recipient_id == delivery.address.lower():
            return None  # security mail, or an address without an account
        token = self._tokens.issue(delivery.recipient_id, scope)
        base = self._settings.public_base_url.rstrip("/")
        return f"{base}/api/v1/unsubscribe?token={quote(token)}"

    def compose(self, delivery: Delivery) -> EmailMessage:
        """The MIME message for a delivery."""
        unsubscribe = self.unsubscribe_url(delivery)
        rendered = self._templates.render(
            delivery.template, delivery.locale, delivery.context, unsubscribe_url=unsubscribe
        )
        message = EmailMessage()
        message["From"] = self._settings.mail_from
        message["To"] = delivery.address
        message["Subject"] = rendered.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        # A Message-ID derived from the idempotency key lets an MTA drop a resend after a crash.
        message["Message-ID"] = f"<{delivery.key.replace(':', '.')}@cerchia.local>"
        message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies, please
        message["X-Cerchia-Category"] = delivery.category_label
        if unsubscribe is not None:
            message["List-Unsubscribe"] = f"<{unsubscribe}>"
            message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(rendered.text)
        message.add_alternative(rendered.html, subtype="html")
        # After the parts exist: making the message multipart moves Content-* headers inward.
        message["Content-Language"] = language(delivery.locale)
        return message

    async def send(self, delivery: Delivery) -> None:
        """Send one delivery; 5xx replies are permanent, everything else is worth a retry."""
        if not delivery.address:
            raise PermanentDeliveryError(
                "no email address: the recipient never became known", Failure.NO_DESTINATION
            )
        message = self.compose(delivery)
        if self._limits is not None:
            await self._limits.take(self._settings.smtp_host)
        # A child of the dispatcher's span, which continues the trace of the event.
        with tracer.start_as_current_span("smtp send", kind=SpanKind.CLIENT) as span:
            span.set_attribute("server.address", self._settings.smtp_host)
            span.set_attribute("server.port", self._settings.smtp_port)
            span.set_attribute("cerchia.delivery.key", delivery.key)
            try:
                await self._connections.send(message)
            except aiosmtplib.SMTPResponseException as exc:
                if 500 <= exc.code < 600:
                    raise PermanentDeliveryError(f"SMTP {exc.code}: {exc.message}") from exc
                raise TransientDeliveryError(f"SMTP {exc.code}: {exc.message}") from exc
            except (aiosmtplib.SMTPException, OSError) as exc:
                raise TransientDeliveryError(f"SMTP unavailable: {exc}") from exc
