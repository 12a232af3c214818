#!/usr/bin/env bash
# One run, one load, three servers: Mailroot (fsync before 250, Maildir delivery, the stamp sink
# bound three times with rules that match), Postfix (durable: queue file fsync'd before 250,
# virtual(8) delivery to Maildir) and Debian's smtp-sink null server, each at 1 and 10 sessions,
# with a new connection per message and with persistent connections, REPS times each. Prints the
# median msgs/s, the ratios Mailroot/Postfix and Mailroot/smtp-sink, and Mailroot's peak RSS.
#
#   bench/compare.sh                        # MSGS=10000 SIZE=4096 REPS=3 SESSIONS="1 10" PERSIST="0 1"
#   MSGS=5000 REPS=1 bench/compare.sh       # a quick look
#
# The peers are started by ../shared/bench/peers.sh (PEERS=dir to point elsewhere) and measured
# with its lib.sh `measure` (smtp-source); rows go to $BENCH_STATE/results.csv.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
PEERS=${PEERS:-$repo/../shared/bench}
[ -f "$PEERS/lib.sh" ] || { echo "compare.sh: the peer scripts are not in $PEERS (set PEERS)" >&2; exit 2; }
export MSGS=${MSGS:-10000} SIZE=${SIZE:-4096} REPS=${REPS:-3} SESSIONS=${SESSIONS:-"1 10"} PERSIST=${PERSIST:-"0 1"}
export BENCH_STATE=${BENCH_STATE:-/tmp/mailroot-compare}
rm -rf "$BENCH_STATE"; mkdir -p "$BENCH_STATE"
. "$PEERS/lib.sh"

if ! command -v smtp-source >/dev/null || ! command -v postfix >/dev/null; then
  echo "installing postfix (the Postfix peer and the smtp-source/smtp-sink tools) ..." >&2
  export DEBIAN_FRONTEND=noninteractive
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  apt-get update -qq && apt-get install -y -q postfix bc time >/dev/null
fi
command -v bc >/dev/null && [ -x /usr/bin/time ] || { apt-get install -y -q bc time >/dev/null; }

# ---------------------------------------------------------------- Mailroot
(cd "$repo" && mvn -B -q -DskipTests package > "$BENCH_STATE/build.log" 2>&1) || { tail "$BENCH_STATE/build.log"; exit 1; }
home=$BENCH_STATE/mailroot-home
port=2725
mkdir -p "$home/conf" "$home/plugins"
cp "$repo"/plugins/stamp-*.jar "$home/plugins/"
cat > "$home/conf/mailroot.yaml" <<YAML
smtp: {port: $port, hostname: bench.local, maxConnections: 500}
domains: [bench.local]
admin: {port: 0}
YAML
cat > "$home/conf/bindings.yaml" <<YAML
bindings:
  - {id: "{00000000-0000-0000-0000-0000000000A1}", name: stamp-rcpt, event: OnSubmission, sinkClass: dev.mailroot.stamp.StampSink, rule: "RCPT TO=*@bench.local", priority: 10, sinkProperties: {header: X-Stamp-1, value: rcpt}}
  - {id: "{00000000-0000-0000-0000-0000000000A2}", name: stamp-from, event: OnSubmission, sinkClass: dev.mailroot.stamp.StampSink, rule: "MAIL FROM=*@bench.local", priority: 20, sinkProperties: {header: X-Stamp-2, value: from}}
  - {id: "{00000000-0000-0000-0000-0000000000A3}", name: stamp-ehlo, event: OnSubmission, sinkClass: dev.mailroot.stamp.StampSink, rule: "EHLO=*;RCPT TO=nobody@*", priority: 30, sinkProperties: {header: X-Stamp-3, value: ehlo}}
