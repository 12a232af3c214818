#!/usr/bin/env bash
# One run, one load, three servers: Mailroot (fsync before 250, Maildir delivery, the stamp sink
# bound three times with rules that match), Postfix (durable: queue file fsync'd before 250,
# virtual(8) delivery to Maildir) and Debian's smtp-sink null server, each at 1 and 10 sessions,
# with a new connection per message and with persistent connections, REPS times each. Prints the
# median msgs/s, the ratios Mailroot/Postfix and Mailroot/smtp-sink, and Mailroot's peak RSS.
#
#   bench/compare.sh                        # MSGS=10000 SIZE=4096 REPS=3 SESSIONS="1 10" PERSIST="0 1"
#   MSGS=5000 REPS=1 bench/compare.sh       # a quick look
#   RELAY=0 bench/compare.sh                # without the relay rows (on by default): Mailroot and Postfix each
#                                           # accepting mail for a remote domain from a trusted network and
#                                           # relaying it to the same smtp-sink, measured end to end (from the
#                                           # first message offered to the last one handed to the sink)
#   FILTERS=1 bench/compare.sh              # and Mailroot again with the four bundled filters bound and
#                                           # configured (DNS block list on a local dnsmasq, sender and
#                                           # recipient lists, rspamd as the content engine), plus the
#                                           # engine's own cost measured apart
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
FILTERS=${FILTERS:-0}
FILTER_IDS='"{2EDEAEBB-7B6F-435E-A11F-C7CC3992F69B}", "{CDF3A731-409C-4B50-AF77-0846C6CA3C3F}", "{3D4EEF85-DD4F-45EE-BF39-CD84267D03C9}", "{2485EF33-9FC4-44BB-96AF-97D3D63309E3}", "{5F571B09-5251-48CA-BECB-39E6A205B712}"'
port=2725
# mailroot_home HOME WITH_FILTERS: a home with the three stamp bindings, and the filters bound if asked
mailroot_home() {
  local home=$1 filters=$2
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
YAML
  if [ "$filters" = 1 ]; then
    cat >> "$home/conf/bindings.yaml" <<YAML
  - {id: "{2EDEAEBB-7B6F-435E-A11F-C7CC3992F69B}", name: Connection Filter, event: OnConnect, sinkClass: dev.mailroot.filters.ConnectionFilter, priority: 100}
  - {id: "{CDF3A731-409C-4B50-AF77-0846C6CA3C3F}", name: Sender Filter, event: OnMailFrom, sinkClass: dev.mailroot.filters.SenderFilter, priority: 100}
  - {id: "{3D4EEF85-DD4F-45EE-BF39-CD84267D03C9}", name: Sender Filter Tag, event: OnEndOfData, sinkClass: dev.mailroot.filters.SenderFilter, priority: 100}
  - {id: "{2485EF33-9FC4-44BB-96AF-97D3D63309E3}", name: Recipient Filter, event: OnRcptTo, sinkClass: dev.mailroot.filters.RecipientFilter, priority: 100}
  - {id: "{5F571B09-5251-48CA-BECB-39E6A205B712}", name: Content Filter, event: OnEndOfData, sinkClass: dev.mailroot.filters.ContentFilter, priority: 20000}
registeredDefaults: ["{3A1E6F0C-5B7D-4C2A-9E8F-1D2C3B4A5F60}", $FILTER_IDS]
YAML
    cat > "$home/conf/filters.yaml" <<YAML
connection:
  deny: [203.0.113.0/24]
  dnsbl: {resolver: "127.0.0.1:$DNSBL_PORT", zones: [zen.test]}
sender: {blocked: ["*@spam.test"]}
recipient: {blocked: ["ceo@bench.local"]}
content: {engine: rspamd, port: $RSPAMD_PORT}
YAML
  else
    echo 'registeredDefaults: ["{3A1E6F0C-5B7D-4C2A-9E8F-1D2C3B4A5F60}"]' >> "$home/conf/bindings.yaml"
  fi
}
# run_mailroot PEER VARIANT HOME: starts it, warms it up, measures every load, stops it (peak RSS in rss_kb_<PEER>)
run_mailroot() {
  local peer=$1 variant=$2 home=$3 maildir p s r
  "$repo/bin/mailroot" --home "$home" > "$BENCH_STATE/$peer.out" 2>&1 &
  mrpid=$!
  wait_port $port 300 || { tail "$BENCH_STATE/$peer.out"; exit 1; }
  maildir=$home/mailroot/mailboxes/rcpt/Maildir/new
  mailroot_drain() {   # wait until every accepted message is delivered, then empty the mailbox
    local i n f h; for i in $(seq 1200); do
      n=$(find "$maildir" -type f 2>/dev/null | wc -l); [ "$n" -ge "$MSGS" ] && break; sleep 0.5; done
    if [ "$n" -lt "$MSGS" ]; then
      echo "$peer: only $n of $MSGS messages delivered after 600 s" >&2; exit 1; fi
    f=$(find "$maildir" -type f | head -1)   # the three stamp sinks ran on what was delivered
    for h in "X-Stamp-1: rcpt" "X-Stamp-2: from" "X-Stamp-3: ehlo"; do
      grep -q "^$h" "$f" || { echo "$peer: $f lacks '$h': the sinks did not run" >&2; exit 1; }
    done
    find "$maildir" -type f -delete; sync; sleep 1
  }
  # warm-up: JIT-compile the hot paths before anything is measured
  measure "$peer" warmup yes 127.0.0.1:$port 10 8000 "$SIZE" 0 > /dev/null
  sed -i "/^$peer,warmup,/d" "$RESULTS"
  MSGS=8000 mailroot_drain
  for p in $PERSIST; do for s in $SESSIONS; do for r in $(seq "$REPS"); do
    measure "$peer" "$variant" yes 127.0.0.1:$port "$s" "$MSGS" "$SIZE" "$p"
    mailroot_drain
  done; done; done
  eval "rss_kb_${peer//-/_}=$(awk '/VmHWM/{print $2}' "/proc/$mrpid/status")"
  kill $mrpid; wait $mrpid 2>/dev/null
}
trap 'kill $mrpid 2>/dev/null; [ -n "${RSPAMD_PID:-}" ] && kill $RSPAMD_PID 2>/dev/null; [ -n "${DNSBL_PID:-}" ] && kill $DNSBL_PID 2>/dev/null; "$PEERS/peers.sh" postfix stop >/dev/null 2>&1; "$PEERS/peers.sh" sink stop >/dev/null 2>&1' EXIT
mailroot_home "$BENCH_STATE/mailroot-home" 0
run_mailroot mailroot "maildir;stamp x3" "$BENCH_STATE/mailroot-home"
rss_kb=$rss_kb_mailroot

