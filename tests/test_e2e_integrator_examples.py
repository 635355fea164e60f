"""The examples of docs/integrators.md work, as written, with an integrator's credentials."""

import asyncio
import os
import re
import shutil
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer

from cerchia_chassis import integrators
from cerchia_contracts.catalog import CONTENT_PUBLIC
from cerchia_contracts.events import public as p
from cerchia_devstack.kafka import KafkaCluster

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(300)]

DOC = Path(__file__).resolve().parents[1] / "docs" / "integrators.md"
EXAMPLE = re.compile(
    r"<!-- example: (?P<name>[\w-]+) -->\n```(?P<lang>\w+)\n(?P<code>.*?)```", re.S
)


def kcat_librdkafka() -> tuple[int, ...]:
    """The librdkafka version kcat is linked with."""
    banner = subprocess.run(["kcat", "-V"], capture_output=True, text=True, check=True).stdout
    found = re.search(r"librdkafka (\d+)\.(\d+)\.(\d+)", banner)
    assert found is not None, banner
    return tuple(int(part) for part in found.groups())


def wheel_librdkafka() -> Path:
    """The librdkafka the confluent-kafka wheel ships (recent enough for Kafka 4)."""
    import confluent_kafka

    libs = Path(confluent_kafka.__file__).parent.parent / "confluent_kafka.libs"
    return next(libs.glob("librdkafka-*.so.1"))


def examples() -> dict[str, tuple[str, str]]:
    return {m["name"]: (m["lang"], m["code"]) for m in EXAMPLE.finditer(DOC.read_text())}


def test_the_document_has_the_three_examples() -> None:
    assert set(examples()) == {"kcat", "confluent-kafka", "aiokafka"}


@pytest.fixture(scope="module")
async def published(kafka: KafkaCluster) -> str:
    """A public thread on content.public.v1, written as the content service writes it."""
    title = f"Example thread {uuid.uuid4().hex[:8]}"
    event = p.PublicThreadCreatedV1.new(
        subject="c-examples",
        data=p.PublicThreadCreated(community_id="c-examples", thread_id="t-1", thread_title=title),
    )
    producer = AIOKafkaProducer(**kafka.service("content").client_kwargs(), acks="all")
    await producer.start()
    try:
        await producer.send_and_wait(
            CONTENT_PUBLIC.name,
            event.model_dump_json().encode(),
            key=b"c-examples",
            headers=[("content-type", b"application/cloudevents+json")],
        )
    finally:
        await producer.stop()
    return title


@pytest.mark.parametrize("name", ["kcat", "confluent-kafka", "aiokafka"])
async def test_each_example_reads_the_public_topic(
    name: str, published: str, kafka: KafkaCluster, tmp_path: Path
) -> None:
    integrator = f"ex{uuid.uuid4().hex[:6]}"
    made = await asyncio.to_thread(integrators.create, kafka.admin, integrator, directory=tmp_path)
    lang, code = examples()[name]
    env = {
        **os.environ,
        "KAFKA_CONFIG": str(made.librdkafka),
        "KAFKA_GROUP": f"{made.username}-{name}",
    }
    if lang == "bash":
        if shutil.which("kcat") is None:
            pytest.fail("kcat is not installed (apt-get install kcat), the kcat example needs it")
        argv = ["bash", "-c", code]
        if kcat_librdkafka() < (2, 6, 1):
            # As the document says: an older librdkafka cannot authenticate to Kafka 4.
            env["LD_PRELOAD"] = str(wheel_librdkafka())
    else:
        script = tmp_path / f"example_{name.replace('-', '_')}.py"
        script.write_text(code, encoding="utf-8")
        argv = [sys.executable, str(script)]
    process = await asyncio.create_subprocess_exec(
        *argv, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    assert published in out.decode(), out.decode() + err.decode()
    await asyncio.to_thread(integrators.revoke, kafka.admin, integrator)
