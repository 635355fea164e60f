"""The members' web client: its pages timed against the gateway reads they are built on, the
weight of each page on the wire, and Lighthouse's scores.

How the world is made, and why this way: the community page and the thread page read the
community (the reader's standing in it) from membership through the gateway, so membership runs
and owns the community, as in production; forged Kafka events would leave membership without it.
The member is therefore made through the public API: registered, their address verified with the
one-time token membership sealed for notifications (opened with the platform's opening key, which
the bench made: its email stand-in keeps no message bodies), and signed in through the web
client's own login form, so the browser session is the web client's, written by its own code
(nothing is forged into its session store). Notifications runs too: every signed-in page opens
its live stream. The community, its thread and the replies
are posted through the gateway with that member's access token (membership signs with the bench's
key, so the bench signs the same tokens for its API reads).
"""

import asyncio
import gzip
import json
import os
import re
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
from aiokafka import AIOKafkaConsumer

from cerchia_bench.harness import Measurement, percentile
from cerchia_bench.platform import Platform
from cerchia_chassis.sealing import Opener
from cerchia_contracts.catalog import topic_of
from cerchia_contracts.events.membership.tokens import (
    EmailVerificationRequestedV2,
    sealing_context,
)
from cerchia_devstack.paths import repo_root

#: The web client's session cookie (its default name).
COOKIE = "cerchia_session"
PASSWORD = "correct horse battery staple"  # noqa: S105 (a throwaway account of the run)
#: The pages measured: discover, the community's home, a thread with its replies.
#: Replies flagged for the moderation queue's page (with the thread itself).
FLAGGED = 5
PAGES = ("discover", "community", "thread", "event", "moderation")
LIGHTHOUSE_CATEGORIES = ("performance", "accessibility", "best-practices")


# ---- pure parts ---------------------------------------------------------------------------------


class _AssetRefs(HTMLParser):
    """Collects the stylesheets and scripts a page references."""

    def __init__(self) -> None:
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "link" and (found.get("rel") or "").lower().split() == ["stylesheet"]:
            if found.get("href"):
                self.css.append(str(found["href"]))
        elif tag == "script" and found.get("src"):
            self.js.append(str(found["src"]))


@dataclass(frozen=True)
class AssetRefs:
    """Absolute URLs of a page's stylesheets and scripts, each once, in document order."""

    css: tuple[str, ...]
    js: tuple[str, ...]


def asset_refs(html: str, page_url: str) -> AssetRefs:
    """The stylesheets (``<link rel="stylesheet">``) and scripts (``<script src>``) of a page."""
    parser = _AssetRefs()
    parser.feed(html)
    parser.close()

    def absolute(refs: list[str]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(urljoin(page_url, ref) for ref in refs))

    return AssetRefs(absolute(parser.css), absolute(parser.js))


def gzipped_kb(body: bytes) -> float:
    """Kilobytes (1,024 bytes) of ``body`` gzipped at the default level, as a server sends it."""
    return len(gzip.compress(body, mtime=0)) / 1024


def ratio(numerator: float, denominator: float) -> float:
    """``numerator / denominator``, NaN when there is nothing to divide by."""
    return numerator / denominator if denominator else float("nan")


def timing_figures(
    ttfb_ms: Sequence[float], full_ms: Sequence[float], errors: int
) -> dict[str, float]:
    """p50 and p99 of the time to first byte and of the full answer."""
    return {
        "ttfb_p50_ms": percentile(ttfb_ms, 0.5),
        "ttfb_p99_ms": percentile(ttfb_ms, 0.99),
        "full_p50_ms": percentile(full_ms, 0.5),
        "full_p99_ms": percentile(full_ms, 0.99),
        "errors": float(errors),
    }


def lighthouse_scores(report: dict[str, Any]) -> dict[str, float]:
    """Category scores of a Lighthouse JSON report, 0 to 100 (NaN where Lighthouse had none)."""
    categories = report.get("categories") or {}
    scores: dict[str, float] = {}
    for name in LIGHTHOUSE_CATEGORIES:
        score = (categories.get(name) or {}).get("score")
        scores[name] = float("nan") if score is None else round(float(score) * 100, 1)
    return scores