if [ "$FILTERS" = 1 ]; then
  . "$repo/bench/lib/local-peers.sh"
  start_dnsbl 2.0.0.127.zen.test,127.0.0.2 || exit 1
  start_rspamd "$BENCH_STATE/rspamd" "$DNSBL_PORT" || exit 1
  mailroot_home "$BENCH_STATE/mailroot-filters-home" 1
  run_mailroot mailroot-filters "maildir;stamp x3;filters x4 (rspamd)" "$BENCH_STATE/mailroot-filters-home"
  grep -q "MR2101" "$BENCH_STATE/mailroot-filters.out" && { grep MR2101 "$BENCH_STATE/mailroot-filters.out" >&2; exit 1; }
  # the engine's own cost, apart: the same size of message posted to /checkv2 as the filter posts it
  python3 - "$RSPAMD_PORT" "$SIZE" > "$BENCH_STATE/engine.txt" <<'PY'
import sys, time, statistics, threading, urllib.request
port, size = int(sys.argv[1]), int(sys.argv[2])
msg = ("From: sender@bench.local\r\nTo: rcpt@bench.local\r\nSubject: bench\r\n\r\n" + "x" * 76 + "\r\n").encode()
msg = msg + (b"y" * 76 + b"\r\n") * max(0, (size - len(msg)) // 78)
def check():
    r = urllib.request.Request(f"http://127.0.0.1:{port}/checkv2", data=msg, headers={"IP": "127.0.0.1",
        "From": "sender@bench.local", "Rcpt": "rcpt@bench.local"})
    t = time.perf_counter(); urllib.request.urlopen(r, timeout=10).read(); return time.perf_counter() - t
for threads in (1, 10):
    n = 2000; lat = []; lock = threading.Lock()
    def work(k):
        for _ in range(k):
            d = check()
            with lock: lat.append(d)
    t0 = time.perf_counter()
    ts = [threading.Thread(target=work, args=(n // threads,)) for _ in range(threads)]
    [t.start() for t in ts]; [t.join() for t in ts]
    wall = time.perf_counter() - t0
    lat.sort()
    print(f"rspamd alone, {threads} client(s): {len(lat) / wall:.0f} checks/s, median {1000 * statistics.median(lat):.1f} ms, "
          f"p90 {1000 * lat[int(len(lat) * 0.9)]:.1f} ms ({len(lat)} checks of {len(msg)} bytes)")
PY
  kill $RSPAMD_PID $DNSBL_PID 2>/dev/null; wait $RSPAMD_PID $DNSBL_PID 2>/dev/null; RSPAMD_PID= DNSBL_PID=
fi

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

# ---------------------------------------------------------------- relay: Mailroot and Postfix to the same smtp-sink
RELAY=${RELAY:-1}
RELAY_CSV=$BENCH_STATE/relay.csv
# relay_run PEER HOST:PORT DRAIN-FUNCTION: per load, the accept rate and the end-to-end rate (until the queue is empty)
relay_run() {
  local peer=$1 hp=$2 drain=$3 p s r t0 t1 acc
  for p in $PERSIST; do for s in $SESSIONS; do for r in $(seq "$REPS"); do
    t0=$(date +%s.%N)
    acc=$(measure "$peer" relay yes "$hp" "$s" "$MSGS" "$SIZE" "$p" -t rcpt@relay.test | tail -1 | cut -d, -f9)
    $drain || { echo "$peer: the queue did not drain" >&2; exit 1; }
    t1=$(date +%s.%N)
    echo "$peer,$s,$p,$acc,$(echo "$MSGS / ($t1 - $t0)" | bc -l)" >> "$RELAY_CSV"
  done; done; done
}
if [ "$RELAY" = 1 ]; then
  echo "peer,sessions,persistent,accept_per_s,end_to_end_per_s" > "$RELAY_CSV"
  "$PEERS/peers.sh" sink start > /dev/null 2>&1
  # Mailroot: relay.test from 127.0.0.0/8 (trusted), routed to the sink, as many connections as Postfix uses
  RH=$BENCH_STATE/mailroot-relay-home
  mkdir -p "$RH/conf"
  cat > "$RH/conf/mailroot.yaml" <<YAML
smtp: {port: $port, hostname: bench.local, maxConnections: 500}
domains: [bench.local]
admin: {port: 0}
relay: {trustedNetworks: [127.0.0.0/8]}
outbound: {routes: {relay.test: "127.0.0.1:2599"}, tls: none, perDestination: 20, threads: 20}
YAML
  "$repo/bin/mailroot" --home "$RH" > "$BENCH_STATE/mailroot-relay.out" 2>&1 &
  mrpid=$!
  wait_port $port 300 || { tail "$BENCH_STATE/mailroot-relay.out"; exit 1; }
  mailroot_relay_drain() {
    local i n a; a=$(cat "$RH/mailroot/admin.port")
    for i in $(seq 6000); do
      n=$(curl -s "http://127.0.0.1:$a/health" | sed -n 's/.*"spool":\([0-9]*\).*/\1/p')
      [ "$n" = 0 ] && return 0; sleep 0.1; done
    return 1
  }
  measure mailroot-relay warmup yes 127.0.0.1:$port 10 5000 "$SIZE" 0 -t rcpt@relay.test > /dev/null
  sed -i "/^mailroot-relay,warmup,/d" "$RESULTS"
  mailroot_relay_drain
  relay_run mailroot-relay 127.0.0.1:$port mailroot_relay_drain
  [ -z "$(ls "$RH/mailroot/badmail" 2>/dev/null)" ] || { echo "mailroot-relay: messages in badmail" >&2; exit 1; }
  kill $mrpid; wait $mrpid 2>/dev/null
  # Postfix: the same instance as above, relay.test routed to the sink by a transport map
  "$PEERS/peers.sh" postfix start > "$BENCH_STATE/postfix.out" 2>&1 || { cat "$BENCH_STATE/postfix.out"; exit 1; }
  postconf -c "$PF/etc" -e "transport_maps = inline:{relay.test=smtp:[127.0.0.1]:2599}" "smtp_tls_security_level = none"
  script -eqc "postfix -c $PF/etc reload" /dev/null > /dev/null
  postfix_relay_drain() {
    local i; for i in $(seq 6000); do
      [ "$(find "$PF/spool/incoming" "$PF/spool/active" "$PF/spool/deferred" "$PF/spool/maildrop" -type f 2>/dev/null | wc -l)" -eq 0 ] && return 0
      sleep 0.1; done
    return 1
  }
  measure postfix-relay warmup yes 127.0.0.1:2625 10 5000 "$SIZE" 0 -t rcpt@relay.test > /dev/null
  sed -i "/^postfix-relay,warmup,/d" "$RESULTS"
  postfix_relay_drain
  relay_run postfix-relay 127.0.0.1:2625 postfix_relay_drain
  [ "$(find "$PF/spool/deferred" -type f | wc -l)" -eq 0 ] || { echo "postfix-relay: deferred mail" >&2; exit 1; }
  postconf -c "$PF/etc" -X transport_maps
  "$PEERS/peers.sh" postfix stop > /dev/null 2>&1
  "$PEERS/peers.sh" sink stop > /dev/null 2>&1
fi

# ---------------------------------------------------------------- smtp-sink (null server)
"$PEERS/peers.sh" sink start > /dev/null 2>&1
for p in $PERSIST; do for s in $SESSIONS; do for r in $(seq "$REPS"); do
  measure smtp-sink null-server no 127.0.0.1:2599 "$s" "$MSGS" "$SIZE" "$p"
done; done; done
"$PEERS/peers.sh" sink stop > /dev/null 2>&1

# ---------------------------------------------------------------- report
python3 - "$RESULTS" "$rss_kb" "${rss_kb_mailroot_filters:-0}" <<'PY'
import csv, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
rss = int(sys.argv[2] or 0)
rss_filters = int(sys.argv[3] or 0)
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
if any(k[0] == 'mailroot-filters' for k in med):
    print("\n| sessions | connections | Mailroot msgs/s | Mailroot + 4 filters msgs/s | filtered/unfiltered |")
    print("|---|---|---|---|---|")
    for s in sorted({k[1] for k in med}, key=int):
        for p in sorted({k[2] for k in med}):
            m, f = (med.get((x, s, p), (float('nan'), 0))[0] for x in ('mailroot', 'mailroot-filters'))
            conn = 'persistent' if p == '1' else 'new per message'
            print(f"| {s} | {conn} | {m:.0f} | {f:.0f} | {f / m:.2f}x |")
    print(f"\nMailroot + filters peak RSS: {rss_filters / 1024:.0f} MB")
PY
[ -f "$BENCH_STATE/engine.txt" ] && cat "$BENCH_STATE/engine.txt"
if [ -f "$RELAY_CSV" ]; then
  python3 - "$RELAY_CSV" <<'PY'
import csv, sys, statistics as st
rows = list(csv.DictReader(open(sys.argv[1])))
keys = sorted({(r['sessions'], r['persistent']) for r in rows}, key=lambda k: (int(k[0]), k[1]))
def med(peer, k, f):
    v = [float(r[f]) for r in rows if r['peer'] == peer and (r['sessions'], r['persistent']) == k and r[f]]
    return st.median(v) if v else float('nan')
print("\nRelay to smtp-sink (trusted client, one remote domain), medians:")
print("| sessions | connections | Mailroot accepts/s | Mailroot end-to-end msgs/s | Postfix accepts/s | Postfix end-to-end msgs/s | end-to-end Mailroot/Postfix |")
print("|---|---|---|---|---|---|---|")
for k in keys:
    ma, me, pa, pe = med('mailroot-relay', k, 'accept_per_s'), med('mailroot-relay', k, 'end_to_end_per_s'), \
        med('postfix-relay', k, 'accept_per_s'), med('postfix-relay', k, 'end_to_end_per_s')
    conn = 'persistent' if k[1] == '1' else 'new per message'
    print(f"| {k[0]} | {conn} | {ma:.0f} | {me:.0f} | {pa:.0f} | {pe:.0f} | {me / pe:.2f}x |")
PY
fi
