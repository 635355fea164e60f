"""The whole platform behind its gateway, started once per test module, and a client for it.

``platform`` starts membership, content, events and notifications as processes on the session's
Kafka, database, SMTP sink and signing key, then the gateway in front of them; only the gateway's
URL is used by the tests. ``Member`` is a person signed up, verified and logged in through it.
"""

import asyncio
import json
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import httpx

from cerchia_devstack.group_offsets import end_offsets, start_groups_at
from cerchia_devstack.kafka import KafkaCluster
from cerchia_devstack.mail_sink import MailSink
from cerchia_devstack.paths import repo_root
from cerchia_devstack.ports import LOCALHOST, free_port
from cerchia_devstack.pytest_plugin import AuthKeys
from cerchia_devstack.service_process import ServiceProcess
from cerchia_devstack.services import Infrastructure, is_present, service, service_env
from cerchia_devstack.web_assets import install_web_assets

PASSWORD = "correct horse battery staple"
UPSTREAMS = ("membership", "content", "events", "notifications")

# Generous limits: the suites send hundreds of requests from one address and user; the limits
# themselves are tested on their own.
_TEST_ENV = {
    "OTEL_BSP_SCHEDULE_DELAY": "200",
    "GATEWAY_RATE_LIMIT_PER_IP": "100000/minute",
    "GATEWAY_RATE_LIMIT_PER_USER": "100000/minute",
    "GATEWAY_RATE_LIMIT_SENSITIVE_PER_IP": "100000/minute",
    "CONTENT_POSTING_RATE_LIMIT": "100000",
    "MEMBERSHIP_LOGIN_IP_LIMIT": "100000",
    "MEMBERSHIP_TOKEN_REQUEST_IP_LIMIT": "100000",
    "MEMBERSHIP_TOKEN_REQUEST_ACCOUNT_LIMIT": "100000",
    "NOTIFICATIONS_DISPATCH_POLL_INTERVAL_S": "0.5",
    # A loaded test machine can take longer than production's 15 s to commit a write; the
    # suites check answers, not latency (the benchmarks do that).
    "GATEWAY_UPSTREAM_READ_TIMEOUT_S": "60",
    # The operator the revocation tests act as (a token the session's key signs).
    "MEMBERSHIP_OPERATOR_IDS": '["ops-e2e-operator"]',
    # Webhook URLs point at the loopback interface: the test machine resolves no public name.
    "NOTIFICATIONS_WEBHOOK_ALLOW_PRIVATE_NETWORKS": "true",
    # Lag, outbox and dead-letter gauges follow within a second (production: every 10 s).
    **{f"{name.upper()}_METRICS_SAMPLE_INTERVAL_S": "1" for name in UPSTREAMS},
    # So do the test push services (and the web suite's made-up push.example.org endpoints).
    "NOTIFICATIONS_PUSH_ALLOW_PRIVATE_NETWORKS": "true",
    "NOTIFICATIONS_PUSH_SERVICE_HOSTS": '["127.0.0.1", "push.example.org"]',
}


@dataclass
class Platform:
    """The running processes; tests talk to ``gateway`` only."""

    processes: dict[str, ServiceProcess]
    smtp: MailSink
    keys: AuthKeys
    #: Each service's database name.
    databases: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        """The gateway's base URL."""
        return self.processes["gateway"].url

    @property
    def web_url(self) -> str:
        """The web client's base URL (emails link to it)."""
        return self.processes["web"].url

    def client(self, **kwargs: Any) -> httpx.AsyncClient:
        """An HTTP client for the gateway (close it)."""
        return httpx.AsyncClient(base_url=self.url, timeout=30, **kwargs)

    def stop(self) -> None:
        """Stop every process (gateway first)."""
        for process in reversed(list(self.processes.values())):
            if process.running():
                process.terminate(5.0)


