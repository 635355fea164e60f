"""Webhook signatures, unsubscribe tokens, translations and email headers."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from notifications.adapters.smtp import SmtpEmailSender
from notifications.adapters.smtp_connections import SmtpConnections
from notifications.adapters.templates import EmailTemplates
from notifications.adapters.unsubscribe_tokens import SignedUnsubscribeTokens
from notifications.adapters.webhook_sender import WebhookSender
from notifications.domain.categories import Category
from notifications.domain.deliveries import Channel, Delivery
from notifications.domain.webhooks import new_secret
from notifications.settings import NotificationsSettings

pytestmark = pytest.mark.unit

PACKAGE = Path(__file__).parents[1] / "src" / "notifications"


def delivery(template: str = "application_submitted", **overrides: object) -> Delivery:
    fields: dict[str, object] = {
        "key": "ev-1:u-1:email",
        "event_id": "ev-1",
        "recipient_id": "u-1",
        "channel": Channel.EMAIL,
        "template": template,
        "locale": "en",
        "address": "ada@example.org",
        "context": {"community": "Lettori", "actor": "Bo", "display_name": "Ada", "link": "/c"},
        "created_at": datetime.now(UTC),
        "category": Category.MEMBERSHIP,
    }
    fields.update(overrides)
    return Delivery(**fields)  # type: ignore[arg-type]


def test_webhook_signature_follows_standard_webhooks() -> None:
    secret = new_secret()
    now = datetime(2026, 1, 10, 12, 0, tzinfo=UTC)
    payload = '{"type": "cerchia.membership.member_joined.v1"}'
    headers = WebhookSender.headers(delivery(channel=Channel.WEBHOOK), secret, payload, now)
    assert headers["webhook-id"] == "ev-1:u-1:email"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    # v1,base64(HMAC-SHA256(secret, "id.timestamp.body")), recomputed by hand.
    key = base64.b64decode(secret.removeprefix("whsec_"))
    signed = f"{headers['webhook-id']}.{headers['webhook-timestamp']}.{payload}".encode()
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    assert headers["webhook-signature"] == f"v1,{expected}"
    fresh = WebhookSender.headers(delivery(), secret, payload, datetime.now(UTC))
    assert Webhook(secret).verify(payload, fresh)["type"].endswith("member_joined.v1")
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(payload, fresh)
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(payload.replace("joined", "left"), fresh)


def test_unsubscribe_tokens_are_signed_and_tamper_proof() -> None:
    tokens = SignedUnsubscribeTokens("s" * 32)
    token = tokens.issue("u-1", "membership")
    assert tokens.read(token) == ("u-1", "membership")
    assert tokens.read(token[:-2] + "xx") is None
    assert SignedUnsubscribeTokens("t" * 32).read(token) is None
    assert tokens.read("garbage") is None


def test_every_message_has_an_italian_translation() -> None:
    with (PACKAGE / "locale" / "it" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="it")
    extracted = extract_from_dir(
        str(PACKAGE),
        method_map=[("adapters/messages.py", "python"), ("templates/**.j2", "jinja2")],
        options_map={"templates/**.j2": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}},
        keywords={"N_": None, "gettext": None, "ngettext": (1, 2), "_": None},
    )
    ids = {message if isinstance(message, str) else message[0] for _, _, message, _, _ in extracted}
    assert len(ids) > 50
    untranslated = [i for i in ids if not (catalog.get(i) and catalog.get(i).string)]  # type: ignore[union-attr]
    assert untranslated == []


def sender() -> SmtpEmailSender:
    return SmtpEmailSender(
        NotificationsSettings(public_base_url="https://cerchia.example"),
        EmailTemplates(base_url="https://cerchia.example"),
        SignedUnsubscribeTokens("s" * 32),
        SmtpConnections(NotificationsSettings(), size=1),
    )


@pytest.mark.parametrize(
    ("locale", "subject", "greeting"),
    [
        ("en", "New application to Lettori", "Hi Ada,"),
        ("it", "Nuova candidatura a Lettori", "Ciao Ada,"),
    ],
)
def test_emails_are_multipart_in_the_persons_language_with_one_click_unsubscribe(
    locale: str, subject: str, greeting: str
) -> None:
    message = sender().compose(delivery(locale=locale))
    assert message["Subject"] == subject
    assert message["Content-Language"] == locale
    assert message["Message-ID"] == "<ev-1.u-1.email@cerchia.local>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["List-Unsubscribe"].startswith(
        "<https://cerchia.example/api/v1/unsubscribe?token="
    )
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert text is not None
    assert html is not None
    assert greeting in text.get_content()
    assert "https://cerchia.example/c" in html.get_content()


def test_security_emails_have_no_unsubscribe_and_html_is_escaped() -> None:
    message = sender().compose(
        delivery(
            "password_reset",
            category=Category.ACCOUNT,
            context={"display_name": "<script>x</script>", "link": "/reset-password?token=t"},
        )
    )
    assert message["List-Unsubscribe"] is None
    html = message.get_body(("html",))
    assert html is not None
    assert "<script>" not in html.get_content()
    assert "&lt;script&gt;" in html.get_content()
    assert "https://cerchia.example/reset-password?token=t" in html.get_content()


def test_unknown_locale_falls_back_to_italian() -> None:
    message = sender().compose(delivery("welcome", locale="de", category=Category.ACCOUNT))
    assert message["Subject"] == "Benvenuto in Cerchia, Ada"
