#!/usr/bin/env bash
# Waits until this service's mongod answers, then sets it up with init-service-db.js.
# Runs in the mongo image (mongosh); settings come from the environment the compose file sets.
set -euo pipefail

: "${MONGO_MEMBER_HOST:?}" "${MONGO_REPLICA_SET:?}" "${MONGO_ROOT_USERNAME:?}" "${MONGO_ROOT_PASSWORD:?}"
: "${SERVICE_DATABASE:?}" "${SERVICE_USERNAME:?}" "${SERVICE_PASSWORD:?}"

for _ in $(seq 1 90); do
    # ping needs no login, so this only waits for the server to accept connections.
    if mongosh --quiet --norc --host "$MONGO_MEMBER_HOST" --eval 'db.runCommand({ ping: 1 }).ok' \
        > /dev/null 2>&1; then
        exec mongosh --quiet --norc --host "$MONGO_MEMBER_HOST" \
            --file "$(dirname "$0")/init-service-db.js"
    fi
    sleep 2
done
echo "mongod at $MONGO_MEMBER_HOST did not answer within 3 minutes" >&2
exit 1
