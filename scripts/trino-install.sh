#!/usr/bin/env bash
# Installs the pinned Trino (trino/VERSION) into the cache, once: the small trino-server-core
# tarball plus the Hive connector plugin, both fetched from Maven Central by Maven itself (strict
# checksum policy, so a download that does not match Central's .sha1 fails), re-checked here
# against the .sha1 files Maven fetched, recorded in the cache and unpacked into a temporary folder
# that is renamed into place. Later calls find the install marker and download nothing.
#
# Prints the Trino install directory on stdout; progress goes to stderr.
# Env: LAKEHOUSE_CACHE_DIR (default ~/.cache/lakehouse).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
VERSION="$(tr -d '[:space:]' < "$ROOT/trino/VERSION")"
CACHE="${LAKEHOUSE_CACHE_DIR:-$HOME/.cache/lakehouse}"
BASE="$CACHE/trino/$VERSION"
HOME_DIR="$BASE/trino-server-$VERSION"
MARKER="$BASE/.installed"
M2="$CACHE/m2"

say() { echo "trino-install: $*" >&2; }
die() { say "error: $*"; exit 1; }

if [ -f "$MARKER" ] && [ -x "$HOME_DIR/bin/launcher" ]; then
  say "Trino $VERSION already installed in $HOME_DIR (no download)"
  echo "$HOME_DIR"
  exit 0
fi

command -v mvn >/dev/null || die "Maven (mvn) is needed to download Trino from Maven Central; install it (apt-get install maven)"
mkdir -p "$BASE/downloads"
exec 9>"$BASE/.install.lock"
flock 9
if [ -f "$MARKER" ]; then echo "$HOME_DIR"; exit 0; fi   # another process installed it meanwhile

# fetch <artifactId> <type>: downloads io.trino:<artifactId>:VERSION:<type> into downloads/ and
# checks it against Maven Central's published SHA-1.
fetch() {
  local artifact="$1" type="$2" file="$BASE/downloads/$1-$VERSION.$2"
  say "downloading io.trino:$artifact:$VERSION:$type from Maven Central"
  mvn -B -q -C -Dstyle.color=never -Dmaven.repo.local="$M2" dependency:copy \
    -Dartifact="io.trino:$artifact:$VERSION:$type" -DoutputDirectory="$BASE/downloads" >"$BASE/downloads/mvn.log" 2>&1 \
    || { cat "$BASE/downloads/mvn.log" >&2; die "Maven could not download io.trino:$artifact:$VERSION:$type"; }
  local published actual
  published="$(head -c 40 "$M2/io/trino/$artifact/$VERSION/$artifact-$VERSION.$type.sha1")"
  actual="$(sha1sum "$file" | cut -d' ' -f1)"
  [ "$published" = "$actual" ] || die "checksum mismatch for $file: Maven Central says $published, file has $actual"
  echo "$actual  $(basename "$file")" >> "$BASE/downloads/SHA1SUMS.tmp"
  rm -rf "$M2/io/trino/$artifact/$VERSION"   # the copy in downloads/ is the one we keep
}

started=$(date +%s)
rm -f "$BASE/downloads/SHA1SUMS.tmp"
fetch trino-server-core tar.gz
fetch trino-hive zip
mv "$BASE/downloads/SHA1SUMS.tmp" "$BASE/downloads/SHA1SUMS"

say "unpacking"
tmp="$(mktemp -d "$BASE/unpack.XXXXXX")"
tar -xzf "$BASE/downloads/trino-server-core-$VERSION.tar.gz" -C "$tmp"
mv "$tmp/trino-server-core-$VERSION" "$tmp/server"
( cd "$tmp" && unzip -q "$BASE/downloads/trino-hive-$VERSION.zip" && mv "trino-hive-$VERSION" server/plugin/hive )
[ -x "$tmp/server/bin/launcher" ] || die "unpacked Trino has no bin/launcher"
rm -rf "$HOME_DIR"
mv "$tmp/server" "$HOME_DIR"
rmdir "$tmp"
cp "$BASE/downloads/SHA1SUMS" "$MARKER"
say "installed Trino $VERSION in $HOME_DIR ($(du -sh "$BASE/downloads" | cut -f1) downloaded, $(( $(date +%s) - started )) s)"
echo "$HOME_DIR"
