#!/usr/bin/env bash
# The kafka container's command (apache/kafka image, as its own user). The first time, formats the
# node's storage with the SCRAM credentials of the node itself (user broker) and of the operators
# (user admin), read from the container's secrets; then runs the broker with the server.properties
# the kafka-node job wrote: SASL_SSL with SCRAM-SHA-512 for clients, mutual TLS on the controller
# listener, ACLs that deny whatever is not allowed, topics created from the catalog only.
#
# KAFKA_OVERRIDES: extra server properties, one key=value a line (see deploy/compose/debug.yml).
# The paths can be changed for a test run: KAFKA_HOME, KAFKA_NODE_DIR, KAFKA_DATA_DIR, SECRETS_DIR.
set -euo pipefail

kafka_home="${KAFKA_HOME:-/opt/kafka}"
node_dir="${KAFKA_NODE_DIR:-/etc/cerchia/kafka-node}"
data_dir="${KAFKA_DATA_DIR:-/var/lib/kafka/data}"
secrets_dir="${SECRETS_DIR:-/run/secrets}"
: "${CLUSTER_ID:?CLUSTER_ID names the cluster the storage is formatted for}"

# Written once the storage is formatted with the SCRAM users: storage formatted by the earlier,
# unauthenticated stack has none, and the broker could not even authenticate to itself.
layout_file="$data_dir/cerchia-security-layout"
layout=1

# A password from a secret file. Only letters, digits, '-' and '_': the value goes unquoted into
# kafka-storage's --add-scram argument (deploy/compose/make-env.sh makes such passwords).
password() {
    local name="$1" value
    value="$(< "$secrets_dir/$name")"
    if [[ ! "$value" =~ ^[A-Za-z0-9_-]{16,}$ ]]; then
        echo "$name: use 16 or more letters, digits, '-' or '_' (deploy/compose/make-env.sh)" >&2
        return 1
    fi
    printf '%s' "$value"
}

if [[ ! -f "$data_dir/meta.properties" ]]; then
    broker="$(password kafka_broker_password)"
    admin="$(password kafka_admin_password)"
    echo "formatting $data_dir for cluster $CLUSTER_ID with the SCRAM users broker and admin"
    "$kafka_home/bin/kafka-storage.sh" format --standalone --ignore-formatted \
        --cluster-id "$CLUSTER_ID" --config "$node_dir/server.properties" \
        --add-scram "SCRAM-SHA-512=[name=broker,password=$broker]" \
        --add-scram "SCRAM-SHA-512=[name=admin,password=$admin]"
    echo "$layout" > "$layout_file"
elif [[ "$(cat "$layout_file" 2> /dev/null)" != "$layout" ]]; then
    echo "the Kafka storage in $data_dir predates authentication (it has no SCRAM users):" \
        "'docker compose down -v' drops it, then 'docker compose up' formats it again" >&2
    exit 1
fi

overrides=()
while IFS= read -r line; do
    if [[ -n "$line" && "$line" != \#* ]]; then
        overrides+=(--override "$line")
    fi
done <<< "${KAFKA_OVERRIDES:-}"

exec "$kafka_home/bin/kafka-server-start.sh" "$node_dir/server.properties" "${overrides[@]}"
