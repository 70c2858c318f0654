#!/usr/bin/env bash
# Makes a fresh Debian root (debootstrap --variant=minbase, no Swift) in DEST for the package
# test (Tests/HomeportTests/DebianPackageTests.swift). The bootstrapped tree is cached as a
# tarball under /var/cache/homeport-test: --prepare downloads it once (about 3 minutes), later
# calls unpack it in seconds. The mirror is the one apt on this machine uses.
#   packaging/debian/fresh-root.sh --prepare [SUITE]     only make the cached tarball (downloads)
#   packaging/debian/fresh-root.sh DEST [SUITE]          unpack the cached tarball into DEST
# Tests call the second form, which never downloads (tests contact nothing outside the
# machine): .ci/run calls --prepare in its install step.
set -euo pipefail
dest=$1
suite=${2:-bookworm}
cache_dir=${HOMEPORT_TEST_CACHE:-/var/cache/homeport-test}
# The package's runtime libraries, so `dpkg -i` needs no network (a missing one makes dpkg
# name it), and systemd, which packaging/debian/boot-systemd.sh boots to run the unit.
include=libsqlite3-0,libsodium23,libcurl4,libxml2,libstdc++6,libgcc-s1,libqrencode4,procps,systemd,systemd-sysv
# Named after the package list, so a changed list bootstraps a new root.
tarball="$cache_dir/debian-$suite-minbase-$(echo "$include" | md5sum | cut -c1-8).tar"

mirror() {
  local uri
  uri=$(sed -n 's/^URIs:[[:space:]]*\(\S*\/debian\)[[:space:]]*$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk 'NR == 1')
  [ -n "$uri" ] || uri=$(awk '$1 == "deb" && $3 !~ /security/ {print $2; exit}' /etc/apt/sources.list 2>/dev/null)
  echo "${uri:-http://deb.debian.org/debian}"
}

if [ "$dest" != --prepare ] && [ ! -f "$tarball" ]; then
  echo "fresh-root.sh: no cached root $tarball; make it first with: $0 --prepare" >&2
  exit 3
fi
if [ ! -f "$tarball" ]; then
  mkdir -p "$cache_dir"
  work=$(mktemp -d "$cache_dir/bootstrap.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  debootstrap --variant=minbase --include="$include" "$suite" "$work/root" "$(mirror)" >"$work/log" 2>&1 \
    || { tail -20 "$work/log" >&2; exit 1; }
  rm -rf "$work/root/var/cache/apt/archives/"*.deb
  tar -C "$work/root" -cf "$tarball.tmp" .
  mv "$tarball.tmp" "$tarball"
fi
[ "$dest" = --prepare ] && exit 0
mkdir -p "$dest"
tar -C "$dest" -xf "$tarball"
