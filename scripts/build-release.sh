#!/usr/bin/env bash
# Builds the release binary the way it is shipped: optimised, with the Swift runtime and
# Foundation linked in (--static-swift-stdlib, so the machine it runs on needs no Swift), and
# stripped. Writes .build/homeport-release/homeport (override with OUT=path) and prints its
# size and the shared libraries it still needs (libc, libsqlite3, libsodium, …).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-.build/homeport-release/homeport}

swift build -c release --static-swift-stdlib --product homeport
mkdir -p "$(dirname "$OUT")"
strip -o "$OUT.tmp" .build/release/homeport
mv "$OUT.tmp" "$OUT"
echo "$OUT: $(du -h "$OUT" | cut -f1) ($(stat -c %s "$OUT") bytes)"
echo "needs: $(readelf -d "$OUT" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')"
