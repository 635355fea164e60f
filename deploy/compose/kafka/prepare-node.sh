#!/usr/bin/env bash
# The kafka-node job (a service image, as root with CAP_CHOWN as its only capability, no network).
# `python -m cerchia_chassis.kafka_node` makes once, and keeps, the node's private CA and broker
# certificate in the kafka-node volume and writes the node's server.properties there (with the
# broker's own SCRAM password); this script then hands those files to the broker's user, keeps the
# CA's private key root's (the broker has no use for it) and publishes ca.pem in the kafka-ca
# volume, which every client mounts read-only.
#   prepare-node.sh ARGUMENT...   the arguments of cerchia_chassis.kafka_node after its directory
# KAFKA_USER is the broker's uid:gid (the kafka container runs as that user).
set -euo pipefail

node_dir="${KAFKA_NODE_DIR:-/etc/cerchia/kafka-node}"
ca_dir="${KAFKA_CA_DIR:-/etc/cerchia/kafka-ca}"
: "${KAFKA_USER:?KAFKA_USER is the uid:gid of the broker}"

# A second run (new host names, a certificate near its end) rewrites files the broker owns.
chown -R 0:0 "$node_dir"
python -m cerchia_chassis.kafka_node "$node_dir" --ca-out "$ca_dir" "$@"
chown -R "$KAFKA_USER" "$node_dir"
chown 0:0 "$node_dir/ca-key.pem"
# Root keeps write permission on what it must rewrite: it holds no capability to bypass modes.
chmod 0755 "$ca_dir"
chmod 0644 "$ca_dir/ca.pem"
