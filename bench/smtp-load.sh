#!/usr/bin/env bash
# Whole-server throughput: sends MSGS messages of SIZE bytes over SESSIONS concurrent SMTP
# sessions to bin/mailroot (fsync before 250, Maildir delivery) and prints messages per second,
# the time until every message is delivered, and the server's peak RSS.
#
#   bench/smtp-load.sh                 # 20,000 x 4 KB over 10 sessions, new connection per message
#   MSGS=50000 SESSIONS=1 PERSIST=1 bench/smtp-load.sh
#   STAMPS=3 bench/smtp-load.sh        # with the bundled stamp sink bound 3 times (every message passes 3 sinks)
#
# Needs smtp-source from Debian's postfix package; installs it (without configuring Postfix) if
# missing. Everything the run writes goes to a temporary home that is removed afterwards
# (KEEP=1 keeps it).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
MSGS=${MSGS:-20000}; SESSIONS=${SESSIONS:-10}; SIZE=${SIZE:-4096}; PERSIST=${PERSIST:-0}; WARMUP=${WARMUP:-3000}
STAMPS=${STAMPS:-0}

if ! command -v smtp-source >/dev/null; then
  echo "installing postfix for its smtp-source load tool ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq && apt-get install -y -q postfix >/dev/null
fi

home=$(mktemp -d /tmp/mailroot-bench.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$home/conf"
cat > "$home/conf/mailroot.yaml" <<YAML
smtp: {port: $port, hostname: bench.local, maxConnections: 500}
domains: [bench.local]
admin: {port: 0}
plugins: {bundled: false}
YAML
if [ "$STAMPS" -gt 0 ]; then
  (cd "$repo" && [ -n "$(ls plugins/stamp-*.jar 2>/dev/null)" ]) || (cd "$repo" && mvn -B -q -DskipTests package >/dev/null)
  mkdir -p "$home/plugins"
  cp "$repo"/plugins/stamp-*.jar "$home/plugins/"
  {
    echo "bindings:"
    for i in $(seq "$STAMPS"); do
      printf '  - {id: "{00000000-0000-0000-0000-%012d}", name: stamp-%d, event: OnSubmission, sinkClass: dev.mailroot.stamp.StampSink, rule: "RCPT TO=*@bench.local", priority: %d, sinkProperties: {header: X-Stamp-%d, value: "%d"}}\n' "$i" "$i" "$i" "$i" "$i"
    done
    echo 'registeredDefaults: ["{3A1E6F0C-5B7D-4C2A-9E8F-1D2C3B4A5F60}"]'
  } > "$home/conf/bindings.yaml"
fi

"$repo/bin/mailroot" --home "$home" > "$home/server.out" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; [ "${KEEP:-0}" = 1 ] || rm -rf "$home"; }
trap cleanup EXIT
for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && break; sleep 0.2; done

dflag=""; [ "$PERSIST" = 1 ] && dflag="-d"
maildir=$home/mailroot/mailboxes/rcpt/Maildir/new
delivered() { find "$maildir" -type f 2>/dev/null | wc -l; }
wait_delivered() {   # wait_delivered N: until N copies are in the Maildir (or 10 minutes)
  for _ in $(seq 6000); do [ "$(delivered)" -ge "$1" ] && return 0; sleep 0.1; done; return 1
}

# warm-up: let the JIT compile the hot paths, then start from an empty mailbox
smtp-source $dflag -s "$SESSIONS" -m "$WARMUP" -l "$SIZE" -M bench.local -f sender@bench.local -t rcpt@bench.local "127.0.0.1:$port"
wait_delivered "$WARMUP"
rm -f "$maildir"/*

start=$(date +%s.%N)
smtp-source $dflag -s "$SESSIONS" -m "$MSGS" -l "$SIZE" -M bench.local -f sender@bench.local -t rcpt@bench.local "127.0.0.1:$port"
accepted=$(date +%s.%N)
wait_delivered "$MSGS"
done_at=$(date +%s.%N)

rss_kb=$(awk '/VmHWM/{print $2}' "/proc/$pid/status")
python3 - "$start" "$accepted" "$done_at" "$MSGS" "$SESSIONS" "$SIZE" "$PERSIST" "$rss_kb" "$(delivered)" "$STAMPS" <<'PY'
import sys
start, accepted, done, msgs, sessions, size, persist, rss, delivered, stamps = sys.argv[1:]
start, accepted, done = float(start), float(accepted), float(done)
msgs = int(msgs)
print(f"mailroot smtp-load: {msgs} msgs x {size} B, {sessions} session(s), "
      f"{'persistent connections' if persist == '1' else 'new connection per message'}, {stamps} sink(s) per message")
print(f"  accepted (250 after fsync): {accepted - start:8.2f} s  {msgs / (accepted - start):9.0f} msgs/s")
print(f"  all delivered to Maildir:   {done - start:8.2f} s  {msgs / (done - start):9.0f} msgs/s")
print(f"  delivered copies: {delivered}   server peak RSS: {int(rss) / 1024:.0f} MB")
PY
