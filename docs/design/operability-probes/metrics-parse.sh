#!/bin/sh
# Probe (not part of the build): parse the scrape MetricsProbe.java wrote to /tmp/mailroot-metrics.txt
# with two reference parsers from Debian packages:
#  - the official Python client's parser, Debian's /usr/bin/python3 (apt-get install -y python3-prometheus-client, 45 kB)
#  - promtool from Debian's 'prometheus' package (Go, the server's own parser + name lint),
#    unpacked without installing the service: apt-get download prometheus; dpkg-deb -x prometheus_*.deb /tmp/promdeb
set -e
F=${1:-/tmp/mailroot-metrics.txt}
/usr/bin/python3 - "$F" <<'PY'
import sys, time
from prometheus_client.parser import text_string_to_metric_families
t = time.time()
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
print("python parser: %d families in %.1f ms" % (len(fams), (time.time() - t) * 1000))
for f in fams:
    if f.name.startswith("mailroot_sink"):
        s = f.samples[0]
        print("  ", f.name, f.type, len(f.samples), "samples, first:", s.name, s.labels, s.value)
PY
PROMTOOL=${PROMTOOL:-/tmp/promdeb/usr/bin/promtool}
"$PROMTOOL" --version 2>&1 | head -1
echo "promtool check metrics (lint):"
"$PROMTOOL" check metrics < "$F" && echo "  no problems" || echo "  exit $?"
