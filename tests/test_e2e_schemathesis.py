"""Schemathesis against the gateway's merged OpenAPI document on the real platform: generated
requests, valid and invalid, from a signed-in member, never get a server error."""

import asyncio
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
import schemathesis

# Imported here, at collection, not lazily inside the test: pytest rewrites the asserts of
# schemathesis's modules (it is a pytest plugin) as they are imported, and Python 3.11 can fail
# to parse there ("AST constructor recursion depth mismatch", CPython gh-106905) when the
# import happens deep in the test's call stack.
import schemathesis.specs.openapi.schemas
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup

from tests.authz_world import community_body, event_body, ok
from tests.platform import Platform, sign_up

# The fuzzing budget (BUDGET_S) plus the setup must fit in the timeout.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(480)]

EXAMPLES = {GenerationMode.POSITIVE: 6, GenerationMode.NEGATIVE: 6}
BUDGET_S = 240.0
#: Endless streams: a generated request would only wait for the read timeout.
STREAMS = ("/api/v1/stream", "/api/v1/notifications/stream")


@dataclass
class Findings:
    """Server errors found, by operation; what was run; what was left for lack of time."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    run: int = 0
    skipped: list[str] = field(default_factory=list)
    unsatisfiable: list[str] = field(default_factory=list)


def fuzz(
    document: dict[str, Any], base_url: str, headers: dict[str, str], ids: dict[str, str]
) -> Findings:
    """Run every operation with a bounded number of examples; blocking (nothing else of this
    test needs its event loop meanwhile: the platform runs in processes)."""
    schema = schemathesis.openapi.from_dict(document)
    findings = Findings()
    deadline = time.monotonic() + BUDGET_S
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        if operation.path in STREAMS:
            continue
        if time.monotonic() > deadline:
            findings.skipped.append(label)
            continue
        known = {p.name: ids[p.name] for p in operation.path_parameters if p.name in ids}
        for mode, examples in EXAMPLES.items():
            _fuzz_one(
                operation,
                mode=mode,
                examples=examples,
                known=known,
                base_url=base_url,
                headers=headers,
                findings=findings,
            )
        findings.run += 1
    return findings


def _fuzz_one(
    operation: Any,
    *,
    mode: GenerationMode,
    examples: int,
    known: dict[str, str],
    base_url: str,
    headers: dict[str, str],
    findings: Findings,
) -> None:
    label = f"{operation.method.upper()} {operation.path}"
    # Half the examples aim at real objects (deeper into the handlers), half at random ids.
    strategies = [operation.as_strategy(generation_mode=mode)]
    if known and mode is GenerationMode.POSITIVE:
        strategies.append(operation.as_strategy(generation_mode=mode, path_parameters=known))
    for strategy in strategies:

        @given(case=strategy)
        @settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def run(case: Any) -> None:
            response = case.call(base_url=base_url, headers=headers, timeout=20)
            try:
                case.validate_response(response, checks=[not_a_server_error])
            except FailureGroup:  # the failed checks, as one exception group
                found = findings.errors.setdefault(label, [])
                if len(found) < 3:
                    found.append(f"{response.status_code} {case.as_curl_command()}")

        try:
            run()
        except Unsatisfiable:  # e.g. no invalid input exists for an operation without inputs
            findings.unsatisfiable.append(f"{label} ({mode.value})")


async def test_generated_requests_never_get_a_server_error(platform: Platform) -> None:
    async with platform.client() as client:
        member = await sign_up(client, platform.smtp, "Fuzz", handle=True)
        community = ok(
            await client.post(
                "/api/v1/communities",
                json=community_body(f"fuzz-{member.id[:8]}", "public"),
                headers=member.auth,
            )
        )
        ids = {"community_id": community["id"], "user_id": member.id}
        # The owner posts and schedules once content and events know the community.
        for _ in range(150):
            thread = await client.post(
                f"/api/v1/communities/{community['id']}/threads",
                json={"title": "Fuzz", "body": "Fuzzing."},
                headers=member.auth,
            )
            if thread.status_code == 201:
                break
            await asyncio.sleep(0.2)
        ids["thread_id"] = ok(thread)["id"]
        event = await client.post(
            f"/api/v1/communities/{community['id']}/events",
            json=event_body(),
            headers=member.auth,
        )
        ids["event_id"] = ok(event)["id"]
        document = (await client.get("/openapi.json")).json()
    assert not document["info"].get("x-services-missing"), document["info"]

    findings = fuzz(document, platform.url, member.auth, ids)

    print(
        f"schemathesis: {findings.run} operations; not reached: {findings.skipped};"
        f" no example possible: {findings.unsatisfiable}"
    )
    assert findings.errors == {}
    assert findings.run > 100
