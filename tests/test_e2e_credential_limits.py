"""Through the gateway with the limits a deployment has by default: people sharing one address
(a meetup's Wi-Fi behind a NAT) sign up, sign in and keep their sessions alive without
throttling each other, while one account's repeated wrong passwords are refused."""

import asyncio
import uuid

import httpx
import pytest

from cerchia_devstack.pytest_plugin import ServiceFactory

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

PASSWORD = "correct horse battery staple"
PEOPLE = 10


async def test_people_behind_one_address_are_not_throttled_but_one_accounts_guesses_are(
    service_process: ServiceFactory,
) -> None:
    suffix = uuid.uuid4().hex[:8]
    membership = await service_process("membership", database=f"membership_{suffix}")
    gateway = await service_process(
        "gateway",
        env={
            "GATEWAY_MEMBERSHIP_URL": membership.url,
            "GATEWAY_READY_UPSTREAMS": '["membership"]',
        },
    )
    async with httpx.AsyncClient(base_url=gateway.url, timeout=30) as client:

        async def login(email: str, password: str) -> httpx.Response:
            return await client.post(
                "/api/v1/auth/login", json={"email": email, "password": password}
            )

        async def arrive(n: int) -> tuple[str, str]:
            email = f"meetup-{n}-{suffix}@example.org"
            registered = await client.post(
                "/api/v1/users",
                json={
                    "email": email,
                    "password": PASSWORD,
                    "display_name": f"Guest {n}",
                    "locale": "en",
                },
            )
            assert registered.status_code == 201, registered.text
            typo = await login(email, PASSWORD + "!")
            assert typo.status_code == 401, typo.text
            signed_in = await login(email, PASSWORD)
            assert signed_in.status_code == 200, signed_in.text
            refresh = signed_in.json()["refresh_token"]
            for _ in range(3):
                renewed = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
                assert renewed.status_code == 200, renewed.text
                refresh = renewed.json()["refresh_token"]
            return email, refresh

        # Ten people, seven credential requests each, from one address, in well under a minute
        # (the limit per address used to be 30 a minute for all of /auth, refresh included).
        people = await asyncio.gather(*(arrive(n) for n in range(PEOPLE)))

        target = people[0][0]
        guesses = [(await login(target, f"guess {n}")).status_code for n in range(6)]
        assert guesses[:3] == [401, 401, 401], guesses
        assert guesses[-1] == 429, guesses
        refused = await login(target, PASSWORD)
        assert refused.status_code == 429  # the account is protected, even from the right password
        assert int(refused.headers["retry-after"]) > 0
        # ...and nobody else behind the same address is locked out.
        for email, refresh in people[1:]:
            assert (await login(email, PASSWORD)).status_code == 200
            renewed = await client.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
            assert renewed.status_code == 200, renewed.text
