#!/usr/bin/env bash
# Pickup backlog: writes FILES messages of SIZE bytes into a fresh home's mailroot/pickup/ while
# the server is stopped, starts bin/mailroot, and prints how long it takes until the pickup folder
# is empty and until every message is delivered to Maildir, and the server's peak RSS.
#
#   bench/pickup-drain.sh                  # 100,000 files of 4 KB
#   FILES=20000 bench/pickup-drain.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
FILES=${FILES:-100000}; SIZE=${SIZE:-4096}

home=$(mktemp -d /tmp/mailroot-pickup.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
mkdir -p "$home/conf" "$home/mailroot/pickup"
cat > "$home/conf/mailroot.yaml" <<YAML
smtp: {port: $port, hostname: bench.local}
domains: [bench.local]
pickup: {settleMillis: 1000, rescanSeconds: 5}
admin: {port: 0}
YAML

echo "writing $FILES pickup files of $SIZE bytes ..." >&2
python3 - "$home/mailroot/pickup" "$FILES" "$SIZE" <<'PY'
import os, sys
d, n, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
head = b"x-sender: sender@bench.local\r\nx-receiver: rcpt@bench.local\r\nFrom: sender@bench.local\r\nTo: rcpt@bench.local\r\nSubject: pickup %d\r\n\r\n"
line = b"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdef\r\n"
for i in range(n):
    h = head % i
    body = (line * (size // len(line) + 1))[: max(0, size - len(h))]
    with open(os.path.join(d, "msg%06d.eml" % i), "wb") as f:
        f.write(h + body)
PY
sleep 1.2   # let the newest files settle

"$repo/bin/mailroot" --home "$home" > "$home/server.out" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; [ "${KEEP:-0}" = 1 ] || rm -rf "$home"; }
trap cleanup EXIT
start=$(date +%s.%N)
maildir=$home/mailroot/mailboxes/rcpt/Maildir/new
pickup_left() { find "$home/mailroot/pickup" -type f | wc -l; }
delivered() { find "$maildir" -type f 2>/dev/null | wc -l; }
rss_peak=0
sample_rss() { local r; r=$(awk '/VmHWM/{print $2}' "/proc/$pid/status" 2>/dev/null || echo 0); [ "${r:-0}" -gt "$rss_peak" ] && rss_peak=$r; return 0; }
drained=""
for _ in $(seq 36000); do
  sample_rss
  if [ -z "$drained" ] && [ "$(pickup_left)" -eq 0 ]; then drained=$(date +%s.%N); fi
  if [ -n "$drained" ] && [ "$(delivered)" -ge "$FILES" ]; then break; fi
  sleep 0.5
done
done_at=$(date +%s.%N)
sample_rss
python3 - "$start" "${drained:-$done_at}" "$done_at" "$FILES" "$SIZE" "$rss_peak" "$(delivered)" "$(find "$home/mailroot/badmail" -name '*.bad' | wc -l)" <<'PY'
import sys
start, drained, done, files, size, rss, delivered, bad = sys.argv[1:]
start, drained, done, files = float(start), float(drained), float(done), int(files)
print(f"mailroot pickup-drain: {files} files x {size} B")
print(f"  pickup folder empty after: {drained - start:8.1f} s  {files / (drained - start):8.0f} files/s")
print(f"  all delivered after:       {done - start:8.1f} s  {files / (done - start):8.0f} msgs/s")
print(f"  delivered {delivered}, badmail {bad}, server peak RSS {int(rss) / 1024:.0f} MB")
PY
