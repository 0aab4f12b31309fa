#!/usr/bin/env bash
# The whole benchmark suite, one command: agent-10 on H2 and PostgreSQL beside the raw JDBC limit,
# then the DBOS Transact peer (with HELIX_BENCH_PG_URL), then stream fan-out to 1, 100 and 1,000
# WebSocket subscribers, then the capacity of one node in concurrent streaming runs. Options go to the agent-10 driver (see bench/README.md);
# HELIX_BENCH_PG_URL selects an external PostgreSQL; HELIX_BENCH_CAPACITY_LEVELS the capacity levels.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
java -jar bench/target/helix-bench.jar "$@"
# the DBOS Transact peer on the same PostgreSQL, its rows as ratios to those just written
java -jar bench-dbos/target/helix-bench-dbos.jar
mvn -B -q -pl http test-compile exec:java
java -cp bench/target/helix-bench.jar io.helix.bench.Capacity \
  --levels "${HELIX_BENCH_CAPACITY_LEVELS:-100,500,1000,2000,5000}"
