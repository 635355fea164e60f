"""The bench runs end to end: every scenario once, at a tiny size, on the real local stack."""

from pathlib import Path

import pytest

from cerchia_bench.cli import Config, run_bench
from cerchia_devstack.kafka import KafkaCluster

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300), pytest.mark.alone]


async def test_every_scenario_runs_once_and_reports(
    kafka: KafkaCluster, mongo_uri: str, tmp_path: Path
) -> None:
    config = Config(
        reps=1,
        sizes=(2, 3, 4),
        sustained_threads=1,
        small_world=5,
        large_world=6,
        messages=200,
        single_inserts=20,
        bulk_inserts=200,
        requests=30,
        post_requests=10,
        writers=2,
        page_requests=3,
        web_replies=3,
        lighthouse=False,  # minutes, not seconds: run by `bench --only web`
        workdir=tmp_path / "work",
    )
    out = tmp_path / "out"

    document = await run_bench(config, kafka_cluster=kafka, mongo_uri=mongo_uri, out=out)

    scenarios = document["scenarios"]
    assert set(scenarios) == {
        "raw_kafka",
        "faststream_decode",
        "faststream_batch_decode",
        "raw_mongo",
        "asgi_hello",
        "fanout_2",
        "fanout_3",
        "fanout_4",
        "sustained_x1",
        "sustained_x2",
        "gateway_read_direct",
        "gateway_read_via",
        "gateway_post",
        "scale_communities",
        "web_community_page",
        "web_community_api",
        "web_thread_page",
        "web_thread_api",
        "web_page_weight",
    }
    for name in ("fanout_2", "fanout_3", "fanout_4", "sustained_x2", "scale_communities"):
        (run,) = scenarios[name]["runs"]
        assert run["missing"] == 0, (name, run)
        assert run["deliveries"] > 0, (name, run)
    # fanout_4: three recipients x in-app, email and push.
    assert scenarios["fanout_4"]["runs"][0]["deliveries"] == 9
    for name in ("gateway_read_direct", "gateway_read_via", "gateway_post"):
        assert scenarios[name]["runs"][0]["errors"] == 0, name
    for name in ("web_community_page", "web_community_api", "web_thread_page", "web_thread_api"):
        (run,) = scenarios[name]["runs"]
        assert run["errors"] == 0, (name, run)
        assert 0 < run["ttfb_p50_ms"] <= run["full_p50_ms"], (name, run)
    (weight,) = scenarios["web_page_weight"]["runs"]
    for page in ("discover", "community", "thread"):
        for kind in ("html", "css", "js"):
            assert weight[f"{page}_{kind}_kb"] > 0, weight
    assert {row["name"] for row in document["targets"]} >= {
        "web thread page ÷ the gateway read it is built on (full time, p50)",
        "gateway read ÷ direct read (requests/s)",
        "POST thread through the gateway, requests/s",
    }
    for name in ("results.json", "results.md", "results.png"):
        assert (out / name).stat().st_size > 0
