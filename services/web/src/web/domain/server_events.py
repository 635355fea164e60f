"""Server-sent events as they arrive, line by line (the text/event-stream format)."""

from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass


@dataclass(frozen=True)
class ServerEvent:
    """One event: its type, id and data."""

    event: str
    data: str
    id: str | None = None


async def parse_events(lines: AsyncIterable[str]) -> AsyncIterator[ServerEvent]:
    """The events of a stream; comments (keep-alives) and retry hints are skipped."""
    event, event_id = "message", None
    data: list[str] = []
    async for raw in lines:
        line = raw.rstrip("\r")
        if line == "":
            if data:
                yield ServerEvent(event, "\n".join(data), event_id)
            event, event_id, data = "message", None, []
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            event = value
        elif name == "data":
            data.append(value)
        elif name == "id":
            event_id = value