async def start_platform(
    workdir: Path,
    *,
    kafka: KafkaCluster,
    mongo_uri: str,
    smtp: MailSink,
    keys: AuthKeys,
    env: Mapping[str, str] | None = None,
) -> Platform:
    """Start the four services in parallel, then the gateway in front of them."""
    suffix = uuid.uuid4().hex[:8]
    infrastructure = Infrastructure(
        kafka=kafka,
        mongo_uri=mongo_uri,
        smtp_host=smtp.host,
        smtp_port=smtp.port,
        signing_key_file=str(keys.path),
        jwks_json=json.dumps(keys.key.jwks()),
        token_sealing_key=keys.opening.public_text(),
        token_opening_keys_file=str(keys.opening_path),
        personal_data_keys_file=str(keys.personal_data_path),
    )
    processes: dict[str, ServiceProcess] = {}
    platform = Platform(processes, smtp, keys)

    web_port = free_port()
    web_url = f"http://{LOCALHOST}:{web_port}"

    def build(
        name: str, extra: Mapping[str, str] | None = None, port: int | None = None
    ) -> ServiceProcess:
        spec = service(name)
        port = port or free_port()
        platform.databases[name] = f"{name}_{suffix}"
        variables = service_env(spec, infrastructure, port=port, database=platform.databases[name])
        variables.update(_TEST_ENV)
        variables["NOTIFICATIONS_PUBLIC_BASE_URL"] = web_url
        # Its own consumer groups: the other end-to-end tests run their own services on the
        # same Kafka, and sharing a group would split the partitions between the two.
        variables[f"{spec.env_prefix}KAFKA_GROUP_ID"] = f"{name}-{suffix}"
        variables.update(extra or {})
        variables.update(env or {})
        process = ServiceProcess(
            spec, env=variables, port=port, log_path=workdir / f"{name}.log", owned=True
        )
        processes[name] = process
        return process

    # The groups start at the end of the session's history: the platform sees every record
    # produced from now on, and does not first work through thousands of earlier tests'.
    await start_groups_at(
        kafka.admin, [f"{name}-{suffix}" for name in UPSTREAMS], await end_offsets(kafka.admin)
    )
    try:
        services = [build(name) for name in UPSTREAMS]
        await asyncio.gather(*(process.start(90.0) for process in services))
        await build(
            "gateway",
            {f"GATEWAY_{name.upper()}_URL": processes[name].url for name in UPSTREAMS},
        ).start(60.0)
        if is_present(service("web")):
            install_web_assets(repo_root())
            await build(
                "web",
                {"WEB_GATEWAY_URL": processes["gateway"].url, "WEB_PUBLIC_URL": web_url},
                port=web_port,
            ).start(60.0)
    except BaseException:
        platform.stop()
        raise
    return platform


def unique(prefix: str) -> str:
    """A short name no other test uses."""
    return f"{prefix}{uuid.uuid4().hex[:10]}"


def to(address: str, subject: str | None = None) -> Callable[[EmailMessage], bool]:
    """Matches mail to ``address`` (whose subject contains ``subject``)."""
    return lambda m: m["To"] == address and (subject is None or subject in str(m["Subject"]))


def text_of(message: EmailMessage) -> str:
    """The plain-text body of a message."""
    body = message.get_body(("plain",))
    assert body is not None
    content: str = body.get_content()
    return content


def token_in(message: EmailMessage, path: str) -> str:
    """The one-time token of the ``path`` link in the message."""
    found = re.search(re.escape(path) + r"\?token=([A-Za-z0-9_\-.%~]+)", text_of(message))
    assert found is not None, text_of(message)
    return found.group(1)


@dataclass
class Member:
    """A person with an account, verified and logged in through the gateway."""

    id: str
    email: str
    name: str
    access_token: str
    handle: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def auth(self) -> dict[str, str]:
        """``Authorization`` header."""
        return {"Authorization": f"Bearer {self.access_token}"}


async def sign_up(
    client: httpx.AsyncClient, smtp: MailSink, name: str, *, handle: bool = False
) -> Member:
    """Register, verify the address from the email, log in, and (if asked) claim a handle."""
    email = f"{unique(name.lower())}@example.org"
    registered = await client.post(
        "/api/v1/users",
        json={"email": email, "password": PASSWORD, "display_name": name, "locale": "en"},
    )
    assert registered.status_code == 201, registered.text
    user_id = registered.json()["id"]
    mail = await smtp.wait_for(to(email, "Confirm your email"), timeout=30)
    token = token_in(mail, "/verify-email")
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code in (200, 204), verified.text
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert login.status_code == 200, login.text
    member = Member(user_id, email, name, login.json()["access_token"])
    if handle:
        member.handle = unique(name.lower()[:8] + "_")
        profile = await client.patch(
            "/api/v1/profiles/me", json={"handle": member.handle}, headers=member.auth
        )
        assert profile.status_code == 200, profile.text
    return member


async def eventually(
    probe: Callable[[], Awaitable[bool]],
    *,
    what: str,
    timeout: float = 30.0,
) -> None:
    """Poll ``probe`` until it is true (projections follow Kafka, so they lag a little)."""
    deadline = time.monotonic() + timeout
    while not await probe():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout:.0f}s: {what}")
        await asyncio.sleep(0.2)
