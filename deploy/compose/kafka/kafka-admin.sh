#!/usr/bin/env bash
# Runs one of Kafka's tools inside the kafka container as the operators' super user (admin):
#   docker compose exec kafka bash /cerchia/kafka-admin.sh kafka-topics.sh --list
#   docker compose exec kafka bash /cerchia/kafka-admin.sh kafka-acls.sh --list
# The tool gets --bootstrap-server and --command-config: a client configuration (SASL_SSL,
# SCRAM-SHA-512, trusting the node's CA) built from the admin secret into a private temporary
# file that is removed on exit. The container's healthcheck runs kafka-broker-api-versions.sh
# with it, so the broker is healthy only when it authenticates its operators.
set -euo pipefail

tool="${1:?usage: kafka-admin.sh TOOL [ARGUMENT...], e.g. kafka-admin.sh kafka-topics.sh --list}"
shift
kafka_home="${KAFKA_HOME:-/opt/kafka}"
node_dir="${KAFKA_NODE_DIR:-/etc/cerchia/kafka-node}"
secrets_dir="${SECRETS_DIR:-/run/secrets}"

password="$(< "$secrets_dir/kafka_admin_password")"
# The value goes unquoted into the JAAS line below (start-kafka.sh checks the same).
if [[ ! "$password" =~ ^[A-Za-z0-9_-]+$ ]]; then
    echo "kafka_admin_password: use letters, digits, '-' or '_' only" >&2
    exit 1
fi

config="$(mktemp)"
trap 'rm -f "$config"' EXIT
cat > "$config" << PROPERTIES
security.protocol=SASL_SSL
sasl.mechanism=SCRAM-SHA-512
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$password";
ssl.truststore.type=PEM
ssl.truststore.location=$node_dir/ca.pem
PROPERTIES

# A small heap: the tool shares the container's memory limit with the broker.
KAFKA_HEAP_OPTS="-Xmx128m" "$kafka_home/bin/$tool" \
    --bootstrap-server localhost:9092 --command-config "$config" "$@"
