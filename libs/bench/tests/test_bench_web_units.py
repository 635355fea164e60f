"""The web scenario's pure parts: asset references, weights, figures, Lighthouse reports."""

import gzip
import math

import httpx
import pytest

from cerchia_bench.cli import Config, web_targets
from cerchia_bench.harness import Result
from cerchia_bench.scenarios.web import (
    asset_refs,
    gzipped_kb,
    lighthouse_problems,
    lighthouse_scores,
    ratio,
    session_cookie,
    timing_figures,
)

pytestmark = pytest.mark.unit

PAGE = """<!doctype html><html><head>
<link rel="stylesheet" href="/static/pico.abc.css">
<link rel="stylesheet" href="/static/app.def.css">
<link rel="preload" href="/static/font.woff2" as="font">
<link rel="icon" href="/static/favicon.ico">
<link rel="manifest" href="/manifest.webmanifest">
<script src="/static/htmx.123.js" defer></script>
<script src="static/app.456.js" type="module"></script>
<script>inline()</script>
<script src="/static/htmx.123.js" defer></script>
</head><body><img src="/static/logo.png" alt=""></body></html>"""


def test_asset_refs_are_the_stylesheets_and_scripts_once_each_made_absolute() -> None:
    refs = asset_refs(PAGE, "http://127.0.0.1:9000/communities/c1")

    assert refs.css == (
        "http://127.0.0.1:9000/static/pico.abc.css",
        "http://127.0.0.1:9000/static/app.def.css",
    )
    assert refs.js == (
        "http://127.0.0.1:9000/static/htmx.123.js",
        "http://127.0.0.1:9000/communities/static/app.456.js",
    )


def test_a_page_without_assets_has_none() -> None:
    refs = asset_refs("<p>plain</p>", "http://h/")

    assert refs.css == ()
    assert refs.js == ()


def test_gzipped_kb_is_the_compressed_size_in_kibibytes() -> None:
    body = b"cerchia " * 10_000

    assert gzipped_kb(body) == len(gzip.compress(body, mtime=0)) / 1024
    assert gzipped_kb(body) < len(body) / 1024 / 10


def test_ratio_divides_and_is_nan_without_a_denominator() -> None:
    assert ratio(6.0, 3.0) == 2.0
    assert math.isnan(ratio(1.0, 0.0))


def test_timing_figures_are_nearest_rank_percentiles() -> None:
    ttfb = [float(n) for n in range(1, 101)]
    full = [2 * n for n in ttfb]

    figures = timing_figures(ttfb, full, errors=2)

    assert figures == {
        "ttfb_p50_ms": 50.0,
        "ttfb_p99_ms": 99.0,
        "full_p50_ms": 100.0,
        "full_p99_ms": 198.0,
        "errors": 2.0,
    }


REPORT = {
    "categories": {
        "performance": {
            "score": 0.97,
            "auditRefs": [
                {"id": "total-blocking-time", "weight": 30},
                {"id": "first-contentful-paint", "weight": 10},
            ],
        },
        "accessibility": {
            "score": 0.91,
            "auditRefs": [
                {"id": "color-contrast", "weight": 7},
                {"id": "image-alt", "weight": 10},
                {"id": "skipped", "weight": 0},
            ],
        },
        "best-practices": {"score": None, "auditRefs": [{"id": "errors-in-console", "weight": 1}]},
    },
    "audits": {
        "color-contrast": {"score": 0, "title": "Low contrast"},
        "image-alt": {"score": 1, "title": "Images have alt"},
        "skipped": {"score": 0, "title": "Informative"},
        "errors-in-console": {"score": 0, "title": "Console errors"},
        "total-blocking-time": {"score": 0.63, "title": "TBT", "displayValue": "450 ms"},
        "first-contentful-paint": {"score": 0.99, "title": "FCP", "displayValue": "0.9 s"},
    },
}


def test_lighthouse_scores_are_percentages_and_nan_when_missing() -> None:
    scores = lighthouse_scores(REPORT)

    assert scores["performance"] == 97.0
    assert scores["accessibility"] == 91.0
    assert math.isnan(scores["best-practices"])


def test_lighthouse_problems_are_the_weighted_audits_that_failed() -> None:
    assert lighthouse_problems(REPORT) == [
        "performance: total-blocking-time 450 ms (score 0.63)",
        "accessibility: color-contrast (Low contrast)",
        "best-practices: errors-in-console (Console errors)",
    ]


def test_the_session_cookie_is_read_from_set_cookie_whatever_its_flags() -> None:
    response = httpx.Response(
        303,
        headers=[
            ("set-cookie", "other=1; Path=/"),
            ("set-cookie", "cerchia_session=abc123; HttpOnly; Secure; SameSite=Lax; Path=/"),
        ],
    )

    assert session_cookie(response) == "abc123"
    assert session_cookie(httpx.Response(200)) is None


def test_web_selects_every_web_scenario_and_nothing_else() -> None:
    config = Config(only=("web",))

    assert config.wants("web_thread_page")
    assert config.wants("web_lighthouse")
    assert not config.wants("gateway_read_via")
    assert Config(only=("gateway_read_via",)).wants("gateway_read_via")


def test_the_thread_target_is_the_page_p50_over_its_api_read_p50() -> None:
    (target,) = [t for t in web_targets() if t.name.startswith("web thread page ÷")]
    results = {
        "web_thread_page": Result("web_thread_page", "", runs=[{"full_p50_ms": 9.0}]),
        "web_thread_api": Result("web_thread_api", "", runs=[{"full_p50_ms": 3.0}]),
    }

    assert target.values(results) == [3.0]
    assert not target.met(3.0)
    assert target.met(2.0)


def test_lighthouse_targets_ignore_rounds_without_scores() -> None:
    (target,) = [t for t in web_targets() if t.name == "Lighthouse accessibility, thread page"]
    results = {
        "web_lighthouse": Result(
            "web_lighthouse", "", runs=[{"thread_accessibility": 100.0}, {}, {}]
        )
    }

    assert target.values(results) == [100.0]
    assert target.met(100.0)
    assert not target.met(99.0)