def lighthouse_problems(report: dict[str, Any]) -> list[str]:
    """The audits that lost points: performance metrics scoring under 0.9 with their values
    (``performance: id value (score s)``), then accessibility and best practices
    (``category: id (title)``)."""
    audits = report.get("audits") or {}
    problems: list[str] = []
    for name in ("performance", "accessibility", "best-practices"):
        for ref in (report.get("categories") or {}).get(name, {}).get("auditRefs") or []:
            audit = audits.get(ref.get("id")) or {}
            score = audit.get("score")
            if not ref.get("weight") or score is None:
                continue
            if name == "performance" and score < 0.9:
                value = audit.get("displayValue", "")
                problems.append(f"{name}: {ref['id']} {value} (score {score:.2f})")
            elif name != "performance" and score < 1:
                problems.append(f"{name}: {ref['id']} ({audit.get('title', '')})")
    return problems


def session_cookie(response: httpx.Response) -> str | None:
    """The session cookie a response sets (the Secure flag keeps httpx from replaying it over
    plain HTTP, so the bench carries it itself)."""
    for header in response.headers.get_list("set-cookie"):
        jar: SimpleCookie = SimpleCookie()
        jar.load(header)
        if COOKIE in jar:
            return jar[COOKIE].value
    return None


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


# ---- the world ----------------------------------------------------------------------------------


@dataclass
class WebWorld:
    """The web platform, one signed-in member, their community, a thread with replies and an
    event they are going to."""

    platform: Platform
    member: str
    cookie: str
    community_id: str
    thread_id: str
    replies: int
    event_id: str
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def web(self) -> str:
        """The web client's base URL."""
        return self.platform.url("web")

    @property
    def gateway(self) -> str:
        """The gateway's base URL."""
        return self.platform.url("gateway")

    def page(self, name: str) -> str:
        """URL of one of ``PAGES``."""
        community = f"{self.web}/communities/{self.community_id}"
        return {
            "discover": f"{self.web}/communities",
            "community": community,
            "thread": f"{community}/threads/{self.thread_id}",
            "event": f"{community}/events/{self.event_id}",
            "moderation": f"{community}/moderation",
        }[name]

    def api_read(self, name: str) -> str:
        """The gateway read a page is built on: the community, or the thread's view (the
        community, the thread, its first 50 replies and the members to mention)."""
        community = f"{self.gateway}/api/v1/communities/{self.community_id}"
        return {
            "discover": f"{self.gateway}/api/v1/communities?limit=20",
            "community": community,
            "thread": f"{community}/threads/{self.thread_id}/view?limit=50",
            "event": f"{self.gateway}/api/v1/events/{self.event_id}",
            "moderation": f"{community}/moderation/queue",
        }[name]

    @property
    def browser_headers(self) -> dict[str, str]:
        """What a signed-in browser sends."""
        return {"Cookie": f"{COOKIE}={self.cookie}"}

    @property
    def api_headers(self) -> dict[str, str]:
        """The member's ``Authorization`` header."""
        return self.platform.headers(self.member)


async def _verification_token(platform: Platform, user_id: str, within: float = 60.0) -> str:
    """The verification link's token, opened from the event membership published for it."""
    if platform.opening is None:
        raise RuntimeError("the platform has not started")
    topic = topic_of(EmailVerificationRequestedV2)
    consumer = AIOKafkaConsumer(
        topic.name,
        **platform.servers.kafka.admin.client_kwargs(),
        auto_offset_reset="earliest",
        group_id=None,
    )
    await consumer.start()
    try:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            batch = await consumer.getmany(timeout_ms=1000)
            for records in batch.values():
                for record in records:
                    if record.value is None:
                        continue
                    event = topic.decode(record.value)
                    if isinstance(event, EmailVerificationRequestedV2) and event.subject == user_id:
                        context = sealing_context(event.type, user_id)
                        return Opener([platform.opening]).open(event.data.token, context=context)
    finally:
        await consumer.stop()
    raise TimeoutError(f"no verification requested for {user_id} within {within:.0f}s")


