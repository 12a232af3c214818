#!/usr/bin/env python3
"""Round trip of each SMTP command of one session, new connection per message.

    bench/smtp-roundtrips.py PORT [MESSAGES] [DOMAIN]     # default 2000 messages, domain bench.local

Sends MESSAGES messages of about 4 KB, one after the other, to 127.0.0.1:PORT and prints, per
step (connect + banner, EHLO, MAIL, RCPT, DATA, end of data to the reply, QUIT), the median and
p90 time from sending to the reply, and the mean total per message. The first 10% are a warm-up
and not counted. Start the server first (bin/mailroot with smtp.port PORT and the domain local).
"""
import socket
import statistics
import sys
import time

port = int(sys.argv[1])
n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
domain = sys.argv[3] if len(sys.argv) > 3 else "bench.local"
body = ("Subject: round trip\r\n\r\n" + ("y" * 76 + "\r\n") * 52 + ".\r\n").encode()
steps = ["connect + banner", "EHLO", "MAIL", "RCPT", "DATA", "end of data -> 250", "QUIT"]
times = {k: [] for k in steps}
commands = [b"EHLO client.example\r\n", f"MAIL FROM:<sender@{domain}>\r\n".encode(),
            f"RCPT TO:<rcpt@{domain}>\r\n".encode(), b"DATA\r\n", body, b"QUIT\r\n"]
expect = ["250", "250", "250", "354", "250", "221"]


def reply(f):
    while True:
        line = f.readline()
        if not line:
            sys.exit("round-trips: the server closed the connection")
        if line[3:4] != b"-":
            return line.decode("ascii", "replace")


for i in range(n + n // 10):
    sample = {}
    t = time.perf_counter()
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    if not reply(f).startswith("220"):
        sys.exit("round-trips: no 220 banner")
    sample[steps[0]] = time.perf_counter() - t
    for step, cmd, code in zip(steps[1:], commands, expect):
        t = time.perf_counter()
        s.sendall(cmd)
        r = reply(f)
        sample[step] = time.perf_counter() - t
        if not r.startswith(code):
            sys.exit(f"round-trips: {step} got {r.strip()}")
    s.close()
    if i >= n // 10:
        for k, v in sample.items():
            times[k].append(v)

total = 0.0
for k in steps:
    v = sorted(times[k])
    total += statistics.mean(v)
    print(f"{k:20s} median {statistics.median(v) * 1000:6.3f} ms   p90 {v[int(len(v) * 0.9)] * 1000:6.3f} ms")
print(f"mean total per message {total * 1000:.3f} ms  ({n} messages)")
