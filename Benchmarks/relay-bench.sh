#!/usr/bin/env bash
# Relay throughput and memory per session, next to socat and a direct connection measured in
# the same run with the same sender and receiver (Benchmarks/RelayBench).
#
# throughput  BYTES (1 GiB) per run, one way, on loopback, ROUNDS (3) rounds of:
#               relay   `homeport relay` (both sides send RequestRelay with one uuid, then the
#                       sender streams);
#               socat   `socat -b 262144 TCP-LISTEN:Y,bind=127.0.0.1,reuseaddr TCP:127.0.0.1:X`;
#               direct  sender → receiver;
#             medians of MiB/s and of the CPU seconds (utime + stime from /proc/<pid>/stat) the
#             process in the middle used per GiB, and the ratios. Sender and receiver are SwiftNIO
#             with 256 KiB reads and writes. Targets (from the issue): relay ≥ 1.1 × socat's
#             throughput, relay CPU per GiB ≤ socat's.
# sessions    SESSIONS (1000) concurrent paired sessions, each side sending 64 bytes every 5 s,
#             held 15 s: (relay VmRSS with them − idle VmRSS) / SESSIONS = RSS per session.
# Each part starts its own relay with SINGLE_BANDWIDTH=100000 TOTAL_BANDWIDTH=100000 (Mb/s), so
# the rate limits do not interfere. The relay, socat and both ends of the transfer share the
# machine's cores (2 on the reference machine): the table also shows the bench's CPU and any
# other CPU used during each run (softirq or other jobs; if that is large, repeat the run).
# Nothing is installed: without socat the socat row is skipped (apt-get install socat).
# Exit status non-zero only if the relay cannot be started, dies, stops relaying, or the
# hard time limit (900 s) is reached. Only loopback addresses are used.
#
# Usage: Benchmarks/relay-bench.sh [RelayBench options, e.g. --threads 1 --hold 30]
#   BYTES=1G ROUNDS=3 SESSIONS=1000   sizes (BYTES takes K/M/G suffixes)
#   CONFIG=debug     skip the release build (numbers are then meaningless for the targets)
#   SCRATCH=path     build directory (default .build)
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIG=${CONFIG:-release}
SCRATCH=${SCRATCH:-.build}
BYTES=${BYTES:-1G}
ROUNDS=${ROUNDS:-3}
SESSIONS=${SESSIONS:-1000}
export SINGLE_BANDWIDTH=${SINGLE_BANDWIDTH:-100000} TOTAL_BANDWIDTH=${TOTAL_BANDWIDTH:-100000}

if ! command -v socat >/dev/null 2>&1; then
    echo "note: socat is needed for the socat comparison row (apt-get install socat); it will be skipped" >&2
fi
swift build --scratch-path "$SCRATCH" -c "$CONFIG" --product homeport >/dev/null
swift build --scratch-path "$SCRATCH" -c "$CONFIG" --product RelayBench >/dev/null
BIN_DIR=$(swift build --scratch-path "$SCRATCH" -c "$CONFIG" --show-bin-path)

echo "relay bench: $CONFIG build, $(nproc) cores, $(uname -r), $(socat -V 2>/dev/null | sed -n 's/^socat version \([^ ]*\).*/socat \1/p' || true)"
exec "$BIN_DIR/RelayBench" all --homeport "$BIN_DIR/homeport" --bytes "$BYTES" --rounds "$ROUNDS" --sessions "$SESSIONS" "$@"
