"""Through the gateway: a verified address before founding or joining, and invitations that
only the invited person can use."""

import uuid
from typing import Any

import httpx
import pytest

from cerchia_devstack.mail_sink import MailSink
from tests.platform import PASSWORD, Member, Platform, sign_up, to, token_in, unique

pytestmark = pytest.mark.e2e

JOIN = {"code_of_conduct_version": 1}


def community(**overrides: Any) -> dict[str, Any]:
    return {
        "name": "Gatekeepers",
        "slug": f"gate-{uuid.uuid4().hex[:10]}",
        "purpose": "Check who gets in, and how.",
        "audience": "Anyone who cares about doors.",
        "language": "en",
        "visibility": "public",
        "join_policy": "open",
        "capacity": 20,
        "code_of_conduct": "Be kind. Stay on topic.",
    } | overrides


def problem(answer: httpx.Response, status: int, code: str) -> None:
    assert answer.status_code == status, answer.text
    assert answer.json()["type"].endswith("/" + code), answer.text


async def test_an_unverified_account_reads_and_edits_its_profile_but_neither_founds_nor_joins(
    platform: Platform,
) -> None:
    async with platform.client() as http:
        owner = await sign_up(http, platform.smtp, "Door")
        open_door = await http.post("/api/v1/communities", json=community(), headers=owner.auth)
        assert open_door.status_code == 201, open_door.text
        cid = open_door.json()["id"]

        email = f"{unique('fresh')}@example.org"
        registered = await http.post(
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "display_name": "Fresh", "locale": "en"},
        )
        assert registered.status_code == 201, registered.text
        login = await http.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

        problem(
            await http.post("/api/v1/communities", json=community(), headers=auth),
            403,
            "email-not-verified",
        )
        problem(
            await http.post(f"/api/v1/communities/{cid}/join", json=JOIN, headers=auth),
            403,
            "email-not-verified",
        )
        assert (await http.get("/api/v1/users/me", headers=auth)).json()["email_verified"] is False
        edited = await http.patch("/api/v1/profiles/me", json={"city": "Lecce"}, headers=auth)
        assert edited.status_code == 200, edited.text
        assert (await http.get(f"/api/v1/communities/{cid}", headers=auth)).status_code == 200

        mail = await platform.smtp.wait_for(to(email, "Confirm your email"), timeout=30)
        verified = await http.post(
            "/api/v1/auth/verify-email", json={"token": token_in(mail, "/verify-email")}
        )
        assert verified.status_code == 204, verified.text
        joined = await http.post(f"/api/v1/communities/{cid}/join", json=JOIN, headers=auth)
        assert joined.status_code == 200, joined.text
        assert joined.json()["state"] == "member"


async def invite(
    http: httpx.AsyncClient, smtp: MailSink, owner: Member, cid: str, email: str
) -> str:
    """Invite ``email``; the token from the email the platform sends."""
    sent = await http.post(
        f"/api/v1/communities/{cid}/invitations", json={"email": email}, headers=owner.auth
    )
    assert sent.status_code == 201, sent.text
    mail = await smtp.wait_for(to(email, "You are invited"), timeout=30)
    return token_in(mail, "/accept-invitation")


async def test_an_invitation_works_only_for_the_address_it_was_sent_to(
    platform: Platform,
) -> None:
    async with platform.client() as http:
        owner = await sign_up(http, platform.smtp, "Host")
        grace = await sign_up(http, platform.smtp, "Grace")
        mallory = await sign_up(http, platform.smtp, "Mallory")
        private = community(visibility="private", join_policy="invite_only")
        founded = await http.post("/api/v1/communities", json=private, headers=owner.auth)
        assert founded.status_code == 201, founded.text
        cid = founded.json()["id"]
        token = await invite(http, platform.smtp, owner, cid, grace.email)
        accept = f"/api/v1/invitations/{token}/accept"

        # The link was forwarded, or seen over a shoulder: it is not Mallory's.
        problem(
            await http.post(accept, json=JOIN, headers=mallory.auth),
            403,
            "invitation-for-another-address",
        )
        outside = await http.get(f"/api/v1/communities/{cid}", headers=mallory.auth)
        assert outside.status_code == 404, outside.text

        used = await http.post(accept, json=JOIN, headers=grace.auth)
        assert used.status_code == 200, used.text
        assert used.json()["state"] == "member"

        # A link the owner chooses to share admits whoever holds it, as many as it says.
        link = await http.post(
            f"/api/v1/communities/{cid}/invitation-links",
            json={"max_uses": 1},
            headers=owner.auth,
        )
        assert link.status_code == 201, link.text
        shared = f"/api/v1/invitations/{link.json()['token']}/accept"
        entered = await http.post(shared, json=JOIN, headers=mallory.auth)
        assert entered.status_code == 200, entered.text
        late = await sign_up(http, platform.smtp, "Late")
        problem(await http.post(shared, json=JOIN, headers=late.auth), 404, "invitation-invalid")