async def _until_created(
    client: httpx.AsyncClient, url: str, body: dict[str, Any], headers: dict[str, str]
) -> str:
    """POST until the service knows the author's membership (learnt from membership's events);
    the new resource's id."""
    deadline = time.monotonic() + 60
    while True:
        response = await client.post(url, json=body, headers=headers)
        if response.status_code == 201:
            return str(response.json()["id"])
        if time.monotonic() > deadline:
            response.raise_for_status()
            raise RuntimeError(f"{url}: {response.status_code} {response.text}")
        await asyncio.sleep(0.2)


async def _sign_in(web: str, email: str) -> str:
    """Sign in through the login form, as a browser does; the session cookie."""
    async with httpx.AsyncClient(base_url=web, timeout=30) as browser:
        form = await browser.get("/login")
        form.raise_for_status()
        visitor, found = session_cookie(form), CSRF.search(form.text)
        if visitor is None or found is None:
            raise RuntimeError("the login page set no session or carried no CSRF token")
        signed = await browser.post(
            "/login",
            data={"csrf_token": found.group(1), "next": "/", "email": email, "password": PASSWORD},
            headers={"Cookie": f"{COOKIE}={visitor}", "Origin": web},
        )
        cookie = session_cookie(signed)
        if signed.status_code != 303 or cookie is None:
            raise RuntimeError(f"signing in failed: {signed.status_code} {signed.text[:500]}")
        return cookie


async def seed_web(platform: Platform, *, replies: int) -> WebWorld:
    """A member, signed in on the web client, who founded a public community, opened a thread
    there with ``replies`` replies, and scheduled an event they are going to."""
    email = f"bench-{uuid.uuid4().hex[:12]}@example.org"
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=60) as api:
        registered = await api.post(
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "display_name": "Bench", "locale": "en"},
        )
        registered.raise_for_status()
        member = str(registered.json()["id"])
        token = await _verification_token(platform, member)
        verified = await api.post("/api/v1/auth/verify-email", json={"token": token})
        verified.raise_for_status()
        auth = platform.headers(member)
        slug = f"bench-{uuid.uuid4().hex[:10]}"
        founded = await api.post(
            "/api/v1/communities",
            json={
                "name": f"Bench {slug[-6:]}",
                "slug": slug,
                "purpose": "Measuring the web client's pages.",
                "audience": "Benchmarks.",
                "language": "en",
                "visibility": "public",
                "code_of_conduct": "Be kind, stay on topic, measure honestly.",
            },
            headers=auth,
        )
        founded.raise_for_status()
        community = str(founded.json()["id"])
        thread = await _until_created(
            api,
            f"/api/v1/communities/{community}/threads",
            {"title": "A long discussion", "body": "Every reply below answers this thread."},
            auth,
        )
        gate = asyncio.Semaphore(8)

        flagged: list[str] = []

        async def reply(i: int) -> None:
            async with gate:
                made = await _until_created(
                    api,
                    f"/api/v1/threads/{thread}/replies",
                    {"body": f"Reply number {i}: **agreed**, with a [link](https://example.org)."},
                    auth,
                )
                if i < FLAGGED:
                    flagged.append(made)

        await asyncio.gather(*(reply(i) for i in range(replies)))
        # The moderation queue: the thread and a few replies flagged, each with its reason.
        targets = [("thread", thread)] + [("reply", r) for r in flagged]
        for kind, target in targets:
            flag = await api.post(
                f"/api/v1/communities/{community}/flags",
                json={"target_kind": kind, "target_id": target, "reason": "Measuring the queue."},
                headers=auth,
            )
            flag.raise_for_status()
        starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
        event = await _until_created(
            api,
            f"/api/v1/communities/{community}/events",
            {
                "title": "Measuring evening",
                "description": "We compare **figures** and [notes](https://example.org).",
                "format": "hybrid",
                "venue": {"name": "Sala Borsa", "address": "Piazza del Nettuno 3, Bologna"},
                "online_link": "https://meet.example.org/measuring",
                "starts_at": starts.isoformat(),
                "ends_at": (starts + timedelta(hours=2)).isoformat(),
                "time_zone": "Europe/Rome",
                "capacity": 20,
                "visibility": "public",
            },
            auth,
        )
        going = await api.put(
            f"/api/v1/events/{event}/rsvp", json={"answer": "going"}, headers=auth
        )
        going.raise_for_status()
    cookie = await _sign_in(platform.url("web"), email)
    return WebWorld(platform, member, cookie, community, thread, replies, event)


