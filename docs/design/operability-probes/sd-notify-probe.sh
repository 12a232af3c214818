#!/bin/sh
# Probe: plays systemd's side of sd_notify (a Unix datagram socket) and runs SdNotifyProbe.java against it.
set -e
SOCK=/tmp/mailroot-notify-probe.sock
rm -f "$SOCK"
/usr/bin/python3 - "$SOCK" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(15)
try:
    while True:
        data = s.recv(4096)
        print("listener got datagram:", data.decode().replace("\n", "\\n"), flush=True)
except socket.timeout:
    pass
PY
LISTENER=$!
sleep 0.5
NOTIFY_SOCKET="$SOCK" java SdNotifyProbe.java
sleep 0.5
kill "$LISTENER" 2>/dev/null || true
rm -f "$SOCK"
