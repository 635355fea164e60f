"""Authorization and bad input on the real events process (membership seeded through Kafka)."""

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from cerchia_devstack.pytest_plugin import AuthKeys, ServiceFactory

pytestmark = pytest.mark.integration


@pytest.fixture
def database() -> str:
    return f"events_{uuid.uuid4().hex[:8]}"


async def test_members_only_content_link_for_confirmed_and_roles_enforced(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    database: str,
) -> None:
    events = await service_process("events", database=database)
    public = await seed(events.url, members=2, visibility="public")
    private = await seed(events.url, members=1, visibility="private")
    host, member = public.members
    outsider = str(uuid.uuid4())
    h = auth_keys.headers

    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        created = await client.post(
            f"/api/v1/communities/{public.id}/events", json=body(), headers=h(host)
        )
        assert created.status_code == 201, created.text
        event = created.json()
        event_id = event["id"]
        assert created.headers["location"] == f"/api/v1/events/{event_id}"
        assert event["online_link"] == "https://meet.example.org/reading"  # the host sees it
        assert "<script>" not in event["description_html"]
        assert "<strong>together</strong>" in event["description_html"]
        assert event["starts_at_local"].endswith(("+01:00", "+02:00"))

        # Anyone reads a public event of a public community, without its private details.
        anonymous = (await client.get(f"/api/v1/events/{event_id}")).json()
        assert anonymous["venue"] == {
            "name": "Sala Borsa",
            "address": None,
            "latitude": None,
            "longitude": None,
        }
        assert anonymous["online_link"] is None
        assert anonymous["host_ids"] == []
        listed = await client.get(f"/api/v1/communities/{public.id}/events")
        assert [e["id"] for e in listed.json()["items"]] == [event_id]

        # A member sees the address but not the link until confirmed.
        seen = (await client.get(f"/api/v1/events/{event_id}", headers=h(member))).json()
        assert seen["venue"]["address"] == "Piazza del Nettuno 3, Bologna"
        assert seen["online_link"] is None
        rsvp = await client.put(
            f"/api/v1/events/{event_id}/rsvp", json={"answer": "going"}, headers=h(member)
        )
        assert rsvp.status_code == 200, rsvp.text
        seen = (await client.get(f"/api/v1/events/{event_id}", headers=h(member))).json()
        assert seen["online_link"] == "https://meet.example.org/reading"
        assert seen["my_rsvp"]["status"] == "going"

        # Outsiders cannot RSVP, schedule, see attendees; members cannot manage.
        for response in (
            await client.put(
                f"/api/v1/events/{event_id}/rsvp", json={"answer": "going"}, headers=h(outsider)
            ),
            await client.post(
                f"/api/v1/communities/{public.id}/events", json=body(), headers=h(outsider)
            ),
            await client.get(f"/api/v1/events/{event_id}/attendees", headers=h(outsider)),
        ):
            assert response.status_code == 403, response.text
            assert response.headers["content-type"] == "application/problem+json"
            assert response.json()["type"].endswith("/not-a-member")
        for response in (
            await client.patch(
                f"/api/v1/events/{event_id}", json={"title": "Mine now"}, headers=h(member)
            ),
            await client.get(f"/api/v1/events/{event_id}/waitlist", headers=h(member)),
            await client.get(f"/api/v1/events/{event_id}/check-in/code", headers=h(member)),
            await client.post(f"/api/v1/events/{event_id}/cancel", json={}, headers=h(member)),
        ):
            assert response.status_code == 403, response.text
            assert response.json()["type"].endswith("/not-a-host")
        unauthenticated = await client.put(
            f"/api/v1/events/{event_id}/rsvp", json={"answer": "going"}
        )
        assert unauthenticated.status_code == 401

        # Members-only events and private communities stay closed to outsiders.
        hidden = await client.post(
            f"/api/v1/communities/{public.id}/events",
            json=body(visibility="members"),
            headers=h(host),
        )
        hidden_id = hidden.json()["id"]
        assert (await client.get(f"/api/v1/events/{hidden_id}")).status_code == 401
        assert (
            await client.get(f"/api/v1/events/{hidden_id}", headers=h(outsider))
        ).status_code == 403
        assert (
            await client.get(f"/api/v1/events/{hidden_id}/calendar.ics", headers=h(outsider))
        ).status_code == 403
        anonymous_list = await client.get(f"/api/v1/communities/{public.id}/events")
        assert hidden_id not in [e["id"] for e in anonymous_list.json()["items"]]
        # Of a private community outsiders learn nothing, not even that it exists.
        closed = await client.get(f"/api/v1/communities/{private.id}/events", headers=h(outsider))
        assert closed.status_code == 404
        unknown = await client.get(f"/api/v1/events/{uuid.uuid4()}", headers=h(member))
        assert unknown.status_code == 404

        # Hosts must be members.
        stranger_host = await client.post(
            f"/api/v1/communities/{public.id}/events",
            json=body(host_ids=[host, outsider]),
            headers=h(host),
        )
        assert stranger_host.status_code == 422
        assert outsider in stranger_host.json()["detail"]


BAD_INPUT: list[tuple[dict[str, Any], str]] = [
    ({"ends_at": "2020-01-01T00:00:00Z"}, "invalid-event"),
    ({"time_zone": "Mars/Olympus_Mons"}, "invalid-event"),
    ({"format": "online", "online_link": None, "venue": None}, "invalid-event"),
    ({"rsvp_deadline": "2099-01-01T00:00:00Z"}, "invalid-event"),
    ({"starts_at": "2026-01-01T10:00:00"}, "validation-error"),
    ({"capacity": 0}, "validation-error"),
    ({"online_link": "javascript:alert(1)"}, "validation-error"),
    ({"admin": True}, "validation-error"),
    ({"recurrence": {"rule": "FREQ=WEEKLY"}}, "invalid-recurrence"),
    ({"recurrence": {"rule": "FREQ=SECONDLY;COUNT=3"}}, "invalid-recurrence"),
    ({"recurrence": {"rule": "not a rule at all"}}, "invalid-recurrence"),
]


async def test_bad_input_is_a_clear_4xx_never_a_500(
    *,
    service_process: ServiceFactory,
    auth_keys: AuthKeys,
    seed: Callable[..., Awaitable[Any]],
    body: Callable[..., dict[str, Any]],
    database: str,
) -> None:
    events = await service_process("events", database=database)
    community = await seed(events.url, members=1)
    me = auth_keys.headers(community.members[0])
    async with httpx.AsyncClient(base_url=events.url, timeout=30) as client:
        for overrides, code in BAD_INPUT:
            response = await client.post(
                f"/api/v1/communities/{community.id}/events", json=body(**overrides), headers=me
            )
            assert response.status_code == 422, (overrides, response.text)
            assert response.json()["type"].endswith(f"/{code}"), (overrides, response.text)
        created = (
            await client.post(f"/api/v1/communities/{community.id}/events", json=body(), headers=me)
        ).json()
        null_title = await client.patch(
            f"/api/v1/events/{created['id']}", json={"title": None}, headers=me
        )
        assert null_title.status_code == 422
        bad_answer = await client.put(
            f"/api/v1/events/{created['id']}/rsvp", json={"answer": "maybe"}, headers=me
        )
        assert bad_answer.status_code == 422
        garbage = await client.get(
            f"/api/v1/communities/{community.id}/events", params={"cursor": "%%%"}
        )
        assert garbage.status_code == 400
        bad_token = await client.get(
            f"/api/v1/events/{created['id']}", headers={"Authorization": "Bearer nonsense"}
        )
        assert bad_token.status_code == 401
