"""Anonymous discovery through the gateway: search public communities by words, read a public
community's page without a token."""

import uuid
from typing import Any

import pytest

from tests.platform import Platform, sign_up

pytestmark = pytest.mark.e2e


def community(name: str, purpose: str, **overrides: Any) -> dict[str, Any]:
    return {
        "name": name,
        "slug": f"disc-{uuid.uuid4().hex[:10]}",
        "purpose": purpose,
        "audience": "People who like to find things.",
        "language": "en",
        "visibility": "public",
        "join_policy": "open",
        "capacity": 2,
        "code_of_conduct": "Be kind. Stay on topic.",
    } | overrides


async def test_anyone_finds_public_communities_by_words_and_reads_their_page(
    platform: Platform,
) -> None:
    word = f"quokka{uuid.uuid4().hex[:6]}"  # no other test's community says it
    async with platform.client() as http:
        owner = await sign_up(http, platform.smtp, "Finder")
        ids = {}
        for key, body in {
            "named": community(f"{word} walkers", "Walks every weekend."),
            "tagged": community("Weekend walkers", "Walks and talks.", tags=[word]),
            "mentioned": community("Talkers", f"Talks, and sometimes a {word} or two."),
            "private": community(f"{word} insiders", "Members only.", visibility="private",
                                 join_policy="invite_only"),
        }.items():  # fmt: skip
            made = await http.post("/api/v1/communities", json=body, headers=owner.auth)
            assert made.status_code == 201, made.text
            ids[key] = made.json()["id"]
        other = await sign_up(http, platform.smtp, "Queuer")
        waiting = await sign_up(http, platform.smtp, "Waiter")
        for person in (other, waiting):  # two seats: the owner and one member, then a line
            joined = await http.post(
                f"/api/v1/communities/{ids['named']}/join",
                json={"code_of_conduct_version": 1},
                headers=person.auth,
            )
            assert joined.status_code == 200, joined.text

        anonymous = await http.get("/api/v1/communities", params={"q": word.upper()})
        assert anonymous.status_code == 200, anonymous.text
        ranked = [c["id"] for c in anonymous.json()["items"]]
        assert ranked == [ids["named"], ids["tagged"], ids["mentioned"]]  # never the private
        first = (await http.get("/api/v1/communities", params={"q": word, "limit": 2})).json()
        rest = await http.get(
            "/api/v1/communities", params={"q": word, "limit": 2, "cursor": first["next_cursor"]}
        )
        assert [c["id"] for c in first["items"] + rest.json()["items"]] == ranked
        assert rest.json()["next_cursor"] is None
        signed_in = await http.get("/api/v1/communities", params={"q": word}, headers=owner.auth)
        assert [c["id"] for c in signed_in.json()["items"]] == ranked
        tampered = await http.get("/api/v1/communities", params={"q": word, "cursor": "x!"})
        assert tampered.status_code == 400, tampered.text

        page = await http.get(f"/api/v1/communities/{ids['named']}")
        assert page.status_code == 200, page.text
        shown = page.json()
        assert shown["purpose"] == "Walks every weekend."
        assert shown["audience"] == "People who like to find things."
        assert shown["code_of_conduct"] == "Be kind. Stay on topic."
        assert (shown["capacity"], shown["member_count"], shown["waitlist_length"]) == (2, 2, 1)
        assert shown["my_standing"] is None
        private = await http.get(f"/api/v1/communities/{ids['private']}")
        assert private.status_code == 404, private.text

        # Signed in, the same page shows my place in line, as my communities do.
        mine = await http.get(f"/api/v1/communities/{ids['named']}", headers=waiting.auth)
        standing = mine.json()["my_standing"]
        assert (standing["state"], standing["waitlist_position"]) == ("waitlisted", 1)
        listed = await http.get("/api/v1/me/communities", headers=waiting.auth)
        (entry,) = [e for e in listed.json()["items"] if e["community"]["id"] == ids["named"]]
        assert entry["standing"]["waitlist_position"] == standing["waitlist_position"]

        document = (await http.get("/openapi.json")).json()
        for path in ("/api/v1/communities", "/api/v1/communities/{community_id}"):
            security = document["paths"][path]["get"]["security"]  # a token, or none at all
            assert sorted(security, key=len) == [{}, {"bearerAuth": []}], path
