#!/usr/bin/env bash
# Nothing lost when the process dies. Usage: bench/crash-test.sh [smtp|pickup|pop3]
#
# smtp (the default): ROUNDS (20) rounds of: start bin/mailroot, load it with SESSIONS (8) SMTP
# sessions, kill -9 it at a random moment, restart it, wait for the spool to drain, and compare the
# ids the server acknowledged with 250 against the ids delivered (from each delivered message's
# Received: field). Lost must be 0 in every round; duplicates are counted (the promise is
# at-least-once). Exit 1 if anything was lost.
#
# pickup, pop3: the kill tests that run in `mvn -B verify` with 3 rounds (PickupCrashTest: kill
# while the pickup folder drains; Pop3CrashIT: kill between download and hand-off), run with
# ROUNDS rounds. They print a line per round and fail if any file or message was lost.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
ROUNDS=${ROUNDS:-20}; SESSIONS=${SESSIONS:-8}
MODE=${1:-smtp}

kill_test() {   # module, test class, surefire|failsafe, report prefix to print
  local module=$1 test=$2 plugin=$3 grep_for=$4 prop
  if [ "$plugin" = surefire ]; then prop="-Dtest=$test"; else prop="-Dit.test=$test -Dtest=NONE"; fi
  echo "running $test with $ROUNDS rounds (this takes a while) ..."
  (cd "$repo" && mvn -B -q -pl "$module" -am verify $prop -Dcrash.rounds="$ROUNDS" \
      -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false) > /tmp/crash-test-mvn.log 2>&1
  local rc=$?
  grep -h "$grep_for" "$repo/$module"/target/*-reports/*"$test"-output.txt 2>/dev/null
  [ $rc = 0 ] || { grep -E 'FAIL|ERROR|Expect' /tmp/crash-test-mvn.log | head -20; echo "$test failed (log: /tmp/crash-test-mvn.log)"; }
  exit $rc
}
case $MODE in
  smtp) ;;
  pickup) kill_test server PickupCrashTest surefire "pickup crash test" ;;
  pop3) kill_test sinks/pop3-connector Pop3CrashIT failsafe "pop3 crash test" ;;
  *) echo "usage: bench/crash-test.sh [smtp|pickup|pop3]" >&2; exit 2 ;;
esac
home=$(mktemp -d /tmp/mailroot-crash.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$home/conf"
printf 'smtp: {port: %s}\nadmin: {port: 0}\nshutdownGraceSeconds: 5\n' "$port" > "$home/conf/mailroot.yaml"
(cd "$repo" && mvn -B -q -DskipTests package > "$home/build.log" 2>&1) || { tail "$home/build.log"; exit 1; }
pid=
cleanup() { [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null; [ "${KEEP:-0}" = 1 ] || rm -rf "$home"; }
trap cleanup EXIT

start() {
  "$repo/bin/mailroot" --home "$home" >> "$home/server.out" 2>&1 &
  pid=$!
  for _ in $(seq 300); do (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null && return 0; sleep 0.1; done
  echo "the server did not start"; tail "$home/server.out"; exit 1
}

python3 - "$repo" "$home" "$port" "$ROUNDS" "$SESSIONS" <<'PY'
import os, random, re, signal, socket, subprocess, sys, threading, time, json, urllib.request
repo, home, port, rounds, sessions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
QUEUED = re.compile(rb"^250 2\.0\.0 Ok: queued as ([0-9A-Z]{13})")
RECEIVED = re.compile(rb"\(Mailroot\) with ESMTP id ([0-9A-Z]{13})")
body = b"Subject: crash\r\n\r\n" + (b"x" * 76 + b"\r\n") * 50 + b".\r\n"

def start():
    p = subprocess.Popen([os.path.join(repo, "bin/mailroot"), "--home", home],
                         stdout=open(os.path.join(home, "server.out"), "ab"), stderr=subprocess.STDOUT)
    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close(); return p
        except OSError:
            time.sleep(0.1)
    sys.exit("the server did not start")

def reply(f):
    line = f.readline()
    while line[3:4] == b"-":
        line = f.readline()
    if not line:
        raise OSError("closed")
    return line

def load(acked, stop):
    while not stop.is_set():
        try:
            s = socket.create_connection(("127.0.0.1", port), 2); s.settimeout(10); f = s.makefile("rb")
            reply(f); s.sendall(b"EHLO crash.test\r\n"); reply(f)
            for _ in range(5):
                s.sendall(b"MAIL FROM:<load@example.org>\r\n"); reply(f)
                s.sendall(b"RCPT TO:<crash@localhost>\r\n"); reply(f)
                s.sendall(b"DATA\r\n"); reply(f)
                s.sendall(body)
                m = QUEUED.match(reply(f))
                if m: acked.add(m.group(1))
            s.sendall(b"QUIT\r\n"); s.close()
        except OSError:
            time.sleep(0.02)

def spool():
    try:
        admin = open(os.path.join(home, "mailroot/admin.port")).read().strip()
        return json.load(urllib.request.urlopen(f"http://127.0.0.1:{admin}/health", timeout=2))["spool"]
    except Exception:
        return -1

def delivered():
    ids = {}
    root = os.path.join(home, "mailroot/mailboxes")
    for d, _, files in os.walk(root):
        if os.path.basename(d) != "new": continue
        for n in files:
            m = RECEIVED.search(open(os.path.join(d, n), "rb").read())
            if m: ids[m.group(1)] = ids.get(m.group(1), 0) + 1
    return ids

acked_all, lost_total = set(), 0
print("round  acked-this-round  acked-total  delivered  lost  duplicates")
for r in range(1, rounds + 1):
    p = start(); acked, stop = set(), threading.Event()
    threads = [threading.Thread(target=load, args=(acked, stop), daemon=True) for _ in range(sessions)]
    for t in threads: t.start()
    time.sleep(random.uniform(0.5, 3.0))
    os.kill(p.pid, signal.SIGKILL); p.wait()
    stop.set()
    for t in threads: t.join(15)
    acked_all |= acked
    p = start()
    deadline = time.time() + 120
    while spool() != 0 and time.time() < deadline: time.sleep(0.2)
    ids = delivered()
    lost = acked_all - set(ids)
    dups = sum(n - 1 for n in ids.values())
    lost_total += len(lost)
    print(f"{r:5d}  {len(acked):16d}  {len(acked_all):11d}  {len(ids):9d}  {len(lost):4d}  {dups:10d}", flush=True)
    p.send_signal(signal.SIGTERM); p.wait(60)
print(f"\n{rounds} rounds, {len(acked_all)} messages acknowledged with 250: {lost_total} lost, "
      f"{sum(n - 1 for n in delivered().values())} duplicate deliveries (at-least-once)")
sys.exit(1 if lost_total else 0)
PY
