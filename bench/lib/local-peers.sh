# Local peers for the filters: rspamd (the content filter's engine) and dnsmasq (a DNS block
# list), started as children on loopback, free ports, own folders. Sourced by .ci/run (to warm
# rspamd's Hyperscan cache before the tests) and by bench/compare.sh (FILTERS=1).

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_rspamd DIR [DNS_PORT]: rspamd's normal worker on a free port (RSPAMD_PORT), its pid in
# RSPAMD_PID; the Hyperscan cache in ${TMPDIR:-/tmp}/mailroot-rspamd-db (the tests share it)
start_rspamd() {
  local dir=$1 dns=${2:-} db controller i
  db=${TMPDIR:-/tmp}/mailroot-rspamd-db
  mkdir -p "$db" "$dir/local/override.d" "$dir/run" "$dir/log"
  RSPAMD_PORT=$(free_port)
  controller=$(free_port)
  echo "bind_socket = \"127.0.0.1:$RSPAMD_PORT\"; count = 1;" > "$dir/local/override.d/worker-normal.inc"
  echo "bind_socket = \"127.0.0.1:$controller\"; count = 1;" > "$dir/local/override.d/worker-controller.inc"
  echo 'enabled = false;' > "$dir/local/override.d/worker-proxy.inc"
  echo 'enabled = false;' > "$dir/local/override.d/worker-fuzzy.inc"
  echo 'type = "console"; level = "error";' > "$dir/local/override.d/logging.inc"
  if [ -n "$dns" ]; then
    echo "dns { nameserver = [\"127.0.0.1:$dns\"]; timeout = 1s; retransmits = 1; }" > "$dir/local/override.d/options.inc"
  fi
  local user=()
  if [ "$(id -u)" -eq 0 ]; then
    chown -R _rspamd:_rspamd "$dir" "$db"
    user=(-u _rspamd -g _rspamd)
  fi
  rspamd -f "${user[@]}" -c /etc/rspamd/rspamd.conf --var LOCAL_CONFDIR="$dir/local" --var DBDIR="$db" \
    --var RUNDIR="$dir/run" --var LOGDIR="$dir/log" > "$dir/rspamd.out" 2>&1 &
  RSPAMD_PID=$!
  for i in $(seq 600); do   # about 60 s: a cold start builds the cache (~9 s here)
    python3 -c "import urllib.request as u; u.urlopen('http://127.0.0.1:$RSPAMD_PORT/ping', timeout=1)" 2>/dev/null && return 0
    kill -0 "$RSPAMD_PID" 2>/dev/null || { tail -n 20 "$dir/rspamd.out" >&2; echo "rspamd did not start" >&2; return 1; }
    sleep 0.1
  done
  echo "rspamd did not answer /ping within 60 s" >&2
  return 1
}

# start_dnsbl RECORD...: dnsmasq answering the names under .test from --host-record=NAME,IP
# arguments (NXDOMAIN for the rest of .test, REFUSED outside it) on a free port (DNSBL_PORT)
start_dnsbl() {
  DNSBL_PORT=$(free_port)
  local args=() r
  for r in "$@"; do args+=("--host-record=$r"); done
  dnsmasq --keep-in-foreground --port="$DNSBL_PORT" --listen-address=127.0.0.1 --bind-interfaces --no-resolv \
    --no-hosts --no-poll --pid-file= --local=/test/ "${args[@]}" --log-facility=- > /dev/null 2>&1 &
  DNSBL_PID=$!
  sleep 0.2
  kill -0 "$DNSBL_PID" 2>/dev/null || { echo "dnsmasq did not start" >&2; return 1; }
}
