#!/usr/bin/env bash
# Installs (or upgrades to) this Mailroot release as a systemd service. Run it as root from an
# unpacked release tarball (packaging/make-release.sh):
#   tar xzf mailroot-<version>.tar.gz && sudo mailroot-<version>/packaging/install.sh
# It puts the release in /opt/mailroot (the one before it stays in /opt/mailroot.previous), creates
# the system user "mailroot" and the home /var/lib/mailroot, installs the unit as
# /etc/systemd/system/mailroot.service and the commands /usr/local/bin/mailroot and
# /usr/local/bin/mailroot-registry (they run as the mailroot user, on its home). It does not start a
# new installation (systemctl enable --now mailroot), and restarts one that was running.
# MAILROOT_INSTALL_ROOT=DIR installs under DIR instead of / (for a test or an image build): no user
# is created and systemctl is not called.
set -euo pipefail
release=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
root=${MAILROOT_INSTALL_ROOT:-}
opt=/opt/mailroot
home=/var/lib/mailroot
unit=/etc/systemd/system/mailroot.service
say() { echo "install: $*"; }
fail() { echo "install: $*" >&2; exit 1; }

case ${1:-} in
  "") ;;
  -h|--help) sed -n '2,11s/^# \{0,1\}//p' "$0"; exit 0 ;;
  *) echo "install: unknown argument: $1 (try --help)" >&2; exit 2 ;;
esac

if [ ! -f "$release/lib/server/mailroot-server.jar" ] || [ ! -f "$release/VERSION" ]; then
  fail "$release is not a release (no lib/server/mailroot-server.jar): make one with packaging/make-release.sh and install from the unpacked tarball"
fi
version=$(cat "$release/VERSION")
if [ -z "$root" ]; then
  [ "$(id -u)" = 0 ] || fail "run me as root (sudo $0)"
  command -v java >/dev/null || fail "no java on PATH: install a Java 17 runtime (Debian: apt install openjdk-17-jre-headless)"
  java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = \([0-9]*\).*/\1/p')
  [ "${java_major:-0}" -ge 17 ] || fail "java on PATH is version ${java_major:-unknown}; Mailroot needs 17 or later"
fi
[ "$release" != "$root$opt" ] || fail "this release is already installed in $opt"

# the user: a system account without a login, its home the server's home
if [ -z "$root" ] && ! id mailroot >/dev/null 2>&1; then
  useradd --system --user-group --home-dir "$home" --no-create-home --shell /usr/sbin/nologin \
    --comment "Mailroot SMTP server" mailroot
  say "created the system user mailroot"
fi

# the release: copied beside the installed one, then swapped in (the running server keeps its open
# jars until it restarts)
mkdir -p "$root/opt"
rm -rf "$root$opt.new"
cp -a "$release" "$root$opt.new"
chown -R 0:0 "$root$opt.new" 2>/dev/null || true
chmod -R u=rwX,go=rX "$root$opt.new"
chmod 0755 "$root$opt.new/bin/mailroot" "$root$opt.new/bin/registry" "$root$opt.new/packaging/install.sh"
if [ -d "$root$opt" ]; then
  rm -rf "$root$opt.previous"
  mv "$root$opt" "$root$opt.previous"
  say "the release before ($(cat "$root$opt.previous/VERSION" 2>/dev/null || echo unknown)) is kept in $opt.previous"
fi
mv "$root$opt.new" "$root$opt"
say "installed Mailroot $version in $opt"

# the home: systemd creates it too (StateDirectory=), but the commands may be used before the first start
mkdir -p "$root$home"
chmod 0750 "$root$home"
[ -n "$root" ] || chown mailroot:mailroot "$root$home"

# the unit and the two commands
mkdir -p "$root$(dirname "$unit")" "$root/usr/local/bin"
install -m 0644 "$root$opt/packaging/mailroot.service" "$root$unit"
for cmd in mailroot:mailroot mailroot-registry:registry; do
  name=${cmd%%:*} tool=${cmd#*:}
  cat > "$root/usr/local/bin/$name.tmp" <<EOF
#!/bin/sh
# Installed by Mailroot's packaging/install.sh: $opt/bin/$tool on the service's home, as its user
export MAILROOT_HOME=$home
if [ "\$(id -u)" = 0 ]; then
  exec runuser -u mailroot -- $opt/bin/$tool "\$@"
fi
exec $opt/bin/$tool "\$@"
EOF
  chmod 0755 "$root/usr/local/bin/$name.tmp"
  mv "$root/usr/local/bin/$name.tmp" "$root/usr/local/bin/$name"
done
say "installed $unit, /usr/local/bin/mailroot and /usr/local/bin/mailroot-registry"

if [ -n "$root" ]; then
  exit 0
fi
if [ ! -d /run/systemd/system ]; then
  say "systemd is not running here: start the server yourself as the mailroot user, e.g."
  say "  runuser -u mailroot -- env MAILROOT_HOME=$home $opt/bin/mailroot"
  exit 0
fi
systemctl daemon-reload
if systemctl is-active --quiet mailroot; then
  say "restarting the running server on the new release ..."
  systemctl restart mailroot
  say "$(systemctl is-active mailroot): see systemctl status mailroot"
else
  say "start it, now and at every boot, with: systemctl enable --now mailroot"
fi
