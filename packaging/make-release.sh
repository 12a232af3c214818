#!/usr/bin/env bash
# Makes the release tarball: packaging/make-release.sh [--no-build] [--out DIR]
#   → DIR/mailroot-<version>.tar.gz (default DIR: target/ of the repository)
# The release is what an installation runs (packaging/README.md): bin/ (the same launchers, which
# never build in a release), lib/server/ and lib/registry-tool/ (each jar with its lib/), plugins/
# (the bundled plugin jars), docs/, packaging/ (the unit and install.sh), README.md. No sources, no
# Maven: an installed release can run under ProtectSystem=strict, where nothing may be built.
# --no-build: package what the last build left (mvn -B -DskipTests package) instead of building.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=1
out=$repo/target
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0 ;;
    --out) [ $# -ge 2 ] || { echo "make-release: --out needs a folder" >&2; exit 2; }; out=$2; shift ;;
    -h|--help) sed -n '2,8s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) echo "make-release: unknown argument: $1 (try --help)" >&2; exit 2 ;;
  esac
  shift
done

# the project's version: the first <version> of the root pom (the parent's own; it has no parent)
version=$(sed -n 's:^  <version>\(.*\)</version>.*:\1:p' "$repo/pom.xml" | head -n 1)
[ -n "$version" ] || { echo "make-release: no <version> in $repo/pom.xml" >&2; exit 1; }

if [ "$build" = 1 ]; then
  log=$(mktemp /tmp/mailroot-release-build.XXXXXX.log)
  echo "make-release: building $version (mvn -B -DskipTests package; log in $log) ..." >&2
  if ! (cd "$repo" && mvn -B -DskipTests package) > "$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "make-release: the build failed; the whole log is in $log" >&2
    exit 1
  fi
  rm -f "$log"
fi

name=mailroot-$version
stage=$(mktemp -d /tmp/mailroot-release.XXXXXX)
trap 'rm -rf "$stage"' EXIT
rel=$stage/$name
mkdir -p "$rel/bin/lib" "$rel/lib" "$rel/plugins" "$rel/packaging" "$rel/docs"

for module in server:mailroot-server.jar registry-tool:mailroot-registry.jar; do
  dir=${module%%:*} jar=${module#*:}
  if [ ! -f "$repo/$dir/target/$jar" ] || [ ! -d "$repo/$dir/target/lib" ]; then
    echo "make-release: $dir/target/$jar or its lib/ is missing: build first (or drop --no-build)" >&2
    exit 1
  fi
  mkdir -p "$rel/lib/$dir/lib"
  cp -p "$repo/$dir/target/$jar" "$rel/lib/$dir/"
  cp -p "$repo/$dir/target/lib/"*.jar "$rel/lib/$dir/lib/"
done

# the bundled plugins: what the plugin modules' builds copied into plugins/, of this version only
shopt -s nullglob
plugins=("$repo/plugins/"*-"$version".jar)
shopt -u nullglob
[ ${#plugins[@]} -gt 0 ] || { echo "make-release: no plugins/*-$version.jar: build first" >&2; exit 1; }
cp -p "${plugins[@]}" "$repo/plugins/README.md" "$rel/plugins/"

cp -p "$repo/bin/mailroot" "$repo/bin/registry" "$rel/bin/"
cp -p "$repo/bin/lib/ensure-built.sh" "$rel/bin/lib/"
cp -p "$repo/packaging/mailroot.service" "$repo/packaging/install.sh" "$repo/packaging/README.md" "$rel/packaging/"
cp -p "$repo/README.md" "$rel/"
# the user documentation, with writing-a-sink.md's example project (not what a build of it left);
# not the design notes and their probes (research, not a manual)
tar -C "$repo/docs" --exclude=./design --exclude=target -cf - . | tar -C "$rel/docs" -xf -
echo "$version" > "$rel/VERSION"

chmod -R u=rwX,go=rX "$rel"
chmod 0755 "$rel/bin/mailroot" "$rel/bin/registry" "$rel/packaging/install.sh"

# the release must run as it is: its own launcher, no build, the version we name it by
said=$("$rel/bin/mailroot" --version 2>&1) || { echo "make-release: $name/bin/mailroot --version failed: $said" >&2; exit 1; }
[ "$said" = "Mailroot $version" ] || { echo "make-release: $name/bin/mailroot --version says '$said', not 'Mailroot $version'" >&2; exit 1; }

mkdir -p "$out"
tarball=$(cd "$out" && pwd)/$name.tar.gz
tar -C "$stage" --owner=0 --group=0 --numeric-owner --sort=name -czf "$tarball.tmp" "$name"
mv "$tarball.tmp" "$tarball"
echo "$tarball"
