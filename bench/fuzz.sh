#!/usr/bin/env bash
# Fuzz the Jazzer targets for longer than `mvn -B verify` does.
# Usage: [FUZZ_TIME=3m] bench/fuzz.sh [rule|pickup-read|pickup|smtp ...]   (default: all four)
#
# `mvn -B verify` only replays each target's committed inputs, in
# <module>/src/test/resources/<package>/<TestClass>Inputs/<method>/. This script fuzzes: each target
# in turn (one at a time, the machine is shared) with JAZZER_FUZZ=1 for FUZZ_TIME (default 3m; any
# Jazzer duration: 90s, 10m, 1h), then minimises what the fuzzer kept together with the committed
# inputs (libFuzzer -merge on edge coverage) and lists the entries that add coverage, with the
# command that copies them next to the committed ones. FUZZ_TIME=0 only minimises (after a run).
# The pickup and smtp targets run server threads (rescans, deliveries) whose coverage lands on
# whichever input is running, so minimising them again may list a few inputs that add nothing.
#
# Where things go, per target:
#   <module>/.cifuzz-corpus/<package>.<TestClass>/<method>/  everything the fuzzer kept (ignored by git;
#                                                             the next run starts from it)
#   <module>/target/fuzz/<TestClass>/<method>/                the minimised corpus
#   <module>/src/test/resources/.../<TestClass>Inputs/<method>/crash-<sha1>
#       a finding: the input that broke the property. `mvn verify` replays it (and fails) until the
#       bug is fixed; rename it for what it is and commit it with the fix and its named test.
# Exit 1 if any target found something.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
FUZZ_TIME=${FUZZ_TIME:-3m}

# name: module test-class method classes-to-instrument (what the fuzzer learns from: ours, plus the
# address parser of Jakarta Mail, which the pickup hands every To:/Cc:/Bcc:/From: field to, and
# SubEthaSMTP, which reads the SMTP commands before our intake sees them)
mine='dev.mailroot.**'
mail='dev.mailroot.**,jakarta.mail.internet.**'
smtp='dev.mailroot.**,org.subethamail.**'
declare -A TARGETS=(
  [rule]="host dev.mailroot.bindings.RuleFuzzTest anyTextIsParsedOrRefusedWithAPosition $mine"
  [pickup]="server dev.mailroot.server.pickup.PickupFuzzTest anyFileEndsSpooledOrInBadmailWithAReason $mail"
  [pickup-read]="server dev.mailroot.server.pickup.PickupFuzzTest anyFileIsReadAsAMessageWithRecipientsOrRefusedWithAReason $mail"
  [smtp]="server dev.mailroot.server.smtp.SmtpFuzzTest anyBytesGetWellFormedRepliesAndOnly250sAreDelivered $smtp"
)
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(rule pickup-read pickup smtp)
for name in "${names[@]}"; do
  [ -n "${TARGETS[$name]:-}" ] || { echo "usage: bench/fuzz.sh [${!TARGETS[*]}]" >&2; exit 2; }
done

fuzz() {   # name module class method instrument
  local name=$1 module=$2 class=$3 method=$4 instrument=$5
  local simple=${class##*.} pkg=${class%.*}
  local inputs="$repo/$module/src/test/resources/${pkg//.//}/${simple}Inputs/$method"
  local generated="$repo/$module/.cifuzz-corpus/$class/$method"
  local log="$repo/$module/target/fuzz-$name.log"
  mkdir -p "$repo/$module/target"
  : > "$log"
  if [ "$FUZZ_TIME" != 0 ]; then
    run_fuzzer || return 1
  fi
  minimise
}

run_fuzzer() {   # uses fuzz()'s locals
  echo "== $name: fuzzing $simple#$method for $FUZZ_TIME (log: $log)"
  (cd "$repo" && JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$FUZZ_TIME" JAZZER_INSTRUMENT="$instrument" mvn -B -pl "$module" -am test \
      -Dtest="$simple#$method" -Dsurefire.failIfNoSpecifiedTests=false) >> "$log" 2>&1
  local rc=$?
  grep -E '^Done [0-9]+ runs' "$log" | tail -1
  grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1
  if [ $rc != 0 ]; then
    echo "$name: FINDING (or a failed build): see $log"
    grep -E '^== Java Exception|^(Caused by|java\.|org\.opentest4j)|Expect' "$log" | head -20
    for f in "$inputs"/crash-*; do [ -e "$f" ] && echo "  input in $f"; done
    return 1
  fi
}

minimise() {   # uses fuzz()'s locals
  # starting from the committed inputs, keep the smallest of the fuzzer's that reach an edge they miss
  local merged="$repo/$module/target/fuzz/$simple/$method" committed f new=()
  [ -d "$generated" ] || { echo "$name: nothing fuzzed yet ($generated does not exist)"; return 0; }
  (cd "$repo" && mvn -B -q -pl "$module" -am test-compile dependency:build-classpath -Dmdep.includeScope=test \
      -Dmdep.outputFile=target/fuzz.classpath) >> "$log" 2>&1 || { echo "$name: classpath failed, see $log"; return 1; }
  rm -rf "$merged" && mkdir -p "$merged" && cp "$inputs"/* "$merged"/
  (cd "$repo/$module" && java -cp "target/test-classes:target/classes:$(cat target/fuzz.classpath)" \
      com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
      --instrumentation_includes="${instrument//,/:}" -merge=1 -use_counters=0 "$merged" "$generated") \
      >> "$log" 2>&1 || { echo "$name: minimising failed, see $log"; return 1; }
  committed=$(for f in "$inputs"/*; do sha1sum < "$f"; done | cut -d' ' -f1)
  for f in "$merged"/*; do
    grep -qx "$(sha1sum < "$f" | cut -d' ' -f1)" <<< "$committed" || new+=("$f")
  done
  echo "$name: $(find "$generated" -type f | wc -l) inputs kept by the fuzzer; ${#new[@]} of them reach edges" \
       "the $(find "$inputs" -type f | wc -l) committed inputs do not"
  if [ ${#new[@]} -gt 0 ]; then
    echo "  to add them: (cd $repo && cp ${new[*]#"$repo/"} ${inputs#"$repo/"}/)"
  fi
}

status=0
for name in "${names[@]}"; do
  # shellcheck disable=SC2086
  fuzz "$name" ${TARGETS[$name]} || status=1
done
exit $status
