# Sourced by bin/mailroot and bin/registry: builds the project when the launcher's jar is missing or
# older than its sources. Launchers share one lock, target/build.lock (flock), so that two of them
# started at once ("bin/mailroot & bin/mailroot wait") run one Maven build, not two in the same
# tree: a launcher waits while a build runs, then looks again whether one is still needed.
# A release (packaging/make-release.sh: lib/<module>/ beside bin/, no sources) never builds.

# mailroot_target TOOL REPO MODULE JAR SOURCE...: sets MAILROOT_TARGET to the folder holding JAR and
# its lib/: REPO/lib/MODULE in a release; else REPO/MODULE/target, built first if it needs it, unless
# MAILROOT_NO_BUILD=1 (then a missing jar is an error, never a build)
mailroot_target() {
  local tool=$1 repo=$2 module=$3 jar=$4
  shift 4
  if [ -f "$repo/lib/$module/$jar" ]; then
    MAILROOT_TARGET=$repo/lib/$module
    return 0
  fi
  MAILROOT_TARGET=$repo/$module/target
  if [ ! -f "$repo/pom.xml" ]; then
    echo "$tool: $repo is neither a release (no lib/$module/$jar) nor a source tree (no pom.xml)" >&2
    exit 1
  fi
  if [ "${MAILROOT_NO_BUILD:-}" = 1 ]; then
    if [ ! -f "$MAILROOT_TARGET/$jar" ] || [ ! -d "$MAILROOT_TARGET/lib" ]; then
      echo "$tool: $MAILROOT_TARGET/$jar is missing and MAILROOT_NO_BUILD=1 forbids building: run mvn -B -DskipTests package in $repo" >&2
      exit 1
    fi
    return 0
  fi
  mailroot_ensure_built "$tool" "$repo" "$MAILROOT_TARGET/$jar" "$@"
}

# mailroot_needs_build JAR SOURCE...: true if JAR or its lib/ is missing, or a SOURCE file is newer
mailroot_needs_build() {
  local jar=$1
  shift
  [ ! -f "$jar" ] || [ ! -d "$(dirname "$jar")/lib" ] \
    || [ -n "$(find "$@" -newer "$jar" -type f -print -quit 2>/dev/null)" ]
}

# mailroot_ensure_built TOOL REPO JAR SOURCE...: builds REPO if JAR needs it; exits 1 if the build fails
mailroot_ensure_built() {
  local tool=$1 repo=$2 jar=$3
  shift 3
  if ! command -v flock >/dev/null 2>&1; then
    # no flock (macOS without util-linux): build unserialised, as before
    mailroot_needs_build "$jar" "$@" && mailroot_build "$tool" "$repo"
    return 0
  fi
  mkdir -p "$repo/target"
  exec 9>>"$repo/target/build.lock"
  # shared: wait for a build in progress (its jar may exist before its lib/ is complete)
  if ! flock -n -s 9; then
    echo "$tool: waiting for another build of $repo to finish ..." >&2
    flock -s 9
  fi
  if mailroot_needs_build "$jar" "$@"; then
    flock -u 9
    if ! flock -n -x 9; then
      echo "$tool: waiting for another build of $repo to finish ..." >&2
      flock -x 9
    fi
    # the build we waited for may have made ours unnecessary
    if mailroot_needs_build "$jar" "$@"; then
      mailroot_build "$tool" "$repo"
    fi
  fi
  # close the lock before exec: the JVM must not hold it for the server's whole life
  exec 9>&-
}

mailroot_build() {
  local tool=$1 repo=$2 log
  echo "$tool: building $repo (first use, or sources changed) ..." >&2
  log=$(mktemp /tmp/mailroot-build.XXXXXX.log)
  if ! (cd "$repo" && mvn -B -DskipTests package) > "$log" 2>&1 9>&-; then
    tail -n 30 "$log" >&2
    echo "$tool: the build failed; the whole log is in $log" >&2
    exit 1
  fi
  rm -f "$log"
}