# ---- the measurements ---------------------------------------------------------------------------


async def timed_reads(url: str, headers: dict[str, str], *, requests: int) -> Measurement:
    """``requests`` GETs one after another: time to first byte (the answer's head) and full
    time (the body read) of each."""
    ttfb: list[float] = []
    full: list[float] = []
    errors = 0
    async with httpx.AsyncClient(timeout=30) as client:
        await client.get(url, headers=headers)  # the connection, opened before the clock starts
        for _ in range(requests):
            started = time.perf_counter()
            async with client.stream("GET", url, headers=headers) as response:
                ttfb.append((time.perf_counter() - started) * 1000)
                await response.aread()
                full.append((time.perf_counter() - started) * 1000)
                errors += response.status_code >= 400
    return Measurement(timing_figures(ttfb, full, errors), full)


async def page(world: WebWorld, name: str, *, requests: int) -> Measurement:
    """One page of the web client, as a signed-in browser asks for it."""
    return await timed_reads(world.page(name), world.browser_headers, requests=requests)


async def api_read(world: WebWorld, name: str, *, requests: int) -> Measurement:
    """The gateway read that page is built on, with the member's token."""
    return await timed_reads(world.api_read(name), world.api_headers, requests=requests)


async def page_weight(world: WebWorld) -> Measurement:
    """HTML, CSS and JS of each page, gzipped, in KB (each page's own assets, none cached)."""
    figures: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=30, headers=world.browser_headers) as client:
        for name in PAGES:
            url = world.page(name)
            html = await client.get(url)
            html.raise_for_status()
            refs = asset_refs(html.text, url)
            weights = {"html": gzipped_kb(html.content), "css": 0.0, "js": 0.0}
            for kind, urls in (("css", refs.css), ("js", refs.js)):
                for asset in urls:
                    answer = await client.get(asset)
                    answer.raise_for_status()
                    weights[kind] += gzipped_kb(answer.content)
            for kind, kb in weights.items():
                figures[f"{name}_{kind}_kb"] = kb
    return Measurement(figures)


def lighthouse_binary() -> Path:
    """Lighthouse as ``npm ci`` installed it in services/web (pinned by its lock file)."""
    return repo_root() / "services" / "web" / "node_modules" / ".bin" / "lighthouse"


async def lighthouse(url: str, cookie_header: dict[str, str]) -> dict[str, Any]:
    """Lighthouse's JSON report of one page, headless Chromium, the default (mobile) settings."""
    binary = lighthouse_binary()
    if not binary.exists():
        raise FileNotFoundError(f"{binary} is missing: run `npm ci` in services/web")
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    process = await asyncio.create_subprocess_exec(
        str(binary),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        "--chrome-flags=--headless=new --no-sandbox",
        "--only-categories=" + ",".join(LIGHTHOUSE_CATEGORIES),
        "--extra-headers=" + json.dumps(cookie_header),
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        tail = err.decode(errors="replace")[-2000:]
        raise RuntimeError(f"lighthouse {url} failed ({process.returncode}): {tail}")
    report: dict[str, Any] = json.loads(out)
    return report


async def lighthouse_report(url: str, cookie_header: dict[str, str]) -> dict[str, Any]:
    """Lighthouse's report, run again once when it fails to record the page load (it says
    "Please run Lighthouse again" for a trace without a navigation start)."""
    try:
        return await lighthouse(url, cookie_header)
    except RuntimeError as exc:
        if "run Lighthouse again" not in str(exc):
            raise
        print(f"  lighthouse {url}: {str(exc)[-200:]}; running it again", flush=True)
        return await lighthouse(url, cookie_header)


async def lighthouse_pages(world: WebWorld) -> Measurement:
    """Lighthouse's scores of every page, once per run (the first round; later rounds add no
    figures: a Lighthouse run is slow and its scores barely move)."""
    if world.scores:
        return Measurement({})
    for name in PAGES:
        report = await lighthouse_report(world.page(name), world.browser_headers)
        for category, score in lighthouse_scores(report).items():
            world.scores[f"{name}_{category.replace('-', '_')}"] = score
        for problem in lighthouse_problems(report):
            print(f"  lighthouse {name}: {problem}", flush=True)
    return Measurement(dict(world.scores))
