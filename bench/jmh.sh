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
  (cd "$repo" && mvn -B -q -DskipTests package -pl bench/jmh -am) >&2
fi
exec java -jar "$jar" "${1:-.*}" "${@:2}"
