#!/usr/bin/env bash
# The whole benchmark suite, one command: agent-10 on H2 and PostgreSQL beside the raw JDBC limit,
# then stream fan-out to 1, 100 and 1,000 WebSocket subscribers. Options go to the agent-10 driver
# (see bench/README.md); HELIX_BENCH_PG_URL selects an external PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
java -jar bench/target/helix-bench.jar "$@"
mvn -B -q -pl http test-compile exec:java
