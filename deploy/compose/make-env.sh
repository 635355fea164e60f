#!/usr/bin/env bash
# Writes the .env that docker-compose.yml needs, with fresh random secrets: the Kafka passwords
# (the operators' super user, the node itself, one user per service) and the MongoDB and
# unsubscribe-link secrets. Nothing secret is committed: without this file (or the same variables
# in the environment) `docker compose up` stops and names what is missing.
#
#   deploy/compose/make-env.sh            writes .env next to docker-compose.yml
#   deploy/compose/make-env.sh FILE       writes FILE instead
#   deploy/compose/make-env.sh --force    replaces an existing file (see below first)
#
# The file is created with mode 0600. An existing file is never replaced without --force:
# its passwords are those the stack's volumes were created with (the Kafka storage holds the
# admin and broker credentials, each MongoDB its root user), so new ones only work on new volumes
# (`docker compose down -v`). To change one password, edit its line and follow
# docs/deployment.md ("Connecting to Kafka", rotation).
set -euo pipefail

usage() {
    sed -n '7,9p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

force=false
target=""
for argument in "$@"; do
    case "$argument" in
        --force) force=true ;;
        -h | --help) usage ;;
        -*) usage ;;
        *)
            [[ -z "$target" ]] || usage
            target="$argument"
            ;;
    esac
done
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
target="${target:-$repo/.env}"

if [[ -e "$target" && "$force" != true ]]; then
    echo "$target exists; its secrets are those the stack's volumes were made with." >&2
    echo "Keep it, or replace it with --force (then: docker compose down -v)." >&2
    exit 1
fi

# 32 random bytes as 64 hex digits: safe unquoted in .env, JAAS lines, SCRAM arguments and URIs.
secret() {
    if command -v openssl > /dev/null 2>&1; then
        openssl rand -hex 32
    else
        od -An -tx1 -N32 /dev/urandom | tr -d ' \n'
        echo
    fi
}

# 32 random bytes in base64url: a key-encryption key of personal data on Kafka.
key() {
    if command -v openssl > /dev/null 2>&1; then
        openssl rand 32 | base64 | tr '+/' '-_' | tr -d '=\n'
    else
        head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n'
    fi
    echo
}

umask 077
draft="$(mktemp "$target.XXXXXX")"
trap 'rm -f "$draft"' EXIT
{
    echo "# Secrets of the compose stack, written by deploy/compose/make-env.sh on $(date -u +%F)."
    echo "# Keep this file private and out of version control."
    echo
    echo "# Kafka (SASL/SCRAM-SHA-512): the operators' super user and the node's own user, stored"
    echo "# in the Kafka storage when it is formatted; each service's user (the gateway's too: its"
    echo "# token verifier reads membership.sessions.v1), (re)applied by kafka-init."
    echo "CERCHIA_KAFKA_ADMIN_PASSWORD=$(secret)"
    echo "CERCHIA_KAFKA_BROKER_PASSWORD=$(secret)"
    for service in MEMBERSHIP CONTENT EVENTS NOTIFICATIONS GATEWAY; do
        echo "CERCHIA_KAFKA_PASSWORD_${service}=$(secret)"
    done
    echo
    echo "# MongoDB: each service's database (the web client's sessions too), its root user and"
    echo "# the service's own user."
    for service in MEMBERSHIP CONTENT EVENTS NOTIFICATIONS WEB; do
        echo "${service}_MONGO_ROOT_PASSWORD=$(secret)"
        echo "${service}_MONGO_PASSWORD=$(secret)"
    done
    echo
    echo "# Signs one-click unsubscribe links."
    echo "NOTIFICATIONS_UNSUBSCRIBE_SECRET=$(secret)"
    echo
    echo "# Wraps the per-person keys that seal personal data on Kafka (the same for every service;"
    echo "# to rotate, put a new key first, comma-separated, and keep the old one: docs/operations.md)."
    echo "CERCHIA_PERSONAL_DATA_KEYS=$(key)"
} > "$draft"
mv -f "$draft" "$target"
trap - EXIT
echo "wrote $target (mode 0600)"

if git -C "$(dirname "$target")" rev-parse --is-inside-work-tree > /dev/null 2>&1 \
    && ! git -C "$(dirname "$target")" check-ignore -q "$target"; then
    echo "warning: git does not ignore $target; never commit it (add it to .gitignore)" >&2
fi
