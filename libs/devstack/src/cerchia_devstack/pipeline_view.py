"""The operator's view of the pipeline in ``status``: lag, outbox and dead letters per service,
read from each service's ``/metrics``."""

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import httpx
from prometheus_client.parser import text_string_to_metric_families

LAG = "cerchia_consumer_lag"
BACKLOG = "cerchia_outbox_backlog"
OLDEST = "cerchia_outbox_oldest_age_seconds"
DLQ = "cerchia_dlq_depth"


@dataclass
class PipelineRow:
    """One service's pipeline gauges (None: the service does not report it)."""

    service: str
    lag: float | None = None
    backlog: float | None = None
    oldest_s: float | None = None
    dlq: dict[str, float] = field(default_factory=dict)
    error: str | None = None

    def cells(self) -> tuple[str, str, str, str, str]:
        """The row as the table shows it."""
        if self.error is not None:
            return (self.service, self.error, "", "", "")
        held = {topic: depth for topic, depth in self.dlq.items() if depth}
        dlq = "-" if not self.dlq else _number(sum(self.dlq.values()))
        if held:
            dlq += " (" + ", ".join(f"{t}: {_number(d)}" for t, d in sorted(held.items())) + ")"
        oldest = "-" if self.oldest_s is None else f"{self.oldest_s:.1f}s"
        return (self.service, _optional(self.lag), _optional(self.backlog), oldest, dlq)


HEADER = ("service", "consumer lag", "outbox backlog", "oldest pending", "DLQ depth")


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _optional(value: float | None) -> str:
    return "-" if value is None else _number(value)


def summarize(service: str, exposition: str) -> PipelineRow:
    """The row of one service from its Prometheus text exposition."""
    row = PipelineRow(service)
    for family in text_string_to_metric_families(exposition):
        for sample in family.samples:
            if sample.name == LAG:
                row.lag = (row.lag or 0) + sample.value
            elif sample.name == BACKLOG:
                row.backlog = (row.backlog or 0) + sample.value
            elif sample.name == OLDEST:
                row.oldest_s = max(row.oldest_s or 0.0, sample.value)
            elif sample.name == DLQ:
                topic = sample.labels.get("topic", "")
                row.dlq[topic] = row.dlq.get(topic, 0) + sample.value
    return row


async def read_rows(urls: Mapping[str, str], *, timeout_s: float = 3.0) -> list[PipelineRow]:
    """Each service's row, from ``<url>/metrics`` (a service that does not answer says so)."""

    async def one(client: httpx.AsyncClient, service: str, url: str) -> PipelineRow:
        try:
            response = await client.get(url.rstrip("/") + "/metrics")
            response.raise_for_status()
        except httpx.HTTPError as exc:
            return PipelineRow(service, error=f"no metrics ({type(exc).__name__})")
        return summarize(service, response.text)

    async with httpx.AsyncClient(timeout=timeout_s) as client:
        return list(await asyncio.gather(*(one(client, name, url) for name, url in urls.items())))


def table(rows: Sequence[PipelineRow]) -> list[tuple[str, ...]]:
    """Header and rows, ready for ``render_table``."""
    return [HEADER, *(row.cells() for row in rows)]
