#!/usr/bin/env bash
# Relay soak: DURATION seconds (default 600) of mixed traffic against one `homeport relay -k KEY`
# (Benchmarks/RelayBench soak):
#   * 4 loops of valid pairs streaming a checked byte pattern both ways (1 B – 4 MiB), one in
#     ten ended by a RST from one side right after pairing;
#   * 2 loops of first frames the relay must refuse (random protobuf payload, oversized header,
#     nested groups, another message type, empty uuid, wrong key, no key) — each must be closed
#     by the relay within 5 s — and random garbage (closed by the bench after 1 s);
#   * 100 slowloris connections held at once (silent, half a header, half a frame, and 16
#     RequestRelays whose partner never comes), which the relay must close after its 30 s
#     handshake limit; each is replaced when it goes.
# The relay's VmRSS is sampled every 10 s; after a warm-up (DURATION/5, 10–120 s) min, max and
# the spread are reported ("flat" = spread ≤ max(4 MiB, 10 %)), with the relay's own counters.
# Exit status 1 if the relay dies or no longer relays a checked 1 MiB pair at the end;
# 3 if the hard time limit (DURATION + 300 s) is reached. Only loopback addresses are used.
#
# Usage: Benchmarks/relay-soak.sh [RelayBench options, e.g. --slowloris 500 --pair-workers 8]
#   DURATION=60      a quick run
#   CONFIG=debug     skip the release build
#   SCRATCH=path     build directory (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
SCRATCH=${SCRATCH:-.build}
DURATION=${DURATION:-600}
export SINGLE_BANDWIDTH=${SINGLE_BANDWIDTH:-100000} TOTAL_BANDWIDTH=${TOTAL_BANDWIDTH:-100000}

swift build --scratch-path "$SCRATCH" -c "$CONFIG" --product homeport >/dev/null
swift build --scratch-path "$SCRATCH" -c "$CONFIG" --product RelayBench >/dev/null
BIN_DIR=$(swift build --scratch-path "$SCRATCH" -c "$CONFIG" --show-bin-path)

echo "relay soak: $CONFIG build, $(nproc) cores, $(uname -r), ${DURATION} s"
exec "$BIN_DIR/RelayBench" soak --homeport "$BIN_DIR/homeport" --duration "$DURATION" "$@"
