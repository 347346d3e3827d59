#!/usr/bin/env bash
# Puts acgw on the PATH for the rest of the job.
#   install.sh resolve   decides what to install and where; prints version, dir and cache key to
#                        GITHUB_OUTPUT (the cache step between the two needs them)
#   install.sh install   installs into that dir unless a cached binary is already there
# A release binary is downloaded and checked against the release's SHA256SUMS; an unreleased ref
# (a branch, a commit, or `uses: ./`) is built from the action's own source with cargo.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=action/lib.sh
. "$here/lib.sh"

mode=${1:-}
requested=${INPUT_VERSION:-}
action_ref=${ACGW_ACTION_REF:-}
action_repo=${ACGW_ACTION_REPOSITORY:-}
source_dir=${ACGW_ACTION_PATH:-$(cd "$here/.." && pwd)}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
export ACGW_TMP=$tmp

# The release artifact for this runner: static musl binaries on Linux.
target() {
  case "${RUNNER_OS:-$(uname -s)}:${RUNNER_ARCH:-$(uname -m)}" in
  Linux:X64 | Linux:x86_64) echo x86_64-unknown-linux-musl ;;
  Linux:ARM64 | Linux:aarch64) echo aarch64-unknown-linux-musl ;;
  macOS:X64 | Darwin:x86_64) echo x86_64-apple-darwin ;;
  macOS:ARM64 | Darwin:arm64) echo aarch64-apple-darwin ;;
  Windows:X64) echo x86_64-pc-windows-msvc ;;
  *) echo unsupported ;;
  esac
}

# What to install: a release tag (vX.Y.Z) or `source`.
resolve_version() {
  local v=$requested
  if [ -z "$v" ]; then
    # The action's own tag when it is a release; anything else (a branch, a commit, a major tag
    # such as v1, or a local `uses: ./`) is unreleased code whose binary must match its scripts.
    if [[ $action_ref =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]]; then
      v=$action_ref
    else
      v=source
    fi
  fi
  case $v in
  source) echo source ;;
  latest)
    [ -n "$action_repo" ] || die "input version: latest needs the action's repository (github.action_repository)"
    gh_ok GET "/repos/$action_repo/releases/latest"
    v=$(jq -r '.tag_name // empty' "$GH_BODY")
    [[ $v =~ ^v[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
      die "the latest release of $action_repo has no version tag (found \"$(one_line "${v:0:60}")\")"
    echo "$v"
    ;;
  *)
    [[ $v =~ ^v?[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$ ]] ||
      die "input version: expected a release such as v0.1.0, latest, or source; found \"$v\""
    echo "v${v#v}"
    ;;
  esac
}

# A key for a source build: what the binary is made of (Cargo files, build script, sources).
source_hash() {
  (cd "$source_dir" && find Cargo.toml Cargo.lock build.rs src -type f 2>/dev/null | LC_ALL=C sort |
    while IFS= read -r f; do printf '%s  ' "$f"; sha256 <"$f"; done) | sha256 | cut -c1-16
}

exe=acgw
[ "${RUNNER_OS:-}" = Windows ] && exe=acgw.exe

case $mode in
resolve)
  version=$(resolve_version) || exit 1
  t=$(target)
  if [ "$version" = source ]; then
    key="acgw-source-$(source_hash)-${RUNNER_OS:-local}-${RUNNER_ARCH:-local}"
  else
    [ "$t" != unsupported ] || die "no release binary for ${RUNNER_OS:-?}/${RUNNER_ARCH:-?}; set version: source to build one"
    key="acgw-$version-$t"
  fi
  dir="${RUNNER_TOOL_CACHE:-$tmp}/acgw/$key"
  {
    echo "version=$version"
    echo "dir=$dir"
    echo "key=$key"
  } >>"${GITHUB_OUTPUT:-/dev/stdout}"
  ;;
install)
  version=${ACGW_INSTALL_VERSION:?the resolve step gives the version}
  dir=${ACGW_INSTALL_DIR:?the resolve step gives the directory}
  bin="$dir/bin/$exe"
  if [ -x "$bin" ] && "$bin" --version >/dev/null 2>&1; then
    note "using the cached $("$bin" --version)"
  elif [ "$version" = source ]; then
    command -v cargo >/dev/null 2>&1 ||
      die "version: source builds acgw with cargo, which this runner lacks (use a release: set version, or pin the action to a release tag)"
    note "building acgw from $source_dir (an unreleased ref); pin a release tag to download a binary instead"
    # The action's checkout is a tarball without .git: name the commit when the ref is one.
    if [[ $action_ref =~ ^[0-9a-f]{40}$ ]]; then export ACGW_BUILD_COMMIT=$action_ref; fi
    cargo install --locked --quiet --path "$source_dir" --root "$dir" --bin acgw
  else
    t=$(target)
    archive="acgw-$t.tar.gz"
    [ "${RUNNER_OS:-}" = Windows ] && archive="acgw-$t.zip"
    base=${ACGW_RELEASES_URL:-${GITHUB_SERVER_URL:-https://github.com}/$action_repo/releases/download}
    work=$(mktemp -d "$tmp/acgw-download.XXXXXX")
    fetch() {
      curl --silent --show-error --fail --location --retry 3 --max-time 300 \
        --output "$work/$1" "$base/$version/$1" || die "cannot download $base/$version/$1"
    }
    fetch SHA256SUMS
    fetch "$archive"
    # Exactly one line names the archive; its sum must match what was downloaded.
    want=$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$work/SHA256SUMS")
    [[ $want =~ ^[0-9a-f]{64}$ ]] || die "SHA256SUMS of $version has no checksum for $archive"
    got=$(sha256 <"$work/$archive")
    [ "$got" = "$want" ] || die "checksum mismatch for $archive of $version: SHA256SUMS says $want, the download is $got; not installing it"
    mkdir -p "$work/x" "$dir/bin"
    case $archive in
    *.zip) unzip -q -o "$work/$archive" -d "$work/x" ;;
    *) tar -xzf "$work/$archive" -C "$work/x" ;;
    esac
    found=$(find "$work/x" -type f -name "$exe" | head -n1)
    [ -n "$found" ] || die "$archive holds no $exe"
    install -m 0755 "$found" "$bin"
    rm -rf "$work"
    note "installed $("$bin" --version) (checksum verified)"
  fi
  echo "$dir/bin" >>"${GITHUB_PATH:-/dev/null}"
  ;;
*) die "usage: install.sh resolve|install" ;;
esac