registeredDefaults: ["{3A1E6F0C-5B7D-4C2A-9E8F-1D2C3B4A5F60}"]
YAML
"$repo/bin/mailroot" --home "$home" > "$BENCH_STATE/mailroot.out" 2>&1 &
mrpid=$!
trap 'kill $mrpid 2>/dev/null; "$PEERS/peers.sh" postfix stop >/dev/null 2>&1; "$PEERS/peers.sh" sink stop >/dev/null 2>&1' EXIT
wait_port $port 300 || { tail "$BENCH_STATE/mailroot.out"; exit 1; }
maildir=$home/mailroot/mailboxes/rcpt/Maildir/new
mailroot_drain() {   # wait until every accepted message is delivered, then empty the mailbox
  local i n f; for i in $(seq 1200); do
    n=$(find "$maildir" -type f 2>/dev/null | wc -l); [ "$n" -ge "$MSGS" ] && break; sleep 0.5; done
  if [ "$n" -lt "$MSGS" ]; then
    echo "mailroot: only $n of $MSGS messages delivered after 600 s" >&2; exit 1; fi
  f=$(find "$maildir" -type f | head -1)   # the three stamp sinks ran on what was delivered
  for h in "X-Stamp-1: rcpt" "X-Stamp-2: from" "X-Stamp-3: ehlo"; do
    grep -q "^$h" "$f" || { echo "mailroot: $f lacks '$h': the sinks did not run" >&2; exit 1; }
  done
  find "$maildir" -type f -delete; sync; sleep 1
}
# warm-up: JIT-compile the hot paths before anything is measured
measure mailroot warmup yes 127.0.0.1:$port 10 8000 "$SIZE" 0 > /dev/null
sed -i '/^mailroot,warmup,/d' "$RESULTS"
MSGS=8000 mailroot_drain
for p in $PERSIST; do for s in $SESSIONS; do for r in $(seq "$REPS"); do
  measure mailroot "maildir;stamp x3" yes 127.0.0.1:$port "$s" "$MSGS" "$SIZE" "$p"
  mailroot_drain
done; done; done
rss_kb=$(awk '/VmHWM/{print $2}' "/proc/$mrpid/status")
kill $mrpid; wait $mrpid 2>/dev/null

# ---------------------------------------------------------------- Postfix (durable, Maildir)
"$PEERS/peers.sh" postfix start > "$BENCH_STATE/postfix.out" 2>&1 || { cat "$BENCH_STATE/postfix.out"; exit 1; }
PF=$BENCH_STATE/postfix
postfix_drain() {
  local i; for i in $(seq 1200); do
    [ "$(find "$PF/spool/incoming" "$PF/spool/active" "$PF/spool/deferred" "$PF/spool/maildrop" -type f 2>/dev/null | wc -l)" -eq 0 ] && break
    sleep 0.5; done
  rm -rf "$PF/mail/rcpt"; sync; sleep 1
}
for p in $PERSIST; do for s in $SESSIONS; do for r in $(seq "$REPS"); do
  measure postfix maildir yes 127.0.0.1:2625 "$s" "$MSGS" "$SIZE" "$p"
  postfix_drain
done; done; done
"$PEERS/peers.sh" postfix stop > /dev/null 2>&1

# ---------------------------------------------------------------- smtp-sink (null server)
"$PEERS/peers.sh" sink start > /dev/null 2>&1
for p in $PERSIST; do for s in $SESSIONS; do for r in $(seq "$REPS"); do
  measure smtp-sink null-server no 127.0.0.1:2599 "$s" "$MSGS" "$SIZE" "$p"
done; done; done
"$PEERS/peers.sh" sink stop > /dev/null 2>&1

# ---------------------------------------------------------------- report
python3 - "$RESULTS" "$rss_kb" <<'PY'
import csv, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
rss = int(sys.argv[2] or 0)
med = {}
for (peer, s, p) in {(r['peer'], r['sessions'], r['persistent']) for r in rows}:
    ok = [float(r['msgs_per_s']) for r in rows if (r['peer'], r['sessions'], r['persistent']) == (peer, s, p) and r['rc'] == '0']
    med[(peer, s, p)] = (st.median(ok) if ok else float('nan'), len(ok))
print("\n| sessions | connections | Mailroot msgs/s | Postfix msgs/s | smtp-sink msgs/s | Mailroot/Postfix | Mailroot/smtp-sink |")
print("|---|---|---|---|---|---|---|")
for s in sorted({k[1] for k in med}, key=int):
    for p in sorted({k[2] for k in med}):
        m, pf, sk = (med.get((x, s, p), (float('nan'), 0))[0] for x in ('mailroot', 'postfix', 'smtp-sink'))
        conn = 'persistent' if p == '1' else 'new per message'
        print(f"| {s} | {conn} | {m:.0f} | {pf:.0f} | {sk:.0f} | {m / pf:.2f}x | {100 * m / sk:.0f}% |")
print(f"\nMailroot peak RSS: {rss / 1024:.0f} MB   (medians of the runs in {sys.argv[1]})")
PY
