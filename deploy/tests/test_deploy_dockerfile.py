"""The service image's Dockerfile: hadolint-clean, built from the lockfile, non-root, healthy."""

import json
import re
import shlex
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]
DOCKERFILE = REPO / "deploy" / "docker" / "Dockerfile"
HADOLINT_CONFIG = REPO / "deploy" / "docker" / "hadolint.yaml"
SHELL_SCRIPTS = sorted(REPO.glob("deploy/**/*.sh"))


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1]) for line in logical]


def stages(text: str) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, in order."""
    result: list[list[tuple[str, str]]] = []
    for keyword, args in instructions(text):
        if keyword == "FROM":
            result.append([])
        if result:
            result[-1].append((keyword, args))
    return result


def hadolint(tool: Callable[[str], str], dockerfile: Path) -> list[dict[str, object]]:
    done = subprocess.run(
        [tool("hadolint"), "--config", str(HADOLINT_CONFIG), "-f", "json", str(dockerfile)],
        capture_output=True,
        text=True,
        check=False,
    )
    findings: list[dict[str, object]] = json.loads(done.stdout or "[]")
    assert (done.returncode == 0) == (not findings), done.stderr
    return findings


def test_hadolint_finds_nothing(tool: Callable[[str], str]) -> None:
    assert hadolint(tool, DOCKERFILE) == []


def test_hadolint_catches_what_it_should(tool: Callable[[str], str], tmp_path: Path) -> None:
    sloppy = tmp_path / "Dockerfile"
    sloppy.write_text(
        "FROM python:latest\nRUN pip install uv\nFROM quay.io/somebody/image:1\nUSER root\n"
    )
    codes = {finding["code"] for finding in hadolint(tool, sloppy)}
    assert {"DL3007", "DL3013", "DL3026", "DL3002"} <= codes


def test_the_image_is_multi_stage_and_installs_from_the_lockfile() -> None:
    build, runtime = stages(DOCKERFILE.read_text())[-2:]
    syncs = [args for keyword, args in build if keyword == "RUN" and "uv sync" in args]
    assert len(syncs) == 2, "dependencies first (cached layer), then the workspace packages"
    for sync in syncs:
        words = shlex.split(sync.split("uv sync", 1)[1])
        assert {"--frozen", "--no-dev"} <= set(words), "exactly the lockfile, no dev tools"
        assert words[words.index("--package") + 1] == "${SERVICE}", "only that service"
    assert "--no-install-workspace" in syncs[0]
    assert "--no-editable" in syncs[1], "no source tree needed at run time"
    copied = [args for keyword, args in build if keyword == "COPY" and "--from" not in args]
    assert copied[0].split() == ["pyproject.toml", "uv.lock", "./"], "the lockfile layer first"
    assert not any(keyword == "RUN" and "uv " in args for keyword, args in runtime), (
        "uv stays in the build stage"
    )
    assert ("COPY", "--from=build /app/.venv /app/.venv") in runtime


def test_the_service_is_chosen_by_a_build_argument() -> None:
    text = DOCKERFILE.read_text()
    for stage in stages(text)[-2:]:
        assert ("ARG", "SERVICE") in stage
    cmd = dict(stages(text)[-1])["CMD"]
    assert json.loads(cmd) == ["/bin/sh", "-c", 'exec python -m "${CERCHIA_SERVICE}"']
    assert 'CERCHIA_SERVICE="${SERVICE}"' in dict(stages(text)[-1])["ENV"]


def test_the_image_runs_as_a_fixed_non_root_user_with_a_healthcheck() -> None:
    runtime = stages(DOCKERFILE.read_text())[-1]
    users = [args for keyword, args in runtime if keyword == "USER"]
    assert users == ["10001:10001"], "numeric, so Kubernetes can verify runAsNonRoot"
    (check,) = [args for keyword, args in runtime if keyword == "HEALTHCHECK"]
    command = json.loads(check.split("CMD", 1)[1])
    assert command[:2] == ["python", "/app/bin/healthcheck.py"]
    assert command[2] in ("/health/ready", "/health/live")
    keywords = [keyword for keyword, _ in runtime]
    assert keywords.index("USER") < keywords.index("CMD")


def dockerignore_rules() -> list[tuple[bool, re.Pattern[str]]]:
    """(excluded?, pattern) in file order; the last match decides, as in Docker."""
    rules = []
    for line in (REPO / ".dockerignore").read_text().splitlines():
        pattern = line.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negated = pattern.startswith("!")
        pattern = pattern.removeprefix("!").strip("/")
        regex = "".join(
            ".*"
            if part == "**"
            else "[^/]*"
            if part == "*"
            else "[^/]"
            if part == "?"
            else re.escape(part)
            for part in re.split(r"(\*\*|\*|\?)", pattern)
        )
        regex = regex.replace(".*/", "(?:.*/)?")
        rules.append((not negated, re.compile(regex)))
    return rules


def in_build_context(path: str, rules: list[tuple[bool, re.Pattern[str]]]) -> bool:
    """Whether ``path`` (relative, with /) is sent to the builder."""
    parts = path.split("/")
    excluded = False
    for is_exclusion, pattern in rules:
        # A rule about a directory applies to everything inside it.
        if any(pattern.fullmatch("/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = is_exclusion
    return not excluded


def repository_files() -> list[str]:
    done = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return [line for line in done.stdout.splitlines() if (REPO / line).is_file()]


def copy_sources(text: str) -> Iterable[str]:
    for keyword, args in instructions(text):
        if keyword == "COPY" and not args.startswith("--from"):
            yield from args.split()[:-1]


def platform_services() -> list[str]:
    return sorted(p.name for p in (REPO / "services").iterdir() if (p / "src" / p.name).is_dir())


def test_the_build_context_holds_what_the_build_copies_and_nothing_else() -> None:
    rules = dockerignore_rules()
    files = repository_files()
    context = {path for path in files if in_build_context(path, rules)}
    for copied in copy_sources(DOCKERFILE.read_text()):
        for service in platform_services():
            source = copied.rstrip("/").replace("${SERVICE}", service)
            if "*" in source:
                # A pattern may match nothing (a service without npm packages); what it matches
                # is sent.
                matched = [str(p.relative_to(REPO)) for p in REPO.glob(source)]
                assert all(path in context for path in matched), source
                continue
            assert (REPO / source).exists(), f"COPY {source}: no such path"
            assert any(path == source or path.startswith(source + "/") for path in context), source
    for member in REPO.glob("*/*/pyproject.toml"):
        assert str(member.relative_to(REPO)) in context, "uv needs every workspace member"
    assert "libs/contracts/README.md" in context, "the contracts wheel's readme"
    assert {"services/web/package.json", "services/web/package-lock.json"} <= context
    assert not any("/node_modules/" in f"/{path}" for path in context), "npm ci installs them"
    leaked = [path for path in context if "/tests/" in f"/{path}" or path.startswith("deploy/k8s")]
    assert not leaked, leaked[:5]
    assert not any(path.startswith((".git/", ".venv/", ".stack/", "docs/")) for path in context)


def test_the_dockerignore_reading_is_itself_right() -> None:
    rules = dockerignore_rules()
    assert in_build_context("uv.lock", rules)
    assert in_build_context("services/membership/src/membership/app.py", rules)
    assert not in_build_context("services/membership/tests/test_x.py", rules)
    assert not in_build_context("libs/chassis/src/cerchia_chassis/__pycache__/x.pyc", rules)
    assert not in_build_context("README.md", rules)
    assert not in_build_context("deploy/k8s/base/kustomization.yaml", rules)


@pytest.mark.parametrize("script", SHELL_SCRIPTS, ids=lambda p: str(p.relative_to(REPO)))
def test_shell_scripts_pass_shellcheck(script: Path, tool: Callable[[str], str]) -> None:
    done = subprocess.run(
        [tool("shellcheck"), "--severity=style", str(script)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_web_image_carries_its_browser_assets_from_the_lock_file() -> None:
    text = DOCKERFILE.read_text()
    (assets,) = [stage for stage in stages(text) if stage[0][1].endswith(" AS assets")]
    node_image = re.search(r"^ARG NODE_IMAGE=(\S+)$", text, re.M)
    assert node_image is not None
    assert node_image.group(1).startswith("node:20-"), "the Node the lock file was made with"
    assert assets[0] == ("FROM", "${NODE_IMAGE} AS assets")
    (install,) = [args for keyword, args in assets if keyword == "RUN"]
    words = shlex.split(install.split("npm ci", 1)[1].split("&&", 1)[0])
    assert {"--omit=dev", "--ignore-scripts"} <= set(words), "no test packages, no scripts"
    assert "package-lock.json" in install, "only a service with a lock file gets packages"
    runtime = stages(text)[-1]
    assert runtime[0][1].startswith("${PYTHON_IMAGE} "), "no Node at run time"
    assert ("COPY", "--from=assets /out/ /app/") in runtime
    assert "mv node_modules /out/node_modules" in install
    env = dict(runtime)["ENV"]
    assert "WEB_NODE_MODULES=/app/node_modules" in env.split(), "where the web client looks"


def test_the_web_wheel_carries_its_templates_static_files_and_catalogs(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH")
    done = subprocess.run(
        [uv, "build", "--package", "web", "--wheel", "--out-dir", str(tmp_path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("web-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = "services/web/src/"
    for folder in ("templates", "static", "locales"):
        files = [path for path in repository_files() if path.startswith(f"{package}web/{folder}/")]
        assert files, folder
        for path in files:
            assert path.removeprefix(package) in names, f"{path} is not in the wheel"
