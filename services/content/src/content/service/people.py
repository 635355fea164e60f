"""How the people next to what they wrote are shown."""

from collections.abc import Iterable

from content.service.directory_ports import Person
from content.service.ports import Ports


async def names(user_ids: Iterable[str | None], *, ports: Ports) -> dict[str, Person]:
    """How each of these people is shown (an erased author's None is skipped)."""
    return await ports.people.people([user_id for user_id in dict.fromkeys(user_ids) if user_id])
