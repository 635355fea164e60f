#!/usr/bin/env bash
# The kafka-credentials job (a service image, as root with CAP_CHOWN as its only capability, no
# network): copies each service's Kafka password from its compose secret into that service's own
# volume, which the service alone mounts, read-only, at /run/secrets.
#   hand-out-passwords.sh SERVICE...
#     reads /run/secrets/kafka_<service>_password, writes /out/<service>/kafka-password (mode 0400,
#     owned by SERVICE_USER, the uid:gid the service images run as)
# Why not the compose secrets themselves: Compose copies a secret taken from the environment into
# the container's root filesystem, so it refuses such secrets for read-only containers, and the
# services run read-only.
set -euo pipefail

secrets_dir="${SECRETS_DIR:-/run/secrets}"
out_dir="${OUT_DIR:-/out}"
: "${SERVICE_USER:?the uid:gid the services run as}"
umask 077

for service in "$@"; do
    source="$secrets_dir/kafka_${service}_password"
    target="$out_dir/$service/kafka-password"
    if [[ ! -s "$source" ]]; then
        echo "$source is missing or empty" >&2
        exit 1
    fi
    if [[ ! -d "$out_dir/$service" ]]; then
        echo "$out_dir/$service: no volume mounted for $service" >&2
        exit 1
    fi
    # Mode first, owner last: root holds no capability to change or write a file it does not
    # own; it replaces the file instead (the directory is root's).
    rm -f "$target.new"
    cp "$source" "$target.new"
    chmod 0400 "$target.new"
    chown "$SERVICE_USER" "$target.new"
    mv -f "$target.new" "$target"
    echo "kafka password handed to $service"
done
