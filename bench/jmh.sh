#!/usr/bin/env bash
# In-process benchmarks (JMH). Builds the benchmark jar if needed and runs the benchmarks whose
# name matches the first argument (default: all), printing ns/op per parameter.
#
#   bench/jmh.sh                         # everything
#   bench/jmh.sh BindingSelection        # binding selection with 10, 1,000, 10,000 bindings
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
jar=$repo/bench/jmh/target/benchmarks.jar
if [ ! -f "$jar" ]; then
  (cd "$repo" && mvn -B -DskipTests package -pl bench/jmh -am) > /tmp/mailroot-jmh-build.log 2>&1 \
    || { tail -n 30 /tmp/mailroot-jmh-build.log >&2; exit 1; }
fi
exec java -jar "$jar" "${1:-.*}" "${@:2}"
